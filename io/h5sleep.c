/* h5sleep.c: the slow oscillation's up states in the run file (layout in
 * h5out.h): appended per phase, read back for the summary of `hebbsleep
 * info` (app/info_replay.c prints it). */
#include "h5sleep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5run_file.h"
#include "h5util.h"

#define UP_CHUNK ((hsize_t)1024)

enum { COL_START, COL_STOP, COL_PHASE, COL_POP, N_COL };

static const struct {
    const char *name, *units, *definition;
    int is_str;
} COLS[N_COL] = {
    {"start_ms", "ms", "start of an up state of a slow oscillation (replay/drive.h)", 0},
    {"stop_ms", "ms", "its end: the next down state starts, or the phase ends", 0},
    {"phase", "", "the phase, a row of /phases/name", 1},
    {"population", "", "the population whose Poisson drive oscillates", 1},
};

/* ---- append ---- */

static int call_check(const char *path, const char *phase, const char *population,
                      const double *start_ms, const double *stop_ms, size_t n, hs_error *err)
{
    if (n > 0 && (!start_ms || !stop_ms))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0, "h5out: NULL up-state arrays");
    if (!phase || !phase[0] || !population || !population[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "up states: no phase or population "
                                                       "named");
    for (size_t k = 0; k < n; k++)
        if (!isfinite(start_ms[k]) || !isfinite(stop_ms[k]) || !(start_ms[k] <= stop_ms[k]))
            return hs_error_at(err, HS_EINPUT, path, 0, 0,
                               "up states of %s in %s: [%g, %g) ms (row %zu) is not finite "
                               "with start <= stop",
                               population, phase, start_ms[k], stop_ms[k], k);
    return HS_OK;
}

/* Opens the column datasets into ds, creating the group and them when
 * missing; *rows gets the rows written before. */
static herr_t columns_open(hid_t file, hid_t ds[N_COL], hsize_t *rows)
{
    hid_t top = h5util_open_or_create_group(file, "sleep");
    htri_t e = top < 0 ? -1 : H5Lexists(top, "up_states", H5P_DEFAULT);
    hid_t g = e < 0 ? -1
              : e   ? H5Gopen2(top, "up_states", H5P_DEFAULT)
                    : H5Gcreate2(top, "up_states", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = g < 0 ? -1 : 0;
    hid_t str = h5util_str_type();
    for (int c = 0; c < N_COL && rc >= 0; c++) {
        hid_t type = COLS[c].is_str ? str : H5T_IEEE_F64LE;
        ds[c] = e > 0 ? H5Dopen2(g, COLS[c].name, H5P_DEFAULT)
                      : h5util_create_ext(g, COLS[c].name, type, 1, 0, &(hsize_t){UP_CHUNK});
        rc = ds[c] < 0 ? -1 : 0;
        if (rc >= 0 && e == 0)
            rc = h5util_attr_write_str(ds[c], "units", COLS[c].units);
        if (rc >= 0 && e == 0)
            rc = h5util_attr_write_str(ds[c], "definition", COLS[c].definition);
    }
    hssize_t n = rc < 0 ? -1 : h5util_dataset_size(g, COLS[COL_START].name);
    *rows = n < 0 ? 0 : (hsize_t)n;
    if (str >= 0)
        H5Tclose(str);
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    if (top >= 0 && H5Gclose(top) < 0)
        rc = -1;
    return n < 0 ? -1 : rc;
}

static herr_t rows_append(hid_t ds[N_COL], hsize_t old, const char *phase,
                          const char *population, const double *start_ms,
                          const double *stop_ms, size_t n)
{
    const char **ph = malloc(n * sizeof *ph), **pop = malloc(n * sizeof *pop);
    hid_t str = h5util_str_type();
    herr_t rc = ph && pop && str >= 0 ? 0 : -1;
    for (size_t k = 0; rc >= 0 && k < n; k++) {
        ph[k] = phase;
        pop[k] = population;
    }
    const void *buf[N_COL] = {start_ms, stop_ms, ph, pop};
    for (int c = 0; c < N_COL && rc >= 0; c++)
        rc = h5util_append_rows(ds[c], COLS[c].is_str ? str : H5T_NATIVE_DOUBLE, 1, old, n,
                                0, buf[c]);
    if (str >= 0)
        H5Tclose(str);
    free(ph);
    free(pop);
    return rc;
}

int h5sleep_up_states_append(hid_t file, const char *path, const char *phase,
                             const char *population, const double *start_ms,
                             const double *stop_ms, size_t n, hs_error *err)
{
    int rc = call_check(path, phase, population, start_ms, stop_ms, n, err);
    if (rc != HS_OK || n == 0)
        return rc;
    hid_t ds[N_COL] = {-1, -1, -1, -1};
    hsize_t old = 0;
    herr_t hr = columns_open(file, ds, &old);
    if (hr >= 0)
        hr = rows_append(ds, old, phase, population, start_ms, stop_ms, n);
    if (hr < 0) {
        rc = h5util_fail_io(path, err, "/sleep/up_states", NULL);
        for (int c = 0; c < N_COL; c++)   /* no half-written rows for readers */
            if (ds[c] >= 0)
                H5Dset_extent(ds[c], &old);
    }
    for (int c = 0; c < N_COL; c++)
        if (ds[c] >= 0 && H5Dclose(ds[c]) < 0 && rc == HS_OK)
            rc = h5util_fail_io(path, err, "/sleep/up_states", NULL);
    return rc;
}

int h5sleep_up_states_truncate(hid_t file, const char *path, uint64_t keep, hs_error *err)
{
    hid_t g = H5Lexists(file, "sleep", H5P_DEFAULT) > 0 &&
                      H5Lexists(file, "sleep/up_states", H5P_DEFAULT) > 0
                  ? H5Gopen2(file, "sleep/up_states", H5P_DEFAULT)
                  : -1;
    if (g < 0)
        return keep ? hs_error_at(err, HS_EINPUT, path, 0, 0, "/sleep/up_states is missing")
                    : HS_OK;
    int rc = HS_OK;
    hsize_t dim = keep;
    for (int c = 0; c < N_COL && rc == HS_OK; c++) {
        hssize_t had = h5util_dataset_size(g, COLS[c].name);
        hid_t ds = had >= (hssize_t)keep ? H5Dopen2(g, COLS[c].name, H5P_DEFAULT) : -1;
        if (ds < 0 || H5Dset_extent(ds, &dim) < 0)
            rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "/sleep/up_states/%s lacks the %llu "
                             "rows the checkpoint counts", COLS[c].name,
                             (unsigned long long)keep);
        if (ds >= 0)
            H5Dclose(ds);
    }
    H5Gclose(g);
    return rc;
}

/* ---- read ---- */

void h5sleep_up_read_free(h5sleep_up_read *u)
{
    if (!u)
        return;
    free(u->start_ms);
    free(u->stop_ms);
    h5util_free_strs(u->phase, u->n);
    h5util_free_strs(u->population, u->n);
    *u = (h5sleep_up_read){0};
}

int h5sleep_up_states_read(const h5run *run, h5sleep_up_read *u, hs_error *err)
{
    *u = (h5sleep_up_read){0};
    const char *path = run->path;
    hid_t file = run->file;
    if (H5Lexists(file, "sleep", H5P_DEFAULT) <= 0 ||
        H5Lexists(file, "sleep/up_states", H5P_DEFAULT) <= 0)
        return HS_OK;
    size_t n[N_COL] = {0};
    void *a = NULL, *b = NULL;
    int rc = h5util_read_1d(path, file, "/sleep/up_states/start_ms", H5T_NATIVE_DOUBLE, 0, &a,
                            &n[COL_START], err);
    u->start_ms = a;
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, "/sleep/up_states/stop_ms", H5T_NATIVE_DOUBLE, 0, &b,
                            &n[COL_STOP], err);
    u->stop_ms = b;
    if (rc == HS_OK)
        rc = h5util_read_strs(path, file, "/sleep/up_states/phase", &u->phase, &n[COL_PHASE],
                              err);
    if (rc == HS_OK)
        rc = h5util_read_strs(path, file, "/sleep/up_states/population", &u->population,
                              &n[COL_POP], err);
    u->n = n[COL_START];
    if (rc == HS_OK && (n[COL_STOP] != u->n || n[COL_PHASE] != u->n || n[COL_POP] != u->n))
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                         "/sleep/up_states: columns differ in length (%zu, %zu, %zu, %zu)",
                         n[COL_START], n[COL_STOP], n[COL_PHASE], n[COL_POP]);
    if (rc != HS_OK) {
        /* free what was read, each string array with its own length */
        h5util_free_strs(u->phase, n[COL_PHASE]);
        h5util_free_strs(u->population, n[COL_POP]);
        u->phase = u->population = NULL;
        u->n = 0;
        h5sleep_up_read_free(u);
    }
    return rc;
}
