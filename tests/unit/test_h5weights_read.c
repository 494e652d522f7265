/* Tests of reading weight snapshots (io/h5weights.c: h5in_weights_count,
 * h5in_weights_read, and their lines of h5out_info): good, killed and
 * damaged files, and tests/check_h5_layout.py on damaged weights. Part of
 * the h5weights suite; run from the repo root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"

/* The sample run with broken snapshots: ee/000001 lacks post, ee/000002
 * has 3 weights (for 37 synapses) without units and a t_ms before the
 * previous one, ee/000003 lacks t_ms, ie/000000 has signed pre ids (one
 * negative), ie/000001 a 2-D weight and an integer phase. */
static void make_damaged(const char *path)
{
    h5sample_write_run(path, 1);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hsize_t three = 3, eleven = 11, grid[2] = {11, 1};
    double w[11] = {0}, t = 0;
    int32_t neg[11] = {0, -1};
    ck_assert_int_ge(H5Ldelete(f, "/weights/ee/000001/post", H5P_DEFAULT), 0);
    ck_assert_int_ge(H5Ldelete(f, "/weights/ee/000002/weight", H5P_DEFAULT), 0);
    h5sample_put(f, "/weights/ee/000002/weight", H5T_NATIVE_DOUBLE, 1, &three, w);
    hid_t g = H5Gopen2(f, "/weights/ee/000002", H5P_DEFAULT);
    hid_t a = H5Aopen(g, "t_ms", H5P_DEFAULT); /* H5Aopen_by_name: no H5Awrite (1.10) */
    ck_assert_int_ge(H5Awrite(a, H5T_NATIVE_DOUBLE, &t), 0);
    H5Aclose(a);
    H5Gclose(g);
    ck_assert_int_ge(H5Adelete_by_name(f, "/weights/ee/000003", "t_ms", H5P_DEFAULT), 0);
    ck_assert_int_ge(H5Ldelete(f, "/weights/ie/000000/pre", H5P_DEFAULT), 0);
    h5sample_put(f, "/weights/ie/000000/pre", H5T_NATIVE_INT32, 1, &eleven, neg);
    ck_assert_int_ge(H5Ldelete(f, "/weights/ie/000001/weight", H5P_DEFAULT), 0);
    h5sample_put(f, "/weights/ie/000001/weight", H5T_NATIVE_DOUBLE, 2, grid, w);
    g = H5Gopen2(f, "/weights/ie/000001", H5P_DEFAULT);
    ck_assert_int_ge(H5Adelete(g, "phase"), 0);
    hid_t sp = H5Screate(H5S_SCALAR);
    a = H5Acreate2(g, "phase", H5T_NATIVE_INT32, sp, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Awrite(a, H5T_NATIVE_INT32, neg), 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Gclose(g);
    H5Fclose(f);
}

/* h5in_weights_read of snapshot snap of proj fails with HS_EINPUT naming
 * path and why, leaving nothing allocated and nothing on stderr. */
static void assert_weights_refuse(const char *path, const char *proj, size_t snap,
                                  const char *why)
{
    hs_error err;
    uint64_t *pre = (uint64_t *)&err, *post = pre;
    double *w = (double *)&err, t = 99;
    size_t n = 99;
    h5sample_stderr swap = h5sample_stderr_away();
    int rc = h5in_weights_read(path, proj, snap, &pre, &post, &w, &n, &t, &err);
    long printed = h5sample_stderr_back(swap);
    ck_assert_msg(rc == HS_EINPUT, "%s %s %zu: rc %d", path, proj, snap, rc);
    ck_assert(!pre && !post && !w && n == 0 && t == 0);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    ck_assert_msg(printed == 0, "%s: %ld bytes on stderr", path, printed);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

static void assert_count_refuses(const char *path, const char *proj, const char *why)
{
    hs_error err;
    size_t n = 99;
    ck_assert_int_eq(h5in_weights_count(path, proj, &n, &err), HS_EINPUT);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

/* A run file without weights. */
static void make_no_weights(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
}

START_TEST(test_weights_read_bad)
{
    char run[256], bad[256];
    snprintf(run, sizeof run, "%s", h5sample_path("run.h5"));
    snprintf(bad, sizeof bad, "%s", h5sample_path("bad.h5"));
    h5sample_write_run(run, 1);
    make_damaged(bad);
    make_no_weights(h5sample_path("none.h5"));
    h5sample_write_bytes(h5sample_path("text.h5"), "not: hdf5\n", 10);
    h5sample_truncated_copy(run, h5sample_path("half.h5"), h5sample_file_size(run) / 2);
    assert_weights_refuse(h5sample_path("missing.h5"), "ee", 0, "No such file");
    assert_weights_refuse(h5sample_path("text.h5"), "ee", 0, "not an HDF5 file");
    assert_weights_refuse(h5sample_path("half.h5"), "ee", 0, "truncated or corrupt");
    assert_weights_refuse(h5sample_path("none.h5"), "ee", 0, "no group /weights/ee");
    assert_weights_refuse(run, "xx", 0, "no group /weights/xx");
    assert_weights_refuse(run, "a/b", 0, "'a/b' cannot name a group under /weights");
    assert_weights_refuse(run, "ee", 4, "/weights/ee has no snapshot 4 (it has 4");
    assert_weights_refuse(run, "ie", (size_t)-1, "/weights/ie has no snapshot");
    assert_weights_refuse(bad, "ee", 1, "cannot open dataset /weights/ee/000001/post");
    assert_weights_refuse(bad, "ee", 2, "/weights/ee/000002: pre, post and weight differ");
    assert_weights_refuse(bad, "ee", 3, "/weights/ee/000003: no numeric attribute t_ms");
    assert_weights_refuse(bad, "ie", 0,
                          "/weights/ie/000000/pre holds values that are not non-negative");
    assert_weights_refuse(bad, "ie", 1, "/weights/ie/000001/weight is not 1-D");
    assert_count_refuses(h5sample_path("missing.h5"), "ee", "No such file");
    assert_count_refuses(h5sample_path("half.h5"), "ee", "truncated or corrupt");
    assert_count_refuses(h5sample_path("none.h5"), "ee", "no group /weights/ee");
    assert_count_refuses(run, "", "cannot name a group");
    /* the good snapshots of a damaged file stay readable */
    size_t n = 0;
    hs_error err;
    ck_assert_int_eq(h5in_weights_count(bad, "ee", &n, &err), HS_OK);
    ck_assert_uint_eq(n, 4);
    h5sample_check_snapshot_read(bad, 0, 0);
}
END_TEST

/* A file of: projection "empty" without snapshots, "one" with one empty
 * snapshot without phase, "big" with one of n synapses of weights 0, 0.5,
 * 1, 1.5 in turn (mean 0.75, in more than one block of the mean). */
static void make_odd_weights(const char *path, size_t n)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_weights_add(f, "empty", "exc", "exc", "nS", &err), 0);
    ck_assert_int_eq(h5out_weights_add(f, "one", "exc", "inh", "nS", &err), 1);
    ck_assert_int_eq(h5out_weights_add(f, "big", "inh", "exc", "pA", &err), 2);
    ck_assert_int_eq(h5out_weights_write(f, 1, NULL, NULL, NULL, 0, 0.0, NULL, &err),
                     HS_OK);
    uint64_t *id = calloc(n, sizeof *id);
    double *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[i] = 0.5 * (double)(i % 4);
    ck_assert_int_eq(h5out_weights_write(f, 2, id, id, w, n, 7.5, "rem", &err), HS_OK);
    free(id);
    free(w);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
}

START_TEST(test_info_weights)
{
    const char *run = h5sample_path("run.h5");
    h5sample_write_run(run, 1);
    const char *sample[] = {
        "weights:     2\n  ee               exc -> exc (nS), 4 snapshots\n",
        "    first 000000: 500.000 ms, phase explore, 37 synapses, mean weight 0.359375 "
        "nS\n",
        "    last  000003: 2000.000 ms, phase sleep, 37 synapses, mean weight 0.734375 "
        "nS\n",
        "  ie               inh -> exc (pA), 2 snapshots\n",
        "    first 000000: 1000.000 ms, phase explore, 11 synapses, mean weight -3.25 pA\n",
        "    last  000001: 2000.000 ms, phase sleep, 11 synapses, mean weight -4.25 pA\n"};
    h5sample_assert_info_has(run, sample, 6);
    const char *odd[] = {
        "  big              inh -> exc (pA), 1 snapshot\n"
        "    only  000000: 7.500 ms, phase rem, 200003 synapses, mean weight 0.749996 pA\n",
        "  empty            exc -> exc (nS), 0 snapshots\n  one ",
        "    only  000000: 0.000 ms, phase (none), 0 synapses, mean weight n/a\n"};
    make_odd_weights(h5sample_path("odd.h5"), 200003);
    h5sample_assert_info_has(h5sample_path("odd.h5"), odd, 3);
    const char *none[] = {"weights:     none\n"};
    make_no_weights(h5sample_path("none.h5"));
    h5sample_assert_info_has(h5sample_path("none.h5"), none, 1);
    make_damaged(h5sample_path("bad.h5"));
    h5sample_assert_info_refuses(h5sample_path("bad.h5"),
                                 "/weights/ee/000003: no numeric attribute t_ms");
}
END_TEST

/* A writer killed after a snapshot leaves it readable. */
START_TEST(test_weights_killed_run)
{
    const char *path = h5sample_path("killed.h5");
    h5sample_kill_mid_run(path);
    size_t n = 0;
    hs_error err;
    ck_assert_int_eq(h5in_weights_count(path, "ee", &n, &err), HS_OK);
    ck_assert_uint_eq(n, 1);
    h5sample_check_snapshot_read(path, 0, 0);
    const char *want[] = {"complete:    0 (INTERRUPTED",
                          "    only  000000: 500.000 ms, phase explore, 37 synapses"};
    h5sample_assert_info_has(path, want, 2);
}
END_TEST

/* tests/check_h5_layout.py finds every fault of the damaged weights. */
START_TEST(test_layout_checks_weights)
{
    const char *bad = h5sample_path("bad.h5");
    make_damaged(bad);
    const char *want[] = {
        "/weights/ee/000001: post missing",
        "/weights/ee/000002: lengths differ",
        "/weights/ee/000002/weight: no attribute units",
        "/weights/ee: t_ms decreases from 000001 (1000.0) to 000002 (0.0)",
        "/weights/ee/000003: no attribute t_ms",
        "/weights/ie/000000/pre: dtype int32, want uint64",
        "/weights/ie/000001.phase: int32, want str",
        "/weights/ie/000001/weight: rank 2, want 1"};
    h5sample_assert_layout_faults(bad, want, sizeof want / sizeof want[0]);
}
END_TEST

/* Adds this file's tests to the h5weights suite's test case. */
void h5weights_read_tests_add(TCase *tc)
{
    tcase_add_test(tc, test_weights_read_bad);
    tcase_add_test(tc, test_info_weights);
    tcase_add_test(tc, test_weights_killed_run);
    tcase_add_test(tc, test_layout_checks_weights);
}
