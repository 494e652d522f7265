/* Tests of writing weight snapshots (/weights): round trip through the HDF5
 * C API and the h5in readers, snapshot names and order, writer errors and
 * a failed write. The reading side is tested in
 * test_h5weights_read.c. */
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

static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    char *list = data;
    size_t len = strlen(list);
    snprintf(list + len, 256 - len, "%s%s", len ? " " : "", name);
    return 0;
}

/* Members of group name of file in name order, space-separated, into
 * list[256]. */
static const char *names_of(hid_t file, const char *name, char *list)
{
    hid_t g = H5Gopen2(file, name, H5P_DEFAULT);
    ck_assert_msg(g >= 0, "no group %s", name);
    list[0] = '\0';
    hsize_t at = 0;
    ck_assert_int_ge(H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &at, add_name, list), 0);
    H5Gclose(g);
    return list;
}

static void assert_attr_str(hid_t obj, const char *attr, const char *want)
{
    char *s = h5sample_attr_str(obj, attr);
    ck_assert_str_eq(s, want);
    free(s);
}

static void assert_contiguous(hid_t file, const char *name)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds);
    ck_assert_int_eq(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
    H5Pclose(dcpl);
    H5Dclose(ds);
}

/* ---- round trip ---- */

static void check_proj_c(hid_t file, int p)
{
    const h5sample_proj *j = &h5sample_projs[p];
    char name[64], list[256], want[256] = "";
    snprintf(name, sizeof name, "/weights/%s", j->name);
    hid_t g = H5Gopen2(file, name, H5P_DEFAULT);
    ck_assert_int_ge(g, 0);
    assert_attr_str(g, "pre_population", j->pre);
    assert_attr_str(g, "post_population", j->post);
    assert_attr_str(g, "units", j->units);
    H5Gclose(g);
    for (size_t k = 0; k < j->n_snap; k++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%06zu", k ? " " : "",
                 k);
    ck_assert_str_eq(names_of(file, name, list), want);
}

static void check_snapshot_c(hid_t file, int p, size_t k)
{
    const h5sample_proj *j = &h5sample_projs[p];
    hssize_t n = (hssize_t)j->n_syn;
    char g_name[64], name[80];
    snprintf(g_name, sizeof g_name, "/weights/%s/%06zu", j->name, k);
    snprintf(name, sizeof name, "%s/pre", g_name);
    uint64_t *pre = h5sample_read_ds(file, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, n);
    assert_contiguous(file, name);
    snprintf(name, sizeof name, "%s/post", g_name);
    uint64_t *post = h5sample_read_ds(file, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, n);
    snprintf(name, sizeof name, "%s/weight", g_name);
    double *w = h5sample_read_ds(file, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n);
    assert_contiguous(file, name);
    for (size_t i = 0; i < j->n_syn; i++) {
        ck_assert(pre[i] == h5sample_w_pre(p, i));
        ck_assert(post[i] == h5sample_w_post(p, i));
        ck_assert(w[i] == h5sample_w_value(p, k, i));
    }
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    assert_attr_str(ds, "units", j->units);
    H5Dclose(ds);
    hid_t g = H5Gopen2(file, g_name, H5P_DEFAULT);
    double t = -1;
    h5sample_attr_num(g, "t_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &t);
    ck_assert(t == h5sample_w_time(p, k));
    assert_attr_str(g, "phase", h5sample_w_phase(p, k));
    H5Gclose(g);
    free(pre);
    free(post);
    free(w);
}

START_TEST(test_weights_round_trip)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    char list[256];
    ck_assert_str_eq(names_of(file, "/weights", list), "ee ie");
    for (int p = 0; p < SAMPLE_PROJS; p++) {
        check_proj_c(file, p);
        for (size_t k = 0; k < h5sample_projs[p].n_snap; k++)
            check_snapshot_c(file, p, k);
    }
    H5Fclose(file);
    hs_error err;
    for (int p = 0; p < SAMPLE_PROJS; p++) {
        size_t count = 99;
        ck_assert_int_eq(h5in_weights_count(path, h5sample_projs[p].name, &count, &err),
                         HS_OK);
        ck_assert_uint_eq(count, h5sample_projs[p].n_snap);
        for (size_t k = 0; k < count; k++)
            h5sample_check_snapshot_read(path, p, k);
    }
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* ---- names and order ---- */

/* 12 snapshots of "a" around 3 of "b": equal times, an empty snapshot and
 * a NULL phase are fine; each projection numbers its own. */
static void write_many(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_weights_add(f, "a", "exc", "exc", "nS", &err), 0);
    ck_assert_int_eq(h5out_weights_add(f, "b", "exc", "inh", "nS", &err), 1);
    uint64_t id[3] = {1, 2, 3};
    double w[3] = {0.5, 1.5, 2.5};
    for (size_t k = 0; k < 12; k++) {
        double t = k < 2 ? 0.0 : 10.0 * (double)k;
        const char *phase = k == 5 ? NULL : k % 2 ? "nrem" : "wake";
        size_t n = k == 11 ? 0 : 3;
        ck_assert_int_eq(h5out_weights_write(f, 0, n ? id : NULL, n ? id : NULL,
                                             n ? w : NULL, n, t, phase, &err),
                         HS_OK);
        if (k % 4 == 0)
            ck_assert_int_eq(h5out_weights_write(f, 1, id, id, w, 3, t, "wake", &err),
                             HS_OK);
    }
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
}

START_TEST(test_weights_naming)
{
    const char *path = h5sample_path("many.h5");
    write_many(path);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char list[256];
    ck_assert_str_eq(names_of(file, "/weights/a", list),
                     "000000 000001 000002 000003 000004 000005 000006 000007 000008 "
                     "000009 000010 000011");
    ck_assert_str_eq(names_of(file, "/weights/b", list), "000000 000001 000002");
    hid_t g = H5Gopen2(file, "/weights/a/000005", H5P_DEFAULT);
    assert_attr_str(g, "phase", "");
    H5Gclose(g);
    H5Fclose(file);
    hs_error err;
    double last = -1;
    for (size_t k = 0; k < 12; k++) {
        uint64_t *pre, *post;
        double *w, t;
        size_t n;
        ck_assert_int_eq(h5in_weights_read(path, "a", k, &pre, &post, &w, &n, &t, &err),
                         HS_OK);
        ck_assert(t >= last && t == (k < 2 ? 0.0 : 10.0 * (double)k));
        last = t;
        ck_assert_uint_eq(n, k == 11 ? 0 : 3);
        ck_assert(pre && post && w);
        ck_assert(n == 0 || (pre[2] == 3 && post[0] == 1 && w[1] == 1.5));
        free(pre);
        free(post);
        free(w);
    }
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* ---- writer errors ---- */

static void assert_refused(int rc, int want, const hs_error *err, const char *why)
{
    ck_assert_msg(rc == want, "rc %d, want %d (%s)", rc, want, err->msg);
    ck_assert_msg(strstr(err->msg, why), "message lacks '%s': %s", why, err->msg);
}

START_TEST(test_weights_write_errors)
{
    const char *path = h5sample_path("err.h5");
    hs_error err;
    uint64_t id[2] = {0, 1};
    double w[2] = {1.0, 2.0};
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_weights_add(NULL, "ee", "exc", "exc", "nS", &err), HS_EINTERNAL);
    const char *bad[] = {"", "a/b", ".", NULL};
    for (size_t i = 0; i < 4; i++)
        assert_refused(h5out_weights_add(f, bad[i], "exc", "exc", "nS", &err), HS_EINPUT,
                       &err, "projection name");
    assert_refused(h5out_weights_add(f, "ee", "", "exc", "nS", &err), HS_EINPUT, &err,
                   "empty population name or units");
    assert_refused(h5out_weights_add(f, "ee", "exc", NULL, "nS", &err), HS_EINPUT, &err,
                   "empty");
    assert_refused(h5out_weights_add(f, "ee", "exc", "exc", "", &err), HS_EINPUT, &err,
                   "empty");
    ck_assert_int_eq(h5out_weights_add(f, "ee", "exc", "exc", "nS", &err), 0);
    assert_refused(h5out_weights_add(f, "ee", "inh", "exc", "pA", &err), HS_EINPUT, &err,
                   "added twice");
    assert_refused(h5out_weights_write(f, 1, id, id, w, 2, 0, "wake", &err), HS_EINTERNAL,
                   &err, "bad weights handle 1");
    assert_refused(h5out_weights_write(f, -1, id, id, w, 2, 0, "wake", &err), HS_EINTERNAL,
                   &err, "bad weights handle");
    assert_refused(h5out_weights_write(NULL, 0, id, id, w, 2, 0, "wake", &err),
                   HS_EINTERNAL, &err, "NULL");
    assert_refused(h5out_weights_write(f, 0, id, NULL, w, 2, 0, "wake", &err), HS_EINTERNAL,
                   &err, "NULL weight arrays");
    assert_refused(h5out_weights_write(f, 0, id, id, w, 2, NAN, "wake", &err), HS_EINPUT,
                   &err, "not finite");
    assert_refused(h5out_weights_write(f, 0, id, id, w, 2, INFINITY, "wake", &err),
                   HS_EINPUT, &err, "not finite");
    ck_assert_int_eq(h5out_weights_write(f, 0, id, id, w, 2, 10.0, "wake", &err), HS_OK);
    assert_refused(h5out_weights_write(f, 0, id, id, w, 2, 9.5, "wake", &err), HS_EINPUT,
                   &err,
                   "/weights/ee: snapshot at 9.5 ms is before the previous one (10 ms)");
    ck_assert_int_eq(h5out_weights_write(f, 0, id, id, w, 2, 10.0, "nrem", &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    /* refused calls left nothing behind */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char list[256];
    ck_assert_str_eq(names_of(file, "/weights", list), "ee");
    ck_assert_str_eq(names_of(file, "/weights/ee", list), "000000 000001");
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* For a forked child: with files capped at 256 KiB, a snapshot of 50000
 * synapses (1.2 MB) must fail with HS_EIO naming the file and the snapshot,
 * and close must return. Exits 0 when both did, else the failed step. */
static void snapshot_past_limit(const char *path)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {256 * 1024, 256 * 1024};
    size_t n = 50000;
    uint64_t *id = calloc(n, sizeof *id);
    double *w = calloc(n, sizeof *w);
    hs_error err;
    if (!id || !w || setrlimit(RLIMIT_FSIZE, &lim) != 0)
        _exit(10);
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    if (!f || h5out_weights_add(f, "ee", "exc", "exc", "nS", &err) != 0)
        _exit(11);
    int rc = h5out_weights_write(f, 0, id, id, w, n, 1.0, "wake", &err);
    if (rc != HS_EIO || !strstr(err.msg, path) ||
        !strstr(err.msg, "snapshot 000000 of /weights/ee"))
        _exit(12);
    rc = h5out_close(f, 0, 0.0, &err);
    if (rc != HS_OK && rc != HS_EIO)
        _exit(13);
    free(id);
    free(w);
    _exit(0); /* HDF5's exit-time teardown is test_write_failure_is_eio's business */
}

START_TEST(test_weights_write_failure_is_eio)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        snapshot_past_limit(h5sample_path("full.h5"));
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}
END_TEST

void h5weights_read_tests_add(TCase *tc);   /* test_h5weights_read.c */

Suite *h5weights_suite(void)
{
    Suite *s = suite_create("h5weights");
    TCase *tc = h5sample_tcase("h5weights");
    tcase_add_test(tc, test_weights_round_trip);
    tcase_add_test(tc, test_weights_naming);
    tcase_add_test(tc, test_weights_write_errors);
    tcase_add_test(tc, test_weights_write_failure_is_eio);
    h5weights_read_tests_add(tc);
    suite_add_tcase(s, tc);
    return s;
}
