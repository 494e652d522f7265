/* h5out_report.c: SONATA traces of the run file: /report/<pop> with its
 * mapping, created, appended to and cut back for a resumed run (h5out.h). */
#include "h5out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out_file.h"
#include "h5util.h"

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
    h5out_close_id(&r->data);
    h5out_close_id(&r->time);
    free(r->pop);
}

int h5out_report_add(h5out *f, const char *pop, const char *variable, const char *units,
                     const uint64_t *node_ids, size_t n_nodes, double start_ms,
                     double dt_ms, hs_error *err)
{
    int rc = h5out_check_writable(f, "/report/", pop, err);
    if (rc == HS_OK)
        rc = h5out_check_pop(f, pop, err);
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
        rc = h5out_latch(f, h5util_fail_io(f->path, err, "/report/", pop));
        drop_report(r);
        return rc;
    }
    f->n_rep++;
    rc = h5out_flush(f, "/report/", pop, err);
    return rc == HS_OK ? (int)(f->n_rep - 1) : rc;
}

int h5out_report_append(h5out *f, int h, const float *data, size_t n_times, hs_error *err)
{
    int rc = h5out_check_handle(f, h, f ? f->n_rep : 0, err);
    if (rc == HS_OK)
        rc = h5out_check_writable(f, "data of /report/", f->rep[h].pop, err);
    if (rc != HS_OK || n_times == 0)
        return rc;
    if (!data)
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: NULL report data");
    h5out_rep *r = &f->rep[h];
    herr_t w =
        h5util_append_rows(r->data, H5T_NATIVE_FLOAT, 2, r->rows, n_times, r->cols, data);
    if (w < 0)
        return h5out_latch(f, h5util_fail_io(f->path, err, "data of /report/", r->pop));
    r->rows += n_times;
    if (write_time(r->time, r) < 0)
        return h5out_latch(f, h5util_fail_io(f->path, err, "mapping/time of /report/", r->pop));
    return h5out_flush(f, "data of /report/", f->rep[h].pop, err);
}

int h5out_report_reopen(h5out *f, const char *pop, uint64_t keep, hs_error *err)
{
    int rc = h5out_check_file(f, err);
    if (rc == HS_OK)
        rc = h5out_check_pop(f, pop, err);
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
        (r->data = h5out_open_cut(f->file, data, keep, &had)) < 0 ||
        (space = H5Dget_space(r->data)) < 0 ||
        H5Sget_simple_extent_dims(space, dims, NULL) != 2 ||
        (r->time = H5Dopen2(f->file, time, H5P_DEFAULT)) < 0 ||
        H5Dread(r->time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) < 0)
        rc = h5out_cut_failed(f, data, keep, "rows", err);
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
    rc = h5out_flush(f, "/report/", pop, err);
    return rc == HS_OK ? (int)(f->n_rep - 1) : rc;
}

uint64_t h5out_report_rows(const h5out *f, int h)
{
    return f->rep[h].rows;
}
