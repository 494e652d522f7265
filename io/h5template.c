/* h5template.c: REM template matching in the run file (layout in h5out.h):
 * the writer behind h5out_template_write and the reader of what the
 * summary of `hebbsleep info` gives of it (app/info_replay.c prints it). */
#include "h5template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5run_file.h"
#include "h5util.h"

/* The per-phase columns and the per-phase, per-factor tables, with their
 * units and meaning. */
enum { COL_BEST, COL_P_BEST, N_COL };
enum { TAB_FACTOR, TAB_R_MAX, TAB_Z, TAB_P, TAB_T_BEST, N_TAB };

typedef struct named {
    const char *name, *units, *definition;
} named;

static const named PHASE_COL = {"phase", "", "the phase scanned, a row of /phases/name"};

static const named COLS[N_COL] = {
    {"best_factor", "", "the time-scale factor of highest z: sleep plays the template "
                        "this many times faster than running; NaN: none scored (no window fits "
                        "the phase, or none holds spikes)"},
    {"p_best", "", "p of the best factor, Bonferroni-corrected over the factors: "
                   "min(1, n_factors p)"},
};

static const named TABS[N_TAB] = {
    {"factor", "", "the time-scale factors scanned, per phase (row) and factor (column)"},
    {"r_max", "", "Pearson correlation of the best window's counts with the template; "
                  "NaN: no window fits or holds spikes"},
    {"z", "", "(r_max - mean) / SD of the cell-identity shuffles' r_max"},
    {"p", "", "(1 + shuffles with r_max >= r_max) / (1 + n_shuffle)"},
    {"t_best_ms", "ms", "start of the best window"},
};

/* ---- writer ---- */

static int call_check(hid_t file, const char *path, const h5out_template *t, hs_error *err)
{
    if (!t || (t->n > 0 && (!t->phase || !t->best_factor || !t->p_best || !t->factor ||
                            !t->r_max || !t->z || !t->p || !t->t_best_ms)))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0, "h5out: NULL template arrays");
    if (!t->population || !t->population[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "replay template: no population named");
    if (t->n > 0 && (t->n_factors < 1 || t->n_factors > 33))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "replay template: %zu factors, want 1 to 33", t->n_factors);
    for (size_t k = 0; k < t->n; k++)
        if (!(t->p_best[k] >= 0 && t->p_best[k] <= 1))
            return hs_error_at(err, HS_EINPUT, path, 0, 0,
                               "replay template: p_best[%zu] = %g is not in [0, 1]", k,
                               t->p_best[k]);
    htri_t e = H5Lexists(file, "replay", H5P_DEFAULT);
    if (e > 0)
        e = H5Lexists(file, "replay/template", H5P_DEFAULT);
    if (e < 0)
        return h5util_fail_io(path, err, "/replay", NULL);
    if (e > 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/replay/template written twice (it goes in one call)");
    return HS_OK;
}

static herr_t attrs_write(hid_t g, const h5out_template *t)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    const hid_t u64 = H5T_STD_U64LE, nu64 = H5T_NATIVE_UINT64;
    uint64_t n_factors = t->n_factors;
    if (h5util_attr_write_str(g, "population", t->population) < 0 ||
        h5util_attr_write(g, "bin_ms", f64, dbl, &t->bin_ms) < 0 ||
        h5util_attr_write(g, "n_shuffle", u64, nu64, &t->n_shuffle) < 0 ||
        h5util_attr_write(g, "n_factors", u64, nu64, &n_factors) < 0 ||
        h5util_attr_write(g, "n_cells", u64, nu64, &t->n_cells) < 0 ||
        h5util_attr_write(g, "n_bins", u64, nu64, &t->n_bins) < 0 ||
        h5util_attr_write(g, "n_laps", u64, nu64, &t->n_laps) < 0 ||
        h5util_attr_write(g, "lap_ms", f64, dbl, &t->lap_ms) < 0 ||
        h5util_attr_write_str(g, "note", t->note ? t->note : "") < 0)
        return -1;
    return 0;
}

static herr_t describe(hid_t ds, const named *d)
{
    herr_t rc = h5util_attr_write_str(ds, "units", d->units);
    if (rc >= 0)
        rc = h5util_attr_write_str(ds, "definition", d->definition);
    return rc;
}

/* A contiguous float64 [n, n_factors] table. */
static herr_t table_write(hid_t g, const named *d, size_t n, size_t n_factors,
                          const double *v)
{
    hsize_t dims[2] = {n, n_factors};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = sp < 0 ? -1
                      : H5Dcreate2(g, d->name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : 0;
    if (rc >= 0 && n > 0)
        rc = H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (rc >= 0)
        rc = describe(ds, d);
    if (ds >= 0 && H5Dclose(ds) < 0)
        rc = -1;
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

static herr_t data_write(hid_t g, const h5out_template *t)
{
    herr_t rc = h5util_write_strs(g, PHASE_COL.name, t->phase, t->n);
    hid_t ds = rc < 0 ? -1 : H5Dopen2(g, PHASE_COL.name, H5P_DEFAULT);
    rc = ds < 0 ? -1 : describe(ds, &PHASE_COL);
    if (ds >= 0 && H5Dclose(ds) < 0)
        rc = -1;
    const double *col[N_COL] = {t->best_factor, t->p_best};
    for (int c = 0; c < N_COL && rc >= 0; c++)
        rc = h5util_write_column(g, COLS[c].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t->n,
                                 col[c], COLS[c].units, COLS[c].definition);
    const double *tab[N_TAB] = {t->factor, t->r_max, t->z, t->p, t->t_best_ms};
    size_t nf = t->n ? t->n_factors : 0;
    for (int c = 0; c < N_TAB && rc >= 0; c++)
        rc = table_write(g, &TABS[c], t->n, nf, tab[c]);
    return rc;
}

int h5template_write(hid_t file, const char *path, const h5out_template *t, hs_error *err)
{
    int rc = call_check(file, path, t, err);
    if (rc != HS_OK)
        return rc;
    hid_t top = h5util_open_or_create_group(file, "replay");
    hid_t g = top < 0 ? -1
                      : H5Gcreate2(top, "template", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t hr = g < 0 ? -1 : attrs_write(g, t);
    if (hr >= 0)
        hr = data_write(g, t);
    if (g >= 0 && H5Gclose(g) < 0)
        hr = -1;
    if (top >= 0 && H5Gclose(top) < 0)
        hr = -1;
    if (hr < 0) {
        rc = h5util_fail_io(path, err, "/replay/template", NULL);
        h5util_remove_in(file, "replay", "template");
    }
    return rc;
}

/* ---- the summary (app/info_replay.c) ---- */

void h5template_table_free(h5template_table *t)
{
    if (!t)
        return;
    h5util_free_strs(t->phase, t->n);
    free(t->population);
    free(t->note);
    free(t->best_factor);
    free(t->p_best);
    *t = (h5template_table){0};
}

static int attrs_read(const char *path, hid_t file, h5template_table *t, hs_error *err)
{
    static const char *const nums[] = {"n_shuffle", "n_factors", "n_cells", "n_laps"};
    uint64_t *dst[] = {&t->n_shuffle, &t->n_factors, &t->n_cells, &t->n_laps};
    const char *g_name = "/replay/template";
    hid_t g = H5Gopen2(file, "replay/template", H5P_DEFAULT);
    if (g < 0)
        return h5util_fail_input(path, err, "cannot open group ", g_name);
    int rc = h5util_attr_get_str(path, g, g_name, "population", &t->population, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_str(path, g, g_name, "note", &t->note, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, g_name, "bin_ms", H5T_NATIVE_DOUBLE, &t->bin_ms, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, g_name, "lap_ms", H5T_NATIVE_DOUBLE, &t->lap_ms, err);
    for (size_t i = 0; i < 4 && rc == HS_OK; i++)
        rc = h5util_attr_get_num(path, g, g_name, nums[i], H5T_NATIVE_UINT64, dst[i], err);
    H5Gclose(g);
    return rc;
}

static int template_load(const char *path, hid_t file, h5template_table *t, hs_error *err)
{
    int rc = attrs_read(path, file, t, err);
    if (rc == HS_OK)
        rc = h5util_read_strs(path, file, "/replay/template/phase", &t->phase, &t->n, err);
    size_t nb = 0, np = 0;
    void *b = NULL, *p = NULL;
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, "/replay/template/best_factor", H5T_NATIVE_DOUBLE, 0,
                            &b, &nb, err);
    t->best_factor = b;
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, "/replay/template/p_best", H5T_NATIVE_DOUBLE, 0, &p,
                            &np, err);
    t->p_best = p;
    if (rc == HS_OK && (nb != t->n || np != t->n))
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                         "/replay/template: phase has %zu rows, best_factor %zu, p_best %zu",
                         t->n, nb, np);
    return rc;
}

int h5template_table_read(const h5run *run, h5template_table *t, hs_error *err)
{
    *t = (h5template_table){0};
    hid_t file = run->file;
    if (H5Lexists(file, "replay", H5P_DEFAULT) <= 0 ||
        H5Lexists(file, "replay/template", H5P_DEFAULT) <= 0)
        return HS_OK;
    int rc = template_load(run->path, file, t, err);
    if (rc != HS_OK)
        h5template_table_free(t);
    else
        t->found = 1;
    return rc;
}
