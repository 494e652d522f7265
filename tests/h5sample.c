/* h5sample.c: the sample run file of the h5out tests (see h5sample.h). */
#include "h5sample.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

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

/* Writes the sample run to path: two populations and a report in batches. */
void h5sample_write_run(const char *path, int complete)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    int exc = h5out_spikes_add(f, "exc", &err), inh = h5out_spikes_add(f, "inh", &err);
    ck_assert_int_eq(exc, 0);
    ck_assert_int_eq(inh, 1);
    ck_assert_int_eq(h5out_spikes_set_size(f, exc, 400, &err), HS_OK);
    int rep = h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, SAMPLE_REP_NODES,
                               10.0, 0.5, &err);
    ck_assert_int_eq(rep, 0);
    ck_assert_int_eq(h5out_phases_write(f, PH_NAME, PH_STAGE, PH_START, PH_START, 1, &err),
                     HS_OK);
    for (size_t b = 0; b < SAMPLE_BATCHES; b++) {
        h5sample_append_spikes(f, exc, 0, b * SAMPLE_EXC_PER_BATCH, SAMPLE_EXC_PER_BATCH);
        h5sample_append_spikes(f, inh, 1, b * SAMPLE_INH_PER_BATCH, SAMPLE_INH_PER_BATCH);
        h5sample_append_report(f, rep, b * SAMPLE_REP_ROWS_PER_BATCH);
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
    int exc = h5out_spikes_add(f, "exc", &err);
    int rep = h5out_report_add(f, "exc", "V_m", "mV", h5sample_rep_ids, SAMPLE_REP_NODES,
                               10.0, 0.5, &err);
    if (exc < 0 || rep < 0)
        _exit(3);
    h5sample_append_spikes(f, exc, 0, 0, SAMPLE_EXC_PER_BATCH);
    h5sample_append_spikes(f, exc, 0, SAMPLE_EXC_PER_BATCH, SAMPLE_EXC_PER_BATCH);
    h5sample_append_report(f, rep, 0);
    raise(SIGKILL);
    _exit(4);
}

/* Runs h5out_info on path into a string the caller frees. */
char *h5sample_info(const char *path, int *rc, hs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    *rc = h5out_info(path, out, err);
    fclose(out);
    ck_assert_int_eq(h5sample_open_ids(), 0);
    return text;
}

void h5sample_write_bytes(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
}
