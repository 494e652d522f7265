/* info_replay.c: the sleep's part of `hebbsleep info` (info_parts.h): the
 * slow oscillation's up states, the replay events per phase (summarised by
 * replay/analysis.h, set against the up states by replay/up_states.h) and
 * REM template matching, read by io/h5sleep.h, io/h5replay.h and
 * io/h5template.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../io/h5replay.h"
#include "../io/h5sleep.h"
#include "../io/h5template.h"
#include "../replay/analysis.h"
#include "../replay/up_states.h"
#include "info_parts.h"

/* ---- up states ---- */

/* How many distinct strings v[0..n) holds, and the distinct ones joined
 * by ", " into buf. */
static size_t distinct(char *const *v, size_t n, char *buf, size_t size)
{
    size_t count = 0, len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        /* rows come in runs (a phase's up states together): a repeat of the
         * row before costs one comparison, so the count stays linear */
        if (k > 0 && strcmp(v[k - 1], v[k]) == 0)
            continue;
        size_t j = 0;
        while (j < k && strcmp(v[j], v[k]) != 0)
            j++;
        if (j < k)
            continue;
        count++;
        int w = snprintf(buf + len, size - len, "%s%s", count > 1 ? ", " : "", v[k]);
        if (w > 0 && (size_t)w < size - len)
            len += (size_t)w;
    }
    return count;
}

int info_up_states_print(const h5run *run, FILE *out, hs_error *err)
{
    h5sleep_up_read u;
    int rc = h5sleep_up_states_read(run, &u, err);
    if (rc != HS_OK || u.n == 0) {
        h5sleep_up_read_free(&u);
        return rc;
    }
    char pops[256], phases[1024];
    distinct(u.population, u.n, pops, sizeof pops);
    size_t n_phases = distinct(u.phase, u.n, phases, sizeof phases);
    double sum = 0;
    for (size_t k = 0; k < u.n; k++)
        sum += u.stop_ms[k] - u.start_ms[k];
    fprintf(out, "up states:   %zu of %s in %zu phase%s, mean %.0f ms (slow oscillation)\n",
            u.n, pops, n_phases, n_phases == 1 ? "" : "s", sum / (double)u.n);
    h5sleep_up_read_free(&u);
    return HS_OK;
}

/* ---- replay events ---- */

static void percent_print(FILE *out, double f)
{
    if (isnan(f))
        fprintf(out, "n/a");
    else
        fprintf(out, "%.0f%%", 100 * f);
}

/* In a phase with a slow oscillation: the fraction of its events whose
 * peak lies in an up state, and of its time in up states. */
static void up_print(FILE *out, const h5replay_events *e, size_t j)
{
    replay_up_states u = {e->up.n, e->up.start_ms, e->up.stop_ms, e->up_phase};
    double time =
        replay_up_states_cover(&u, (uint32_t)j, e->phase_start_ms[j], e->phase_stop_ms[j]);
    if (isnan(time))
        return;
    size_t in = 0, known = 0;
    for (size_t k = 0; e->in_up_state && k < e->n; k++)
        if (e->phase[k] == j && e->in_up_state[k] >= 0) {
            known++;
            in += e->in_up_state[k] == 1;
        }
    fputs("; in up states ", out);
    percent_print(out, known ? (double)in / (double)known : NAN);
    fputs(" of events, ", out);
    percent_print(out, time);
    fputs(" of the time", out);
}

static void phase_print(FILE *out, const h5replay_events *e, const replay_result *view,
                        uint8_t *keep, size_t j)
{
    memset(keep, 0, e->n_phases);
    keep[j] = 1;
    replay_summary s;
    replay_summarize(view, keep, e->alpha, &s);
    fprintf(out, "  %-16s %5zu events", e->phases[j], s.n_events);
    if (s.n_events > 0) {
        fprintf(out, ", significant: %zu rank order, %zu decoding; forward ", s.n_rank_sig,
                s.n_sig);
        percent_print(out, s.forward);
        if (isnan(s.median_compression))
            fprintf(out, ", median |compression| n/a");
        else
            fprintf(out, ", median |compression| %.1f", s.median_compression);
    }
    up_print(out, e, j);
    fputc('\n', out);
}

int info_replay_print(const h5run *run, FILE *out, hs_error *err)
{
    h5replay_events e;
    int rc = h5replay_events_read(run, &e, err);
    uint8_t *keep = rc == HS_OK && e.found ? malloc(e.n_phases ? e.n_phases : 1) : NULL;
    if (rc == HS_OK && e.found && !keep)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK && e.found) {
        replay_result view = {.n = e.n, .phase = e.phase, .p_value = e.p_value,
                              .direction = e.direction, .significant = e.significant,
                              .compression = e.compression};
        fprintf(out, "replay:      %zu candidate events of %s (rank order at p < %g; "
                     "forward: of the rank-order significant; compression: of the decoding "
                     "significant)\n",
                e.n, e.population, e.alpha);
        for (size_t j = 0; j < e.n_phases; j++)
            phase_print(out, &e, &view, keep, j);
    }
    free(keep);
    h5replay_events_free(&e);
    return rc;
}

/* ---- REM template matching ---- */

static void template_rows_print(FILE *out, const h5template_table *t)
{
    for (size_t k = 0; k < t->n; k++) {
        fprintf(out, "  %-16s ", t->phase[k]);
        if (isnan(t->best_factor[k]))
            fprintf(out, "no factor scored (no window fits, or none holds spikes)\n");
        else
            fprintf(out, "best factor %.2fx, p %.3g (Bonferroni over %llu factors)\n",
                    t->best_factor[k], t->p_best[k], (unsigned long long)t->n_factors);
    }
}

int info_template_print(const h5run *run, FILE *out, hs_error *err)
{
    h5template_table t;
    int rc = h5template_table_read(run, &t, err);
    if (rc == HS_OK && t.found && t.note[0]) {
        fprintf(out, "template:    none for %s (%s)\n", t.population, t.note);
    } else if (rc == HS_OK && t.found) {
        fprintf(out, "template:    %llu place cells of %s, %llu laps of %.1f s in %g ms bins, "
                     "%llu shuffles (Louie & Wilson 2001)\n",
                (unsigned long long)t.n_cells, t.population, (unsigned long long)t.n_laps,
                1e-3 * t.lap_ms, t.bin_ms, (unsigned long long)t.n_shuffle);
        template_rows_print(out, &t);
    }
    h5template_table_free(&t);
    return rc;
}
