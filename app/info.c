/* info.c: `hebbsleep info RUN.h5` (see info.h): the file's identity, its
 * phases, spikes and reports, and the order of the parts (info_parts.h)
 * that app/info_behavior.c, info_weights.c and info_replay.c print.
 */
#include "info.h"

#include <stdlib.h>
#include <string.h>

#include "../io/h5run.h"
#include "../io/h5util.h"
#include "info_parts.h"

/* ---- the run's identity ---- */

static void meta_print(FILE *out, const char *path, const h5run_meta *m)
{
    fprintf(out, "file:        %s\n", path);
    fprintf(out, "format:      %u.%u\n", (unsigned)m->format[0], (unsigned)m->format[1]);
    fprintf(out, "version:     %s\n", m->version);
    fprintf(out, "git commit:  %s\n", m->git_commit);
    fprintf(out, "created:     %s\n", m->created);
    fprintf(out, "seed:        %llu\n", (unsigned long long)m->seed);
    fprintf(out, "threads:     %d\n", m->threads);
    if (m->complete)
        fprintf(out, "complete:    1 (the run closed cleanly)\n");
    else
        fprintf(out, "complete:    0 (INTERRUPTED: the run did not close cleanly; "
                     "below is what was written before it stopped)\n");
    if (m->complete || m->wall_s > 0)
        fprintf(out, "wall time:   %.3f s\n", m->wall_s);
    else
        fprintf(out, "wall time:   not recorded\n");
    fprintf(out, "config:      %zu bytes of YAML\n", strlen(m->config));
}

static int info_meta(const h5run *run, FILE *out, hs_error *err)
{
    h5run_meta m;
    int rc = h5run_meta_read(run, &m, err);
    if (rc == HS_OK)
        meta_print(out, h5run_path(run), &m);
    h5run_meta_free(&m);
    return rc;
}

/* ---- phases ---- */

/* Prints /phases and sets span_ms to their total span (0 without phases). */
static int info_phases(const h5run *run, FILE *out, double *span_ms, hs_error *err)
{
    *span_ms = 0;
    h5run_phases p;
    int rc = h5run_phases_read(run, &p, err);
    if (rc == HS_OK && p.n > 0) {
        double lo = p.start_ms[0], hi = p.stop_ms[0];
        for (size_t i = 0; i < p.n; i++) {
            lo = p.start_ms[i] < lo ? p.start_ms[i] : lo;
            hi = p.stop_ms[i] > hi ? p.stop_ms[i] : hi;
        }
        *span_ms = hi > lo ? hi - lo : 0;
        fprintf(out, "phases:      %zu, %.3f - %.3f ms\n", p.n, lo, hi);
        for (size_t i = 0; i < p.n; i++)
            fprintf(out, "  %-16s %-12s %12.3f - %12.3f ms\n", p.name[i], p.stage[i],
                    p.start_ms[i], p.stop_ms[i]);
    } else if (rc == HS_OK) {
        fprintf(out, "phases:      none\n");
    }
    h5run_phases_free(&p);
    return rc;
}

/* ---- the members of a group ---- */

int info_members_print(const h5run *run, const char *group, const char *title,
                       info_member_fn fn, FILE *out, double span_ms, hs_error *err)
{
    int found;
    size_t n;
    int rc = h5run_members_count(run, group, &found, &n, err);
    if (rc != HS_OK)
        return rc;
    if (!found) {
        fprintf(out, "%-12s none\n", title);
        return HS_OK;
    }
    fprintf(out, "%-12s %llu\n", title, (unsigned long long)n);
    for (size_t i = 0; i < n && rc == HS_OK; i++) {
        char *name = NULL;
        rc = h5run_member_name(run, group, i, &name, err);
        if (rc == HS_OK)
            rc = fn(run, name, out, span_ms, err);
        free(name);
    }
    return rc;
}

/* ---- spikes and reports ---- */

static void rates_print(FILE *out, uint64_t count, uint64_t n_nodes, double span_ms)
{
    if (span_ms <= 0) {
        fprintf(out, ", rate n/a (no phases to give the span)\n");
        return;
    }
    double hz = (double)count / (span_ms * 1e-3);
    fprintf(out, ", %.3f Hz total", hz);
    if (n_nodes > 0)
        fprintf(out, ", %.3f Hz per neuron (%llu neurons)\n", hz / (double)n_nodes,
                (unsigned long long)n_nodes);
    else
        fprintf(out, " (population size not recorded)\n");
}

static int info_spike_pop(const h5run *run, const char *pop, FILE *out, double span_ms,
                          hs_error *err)
{
    h5run_spikes s;
    int rc = h5run_spikes_read(run, pop, &s, err);
    if (rc != HS_OK)
        return rc;
    fprintf(out, "  %-16s %llu spikes", pop, (unsigned long long)s.count);
    rates_print(out, s.count, s.n_nodes, span_ms);
    return HS_OK;
}

static int info_report(const h5run *run, const char *pop, FILE *out, double span_ms,
                       hs_error *err)
{
    (void)span_ms;
    h5run_report r;
    int rc = h5run_report_read(run, pop, &r, err);
    if (rc == HS_OK)
        fprintf(out,
                "  %-16s %s (%s), %llu times x %llu values, %.3f - %.3f ms every %g ms\n",
                pop, r.variable, r.units, (unsigned long long)r.n_times,
                (unsigned long long)r.n_values, r.start_ms, r.stop_ms, r.dt_ms);
    h5run_report_free(&r);
    return rc;
}

/* ---- the report ---- */

/* The parts in the order they are printed; the first error stops it. */
static int parts_print(const h5run *run, FILE *out, hs_error *err)
{
    int rc = info_meta(run, out, err);
    double span_ms = 0;
    if (rc == HS_OK)
        rc = info_phases(run, out, &span_ms, err);
    if (rc == HS_OK)
        rc = info_behavior_print(run, out, err);
    if (rc == HS_OK)
        rc = info_maze_print(run, out, err);
    if (rc == HS_OK)
        rc = info_members_print(run, "place_fields", "place fields:", info_fields_print, out,
                                span_ms, err);
    if (rc == HS_OK)
        rc = info_members_print(run, "spikes", "spikes:", info_spike_pop, out, span_ms, err);
    if (rc == HS_OK)
        rc = info_members_print(run, "report", "reports:", info_report, out, span_ms, err);
    if (rc == HS_OK)
        rc = info_members_print(run, "weights", "weights:", info_weights_print, out, span_ms,
                                err);
    if (rc == HS_OK)
        rc = info_up_states_print(run, out, err);
    if (rc == HS_OK)
        rc = info_replay_print(run, out, err);
    if (rc == HS_OK)
        rc = info_template_print(run, out, err);
    return rc;
}

static int info_in_child(void *ctx, FILE *out, hs_error *err)
{
    h5run *run = h5run_open(ctx, err);
    if (!run)
        return err->code;
    int rc = parts_print(run, out, err);
    hs_error close_err;
    hs_error_clear(&close_err);
    int rc_close = h5run_close(run, &close_err);
    if (rc == HS_OK && rc_close != HS_OK) {
        *err = close_err;
        rc = rc_close;
    }
    return rc;
}

int info_print(const char *path, FILE *out, hs_error *err)
{
    h5util_init();
    /* a file HDF5 crashes on must not take hebbsleep with it */
    return h5util_guard(info_in_child, (void *)path, out, path, err);
}
