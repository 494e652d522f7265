/* Tests of the run file: round trip through the HDF5 C API, crash safety
 * (SIGKILL between appends), h5out_info on good and bad files, the h5in
 * readers, and the layout as h5py and h5dump see it. Run from the repo root
 * (tests/check_h5_layout.py is found relative to it). */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../io/h5out.h"
#include "suites.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hs_h5out_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char p[sizeof tmpdir + 260];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(tmpdir);
}

/* path of name in the temporary directory; valid for the next 7 calls */
static const char *tmp(const char *name)
{
    static char p[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

static long open_ids(void)
{
    return (long)H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

/* ---- a sample run ---- */

#define N_BATCH 4
#define EXC_PER_BATCH 50
#define INH_PER_BATCH 7
#define REP_NODES 3
#define REP_ROWS_PER_BATCH 5

static const h5out_meta META = {"0.1.0", "abc1234", 12345678901234ULL, 2,
                                "simulation: {dt_ms: 0.1}\n", "--set a.b=1"};

static double spike_time(int pop, size_t i) { return 0.25 * (double)i + 0.125 * pop; }
static uint64_t spike_id(int pop, size_t i) { return (uint64_t)(i * 7 + (size_t)pop) % 400; }
static float rep_value(size_t row, size_t col) { return -65.0f + 0.5f * (float)row - 0.01f * (float)col; }

static void append_spikes(h5out *f, int h, int pop, size_t first, size_t n)
{
    double t[64];
    uint64_t id[64];
    hs_error err;
    for (size_t i = 0; i < n; i++) {
        t[i] = spike_time(pop, first + i);
        id[i] = spike_id(pop, first + i);
    }
    ck_assert_int_eq(h5out_spikes_append(f, h, t, id, n, &err), HS_OK);
}

static void append_report(h5out *f, int h, size_t first_row)
{
    float d[REP_ROWS_PER_BATCH * REP_NODES];
    hs_error err;
    for (size_t r = 0; r < REP_ROWS_PER_BATCH; r++)
        for (size_t c = 0; c < REP_NODES; c++)
            d[r * REP_NODES + c] = rep_value(first_row + r, c);
    ck_assert_int_eq(h5out_report_append(f, h, d, REP_ROWS_PER_BATCH, &err), HS_OK);
}

static const char *const PH_NAME[] = {"explore", "sleep"};
static const char *const PH_STAGE[] = {"awake", "sws"};
static const double PH_START[] = {0.0, 1000.0}, PH_STOP[] = {1000.0, 2000.0};
static const uint64_t REP_IDS[REP_NODES] = {5, 17, 399};

/* Writes the sample run to path: two populations and a report in batches. */
static void write_run(const char *path, int complete)
{
    hs_error err;
    h5out *f = h5out_create(path, &META, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    int exc = h5out_spikes_add(f, "exc", &err), inh = h5out_spikes_add(f, "inh", &err);
    ck_assert_int_eq(exc, 0);
    ck_assert_int_eq(inh, 1);
    ck_assert_int_eq(h5out_spikes_set_size(f, exc, 400, &err), HS_OK);
    int rep = h5out_report_add(f, "exc", "V_m", "mV", REP_IDS, REP_NODES, 10.0, 0.5, &err);
    ck_assert_int_eq(rep, 0);
    ck_assert_int_eq(h5out_phases_write(f, PH_NAME, PH_STAGE, PH_START, PH_START, 1, &err),
                     HS_OK);
    for (size_t b = 0; b < N_BATCH; b++) {
        append_spikes(f, exc, 0, b * EXC_PER_BATCH, EXC_PER_BATCH);
        append_spikes(f, inh, 1, b * INH_PER_BATCH, INH_PER_BATCH);
        append_report(f, rep, b * REP_ROWS_PER_BATCH);
    }
    /* rewritten: the second write replaces the first */
    ck_assert_int_eq(h5out_phases_write(f, PH_NAME, PH_STAGE, PH_START, PH_STOP, 2, &err),
                     HS_OK);
    ck_assert_int_eq(h5out_close(f, complete, 3.25, &err), HS_OK);
    ck_assert_int_eq(open_ids(), 0);
}

/* ---- reading back with the C API ---- */

static void *read_ds(hid_t file, const char *name, hid_t mem_type, hid_t want_type,
                     hssize_t want_n)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    ck_assert_msg(ds >= 0, "no dataset %s", name);
    hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
    ck_assert_msg(H5Tequal(t, want_type) > 0, "%s: wrong file type", name);
    ck_assert_int_eq(H5Sget_simple_extent_npoints(sp), want_n);
    void *buf = malloc((size_t)(want_n ? want_n : 1) * H5Tget_size(mem_type));
    ck_assert_int_ge(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(ds);
    return buf;
}

static char *read_str_attr(hid_t obj, const char *attr)
{
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
    ck_assert_msg(a >= 0, "no attribute %s", attr);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *s = NULL;
    ck_assert_int_ge(H5Aread(a, t, &s), 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static void read_num_attr(hid_t obj, const char *attr, hid_t want_type, hid_t mem, void *v)
{
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
    ck_assert_msg(a >= 0, "no attribute %s", attr);
    hid_t t = H5Aget_type(a);
    ck_assert_msg(H5Tequal(t, want_type) > 0, "attribute %s: wrong type", attr);
    ck_assert_int_ge(H5Aread(a, mem, v), 0);
    H5Tclose(t);
    H5Aclose(a);
}

static void assert_str_attr(hid_t file, const char *obj, const char *attr, const char *want)
{
    hid_t o = H5Oopen(file, obj, H5P_DEFAULT);
    ck_assert_int_ge(o, 0);
    char *s = read_str_attr(o, attr);
    ck_assert_str_eq(s, want);
    free(s);
    H5Oclose(o);
}

static int32_t read_complete(hid_t file)
{
    int32_t complete = -1;
    hid_t g = H5Gopen2(file, "meta", H5P_DEFAULT);
    read_num_attr(g, "complete", H5T_STD_I32LE, H5T_NATIVE_INT32, &complete);
    H5Gclose(g);
    return complete;
}

static void check_spikes(hid_t file, const char *pop, int k, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "/spikes/%s/timestamps", pop);
    double *t = read_ds(file, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, (hssize_t)n);
    assert_str_attr(file, name, "units", "ms");
    snprintf(name, sizeof name, "/spikes/%s/node_ids", pop);
    uint64_t *id = read_ds(file, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, (hssize_t)n);
    for (size_t i = 0; i < n; i++) {
        ck_assert(t[i] == spike_time(k, i));
        ck_assert(id[i] == spike_id(k, i));
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
    size_t rows = N_BATCH * REP_ROWS_PER_BATCH;
    float *d = read_ds(file, "/report/exc/data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                       (hssize_t)(rows * REP_NODES));
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < REP_NODES; c++)
            ck_assert(d[r * REP_NODES + c] == rep_value(r, c));
    free(d);
    assert_str_attr(file, "/report/exc/data", "units", "mV");
    assert_str_attr(file, "/report/exc/data", "variable", "V_m");
    uint64_t *ids = read_ds(file, "/report/exc/mapping/node_ids", H5T_NATIVE_UINT64,
                            H5T_STD_U64LE, REP_NODES);
    uint64_t *ptr = read_ds(file, "/report/exc/mapping/index_pointers", H5T_NATIVE_UINT64,
                            H5T_STD_U64LE, REP_NODES + 1);
    uint32_t *el = read_ds(file, "/report/exc/mapping/element_ids", H5T_NATIVE_UINT32,
                           H5T_STD_U32LE, REP_NODES);
    for (size_t i = 0; i < REP_NODES; i++)
        ck_assert(ids[i] == REP_IDS[i] && el[i] == 0);
    for (size_t i = 0; i <= REP_NODES; i++)
        ck_assert(ptr[i] == i);
    double *t = read_ds(file, "/report/exc/mapping/time", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 3);
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
    double *a = read_ds(file, "/phases/start_ms", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2);
    double *b = read_ds(file, "/phases/stop_ms", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2);
    ck_assert(a[0] == 0.0 && a[1] == 1000.0 && b[0] == 1000.0 && b[1] == 2000.0);
    assert_str_attr(file, "/phases/stop_ms", "units", "ms");
    free(a);
    free(b);
}

static void check_meta(hid_t file, int32_t complete)
{
    uint32_t magic = 0, version[2] = {9, 9};
    read_num_attr(file, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, &magic);
    read_num_attr(file, "version", H5T_STD_U32LE, H5T_NATIVE_UINT32, version);
    ck_assert(magic == 0x0A7A && version[0] == 0 && version[1] == 1);
    hid_t g = H5Gopen2(file, "meta", H5P_DEFAULT);
    uint64_t seed = 0;
    int32_t threads = 0;
    double wall = 0;
    read_num_attr(g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    read_num_attr(g, "threads", H5T_STD_I32LE, H5T_NATIVE_INT32, &threads);
    read_num_attr(g, "wall_s", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &wall);
    ck_assert(seed == META.seed && threads == 2 && wall == 3.25);
    H5Gclose(g);
    ck_assert_int_eq(read_complete(file), complete);
    assert_str_attr(file, "/meta", "version", "0.1.0");
    assert_str_attr(file, "/meta", "git_commit", "abc1234");
    assert_str_attr(file, "/meta", "config", META.config_text);
    assert_str_attr(file, "/meta", "overrides", "--set a.b=1");
    char *created = read_str_attr(g = H5Gopen2(file, "meta", H5P_DEFAULT), "created");
    ck_assert_int_eq(strlen(created), 20);
    ck_assert(created[4] == '-' && created[10] == 'T' && created[19] == 'Z');
    free(created);
    H5Gclose(g);
}

START_TEST(test_round_trip)
{
    const char *path = tmp("run.h5");
    write_run(path, 1);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    check_meta(file, 1);
    check_spikes(file, "exc", 0, N_BATCH * EXC_PER_BATCH);
    check_spikes(file, "inh", 1, N_BATCH * INH_PER_BATCH);
    check_sorting(file, "/spikes/exc", "by_time");
    uint64_t n_nodes = 0;
    hid_t g = H5Gopen2(file, "/spikes/exc", H5P_DEFAULT);
    read_num_attr(g, "n_nodes", H5T_STD_U64LE, H5T_NATIVE_UINT64, &n_nodes);
    ck_assert(n_nodes == 400);
    ck_assert_int_eq(H5Aexists(H5Gopen2(file, "/spikes/inh", H5P_DEFAULT), "n_nodes"), 0);
    H5Gclose(g);
    check_report(file);
    check_phases(file);
    H5Fclose(file);
}
END_TEST

/* ---- crash safety ---- */

/* The child writes two spike batches and a report batch, then dies. */
static void die_mid_run(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &META, &err);
    if (!f)
        _exit(2);
    int exc = h5out_spikes_add(f, "exc", &err);
    int rep = h5out_report_add(f, "exc", "V_m", "mV", REP_IDS, REP_NODES, 10.0, 0.5, &err);
    if (exc < 0 || rep < 0)
        _exit(3);
    append_spikes(f, exc, 0, 0, EXC_PER_BATCH);
    append_spikes(f, exc, 0, EXC_PER_BATCH, EXC_PER_BATCH);
    append_report(f, rep, 0);
    raise(SIGKILL);
    _exit(4);
}

START_TEST(test_sigkill_leaves_readable_file)
{
    const char *path = tmp("killed.h5");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        die_mid_run(path);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    ck_assert_int_eq(read_complete(file), 0);
    check_spikes(file, "exc", 0, 2 * EXC_PER_BATCH);
    float *d = read_ds(file, "/report/exc/data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                       REP_ROWS_PER_BATCH * REP_NODES);
    ck_assert(d[REP_NODES + 1] == rep_value(1, 1));
    free(d);
    H5Fclose(file);
    ck_assert_int_eq(open_ids(), 0);
}
END_TEST

/* ---- info ---- */

/* Runs h5out_info on path into a string the caller frees. */
static char *info_text(const char *path, int *rc, hs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    *rc = h5out_info(path, out, err);
    fclose(out);
    ck_assert_int_eq(open_ids(), 0);
    return text;
}

START_TEST(test_info_good)
{
    const char *path = tmp("run.h5");
    write_run(path, 1);
    hs_error err;
    int rc;
    char *text = info_text(path, &rc, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    const char *want[] = {"abc1234", "seed:        12345678901234", "threads:     2",
                          "complete:    1", "wall time:   3.250 s", "explore", "sws",
                          "1000.000 -     2000.000 ms", "200 spikes, 100.000 Hz total",
                          "0.250 Hz per neuron (400 neurons)", "28 spikes, 14.000 Hz total",
                          "(population size not recorded)", "V_m (mV), 20 times x 3 values"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]), "info lacks '%s':\n%s", want[i], text);
    free(text);
}
END_TEST

START_TEST(test_info_interrupted)
{
    const char *path = tmp("run.h5");
    write_run(path, 0);
    hs_error err;
    int rc;
    char *text = info_text(path, &rc, &err);
    ck_assert_int_eq(rc, HS_OK);
    ck_assert_msg(strstr(text, "complete:    0 (INTERRUPTED"), "%s", text);
    free(text);
}
END_TEST

static void write_bytes(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
}

/* Copies the first `keep` bytes of src to dst. */
static void truncated_copy(const char *src, const char *dst, long keep)
{
    FILE *f = fopen(src, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc((size_t)keep);
    ck_assert_uint_eq(fread(buf, 1, (size_t)keep, f), (size_t)keep);
    fclose(f);
    write_bytes(dst, buf, (size_t)keep);
    free(buf);
}

static void make_plain_hdf5(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(g);
    H5Fclose(f);
}

/* h5out_info on path fails with HS_EINPUT naming it and printing nothing
 * to stderr. */
static void assert_info_refuses(const char *path, const char *why)
{
    fflush(stderr);
    int saved = dup(2), sink = open(tmp("stderr.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(sink, 2);
    hs_error err;
    int rc;
    char *text = info_text(path, &rc, &err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t printed = lseek(sink, 0, SEEK_END);
    close(sink);
    ck_assert_msg(rc == HS_EINPUT, "%s: rc %d", path, rc);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    ck_assert_msg(printed == 0, "%s: %ld bytes on stderr", path, (long)printed);
    free(text);
}

START_TEST(test_info_bad_files)
{
    char good[256];
    snprintf(good, sizeof good, "%s", tmp("run.h5"));
    write_run(good, 1);
    write_bytes(tmp("text.h5"), "not: hdf5\n", 10);
    write_bytes(tmp("empty.h5"), "", 0);
    FILE *f = fopen(good, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    truncated_copy(good, tmp("half.h5"), size / 2);
    truncated_copy(good, tmp("head.h5"), 100);
    make_plain_hdf5(tmp("plain.h5"));
    assert_info_refuses(tmp("missing.h5"), "No such file");
    assert_info_refuses(tmp("text.h5"), "not an HDF5 file");
    assert_info_refuses(tmp("empty.h5"), "not an HDF5 file");
    assert_info_refuses(tmp("half.h5"), "truncated or corrupt");
    assert_info_refuses(tmp("head.h5"), "truncated or corrupt");
    assert_info_refuses(tmp("plain.h5"), "not a hebbsleep run file");
}
END_TEST

/* ---- h5in readers ---- */

static void make_ds(hid_t loc, const char *name, hid_t type, int rank,
                    const hsize_t *dims, const void *buf)
{
    hid_t sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    ck_assert_int_ge(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Dclose(ds);
    H5Sclose(sp);
}

/* Datasets of several types and shapes under /a. */
static void make_inputs(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "a", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 4, zero = 0, grid[2] = {2, 2};
    float t[4] = {0.5f, 1.0f, 2.25f, 3.0f};
    int32_t ids[4] = {3, 0, 2, 1}, neg[4] = {1, -1, 2, 3};
    double frac[4] = {1.0, 2.5, 3.0, 4.0};
    make_ds(g, "t", H5T_NATIVE_FLOAT, 1, &n, t);
    make_ds(g, "ids", H5T_NATIVE_INT32, 1, &n, ids);
    make_ds(g, "neg", H5T_NATIVE_INT32, 1, &n, neg);
    make_ds(g, "frac", H5T_NATIVE_DOUBLE, 1, &n, frac);
    make_ds(g, "grid", H5T_NATIVE_INT32, 2, grid, ids);
    make_ds(g, "empty", H5T_NATIVE_DOUBLE, 1, &zero, frac);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 6);
    make_ds(g, "text", str, 0, NULL, "hello");
    H5Tclose(str);
    H5Gclose(g);
    H5Fclose(f);
}

START_TEST(test_read_good)
{
    const char *path = tmp("in.h5");
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
    write_run(tmp("run.h5"), 1);
    ck_assert_int_eq(h5in_read_u64(tmp("run.h5"), "/spikes/exc/node_ids", &ids, &n, &err),
                     HS_OK);
    ck_assert(n == N_BATCH * EXC_PER_BATCH && ids[5] == spike_id(0, 5));
    free(ids);
    ck_assert_int_eq(open_ids(), 0);
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
    ck_assert_int_eq(open_ids(), 0);
}

START_TEST(test_read_bad)
{
    const char *path = tmp("in.h5");
    make_inputs(path);
    write_bytes(tmp("text.txt"), "1 2 3\n", 6);
    assert_read_refuses(tmp("missing.h5"), "/a/t", 0, "No such file");
    assert_read_refuses(tmp("text.txt"), "/a/t", 0, "not an HDF5");
    assert_read_refuses(path, "/a/nope", 0, "cannot open dataset");
    assert_read_refuses(path, "/b/t", 1, "cannot open dataset");
    assert_read_refuses(path, "/a", 0, "cannot open dataset");
    assert_read_refuses(path, "/a/grid", 0, "not 1-D");
    assert_read_refuses(path, "/a/text", 1, "not numeric");
    assert_read_refuses(path, "/a/neg", 1, "not non-negative integers");
    assert_read_refuses(path, "/a/frac", 1, "not non-negative integers");
}
END_TEST

/* ---- writer errors ---- */

START_TEST(test_write_errors)
{
    hs_error err;
    const char *bad = tmp("no/such/dir/run.h5");
    ck_assert_ptr_null(h5out_create(bad, &META, &err));
    ck_assert_int_eq(err.code, HS_EIO);
    ck_assert_msg(strstr(err.msg, bad), "%s", err.msg);
    ck_assert_int_eq(open_ids(), 0);

    h5out *f = h5out_create(tmp("run.h5"), NULL, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_spikes_add(f, "a/b", &err), HS_EINPUT);
    ck_assert_int_eq(h5out_spikes_add(f, "", &err), HS_EINPUT);
    int h = h5out_spikes_add(f, "exc", &err);
    ck_assert_int_eq(h, 0);
    ck_assert_int_eq(h5out_spikes_add(f, "exc", &err), HS_EINPUT);
    ck_assert_int_eq(h5out_spikes_append(f, 7, NULL, NULL, 1, &err), HS_EINTERNAL);
    ck_assert_int_eq(h5out_report_append(f, 0, NULL, 1, &err), HS_EINTERNAL);
    ck_assert_int_eq(h5out_report_add(f, "exc", "V_m", "mV", REP_IDS, 0, 0, 0.1, &err),
                     HS_EINPUT);
    ck_assert_int_eq(h5out_report_add(f, "exc", "V_m", "mV", REP_IDS, 3, 0, 0, &err),
                     HS_EINPUT);
    ck_assert_int_eq(h5out_report_add(f, "exc", "V_m", "mV", REP_IDS, 3, 0, 0.1, &err), 0);
    ck_assert_int_eq(h5out_report_add(f, "exc", "g", "nS", REP_IDS, 3, 0, 0.1, &err),
                     HS_EINPUT);
    /* times going backwards make `sorting` none */
    append_spikes(f, h, 0, 10, 5);
    append_spikes(f, h, 0, 0, 5);
    ck_assert_int_eq(h5out_close(f, 1, 0.0, &err), HS_OK);
    ck_assert_int_eq(h5out_close(NULL, 1, 0.0, &err), HS_OK);
    hid_t file = H5Fopen(tmp("run.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
    check_sorting(file, "/spikes/exc", "none");
    assert_str_attr(file, "/meta", "git_commit", "unknown");
    H5Fclose(file);
    ck_assert_int_eq(open_ids(), 0);
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
    h5out_meta m = META;
    m.config_text = cfg;
    hs_error err;
    h5out *f = h5out_create(tmp("big.h5"), &m, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    hid_t file = H5Fopen(tmp("big.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_str_attr(file, "/meta", "config", cfg);
    H5Fclose(file);
    free(cfg);
    int rc;
    char *text = info_text(tmp("big.h5"), &rc, &err);
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
    ck_assert_msg(access(script, R_OK) == 0, "%s not found: run from the repo root", script);
    ck_assert_msg(access("/usr/bin/python3", X_OK) == 0, "no /usr/bin/python3");
    write_run(tmp("run.h5"), 1);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s --expect-complete 1", script,
             tmp("run.h5"));
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5dump -H %s > /dev/null", tmp("run.h5"));
    ck_assert_int_eq(run(cmd), 0);
    /* and a file whose writer was killed */
    pid_t pid = fork();
    if (pid == 0)
        die_mid_run(tmp("killed.h5"));
    waitpid(pid, NULL, 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s --expect-complete 0", script,
             tmp("killed.h5"));
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5dump -H %s > /dev/null", tmp("killed.h5"));
    ck_assert_int_eq(run(cmd), 0);
}
END_TEST

Suite *h5out_suite(void)
{
    Suite *s = suite_create("h5out");
    TCase *tc = tcase_create("h5out");
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_sigkill_leaves_readable_file);
    tcase_add_test(tc, test_info_good);
    tcase_add_test(tc, test_info_interrupted);
    tcase_add_test(tc, test_info_bad_files);
    tcase_add_test(tc, test_read_good);
    tcase_add_test(tc, test_read_bad);
    tcase_add_test(tc, test_write_errors);
    tcase_add_test(tc, test_big_config);
    tcase_add_test(tc, test_layout_h5py_h5dump);
    suite_add_tcase(s, tc);
    return s;
}
