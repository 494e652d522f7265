/* h5weights.c: weight snapshots in the run file (layout in h5out.h): the
 * writer behind h5out_weights_add/_write, the readers h5in_weights_count/
 * _read and what the summary of `hebbsleep info` reads of /weights.
 *
 * A snapshot is written once at its full size, so its datasets are
 * contiguous. Measured for one snapshot of 10^6 synapses (24 MB of pre,
 * post and weight, written and flushed): contiguous took 5-6 ms, chunks of
 * 64 Ki elements 6-8 ms and one chunk of 1 Mi elements 8-10 ms; the file
 * grew by the raw 24 MB plus 2.5-3.5 KB contiguous, 9 KB with 1 Mi chunks
 * and 1.2 MB with 64 Ki chunks (the last chunk of each dataset is padded).
 * Chunks would only be needed for compression, which is not wanted by
 * default.
 */
#include "h5weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5out.h"
#include "h5run_file.h"
#include "h5util.h"

/* Snapshot names "000000" .. "999999" sort in time order. */
#define SNAPSHOTS_MAX 1000000u

/* Elements read at a time for a snapshot's sum of weights
 * (h5weights_stats_read). */
#define MEAN_BLOCK ((hsize_t)65536)

/* ---- writer ---- */

herr_t h5weights_clear(h5weights *w)
{
    herr_t rc = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->proj[i].grp >= 0 && H5Gclose(w->proj[i].grp) < 0)
            rc = -1;
        free(w->proj[i].name);
        free(w->proj[i].units);
    }
    free(w->proj);
    w->proj = NULL;
    w->n = 0;
    return rc;
}

/* proj names one new group, with units. */
static int check_proj(const h5weights *w, const char *path, const char *proj,
                      const char *units, hs_error *err)
{
    if (!h5util_is_link_name(proj))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "projection name '%s' cannot name an HDF5 group",
                           proj ? proj : "(null)");
    if (!units || !units[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "weights of projection '%s': empty units", proj);
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->proj[i].name, proj) == 0)
            return hs_error_at(err, HS_EINPUT, path, 0, 0,
                               "weights of projection '%s' added twice", proj);
    return HS_OK;
}

static int check_add(const h5weights *w, const char *path, const char *proj,
                     const char *pre_pop, const char *post_pop, const char *units,
                     hs_error *err)
{
    if (h5util_is_link_name(proj) &&
        (!pre_pop || !pre_pop[0] || !post_pop || !post_pop[0]))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "weights of projection '%s': empty population name or units",
                           proj);
    return check_proj(w, path, proj, units, err);
}

/* Creates /weights/<p->name> with its attributes into p->grp. */
static herr_t proj_create(hid_t file, h5weights_proj *p, const char *pre_pop,
                          const char *post_pop)
{
    hid_t top = h5util_open_or_create_group(file, "weights");
    if (top < 0)
        return -1;
    p->grp = H5Gcreate2(top, p->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (H5Gclose(top) < 0 || p->grp < 0 || h5util_attr_write_str(p->grp, "pre_population", pre_pop) < 0 ||
        h5util_attr_write_str(p->grp, "post_population", post_pop) < 0 ||
        h5util_attr_write_str(p->grp, "units", p->units) < 0)
        return -1;
    return 0;
}

/* The next projection of w (its group not open yet); NULL with err set
 * when out of memory. */
static h5weights_proj *new_proj(h5weights *w, const char *path, const char *proj,
                                const char *units, hs_error *err)
{
    h5weights_proj *grown = realloc(w->proj, (w->n + 1) * sizeof *grown);
    if (grown)
        w->proj = grown;
    h5weights_proj *p = grown ? &w->proj[w->n] : NULL;
    if (p)
        *p = (h5weights_proj){
            .name = strdup(proj), .units = strdup(units), .grp = -1, .last_t = -INFINITY};
    if (!p || !p->name || !p->units) {
        if (p) {
            free(p->name);
            free(p->units);
        }
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    return p;
}

/* Undoes new_proj after a failure. */
static void drop_proj(h5weights_proj *p)
{
    if (p->grp >= 0)
        H5Gclose(p->grp);
    free(p->name);
    free(p->units);
}

int h5weights_add(h5weights *w, hid_t file, const char *path, const char *proj,
                  const char *pre_pop, const char *post_pop, const char *units,
                  hs_error *err)
{
    int rc = check_add(w, path, proj, pre_pop, post_pop, units, err);
    h5weights_proj *p = rc == HS_OK ? new_proj(w, path, proj, units, err) : NULL;
    if (!p)
        return err->code;
    if (proj_create(file, p, pre_pop, post_pop) < 0) {
        rc = h5util_fail_io(path, err, "/weights/", proj);
        drop_proj(p);
        return rc;
    }
    return (int)w->n++;
}

int h5weights_reopen(h5weights *w, hid_t file, const char *path, const char *proj,
                     const char *units, size_t keep, hs_error *err)
{
    int rc = check_proj(w, path, proj, units, err);
    h5weights_proj *p = rc == HS_OK ? new_proj(w, path, proj, units, err) : NULL;
    if (!p)
        return err->code;
    p->n_snap = keep;
    char full[512], name[32];
    snprintf(full, sizeof full, "/weights/%s", proj);
    H5G_info_t info = {0};
    if (H5Lexists(file, "weights", H5P_DEFAULT) <= 0 ||
             H5Lexists(file, full, H5P_DEFAULT) <= 0 ||
             (p->grp = H5Gopen2(file, full, H5P_DEFAULT)) < 0 ||
             H5Gget_info(p->grp, &info) < 0 || info.nlinks < keep)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s lacks the %zu snapshots the "
                         "checkpoint counts", full, keep);
    /* snapshots taken after the checkpoint are taken again */
    for (hsize_t i = keep; rc == HS_OK && i < info.nlinks; i++) {
        snprintf(name, sizeof name, "%06llu", (unsigned long long)i);
        if (H5Lexists(p->grp, name, H5P_DEFAULT) > 0 && H5Ldelete(p->grp, name, H5P_DEFAULT) < 0)
            rc = h5util_fail_io(path, err, "(removing a later snapshot) /weights/", proj);
    }
    if (rc == HS_OK && keep > 0) {
        snprintf(name, sizeof name, "%06zu", keep - 1);
        hid_t g = H5Gopen2(p->grp, name, H5P_DEFAULT);
        if (g < 0 || h5util_attr_read_num(g, "t_ms", H5T_NATIVE_DOUBLE, &p->last_t) < 0)
            rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s/%s: no snapshot with a t_ms",
                             full, name);
        if (g >= 0)
            H5Gclose(g);
    }
    if (rc != HS_OK) {
        drop_proj(p);
        return rc;
    }
    return (int)w->n++;
}

static int check_write(const h5weights *w, const char *path, int h, const uint64_t *pre,
                       const uint64_t *post, const double *weight, size_t n, double t_ms,
                       hs_error *err)
{
    if (h < 0 || (size_t)h >= w->n)
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0, "h5out: bad weights handle %d",
                           h);
    const h5weights_proj *p = &w->proj[h];
    if (n > 0 && (!pre || !post || !weight))
        return hs_error_at(err, HS_EINTERNAL, path, 0, 0,
                           "h5out: NULL weight arrays for /weights/%s", p->name);
    if (!isfinite(t_ms))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/weights/%s: snapshot time %g ms is not finite", p->name, t_ms);
    if (t_ms < p->last_t)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/weights/%s: snapshot at %.15g ms is before the previous "
                           "one (%.15g ms)",
                           p->name, t_ms, p->last_t);
    if (p->n_snap >= SNAPSHOTS_MAX)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/weights/%s: more than %u snapshots", p->name, SNAPSHOTS_MAX);
    return HS_OK;
}

/* Datasets pre, post and weight (with units) of snapshot group g. */
static herr_t snapshot_data(hid_t g, const uint64_t *pre, const uint64_t *post,
                            const double *weight, hsize_t n, const char *units)
{
    if (h5util_write_array(g, "pre", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, pre) < 0 ||
        h5util_write_array(g, "post", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, post) < 0)
        return -1;
    hid_t ds =
        h5util_create_array(g, "weight", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, weight);
    if (ds < 0)
        return -1;
    herr_t rc = h5util_attr_write_str(ds, "units", units);
    if (H5Dclose(ds) < 0)
        rc = -1;
    return rc;
}

static herr_t snapshot_attrs(hid_t g, double t_ms, const char *phase)
{
    if (h5util_attr_write(g, "t_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &t_ms) < 0 ||
        h5util_attr_write_str(g, "phase", phase) < 0)
        return -1;
    return 0;
}

int h5weights_write(h5weights *w, const char *path, int h, const uint64_t *pre,
                    const uint64_t *post, const double *weight, size_t n, double t_ms,
                    const char *phase, hs_error *err)
{
    int rc = check_write(w, path, h, pre, post, weight, n, t_ms, err);
    if (rc != HS_OK)
        return rc;
    h5weights_proj *p = &w->proj[h];
    char name[16];
    snprintf(name, sizeof name, "%06zu", p->n_snap);
    hid_t g = H5Gcreate2(p->grp, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t wrc = g < 0 ? -1 : snapshot_data(g, pre, post, weight, n, p->units);
    if (wrc >= 0)
        wrc = snapshot_attrs(g, t_ms, phase);
    if (g >= 0 && H5Gclose(g) < 0)
        wrc = -1;
    if (wrc < 0) {
        char what[48];
        snprintf(what, sizeof what, "snapshot %s of /weights/", name);
        rc = h5util_fail_io(path, err, what, p->name);
        /* No half snapshot for readers; if it stays, it keeps its name. */
        if (g >= 0 && H5Ldelete(p->grp, name, H5P_DEFAULT) < 0)
            p->n_snap++;
        return rc;
    }
    p->n_snap++;
    p->last_t = t_ms;
    return HS_OK;
}

/* ---- readers ---- */

/* HS_EINPUT naming path and what is wrong with /weights/<proj>[/<snap>];
 * forgets the HDF5 failure behind it, if any. */
static int bad_weights(const char *path, hs_error *err, const char *proj, const char *snap,
                       const char *what)
{
    char why[8];
    h5util_why(why, sizeof why);
    return hs_error_at(err, HS_EINPUT, path, 0, 0, "/weights/%s%s%s: %s", proj,
                       snap ? "/" : "", snap ? snap : "", what);
}

/* Opens /weights/<proj> of an open file into *grp, with its number of
 * snapshots. */
static int proj_open(const char *path, hid_t file, const char *proj, hid_t *grp,
                     hsize_t *n_snap, hs_error *err)
{
    *grp = -1;
    *n_snap = 0;
    if (!h5util_is_link_name(proj))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "projection name '%s' cannot name a group under /weights",
                           proj ? proj : "(null)");
    hid_t top = -1;
    if (H5Lexists(file, "weights", H5P_DEFAULT) > 0)
        top = H5Gopen2(file, "weights", H5P_DEFAULT);
    if (top >= 0 && H5Lexists(top, proj, H5P_DEFAULT) > 0)
        *grp = H5Gopen2(top, proj, H5P_DEFAULT);
    if (top >= 0)
        H5Gclose(top);
    H5G_info_t gi;
    if (*grp >= 0 && H5Gget_info(*grp, &gi) >= 0) {
        *n_snap = gi.nlinks;
        return HS_OK;
    }
    if (*grp >= 0)
        H5Gclose(*grp);
    *grp = -1;
    return hs_error_at(err, HS_EINPUT, path, 0, 0,
                       "no weights of projection '%s' (no group /weights/%s)", proj, proj);
}

int h5in_weights_count(const char *path, const char *proj, size_t *n_snapshots,
                       hs_error *err)
{
    h5util_init();
    *n_snapshots = 0;
    hid_t file, grp;
    hsize_t n = 0;
    int rc = h5util_open_read(path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = proj_open(path, file, proj, &grp, &n, err);
    if (rc == HS_OK) {
        *n_snapshots = (size_t)n;
        H5Gclose(grp);
    }
    H5Fclose(file);
    return rc;
}

/* A snapshot as read: the caller frees the arrays. */
typedef struct weights_snap {
    uint64_t *pre, *post;
    double *weight;
    size_t n;
    double t_ms;
} weights_snap;

/* Reads dataset /weights/<proj>/<snap>/<leaf> of file. */
static int read_leaf(const char *path, hid_t file, const char *proj, const char *snap,
                     const char *leaf, hid_t mem_type, int strict, void **out, size_t *n,
                     hs_error *err)
{
    size_t len = strlen(proj) + strlen(snap) + strlen(leaf) + sizeof "/weights///";
    char *full = malloc(len);
    if (!full)
        return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
    snprintf(full, len, "/weights/%s/%s/%s", proj, snap, leaf);
    int rc = h5util_read_1d(path, file, full, mem_type, strict, out, n, err);
    free(full);
    return rc;
}

static int read_time(const char *path, hid_t grp, const char *proj, const char *snap,
                     double *t_ms, hs_error *err)
{
    hid_t g = H5Gopen2(grp, snap, H5P_DEFAULT);
    if (g < 0)
        return bad_weights(path, err, proj, snap, "not a snapshot group");
    herr_t ok = h5util_attr_read_num(g, "t_ms", H5T_NATIVE_DOUBLE, t_ms);
    H5Gclose(g);
    if (ok < 0)
        return bad_weights(path, err, proj, snap, "no numeric attribute t_ms");
    return HS_OK;
}

/* Reads snapshot group snap of /weights/<proj> (open as grp) into s. */
static int snapshot_read(const char *path, hid_t file, hid_t grp, const char *proj,
                         const char *snap, weights_snap *s, hs_error *err)
{
    size_t n[3] = {0, 0, 0};
    void *pre = NULL, *post = NULL, *weight = NULL;
    int rc = read_time(path, grp, proj, snap, &s->t_ms, err);
    if (rc == HS_OK)
        rc = read_leaf(path, file, proj, snap, "pre", H5T_NATIVE_UINT64, 1, &pre, &n[0],
                       err);
    if (rc == HS_OK)
        rc = read_leaf(path, file, proj, snap, "post", H5T_NATIVE_UINT64, 1, &post, &n[1],
                       err);
    if (rc == HS_OK)
        rc = read_leaf(path, file, proj, snap, "weight", H5T_NATIVE_DOUBLE, 0, &weight,
                       &n[2], err);
    s->pre = pre;
    s->post = post;
    s->weight = weight;
    s->n = n[0];
    if (rc == HS_OK && (n[1] != n[0] || n[2] != n[0]))
        rc = bad_weights(path, err, proj, snap, "pre, post and weight differ in length");
    return rc;
}

/* Opens the file and reads snapshot i of proj into s. */
static int weights_read(const char *path, const char *proj, size_t i, weights_snap *s,
                        hs_error *err)
{
    hid_t file, grp = -1;
    hsize_t count = 0;
    int rc = h5util_open_read(path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = proj_open(path, file, proj, &grp, &count, err);
    char *snap = NULL;
    if (rc == HS_OK && i >= count)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                         "/weights/%s has no snapshot %zu (it has %llu, counted from 0)",
                         proj, i, (unsigned long long)count);
    if (rc == HS_OK && !(snap = h5util_link_name(grp, (hsize_t)i)))
        rc = h5util_fail_input(path, err, "cannot list the snapshots of /weights/", proj);
    if (rc == HS_OK)
        rc = snapshot_read(path, file, grp, proj, snap, s, err);
    free(snap);
    if (grp >= 0)
        H5Gclose(grp);
    H5Fclose(file);
    return rc;
}

int h5in_weights_read(const char *path, const char *proj, size_t snapshot_index,
                      uint64_t **pre, uint64_t **post, double **weight, size_t *n,
                      double *t_ms, hs_error *err)
{
    h5util_init();
    weights_snap s = {0};
    int rc = weights_read(path, proj, snapshot_index, &s, err);
    if (rc != HS_OK) {
        free(s.pre);
        free(s.post);
        free(s.weight);
        s = (weights_snap){0};
    }
    *pre = s.pre;
    *post = s.post;
    *weight = s.weight;
    *n = s.n;
    *t_ms = s.t_ms;
    return rc;
}

/* ---- the summary (app/info_weights.c) ---- */

/* Adds count values of ds from element at to *sum, through buf. */
static herr_t sum_block(hid_t ds, hid_t fs, hsize_t at, hsize_t count, double *buf,
                        double *sum)
{
    hid_t ms = H5Screate_simple(1, &count, NULL);
    herr_t rc =
        ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &count, NULL);
    if (rc >= 0)
        rc = H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf);
    for (hsize_t i = 0; rc >= 0 && i < count; i++)
        *sum += buf[i];
    if (ms >= 0)
        H5Sclose(ms);
    return rc;
}

/* Sum of 1-D numeric dataset name of g, read in blocks so that any size
 * fits in memory; its length in *n. */
static herr_t dataset_sum(hid_t g, const char *name, double *sum, hsize_t *n)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    hid_t fs = ds >= 0 ? H5Dget_space(ds) : -1;
    hssize_t count = fs >= 0 && H5Sget_simple_extent_ndims(fs) == 1
                         ? H5Sget_simple_extent_npoints(fs)
                         : -1;
    double *buf = count >= 0 ? malloc(MEAN_BLOCK * sizeof *buf) : NULL;
    *sum = 0;
    herr_t rc = buf ? 0 : -1;
    for (hsize_t at = 0; rc >= 0 && at < (hsize_t)count; at += MEAN_BLOCK) {
        hsize_t left = (hsize_t)count - at;
        rc = sum_block(ds, fs, at, left < MEAN_BLOCK ? left : MEAN_BLOCK, buf, sum);
    }
    free(buf);
    if (fs >= 0)
        H5Sclose(fs);
    if (ds >= 0)
        H5Dclose(ds);
    *n = count > 0 ? (hsize_t)count : 0;
    return rc;
}

/* Reads what the summary gives of snapshot group g into s; returns NULL,
 * or what is wrong with it. */
static const char *summarize(hid_t g, h5weights_stats *s)
{
    if (h5util_attr_read_num(g, "t_ms", H5T_NATIVE_DOUBLE, &s->t_ms) < 0)
        return "no numeric attribute t_ms";
    if (h5util_attr_read_str(g, "phase", &s->phase) < 0)
        return "no string attribute phase";
    hssize_t n = h5util_dataset_size(g, "weight");
    if (n < 0 || h5util_dataset_size(g, "pre") != n || h5util_dataset_size(g, "post") != n)
        return "pre, post and weight are missing or differ in length";
    hsize_t count = 0;
    if (dataset_sum(g, "weight", &s->weight_sum, &count) < 0)
        return "weight is not a readable 1-D numeric dataset";
    s->n = count;
    return NULL;
}

int h5weights_stats_read(const h5run *run, const char *proj, size_t i, h5weights_stats *s,
                         hs_error *err)
{
    *s = (h5weights_stats){0};
    const char *path = run->path;
    hid_t grp = h5run_member_open(run, "weights", proj);
    if (grp < 0)
        return h5util_fail_input(path, err, "cannot open projection /weights/", proj);
    char *snap = h5util_link_name(grp, (hsize_t)i);
    hid_t g = snap ? H5Gopen2(grp, snap, H5P_DEFAULT) : -1;
    const char *bad = g < 0 ? "cannot open it" : summarize(g, s);
    if (g >= 0)
        H5Gclose(g);
    H5Gclose(grp);
    if (bad) {
        char where[48];
        snprintf(where, sizeof where, "snapshot %llu", (unsigned long long)i);
        int rc = bad_weights(path, err, proj, snap ? snap : where, bad);
        free(snap);
        h5weights_stats_free(s);
        return rc;
    }
    s->name = snap;
    return HS_OK;
}

void h5weights_stats_free(h5weights_stats *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->phase);
    *s = (h5weights_stats){0};
}

int h5weights_desc_read(const h5run *run, const char *proj, h5weights_desc *d,
                        hs_error *err)
{
    *d = (h5weights_desc){0};
    const char *path = run->path;
    hid_t g = h5run_member_open(run, "weights", proj);
    if (g < 0)
        return h5util_fail_input(path, err, "cannot open projection /weights/", proj);
    H5G_info_t gi = {0};
    int rc = HS_OK;
    if (h5util_attr_read_str(g, "pre_population", &d->pre) < 0 ||
        h5util_attr_read_str(g, "post_population", &d->post) < 0 ||
        h5util_attr_read_str(g, "units", &d->units) < 0)
        rc = bad_weights(path, err, proj, NULL,
                         "no string attributes pre_population, post_population and units");
    else if (H5Gget_info(g, &gi) < 0)
        rc = h5util_fail_input(path, err, "cannot list the snapshots of /weights/", proj);
    H5Gclose(g);
    if (rc != HS_OK)
        h5weights_desc_free(d);
    else
        d->n_snapshots = (size_t)gi.nlinks;
    return rc;
}

void h5weights_desc_free(h5weights_desc *d)
{
    if (!d)
        return;
    free(d->pre);
    free(d->post);
    free(d->units);
    *d = (h5weights_desc){0};
}
