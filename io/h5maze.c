/* h5maze.c: the maze's geometry in the run file (layout in h5out.h): the
 * segment and drawn position of each /behavior sample and the segment
 * table /behavior/segments; the writer behind
 * h5out_behavior_geometry_write, the reader h5in_behavior_geometry_read
 * and the segment table for the summary of `hebbsleep info`.
 *
 * The writer and the reader check the same promises of the format (one
 * function each for a sample and a row of the table), so that what one
 * writes the other reads, and a damaged file is refused with the same
 * words as a bad call.
 */
#include "h5maze.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5run_file.h"
#include "h5util.h"

/* The per-sample columns as the writer's arguments and as datasets. */
static const char *const GEO_ARG[3] = {"segment", "x_cm", "y_cm"};
static const char *const GEO_DS[3] = {"/behavior/segment", "/behavior/x", "/behavior/y"};

/* The numeric columns of the segment table: as the writer's fields, and as
 * datasets of /behavior/segments (after its string column name). */
#define SEG_COLS 6
static const char *const SEG_ARG[SEG_COLS] = {"x0_cm",    "y0_cm",     "x1_cm",
                                              "y1_cm",    "offset_cm", "length_cm"};
static const char *const SEG_DS[SEG_COLS] = {"x0", "y0", "x1", "y1", "offset_cm",
                                             "length_cm"};

/* What the geometry adds under /behavior; none is there before it is written. */
static const char *const GEO_LINKS[4] = {"segment", "x", "y", "segments"};

/* ---- what the format promises ---- */

/* What is wrong with sample i (segment seg, drawn at x, y), written into buf
 * (names: the three columns as the message calls them); NULL when nothing
 * is. A segment is a row of the table; x and y are finite. */
static const char *sample_problem(const char *const *names, size_t i, double seg, double x,
                                  double y, size_t n_segments, char *buf, size_t size)
{
    if (!(seg >= 0 && seg < (double)n_segments && seg == floor(seg)))
        snprintf(buf, size, "%s[%zu] = %g is not a segment (the table has %zu rows)",
                 names[0], i, seg, n_segments);
    else if (!isfinite(x))
        snprintf(buf, size, "%s[%zu] = %g is not finite", names[1], i, x);
    else if (!isfinite(y))
        snprintf(buf, size, "%s[%zu] = %g is not finite", names[2], i, y);
    else
        return NULL;
    return buf;
}

static const char *samples_problem(const char *const *names, const uint8_t *seg,
                                   const double *x, const double *y, size_t n,
                                   size_t n_segments, char *buf, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        const char *bad =
            sample_problem(names, i, (double)seg[i], x[i], y[i], n_segments, buf, size);
        if (bad)
            return bad;
    }
    return NULL;
}

/* What is wrong with row k of the table's numeric columns col (names as the
 * message calls them, after prefix); NULL when nothing is. Every value is
 * finite and the length > 0. */
static const char *row_problem(const char *prefix, const char *const *names,
                               const double *const *col, size_t k, char *buf, size_t size)
{
    for (int j = 0; j < SEG_COLS; j++)
        if (!isfinite(col[j][k])) {
            snprintf(buf, size, "%s%s[%zu] = %g is not finite", prefix, names[j], k,
                     col[j][k]);
            return buf;
        }
    if (!(col[SEG_COLS - 1][k] > 0)) {
        snprintf(buf, size, "%s%s[%zu] = %g is not > 0", prefix, names[SEG_COLS - 1], k,
                 col[SEG_COLS - 1][k]);
        return buf;
    }
    return NULL;
}

static const char *table_problem(const char *prefix, const char *const *names,
                                 const double *const *col, size_t n, char *buf, size_t size)
{
    for (size_t k = 0; k < n; k++) {
        const char *bad = row_problem(prefix, names, col, k, buf, size);
        if (bad)
            return bad;
    }
    return NULL;
}

/* ---- writer ---- */

static void segs_columns(const h5out_segments *s, const double *col[SEG_COLS])
{
    col[0] = s->x0_cm;
    col[1] = s->y0_cm;
    col[2] = s->x1_cm;
    col[3] = s->y1_cm;
    col[4] = s->offset_cm;
    col[5] = s->length_cm;
}

static int segs_null(const h5out_segments *s, const double *const *col)
{
    if (s->n == 0)
        return 0;
    for (int j = 0; j < SEG_COLS; j++)
        if (!col[j])
            return 1;
    return !s->name;
}

/* 1 when any part of the geometry is under /behavior, 0 when none, < 0 on
 * an HDF5 failure. */
static htri_t geometry_exists(hid_t beh)
{
    for (int k = 0; k < 4; k++) {
        htri_t e = H5Lexists(beh, GEO_LINKS[k], H5P_DEFAULT);
        if (e != 0)
            return e;
    }
    return 0;
}

/* Checks the call against the file: /behavior there with n samples, no
 * geometry yet. */
static int check_file(hid_t file, const char *path, size_t n, hs_error *err)
{
    htri_t beh = H5Lexists(file, "behavior", H5P_DEFAULT);
    if (beh < 0)
        return h5util_fail_io(path, err, "/behavior", NULL);
    if (!beh)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "no /behavior for the maze geometry (write it first)");
    hssize_t n_time = h5util_dataset_size(file, "/behavior/time");
    if (n_time < 0 || (size_t)n_time != n)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "maze geometry of %zu samples for /behavior of %lld", n,
                           (long long)n_time);
    hid_t g = H5Gopen2(file, "behavior", H5P_DEFAULT);
    htri_t exists = g < 0 ? -1 : geometry_exists(g);
    if (g >= 0)
        H5Gclose(g);
    if (exists < 0)
        return h5util_fail_io(path, err, "/behavior", NULL);
    if (exists)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "maze geometry written twice (it goes in one call)");
    return HS_OK;
}

static herr_t table_write(hid_t beh, const h5out_segments *s, const double *const *col)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    hid_t g = H5Gcreate2(beh, "segments", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = g < 0 ? -1 : h5util_write_strs(g, "name", s->name, s->n);
    for (int j = 0; j < SEG_COLS && rc >= 0; j++)
        rc = h5util_write_column(g, SEG_DS[j], f64, dbl, s->n, col[j], "cm", NULL);
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    return rc;
}

/* The columns are contiguous: written once at their full size. */
static herr_t geometry_create(hid_t beh, const uint8_t *seg, const double *x, const double *y,
                              size_t n, const h5out_segments *s, const double *const *col)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    if (h5util_write_column(beh, "segment", H5T_STD_U8LE, H5T_NATIVE_UINT8, n, seg, "",
                            NULL) < 0 ||
        h5util_write_column(beh, "x", f64, dbl, n, x, "cm", NULL) < 0 ||
        h5util_write_column(beh, "y", f64, dbl, n, y, "cm", NULL) < 0)
        return -1;
    return table_write(beh, s, col);
}

/* Removes what a failed geometry_create left, if HDF5 still can: no half
 * geometry for readers. */
static void geometry_remove(hid_t beh)
{
    for (int k = 0; k < 4; k++)
        if (H5Lexists(beh, GEO_LINKS[k], H5P_DEFAULT) > 0)
            H5Ldelete(beh, GEO_LINKS[k], H5P_DEFAULT);
}

int h5maze_write(hid_t file, const char *path, const uint8_t *segment, const double *x_cm,
                 const double *y_cm, size_t n, const h5out_segments *segs, hs_error *err)
{
    const double *col[SEG_COLS];
    if (segs)
        segs_columns(segs, col);
    if (!segs || segs_null(segs, col) || (n > 0 && (!segment || !x_cm || !y_cm)))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0, "h5out: NULL maze geometry arrays");
    int rc = check_file(file, path, n, err);
    if (rc != HS_OK)
        return rc;
    char why[256];
    const char *bad = table_problem("segments: ", SEG_ARG, col, segs->n, why, sizeof why);
    if (!bad)
        bad = samples_problem(GEO_ARG, segment, x_cm, y_cm, n, segs->n, why, sizeof why);
    if (bad)
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "maze geometry: %s", bad);
    hid_t beh = H5Gopen2(file, "behavior", H5P_DEFAULT);
    if (beh < 0 || geometry_create(beh, segment, x_cm, y_cm, n, segs, col) < 0) {
        rc = h5util_fail_io(path, err, "/behavior maze geometry", NULL);
        if (beh >= 0)
            geometry_remove(beh);
    }
    if (beh >= 0 && H5Gclose(beh) < 0 && rc == HS_OK)
        rc = h5util_fail_io(path, err, "/behavior maze geometry", NULL);
    return rc;
}

/* ---- reader ---- */

void h5in_geometry_free(h5in_geometry *g)
{
    if (!g)
        return;
    free(g->segment);
    free(g->x_cm);
    free(g->y_cm);
    h5util_free_strs(g->name, g->n_segments);
    free(g->x0_cm);
    free(g->y0_cm);
    free(g->x1_cm);
    free(g->y1_cm);
    free(g->offset_cm);
    free(g->length_cm);
    *g = (h5in_geometry){0};
}

/* Reads /behavior/segments into g (names, then the numeric columns), checking
 * equal lengths and the rows. */
static int table_read(const char *path, hid_t file, h5in_geometry *g, hs_error *err)
{
    double **dst[SEG_COLS] = {&g->x0_cm, &g->y0_cm,     &g->x1_cm,
                              &g->y1_cm, &g->offset_cm, &g->length_cm};
    int rc = h5util_read_strs(path, file, "/behavior/segments/name", &g->name,
                              &g->n_segments, err);
    char name[64];
    for (int j = 0; j < SEG_COLS && rc == HS_OK; j++) {
        snprintf(name, sizeof name, "/behavior/segments/%s", SEG_DS[j]);
        void *buf = NULL;
        size_t n = 0;
        rc = h5util_read_1d(path, file, name, H5T_NATIVE_DOUBLE, 0, &buf, &n, err);
        *dst[j] = buf;
        if (rc == HS_OK && n != g->n_segments)
            rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                             "/behavior/segments: name has %zu rows, %s %zu", g->n_segments,
                             SEG_DS[j], n);
    }
    const double *col[SEG_COLS];
    for (int j = 0; j < SEG_COLS; j++)
        col[j] = *dst[j];
    char why[256];
    if (rc == HS_OK &&
        table_problem("/behavior/segments/", SEG_DS, col, g->n_segments, why, sizeof why))
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", why);
    return rc;
}

/* Checks that the per-sample datasets have /behavior/time's length. */
static int samples_sized(const char *path, hid_t file, const size_t *n, hs_error *err)
{
    hssize_t n_time = h5util_dataset_size(file, "/behavior/time");
    for (int k = 0; k < 3; k++)
        if (n_time < 0 || n[k] != (size_t)n_time)
            return hs_error_at(err, HS_EINPUT, path, 0, 0,
                               "%s has %zu samples, /behavior/time %lld", GEO_DS[k], n[k],
                               (long long)n_time);
    return HS_OK;
}

static int samples_read(const char *path, hid_t file, h5in_geometry *g, hs_error *err)
{
    size_t n[3] = {0, 0, 0};
    void *buf[3] = {NULL, NULL, NULL};
    const hid_t type[3] = {H5T_NATIVE_UINT8, H5T_NATIVE_DOUBLE, H5T_NATIVE_DOUBLE};
    int rc = HS_OK;
    for (int k = 0; k < 3 && rc == HS_OK; k++)
        rc = h5util_read_1d(path, file, GEO_DS[k], type[k], k == 0, &buf[k], &n[k], err);
    g->segment = buf[0];
    g->x_cm = buf[1];
    g->y_cm = buf[2];
    g->n = n[0];
    if (rc == HS_OK)
        rc = samples_sized(path, file, n, err);
    char why[256];
    if (rc == HS_OK && samples_problem(GEO_DS, g->segment, g->x_cm, g->y_cm, g->n,
                                       g->n_segments, why, sizeof why))
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", why);
    return rc;
}

static int geometry_read(const char *path, hid_t file, h5in_geometry *g, hs_error *err)
{
    if (H5Lexists(file, "behavior", H5P_DEFAULT) <= 0 ||
        H5Lexists(file, "behavior/segment", H5P_DEFAULT) <= 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "no maze geometry in this file (no /behavior/segment)");
    int rc = table_read(path, file, g, err);
    return rc == HS_OK ? samples_read(path, file, g, err) : rc;
}

int h5in_behavior_geometry_read(const char *path, h5in_geometry *g, hs_error *err)
{
    h5util_init();
    *g = (h5in_geometry){0};
    hid_t file;
    int rc = h5util_open_read(path, &file, err);
    if (rc == HS_OK) {
        rc = geometry_read(path, file, g, err);
        H5Fclose(file);
    }
    if (rc != HS_OK)
        h5in_geometry_free(g);
    return rc;
}

/* ---- the summary (app/info_behavior.c) ---- */

void h5maze_table_free(h5maze_table *t)
{
    if (!t)
        return;
    h5util_free_strs(t->name, t->n);
    free(t->length_cm);
    *t = (h5maze_table){0};
}

int h5maze_table_read(const h5run *run, h5maze_table *t, hs_error *err)
{
    *t = (h5maze_table){0};
    const char *path = run->path;
    hid_t file = run->file;
    if (H5Lexists(file, "behavior", H5P_DEFAULT) <= 0 ||
        H5Lexists(file, "behavior/segments", H5P_DEFAULT) <= 0)
        return HS_OK;
    h5in_geometry g = {0};
    int rc = table_read(path, file, &g, err);
    size_t n[3];
    for (int k = 0; k < 3 && rc == HS_OK; k++) {
        hssize_t size = h5util_dataset_size(file, GEO_DS[k]);
        if (size < 0)
            rc = h5util_fail_input(path, err, "cannot open dataset ", GEO_DS[k]);
        n[k] = size < 0 ? 0 : (size_t)size;
    }
    if (rc == HS_OK)
        rc = samples_sized(path, file, n, err);
    if (rc == HS_OK) {
        /* the names and lengths move to t; the rest goes */
        *t = (h5maze_table){1, g.n_segments, g.name, g.length_cm};
        g.name = NULL;
        g.length_cm = NULL;
    }
    h5in_geometry_free(&g);
    return rc;
}
