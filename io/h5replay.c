/* h5replay.c: the replay events in the run file (layout in h5out.h): the
 * writer behind h5out_replay_write and the reader of what the summary of
 * `hebbsleep info` gives of them (app/info_replay.c prints it). */
#include "h5replay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5run_file.h"
#include "h5sleep.h"
#include "h5util.h"

/* The columns, in the order written, with their units and meaning. */
enum {
    COL_START, COL_STOP, COL_PHASE, COL_CELLS, COL_RHO, COL_P, COL_SCORE, COL_DIR, COL_SLOPE,
    COL_COMPRESSION, COL_SIG, COL_P_SHIFT, COL_P_PERM, COL_PEAK, COL_UP, N_COL
};

static const struct {
    const char *name, *units, *definition;
} COLS[N_COL] = {
    {"start_ms", "ms", "start of the event: the population rate rises above its mean"},
    {"stop_ms", "ms", "end of the event: the population rate is back at its mean"},
    {"phase", "", "the phase the event lies in, a row of /phases/name"},
    {"n_cells", "", "active place cells"},
    {"rank_corr", "", "Spearman rho of the first-spike order against the place-field "
                      "order (Lee & Wilson 2002); NaN: too few cells"},
    {"p_value", "", "rank-order Monte-Carlo p, Bonferroni over running directions"},
    {"score", "", "mean posterior mass within 3 bins of the best line (Davidson et al. 2009)"},
    {"direction", "", "+1 forward, -1 reverse, 0 none (rank order)"},
    {"slope_cm_per_s", "cm/s", "replay speed of the best line"},
    {"compression", "", "|slope_cm_per_s| / mean running speed; NaN: the rat never ran"},
    {"significant", "", "1: the score beats the 95th percentile of both shuffle kinds"},
    {"p_shift", "", "decoding p against circular place-field shifts"},
    {"p_perm", "", "decoding p against time-bin permutations"},
    {"peak_ms", "ms", "the event's peak: centre of the rate bin of highest smoothed rate"},
    {"in_up_state", "", "1: the peak lies in an up state of the phase's slow oscillation "
                        "(/sleep/up_states), 0: in a down state, -1: no slow oscillation"},
};

/* ---- writer ---- */

static int arrays_null(const h5out_replay *r)
{
    if (r->n == 0)
        return 0;
    return !r->start_ms || !r->stop_ms || !r->phase || !r->n_cells || !r->rank_corr ||
           !r->p_value || !r->score || !r->direction || !r->slope_cm_per_s ||
           !r->compression || !r->significant || !r->p_shift || !r->p_perm || !r->peak_ms ||
           !r->in_up_state;
}

/* What is wrong with row k, into buf; NULL when nothing is. */
static const char *row_problem(const h5out_replay *r, size_t k, char *buf, size_t size)
{
    double a = r->start_ms[k], b = r->stop_ms[k];
    if (!isfinite(a) || !isfinite(b) || !(a <= b))
        snprintf(buf, size, "start_ms[%zu] = %g and stop_ms[%zu] = %g are not finite with "
                 "start <= stop", k, a, k, b);
    else if (r->direction[k] < -1 || r->direction[k] > 1)
        snprintf(buf, size, "direction[%zu] = %d is not +1, -1 or 0", k, r->direction[k]);
    else if (r->significant[k] > 1)
        snprintf(buf, size, "significant[%zu] = %u is not 0 or 1", k, r->significant[k]);
    else if (!isfinite(r->peak_ms[k]))
        snprintf(buf, size, "peak_ms[%zu] = %g is not finite", k, r->peak_ms[k]);
    else if (r->in_up_state[k] < -1 || r->in_up_state[k] > 1)
        snprintf(buf, size, "in_up_state[%zu] = %d is not +1, 0 or -1", k, r->in_up_state[k]);
    else
        return NULL;
    return buf;
}

static int call_check(hid_t file, const char *path, const h5out_replay *r, hs_error *err)
{
    if (!r || arrays_null(r))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0, "h5out: NULL replay arrays");
    if (!r->population || !r->population[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "replay events: no population named");
    htri_t e = H5Lexists(file, "replay", H5P_DEFAULT);
    if (e > 0)
        e = H5Lexists(file, "replay/events", H5P_DEFAULT);
    if (e < 0)
        return h5util_fail_io(path, err, "/replay", NULL);
    if (e > 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/replay/events written twice (it goes in one call)");
    char why[256];
    for (size_t k = 0; k < r->n; k++)
        if (row_problem(r, k, why, sizeof why))
            return hs_error_at(err, HS_EINPUT, path, 0, 0, "replay events: %s", why);
    return HS_OK;
}

static herr_t attrs_write(hid_t g, const h5out_replay *r)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    const hid_t u64 = H5T_STD_U64LE, nu64 = H5T_NATIVE_UINT64;
    if (h5util_attr_write_str(g, "population", r->population) < 0 ||
        h5util_attr_write(g, "alpha", f64, dbl, &r->alpha) < 0 ||
        h5util_attr_write(g, "n_perm", u64, nu64, &r->n_perm) < 0 ||
        h5util_attr_write(g, "n_shuffle", u64, nu64, &r->n_shuffle) < 0 ||
        h5util_attr_write(g, "bin_cm", f64, dbl, &r->bin_cm) < 0 ||
        h5util_attr_write(g, "tbin_ms", f64, dbl, &r->tbin_ms) < 0)
        return -1;
    return 0;
}

static herr_t column(hid_t g, int c, hid_t file_type, hid_t mem_type, size_t n, const void *v)
{
    return h5util_write_column(g, COLS[c].name, file_type, mem_type, n, v, COLS[c].units,
                               COLS[c].definition);
}

/* The phase names, with units and definition as the numeric columns. */
static herr_t phase_column(hid_t g, const h5out_replay *r)
{
    if (h5util_write_strs(g, COLS[COL_PHASE].name, r->phase, r->n) < 0)
        return -1;
    hid_t ds = H5Dopen2(g, COLS[COL_PHASE].name, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : h5util_attr_write_str(ds, "units", COLS[COL_PHASE].units);
    if (rc >= 0)
        rc = h5util_attr_write_str(ds, "definition", COLS[COL_PHASE].definition);
    if (ds >= 0 && H5Dclose(ds) < 0)
        rc = -1;
    return rc;
}

static herr_t columns_write(hid_t g, const h5out_replay *r)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    size_t n = r->n;
    const double *d[N_COL] = {[COL_START] = r->start_ms, [COL_STOP] = r->stop_ms,
                              [COL_RHO] = r->rank_corr,  [COL_P] = r->p_value,
                              [COL_SCORE] = r->score,    [COL_SLOPE] = r->slope_cm_per_s,
                              [COL_COMPRESSION] = r->compression,
                              [COL_P_SHIFT] = r->p_shift, [COL_P_PERM] = r->p_perm,
                              [COL_PEAK] = r->peak_ms};
    herr_t rc = 0;
    for (int c = 0; c < N_COL && rc >= 0; c++) {
        if (c == COL_PHASE)
            rc = phase_column(g, r);
        else if (c == COL_CELLS)
            rc = column(g, c, H5T_STD_U32LE, H5T_NATIVE_UINT32, n, r->n_cells);
        else if (c == COL_DIR)
            rc = column(g, c, H5T_STD_I8LE, H5T_NATIVE_INT8, n, r->direction);
        else if (c == COL_UP)
            rc = column(g, c, H5T_STD_I8LE, H5T_NATIVE_INT8, n, r->in_up_state);
        else if (c == COL_SIG)
            rc = column(g, c, H5T_STD_U8LE, H5T_NATIVE_UINT8, n, r->significant);
        else
            rc = column(g, c, f64, dbl, n, d[c]);
    }
    return rc;
}

int h5replay_write(hid_t file, const char *path, const h5out_replay *r, hs_error *err)
{
    int rc = call_check(file, path, r, err);
    if (rc != HS_OK)
        return rc;
    hid_t top = h5util_open_or_create_group(file, "replay");
    hid_t g = top < 0 ? -1 : H5Gcreate2(top, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t hr = g < 0 ? -1 : attrs_write(g, r);
    if (hr >= 0)
        hr = columns_write(g, r);
    if (g >= 0 && H5Gclose(g) < 0)
        hr = -1;
    if (top >= 0 && H5Gclose(top) < 0)
        hr = -1;
    if (hr < 0) {
        rc = h5util_fail_io(path, err, "/replay/events", NULL);
        h5util_remove_in(file, "replay", "events");
    }
    return rc;
}

/* ---- the summary (app/info_replay.c) ---- */

void h5replay_events_free(h5replay_events *e)
{
    if (!e)
        return;
    free(e->population);
    free(e->phase);
    free(e->p_value);
    free(e->compression);
    free(e->direction);
    free(e->significant);
    free(e->in_up_state);
    h5util_free_strs(e->phases, e->n_phases);
    free(e->phase_start_ms);
    free(e->phase_stop_ms);
    h5sleep_up_read_free(&e->up);
    free(e->up_phase);
    *e = (h5replay_events){0};
}

static int numeric_read(const char *path, hid_t file, int c, hid_t mem, int strict,
                        size_t want, void **out, hs_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "/replay/events/%s", COLS[c].name);
    size_t n = 0;
    int rc = h5util_read_1d(path, file, name, mem, strict, out, &n, err);
    if (rc == HS_OK && n != want)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s has %zu rows, /replay/events/phase %zu",
                         name, n, want);
    return rc;
}

/* Each event's phase (names: the n events' /replay/events/phase) as a row
 * of /phases/name. */
static int phases_match(const char *path, h5replay_events *e, char *const *names,
                        hs_error *err)
{
    e->phase = malloc((e->n ? e->n : 1) * sizeof *e->phase);
    if (!e->phase)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t k = 0; k < e->n; k++) {
        size_t j = 0;
        while (j < e->n_phases && strcmp(names[k], e->phases[j]) != 0)
            j++;
        if (j == e->n_phases)
            return hs_error_at(err, HS_EINPUT, path, 0, 0,
                               "/replay/events/phase[%zu] = '%s' is not a phase of /phases", k,
                               names[k]);
        e->phase[k] = (uint32_t)j;
    }
    return HS_OK;
}

/* The row of /phases/stop_ms or start_ms, n_phases long, into *out. */
static int span_read(const char *path, hid_t file, const char *name, size_t want,
                     double **out, hs_error *err)
{
    void *v = NULL;
    size_t n = 0;
    int rc = h5util_read_1d(path, file, name, H5T_NATIVE_DOUBLE, 0, &v, &n, err);
    *out = v;
    if (rc == HS_OK && n != want)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s has %zu rows, /phases/name %zu", name,
                         n, want);
    return rc;
}

/* The events' in_up_state (when the file has the column), the phases'
 * spans and the up states. */
static int up_states_load(const h5run *run, h5replay_events *e, hs_error *err)
{
    const char *path = run->path;
    hid_t file = run->file;
    int rc = HS_OK;
    if (H5Lexists(file, "replay/events/in_up_state", H5P_DEFAULT) > 0) {
        void *v = NULL;
        rc = numeric_read(path, file, COL_UP, H5T_NATIVE_INT8, 1, e->n, &v, err);
        e->in_up_state = v;
    }
    if (rc == HS_OK)
        rc = span_read(path, file, "/phases/start_ms", e->n_phases, &e->phase_start_ms, err);
    if (rc == HS_OK)
        rc = span_read(path, file, "/phases/stop_ms", e->n_phases, &e->phase_stop_ms, err);
    if (rc == HS_OK)
        rc = h5sleep_up_states_read(run, &e->up, err);
    if (rc == HS_OK && !(e->up_phase = malloc((e->up.n ? e->up.n : 1) * sizeof *e->up_phase)))
        rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t k = 0; rc == HS_OK && k < e->up.n; k++) {
        size_t j = 0;
        while (j < e->n_phases && strcmp(e->up.phase[k], e->phases[j]) != 0)
            j++;
        e->up_phase[k] = j < e->n_phases ? (uint32_t)j : UINT32_MAX;
    }
    return rc;
}

/* The group's attributes, the columns and the phases; names gets the
 * events' phase names (the caller frees them, n of them). */
static int events_load(const h5run *run, h5replay_events *e, char ***names, hs_error *err)
{
    const char *path = run->path;
    hid_t file = run->file;
    hid_t g = H5Gopen2(file, "replay/events", H5P_DEFAULT);
    if (g < 0)
        return h5util_fail_input(path, err, "cannot open group /replay/events", NULL);
    int rc = h5util_attr_get_str(path, g, "/replay/events", "population", &e->population,
                                 err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/replay/events", "alpha", H5T_NATIVE_DOUBLE,
                                 &e->alpha, err);
    H5Gclose(g);
    if (rc == HS_OK)
        rc = h5util_read_strs(path, file, "/replay/events/phase", names, &e->n, err);
    void *v[4] = {NULL, NULL, NULL, NULL};
    if (rc == HS_OK)
        rc = numeric_read(path, file, COL_P, H5T_NATIVE_DOUBLE, 0, e->n, &v[0], err);
    if (rc == HS_OK)
        rc = numeric_read(path, file, COL_COMPRESSION, H5T_NATIVE_DOUBLE, 0, e->n, &v[1], err);
    if (rc == HS_OK)
        rc = numeric_read(path, file, COL_DIR, H5T_NATIVE_INT8, 1, e->n, &v[2], err);
    if (rc == HS_OK)
        rc = numeric_read(path, file, COL_SIG, H5T_NATIVE_UINT8, 1, e->n, &v[3], err);
    e->p_value = v[0];
    e->compression = v[1];
    e->direction = v[2];
    e->significant = v[3];
    if (rc == HS_OK)
        rc = h5util_read_strs(path, file, "/phases/name", &e->phases, &e->n_phases, err);
    if (rc == HS_OK)
        rc = phases_match(path, e, *names, err);
    return rc == HS_OK ? up_states_load(run, e, err) : rc;
}

int h5replay_events_read(const h5run *run, h5replay_events *e, hs_error *err)
{
    *e = (h5replay_events){0};
    hid_t file = run->file;
    if (H5Lexists(file, "replay", H5P_DEFAULT) <= 0 ||
        H5Lexists(file, "replay/events", H5P_DEFAULT) <= 0)
        return HS_OK;
    char **names = NULL;
    int rc = events_load(run, e, &names, err);
    h5util_free_strs(names, e->n);
    if (rc != HS_OK)
        h5replay_events_free(e);
    else
        e->found = 1;
    return rc;
}
