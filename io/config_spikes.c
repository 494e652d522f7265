/* config_spikes.c: the spikes of a spike_times population, written inline
 *   spikes: {times_ms: [...], ids: [...]}
 * or read from HDF5 (path relative to the YAML's directory)
 *   spikes: {file: in.h5, times: /a/t, ids: /a/ids}
 * and sorted by (time, id). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"
#include "h5out.h"

/* Memory a spike read from a file takes: its time and id, their sorting
 * (spikes_sort), the source's copy in the run (neurons/spike_times.c). */
#define BYTES_PER_SPIKE 72.0

enum { INLINE_TIMES, INLINE_IDS, N_INLINE };

static const config_field inline_fields[N_INLINE] = {
    {.key = "times_ms", .kind = CONFIG_LIST, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "ids", .kind = CONFIG_LIST, .required = 1, .offset = CONFIG_NO_OFFSET},
};

enum { FILE_FILE, FILE_TIMES, FILE_IDS, N_FILE };

static const config_field file_fields[N_FILE] = {
    {.key = "file", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "times", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "ids", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
};

typedef struct spike {
    double t;
    uint64_t id;
    size_t k;         /* position in the input, so equal spikes keep their order */
} spike;

static int spike_cmp(const void *a, const void *b)
{
    const spike *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* Sorts p's spikes by (time, id), stably. */
static int spikes_sort(config_ctx *c, hs_pop_config *p)
{
    size_t n = p->n_spikes;
    if (n < 2)
        return HS_OK;
    spike *s = malloc(n * sizeof *s);
    if (!s)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory sorting %zu spikes", n);
    for (size_t k = 0; k < n; k++)
        s[k] = (spike){p->spike_t_ms[k], p->spike_ids[k], k};
    qsort(s, n, sizeof *s, spike_cmp);
    for (size_t k = 0; k < n; k++) {
        p->spike_t_ms[k] = s[k].t;
        p->spike_ids[k] = s[k].id;
    }
    free(s);
    return HS_OK;
}

/* Steps are counted in uint64 (neurons/spike_times.c converts below 9e18). */
#define SPIKE_STEP_MAX 9e18

/* A spike is stamped at the end of a step (the kernel's convention), so
 * the earliest time is dt; times round to the nearest step end. */
static int time_check(config_ctx *c, const yamltree_node *at, double t)
{
    if (t < 0)
        return config_fail(c, at, "spike time %.15g ms is negative", t);
    if (round(t / c->dt_ms) < 1)
        return config_fail(c, at, "spike time %.15g ms is before the end of the first step "
                           "(dt_ms = %.15g ms)", t, c->dt_ms);
    if (round(t / c->dt_ms) > SPIKE_STEP_MAX)
        return config_fail(c, at, "spike time %.15g ms is after the last step a run can "
                           "have (%.15g ms)", t, SPIKE_STEP_MAX * c->dt_ms);
    return HS_OK;
}

static int inline_times_read(config_ctx *c, const yamltree_node *list, hs_pop_config *p)
{
    size_t old = config_path_push(c, "times_ms");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < p->n_spikes; i++) {
        size_t inner = config_path_push_index(c, i);
        rc = config_number_read(c, list->items[i], 0, &p->spike_t_ms[i]);
        if (rc == HS_OK)
            rc = time_check(c, list->items[i], p->spike_t_ms[i]);
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

static int inline_ids_read(config_ctx *c, const yamltree_node *list, hs_pop_config *p)
{
    size_t old = config_path_push(c, "ids");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < p->n_spikes; i++) {
        size_t inner = config_path_push_index(c, i);
        rc = config_id_read(c, list->items[i], p, &p->spike_ids[i]);
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

static int inline_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                       hs_pop_config *p)
{
    const yamltree_node *nodes[N_INLINE];
    int rc = config_fields_read(c, inline_fields, N_INLINE, key, map, NULL, nodes, NULL);
    if (rc != HS_OK)
        return rc;
    size_t n = yamltree_len(nodes[INLINE_TIMES]), m = yamltree_len(nodes[INLINE_IDS]);
    if (n != m) {
        size_t old = config_path_push(c, "ids");
        rc = config_fail_in(c, nodes[INLINE_IDS], map, "%zu ids for %zu times_ms; they pair up, "
                         "so their lengths must match", m, n);
        config_path_pop(c, old);
        return rc;
    }
    p->spike_t_ms = malloc((n ? n : 1) * sizeof *p->spike_t_ms);
    p->spike_ids = malloc((n ? n : 1) * sizeof *p->spike_ids);
    if (!p->spike_t_ms || !p->spike_ids)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu spikes", n);
    p->n_spikes = n;
    rc = inline_times_read(c, nodes[INLINE_TIMES], p);
    if (rc == HS_OK)
        rc = inline_ids_read(c, nodes[INLINE_IDS], p);
    return rc;
}

/* Checks the arrays read from the file, at the node naming each dataset. */
static int file_check(config_ctx *c, const yamltree_node *const *nodes, size_t n_ids,
                      hs_pop_config *p)
{
    const char *times = nodes[FILE_TIMES]->str, *ids = nodes[FILE_IDS]->str;
    int rc = HS_OK;
    size_t old = config_path_push(c, "ids");
    if (n_ids != p->n_spikes)
        rc = config_fail(c, nodes[FILE_IDS], "%.100s has %zu ids but %.100s has %zu "
                         "times; they pair up, so their lengths must match", ids, n_ids,
                         times, p->n_spikes);
    for (size_t k = 0; rc == HS_OK && k < p->n_spikes; k++)
        if (p->spike_ids[k] >= p->size)
            rc = config_fail(c, nodes[FILE_IDS], "entry %zu of %.100s is id %llu, not "
                             "below the size of %s (%llu)", k, ids,
                             (unsigned long long)p->spike_ids[k], p->name,
                             (unsigned long long)p->size);
    config_path_pop(c, old);
    old = config_path_push(c, "times");
    for (size_t k = 0; rc == HS_OK && k < p->n_spikes; k++) {
        double step = round(p->spike_t_ms[k] / c->dt_ms);
        if (!(p->spike_t_ms[k] >= 0) || isinf(p->spike_t_ms[k]) || step < 1 ||
            step > SPIKE_STEP_MAX)
            rc = config_fail(c, nodes[FILE_TIMES], "entry %zu of %.100s is %.15g; spike "
                             "times must be finite and at least one step (dt_ms = %.15g), "
                             "and at most %.15g ms", k, times, p->spike_t_ms[k], c->dt_ms,
                             SPIKE_STEP_MAX * c->dt_ms);
    }
    config_path_pop(c, old);
    return rc;
}

/* Reads one dataset; an error from the reader is placed at the node naming it. */
static int dataset_read(config_ctx *c, const char *file, const yamltree_node *at,
                        const char *key, int ids, hs_pop_config *p, size_t *n)
{
    hs_error herr;
    hs_error_clear(&herr);
    int rc = config_h5_length_check(file, at->str, BYTES_PER_SPIKE, "spikes", &herr);
    if (rc == HS_OK)
        rc = ids ? h5in_read_u64(file, at->str, &p->spike_ids, n, &herr)
                 : h5in_read_doubles(file, at->str, &p->spike_t_ms, n, &herr);
    if (rc == HS_OK)
        return HS_OK;
    if (rc == HS_ENOMEM)
        return hs_error_set(c->err, rc, "%s", herr.msg);
    size_t old = config_path_push(c, key);
    rc = config_fail(c, at, "%s", herr.msg[0] ? herr.msg : "cannot read the dataset");
    config_path_pop(c, old);
    return rc;
}

static int file_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                     hs_pop_config *p)
{
    const yamltree_node *nodes[N_FILE];
    int rc = config_fields_read(c, file_fields, N_FILE, key, map, NULL, nodes, NULL);
    if (rc != HS_OK)
        return rc;
    char *file = config_file_resolve(c, nodes[FILE_FILE]->str);
    if (!file)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory");
    size_t n_ids = 0;
    rc = dataset_read(c, file, nodes[FILE_TIMES], "times", 0, p, &p->n_spikes);
    if (rc == HS_OK)
        rc = dataset_read(c, file, nodes[FILE_IDS], "ids", 1, p, &n_ids);
    free(file);
    if (rc == HS_OK)
        rc = file_check(c, nodes, n_ids, p);
    return rc;
}

int config_spikes_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                       hs_pop_config *p)
{
    int rc = yamltree_get(map, "file") ? file_read(c, key, map, p)
                                       : inline_read(c, key, map, p);
    if (rc == HS_OK)
        rc = spikes_sort(c, p);
    return rc;
}
