/* h5sample.c: the sample run file of the h5out tests (see h5sample.h). */
#include "h5sample.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "../../app/info.h"

static char tmpdir[160];

void h5sample_dir_make(void)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0] || strlen(base) > 128)
        base = "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/hs_h5out_XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

void h5sample_dir_remove(void)
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

TCase *h5sample_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, h5sample_dir_make, h5sample_dir_remove);
    tcase_set_timeout(tc, 60);
    return tc;
}

/* path of name in the temporary directory; valid for the next 7 calls */
const char *h5sample_path(const char *name)
{
    static char p[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

long h5sample_open_ids(void)
{
    return (long)H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

/* ---- a sample run ---- */

const h5out_meta h5sample_meta = {
    "0.1.0", "abc1234", 12345678901234ULL, 2, "simulation: {dt_ms: 0.1}\n", "--set a.b=1"};

double h5sample_spike_time(int pop, size_t i)
{
    return 0.25 * (double)i + 0.125 * pop;
}
uint64_t h5sample_spike_id(int pop, size_t i)
{
    return (uint64_t)(i * 7 + (size_t)pop) % 400;
}
float h5sample_rep_value(size_t row, size_t col)
{
    return -65.0f + 0.5f * (float)row - 0.01f * (float)col;
}

void h5sample_append_spikes(h5out *f, int h, int pop, size_t first, size_t n)
{
    double t[64];
    uint64_t id[64];
    hs_error err;
    for (size_t i = 0; i < n; i++) {
        t[i] = h5sample_spike_time(pop, first + i);
        id[i] = h5sample_spike_id(pop, first + i);
    }
    ck_assert_int_eq(h5out_spikes_append(f, h, t, id, n, &err), HS_OK);
}

void h5sample_append_report(h5out *f, int h, size_t first_row)
{
    float d[SAMPLE_REP_ROWS_PER_BATCH * SAMPLE_REP_NODES];
    hs_error err;
    for (size_t r = 0; r < SAMPLE_REP_ROWS_PER_BATCH; r++)
        for (size_t c = 0; c < SAMPLE_REP_NODES; c++)
            d[r * SAMPLE_REP_NODES + c] = h5sample_rep_value(first_row + r, c);
    ck_assert_int_eq(h5out_report_append(f, h, d, SAMPLE_REP_ROWS_PER_BATCH, &err), HS_OK);
}

static const char *const PH_NAME[] = {"explore", "sleep"};
static const char *const PH_STAGE[] = {"awake", "sws"};
static const double PH_START[] = {0.0, 1000.0}, PH_STOP[] = {1000.0, 2000.0};
const uint64_t h5sample_rep_ids[SAMPLE_REP_NODES] = {5, 17, 399};

/* ---- sample weights ---- */

const h5sample_proj h5sample_projs[SAMPLE_PROJS] = {
    {"ee", "exc", "exc", "nS", 37, SAMPLE_BATCHES},
    {"ie", "inh", "exc", "pA", 11, SAMPLE_BATCHES / 2},
};

uint64_t h5sample_w_pre(int p, size_t i)
{
    /* the largest id too, to see all 64 bits come back */
    if (p == 1)
        return i == 0 ? UINT64_MAX : (uint64_t)i;
    return (uint64_t)(i * 3) % 400;
}
uint64_t h5sample_w_post(int p, size_t i)
{
    return (uint64_t)(i * 11 + (size_t)p) % 400;
}
/* Binary fractions, so that means print exactly. */
double h5sample_w_value(int p, size_t snap, size_t i)
{
    if (p == 1)
        return -(2.0 + (double)snap + 0.25 * (double)i);
    return 0.5 + 0.125 * (double)snap - 0.0078125 * (double)i;
}
double h5sample_w_time(int p, size_t snap)
{
    return (p == 1 ? 1000.0 : 500.0) * (double)(snap + 1);
}
const char *h5sample_w_phase(int p, size_t snap)
{
    return h5sample_w_time(p, snap) <= 1000.0 ? "explore" : "sleep";
}

void h5sample_add_proj(h5out *f, int p, int h)
{
    const h5sample_proj *j = &h5sample_projs[p];
    hs_error err;
    int got = h5out_weights_add(f, j->name, j->pre, j->post, j->units, &err);
    ck_assert_msg(got == h, "%s: %d, %s", j->name, got, err.msg);
}

void h5sample_write_snapshot(h5out *f, int h, int p, size_t snap)
{
    enum { MAX_SYN = 64 };
    uint64_t pre[MAX_SYN], post[MAX_SYN];
    double w[MAX_SYN];
    size_t n = h5sample_projs[p].n_syn;
    ck_assert_uint_le(n, MAX_SYN);
    for (size_t i = 0; i < n; i++) {
        pre[i] = h5sample_w_pre(p, i);
        post[i] = h5sample_w_post(p, i);
        w[i] = h5sample_w_value(p, snap, i);
    }
    hs_error err;
    int rc = h5out_weights_write(f, h, pre, post, w, n, h5sample_w_time(p, snap),
                                 h5sample_w_phase(p, snap), &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
}

void h5sample_check_snapshot_read(const char *path, int p, size_t k)
{
    const h5sample_proj *j = &h5sample_projs[p];
    uint64_t *pre, *post;
    double *w, t;
    size_t n;
    hs_error err;
    int rc = h5in_weights_read(path, j->name, k, &pre, &post, &w, &n, &t, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    ck_assert_uint_eq(n, j->n_syn);
    ck_assert(t == h5sample_w_time(p, k));
    for (size_t i = 0; i < n; i++)
        ck_assert(pre[i] == h5sample_w_pre(p, i) && post[i] == h5sample_w_post(p, i) &&
                  w[i] == h5sample_w_value(p, k, i));
    free(pre);
    free(post);
    free(w);
}

/* ---- sample behaviour and place fields ---- */

const char *const h5sample_field_pops[SAMPLE_FIELD_POPS] = {"exc", "inh"};
const size_t h5sample_field_cells[SAMPLE_FIELD_POPS] = {10, 3};

void h5sample_behavior(double *t_ms, double *x_cm, uint32_t *lap, int8_t *dir)
{
    for (size_t i = 0; i < SAMPLE_BEH_N; i++) {
        t_ms[i] = 10.0 * (double)i;
        lap[i] = i < 450 ? 0 : 1;
        dir[i] = i < 400 ? 1 : i < 450 ? 0 : i < 650 ? -1 : 0;
        x_cm[i] = i < 400   ? 0.25 * (double)i
                  : i < 450 ? 100.0
                  : i < 650 ? 100.0 - 0.5 * (double)(i - 450)
                            : 0.0;
    }
}

/* exc: cells 0-5 with fields in both, one and the other direction; 6-9
 * without, with NaN or numbers for width and peak (both allowed). inh:
 * no fields, all NaN. */
void h5sample_fields(int p, double *center, double *width, double *peak, int8_t *dir)
{
    for (size_t i = 0; i < h5sample_field_cells[p]; i++) {
        int has = p == 0 && i < 6;
        center[i] = has ? 10.0 + 16.0 * (double)i : NAN;
        width[i] = has ? 7.0 + 0.5 * (double)i : p == 0 && i >= 8 ? 7.0 : NAN;
        peak[i] = has ? 20.0 - (double)i : p == 0 && i == 9 ? 0.0 : NAN;
        dir[i] = (int8_t)(has ? (int)(i % 3) - 1 : 0);
    }
}

void h5sample_write_behavior(h5out *f)
{
    double t[SAMPLE_BEH_N], x[SAMPLE_BEH_N];
    uint32_t lap[SAMPLE_BEH_N];
    int8_t dir[SAMPLE_BEH_N];
    hs_error err;
    h5sample_behavior(t, x, lap, dir);
    int rc = h5out_behavior_write(f, t, x, lap, dir, SAMPLE_BEH_N, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    for (int p = 0; p < SAMPLE_FIELD_POPS; p++) {
        double c[SAMPLE_FIELDS_MAX], w[SAMPLE_FIELDS_MAX], peak[SAMPLE_FIELDS_MAX];
        int8_t d[SAMPLE_FIELDS_MAX];
        h5sample_fields(p, c, w, peak, d);
        rc = h5out_place_fields_write(f, h5sample_field_pops[p], c, w, peak, d,
                                      h5sample_field_cells[p], &err);
        ck_assert_msg(rc == HS_OK, "%s", err.msg);
    }
}

/* a == b, or both NaN */
static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

void h5sample_check_behavior_read(const char *path)
{
    double t[SAMPLE_BEH_N], x[SAMPLE_BEH_N], *rt, *rx;
    uint32_t lap[SAMPLE_BEH_N], *rlap;
    int8_t dir[SAMPLE_BEH_N], *rdir;
    size_t n = 0;
    hs_error err;
    h5sample_behavior(t, x, lap, dir);
    int rc = h5in_behavior_read(path, &rt, &rx, &rlap, &rdir, &n, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    ck_assert_uint_eq(n, SAMPLE_BEH_N);
    for (size_t i = 0; i < n; i++)
        ck_assert(rt[i] == t[i] && rx[i] == x[i] && rlap[i] == lap[i] && rdir[i] == dir[i]);
    free(rt);
    free(rx);
    free(rlap);
    free(rdir);
}

void h5sample_check_fields_read(const char *path, int p)
{
    double c[SAMPLE_FIELDS_MAX], w[SAMPLE_FIELDS_MAX], peak[SAMPLE_FIELDS_MAX];
    double *rc_, *rw, *rp;
    int8_t d[SAMPLE_FIELDS_MAX], *rd;
    size_t n = 0;
    hs_error err;
    h5sample_fields(p, c, w, peak, d);
    int rc =
        h5in_place_fields_read(path, h5sample_field_pops[p], &rc_, &rw, &rp, &rd, &n, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    ck_assert_uint_eq(n, h5sample_field_cells[p]);
    for (size_t i = 0; i < n; i++)
        ck_assert(same(rc_[i], c[i]) && same(rw[i], w[i]) && same(rp[i], peak[i]) &&
                  rd[i] == d[i]);
    free(rc_);
    free(rw);
    free(rp);
    free(rd);
}

/* Writes the sample run to path: two populations and a report in batches. */
void h5sample_write_run(const char *path, int complete)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    h5sample_write_behavior(f);
    int exc = h5out_spikes_add(f, "exc", &err), inh = h5out_spikes_add(f, "inh", &err);
    ck_assert_int_eq(exc, 0);
    ck_assert_int_eq(inh, 1);
    ck_assert_int_eq(h5out_spikes_set_size(f, exc, 400, &err), HS_OK);
    int rep = h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, SAMPLE_REP_NODES,
                               10.0, 0.5, &err);
    ck_assert_int_eq(rep, 0);
    h5sample_add_proj(f, 0, 0);
    h5sample_add_proj(f, 1, 1);
    ck_assert_int_eq(h5out_phases_write(f, PH_NAME, PH_STAGE, PH_START, PH_START, 1, &err),
                     HS_OK);
    for (size_t b = 0; b < SAMPLE_BATCHES; b++) {
        h5sample_append_spikes(f, exc, 0, b * SAMPLE_EXC_PER_BATCH, SAMPLE_EXC_PER_BATCH);
        h5sample_append_spikes(f, inh, 1, b * SAMPLE_INH_PER_BATCH, SAMPLE_INH_PER_BATCH);
        h5sample_append_report(f, rep, b * SAMPLE_REP_ROWS_PER_BATCH);
        h5sample_write_snapshot(f, 0, 0, b);
        if (b % 2 == 1)
            h5sample_write_snapshot(f, 1, 1, b / 2);
    }
    /* rewritten: the second write replaces the first */
    ck_assert_int_eq(h5out_phases_write(f, PH_NAME, PH_STAGE, PH_START, PH_STOP, 2, &err),
                     HS_OK);
    ck_assert_int_eq(h5out_close(f, complete, 3.25, &err), HS_OK);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

/* The child writes two spike batches and a report batch, then dies. */
void h5sample_die_mid_run(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    if (!f)
        _exit(2);
    h5sample_write_behavior(f);
    int exc = h5out_spikes_add(f, "exc", &err);
    int rep = h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, SAMPLE_REP_NODES,
                               10.0, 0.5, &err);
    if (exc < 0 || rep < 0)
        _exit(3);
    h5sample_append_spikes(f, exc, 0, 0, SAMPLE_EXC_PER_BATCH);
    h5sample_append_spikes(f, exc, 0, SAMPLE_EXC_PER_BATCH, SAMPLE_EXC_PER_BATCH);
    h5sample_append_report(f, rep, 0);
    h5sample_add_proj(f, 0, 0);
    h5sample_write_snapshot(f, 0, 0, 0);
    raise(SIGKILL);
    _exit(4);
}

void h5sample_kill_mid_run(const char *path)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        h5sample_die_mid_run(path);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

void h5sample_assert_layout_faults(const char *path, const char *const *want, size_t n_want)
{
    ck_assert_msg(access("tests/check_h5_layout.py", R_OK) == 0, "run from the repo root");
    const char *log = h5sample_path("layout.txt");
    char cmd[768];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/check_h5_layout.py %s 2> %s", path,
             log);
    int status = system(cmd);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    char text[4096] = "";
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    for (size_t i = 0; i < n_want; i++)
        ck_assert_msg(strstr(text, want[i]), "checker lacks '%s':\n%s", want[i], text);
}

void h5sample_assert_layout_ok(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/check_h5_layout.py %s", path);
    ck_assert_msg(system(cmd) == 0, "layout check of %s", path);
}

void h5sample_close_without(h5out *f, const char *path, const char *name)
{
    hs_error err;
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    ck_assert_int_eq(H5Lexists(file, name, H5P_DEFAULT), 0);
    H5Fclose(file);
}

/* Runs info_print on path into a string the caller frees. */
char *h5sample_info(const char *path, int *rc, hs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    *rc = info_print(path, out, err);
    fclose(out);
    ck_assert_int_eq(h5sample_open_ids(), 0);
    return text;
}

h5sample_stderr h5sample_stderr_away(void)
{
    fflush(stderr);
    h5sample_stderr s = {
        dup(2), open(h5sample_path("stderr.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0600)};
    ck_assert(s.saved >= 0 && s.sink >= 0);
    dup2(s.sink, 2);
    return s;
}

long h5sample_stderr_back(h5sample_stderr s)
{
    fflush(stderr);
    dup2(s.saved, 2);
    close(s.saved);
    off_t printed = lseek(s.sink, 0, SEEK_END);
    close(s.sink);
    return (long)printed;
}

void h5sample_assert_info_has(const char *path, const char *const *want, size_t n_want)
{
    hs_error err;
    int rc;
    char *text = h5sample_info(path, &rc, &err);
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    for (size_t i = 0; i < n_want; i++)
        ck_assert_msg(strstr(text, want[i]), "info lacks '%s':\n%s", want[i], text);
    free(text);
}

void h5sample_assert_info_refuses(const char *path, const char *why)
{
    h5sample_stderr swap = h5sample_stderr_away();
    hs_error err;
    int rc;
    char *text = h5sample_info(path, &rc, &err);
    long printed = h5sample_stderr_back(swap);
    ck_assert_msg(rc == HS_EINPUT, "%s: rc %d", path, rc);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, why), "message: %s", err.msg);
    ck_assert_msg(printed == 0, "%s: %ld bytes on stderr", path, printed);
    free(text);
}

void h5sample_patch(const char *path, const char *name, hid_t mem_type, hsize_t i,
                    const void *v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_msg(ds >= 0, "no dataset %s", name);
    hid_t fs = H5Dget_space(ds);
    hsize_t one = 1;
    hid_t ms = H5Screate_simple(1, &one, NULL);
    ck_assert_int_ge(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &i, NULL, &one, NULL), 0);
    ck_assert_int_ge(H5Dwrite(ds, mem_type, ms, fs, H5P_DEFAULT, v), 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(ds);
    H5Fclose(f);
}

void h5sample_write_bytes(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
}

void h5sample_truncated_copy(const char *src, const char *dst, long keep)
{
    FILE *f = fopen(src, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc((size_t)keep);
    ck_assert_uint_eq(fread(buf, 1, (size_t)keep, f), (size_t)keep);
    fclose(f);
    h5sample_write_bytes(dst, buf, (size_t)keep);
    free(buf);
}

long h5sample_file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    return size;
}

/* ---- reading back with the C API ---- */

void *h5sample_read_ds(hid_t file, const char *name, hid_t mem_type, hid_t want_type,
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

char *h5sample_attr_str(hid_t obj, const char *attr)
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

void h5sample_attr_num(hid_t obj, const char *attr, hid_t want_type, hid_t mem, void *v)
{
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
    ck_assert_msg(a >= 0, "no attribute %s", attr);
    hid_t t = H5Aget_type(a);
    ck_assert_msg(H5Tequal(t, want_type) > 0, "attribute %s: wrong type", attr);
    ck_assert_int_ge(H5Aread(a, mem, v), 0);
    H5Tclose(t);
    H5Aclose(a);
}

void h5sample_assert_attr_str(hid_t obj, const char *attr, const char *want)
{
    char *s = h5sample_attr_str(obj, attr);
    ck_assert_str_eq(s, want);
    free(s);
}

void h5sample_assert_attr_u64(hid_t obj, const char *attr, uint64_t want)
{
    uint64_t v = 0;
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
    ck_assert_int_ge(H5Aread(a, H5T_NATIVE_UINT64, &v), 0);
    ck_assert_uint_eq(v, want);
    H5Aclose(a);
}

void h5sample_assert_units(hid_t ds, const char *name, const char *units)
{
    char *u = h5sample_attr_str(ds, "units"), *d = h5sample_attr_str(ds, "definition");
    ck_assert_msg(strcmp(u, units) == 0, "%s units '%s', want '%s'", name, u, units);
    ck_assert_uint_gt(strlen(d), 0);
    free(u);
    free(d);
}

void h5sample_put(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                  const void *buf)
{
    hid_t sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    ck_assert_int_ge(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Dclose(ds);
    H5Sclose(sp);
}
