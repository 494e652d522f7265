/* h5out.c: writes the run file as the run goes (layout in h5out.h).
 *
 * Datasets that grow stay open in the handle; every public call that writes
 * ends with a global flush, so a process killed between calls leaves a file
 * that opens with complete = 0 and everything appended so far.
 */
#include "h5out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5behavior.h"
#include "h5maze.h"
#include "h5replay.h"
#include "h5sleep.h"
#include "h5template.h"
#include "h5util.h"
#include "h5weights.h"

#define H5OUT_MAGIC        0x0A7Au
#define SPIKE_CHUNK        ((hsize_t)65536) /* elements per spike chunk */
#define REPORT_CHUNK_ROWS  ((hsize_t)256)
#define REPORT_CHUNK_BYTES ((hsize_t)1 << 20) /* cap on one report chunk */

/* The SONATA `sorting` enum values. */
enum { SORT_NONE = 0, SORT_BY_ID = 1, SORT_BY_TIME = 2 };

typedef struct h5out_spk {
    char *pop;
    hid_t grp, t, id; /* /spikes/<pop>, its timestamps and node_ids */
    hsize_t n;        /* spikes written */
    double last_t;    /* latest time written, to keep `sorting` honest */
    int by_time;      /* 1 while every append kept time order */
} h5out_spk;

typedef struct h5out_rep {
    char *pop;
    hid_t data, time;   /* /report/<pop>/data and mapping/time */
    hsize_t rows, cols; /* rows written; values per row */
    double start, dt;   /* ms */
} h5out_rep;

struct h5out {
    char *path;
    hid_t file, meta;
    h5out_spk *spk;
    size_t n_spk;
    h5out_rep *rep;
    size_t n_rep;
    h5weights wgt; /* /weights projections */
    int failed;    /* a write failed: the file takes no more (h5util_file_freeze) */
};

/* ---- errors ---- */

static int check_file(const h5out *f, hs_error *err)
{
    if (!f)
        return hs_error_set(err, HS_EINTERNAL, "h5out: NULL file handle");
    return HS_OK;
}

/* After a failed write nothing more is written: HDF5's state may no longer
 * match the file, and complete = 1 must never follow a lost write. */
static int check_writable(const h5out *f, const char *what, const char *name,
                          hs_error *err)
{
    int rc = check_file(f, err);
    if (rc == HS_OK && f->failed)
        rc = hs_error_at(err, HS_EIO, f->path, 0, 0,
                         "cannot write %s%s: an earlier write to the file failed", what,
                         name ? name : "");
    return rc;
}

/* h must be a handle returned for one of the n spike sets or reports. */
static int check_handle(const h5out *f, int h, size_t n, hs_error *err)
{
    if (!f)
        return check_file(f, err);
    if (h < 0 || (size_t)h >= n)
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: bad handle %d", h);
    return HS_OK;
}

/* Returns rc, marking f failed when rc is a write failure. */
static int latch(h5out *f, int rc)
{
    if (f && rc == HS_EIO)
        f->failed = 1;
    return rc;
}

/* A population name is one HDF5 link name. */
static int check_pop(const h5out *f, const char *pop, hs_error *err)
{
    if (!h5util_is_link_name(pop))
        return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                           "population name '%s' cannot name an HDF5 group",
                           pop ? pop : "(null)");
    return HS_OK;
}

/* Flushes the file after writing what + name (for the message). */
static int flush(h5out *f, const char *what, const char *name, hs_error *err)
{
    if (h5util_file_reserve(f->file) < 0 || H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) {
        f->failed = 1;
        return h5util_fail_io(f->path, err, what, name);
    }
    return HS_OK;
}

/* Closes *id if open; returns < 0 when the close failed. */
static herr_t close_id(hid_t *id)
{
    herr_t rc = *id >= 0 ? H5Oclose(*id) : 0;
    *id = -1;
    return rc;
}

/* Scalar attributes in the file's fixed little-endian types. */
static herr_t attr_u64(hid_t obj, const char *name, uint64_t v)
{
    return h5util_attr_write(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static herr_t attr_i32(hid_t obj, const char *name, int32_t v)
{
    return h5util_attr_write(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
}

static herr_t attr_f64(hid_t obj, const char *name, double v)
{
    return h5util_attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* ---- create ---- */

static herr_t write_root(hid_t file)
{
    uint32_t magic = H5OUT_MAGIC, version[2] = {0, 1};
    if (h5util_attr_write(file, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, &magic) < 0)
        return -1;
    hsize_t two = 2;
    hid_t space = H5Screate_simple(1, &two, NULL);
    if (space < 0)
        return -1;
    hid_t a = H5Acreate2(file, "version", H5T_STD_U32LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    if (a < 0)
        return -1;
    herr_t rc = H5Awrite(a, H5T_NATIVE_UINT32, version);
    if (H5Aclose(a) < 0)
        rc = -1;
    return rc;
}

static void iso_utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "unknown");
}

static herr_t write_meta_strings(hid_t g, const h5out_meta *m)
{
    char created[32];
    iso_utc_now(created, sizeof created);
    /* Variable-length strings keep their text in the global heap, so a large
     * config does not hit the 64 KiB limit of a compact attribute. */
    if (h5util_attr_write_str(g, "version", m ? m->version : "") < 0 ||
        h5util_attr_write_str(g, "git_commit",
                              m && m->git_commit ? m->git_commit : "unknown") < 0 ||
        h5util_attr_write_str(g, "config", m ? m->config_text : "") < 0 ||
        h5util_attr_write_str(g, "overrides", m ? m->overrides : "") < 0 ||
        h5util_attr_write_str(g, "created", created) < 0)
        return -1;
    return 0;
}

static herr_t write_meta(hid_t g, const h5out_meta *m)
{
    if (write_meta_strings(g, m) < 0 || attr_u64(g, "seed", m ? m->seed : 0) < 0 ||
        attr_i32(g, "threads", m ? (int32_t)m->threads : 1) < 0 ||
        attr_i32(g, "complete", 0) < 0 || attr_f64(g, "wall_s", 0.0) < 0)
        return -1;
    return 0;
}

/* Closes every HDF5 object of f and the file; frees f. Returns < 0 when an
 * HDF5 close failed (the memory is freed all the same). */
static herr_t discard(h5out *f)
{
    int failed = 0; /* every close is tried, whatever failed before */
    for (size_t i = 0; i < f->n_spk; i++) {
        failed |= close_id(&f->spk[i].grp) < 0;
        failed |= close_id(&f->spk[i].t) < 0;
        failed |= close_id(&f->spk[i].id) < 0;
        free(f->spk[i].pop);
    }
    for (size_t i = 0; i < f->n_rep; i++) {
        failed |= close_id(&f->rep[i].data) < 0;
        failed |= close_id(&f->rep[i].time) < 0;
        free(f->rep[i].pop);
    }
    failed |= h5weights_clear(&f->wgt) < 0;
    failed |= close_id(&f->meta) < 0;
    failed |= f->file >= 0 && H5Fclose(f->file) < 0;
    herr_t rc = failed ? -1 : 0;
    free(f->spk);
    free(f->rep);
    free(f->path);
    free(f);
    return rc;
}

/* 1 when a failed H5Fcreate of path left a file it made or truncated (a
 * full disk fails the superblock's write): a few bytes no reader can open,
 * and not the file that was there. */
static int create_touched(const char *path, int existed, const struct stat *before)
{
    struct stat now;
    if (stat(path, &now) != 0 || !S_ISREG(now.st_mode))
        return 0;
    return !existed || now.st_size != before->st_size ||
           now.st_mtim.tv_sec != before->st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != before->st_mtim.tv_nsec;
}

/* Creates path through the file access properties fapl (H5P_DEFAULT: on
 * disk). */
static h5out *create(const char *path, hid_t fapl, const h5out_meta *meta, hs_error *err)
{
    h5out *f = calloc(1, sizeof *f);
    if (f)
        f->path = strdup(path);
    if (!f || !f->path) {
        free(f);
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    f->meta = -1;
    struct stat before;
    int on_disk = fapl == H5P_DEFAULT;
    int existed = on_disk && stat(path, &before) == 0;
    f->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (f->file < 0) {
        h5util_fail_io(path, err, "file", NULL);
        discard(f);
        if (on_disk && create_touched(path, existed, &before))
            unlink(path);
        return NULL;
    }
    f->meta = H5Gcreate2(f->file, "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = HS_OK;
    if (f->meta < 0 || write_root(f->file) < 0 || write_meta(f->meta, meta) < 0)
        rc = h5util_fail_io(path, err, "root attributes and /meta", NULL);
    else
        rc = flush(f, "root attributes and /meta", NULL, err);
    if (rc != HS_OK) {
        /* Never flushed whole, the file cannot be opened: not left behind. */
        h5util_file_freeze(f->file);
        discard(f);
        if (on_disk)
            unlink(path);
        return NULL;
    }
    return f;
}

h5out *h5out_create(const char *path, const h5out_meta *meta, hs_error *err)
{
    h5util_init();
    if (!path || !path[0]) {
        hs_error_set(err, HS_EINPUT, "h5out: empty output path");
        return NULL;
    }
    return create(path, H5P_DEFAULT, meta, err);
}

h5out *h5out_create_scratch(const h5out_meta *meta, hs_error *err)
{
    h5util_init();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* the core driver without a backing store: nothing reaches the disk */
    if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 20, 0) < 0) {
        if (fapl >= 0)
            H5Pclose(fapl);
        hs_error_set(err, HS_EIO, "h5out: no in-memory file");
        return NULL;
    }
    h5out *f = create("hebbsleep-scratch.h5", fapl, meta, err);
    H5Pclose(fapl);
    return f;
}

/* ---- spikes ---- */

static hid_t sorting_type(void)
{
    hid_t t = H5Tenum_create(H5T_STD_U8LE);
    uint8_t v[3] = {SORT_NONE, SORT_BY_ID, SORT_BY_TIME};
    if (t < 0)
        return t;
    if (H5Tenum_insert(t, "none", &v[0]) < 0 || H5Tenum_insert(t, "by_id", &v[1]) < 0 ||
        H5Tenum_insert(t, "by_time", &v[2]) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static herr_t write_sorting(hid_t grp, uint8_t value)
{
    hid_t t = sorting_type();
    if (t < 0)
        return -1;
    herr_t rc = h5util_attr_write(grp, "sorting", t, t, &value);
    H5Tclose(t);
    return rc;
}

static int find_spikes(const h5out *f, const char *pop)
{
    for (size_t i = 0; i < f->n_spk; i++)
        if (strcmp(f->spk[i].pop, pop) == 0)
            return (int)i;
    return -1;
}

/* Creates /spikes/<pop> with its empty datasets into s (ids -1 on failure). */
static herr_t spikes_create(hid_t file, h5out_spk *s)
{
    hsize_t chunk = SPIKE_CHUNK;
    hid_t top = h5util_open_or_create_group(file, "spikes");
    if (top < 0)
        return -1;
    s->grp = H5Gcreate2(top, s->pop, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (H5Gclose(top) < 0 || s->grp < 0 || write_sorting(s->grp, SORT_BY_TIME) < 0)
        return -1;
    s->t = h5util_create_ext(s->grp, "timestamps", H5T_IEEE_F64LE, 1, 0, &chunk);
    if (s->t < 0 || h5util_attr_write_str(s->t, "units", "ms") < 0)
        return -1;
    s->id = h5util_create_ext(s->grp, "node_ids", H5T_STD_U64LE, 1, 0, &chunk);
    return s->id < 0 ? -1 : 0;
}

/* The next spike set of f, for pop (its objects not open yet); NULL with
 * err set when out of memory. */
static h5out_spk *new_spikes(h5out *f, const char *pop, hs_error *err)
{
    h5out_spk *grown = realloc(f->spk, (f->n_spk + 1) * sizeof *grown);
    if (grown)
        f->spk = grown;
    h5out_spk *s = grown ? &f->spk[f->n_spk] : NULL;
    if (s)
        *s = (h5out_spk){.pop = strdup(pop), .grp = -1, .t = -1, .id = -1,
                         .last_t = -INFINITY, .by_time = 1};
    if (!s || !s->pop) {
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", f->path);
        return NULL;
    }
    return s;
}

/* Undoes new_spikes after a failure. */
static void drop_spikes(h5out_spk *s)
{
    close_id(&s->grp);
    close_id(&s->t);
    close_id(&s->id);
    free(s->pop);
}

int h5out_spikes_add(h5out *f, const char *pop, hs_error *err)
{
    int rc = check_writable(f, "/spikes/", pop, err);
    if (rc == HS_OK)
        rc = check_pop(f, pop, err);
    if (rc != HS_OK)
        return rc;
    if (find_spikes(f, pop) >= 0)
        return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                           "spikes of population '%s' added twice", pop);
    h5out_spk *s = new_spikes(f, pop, err);
    if (!s)
        return err->code;
    if (spikes_create(f->file, s) < 0) {
        rc = latch(f, h5util_fail_io(f->path, err, "/spikes/", pop));
        drop_spikes(s);
        return rc;
    }
    f->n_spk++;
    rc = flush(f, "/spikes/", pop, err);
    return rc == HS_OK ? (int)(f->n_spk - 1) : rc;
}

/* Marks the population unsorted (sorting = none) once times go backwards. */
static herr_t track_order(h5out_spk *s, const double *t_ms, size_t n)
{
    int sorted = s->by_time;
    for (size_t i = 0; i < n && sorted; i++) {
        if (t_ms[i] < s->last_t)
            sorted = 0;
        else
            s->last_t = t_ms[i];
    }
    if (sorted == s->by_time)
        return 0;
    s->by_time = 0;
    return write_sorting(s->grp, SORT_NONE);
}

int h5out_spikes_append(h5out *f, int h, const double *t_ms, const uint64_t *ids, size_t n,
                        hs_error *err)
{
    int rc = check_handle(f, h, f ? f->n_spk : 0, err);
    if (rc == HS_OK)
        rc = check_writable(f, "spikes of /spikes/", f->spk[h].pop, err);
    if (rc != HS_OK || n == 0)
        return rc;
    if (!t_ms || !ids)
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: NULL spike arrays");
    h5out_spk *s = &f->spk[h];
    if (h5util_append_rows(s->t, H5T_NATIVE_DOUBLE, 1, s->n, n, 0, t_ms) < 0 ||
        h5util_append_rows(s->id, H5T_NATIVE_UINT64, 1, s->n, n, 0, ids) < 0 ||
        track_order(s, t_ms, n) < 0)
        return latch(f, h5util_fail_io(f->path, err, "spikes of /spikes/", s->pop));
    s->n += n;
    return flush(f, "spikes of /spikes/", f->spk[h].pop, err);
}

int h5out_spikes_set_size(h5out *f, int h, uint64_t n_nodes, hs_error *err)
{
    int rc = check_handle(f, h, f ? f->n_spk : 0, err);
    if (rc == HS_OK)
        rc = check_writable(f, "n_nodes of /spikes/", f->spk[h].pop, err);
    if (rc != HS_OK)
        return rc;
    h5out_spk *s = &f->spk[h];
    if (attr_u64(s->grp, "n_nodes", n_nodes) < 0)
        return latch(f, h5util_fail_io(f->path, err, "n_nodes of /spikes/", s->pop));
    return flush(f, "n_nodes of /spikes/", f->spk[h].pop, err);
}

/* ---- reports ---- */

/* About REPORT_CHUNK_ROWS rows, the chunk capped to REPORT_CHUNK_BYTES. */
static void report_chunk(hsize_t cols, hsize_t chunk[2])
{
    hsize_t max_cols = REPORT_CHUNK_BYTES / sizeof(float);
    chunk[1] = cols < max_cols ? cols : max_cols;
    hsize_t rows = REPORT_CHUNK_BYTES / (chunk[1] * sizeof(float));
    chunk[0] = rows < 1 ? 1 : rows > REPORT_CHUNK_ROWS ? REPORT_CHUNK_ROWS : rows;
}

static herr_t write_time(hid_t ds, const h5out_rep *r)
{
    double t[3] = {r->start, r->start + (double)r->rows * r->dt, r->dt};
    return H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
}

/* mapping/{node_ids, index_pointers, element_ids}: one element per node. */
static herr_t write_mapping_ids(hid_t map, const uint64_t *node_ids, hsize_t n)
{
    uint64_t *ptr = malloc((size_t)(n + 1) * sizeof *ptr);
    uint32_t *elem = calloc((size_t)n, sizeof *elem);
    herr_t rc = -1;
    if (ptr && elem) {
        for (hsize_t i = 0; i <= n; i++)
            ptr[i] = i;
        if (h5util_write_array(map, "node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, n,
                               node_ids) >= 0 &&
            h5util_write_array(map, "index_pointers", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                               n + 1, ptr) >= 0 &&
            h5util_write_array(map, "element_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, n,
                               elem) >= 0)
            rc = 0;
    }
    free(ptr);
    free(elem);
    return rc;
}

static herr_t report_mapping(hid_t grp, h5out_rep *r, const uint64_t *node_ids)
{
    hid_t map = H5Gcreate2(grp, "mapping", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (map < 0)
        return -1;
    double t[3] = {r->start, r->start, r->dt};
    herr_t rc = write_mapping_ids(map, node_ids, r->cols);
    if (rc >= 0)
        r->time = h5util_create_array(map, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, t);
    if (rc >= 0 && (r->time < 0 || h5util_attr_write_str(r->time, "units", "ms") < 0))
        rc = -1;
    if (H5Gclose(map) < 0)
        rc = -1;
    return rc;
}

/* Creates /report/<pop> with its empty data and full mapping into r. */
static herr_t report_create(hid_t file, h5out_rep *r, const char *variable,
                            const char *units, const uint64_t *node_ids)
{
    hid_t top = h5util_open_or_create_group(file, "report");
    if (top < 0)
        return -1;
    hid_t grp = H5Gcreate2(top, r->pop, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (H5Gclose(top) < 0 || grp < 0) {
        if (grp >= 0)
            H5Gclose(grp);
        return -1;
    }
    hsize_t chunk[2];
    report_chunk(r->cols, chunk);
    r->data = h5util_create_ext(grp, "data", H5T_IEEE_F32LE, 2, r->cols, chunk);
    herr_t rc = -1;
    if (r->data >= 0 && h5util_attr_write_str(r->data, "units", units) >= 0 &&
        h5util_attr_write_str(r->data, "variable", variable) >= 0)
        rc = report_mapping(grp, r, node_ids);
    if (H5Gclose(grp) < 0)
        rc = -1;
    return rc;
}

static int check_report_args(const h5out *f, const char *pop, const uint64_t *node_ids,
                             size_t n_nodes, double start_ms, double dt_ms, hs_error *err)
{
    if (n_nodes == 0 || !node_ids)
        return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                           "report of population '%s' has no nodes", pop);
    if (!isfinite(start_ms) || !isfinite(dt_ms) || dt_ms <= 0)
        return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                           "report of population '%s': bad start %g ms or dt %g ms", pop,
                           start_ms, dt_ms);
    for (size_t i = 0; i < f->n_rep; i++)
        if (strcmp(f->rep[i].pop, pop) == 0)
            return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                               "population '%s' already has a report (SONATA allows one "
                               "per population and file)",
                               pop);
    return HS_OK;
}

/* The next report of f, for pop (its datasets not open yet); NULL with
 * err set when out of memory. */
static h5out_rep *new_report(h5out *f, const char *pop, hs_error *err)
{
    h5out_rep *grown = realloc(f->rep, (f->n_rep + 1) * sizeof *grown);
    if (grown)
        f->rep = grown;
    h5out_rep *r = grown ? &f->rep[f->n_rep] : NULL;
    if (r)
        *r = (h5out_rep){.pop = strdup(pop), .data = -1, .time = -1};
    if (!r || !r->pop) {
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", f->path);
        return NULL;
    }
    return r;
}

/* Undoes new_report after a failure. */
static void drop_report(h5out_rep *r)
{
    close_id(&r->data);
    close_id(&r->time);
    free(r->pop);
}

int h5out_report_add(h5out *f, const char *pop, const char *variable, const char *units,
                     const uint64_t *node_ids, size_t n_nodes, double start_ms,
                     double dt_ms, hs_error *err)
{
    int rc = check_writable(f, "/report/", pop, err);
    if (rc == HS_OK)
        rc = check_pop(f, pop, err);
    if (rc == HS_OK)
        rc = check_report_args(f, pop, node_ids, n_nodes, start_ms, dt_ms, err);
    if (rc != HS_OK)
        return rc;
    h5out_rep *r = new_report(f, pop, err);
    if (!r)
        return err->code;
    r->cols = n_nodes;
    r->start = start_ms;
    r->dt = dt_ms;
    if (report_create(f->file, r, variable, units, node_ids) < 0) {
        rc = latch(f, h5util_fail_io(f->path, err, "/report/", pop));
        drop_report(r);
        return rc;
    }
    f->n_rep++;
    rc = flush(f, "/report/", pop, err);
    return rc == HS_OK ? (int)(f->n_rep - 1) : rc;
}

int h5out_report_append(h5out *f, int h, const float *data, size_t n_times, hs_error *err)
{
    int rc = check_handle(f, h, f ? f->n_rep : 0, err);
    if (rc == HS_OK)
        rc = check_writable(f, "data of /report/", f->rep[h].pop, err);
    if (rc != HS_OK || n_times == 0)
        return rc;
    if (!data)
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: NULL report data");
    h5out_rep *r = &f->rep[h];
    herr_t w =
        h5util_append_rows(r->data, H5T_NATIVE_FLOAT, 2, r->rows, n_times, r->cols, data);
    if (w < 0)
        return latch(f, h5util_fail_io(f->path, err, "data of /report/", r->pop));
    r->rows += n_times;
    if (write_time(r->time, r) < 0)
        return latch(f, h5util_fail_io(f->path, err, "mapping/time of /report/", r->pop));
    return flush(f, "data of /report/", f->rep[h].pop, err);
}

/* ---- phases ---- */

static herr_t phases_create(hid_t file, const char *const *names, const char *const *stages,
                            const double *start_ms, const double *stop_ms, size_t n)
{
    htri_t exists = H5Lexists(file, "phases", H5P_DEFAULT);
    if (exists < 0 || (exists && H5Ldelete(file, "phases", H5P_DEFAULT) < 0))
        return -1;
    hid_t g = H5Gcreate2(file, "phases", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    herr_t rc = -1;
    if (h5util_write_strs(g, "name", names, n) >= 0 &&
        h5util_write_strs(g, "stage", stages, n) >= 0 &&
        h5util_write_column(g, "start_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, start_ms,
                            "ms", NULL) >= 0 &&
        h5util_write_column(g, "stop_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, stop_ms,
                            "ms", NULL) >= 0)
        rc = 0;
    if (H5Gclose(g) < 0)
        rc = -1;
    return rc;
}

int h5out_phases_write(h5out *f, const char *const *names, const char *const *stages,
                       const double *start_ms, const double *stop_ms, size_t n,
                       hs_error *err)
{
    int rc = check_writable(f, "/phases", NULL, err);
    if (rc != HS_OK)
        return rc;
    if (n > 0 && (!names || !stages || !start_ms || !stop_ms))
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: NULL phase arrays");
    if (phases_create(f->file, names, stages, start_ms, stop_ms, n) < 0)
        return latch(f, h5util_fail_io(f->path, err, "/phases", NULL));
    return flush(f, "/phases", NULL, err);
}

/* ---- weights (written by h5weights.c) ---- */

int h5out_weights_add(h5out *f, const char *proj, const char *pre_pop, const char *post_pop,
                      const char *units, hs_error *err)
{
    int h = check_writable(f, "/weights/", proj, err);
    if (h == HS_OK)
        h = h5weights_add(&f->wgt, f->file, f->path, proj, pre_pop, post_pop, units, err);
    if (h < 0)
        return latch(f, h);
    int rc = flush(f, "/weights/", proj, err);
    return rc == HS_OK ? h : rc;
}

int h5out_weights_write(h5out *f, int h, const uint64_t *pre, const uint64_t *post,
                        const double *weight, size_t n, double t_ms, const char *phase,
                        hs_error *err)
{
    const char *proj = f && h >= 0 && (size_t)h < f->wgt.n ? f->wgt.proj[h].name : NULL;
    int rc = check_writable(f, "a snapshot of /weights/", proj, err);
    if (rc == HS_OK)
        rc = h5weights_write(&f->wgt, f->path, h, pre, post, weight, n, t_ms, phase, err);
    return rc == HS_OK ? flush(f, "a snapshot of /weights/", proj, err) : latch(f, rc);
}

/* ---- behaviour, maze and place fields (h5behavior.c, h5maze.c) ---- */

int h5out_behavior_write(h5out *f, const double *time_ms, const double *position_cm,
                         const uint32_t *lap, const int8_t *direction, size_t n,
                         hs_error *err)
{
    int rc = check_writable(f, "/behavior", NULL, err);
    if (rc == HS_OK)
        rc = h5behavior_write(f->file, f->path, time_ms, position_cm, lap, direction, n,
                              err);
    return rc == HS_OK ? flush(f, "/behavior", NULL, err) : latch(f, rc);
}

int h5out_behavior_geometry_write(h5out *f, const uint8_t *segment, const double *x_cm,
                                  const double *y_cm, size_t n, const h5out_segments *segs,
                                  hs_error *err)
{
    int rc = check_writable(f, "the geometry of /behavior", NULL, err);
    if (rc == HS_OK)
        rc = h5maze_write(f->file, f->path, segment, x_cm, y_cm, n, segs, err);
    return rc == HS_OK ? flush(f, "the geometry of /behavior", NULL, err) : latch(f, rc);
}

int h5out_place_fields_write(h5out *f, const char *pop, const double *center_cm,
                             const double *width_cm, const double *peak_hz,
                             const int8_t *direction, size_t n, hs_error *err)
{
    int rc = check_writable(f, "/place_fields/", pop, err);
    if (rc == HS_OK)
        rc = h5behavior_fields_write(f->file, f->path, pop, center_cm, width_cm, peak_hz,
                                     direction, n, err);
    return rc == HS_OK ? flush(f, "/place_fields/", pop, err) : latch(f, rc);
}

/* ---- replay events, template, up states (h5replay.c, h5template.c, h5sleep.c) ---- */

int h5out_replay_write(h5out *f, const h5out_replay *r, hs_error *err)
{
    int rc = check_writable(f, "/replay/events", NULL, err);
    if (rc == HS_OK)
        rc = h5replay_write(f->file, f->path, r, err);
    return rc == HS_OK ? flush(f, "/replay/events", NULL, err) : latch(f, rc);
}

int h5out_up_states_append(h5out *f, const char *phase, const char *population,
                           const double *start_ms, const double *stop_ms, size_t n,
                           hs_error *err)
{
    int rc = check_writable(f, "/sleep/up_states", NULL, err);
    if (rc == HS_OK)
        rc = h5sleep_up_states_append(f->file, f->path, phase, population, start_ms, stop_ms,
                                      n, err);
    return rc == HS_OK && n > 0 ? flush(f, "/sleep/up_states", NULL, err) : latch(f, rc);
}

int h5out_template_write(h5out *f, const h5out_template *t, hs_error *err)
{
    int rc = check_writable(f, "/replay/template", NULL, err);
    if (rc == HS_OK)
        rc = h5template_write(f->file, f->path, t, err);
    return rc == HS_OK ? flush(f, "/replay/template", NULL, err) : latch(f, rc);
}

/* ---- close ---- */

int h5out_close(h5out *f, int complete, double wall_s, hs_error *err)
{
    if (!f)
        return HS_OK;
    int rc = check_writable(f, "/meta complete and wall_s", NULL, err);
    /* complete = 1 goes last, alone, once everything before it is on disk. */
    if (rc == HS_OK && attr_f64(f->meta, "wall_s", wall_s) < 0)
        rc = latch(f, h5util_fail_io(f->path, err, "/meta wall_s", NULL));
    if (rc == HS_OK)
        rc = flush(f, "/meta wall_s", NULL, err);
    if (rc == HS_OK && complete && attr_i32(f->meta, "complete", 1) < 0)
        rc = latch(f, h5util_fail_io(f->path, err, "/meta complete", NULL));
    if (rc == HS_OK && complete)
        rc = flush(f, "/meta complete", NULL, err);
    /* A failed file keeps what its last good flush wrote, complete = 0. */
    int frozen = f->failed && h5util_file_freeze(f->file) == 0;
    char *path = strdup(f->path);
    if (discard(f) < 0 && rc == HS_OK && !frozen)
        rc = h5util_fail_io(path ? path : "(run file)", err, "file (close)", NULL);
    free(path);
    return rc;
}

/* ---- reopen: a resumed run goes on writing its file ---- */

static int refuse(const char *path, hs_error *err, const char *what)
{
    return hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", what);
}

/* The file must be the unfinished run of expect: same config, overrides
 * and seed, complete = 0. */
static int check_resumable(hid_t file, hid_t meta, const char *path, const h5out_meta *expect,
                           hs_error *err)
{
    uint32_t magic = 0;
    char *config = NULL, *overrides = NULL;
    uint64_t seed = 0;
    int32_t complete = -1;
    int rc = HS_OK;
    if (h5util_attr_read_num(file, "magic", H5T_NATIVE_UINT32, &magic) < 0 ||
        magic != H5OUT_MAGIC || meta < 0)
        rc = refuse(path, err, "not a hebbsleep run file");
    else if (h5util_attr_read_str(meta, "config", &config) < 0 ||
             h5util_attr_read_str(meta, "overrides", &overrides) < 0 ||
             h5util_attr_read_num(meta, "seed", H5T_NATIVE_UINT64, &seed) < 0 ||
             h5util_attr_read_num(meta, "complete", H5T_NATIVE_INT32, &complete) < 0)
        rc = refuse(path, err, "/meta lacks config, overrides, seed or complete");
    else if (strcmp(config, expect->config_text) != 0 ||
             strcmp(overrides, expect->overrides) != 0 || seed != expect->seed)
        rc = refuse(path, err, "holds a run of another config, overrides or seed than the "
                    "checkpoint's");
    else if (complete != 0)
        rc = refuse(path, err, "holds a complete run: there is nothing to resume");
    free(config);
    free(overrides);
    return rc;
}

h5out *h5out_reopen(const char *path, const h5out_meta *expect, hs_error *err)
{
    h5util_init();
    h5out *f = calloc(1, sizeof *f);
    if (f)
        f->path = strdup(path);
    if (!f || !f->path) {
        free(f);
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    f->meta = -1;
    hid_t probe;
    if (h5util_open_read(path, &probe, err) != HS_OK) {
        discard(f);
        return NULL;
    }
    H5Fclose(probe);
    f->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f->file < 0) {
        h5util_fail_io(path, err, "file (opening it to resume)", NULL);
        discard(f);
        return NULL;
    }
    if (H5Lexists(f->file, "meta", H5P_DEFAULT) > 0)
        f->meta = H5Gopen2(f->file, "meta", H5P_DEFAULT);
    int rc = check_resumable(f->file, f->meta, path, expect, err);
    /* the analysis of a run that died while closing is done again */
    if (rc == HS_OK && H5Lexists(f->file, "replay", H5P_DEFAULT) > 0 &&
        H5Ldelete(f->file, "replay", H5P_DEFAULT) < 0)
        rc = h5util_fail_io(path, err, "file (removing /replay)", NULL);
    if (rc == HS_OK)
        rc = flush(f, "file (opening it to resume)", NULL, err);
    if (rc != HS_OK) {
        discard(f);
        return NULL;
    }
    return f;
}

/* A recorder of the run file could not be cut back to what the checkpoint
 * counts: too short, missing, or unreadable (HDF5's reason, if it gave one). */
static int cut_failed(const h5out *f, const char *name, uint64_t keep, const char *what,
                      hs_error *err)
{
    char why[256] = ": ";
    h5util_why(why + 2, sizeof why - 2);
    int hdf5 = strcmp(why + 2, "unknown HDF5 error") != 0;   /* else our check failed */
    return hs_error_at(err, HS_EINPUT, f->path, 0, 0, "/%s does not hold the %llu %s the "
                       "checkpoint counts%s: not the checkpoint's run file?", name,
                       (unsigned long long)keep, what, hdf5 ? why : "");
}

/* Opens dataset name under loc and cuts it to `keep` rows; *had is what
 * it held. */
static hid_t open_cut(hid_t loc, const char *name, hsize_t keep, hsize_t *had)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t dims[2] = {0, 0};
    int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
    if (space >= 0)
        H5Sclose(space);
    *had = dims[0];
    dims[0] = keep;
    if (rank < 1 || *had < keep || H5Dset_extent(ds, dims) < 0) {
        if (ds >= 0)
            H5Dclose(ds);
        return -1;
    }
    return ds;
}

static herr_t read_sorting(hid_t grp, hid_t type, uint8_t *v)
{
    hid_t a = H5Aopen(grp, "sorting", H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Aread(a, type, v);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

int h5out_spikes_reopen(h5out *f, const char *pop, uint64_t keep, hs_error *err)
{
    int rc = check_file(f, err);
    if (rc == HS_OK)
        rc = check_pop(f, pop, err);
    if (rc != HS_OK)
        return rc;
    h5out_spk *s = new_spikes(f, pop, err);
    if (!s)
        return err->code;
    s->n = keep;
    char name[512];
    snprintf(name, sizeof name, "spikes/%s", pop);
    hsize_t had_t = 0, had_id = 0;
    uint8_t sorting = SORT_BY_TIME;
    hid_t st = sorting_type();
    if (H5Lexists(f->file, "spikes", H5P_DEFAULT) <= 0 ||
        H5Lexists(f->file, name, H5P_DEFAULT) <= 0 ||
        (s->grp = H5Gopen2(f->file, name, H5P_DEFAULT)) < 0 ||
        (s->t = open_cut(s->grp, "timestamps", keep, &had_t)) < 0 ||
        (s->id = open_cut(s->grp, "node_ids", keep, &had_id)) < 0 ||
        (keep && h5util_read_block(s->t, H5T_NATIVE_DOUBLE, keep - 1, 1, &s->last_t) < 0) ||
        st < 0 || read_sorting(s->grp, st, &sorting) < 0)
        rc = cut_failed(f, name, keep, "spikes", err);
    if (st >= 0)
        H5Tclose(st);
    s->by_time = sorting == SORT_BY_TIME;
    if (rc != HS_OK) {
        drop_spikes(s);
        return rc;
    }
    f->n_spk++;
    rc = flush(f, "/spikes/", pop, err);
    return rc == HS_OK ? (int)(f->n_spk - 1) : rc;
}

int h5out_report_reopen(h5out *f, const char *pop, uint64_t keep, hs_error *err)
{
    int rc = check_file(f, err);
    if (rc == HS_OK)
        rc = check_pop(f, pop, err);
    if (rc != HS_OK)
        return rc;
    h5out_rep *r = new_report(f, pop, err);
    if (!r)
        return err->code;
    r->rows = keep;
    char data[512], time[512];
    snprintf(data, sizeof data, "report/%s/data", pop);
    snprintf(time, sizeof time, "report/%s/mapping/time", pop);
    hsize_t had = 0, dims[2] = {0, 0};
    double t[3];
    hid_t space = -1;
    if (H5Lexists(f->file, "report", H5P_DEFAULT) <= 0 ||
        H5Lexists(f->file, data, H5P_DEFAULT) <= 0 ||
        (r->data = open_cut(f->file, data, keep, &had)) < 0 ||
        (space = H5Dget_space(r->data)) < 0 ||
        H5Sget_simple_extent_dims(space, dims, NULL) != 2 ||
        (r->time = H5Dopen2(f->file, time, H5P_DEFAULT)) < 0 ||
        H5Dread(r->time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) < 0)
        rc = cut_failed(f, data, keep, "rows", err);
    if (space >= 0)
        H5Sclose(space);
    if (rc == HS_OK) {
        r->cols = dims[1];
        r->start = t[0];
        r->dt = t[2];
        if (write_time(r->time, r) < 0)
            rc = h5util_fail_io(f->path, err, "mapping/time of /report/", pop);
    }
    if (rc != HS_OK) {
        drop_report(r);
        return rc;
    }
    f->n_rep++;
    rc = flush(f, "/report/", pop, err);
    return rc == HS_OK ? (int)(f->n_rep - 1) : rc;
}

int h5out_weights_reopen(h5out *f, const char *proj, const char *units, size_t keep,
                         hs_error *err)
{
    int rc = check_file(f, err);
    if (rc != HS_OK)
        return rc;
    int h = h5weights_reopen(&f->wgt, f->file, f->path, proj, units, keep, err);
    if (h < 0)
        return h;
    rc = flush(f, "/weights/", proj, err);
    return rc == HS_OK ? h : rc;
}

int h5out_up_states_truncate(h5out *f, uint64_t keep, hs_error *err)
{
    int rc = check_file(f, err);
    if (rc == HS_OK)
        rc = h5sleep_up_states_truncate(f->file, f->path, keep, err);
    return rc == HS_OK ? flush(f, "/sleep/up_states", NULL, err) : rc;
}

uint64_t h5out_spikes_count(const h5out *f, int h)
{
    return f->spk[h].n;
}

uint64_t h5out_report_rows(const h5out *f, int h)
{
    return f->rep[h].rows;
}

uint64_t h5out_weights_count(const h5out *f, int h)
{
    return f->wgt.proj[h].n_snap;
}

int h5out_spikes_read(h5out *f, int h, double *t_ms, uint64_t *ids, hs_error *err)
{
    const h5out_spk *s = &f->spk[h];
    if (s->n && (h5util_read_block(s->t, H5T_NATIVE_DOUBLE, 0, s->n, t_ms) < 0 ||
                 h5util_read_block(s->id, H5T_NATIVE_UINT64, 0, s->n, ids) < 0))
        return h5util_fail_input(f->path, err, "reading back /spikes/", s->pop);
    return HS_OK;
}
