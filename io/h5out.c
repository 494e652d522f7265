/* h5out.c: writes the run file as the run goes (layout in h5out.h).
 *
 * Datasets that grow stay open in the handle; every public call that writes
 * ends with a global flush, so a process killed between calls leaves a file
 * that opens with complete = 0 and everything appended so far.
 */
#include "h5out.h"
#include "h5out_file.h"

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

/* ---- errors ---- */
int h5out_check_file(const h5out *f, hs_error *err)
{
    if (!f)
        return hs_error_set(err, HS_EINTERNAL, "h5out: NULL file handle");
    return HS_OK;
}

/* After a failed write nothing more is written: HDF5's state may no longer
 * match the file, and complete = 1 must never follow a lost write. */
int h5out_check_writable(const h5out *f, const char *what, const char *name,
                          hs_error *err)
{
    int rc = h5out_check_file(f, err);
    if (rc == HS_OK && f->failed)
        rc = hs_error_at(err, HS_EIO, f->path, 0, 0,
                         "cannot write %s%s: an earlier write to the file failed", what,
                         name ? name : "");
    return rc;
}

/* h must be a handle returned for one of the n spike sets or reports. */
int h5out_check_handle(const h5out *f, int h, size_t n, hs_error *err)
{
    if (!f)
        return h5out_check_file(f, err);
    if (h < 0 || (size_t)h >= n)
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: bad handle %d", h);
    return HS_OK;
}

/* Returns rc, marking f failed when rc is a write failure. */
int h5out_latch(h5out *f, int rc)
{
    if (f && rc == HS_EIO)
        f->failed = 1;
    return rc;
}

/* A population name is one HDF5 link name. */
int h5out_check_pop(const h5out *f, const char *pop, hs_error *err)
{
    if (!h5util_is_link_name(pop))
        return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                           "population name '%s' cannot name an HDF5 group",
                           pop ? pop : "(null)");
    return HS_OK;
}

/* Flushes the file after writing what + name (for the message). */
int h5out_flush(h5out *f, const char *what, const char *name, hs_error *err)
{
    if (h5util_file_reserve(f->file) < 0 || H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) {
        f->failed = 1;
        return h5util_fail_io(f->path, err, what, name);
    }
    return HS_OK;
}

/* Closes *id if open; returns < 0 when the close failed. */
herr_t h5out_close_id(hid_t *id)
{
    herr_t rc = *id >= 0 ? H5Oclose(*id) : 0;
    *id = -1;
    return rc;
}

/* Scalar attributes in the file's fixed little-endian types. */
herr_t h5out_attr_u64(hid_t obj, const char *name, uint64_t v)
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
    if (write_meta_strings(g, m) < 0 || h5out_attr_u64(g, "seed", m ? m->seed : 0) < 0 ||
        attr_i32(g, "threads", m ? (int32_t)m->threads : 1) < 0 ||
        attr_i32(g, "complete", 0) < 0 || attr_f64(g, "wall_s", 0.0) < 0)
        return -1;
    return 0;
}

/* Closes every HDF5 object of f and the file; frees f. Returns < 0 when an
 * HDF5 close failed (the memory is freed all the same). */
herr_t h5out_discard(h5out *f)
{
    int failed = 0; /* every close is tried, whatever failed before */
    for (size_t i = 0; i < f->n_spk; i++) {
        failed |= h5out_close_id(&f->spk[i].grp) < 0;
        failed |= h5out_close_id(&f->spk[i].t) < 0;
        failed |= h5out_close_id(&f->spk[i].id) < 0;
        free(f->spk[i].pop);
    }
    for (size_t i = 0; i < f->n_rep; i++) {
        failed |= h5out_close_id(&f->rep[i].data) < 0;
        failed |= h5out_close_id(&f->rep[i].time) < 0;
        free(f->rep[i].pop);
    }
    failed |= h5weights_clear(&f->wgt) < 0;
    failed |= h5out_close_id(&f->meta) < 0;
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

h5out *h5out_handle_new(const char *path, hs_error *err)
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
    return f;
}

/* Creates path through the file access properties fapl (H5P_DEFAULT: on
 * disk). */
static h5out *create(const char *path, hid_t fapl, const h5out_meta *meta, hs_error *err)
{
    h5out *f = h5out_handle_new(path, err);
    if (!f)
        return NULL;
    struct stat before;
    int on_disk = fapl == H5P_DEFAULT;
    int existed = on_disk && stat(path, &before) == 0;
    f->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (f->file < 0) {
        h5util_fail_io(path, err, "file", NULL);
        h5out_discard(f);
        if (on_disk && create_touched(path, existed, &before))
            unlink(path);
        return NULL;
    }
    f->meta = H5Gcreate2(f->file, "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = HS_OK;
    if (f->meta < 0 || write_root(f->file) < 0 || write_meta(f->meta, meta) < 0)
        rc = h5util_fail_io(path, err, "root attributes and /meta", NULL);
    else
        rc = h5out_flush(f, "root attributes and /meta", NULL, err);
    if (rc != HS_OK) {
        /* Never flushed whole, the file cannot be opened: not left behind. */
        h5util_file_freeze(f->file);
        h5out_discard(f);
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
    int rc = h5out_check_writable(f, "/phases", NULL, err);
    if (rc != HS_OK)
        return rc;
    if (n > 0 && (!names || !stages || !start_ms || !stop_ms))
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: NULL phase arrays");
    if (phases_create(f->file, names, stages, start_ms, stop_ms, n) < 0)
        return h5out_latch(f, h5util_fail_io(f->path, err, "/phases", NULL));
    return h5out_flush(f, "/phases", NULL, err);
}

int h5out_weights_add(h5out *f, const char *proj, const char *pre_pop, const char *post_pop,
                      const char *units, hs_error *err)
{
    int h = h5out_check_writable(f, "/weights/", proj, err);
    if (h == HS_OK)
        h = h5weights_add(&f->wgt, f->file, f->path, proj, pre_pop, post_pop, units, err);
    if (h < 0)
        return h5out_latch(f, h);
    int rc = h5out_flush(f, "/weights/", proj, err);
    return rc == HS_OK ? h : rc;
}

int h5out_weights_write(h5out *f, int h, const uint64_t *pre, const uint64_t *post,
                        const double *weight, size_t n, double t_ms, const char *phase,
                        hs_error *err)
{
    const char *proj = f && h >= 0 && (size_t)h < f->wgt.n ? f->wgt.proj[h].name : NULL;
    int rc = h5out_check_writable(f, "a snapshot of /weights/", proj, err);
    if (rc == HS_OK)
        rc = h5weights_write(&f->wgt, f->path, h, pre, post, weight, n, t_ms, phase, err);
    return rc == HS_OK ? h5out_flush(f, "a snapshot of /weights/", proj, err) : h5out_latch(f, rc);
}

int h5out_behavior_write(h5out *f, const double *time_ms, const double *position_cm,
                         const uint32_t *lap, const int8_t *direction, size_t n,
                         hs_error *err)
{
    int rc = h5out_check_writable(f, "/behavior", NULL, err);
    if (rc == HS_OK)
        rc = h5behavior_write(f->file, f->path, time_ms, position_cm, lap, direction, n,
                              err);
    return rc == HS_OK ? h5out_flush(f, "/behavior", NULL, err) : h5out_latch(f, rc);
}

int h5out_behavior_geometry_write(h5out *f, const uint8_t *segment, const double *x_cm,
                                  const double *y_cm, size_t n, const h5out_segments *segs,
                                  hs_error *err)
{
    int rc = h5out_check_writable(f, "the geometry of /behavior", NULL, err);
    if (rc == HS_OK)
        rc = h5maze_write(f->file, f->path, segment, x_cm, y_cm, n, segs, err);
    return rc == HS_OK ? h5out_flush(f, "the geometry of /behavior", NULL, err) : h5out_latch(f, rc);
}

int h5out_place_fields_write(h5out *f, const char *pop, const double *center_cm,
                             const double *width_cm, const double *peak_hz,
                             const int8_t *direction, size_t n, hs_error *err)
{
    int rc = h5out_check_writable(f, "/place_fields/", pop, err);
    if (rc == HS_OK)
        rc = h5behavior_fields_write(f->file, f->path, pop, center_cm, width_cm, peak_hz,
                                     direction, n, err);
    return rc == HS_OK ? h5out_flush(f, "/place_fields/", pop, err) : h5out_latch(f, rc);
}

int h5out_replay_write(h5out *f, const h5out_replay *r, hs_error *err)
{
    int rc = h5out_check_writable(f, "/replay/events", NULL, err);
    if (rc == HS_OK)
        rc = h5replay_write(f->file, f->path, r, err);
    return rc == HS_OK ? h5out_flush(f, "/replay/events", NULL, err) : h5out_latch(f, rc);
}

int h5out_up_states_append(h5out *f, const char *phase, const char *population,
                           const double *start_ms, const double *stop_ms, size_t n,
                           hs_error *err)
{
    int rc = h5out_check_writable(f, "/sleep/up_states", NULL, err);
    if (rc == HS_OK)
        rc = h5sleep_up_states_append(f->file, f->path, phase, population, start_ms, stop_ms,
                                      n, err);
    return rc == HS_OK && n > 0 ? h5out_flush(f, "/sleep/up_states", NULL, err) : h5out_latch(f, rc);
}

int h5out_template_write(h5out *f, const h5out_template *t, hs_error *err)
{
    int rc = h5out_check_writable(f, "/replay/template", NULL, err);
    if (rc == HS_OK)
        rc = h5template_write(f->file, f->path, t, err);
    return rc == HS_OK ? h5out_flush(f, "/replay/template", NULL, err) : h5out_latch(f, rc);
}

int h5out_close(h5out *f, int complete, double wall_s, hs_error *err)
{
    if (!f)
        return HS_OK;
    int rc = h5out_check_writable(f, "/meta complete and wall_s", NULL, err);
    /* complete = 1 goes last, alone, once everything before it is on disk. */
    if (rc == HS_OK && attr_f64(f->meta, "wall_s", wall_s) < 0)
        rc = h5out_latch(f, h5util_fail_io(f->path, err, "/meta wall_s", NULL));
    if (rc == HS_OK)
        rc = h5out_flush(f, "/meta wall_s", NULL, err);
    if (rc == HS_OK && complete && attr_i32(f->meta, "complete", 1) < 0)
        rc = h5out_latch(f, h5util_fail_io(f->path, err, "/meta complete", NULL));
    if (rc == HS_OK && complete)
        rc = h5out_flush(f, "/meta complete", NULL, err);
    /* A failed file keeps what its last good flush wrote, complete = 0. */
    int frozen = f->failed && h5util_file_freeze(f->file) == 0;
    char *path = strdup(f->path);
    if (h5out_discard(f) < 0 && rc == HS_OK && !frozen)
        rc = h5util_fail_io(path ? path : "(run file)", err, "file (close)", NULL);
    free(path);
    return rc;
}

uint64_t h5out_weights_count(const h5out *f, int h)
{
    return f->wgt.proj[h].n_snap;
}
