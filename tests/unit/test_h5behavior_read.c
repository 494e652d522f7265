/* Tests of reading the behaviour and the place fields of a run: the h5in
 * readers and h5out_info on missing and damaged data, other numeric types,
 * a killed writer, and tests/check_h5_layout.py on damaged data. Part of
 * the h5behavior suite; run from the repo root. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"

/* ---- helpers ---- */

/* Replaces dataset name of file path by one of type (rank 0: scalar)
 * written from buf, with attribute units unless NULL. */
static void replace_ds(const char *path, const char *name, hid_t type, int rank,
                       const hsize_t *dims, const void *buf, const char *units)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(H5Ldelete(f, name, H5P_DEFAULT), 0);
    hid_t sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    ck_assert_int_ge(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    if (units) {
        hid_t o = H5Screate(H5S_SCALAR), t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, strlen(units) + 1);
        hid_t a = H5Acreate2(ds, "units", t, o, H5P_DEFAULT, H5P_DEFAULT);
        ck_assert_int_ge(H5Awrite(a, t, units), 0);
        H5Aclose(a);
        H5Tclose(t);
        H5Sclose(o);
    }
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
}

static void delete_link(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(H5Ldelete(f, name, H5P_DEFAULT), 0);
    H5Fclose(f);
}

/* The sample run with one fault; what the readers and info say of it. */
typedef struct damage {
    const char *pop;  /* NULL: the fault is in /behavior, else in this population */
    const char *read; /* the reader's message */
    const char *info; /* info's message, NULL when info does not look there */
} damage;

static const damage DAMAGES[] = {
    {NULL, "cannot open dataset /behavior/lap", "cannot open dataset /behavior/lap"},
    {NULL, "dataset /behavior/position is not 1-D (rank 2)",
     "/behavior/position is not 1-D"},
    {NULL, "dataset /behavior/time is not numeric",
     "dataset /behavior/time is not numeric"},
    {NULL,
     "/behavior: time, position, lap and direction differ in length (699, 700, 700, 700)",
     "/behavior: time, position, lap and direction differ in length (699, 700, 700, 700)"},
    {NULL, "/behavior/time[5] = 40 is not after /behavior/time[4] = 40",
     "/behavior/time[5] = 40 is not after /behavior/time[4] = 40"},
    {NULL, "dataset /behavior/lap holds values that are not non-negative integers",
     "/behavior/lap[9] = -1 is not a lap number"},
    {NULL, "/behavior/direction[3] = 2 is not +1, -1 or 0",
     "/behavior/direction[3] = 2 is not +1, -1 or 0"},
    {"exc", "cannot open dataset /place_fields/exc/width_cm",
     "/place_fields/exc: center_cm, width_cm, peak_hz and direction are missing or differ"},
    {"exc",
     "/place_fields/exc: center_cm, width_cm, peak_hz and direction differ in length (10, "
     "10, 9, 10)",
     "/place_fields/exc: center_cm, width_cm, peak_hz and direction are missing or differ"},
    {"exc", "/place_fields/exc/width_cm[2] = 0 is not a number > 0", NULL},
    {"exc", "/place_fields/exc/direction[1] = 0.5 is not +1, -1 or 0", NULL},
    {"inh", "/place_fields/inh/center_cm[2] = -inf is infinite", NULL},
};
#define N_DAMAGES (sizeof DAMAGES / sizeof DAMAGES[0])

/* Writes the sample run to path with fault k of DAMAGES. */
static void make_damaged(const char *path, size_t k)
{
    h5sample_write_run(path, 1);
    double t[SAMPLE_BEH_N], x[SAMPLE_BEH_N], v;
    uint32_t lap[SAMPLE_BEH_N];
    int8_t dir[SAMPLE_BEH_N], d = 2;
    int32_t ilap[SAMPLE_BEH_N];
    h5sample_behavior(t, x, lap, dir);
    hsize_t all = SAMPLE_BEH_N, short_n = SAMPLE_BEH_N - 1, grid[2] = {SAMPLE_BEH_N / 2, 2};
    hsize_t nine = 9, ten = 10;
    double fd[SAMPLE_FIELDS_MAX] = {1, 0.5, 0, 1, -1, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < SAMPLE_BEH_N; i++)
        ilap[i] = i == 9 ? -1 : (int32_t)lap[i];
    switch (k) {
    case 0:
        delete_link(path, "/behavior/lap");
        break;
    case 1:
        replace_ds(path, "/behavior/position", H5T_NATIVE_DOUBLE, 2, grid, x, "cm");
        break;
    case 2:
        replace_ds(path, "/behavior/time", H5T_C_S1, 0, NULL, "t", "ms");
        break;
    case 3:
        replace_ds(path, "/behavior/time", H5T_NATIVE_DOUBLE, 1, &short_n, t, "ms");
        break;
    case 4:
        h5sample_patch(path, "/behavior/time", H5T_NATIVE_DOUBLE, 5, &t[4]);
        break;
    case 5:
        replace_ds(path, "/behavior/lap", H5T_NATIVE_INT32, 1, &all, ilap, "");
        break;
    case 6:
        h5sample_patch(path, "/behavior/direction", H5T_NATIVE_INT8, 3, &d);
        break;
    case 7:
        delete_link(path, "/place_fields/exc/width_cm");
        break;
    case 8:
        replace_ds(path, "/place_fields/exc/peak_hz", H5T_NATIVE_DOUBLE, 1, &nine, fd,
                   "Hz");
        break;
    case 9:
        v = 0;
        h5sample_patch(path, "/place_fields/exc/width_cm", H5T_NATIVE_DOUBLE, 2, &v);
        break;
    case 10:
        replace_ds(path, "/place_fields/exc/direction", H5T_NATIVE_DOUBLE, 1, &ten, fd, "");
        break;
    case 11:
        v = -INFINITY;
        h5sample_patch(path, "/place_fields/inh/center_cm", H5T_NATIVE_DOUBLE, 2, &v);
        break;
    }
}

/* h5in_behavior_read of path fails with HS_EINPUT naming path and why,
 * leaving nothing allocated and nothing on stderr. */
static void assert_behavior_refused(const char *path, const char *why)
{
    hs_error err;
    double *t = (double *)&err, *x = t;
    uint32_t *lap = (uint32_t *)&err;
    int8_t *d = (int8_t *)&err;
    size_t n = 99;
    h5sample_stderr swap = h5sample_stderr_away();
    int rc = h5in_behavior_read(path, &t, &x, &lap, &d, &n, &err);
    long printed = h5sample_stderr_back(swap);
    ck_assert_msg(rc == HS_EINPUT, "%s: rc %d", path, rc);
    ck_assert(!t && !x && !lap && !d && n == 0);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    ck_assert_msg(printed == 0, "%s: %ld bytes on stderr", path, printed);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

/* As assert_behavior_refused for h5in_place_fields_read of pop. */
static void assert_fields_refused(const char *path, const char *pop, const char *why)
{
    hs_error err;
    double *c = (double *)&err, *w = c, *p = c;
    int8_t *d = (int8_t *)&err;
    size_t n = 99;
    h5sample_stderr swap = h5sample_stderr_away();
    int rc = h5in_place_fields_read(path, pop, &c, &w, &p, &d, &n, &err);
    long printed = h5sample_stderr_back(swap);
    ck_assert_msg(rc == HS_EINPUT, "%s %s: rc %d", path, pop, rc);
    ck_assert(!c && !w && !p && !d && n == 0);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    ck_assert_msg(printed == 0, "%s: %ld bytes on stderr", path, printed);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

START_TEST(test_behavior_read_bad)
{
    char run[256];
    snprintf(run, sizeof run, "%s", h5sample_path("run.h5"));
    h5sample_write_run(run, 1);
    h5sample_write_bytes(h5sample_path("text.h5"), "not: hdf5\n", 10);
    h5sample_truncated_copy(run, h5sample_path("half.h5"), h5sample_file_size(run) / 2);
    hs_error err;
    h5out *f = h5out_create(h5sample_path("none.h5"), &h5sample_meta, &err);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    const char *files[4] = {"missing.h5", "text.h5", "half.h5", "none.h5"};
    const char *why[4] = {"No such file", "not an HDF5 file", "truncated or corrupt",
                          "no behavior in this file (no group /behavior)"};
    for (int i = 0; i < 4; i++) {
        assert_behavior_refused(h5sample_path(files[i]), why[i]);
        assert_fields_refused(h5sample_path(files[i]), "exc",
                              i < 3 ? why[i]
                                    : "no place fields of population 'exc' (no "
                                      "group /place_fields/exc)");
    }
    assert_fields_refused(run, "ca3", "no group /place_fields/ca3");
    assert_fields_refused(run, "a/b", "'a/b' cannot name a group under /place_fields");
    assert_fields_refused(run, NULL, "'(null)' cannot name a group");
}
END_TEST

START_TEST(test_behavior_read_damaged)
{
    char path[256];
    snprintf(path, sizeof path, "%s", h5sample_path("bad.h5"));
    for (size_t k = 0; k < N_DAMAGES; k++) {
        const damage *d = &DAMAGES[k];
        make_damaged(path, k);
        if (d->pop) {
            assert_fields_refused(path, d->pop, d->read);
            h5sample_check_behavior_read(path);
        } else {
            assert_behavior_refused(path, d->read);
            h5sample_check_fields_read(path, 0);
        }
        if (d->info)
            h5sample_assert_info_refuses(path, d->info);
    }
}
END_TEST

/* Any numeric types are read when their values convert exactly. */
START_TEST(test_behavior_read_other_types)
{
    const char *path = h5sample_path("types.h5");
    h5sample_write_run(path, 1);
    double t[SAMPLE_BEH_N], x[SAMPLE_BEH_N], c[SAMPLE_FIELDS_MAX], w[SAMPLE_FIELDS_MAX],
        p[SAMPLE_FIELDS_MAX], dd[SAMPLE_BEH_N];
    uint32_t lap[SAMPLE_BEH_N];
    int8_t dir[SAMPLE_BEH_N];
    int64_t llap[SAMPLE_BEH_N];
    int32_t fdir[SAMPLE_FIELDS_MAX];
    h5sample_behavior(t, x, lap, dir);
    for (size_t i = 0; i < SAMPLE_BEH_N; i++) {
        llap[i] = lap[i];
        dd[i] = dir[i];
    }
    h5sample_fields(0, c, w, p, dir);
    for (size_t i = 0; i < SAMPLE_FIELDS_MAX; i++)
        fdir[i] = dir[i];
    hsize_t n = SAMPLE_BEH_N, cells = h5sample_field_cells[0];
    replace_ds(path, "/behavior/lap", H5T_NATIVE_INT64, 1, &n, llap, "");
    replace_ds(path, "/behavior/direction", H5T_NATIVE_DOUBLE, 1, &n, dd, "");
    replace_ds(path, "/place_fields/exc/direction", H5T_NATIVE_INT32, 1, &cells, fdir, "");
    h5sample_check_behavior_read(path);
    h5sample_check_fields_read(path, 0);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* ---- a killed writer ---- */

START_TEST(test_behavior_killed_run)
{
    const char *path = h5sample_path("killed.h5");
    h5sample_kill_mid_run(path);
    h5sample_check_behavior_read(path);
    for (int p = 0; p < SAMPLE_FIELD_POPS; p++)
        h5sample_check_fields_read(path, p);
    const char *want[] = {"complete:    0 (INTERRUPTED", "behavior:    700 samples",
                          "  exc              6 of 10 cells with fields"};
    h5sample_assert_info_has(path, want, 3);
}
END_TEST

/* ---- the layout checker ---- */

/* The sample run with faults for tests/check_h5_layout.py. */
static void make_bad_layout(const char *path)
{
    h5sample_write_run(path, 1);
    double t4 = 40.0, zero = 0.0, inf = INFINITY;
    int8_t two = 2, dir[2] = {0, 0};
    int32_t lap[SAMPLE_BEH_N] = {0};
    hsize_t n = SAMPLE_BEH_N, n_dir = 2;
    h5sample_patch(path, "/behavior/time", H5T_NATIVE_DOUBLE, 5, &t4);
    h5sample_patch(path, "/behavior/direction", H5T_NATIVE_INT8, 3, &two);
    replace_ds(path, "/behavior/lap", H5T_NATIVE_INT32, 1, &n, lap, "");
    h5sample_patch(path, "/place_fields/exc/width_cm", H5T_NATIVE_DOUBLE, 2, &zero);
    h5sample_patch(path, "/place_fields/exc/center_cm", H5T_NATIVE_DOUBLE, 7, &inf);
    replace_ds(path, "/place_fields/inh/direction", H5T_NATIVE_INT8, 1, &n_dir, dir, "");
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(H5Adelete_by_name(f, "/behavior/position", "units", H5P_DEFAULT), 0);
    ck_assert_int_ge(
        H5Adelete_by_name(f, "/place_fields/exc/width_cm", "definition", H5P_DEFAULT), 0);
    H5Fclose(f);
}

START_TEST(test_layout_checks_behavior)
{
    const char *bad = h5sample_path("bad.h5");
    make_bad_layout(bad);
    const char *want[] = {
        "/behavior/time: not increasing (first at [5])",
        "/behavior/direction: values other than +1, -1 and 0 (first at [3])",
        "/behavior/lap: dtype int32, want uint32",
        "/behavior/position: no attribute units",
        "/place_fields/exc/width_cm: no attribute definition",
        "/place_fields/exc/width_cm: not > 0 for a field (first at [2])",
        "/place_fields/exc/center_cm: infinite (first at [7])",
        "/place_fields/inh: lengths differ: center_cm 3, width_cm 3, peak_hz 3, direction "
        "2"};
    h5sample_assert_layout_faults(bad, want, sizeof want / sizeof want[0]);
}
END_TEST

/* Adds this file's tests to the h5out test case (see test_h5out.c). */
void h5behavior_read_tests_add(TCase *tc)
{
    tcase_add_test(tc, test_behavior_read_bad);
    tcase_add_test(tc, test_behavior_read_damaged);
    tcase_add_test(tc, test_behavior_read_other_types);
    tcase_add_test(tc, test_behavior_killed_run);
    tcase_add_test(tc, test_layout_checks_behavior);
}
