/* Tests of the reading side (io/h5in.c): h5out_info on good, interrupted
 * and bad files, and the h5in readers on good and bad datasets; hostile
 * files are in test_h5in_hostile.c, the weight snapshot readers in
 * test_h5weights_read.c. Run from the repo root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

/* ---- info ---- */

START_TEST(test_info_good)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    hs_error err;
    int rc;
    char *text = h5sample_info(path, &rc, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    const char *want[] = {"abc1234",
                          "seed:        12345678901234",
                          "threads:     2",
                          "complete:    1",
                          "wall time:   3.250 s",
                          "explore",
                          "sws",
                          "1000.000 -     2000.000 ms",
                          "200 spikes, 100.000 Hz total",
                          "0.250 Hz per neuron (400 neurons)",
                          "28 spikes, 14.000 Hz total",
                          "(population size not recorded)",
                          "V_m (mV), 20 times x 3 values"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]), "info lacks '%s':\n%s", want[i], text);
    free(text);
}
END_TEST

START_TEST(test_info_interrupted)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 0);
    hs_error err;
    int rc;
    char *text = h5sample_info(path, &rc, &err);
    ck_assert_int_eq(rc, HS_OK);
    ck_assert_msg(strstr(text, "complete:    0 (INTERRUPTED"), "%s", text);
    free(text);
}
END_TEST

static void make_plain_hdf5(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(g);
    H5Fclose(f);
}

START_TEST(test_info_bad_files)
{
    char good[256];
    snprintf(good, sizeof good, "%s", h5sample_path("run.h5"));
    h5sample_write_run(good, 1);
    h5sample_write_bytes(h5sample_path("text.h5"), "not: hdf5\n", 10);
    h5sample_write_bytes(h5sample_path("empty.h5"), "", 0);
    long size = h5sample_file_size(good);
    h5sample_truncated_copy(good, h5sample_path("half.h5"), size / 2);
    h5sample_truncated_copy(good, h5sample_path("head.h5"), 100);
    make_plain_hdf5(h5sample_path("plain.h5"));
    h5sample_assert_info_refuses(h5sample_path("missing.h5"), "No such file");
    h5sample_assert_info_refuses(h5sample_path("text.h5"), "not an HDF5 file");
    h5sample_assert_info_refuses(h5sample_path("empty.h5"), "not an HDF5 file");
    h5sample_assert_info_refuses(h5sample_path("half.h5"), "truncated or corrupt");
    h5sample_assert_info_refuses(h5sample_path("head.h5"), "truncated or corrupt");
    h5sample_assert_info_refuses(h5sample_path("plain.h5"), "not a hebbsleep run file");
}
END_TEST

/* ---- h5in readers ---- */

/* Datasets of several types and shapes under /a. */
static void make_inputs(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "a", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 4, zero = 0, grid[2] = {2, 2};
    float t[4] = {0.5f, 1.0f, 2.25f, 3.0f};
    int32_t ids[4] = {3, 0, 2, 1}, neg[4] = {1, -1, 2, 3};
    double frac[4] = {1.0, 2.5, 3.0, 4.0};
    h5sample_put(g, "t", H5T_NATIVE_FLOAT, 1, &n, t);
    h5sample_put(g, "ids", H5T_NATIVE_INT32, 1, &n, ids);
    h5sample_put(g, "neg", H5T_NATIVE_INT32, 1, &n, neg);
    h5sample_put(g, "frac", H5T_NATIVE_DOUBLE, 1, &n, frac);
    h5sample_put(g, "grid", H5T_NATIVE_INT32, 2, grid, ids);
    h5sample_put(g, "empty", H5T_NATIVE_DOUBLE, 1, &zero, frac);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 6);
    h5sample_put(g, "text", str, 0, NULL, "hello");
    H5Tclose(str);
    H5Gclose(g);
    H5Fclose(f);
}

START_TEST(test_read_good)
{
    const char *path = h5sample_path("in.h5");
    make_inputs(path);
    hs_error err;
    double *t = NULL;
    uint64_t *ids = NULL;
    size_t n = 0;
    ck_assert_int_eq(h5in_read_doubles(path, "/a/t", &t, &n, &err), HS_OK);
    ck_assert(n == 4 && t[0] == 0.5 && t[2] == 2.25 && t[3] == 3.0);
    free(t);
    ck_assert_int_eq(h5in_read_u64(path, "/a/ids", &ids, &n, &err), HS_OK);
    ck_assert(n == 4 && ids[0] == 3 && ids[1] == 0 && ids[3] == 1);
    free(ids);
    ck_assert_int_eq(h5in_read_doubles(path, "a/ids", &t, &n, &err), HS_OK);
    ck_assert(n == 4 && t[0] == 3.0);
    free(t);
    ck_assert_int_eq(h5in_read_doubles(path, "/a/empty", &t, &n, &err), HS_OK);
    ck_assert(n == 0 && t != NULL);
    free(t);
    /* whole floats convert to ids */
    h5sample_write_run(h5sample_path("run.h5"), 1);
    ck_assert_int_eq(
        h5in_read_u64(h5sample_path("run.h5"), "/spikes/exc/node_ids", &ids, &n, &err),
        HS_OK);
    ck_assert(n == SAMPLE_BATCHES * SAMPLE_EXC_PER_BATCH &&
              ids[5] == h5sample_spike_id(0, 5));
    free(ids);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

static void assert_read_refuses(const char *path, const char *ds, int as_u64,
                                const char *why)
{
    hs_error err;
    double *d = (double *)&err;
    uint64_t *u = (uint64_t *)&err;
    size_t n = 99;
    int rc = as_u64 ? h5in_read_u64(path, ds, &u, &n, &err)
                    : h5in_read_doubles(path, ds, &d, &n, &err);
    ck_assert_msg(rc == HS_EINPUT, "%s %s: rc %d", path, ds, rc);
    ck_assert(n == 0 && (as_u64 ? (void *)u : (void *)d) == NULL);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    if (strcmp(why, "No such file") != 0 && strcmp(why, "not an HDF5") != 0)
        ck_assert_msg(strstr(err.msg, ds), "message lacks the dataset: %s", err.msg);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

START_TEST(test_read_bad)
{
    const char *path = h5sample_path("in.h5");
    make_inputs(path);
    h5sample_write_bytes(h5sample_path("text.txt"), "1 2 3\n", 6);
    assert_read_refuses(h5sample_path("missing.h5"), "/a/t", 0, "No such file");
    assert_read_refuses(h5sample_path("text.txt"), "/a/t", 0, "not an HDF5");
    assert_read_refuses(path, "/a/nope", 0, "cannot open dataset");
    assert_read_refuses(path, "/b/t", 1, "cannot open dataset");
    assert_read_refuses(path, "/a", 0, "cannot open dataset");
    assert_read_refuses(path, "/a/grid", 0, "not 1-D");
    assert_read_refuses(path, "/a/text", 1, "not numeric");
    assert_read_refuses(path, "/a/neg", 1, "not non-negative integers");
    assert_read_refuses(path, "/a/frac", 1, "not non-negative integers");
}
END_TEST

void h5in_hostile_tests_add(TCase *tc);   /* test_h5in_hostile.c */

Suite *h5in_suite(void)
{
    Suite *s = suite_create("h5in");
    TCase *tc = h5sample_tcase("h5in");
    tcase_add_test(tc, test_info_good);
    tcase_add_test(tc, test_info_interrupted);
    tcase_add_test(tc, test_info_bad_files);
    tcase_add_test(tc, test_read_good);
    tcase_add_test(tc, test_read_bad);
    h5in_hostile_tests_add(tc);
    suite_add_tcase(s, tc);
    return s;
}
