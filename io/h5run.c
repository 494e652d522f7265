/* h5run.c: a run file opened for reading (see h5run.h): its identity, its
 * phases, the members of its groups, spikes and reports.
 *
 * Every failure is HS_EINPUT naming the file (and the dataset): foreign,
 * empty, truncated or corrupt files must give a message, never a crash or
 * an HDF5 error stack on stderr.
 */
#include "h5run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5run_file.h"
#include "h5util.h"

#define H5RUN_MAGIC 0x0A7Au

/* ---- lifecycle ---- */

static int check_magic(const char *path, hid_t file, hs_error *err)
{
    uint32_t magic = 0;
    if (h5util_attr_read_num(file, "magic", H5T_NATIVE_UINT32, &magic) < 0 ||
        magic != H5RUN_MAGIC) {
        H5Eclear2(H5E_DEFAULT);
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "not a hebbsleep run file (no root attribute magic = 0x0A7A)");
    }
    return HS_OK;
}

h5run *h5run_open(const char *path, hs_error *err)
{
    h5util_init();
    hid_t file;
    if (h5util_open_read(path, &file, err) != HS_OK)
        return NULL;
    if (check_magic(path, file, err) != HS_OK) {
        H5Fclose(file);
        return NULL;
    }
    h5run *r = malloc(sizeof *r);
    char *copy = strdup(path);
    if (!r || !copy) {
        free(r);
        free(copy);
        H5Fclose(file);
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    r->path = copy;
    r->file = file;
    return r;
}

int h5run_close(h5run *r, hs_error *err)
{
    if (!r)
        return HS_OK;
    int rc = HS_OK;
    if (H5Fclose(r->file) < 0)
        rc = h5util_fail_input(r->path, err, "cannot close file", NULL);
    free(r->path);
    free(r);
    return rc;
}

const char *h5run_path(const h5run *r)
{
    return r->path;
}

hid_t h5run_member_open(const h5run *r, const char *group, const char *name)
{
    hid_t top = H5Gopen2(r->file, group, H5P_DEFAULT);
    hid_t g = top >= 0 ? H5Gopen2(top, name, H5P_DEFAULT) : -1;
    if (top >= 0)
        H5Gclose(top);
    return g;
}

/* ---- the run's identity ---- */

static int read_format_version(const char *path, hid_t file, uint32_t v[2], hs_error *err)
{
    hid_t a = H5Aexists(file, "version") > 0 ? H5Aopen(file, "version", H5P_DEFAULT) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    herr_t rc = -1;
    if (sp >= 0 && H5Sget_simple_extent_npoints(sp) == 2)
        rc = H5Aread(a, H5T_NATIVE_UINT32, v);
    if (sp >= 0)
        H5Sclose(sp);
    if (a >= 0)
        H5Aclose(a);
    if (rc < 0)
        return h5util_fail_input(path, err,
                                 "root attribute version is missing or not 2 numbers", NULL);
    return HS_OK;
}

/* The numbers of /meta a run writes as integers, read as doubles to refuse
 * 1.5 or -1. */
typedef struct meta_nums {
    double threads, complete, wall_s;
} meta_nums;

/* complete decides whether a run is trusted: only 0 or 1 will do. */
static int meta_check(const char *path, const meta_nums *m, hs_error *err)
{
    const char *bad = NULL;
    double v = 0;
    if (m->complete != 0 && m->complete != 1)
        bad = "complete", v = m->complete;
    else if (!(m->threads >= 1 && m->threads <= 1024 && m->threads == floor(m->threads)))
        bad = "threads", v = m->threads;
    else if (!(m->wall_s >= 0 && isfinite(m->wall_s)))
        bad = "wall_s", v = m->wall_s;
    if (bad)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/meta: attribute %s is %g, not a value a run writes", bad, v);
    return HS_OK;
}

static int read_meta_attrs(const char *path, hid_t g, h5run_meta *m, hs_error *err)
{
    static const char *const strs[] = {"version", "git_commit", "created", "config"};
    char **dst[] = {&m->version, &m->git_commit, &m->created, &m->config};
    meta_nums v = {0, 0, 0};
    int rc = HS_OK;
    for (size_t i = 0; i < 4 && rc == HS_OK; i++)
        rc = h5util_attr_get_str(path, g, "/meta", strs[i], dst[i], err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "seed", H5T_NATIVE_UINT64, &m->seed, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "threads", H5T_NATIVE_DOUBLE, &v.threads,
                                 err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "complete", H5T_NATIVE_DOUBLE,
                                 &v.complete, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "wall_s", H5T_NATIVE_DOUBLE, &v.wall_s,
                                 err);
    if (rc == HS_OK)
        rc = meta_check(path, &v, err);
    if (rc == HS_OK) {
        m->threads = (int)v.threads;
        m->complete = v.complete != 0;
        m->wall_s = v.wall_s;
    }
    return rc;
}

int h5run_meta_read(const h5run *r, h5run_meta *m, hs_error *err)
{
    *m = (h5run_meta){0};
    int rc = read_format_version(r->path, r->file, m->format, err);
    if (rc != HS_OK)
        return rc;
    hid_t g = H5Gopen2(r->file, "meta", H5P_DEFAULT);
    if (g < 0)
        return h5util_fail_input(r->path, err, "no /meta group", NULL);
    rc = read_meta_attrs(r->path, g, m, err);
    H5Gclose(g);
    return rc;
}

void h5run_meta_free(h5run_meta *m)
{
    if (!m)
        return;
    free(m->version);
    free(m->git_commit);
    free(m->created);
    free(m->config);
    *m = (h5run_meta){0};
}

/* ---- phases ---- */

int h5run_phases_read(const h5run *r, h5run_phases *p, hs_error *err)
{
    *p = (h5run_phases){0};
    if (H5Lexists(r->file, "phases", H5P_DEFAULT) <= 0)
        return HS_OK;
    const char *path = r->path;
    size_t n[4] = {0, 0, 0, 0};
    void *start = NULL, *stop = NULL;
    char **name = NULL, **stage = NULL;
    int rc = h5util_read_strs(path, r->file, "/phases/name", &name, &n[0], err);
    if (rc == HS_OK)
        rc = h5util_read_strs(path, r->file, "/phases/stage", &stage, &n[1], err);
    if (rc == HS_OK)
        rc = h5util_read_1d(path, r->file, "/phases/start_ms", H5T_NATIVE_DOUBLE, 0, &start,
                            &n[2], err);
    if (rc == HS_OK)
        rc = h5util_read_1d(path, r->file, "/phases/stop_ms", H5T_NATIVE_DOUBLE, 0, &stop,
                            &n[3], err);
    if (rc == HS_OK && (n[0] != n[1] || n[0] != n[2] || n[0] != n[3]))
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                         "/phases datasets differ in length (%zu, %zu, %zu, %zu)", n[0],
                         n[1], n[2], n[3]);
    if (rc != HS_OK) {
        /* each string array with its own length */
        h5util_free_strs(name, n[0]);
        h5util_free_strs(stage, n[1]);
        free(start);
        free(stop);
        return rc;
    }
    *p = (h5run_phases){n[0], name, stage, start, stop};
    return HS_OK;
}

void h5run_phases_free(h5run_phases *p)
{
    if (!p)
        return;
    h5util_free_strs(p->name, p->n);
    h5util_free_strs(p->stage, p->n);
    free(p->start_ms);
    free(p->stop_ms);
    *p = (h5run_phases){0};
}

/* ---- the members of a group ---- */

int h5run_members_count(const h5run *r, const char *group, int *found, size_t *n,
                        hs_error *err)
{
    *found = 0;
    *n = 0;
    if (H5Lexists(r->file, group, H5P_DEFAULT) <= 0)
        return HS_OK;
    hid_t g = H5Gopen2(r->file, group, H5P_DEFAULT);
    H5G_info_t gi;
    if (g < 0 || H5Gget_info(g, &gi) < 0) {
        if (g >= 0)
            H5Gclose(g);
        return h5util_fail_input(r->path, err, "cannot read group /", group);
    }
    H5Gclose(g);
    *found = 1;
    *n = (size_t)gi.nlinks;
    return HS_OK;
}

int h5run_member_name(const h5run *r, const char *group, size_t i, char **name,
                      hs_error *err)
{
    hid_t g = H5Gopen2(r->file, group, H5P_DEFAULT);
    *name = g >= 0 ? h5util_link_name(g, (hsize_t)i) : NULL;
    if (g >= 0)
        H5Gclose(g);
    return *name ? HS_OK : h5util_fail_input(r->path, err, "cannot list group /", group);
}

/* ---- spikes and reports ---- */

int h5run_spikes_read(const h5run *r, const char *pop, h5run_spikes *s, hs_error *err)
{
    *s = (h5run_spikes){0, 0};
    const char *path = r->path;
    hid_t g = h5run_member_open(r, "spikes", pop);
    if (g < 0)
        return h5util_fail_input(path, err, "cannot open spike population /spikes/", pop);
    hssize_t count = h5util_dataset_size(g, "timestamps");
    hssize_t n_ids = count < 0 ? -1 : h5util_dataset_size(g, "node_ids");
    uint64_t n_nodes = 0;
    if (H5Aexists(g, "n_nodes") > 0 &&
        h5util_attr_read_num(g, "n_nodes", H5T_NATIVE_UINT64, &n_nodes) < 0)
        n_nodes = 0;
    H5Gclose(g);
    if (count < 0)
        return h5util_fail_input(path, err, "no readable timestamps in /spikes/", pop);
    if (n_ids < 0)
        return h5util_fail_input(path, err, "no readable node_ids in /spikes/", pop);
    if (n_ids != count)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/spikes/%s: %lld timestamps but %lld node_ids", pop,
                           (long long)count, (long long)n_ids);
    *s = (h5run_spikes){(uint64_t)count, n_nodes};
    return HS_OK;
}

static int read_report(const char *path, hid_t g, const char *name, h5run_report *r,
                       hs_error *err)
{
    char data[600], time[600];
    snprintf(data, sizeof data, "/report/%s/data", name);
    snprintf(time, sizeof time, "/report/%s/mapping/time", name);
    hid_t ds;
    hsize_t dims[2] = {0, 0};
    int rc = h5util_dataset_open(path, g, data, H5UTIL_NUMERIC, 2, HSIZE_UNDEF, &ds, dims,
                                 err);
    if (rc != HS_OK)
        return rc;
    r->n_times = dims[0];
    r->n_values = dims[1];
    rc = h5util_attr_get_str(path, ds, data, "variable", &r->variable, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_str(path, ds, data, "units", &r->units, err);
    H5Dclose(ds);
    void *t = NULL;
    size_t n = 0;
    if (rc == HS_OK)
        rc = h5util_read_1d(path, g, time, H5T_NATIVE_DOUBLE, 0, &t, &n, err);
    if (rc == HS_OK && n != 3)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s has %zu values, not 3", time, n);
    if (rc == HS_OK) {
        const double *v = t;
        r->start_ms = v[0];
        r->stop_ms = v[1];
        r->dt_ms = v[2];
    }
    free(t);
    return rc;
}

int h5run_report_read(const h5run *r, const char *pop, h5run_report *rep, hs_error *err)
{
    *rep = (h5run_report){0};
    hid_t g = h5run_member_open(r, "report", pop);
    if (g < 0)
        return h5util_fail_input(r->path, err, "cannot open report /report/", pop);
    int rc = read_report(r->path, g, pop, rep, err);
    H5Gclose(g);
    return rc;
}

void h5run_report_free(h5run_report *rep)
{
    if (!rep)
        return;
    free(rep->variable);
    free(rep->units);
    *rep = (h5run_report){0};
}
