/* h5in.c: reads run files and HDF5 inputs (h5out_info, h5in_read_*; the
 * weight snapshots are read in h5weights.c, the behaviour and place fields
 * in h5behavior.c, the maze geometry in h5maze.c, the replay events in
 * h5replay.c).
 *
 * Every failure is HS_EINPUT naming the file (and the dataset): foreign,
 * empty, truncated or corrupt files must give a message, never a crash or
 * an HDF5 error stack on stderr.
 */
#include "h5out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5behavior.h"
#include "h5maze.h"
#include "h5replay.h"
#include "h5sleep.h"
#include "h5template.h"
#include "h5util.h"
#include "h5weights.h"

#define H5OUT_MAGIC 0x0A7Au

/* ---- 1-D numeric datasets ---- */

typedef struct read_args {
    const char *path, *dataset;
    hid_t mem_type;
    int strict;
    void *out;
    size_t n;
} read_args;

static int read_1d_once(void *ctx, FILE *out, hs_error *err)
{
    read_args *a = ctx;
    (void)out;
    hid_t file;
    int rc = h5util_open_read(a->path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = h5util_read_1d(a->path, file, a->dataset, a->mem_type, a->strict, &a->out, &a->n,
                        err);
    H5Fclose(file);
    return rc;
}

static int read_file_1d(const char *path, const char *dataset, hid_t mem_type, int strict,
                        void **out, size_t *n, hs_error *err)
{
    h5util_init();
    *out = NULL;
    *n = 0;
    if (!dataset || !dataset[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "no dataset named");
    read_args a = {path, dataset, mem_type, strict, NULL, 0};
    /* read in a child first: a file HDF5 crashes on fails there */
    int rc = h5util_guard(read_1d_once, &a, NULL, path, err);
    if (rc == HS_OK)
        rc = read_1d_once(&a, NULL, err);
    if (rc == HS_OK) {
        *out = a.out;
        *n = a.n;
    }
    return rc;
}

int h5in_length(const char *path, const char *dataset, size_t *n, hs_error *err)
{
    h5util_init();
    *n = 0;
    if (!dataset || !dataset[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "no dataset named");
    hid_t file, ds;
    int rc = h5util_open_read(path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = h5util_open_1d(path, file, dataset, &ds, n, err);
    if (rc == HS_OK)
        H5Dclose(ds);
    H5Fclose(file);
    return rc;
}

int h5in_read_doubles(const char *path, const char *dataset, double **out, size_t *n,
                      hs_error *err)
{
    void *buf = NULL;
    int rc = read_file_1d(path, dataset, H5T_NATIVE_DOUBLE, 0, &buf, n, err);
    *out = buf;
    return rc;
}

int h5in_read_u64(const char *path, const char *dataset, uint64_t **out, size_t *n,
                  hs_error *err)
{
    void *buf = NULL;
    int rc = read_file_1d(path, dataset, H5T_NATIVE_UINT64, 1, &buf, n, err);
    *out = buf;
    return rc;
}

/* ---- info: the run's identity ---- */

static int check_magic(const char *path, hid_t file, hs_error *err)
{
    uint32_t magic = 0;
    if (h5util_attr_read_num(file, "magic", H5T_NATIVE_UINT32, &magic) < 0 ||
        magic != H5OUT_MAGIC) {
        H5Eclear2(H5E_DEFAULT);
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "not a hebbsleep run file (no root attribute magic = 0x0A7A)");
    }
    return HS_OK;
}

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

typedef struct run_meta {
    char *version, *git, *created, *config;
    uint64_t seed;
    double threads, complete; /* read as doubles to refuse 1.5 or -1 */
    double wall_s;
} run_meta;

static void run_meta_free(run_meta *m)
{
    free(m->version);
    free(m->git);
    free(m->created);
    free(m->config);
}

/* complete decides whether a run is trusted: only 0 or 1 will do. */
static int meta_check(const char *path, const run_meta *m, hs_error *err)
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

static int read_meta_attrs(const char *path, hid_t g, run_meta *m, hs_error *err)
{
    static const char *const strs[] = {"version", "git_commit", "created", "config"};
    char **dst[] = {&m->version, &m->git, &m->created, &m->config};
    int rc = HS_OK;
    for (size_t i = 0; i < 4 && rc == HS_OK; i++)
        rc = h5util_attr_get_str(path, g, "/meta", strs[i], dst[i], err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "seed", H5T_NATIVE_UINT64, &m->seed, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "threads", H5T_NATIVE_DOUBLE, &m->threads,
                                 err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "complete", H5T_NATIVE_DOUBLE,
                                 &m->complete, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_num(path, g, "/meta", "wall_s", H5T_NATIVE_DOUBLE, &m->wall_s,
                                 err);
    return rc == HS_OK ? meta_check(path, m, err) : rc;
}

static void print_meta(FILE *out, const char *path, const uint32_t v[2], const run_meta *m)
{
    fprintf(out, "file:        %s\n", path);
    fprintf(out, "format:      %u.%u\n", (unsigned)v[0], (unsigned)v[1]);
    fprintf(out, "version:     %s\n", m->version);
    fprintf(out, "git commit:  %s\n", m->git);
    fprintf(out, "created:     %s\n", m->created);
    fprintf(out, "seed:        %llu\n", (unsigned long long)m->seed);
    fprintf(out, "threads:     %d\n", (int)m->threads);
    if (m->complete)
        fprintf(out, "complete:    1 (the run closed cleanly)\n");
    else
        fprintf(out, "complete:    0 (INTERRUPTED: the run did not close cleanly; "
                     "below is what was written before it stopped)\n");
    if (m->complete || m->wall_s > 0)
        fprintf(out, "wall time:   %.3f s\n", m->wall_s);
    else
        fprintf(out, "wall time:   not recorded\n");
    fprintf(out, "config:      %zu bytes of YAML\n", strlen(m->config));
}

static int info_meta(const char *path, hid_t file, FILE *out, hs_error *err)
{
    uint32_t v[2];
    int rc = read_format_version(path, file, v, err);
    if (rc != HS_OK)
        return rc;
    hid_t g = H5Gopen2(file, "meta", H5P_DEFAULT);
    if (g < 0)
        return h5util_fail_input(path, err, "no /meta group", NULL);
    run_meta m = {0};
    rc = read_meta_attrs(path, g, &m, err);
    if (rc == HS_OK)
        print_meta(out, path, v, &m);
    run_meta_free(&m);
    H5Gclose(g);
    return rc;
}

/* ---- info: phases ---- */

typedef struct phase_table {
    char **name, **stage;
    double *start, *stop;
    size_t n;
} phase_table;

static void phase_table_free(phase_table *p)
{
    h5util_free_strs(p->name, p->n);
    h5util_free_strs(p->stage, p->n);
    free(p->start);
    free(p->stop);
}

static int read_phases(const char *path, hid_t file, phase_table *p, hs_error *err)
{
    size_t n[4] = {0, 0, 0, 0};
    void *start = NULL, *stop = NULL;
    int rc = h5util_read_strs(path, file, "/phases/name", &p->name, &n[0], err);
    if (rc == HS_OK)
        rc = h5util_read_strs(path, file, "/phases/stage", &p->stage, &n[1], err);
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, "/phases/start_ms", H5T_NATIVE_DOUBLE, 0, &start,
                            &n[2], err);
    if (rc == HS_OK)
        rc = h5util_read_1d(path, file, "/phases/stop_ms", H5T_NATIVE_DOUBLE, 0, &stop,
                            &n[3], err);
    p->start = start;
    p->stop = stop;
    p->n = n[0] < n[1] ? n[0] : n[1];
    if (rc == HS_OK && (n[0] != n[1] || n[0] != n[2] || n[0] != n[3]))
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                         "/phases datasets differ in length (%zu, %zu, %zu, %zu)", n[0],
                         n[1], n[2], n[3]);
    return rc;
}

/* Prints /phases and sets span_ms to their total span (0 without phases). */
static int info_phases(const char *path, hid_t file, FILE *out, double *span_ms,
                       hs_error *err)
{
    *span_ms = 0;
    if (H5Lexists(file, "phases", H5P_DEFAULT) <= 0) {
        fprintf(out, "phases:      none\n");
        return HS_OK;
    }
    phase_table p = {0};
    int rc = read_phases(path, file, &p, err);
    if (rc == HS_OK && p.n > 0) {
        double lo = p.start[0], hi = p.stop[0];
        for (size_t i = 0; i < p.n; i++) {
            lo = p.start[i] < lo ? p.start[i] : lo;
            hi = p.stop[i] > hi ? p.stop[i] : hi;
        }
        *span_ms = hi > lo ? hi - lo : 0;
        fprintf(out, "phases:      %zu, %.3f - %.3f ms\n", p.n, lo, hi);
        for (size_t i = 0; i < p.n; i++)
            fprintf(out, "  %-16s %-12s %12.3f - %12.3f ms\n", p.name[i], p.stage[i],
                    p.start[i], p.stop[i]);
    } else if (rc == HS_OK) {
        fprintf(out, "phases:      none\n");
    }
    phase_table_free(&p);
    return rc;
}

/* ---- info: spikes and reports ---- */

typedef int (*child_fn)(const char *path, hid_t grp, const char *name, FILE *out,
                        double span_ms, hs_error *err);

/* Calls fn for each member of group top (printing title first), or prints
 * "none" when top is missing. */
static int each_child(const char *path, hid_t file, const char *top, const char *title,
                      child_fn fn, FILE *out, double span_ms, hs_error *err)
{
    if (H5Lexists(file, top, H5P_DEFAULT) <= 0) {
        fprintf(out, "%-12s none\n", title);
        return HS_OK;
    }
    hid_t g = H5Gopen2(file, top, H5P_DEFAULT);
    H5G_info_t gi;
    if (g < 0 || H5Gget_info(g, &gi) < 0) {
        if (g >= 0)
            H5Gclose(g);
        return h5util_fail_input(path, err, "cannot read group /", top);
    }
    fprintf(out, "%-12s %llu\n", title, (unsigned long long)gi.nlinks);
    int rc = HS_OK;
    for (hsize_t i = 0; i < gi.nlinks && rc == HS_OK; i++) {
        char *name = h5util_link_name(g, i);
        rc = name ? fn(path, g, name, out, span_ms, err)
                  : h5util_fail_input(path, err, "cannot list group /", top);
        free(name);
    }
    H5Gclose(g);
    return rc;
}

static void print_rates(FILE *out, hssize_t count, uint64_t n_nodes, double span_ms)
{
    if (span_ms <= 0) {
        fprintf(out, ", rate n/a (no phases to give the span)\n");
        return;
    }
    double hz = (double)count / (span_ms * 1e-3);
    fprintf(out, ", %.3f Hz total", hz);
    if (n_nodes > 0)
        fprintf(out, ", %.3f Hz per neuron (%llu neurons)\n", hz / (double)n_nodes,
                (unsigned long long)n_nodes);
    else
        fprintf(out, " (population size not recorded)\n");
}

static int info_spike_pop(const char *path, hid_t top, const char *name, FILE *out,
                          double span_ms, hs_error *err)
{
    hid_t g = H5Gopen2(top, name, H5P_DEFAULT);
    if (g < 0)
        return h5util_fail_input(path, err, "cannot open spike population /spikes/", name);
    hssize_t count = h5util_dataset_size(g, "timestamps");
    hssize_t n_ids = count < 0 ? -1 : h5util_dataset_size(g, "node_ids");
    uint64_t n_nodes = 0;
    if (H5Aexists(g, "n_nodes") > 0 &&
        h5util_attr_read_num(g, "n_nodes", H5T_NATIVE_UINT64, &n_nodes) < 0)
        n_nodes = 0;
    H5Gclose(g);
    if (count < 0)
        return h5util_fail_input(path, err, "no readable timestamps in /spikes/", name);
    if (n_ids < 0)
        return h5util_fail_input(path, err, "no readable node_ids in /spikes/", name);
    if (n_ids != count)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "/spikes/%s: %lld timestamps but %lld node_ids", name,
                           (long long)count, (long long)n_ids);
    fprintf(out, "  %-16s %lld spikes", name, (long long)count);
    print_rates(out, count, n_nodes, span_ms);
    return HS_OK;
}

typedef struct report_desc {
    char *variable, *units;
    hsize_t dims[2];
    double *time;
} report_desc;

static int read_report(const char *path, hid_t g, const char *name, report_desc *r,
                       hs_error *err)
{
    char data[600], time[600];
    snprintf(data, sizeof data, "/report/%s/data", name);
    snprintf(time, sizeof time, "/report/%s/mapping/time", name);
    hid_t ds;
    int rc = h5util_dataset_open(path, g, data, H5UTIL_NUMERIC, 2, HSIZE_UNDEF, &ds, r->dims,
                                 err);
    if (rc != HS_OK)
        return rc;
    rc = h5util_attr_get_str(path, ds, data, "variable", &r->variable, err);
    if (rc == HS_OK)
        rc = h5util_attr_get_str(path, ds, data, "units", &r->units, err);
    H5Dclose(ds);
    void *t = NULL;
    size_t n = 0;
    if (rc == HS_OK)
        rc = h5util_read_1d(path, g, time, H5T_NATIVE_DOUBLE, 0, &t, &n, err);
    r->time = t;
    if (rc == HS_OK && n != 3)
        rc = hs_error_at(err, HS_EINPUT, path, 0, 0, "%s has %zu values, not 3", time, n);
    return rc;
}

static int info_report(const char *path, hid_t top, const char *name, FILE *out,
                       double span_ms, hs_error *err)
{
    (void)span_ms;
    hid_t g = H5Gopen2(top, name, H5P_DEFAULT);
    if (g < 0)
        return h5util_fail_input(path, err, "cannot open report /report/", name);
    report_desc r = {0};
    int rc = read_report(path, g, name, &r, err);
    H5Gclose(g);
    if (rc == HS_OK)
        fprintf(out,
                "  %-16s %s (%s), %llu times x %llu values, %.3f - %.3f ms every %g ms\n",
                name, r.variable, r.units, (unsigned long long)r.dims[0],
                (unsigned long long)r.dims[1], r.time[0], r.time[1], r.time[2]);
    free(r.variable);
    free(r.units);
    free(r.time);
    return rc;
}

static int info_in_child(void *ctx, FILE *out, hs_error *err)
{
    const char *path = ctx;
    hid_t file;
    int rc = h5util_open_read(path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = check_magic(path, file, err);
    if (rc == HS_OK)
        rc = info_meta(path, file, out, err);
    double span_ms = 0;
    if (rc == HS_OK)
        rc = info_phases(path, file, out, &span_ms, err);
    if (rc == HS_OK)
        rc = h5behavior_info(path, file, out, err);
    if (rc == HS_OK)
        rc = h5maze_info(path, file, out, err);
    if (rc == HS_OK)
        rc = each_child(path, file, "place_fields", "place fields:", h5behavior_fields_info,
                        out, span_ms, err);
    if (rc == HS_OK)
        rc = each_child(path, file, "spikes", "spikes:", info_spike_pop, out, span_ms, err);
    if (rc == HS_OK)
        rc = each_child(path, file, "report", "reports:", info_report, out, span_ms, err);
    if (rc == HS_OK)
        rc = each_child(path, file, "weights", "weights:", h5weights_info, out, span_ms,
                        err);
    if (rc == HS_OK)
        rc = h5sleep_info(path, file, out, err);
    if (rc == HS_OK)
        rc = h5replay_info(path, file, out, err);
    if (rc == HS_OK)
        rc = h5template_info(path, file, out, err);
    if (H5Fclose(file) < 0 && rc == HS_OK)
        rc = h5util_fail_input(path, err, "cannot close file", NULL);
    return rc;
}

int h5out_info(const char *path, FILE *out, hs_error *err)
{
    h5util_init();
    /* a file HDF5 crashes on must not take hebbsleep with it */
    return h5util_guard(info_in_child, (void *)path, out, path, err);
}
