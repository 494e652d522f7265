/* h5behavior.c: the rat's behaviour (/behavior) and the ground-truth place
 * fields (/place_fields/<pop>) in the run file (layout in h5out.h): the
 * writers behind h5out_behavior_write and h5out_place_fields_write, the
 * readers h5in_behavior_read and h5in_place_fields_read, and what the
 * summary of `hebbsleep info` reads of them (app/info_behavior.c prints it).
 *
 * The writers and the readers check the same promises of the format (one
 * function each for a trajectory sample and a cell's field), so that what
 * one writes the other reads, and a damaged file is refused with the same
 * words as a bad call.
 */
#include "h5behavior.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5out.h"
#include "h5run_file.h"
#include "h5util.h"

/* Samples read at a time for h5behavior_summary_read. */
#define BEH_BLOCK ((hsize_t)65536)

/* The four behaviour columns as the writer's arguments and as datasets. */
static const char *const BEH_ARG[4] = {"time_ms", "position_cm", "lap", "direction"};
static const char *const BEH_DS[4] = {"/behavior/time", "/behavior/position",
                                      "/behavior/lap", "/behavior/direction"};

/* The four place-field columns: arguments and datasets share their names. */
static const char *const PF_COL[4] = {"center_cm", "width_cm", "peak_hz", "direction"};

#define PF_DEFINITION "sigma of the Gaussian field"

/* ---- what the format promises ---- */

static int is_direction(double d)
{
    return d == 1.0 || d == -1.0 || d == 0.0;
}

/* What is wrong with behaviour sample i, written into buf (names: the four
 * columns as the message calls them; t_prev: the time of sample i - 1,
 * unused for i == 0); NULL when nothing is. Times must be finite and
 * increase, positions finite, laps whole numbers of uint32, directions
 * +1, -1 or 0. */
static const char *sample_problem(const char *const *names, size_t i, double t,
                                  double t_prev, double x, double lap, double dir,
                                  char *buf, size_t size)
{
    if (!isfinite(t))
        snprintf(buf, size, "%s[%zu] = %g is not finite", names[0], i, t);
    else if (i > 0 && !(t > t_prev))
        snprintf(buf, size,
                 "%s[%zu] = %.15g is not after %s[%zu] = %.15g (times must "
                 "increase)",
                 names[0], i, t, names[0], i - 1, t_prev);
    else if (!isfinite(x))
        snprintf(buf, size, "%s[%zu] = %g is not finite", names[1], i, x);
    else if (!(lap >= 0 && lap <= (double)UINT32_MAX && lap == floor(lap)))
        snprintf(buf, size, "%s[%zu] = %g is not a lap number", names[2], i, lap);
    else if (!is_direction(dir))
        snprintf(buf, size, "%s[%zu] = %g is not +1, -1 or 0", names[3], i, dir);
    else
        return NULL;
    return buf;
}

static const char *behavior_problem(const char *const *names, const double *t,
                                    const double *x, const uint32_t *lap, const int8_t *dir,
                                    size_t n, char *buf, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        const char *bad = sample_problem(names, i, t[i], i ? t[i - 1] : 0.0, x[i],
                                         (double)lap[i], (double)dir[i], buf, size);
        if (bad)
            return bad;
    }
    return NULL;
}

/* v is a finite number above 0 (or from 0 when zero_ok), or NaN for a cell
 * without a field. */
static int field_value_ok(double v, int has_field, int zero_ok)
{
    if (isnan(v))
        return !has_field;
    return isfinite(v) && (v > 0 || (zero_ok && v == 0));
}

/* What is wrong with the field of cell i, written into buf (prefix goes
 * before the column names); NULL when nothing is. A centre is finite, or
 * NaN for a cell without a field; a width (sigma) is finite and > 0, a
 * peak rate finite and >= 0, either NaN only without a field; a direction
 * is +1, -1 or 0. */
static const char *field_problem(const char *prefix, size_t i, double c, double w, double p,
                                 double d, char *buf, size_t size)
{
    int has_field = !isnan(c);
    if (isinf(c))
        snprintf(buf, size, "%s%s[%zu] = %g is infinite (NaN marks a cell without a field)",
                 prefix, PF_COL[0], i, c);
    else if (!field_value_ok(w, has_field, 0))
        snprintf(buf, size, "%s%s[%zu] = %g is not a number > 0 (NaN only without a field)",
                 prefix, PF_COL[1], i, w);
    else if (!field_value_ok(p, has_field, 1))
        snprintf(buf, size,
                 "%s%s[%zu] = %g is not a number >= 0 (NaN only without a field)", prefix,
                 PF_COL[2], i, p);
    else if (!is_direction(d))
        snprintf(buf, size, "%s%s[%zu] = %g is not +1, -1 or 0", prefix, PF_COL[3], i, d);
    else
        return NULL;
    return buf;
}

static const char *fields_problem(const char *prefix, const double *c, const double *w,
                                  const double *p, const int8_t *d, size_t n, char *buf,
                                  size_t size)
{
    for (size_t i = 0; i < n; i++) {
        const char *bad =
            field_problem(prefix, i, c[i], w[i], p[i], (double)d[i], buf, size);
        if (bad)
            return bad;
    }
    return NULL;
}

/* ---- writers ---- */

/* The columns are contiguous: written once at their full size. */
static herr_t behavior_columns(hid_t g, const double *t, const double *x,
                               const uint32_t *lap, const int8_t *dir, size_t n)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    const hid_t u32 = H5T_STD_U32LE, i8 = H5T_STD_I8LE;
    if (h5util_write_column(g, "time", f64, dbl, n, t, "ms", NULL) < 0 ||
        h5util_write_column(g, "position", f64, dbl, n, x, "cm", NULL) < 0 ||
        h5util_write_column(g, "lap", u32, H5T_NATIVE_UINT32, n, lap, "", NULL) < 0 ||
        h5util_write_column(g, "direction", i8, H5T_NATIVE_INT8, n, dir, "", NULL) < 0)
        return -1;
    return 0;
}

int h5behavior_write(hid_t file, const char *path, const double *time_ms,
                     const double *position_cm, const uint32_t *lap,
                     const int8_t *direction, size_t n, hs_error *err)
{
    if (n > 0 && (!time_ms || !position_cm || !lap || !direction))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0, "h5out: NULL behavior arrays");
    htri_t exists = H5Lexists(file, "behavior", H5P_DEFAULT);
    if (exists < 0)
        return h5util_fail_io(path, err, "/behavior", NULL);
    if (exists)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/behavior written twice (the whole trajectory goes in one "
                           "call)");
    char why[256];
    const char *bad =
        behavior_problem(BEH_ARG, time_ms, position_cm, lap, direction, n, why, sizeof why);
    if (bad)
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "behavior: %s", bad);
    hid_t g = H5Gcreate2(file, "behavior", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = g < 0 ? -1 : behavior_columns(g, time_ms, position_cm, lap, direction, n);
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    if (rc < 0) {
        int code = h5util_fail_io(path, err, "/behavior", NULL);
        if (g >= 0)
            H5Ldelete(file, "behavior", H5P_DEFAULT); /* no half trajectory for readers */
        return code;
    }
    return HS_OK;
}

static herr_t fields_columns(hid_t g, const double *c, const double *w, const double *p,
                             const int8_t *d, size_t n)
{
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE, i8 = H5T_STD_I8LE;
    if (h5util_write_column(g, PF_COL[0], f64, dbl, n, c, "cm", NULL) < 0 ||
        h5util_write_column(g, PF_COL[1], f64, dbl, n, w, "cm", PF_DEFINITION) < 0 ||
        h5util_write_column(g, PF_COL[2], f64, dbl, n, p, "Hz", NULL) < 0 ||
        h5util_write_column(g, PF_COL[3], i8, H5T_NATIVE_INT8, n, d, "", NULL) < 0)
        return -1;
    return 0;
}

/* 1 when /place_fields/<pop> exists, 0 when not, < 0 on an HDF5 failure. */
static htri_t fields_exist(hid_t file, const char *pop)
{
    htri_t top = H5Lexists(file, "place_fields", H5P_DEFAULT);
    if (top <= 0)
        return top;
    hid_t g = H5Gopen2(file, "place_fields", H5P_DEFAULT);
    if (g < 0)
        return -1;
    htri_t exists = H5Lexists(g, pop, H5P_DEFAULT);
    H5Gclose(g);
    return exists;
}

/* Creates /place_fields/<pop> with its columns. */
static herr_t fields_create(hid_t file, const char *pop, const double *c, const double *w,
                            const double *p, const int8_t *d, size_t n)
{
    hid_t top = h5util_open_or_create_group(file, "place_fields");
    if (top < 0)
        return -1;
    hid_t g = H5Gcreate2(top, pop, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = g < 0 ? -1 : fields_columns(g, c, w, p, d, n);
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    if (H5Gclose(top) < 0)
        rc = -1;
    return rc;
}

/* Removes what a failed fields_create left of /place_fields/<pop>, if HDF5
 * still can: no half fields for readers. */
static void fields_remove(hid_t file, const char *pop)
{
    if (fields_exist(file, pop) <= 0)
        return;
    hid_t top = H5Gopen2(file, "place_fields", H5P_DEFAULT);
    if (top >= 0) {
        H5Ldelete(top, pop, H5P_DEFAULT);
        H5Gclose(top);
    }
}

int h5behavior_fields_write(hid_t file, const char *path, const char *pop,
                            const double *center_cm, const double *width_cm,
                            const double *peak_hz, const int8_t *direction, size_t n,
                            hs_error *err)
{
    if (!h5util_is_link_name(pop))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "population name '%s' cannot name an HDF5 group",
                           pop ? pop : "(null)");
    if (n > 0 && (!center_cm || !width_cm || !peak_hz || !direction))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0,
                           "h5out: NULL place field arrays for population '%s'", pop);
    htri_t exists = fields_exist(file, pop);
    if (exists < 0)
        return h5util_fail_io(path, err, "/place_fields/", pop);
    if (exists)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/place_fields/%s written twice (one call per population)", pop);
    char why[256];
    const char *bad =
        fields_problem("", center_cm, width_cm, peak_hz, direction, n, why, sizeof why);
    if (bad)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "place fields of population '%s': %s", pop, bad);
    if (fields_create(file, pop, center_cm, width_cm, peak_hz, direction, n) < 0) {
        int code = h5util_fail_io(path, err, "/place_fields/", pop);
        fields_remove(file, pop);
        return code;
    }
    return HS_OK;
}

/* ---- readers ---- */

/* Reads direction dataset name of loc (any numeric type) into new int8s,
 * refusing values other than +1, -1 and 0. */
static int read_direction(const char *path, hid_t loc, const char *name, int8_t **out,
                          size_t *n, hs_error *err)
{
    void *buf = NULL;
    int rc = h5util_read_1d(path, loc, name, H5T_NATIVE_DOUBLE, 0, &buf, n, err);
    if (rc != HS_OK)
        return rc;
    const double *d = buf;
    size_t bad = 0;
    while (bad < *n && is_direction(d[bad]))
        bad++;
    int8_t *v = NULL;
    if (bad < *n)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s[%zu] = %g is not +1, -1 or 0",
                         name, bad, d[bad]);
    else if (!(v = malloc(*n ? *n : 1)))
        rc = hs_error_set(err, HS_ENOMEM, "%s: dataset %s: out of memory", path, name);
    for (size_t i = 0; rc == HS_OK && i < *n; i++)
        v[i] = (int8_t)d[i];
    free(buf);
    *out = v;
    return rc;
}

static int differ_in_length(const char *path, const char *group, const char *const *cols,
                            const size_t *n, hs_error *err)
{
    return hs_error_at(err, HS_EINPUT, path, 0, 0,
                       "%s: %s, %s, %s and %s differ in length (%zu, %zu, %zu, %zu)", group,
                       cols[0], cols[1], cols[2], cols[3], n[0], n[1], n[2], n[3]);
}

static int same_length(const size_t *n)
{
    return n[1] == n[0] && n[2] == n[0] && n[3] == n[0];
}

/* The behaviour as read; the caller frees the arrays. */
typedef struct behavior_cols {
    double *t, *x;
    uint32_t *lap;
    int8_t *dir;
    size_t n;
} behavior_cols;

static int behavior_read(const char *path, hid_t file, behavior_cols *b, hs_error *err)
{
    if (H5Lexists(file, "behavior", H5P_DEFAULT) <= 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "no behavior in this file (no group /behavior)");
    size_t n[4] = {0, 0, 0, 0};
    void *t = NULL, *x = NULL, *lap = NULL;
    int rc = h5util_read_1d(path, file, BEH_DS[0], H5T_NATIVE_DOUBLE, 0, &t, &n[0], err);
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, BEH_DS[1], H5T_NATIVE_DOUBLE, 0, &x, &n[1], err);
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, BEH_DS[2], H5T_NATIVE_UINT32, 1, &lap, &n[2], err);
    if (rc == HS_OK)
        rc = read_direction(path, file, BEH_DS[3], &b->dir, &n[3], err);
    b->t = t;
    b->x = x;
    b->lap = lap;
    b->n = n[0];
    static const char *const cols[4] = {"time", "position", "lap", "direction"};
    if (rc == HS_OK && !same_length(n))
        return differ_in_length(path, "/behavior", cols, n, err);
    char why[256];
    const char *bad = rc == HS_OK ? behavior_problem(BEH_DS, b->t, b->x, b->lap, b->dir,
                                                     b->n, why, sizeof why)
                                  : NULL;
    return bad ? hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", bad) : rc;
}

int h5in_behavior_read(const char *path, double **time_ms, double **position_cm,
                       uint32_t **lap, int8_t **direction, size_t *n, hs_error *err)
{
    h5util_init();
    behavior_cols b = {0};
    hid_t file;
    int rc = h5util_open_read(path, &file, err);
    if (rc == HS_OK) {
        rc = behavior_read(path, file, &b, err);
        H5Fclose(file);
    }
    if (rc != HS_OK) {
        free(b.t);
        free(b.x);
        free(b.lap);
        free(b.dir);
        b = (behavior_cols){0};
    }
    *time_ms = b.t;
    *position_cm = b.x;
    *lap = b.lap;
    *direction = b.dir;
    *n = b.n;
    return rc;
}

/* "/place_fields/<pop>/<leaf>" as a new string; NULL when out of memory. */
static char *fields_name(const char *pop, const char *leaf)
{
    size_t len = strlen(pop) + strlen(leaf) + sizeof "/place_fields//";
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "/place_fields/%s/%s", pop, leaf);
    return s;
}

/* Reads column leaf of /place_fields/<pop> (k < 3: doubles; 3: direction). */
static int read_field_col(const char *path, hid_t file, const char *pop, int k, void **out,
                          size_t *n, hs_error *err)
{
    char *name = fields_name(pop, PF_COL[k]);
    if (!name)
        return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
    int8_t *dir = NULL;
    int rc = k < 3 ? h5util_read_1d(path, file, name, H5T_NATIVE_DOUBLE, 0, out, n, err)
                   : read_direction(path, file, name, &dir, n, err);
    if (k == 3)
        *out = dir;
    free(name);
    return rc;
}

/* The place fields of a population as read; the caller frees the arrays. */
typedef struct fields_cols {
    double *center, *width, *peak;
    int8_t *dir;
    size_t n;
} fields_cols;

static int fields_read(const char *path, hid_t file, const char *pop, fields_cols *f,
                       hs_error *err)
{
    if (!h5util_is_link_name(pop))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "population name '%s' cannot name a group under /place_fields",
                           pop ? pop : "(null)");
    if (fields_exist(file, pop) <= 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "no place fields of population '%s' (no group /place_fields/%s)",
                           pop, pop);
    size_t n[4] = {0, 0, 0, 0};
    void *col[4] = {NULL, NULL, NULL, NULL};
    int rc = HS_OK;
    for (int k = 0; k < 4 && rc == HS_OK; k++)
        rc = read_field_col(path, file, pop, k, &col[k], &n[k], err);
    *f = (fields_cols){col[0], col[1], col[2], col[3], n[0]};
    char *group = rc == HS_OK ? fields_name(pop, "") : NULL;
    if (rc == HS_OK && !group)
        return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
    char why[512];
    if (rc == HS_OK && !same_length(n)) {
        group[strlen(group) - 1] = '\0';
        rc = differ_in_length(path, group, PF_COL, n, err);
    } else if (rc == HS_OK && fields_problem(group, f->center, f->width, f->peak, f->dir,
                                             f->n, why, sizeof why)) {
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", why);
    }
    free(group);
    return rc;
}

int h5in_place_fields_read(const char *path, const char *pop, double **center_cm,
                           double **width_cm, double **peak_hz, int8_t **direction,
                           size_t *n, hs_error *err)
{
    h5util_init();
    fields_cols f = {0};
    hid_t file;
    int rc = h5util_open_read(path, &file, err);
    if (rc == HS_OK) {
        rc = fields_read(path, file, pop, &f, err);
        H5Fclose(file);
    }
    if (rc != HS_OK) {
        free(f.center);
        free(f.width);
        free(f.peak);
        free(f.dir);
        f = (fields_cols){0};
    }
    *center_cm = f.center;
    *width_cm = f.width;
    *peak_hz = f.peak;
    *direction = f.dir;
    *n = f.n;
    return rc;
}

/* ---- the summary (app/info_behavior.c) ---- */

/* Running totals over the samples of /behavior. */
typedef struct behavior_stats {
    size_t n;                /* samples seen */
    size_t steps;            /* steps run: from a sample with direction != 0 */
    double t_first, t_prev;  /* ms */
    double x_prev, dir_prev; /* of the latest sample */
    double lap_lo, lap_hi;
    double dist_cm, run_ms; /* covered in the steps run, and their duration */
} behavior_stats;

/* Adds the next sample to s; returns what is wrong with it, or NULL. */
static const char *stats_add(behavior_stats *s, double t, double x, double lap, double dir,
                             char *buf, size_t size)
{
    const char *bad = sample_problem(BEH_DS, s->n, t, s->t_prev, x, lap, dir, buf, size);
    if (bad)
        return bad;
    if (s->n == 0) {
        s->t_first = t;
        s->lap_lo = s->lap_hi = lap;
    } else if (s->dir_prev != 0) {
        s->dist_cm += fabs(x - s->x_prev);
        s->run_ms += t - s->t_prev;
        s->steps++;
    }
    s->lap_lo = lap < s->lap_lo ? lap : s->lap_lo;
    s->lap_hi = lap > s->lap_hi ? lap : s->lap_hi;
    s->t_prev = t;
    s->x_prev = x;
    s->dir_prev = dir;
    s->n++;
    return NULL;
}

/* Reads the n samples of the four open datasets ds in blocks into s. */
static int stats_read(const char *path, const hid_t *ds, size_t n, behavior_stats *s,
                      hs_error *err)
{
    double *buf = malloc(4 * BEH_BLOCK * sizeof *buf);
    if (!buf)
        return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
    int rc = HS_OK;
    char why[256];
    for (hsize_t at = 0; rc == HS_OK && at < n; at += BEH_BLOCK) {
        hsize_t count = n - at < BEH_BLOCK ? n - at : BEH_BLOCK;
        for (int k = 0; k < 4 && rc == HS_OK; k++)
            if (h5util_read_block(ds[k], H5T_NATIVE_DOUBLE, at, count,
                                  buf + k * BEH_BLOCK) < 0)
                rc = h5util_fail_input(path, err, "cannot read dataset ", BEH_DS[k]);
        for (hsize_t i = 0; rc == HS_OK && i < count; i++) {
            const double *b = buf + i;
            if (stats_add(s, b[0], b[BEH_BLOCK], b[2 * BEH_BLOCK], b[3 * BEH_BLOCK], why,
                          sizeof why))
                rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", why);
        }
    }
    free(buf);
    return rc;
}

int h5behavior_summary_read(const h5run *run, h5behavior_summary *sum, hs_error *err)
{
    *sum = (h5behavior_summary){0};
    const char *path = run->path;
    hid_t file = run->file;
    if (H5Lexists(file, "behavior", H5P_DEFAULT) <= 0)
        return HS_OK;
    hid_t ds[4] = {-1, -1, -1, -1};
    size_t n[4] = {0, 0, 0, 0};
    int rc = HS_OK;
    for (int k = 0; k < 4 && rc == HS_OK; k++)
        rc = h5util_open_1d(path, file, BEH_DS[k], &ds[k], &n[k], err);
    static const char *const cols[4] = {"time", "position", "lap", "direction"};
    if (rc == HS_OK && !same_length(n))
        rc = differ_in_length(path, "/behavior", cols, n, err);
    behavior_stats s = {0};
    if (rc == HS_OK)
        rc = stats_read(path, ds, n[0], &s, err);
    if (rc == HS_OK)
        *sum = (h5behavior_summary){.found = 1, .n = s.n, .t_first_ms = s.t_first,
                                    .t_last_ms = s.t_prev, .lap_min = s.lap_lo,
                                    .lap_max = s.lap_hi, .steps = s.steps,
                                    .run_ms = s.run_ms, .run_cm = s.dist_cm};
    for (int k = 0; k < 4; k++)
        if (ds[k] >= 0)
            H5Dclose(ds[k]);
    return rc;
}

int h5behavior_fields_centers_read(const h5run *run, const char *pop, double **center_cm,
                                   size_t *n, hs_error *err)
{
    *center_cm = NULL;
    *n = 0;
    const char *path = run->path;
    char *center = fields_name(pop, PF_COL[0]);
    void *buf = NULL;
    size_t len = 0;
    hid_t file = run->file, dbl = H5T_NATIVE_DOUBLE;
    int rc = center ? h5util_read_1d(path, file, center, dbl, 0, &buf, &len, err)
                    : hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
    hid_t g = rc == HS_OK ? h5run_member_open(run, "place_fields", pop) : -1;
    for (int k = 1; k < 4 && rc == HS_OK; k++)
        if (g < 0 || h5util_dataset_size(g, PF_COL[k]) != (hssize_t)len)
            rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                             "/place_fields/%s: center_cm, width_cm, peak_hz and direction "
                             "are missing or differ in length",
                             pop);
    if (g >= 0)
        H5Gclose(g);
    free(center);
    if (rc != HS_OK) {
        free(buf);
        return rc;
    }
    *center_cm = buf;
    *n = len;
    return HS_OK;
}
