/* Tests of the run file writer (io/h5out.h): round trip through the HDF5
 * C API, crash safety (SIGKILL between appends), write errors, large
 * configs, and the layout as h5py and h5dump see it. The other parts of
 * the file have their own suites (test_h5in.c, test_h5weights.c,
 * test_h5behavior.c, test_h5maze.c, test_h5replay.c, test_h5template.c,
 * test_h5sleep.c). Run from the repo root: tests/check_h5_layout.py is
 * found relative to it. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

/* ---- reading back with the C API ---- */

static void assert_str_attr(hid_t file, const char *obj, const char *attr, const char *want)
{
    hid_t o = H5Oopen(file, obj, H5P_DEFAULT);
    ck_assert_int_ge(o, 0);
    char *s = h5sample_attr_str(o, attr);
    ck_assert_str_eq(s, want);
    free(s);
    H5Oclose(o);
}

static int32_t read_complete(hid_t file)
{
    int32_t complete = -1;
    hid_t g = H5Gopen2(file, "meta", H5P_DEFAULT);
    h5sample_attr_num(g, "complete", H5T_STD_I32LE, H5T_NATIVE_INT32, &complete);
    H5Gclose(g);
    return complete;
}

static void check_spikes(hid_t file, const char *pop, int k, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "/spikes/%s/timestamps", pop);
    double *t =
        h5sample_read_ds(file, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, (hssize_t)n);
    assert_str_attr(file, name, "units", "ms");
    snprintf(name, sizeof name, "/spikes/%s/node_ids", pop);
    uint64_t *id =
        h5sample_read_ds(file, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, (hssize_t)n);
    for (size_t i = 0; i < n; i++) {
        ck_assert(t[i] == h5sample_spike_time(k, i));
        ck_assert(id[i] == h5sample_spike_id(k, i));
    }
    free(t);
    free(id);
}

static void check_sorting(hid_t file, const char *pop, const char *want)
{
    hid_t g = H5Gopen2(file, pop, H5P_DEFAULT);
    hid_t a = H5Aopen(g, "sorting", H5P_DEFAULT);
    hid_t t = H5Aget_type(a), base = H5Tget_super(t);
    ck_assert_int_eq(H5Tget_class(t), H5T_ENUM);
    ck_assert_int_eq(H5Tget_nmembers(t), 3);
    ck_assert(H5Tequal(base, H5T_STD_U8LE) > 0);
    uint8_t v = 99, val[3] = {0, 1, 2};
    char member[16];
    const char *names[3] = {"none", "by_id", "by_time"};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_ge(H5Tenum_nameof(t, &val[i], member, sizeof member), 0);
        ck_assert_str_eq(member, names[i]);
    }
    ck_assert_int_ge(H5Aread(a, t, &v), 0);
    ck_assert_int_ge(H5Tenum_nameof(t, &v, member, sizeof member), 0);
    ck_assert_str_eq(member, want);
    H5Tclose(base);
    H5Tclose(t);
    H5Aclose(a);
    H5Gclose(g);
}

static void check_report(hid_t file)
{
    size_t rows = SAMPLE_BATCHES * SAMPLE_REP_ROWS_PER_BATCH;
    float *d = h5sample_read_ds(file, "/report/exc/data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                                (hssize_t)(rows * SAMPLE_REP_NODES));
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < SAMPLE_REP_NODES; c++)
            ck_assert(d[r * SAMPLE_REP_NODES + c] == h5sample_rep_value(r, c));
    free(d);
    assert_str_attr(file, "/report/exc/data", "units", "mV");
    assert_str_attr(file, "/report/exc/data", "variable", "V_m");
    uint64_t *ids = h5sample_read_ds(file, "/report/exc/mapping/node_ids",
                                     H5T_NATIVE_UINT64, H5T_STD_U64LE, SAMPLE_REP_NODES);
    uint64_t *ptr =
        h5sample_read_ds(file, "/report/exc/mapping/index_pointers", H5T_NATIVE_UINT64,
                         H5T_STD_U64LE, SAMPLE_REP_NODES + 1);
    uint32_t *el = h5sample_read_ds(file, "/report/exc/mapping/element_ids",
                                    H5T_NATIVE_UINT32, H5T_STD_U32LE, SAMPLE_REP_NODES);
    for (size_t i = 0; i < SAMPLE_REP_NODES; i++)
        ck_assert(ids[i] == h5sample_rep_ids[i] && el[i] == 0);
    for (size_t i = 0; i <= SAMPLE_REP_NODES; i++)
        ck_assert(ptr[i] == i);
    double *t = h5sample_read_ds(file, "/report/exc/mapping/time", H5T_NATIVE_DOUBLE,
                                 H5T_IEEE_F64LE, 3);
    ck_assert(t[0] == 10.0 && t[1] == 10.0 + 0.5 * (double)rows && t[2] == 0.5);
    assert_str_attr(file, "/report/exc/mapping/time", "units", "ms");
    free(ids);
    free(ptr);
    free(el);
    free(t);
}

static void check_phases(hid_t file)
{
    hid_t ds = H5Dopen2(file, "/phases/name", H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Dget_space(ds);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *s[2] = {NULL, NULL};
    ck_assert_int_eq(H5Sget_simple_extent_npoints(sp), 2);
    ck_assert_int_ge(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s), 0);
    ck_assert_str_eq(s[0], "explore");
    ck_assert_str_eq(s[1], "sleep");
    H5Dvlen_reclaim(t, sp, H5P_DEFAULT, s);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(ds);
    double *a =
        h5sample_read_ds(file, "/phases/start_ms", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2);
    double *b =
        h5sample_read_ds(file, "/phases/stop_ms", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2);
    ck_assert(a[0] == 0.0 && a[1] == 1000.0 && b[0] == 1000.0 && b[1] == 2000.0);
    assert_str_attr(file, "/phases/stop_ms", "units", "ms");
    free(a);
    free(b);
}

static void check_meta(hid_t file, int32_t complete)
{
    uint32_t magic = 0, version[2] = {9, 9};
    h5sample_attr_num(file, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, &magic);
    h5sample_attr_num(file, "version", H5T_STD_U32LE, H5T_NATIVE_UINT32, version);
    ck_assert(magic == 0x0A7A && version[0] == 0 && version[1] == 1);
    hid_t g = H5Gopen2(file, "meta", H5P_DEFAULT);
    uint64_t seed = 0;
    int32_t threads = 0;
    double wall = 0;
    h5sample_attr_num(g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    h5sample_attr_num(g, "threads", H5T_STD_I32LE, H5T_NATIVE_INT32, &threads);
    h5sample_attr_num(g, "wall_s", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &wall);
    ck_assert(seed == h5sample_meta.seed && threads == 2 && wall == 3.25);
    H5Gclose(g);
    ck_assert_int_eq(read_complete(file), complete);
    assert_str_attr(file, "/meta", "version", "0.1.0");
    assert_str_attr(file, "/meta", "git_commit", "abc1234");
    assert_str_attr(file, "/meta", "config", h5sample_meta.config_text);
    assert_str_attr(file, "/meta", "overrides", "--set a.b=1");
    g = H5Gopen2(file, "meta", H5P_DEFAULT);
    char *created = h5sample_attr_str(g, "created");
    ck_assert_int_eq(strlen(created), 20);
    ck_assert(created[4] == '-' && created[10] == 'T' && created[19] == 'Z');
    free(created);
    H5Gclose(g);
}

START_TEST(test_round_trip)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    check_meta(file, 1);
    check_spikes(file, "exc", 0, SAMPLE_BATCHES * SAMPLE_EXC_PER_BATCH);
    check_spikes(file, "inh", 1, SAMPLE_BATCHES * SAMPLE_INH_PER_BATCH);
    check_sorting(file, "/spikes/exc", "by_time");
    uint64_t n_nodes = 0;
    hid_t g = H5Gopen2(file, "/spikes/exc", H5P_DEFAULT);
    h5sample_attr_num(g, "n_nodes", H5T_STD_U64LE, H5T_NATIVE_UINT64, &n_nodes);
    ck_assert(n_nodes == 400);
    H5Gclose(g);
    g = H5Gopen2(file, "/spikes/inh", H5P_DEFAULT);
    ck_assert_int_eq(H5Aexists(g, "n_nodes"), 0);
    H5Gclose(g);
    check_report(file);
    check_phases(file);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* ---- crash safety ---- */

START_TEST(test_sigkill_leaves_readable_file)
{
    const char *path = h5sample_path("killed.h5");
    h5sample_kill_mid_run(path);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    ck_assert_int_eq(read_complete(file), 0);
    check_spikes(file, "exc", 0, 2 * SAMPLE_EXC_PER_BATCH);
    float *d = h5sample_read_ds(file, "/report/exc/data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                                SAMPLE_REP_ROWS_PER_BATCH * SAMPLE_REP_NODES);
    ck_assert(d[SAMPLE_REP_NODES + 1] == h5sample_rep_value(1, 1));
    free(d);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* ---- writer errors ---- */

START_TEST(test_write_errors)
{
    hs_error err;
    const char *bad = h5sample_path("no/such/dir/run.h5");
    ck_assert_ptr_null(h5out_create(bad, &h5sample_meta, &err));
    ck_assert_int_eq(err.code, HS_EIO);
    ck_assert_msg(strstr(err.msg, bad), "%s", err.msg);
    ck_assert_int_eq(h5sample_open_ids(), 0);

    h5out *f = h5out_create(h5sample_path("run.h5"), NULL, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_spikes_add(f, "a/b", &err), HS_EINPUT);
    ck_assert_int_eq(h5out_spikes_add(f, "", &err), HS_EINPUT);
    int h = h5out_spikes_add(f, "exc", &err);
    ck_assert_int_eq(h, 0);
    ck_assert_int_eq(h5out_spikes_add(f, "exc", &err), HS_EINPUT);
    ck_assert_int_eq(h5out_spikes_append(f, 7, NULL, NULL, 1, &err), HS_EINTERNAL);
    ck_assert_int_eq(h5out_report_append(f, 0, NULL, 1, &err), HS_EINTERNAL);
    ck_assert_int_eq(
        h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, 0, 0, 0.1, &err),
        HS_EINPUT);
    ck_assert_int_eq(
        h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, 3, 0, 0, &err),
        HS_EINPUT);
    ck_assert_int_eq(
        h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, 3, 0, 0.1, &err), 0);
    ck_assert_int_eq(
        h5out_report_add(f, "exc", "g", "nS", h5sample_rep_ids, 3, 0, 0.1, &err),
        HS_EINPUT);
    /* times going backwards make `sorting` none */
    h5sample_append_spikes(f, h, 0, 10, 5);
    h5sample_append_spikes(f, h, 0, 0, 5);
    ck_assert_int_eq(h5out_close(f, 1, 0.0, &err), HS_OK);
    ck_assert_int_eq(h5out_close(NULL, 1, 0.0, &err), HS_OK);
    hid_t file = H5Fopen(h5sample_path("run.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
    check_sorting(file, "/spikes/exc", "none");
    assert_str_attr(file, "/meta", "git_commit", "unknown");
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* For a forked child: with files capped at 256 KiB, appending 1.6 MB of
 * spikes must fail with HS_EIO naming the file, the next append must be
 * refused (HS_EIO), close must return, and the process must exit cleanly.
 * Exits 0 when all did, else a code saying which step went wrong. */
static void write_past_limit(const char *path)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {256 * 1024, 256 * 1024};
    hs_error err;
    size_t n = 200000;
    double *t = calloc(n, sizeof *t);
    uint64_t *id = calloc(n, sizeof *id);
    if (!t || !id || setrlimit(RLIMIT_FSIZE, &lim) != 0)
        _exit(10);
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    int h = f ? h5out_spikes_add(f, "exc", &err) : -1;
    if (h < 0)
        _exit(11);
    int rc = h5out_spikes_append(f, h, t, id, n, &err);
    if (rc != HS_EIO || !strstr(err.msg, path) || !strstr(err.msg, "File too large"))
        _exit(12);
    /* small enough to fit, but after a failed write the file takes nothing */
    rc = h5out_spikes_append(f, h, t, id, 1, &err);
    if (rc != HS_EIO || !strstr(err.msg, "an earlier write to the file failed"))
        _exit(14);
    rc = h5out_close(f, 1, 0.0, &err);
    if (rc != HS_OK && rc != HS_EIO)
        _exit(13);
    free(t);
    free(id);
    /* exit() runs HDF5's exit-time teardown, which crashes after a failed
     * close unless h5out turned it off; it can only when this process had
     * not used HDF5 before, which CK_FORK=no breaks. Under AddressSanitizer
     * exit() would report what HDF5 keeps of the failed file as a leak. */
    const char *ck_fork = getenv("CK_FORK");
    int plain_exit = !(ck_fork && strcmp(ck_fork, "no") == 0);
#ifdef __SANITIZE_ADDRESS__
    plain_exit = 0;
#endif
    if (plain_exit)
        exit(0);
    _exit(0);
}

START_TEST(test_write_failure_is_eio)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        write_past_limit(h5sample_path("full.h5"));
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    /* the file as its last good flush left it: readable, complete = 0
     * although close was asked for 1, and no spike of the failed append */
    hid_t file = H5Fopen(h5sample_path("full.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    hid_t meta = H5Gopen2(file, "/meta", H5P_DEFAULT);
    int32_t complete = -1;
    h5sample_attr_num(meta, "complete", H5T_STD_I32LE, H5T_NATIVE_INT32, &complete);
    ck_assert_int_eq(complete, 0);
    hid_t ds = H5Dopen2(file, "/spikes/exc/timestamps", H5P_DEFAULT);
    hid_t sp = H5Dget_space(ds);
    ck_assert_int_eq(H5Sget_simple_extent_npoints(sp), 0);
    H5Sclose(sp);
    H5Dclose(ds);
    H5Gclose(meta);
    H5Fclose(file);
}
END_TEST

/* A configuration far above the 64 KiB limit of a compact attribute. */
START_TEST(test_big_config)
{
    size_t n = 300 * 1024;
    char *cfg = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        cfg[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
    cfg[n] = '\0';
    h5out_meta m = h5sample_meta;
    m.config_text = cfg;
    hs_error err;
    h5out *f = h5out_create(h5sample_path("big.h5"), &m, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    hid_t file = H5Fopen(h5sample_path("big.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_str_attr(file, "/meta", "config", cfg);
    H5Fclose(file);
    free(cfg);
    int rc;
    char *text = h5sample_info(h5sample_path("big.h5"), &rc, &err);
    ck_assert_int_eq(rc, HS_OK);
    ck_assert_ptr_nonnull(strstr(text, "307200 bytes"));
    free(text);
}
END_TEST

/* ---- layout as h5py and h5dump see it ---- */

static int run(const char *cmd)
{
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_layout_h5py_h5dump)
{
    const char *script = "tests/check_h5_layout.py";
    ck_assert_msg(access(script, R_OK) == 0, "%s not found: run from the repo root",
                  script);
    ck_assert_msg(access("/usr/bin/python3", X_OK) == 0, "no /usr/bin/python3");
    h5sample_write_run(h5sample_path("run.h5"), 1);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s --expect-complete 1", script,
             h5sample_path("run.h5"));
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5dump -H %s > /dev/null", h5sample_path("run.h5"));
    ck_assert_int_eq(run(cmd), 0);
    /* and a file whose writer was killed */
    pid_t pid = fork();
    if (pid == 0)
        h5sample_die_mid_run(h5sample_path("killed.h5"));
    waitpid(pid, NULL, 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s --expect-complete 0", script,
             h5sample_path("killed.h5"));
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5dump -H %s > /dev/null", h5sample_path("killed.h5"));
    ck_assert_int_eq(run(cmd), 0);
}
END_TEST

Suite *h5out_suite(void)
{
    Suite *s = suite_create("h5out");
    TCase *tc = h5sample_tcase("h5out");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_sigkill_leaves_readable_file);
    tcase_add_test(tc, test_write_errors);
    tcase_add_test(tc, test_write_failure_is_eio);
    tcase_add_test(tc, test_big_config);
    tcase_add_test(tc, test_layout_h5py_h5dump);
    suite_add_tcase(s, tc);
    return s;
}
