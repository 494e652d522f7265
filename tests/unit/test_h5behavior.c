/* Tests of writing the behaviour and the place fields of a run (/behavior,
 * /place_fields): round trip through the HDF5 C API and the h5in readers,
 * empty ones, writer errors and a failed write, and the summary of
 * h5out_info (also over more than one block). The reading side is tested
 * in test_h5behavior_read.c. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

/* ---- helpers ---- */

static void assert_attr_str(hid_t file, const char *obj, const char *attr, const char *want)
{
    hid_t o = H5Oopen(file, obj, H5P_DEFAULT);
    ck_assert_msg(o >= 0, "no object %s", obj);
    char *s = h5sample_attr_str(o, attr);
    ck_assert_msg(strcmp(s, want) == 0, "%s.%s = '%s', want '%s'", obj, attr, s, want);
    free(s);
    H5Oclose(o);
}

/* Reads dataset name of file (checked to have file type want_type, n
 * values, layout contiguous and attribute units) as mem_type. */
static void *read_column(hid_t file, const char *name, hid_t mem_type, hid_t want_type,
                         size_t n, const char *units)
{
    void *v = h5sample_read_ds(file, name, mem_type, want_type, (hssize_t)n);
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds);
    ck_assert_msg(H5Pget_layout(dcpl) == H5D_CONTIGUOUS, "%s: not contiguous", name);
    H5Pclose(dcpl);
    H5Dclose(ds);
    assert_attr_str(file, name, "units", units);
    return v;
}

static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static void assert_refused(int rc, int want, const hs_error *err, const char *why)
{
    ck_assert_msg(rc == want, "rc %d, want %d (%s)", rc, want, err->msg);
    ck_assert_msg(strstr(err->msg, why), "message lacks '%s': %s", why, err->msg);
}

/* ---- round trip ---- */

static void check_behavior_c(hid_t file)
{
    double t[SAMPLE_BEH_N], x[SAMPLE_BEH_N];
    uint32_t lap[SAMPLE_BEH_N];
    int8_t dir[SAMPLE_BEH_N];
    h5sample_behavior(t, x, lap, dir);
    size_t n = SAMPLE_BEH_N;
    double *rt =
        read_column(file, "/behavior/time", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, "ms");
    double *rx =
        read_column(file, "/behavior/position", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, "cm");
    uint32_t *rl =
        read_column(file, "/behavior/lap", H5T_NATIVE_UINT32, H5T_STD_U32LE, n, "");
    int8_t *rd =
        read_column(file, "/behavior/direction", H5T_NATIVE_INT8, H5T_STD_I8LE, n, "");
    for (size_t i = 0; i < n; i++)
        ck_assert(rt[i] == t[i] && rx[i] == x[i] && rl[i] == lap[i] && rd[i] == dir[i]);
    free(rt);
    free(rx);
    free(rl);
    free(rd);
}

static void check_fields_c(hid_t file, int p)
{
    double c[SAMPLE_FIELDS_MAX], w[SAMPLE_FIELDS_MAX], peak[SAMPLE_FIELDS_MAX];
    int8_t d[SAMPLE_FIELDS_MAX];
    h5sample_fields(p, c, w, peak, d);
    size_t n = h5sample_field_cells[p];
    char name[4][64];
    const char *leaf[4] = {"center_cm", "width_cm", "peak_hz", "direction"};
    for (int k = 0; k < 4; k++)
        snprintf(name[k], sizeof name[k], "/place_fields/%s/%s", h5sample_field_pops[p],
                 leaf[k]);
    double *rc = read_column(file, name[0], H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, "cm");
    double *rw = read_column(file, name[1], H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, "cm");
    double *rp = read_column(file, name[2], H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, "Hz");
    int8_t *rd = read_column(file, name[3], H5T_NATIVE_INT8, H5T_STD_I8LE, n, "");
    assert_attr_str(file, name[1], "definition", "sigma of the Gaussian field");
    for (size_t i = 0; i < n; i++)
        ck_assert(same(rc[i], c[i]) && same(rw[i], w[i]) && same(rp[i], peak[i]) &&
                  rd[i] == d[i]);
    free(rc);
    free(rw);
    free(rp);
    free(rd);
}

START_TEST(test_behavior_round_trip)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    check_behavior_c(file);
    for (int p = 0; p < SAMPLE_FIELD_POPS; p++)
        check_fields_c(file, p);
    H5Fclose(file);
    h5sample_check_behavior_read(path);
    for (int p = 0; p < SAMPLE_FIELD_POPS; p++)
        h5sample_check_fields_read(path, p);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* n = 0 is a trajectory and a population like any other. */
START_TEST(test_behavior_empty)
{
    const char *path = h5sample_path("empty.h5");
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_behavior_write(f, NULL, NULL, NULL, NULL, 0, &err), HS_OK);
    ck_assert_int_eq(h5out_place_fields_write(f, "exc", NULL, NULL, NULL, NULL, 0, &err),
                     HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    double *t, *x, *w, *p;
    uint32_t *lap;
    int8_t *d;
    size_t n = 99;
    ck_assert_int_eq(h5in_behavior_read(path, &t, &x, &lap, &d, &n, &err), HS_OK);
    ck_assert(n == 0 && t && x && lap && d);
    free(t);
    free(x);
    free(lap);
    free(d);
    n = 99;
    ck_assert_int_eq(h5in_place_fields_read(path, "exc", &t, &w, &p, &d, &n, &err), HS_OK);
    ck_assert(n == 0 && t && w && p && d);
    free(t);
    free(w);
    free(p);
    free(d);
    const char *want[] = {"behavior:    0 samples\nplace fields: 1\n"
                          "  exc              0 of 0 cells with fields\n"};
    h5sample_assert_info_has(path, want, 1);
}
END_TEST

/* ---- writer errors ---- */

static void behavior_errors(h5out *f)
{
    double t[SAMPLE_BEH_N], x[SAMPLE_BEH_N];
    uint32_t lap[SAMPLE_BEH_N];
    int8_t dir[SAMPLE_BEH_N];
    hs_error err;
    size_t n = SAMPLE_BEH_N;
    h5sample_behavior(t, x, lap, dir);
    assert_refused(h5out_behavior_write(NULL, t, x, lap, dir, n, &err), HS_EINTERNAL, &err,
                   "NULL");
    assert_refused(h5out_behavior_write(f, t, x, NULL, dir, n, &err), HS_EINTERNAL, &err,
                   "NULL behavior arrays");
    t[3] = NAN;
    assert_refused(h5out_behavior_write(f, t, x, lap, dir, n, &err), HS_EINPUT, &err,
                   "behavior: time_ms[3] = nan is not finite");
    t[3] = 30.0;
    t[5] = 40.0;
    assert_refused(h5out_behavior_write(f, t, x, lap, dir, n, &err), HS_EINPUT, &err,
                   "behavior: time_ms[5] = 40 is not after time_ms[4] = 40 (times must "
                   "increase)");
    t[5] = 50.0;
    x[2] = -INFINITY;
    assert_refused(h5out_behavior_write(f, t, x, lap, dir, n, &err), HS_EINPUT, &err,
                   "position_cm[2] = -inf is not finite");
    x[2] = 0.5;
    dir[7] = 2;
    assert_refused(h5out_behavior_write(f, t, x, lap, dir, n, &err), HS_EINPUT, &err,
                   "direction[7] = 2 is not +1, -1 or 0");
    dir[7] = 1;
    ck_assert_int_eq(h5out_behavior_write(f, t, x, lap, dir, n, &err), HS_OK);
    assert_refused(h5out_behavior_write(f, t, x, lap, dir, n, &err), HS_EINPUT, &err,
                   "/behavior written twice");
}

/* Writes exc's sample fields with cell i's column k set to v; returns the
 * code and leaves the message in err. */
static int fields_with(h5out *f, size_t i, int k, double v, hs_error *err)
{
    double col[3][SAMPLE_FIELDS_MAX];
    int8_t d[SAMPLE_FIELDS_MAX];
    h5sample_fields(0, col[0], col[1], col[2], d);
    if (k < 3)
        col[k][i] = v;
    else
        d[i] = (int8_t)v;
    return h5out_place_fields_write(f, "exc", col[0], col[1], col[2], d,
                                    h5sample_field_cells[0], err);
}

static void fields_errors(h5out *f)
{
    hs_error err;
    double c[1] = {1.0}, w[1] = {2.0}, p[1] = {3.0};
    int8_t d[1] = {0};
    const char *bad[] = {"", "a/b", ".", NULL};
    for (size_t i = 0; i < 4; i++)
        assert_refused(h5out_place_fields_write(f, bad[i], c, w, p, d, 1, &err), HS_EINPUT,
                       &err, "cannot name an HDF5 group");
    assert_refused(h5out_place_fields_write(NULL, "exc", c, w, p, d, 1, &err), HS_EINTERNAL,
                   &err, "NULL");
    assert_refused(h5out_place_fields_write(f, "exc", c, NULL, p, d, 1, &err), HS_EINTERNAL,
                   &err, "NULL place field arrays for population 'exc'");
    assert_refused(fields_with(f, 7, 0, INFINITY, &err), HS_EINPUT, &err,
                   "place fields of population 'exc': center_cm[7] = inf is infinite");
    assert_refused(fields_with(f, 2, 1, 0.0, &err), HS_EINPUT, &err,
                   "width_cm[2] = 0 is not a number > 0 (NaN only without a field)");
    assert_refused(fields_with(f, 1, 1, NAN, &err), HS_EINPUT, &err,
                   "width_cm[1] = nan is not a number > 0");
    assert_refused(fields_with(f, 8, 1, -1.0, &err), HS_EINPUT, &err,
                   "width_cm[8] = -1 is not a number > 0");
    assert_refused(fields_with(f, 3, 2, -0.5, &err), HS_EINPUT, &err,
                   "peak_hz[3] = -0.5 is not a number >= 0");
    assert_refused(fields_with(f, 0, 2, NAN, &err), HS_EINPUT, &err,
                   "peak_hz[0] = nan is not a number >= 0 (NaN only without a field)");
    assert_refused(fields_with(f, 4, 3, 3.0, &err), HS_EINPUT, &err,
                   "direction[4] = 3 is not +1, -1 or 0");
    ck_assert_int_eq(fields_with(f, 0, 0, 10.0, &err), HS_OK);
    assert_refused(fields_with(f, 0, 0, 10.0, &err), HS_EINPUT, &err,
                   "/place_fields/exc written twice");
    ck_assert_int_eq(h5out_place_fields_write(f, "ca3", c, w, p, d, 1, &err), HS_OK);
}

START_TEST(test_behavior_write_errors)
{
    const char *path = h5sample_path("err.h5");
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    behavior_errors(f);
    fields_errors(f);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    /* refused calls left nothing behind */
    h5sample_check_behavior_read(path);
    h5sample_check_fields_read(path, 0);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    H5G_info_t gi;
    hid_t g = H5Gopen2(file, "/place_fields", H5P_DEFAULT);
    ck_assert_int_ge(H5Gget_info(g, &gi), 0);
    ck_assert_uint_eq(gi.nlinks, 2);
    H5Gclose(g);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* For a forked child: with files capped at 256 KiB, a trajectory of 20000
 * samples (420 KB) and then the fields of 20000 cells must fail with HS_EIO
 * naming the file and the group, and close must return. Exits 0 when all
 * did, else the failed step. */
static void behavior_past_limit(const char *path)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {256 * 1024, 256 * 1024};
    size_t n = 20000;
    double *t = malloc(n * sizeof *t), *x = calloc(n, sizeof *x);
    uint32_t *lap = calloc(n, sizeof *lap);
    int8_t *d = calloc(n, sizeof *d);
    hs_error err;
    if (!t || !x || !lap || !d || setrlimit(RLIMIT_FSIZE, &lim) != 0)
        _exit(10);
    for (size_t i = 0; i < n; i++)
        t[i] = (double)(i + 1); /* also the widths of fields at 0 cm */
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    if (!f)
        _exit(11);
    int rc = h5out_behavior_write(f, t, x, lap, d, n, &err);
    if (rc != HS_EIO || !strstr(err.msg, path) ||
        !strstr(err.msg, "cannot write /behavior"))
        _exit(12);
    rc = h5out_place_fields_write(f, "exc", x, t, x, d, n, &err);
    if (rc != HS_EIO || !strstr(err.msg, path) ||
        !strstr(err.msg, "cannot write /place_fields/exc"))
        _exit(13);
    rc = h5out_close(f, 0, 0.0, &err);
    if (rc != HS_OK && rc != HS_EIO)
        _exit(14);
    free(t);
    free(x);
    free(lap);
    free(d);
    _exit(0); /* as in test_weights_write_failure_is_eio */
}

START_TEST(test_behavior_write_failure_is_eio)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        behavior_past_limit(h5sample_path("full.h5"));
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}
END_TEST

/* ---- info ---- */

/* A run file of only a trajectory of n samples, 1 ms apart, running at
 * 25 cm/s in laps of 50000 samples. */
static void write_long(const char *path, size_t n)
{
    double *t = malloc(n * sizeof *t), *x = malloc(n * sizeof *x);
    uint32_t *lap = malloc(n * sizeof *lap);
    int8_t *d = malloc(n);
    for (size_t i = 0; i < n; i++) {
        t[i] = (double)i;
        x[i] = 0.025 * (double)i;
        lap[i] = (uint32_t)(i / 50000);
        d[i] = 1;
    }
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    int rc = h5out_behavior_write(f, t, x, lap, d, n, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    free(t);
    free(x);
    free(lap);
    free(d);
}

START_TEST(test_info_behavior)
{
    const char *run = h5sample_path("run.h5");
    h5sample_write_run(run, 1);
    const char *sample[] = {
        "behavior:    700 samples, 0.000 - 6990.000 ms, duration 6.990 s\n"
        "  laps       2 (numbered 0 - 1)\n"
        "  running    600 steps, 6.000 s, mean speed 33.333 cm/s\n"
        "place fields: 2\n"
        "  exc              6 of 10 cells with fields, centres 10.000 - 90.000 cm\n"
        "  inh              0 of 3 cells with fields\n"
        "spikes:      2\n"};
    h5sample_assert_info_has(run, sample, 1);
    char path[256];
    snprintf(path, sizeof path, "%s", h5sample_path("long.h5"));
    write_long(path, 150001);
    const char *lng[] = {"behavior:    150001 samples, 0.000 - 150000.000 ms, duration "
                         "150.000 s\n"
                         "  laps       4 (numbered 0 - 3)\n"
                         "  running    150000 steps, 150.000 s, mean speed 25.000 cm/s\n"
                         "place fields: none\n"};
    h5sample_assert_info_has(path, lng, 1);
    /* a time going back at the first sample of the second block of 65536 */
    double t = 65534.0;
    h5sample_patch(path, "/behavior/time", H5T_NATIVE_DOUBLE, 65536, &t);
    h5sample_assert_info_refuses(path,
                                 "/behavior/time[65536] = 65534 is not after "
                                 "/behavior/time[65535] = 65535 (times must increase)");
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    const char *none[] = {"phases:      none\nbehavior:    none\nplace fields: none\n"};
    h5sample_assert_info_has(path, none, 1);
}
END_TEST

void h5behavior_read_tests_add(TCase *tc);   /* test_h5behavior_read.c */

Suite *h5behavior_suite(void)
{
    Suite *s = suite_create("h5behavior");
    TCase *tc = h5sample_tcase("h5behavior");
    tcase_add_test(tc, test_behavior_round_trip);
    tcase_add_test(tc, test_behavior_empty);
    tcase_add_test(tc, test_behavior_write_errors);
    tcase_add_test(tc, test_behavior_write_failure_is_eio);
    tcase_add_test(tc, test_info_behavior);
    h5behavior_read_tests_add(tc);
    suite_add_tcase(s, tc);
    return s;
}
