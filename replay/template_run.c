/* template_run.c: REM template matching over a run (template_run.h). */
#include "template_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void replay_template_run_params_default(replay_template_run_params *p)
{
    replay_template_params_default(&p->tp);
    p->seed = 0;
    p->n_threads = 1;
}

void replay_template_run_free(replay_template_run *r)
{
    if (!r)
        return;
    free(r->phase);
    free(r->res);
    *r = (replay_template_run){.lap_ms = NAN};
}

static int stage_is(const replay_phase *ph, const char *stage)
{
    return ph->stage && strcmp(ph->stage, stage) == 0;
}

/* The phase holding run time t: the first k with t < ph[k].stop_ms, from
 * *k on (times must not decrease between calls); n_phases when none. */
static size_t phase_at(const replay_phase *ph, size_t n_phases, size_t *k, double t)
{
    while (*k < n_phases && t >= ph[*k].stop_ms)
        ++*k;
    if (*k < n_phases && t >= ph[*k].start_ms)
        return *k;
    return n_phases;
}

/* ---- 1. laps ---- */

typedef struct open_lap {
    int open, valid, moved, confirmed;
    size_t phase;
    uint32_t lap;
    double start, stop;   /* stop: the first sample after its last moving one */
} open_lap;

static void lap_close(open_lap *o, const replay_phase *ph, replay_lap *laps, size_t *n)
{
    if (o->open && o->valid && o->moved && o->confirmed)
        laps[(*n)++] = (replay_lap){o->start, o->stop - o->start, ph[o->phase].stop_ms};
    o->open = 0;
}

size_t replay_template_run_laps(const replay_traj *tr, const replay_phase *ph,
                                size_t n_phases, replay_lap *laps)
{
    open_lap o = {0};
    size_t n = 0, k = 0;
    int have_prev = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < tr->n; i++) {
        double t = tr->t_ms[i];
        size_t p = phase_at(ph, n_phases, &k, t);
        if (p == n_phases || !replay_phase_on_track(&ph[p])) {
            lap_close(&o, ph, laps, &n);
            if (p < n_phases && ph[p].elsewhere) {
                /* the clock ran elsewhere: a lap it leaves unfinished is
                 * not a whole lap on the track */
                prev = tr->lap ? tr->lap[i] : 0;
                have_prev = 1;
            }
            continue;
        }
        uint32_t lap = tr->lap ? tr->lap[i] : 0;
        if (o.open && (p != o.phase || lap != o.lap)) {
            if (p == o.phase && o.moved && !o.confirmed) {
                o.confirmed = 1;    /* the next lap's first sample follows */
                o.stop = t;
            }
            lap_close(&o, ph, laps, &n);
        }
        if (!o.open)
            o = (open_lap){.open = 1, .valid = !have_prev || lap != prev, .phase = p,
                           .lap = lap, .start = t};
        if (tr->dir[i] != 0) {
            o.moved = 1;
            o.confirmed = 0;
        } else if (o.moved && !o.confirmed) {
            o.confirmed = 1;
            o.stop = t;
        }
        prev = lap;
        have_prev = 1;
    }
    lap_close(&o, ph, laps, &n);
    return n;
}

/* ---- 2. the template ---- */

/* The place cells' spikes as place-cell rows, and where each phase's start
 * in the list: spikes bucketed by phase (in_phase[k] .. in_phase[k + 1]),
 * those outside every phase left out. */
typedef struct phase_spikes {
    double *t;
    uint32_t *row;
    size_t *from;                 /* [n_phases + 1] */
} phase_spikes;

static void phase_spikes_free(phase_spikes *b)
{
    free(b->t);
    free(b->row);
    free(b->from);
}

/* The phase holding t (binary search), n_phases when none. */
static size_t phase_find(const replay_phase *ph, size_t n_phases, double t)
{
    size_t lo = 0, hi = n_phases;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ph[mid].stop_ms <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n_phases && t >= ph[lo].start_ms ? lo : n_phases;
}

static int phase_spikes_make(const replay_spikes *s, const uint32_t *row,
                             const replay_phase *ph, size_t n_phases, phase_spikes *b)
{
    size_t m = s->n ? s->n : 1;
    *b = (phase_spikes){malloc(m * sizeof *b->t), malloc(m * sizeof *b->row),
                        calloc(n_phases + 1, sizeof *b->from)};
    size_t *at = malloc((n_phases + 1) * sizeof *at);
    uint32_t *where = malloc(m * sizeof *where);
    if (!b->t || !b->row || !b->from || !at || !where) {
        free(at);
        free(where);
        phase_spikes_free(b);
        return HS_ENOMEM;
    }
    for (size_t j = 0; j < s->n; j++) {
        size_t k = row[s->ids[j]] == UINT32_MAX ? n_phases
                                                : phase_find(ph, n_phases, s->t_ms[j]);
        where[j] = (uint32_t)k;
        if (k < n_phases)
            b->from[k + 1]++;
    }
    for (size_t k = 0; k < n_phases; k++)
        b->from[k + 1] += b->from[k];
    memcpy(at, b->from, (n_phases + 1) * sizeof *at);
    for (size_t j = 0; j < s->n; j++) {   /* stable: each phase keeps the input order */
        if (where[j] == n_phases)
            continue;
        size_t q = at[where[j]]++;
        b->t[q] = s->t_ms[j];
        b->row[q] = row[s->ids[j]];
    }
    free(at);
    free(where);
    return HS_OK;
}

/* The complete laps whose K bins end inside their wake phase, as start
 * times; lap_ms, K and the laps into out. */
static size_t template_laps(const replay_template_run_params *p, const replay_traj *tr,
                            const replay_phase *ph, size_t n_phases, double *starts,
                            replay_template_run *out)
{
    replay_lap *laps = malloc((tr->n ? tr->n : 1) * sizeof *laps);
    double *run = malloc((tr->n ? tr->n : 1) * sizeof *run);
    size_t n = laps && run ? replay_template_run_laps(tr, ph, n_phases, laps) : 0, used = 0;
    if (n > 0) {
        for (size_t l = 0; l < n; l++)
            run[l] = laps[l].run_ms;
        gsl_sort(run, 1, n);
        out->lap_ms = gsl_stats_median_from_sorted_data(run, 1, n);
        out->n_bins = (size_t)floor(out->lap_ms / p->tp.bin_ms);
        double span = (double)out->n_bins * p->tp.bin_ms;
        for (size_t l = 0; l < n; l++)
            if (laps[l].start_ms + span <= laps[l].phase_stop_ms)
                starts[used++] = laps[l].start_ms;
    }
    free(laps);
    free(run);
    return used;
}

/* The template of the wake phases' spikes of b, or why there is none. */
static int template_make(const replay_template_run_params *p, const phase_spikes *b,
                         const replay_phase *ph, size_t n_phases, const replay_traj *tr,
                         double **tmpl, replay_template_run *out, hs_error *err)
{
    double *starts = malloc((tr->n ? tr->n : 1) * sizeof *starts);
    if (!starts)
        return hs_error_set(err, HS_ENOMEM, "template: out of memory");
    out->n_laps = template_laps(p, tr, ph, n_phases, starts, out);
    int rc = HS_OK;
    if (out->n_laps == 0 || out->n_bins < 2) {
        out->why = out->n_laps == 0 ? "no complete lap" : "a lap is shorter than two bins";
        goto done;
    }
    size_t K = out->n_bins, cells = out->n_cells;
    *tmpl = malloc(cells * K * sizeof **tmpl);
    if (!*tmpl) {
        rc = hs_error_set(err, HS_ENOMEM, "template: out of memory");
        goto done;
    }
    memset(*tmpl, 0, cells * K * sizeof **tmpl);
    for (size_t k = 0; rc == HS_OK && k < n_phases; k++) {
        if (!replay_phase_on_track(&ph[k]))
            continue;
        size_t a = b->from[k], m = b->from[k + 1] - a;
        double *part = malloc(cells * K * sizeof *part);
        if (!part)
            rc = hs_error_set(err, HS_ENOMEM, "template: out of memory");
        else
            rc = replay_template_from_laps(b->t + a, b->row + a, m, cells, starts,
                                           out->n_laps, out->lap_ms, p->tp.bin_ms, part, err);
        for (size_t q = 0; rc == HS_OK && q < cells * K; q++)
            (*tmpl)[q] += part[q];
        free(part);
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t q = 0; rc == HS_OK && q < cells * K; q++) {
        lo = fmin(lo, (*tmpl)[q]);
        hi = fmax(hi, (*tmpl)[q]);
    }
    if (rc == HS_OK && !(hi > lo))
        out->why = "no place-cell spike in the laps";
done:
    free(starts);
    return rc;
}

/* ---- 3. the scan ---- */

static int scan_all(const replay_template_run_params *p, const phase_spikes *b,
                    const replay_phase *ph, const double *tmpl, replay_template_run *out,
                    hs_error *err)
{
    size_t n = out->n, first = n;
    hs_error first_err;
    hs_error_clear(&first_err);
#pragma omp parallel for num_threads(p->n_threads) schedule(dynamic, 1)
    for (size_t q = 0; q < n; q++) {
        const replay_phase *f = &ph[out->phase[q]];
        size_t a = b->from[out->phase[q]], m = b->from[out->phase[q] + 1] - a;
        hs_error e;
        hs_error_clear(&e);
        if (replay_template_scan(tmpl, out->n_cells, out->n_bins, b->t + a, b->row + a, m,
                                 f->start_ms, f->stop_ms, &p->tp, p->seed, out->phase[q],
                                 &out->res[q], &e) != HS_OK) {
#pragma omp critical(replay_template_run_error)
            if (q < first) {
                first = q;
                first_err = e;
            }
        }
    }
    if (first == n)
        return HS_OK;
    if (err)
        *err = first_err;
    return first_err.code;
}

/* The phases to scan: sleep (rem, nrem), not empty. */
static int phases_pick(const replay_phase *ph, size_t n_phases, replay_template_run *out)
{
    out->phase = malloc((n_phases ? n_phases : 1) * sizeof *out->phase);
    out->res = malloc((n_phases ? n_phases : 1) * sizeof *out->res);
    if (!out->phase || !out->res)
        return HS_ENOMEM;
    for (size_t k = 0; k < n_phases; k++)
        if ((stage_is(&ph[k], "rem") || stage_is(&ph[k], "nrem")) &&
            ph[k].stop_ms > ph[k].start_ms)
            out->phase[out->n++] = (uint32_t)k;
    return HS_OK;
}

/* Each cell's template row, UINT32_MAX when it is no place cell. */
static int rows_make(const replay_spikes *s, const uint8_t *is_place, uint32_t **row,
                     size_t *n_rows, hs_error *err)
{
    for (size_t j = 0; j < s->n; j++)
        if (s->ids[j] >= s->n_cells)
            return hs_error_set(err, HS_EINPUT, "template: spike %zu: cell %u >= %zu", j,
                                s->ids[j], s->n_cells);
    *row = malloc((s->n_cells ? s->n_cells : 1) * sizeof **row);
    if (!*row)
        return hs_error_set(err, HS_ENOMEM, "template: out of memory");
    *n_rows = 0;
    for (size_t i = 0; i < s->n_cells; i++)
        (*row)[i] = is_place && is_place[i] ? (uint32_t)(*n_rows)++ : UINT32_MAX;
    return HS_OK;
}

int replay_template_run_phases(const replay_template_run_params *p, const replay_spikes *s,
                               const uint8_t *is_place, const replay_phase *ph,
                               size_t n_phases, const replay_traj *tr,
                               replay_template_run *out, hs_error *err)
{
    *out = (replay_template_run){.lap_ms = NAN};
    int rc = replay_template_params_check(&p->tp, err);
    if (rc == HS_OK && p->n_threads < 1)
        rc = hs_error_set(err, HS_EINPUT, "template: n_threads must be >= 1");
    uint32_t *row = NULL;
    if (rc == HS_OK)
        rc = rows_make(s, is_place, &row, &out->n_cells, err);
    if (rc != HS_OK)
        return rc;
    phase_spikes b = {0};
    double *tmpl = NULL;
    if (out->n_cells == 0)
        out->why = "no place cell";
    else if (phase_spikes_make(s, row, ph, n_phases, &b) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "template: out of memory");
    else
        rc = template_make(p, &b, ph, n_phases, tr, &tmpl, out, err);
    if (rc == HS_OK && !out->why && phases_pick(ph, n_phases, out) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "template: out of memory");
    if (rc == HS_OK && !out->why)
        rc = scan_all(p, &b, ph, tmpl, out, err);
    free(row);
    free(tmpl);
    phase_spikes_free(&b);
    if (rc != HS_OK)
        replay_template_run_free(out);
    return rc;
}
