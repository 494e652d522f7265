/* config_recording.c: the recording section: spikes, state traces and
 * weight snapshots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"

enum { REC_SPIKES, REC_TRACES, REC_WEIGHTS, N_REC };

static const config_field rec_fields[N_REC] = {
    {.key = "spikes", .kind = CONFIG_LIST, .offset = CONFIG_NO_OFFSET},
    {.key = "traces", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "weights", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

enum { TRACE_VARIABLE, TRACE_IDS, TRACE_INTERVAL, N_TRACE };

/* interval_ms defaults to NAN, read as "one step". */
static const config_field trace_fields[N_TRACE] = {
    {.key = "variable", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "ids", .kind = CONFIG_LIST, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "interval_ms", .kind = CONFIG_NUMBER, .offset = offsetof(hs_trace_config, interval_ms),
     .def = NAN, .min = 0, .max = 1e12, .min_open = 1, .unit = "ms"},
};

/* 0: snapshots at phase boundaries only. */
static const config_field weight_fields[] = {
    {.key = "interval_ms", .kind = CONFIG_NUMBER,
     .offset = offsetof(hs_weight_config, interval_ms), .def = 0, .min = 0, .max = 1e12,
     .unit = "ms"},
};

static int spikes_read(config_ctx *c, const yamltree_node *list, hs_config *cfg)
{
    int all = list == NULL;    /* absent: every population */
    for (size_t i = 0; i < cfg->n_pops; i++)
        cfg->pops[i].record_spikes = all;
    size_t old = config_path_push(c, "spikes");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < yamltree_len(list); i++) {
        size_t inner = config_path_push_index(c, i);
        const char *name;
        rc = config_string_read(c, list->items[i], &name);
        int p = rc == HS_OK ? config_pop_named(c, list->items[i], name, cfg) : -1;
        if (p < 0)
            rc = HS_EINPUT;
        else
            cfg->pops[p].record_spikes = 1;
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

static int variable_read(config_ctx *c, const yamltree_node *n, const neuron_type *t,
                         hs_trace_config *tr)
{
    const char *name;
    size_t old = config_path_push(c, "variable");
    int rc = config_string_read(c, n, &name);
    tr->var = rc == HS_OK ? neuron_type_state_index(t, name) : -1;
    if (rc == HS_OK && tr->var < 0) {
        char list[256];
        rc = t->n_state ? config_fail(c, n, "%s has no state variable '%.40s'; its state "
                                      "variables: %s", t->name, name,
                                      config_names_join(t->state_names, t->n_state, list,
                                                        sizeof list))
                        : config_fail(c, n, "%s has no state variables to record",
                                      t->name);
    }
    config_path_pop(c, old);
    return rc;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The node of the second listing of id, for the duplicate message. */
static const yamltree_node *second_listing(const yamltree_node *list, uint64_t id)
{
    int seen = 0;
    for (size_t i = 0; i < list->n; i++) {
        const char *s = list->items[i]->str;
        if (strtoull(s + (*s == '+'), NULL, 10) == id && seen++)
            return list->items[i];
    }
    return list;
}

/* Reads the ids (each < size), then sorts them; a repeated id is an error. */
static int ids_read(config_ctx *c, const yamltree_node *list, const hs_pop_config *p,
                    hs_trace_config *tr)
{
    size_t n = yamltree_len(list);
    size_t old = config_path_push(c, "ids");
    if (n == 0) {
        int rc = config_fail_in(c, list, list, "at least one id is needed");
        config_path_pop(c, old);
        return rc;
    }
    tr->ids = malloc(n * sizeof *tr->ids);
    int rc = tr->ids ? HS_OK
                     : hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu trace ids", n);
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        size_t inner = config_path_push_index(c, i);
        rc = config_id_read(c, list->items[i], p, &tr->ids[i]);
        config_path_pop(c, inner);
    }
    tr->n_ids = n;
    if (rc == HS_OK)
        qsort(tr->ids, n, sizeof *tr->ids, u64_cmp);
    for (size_t i = 1; rc == HS_OK && i < n; i++)
        if (tr->ids[i] == tr->ids[i - 1])
            rc = config_fail(c, second_listing(list, tr->ids[i]), "id %llu is listed twice",
                             (unsigned long long)tr->ids[i]);
    config_path_pop(c, old);
    return rc;
}

static int interval_fail(config_ctx *c, const yamltree_node *n, double ms)
{
    size_t old = config_path_push(c, "interval_ms");
    int rc = config_fail(c, n, "%.15g ms is not a whole multiple of dt_ms (%.15g ms)", ms,
                         c->dt_ms);
    config_path_pop(c, old);
    return rc;
}

/* The interval is a whole number of steps, stored as exactly k dt. */
static int interval_fix(config_ctx *c, const yamltree_node *n, hs_trace_config *tr)
{
    if (isnan(tr->interval_ms)) {
        tr->interval_ms = c->dt_ms;
        return HS_OK;
    }
    if (config_steps_exact(c->dt_ms, &tr->interval_ms))
        return HS_OK;
    return interval_fail(c, n, tr->interval_ms);
}

static int trace_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                      hs_config *cfg, hs_trace_config *tr)
{
    int p = config_pop_named(c, key, key->str, cfg);
    if (p < 0)
        return HS_EINPUT;
    tr->pop = (size_t)p;
    tr->loc = (hs_loc){key->line, key->col};
    const yamltree_node *nodes[N_TRACE];
    int rc = config_fields_read(c, trace_fields, N_TRACE, key, map, tr, nodes, NULL);
    if (rc == HS_OK)
        rc = variable_read(c, nodes[TRACE_VARIABLE], cfg->pops[p].model, tr);
    if (rc == HS_OK)
        rc = ids_read(c, nodes[TRACE_IDS], &cfg->pops[p], tr);
    if (rc == HS_OK)
        rc = interval_fix(c, nodes[TRACE_INTERVAL], tr);
    return rc;
}

static int traces_read(config_ctx *c, const yamltree_node *map, hs_config *cfg)
{
    size_t n = yamltree_len(map);
    if (n == 0)
        return HS_OK;
    cfg->traces = calloc(n, sizeof *cfg->traces);
    if (!cfg->traces)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu traces", n);
    size_t old = config_path_push(c, "traces");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        size_t inner = config_path_push(c, map->pairs[i].key->str);
        cfg->n_traces++;   /* counted first, so experiment_free frees partial ids */
        rc = trace_read(c, map->pairs[i].key, map->pairs[i].value, cfg, &cfg->traces[i]);
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

static int weight_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                       const hs_config *cfg, hs_weight_config *w)
{
    int p = config_proj_named(c, key, key->str, cfg);
    if (p < 0)
        return HS_EINPUT;
    w->proj = (size_t)p;
    w->loc = (hs_loc){key->line, key->col};
    const yamltree_node *node;
    int rc = config_fields_read(c, weight_fields, 1, key, map, w, &node, NULL);
    if (rc == HS_OK && w->interval_ms > 0 && !config_steps_exact(c->dt_ms, &w->interval_ms))
        rc = interval_fail(c, node, w->interval_ms);
    return rc;
}

static int weights_read(config_ctx *c, const yamltree_node *map, hs_config *cfg)
{
    size_t n = yamltree_len(map);
    if (n == 0)
        return HS_OK;
    cfg->weights = calloc(n, sizeof *cfg->weights);
    if (!cfg->weights)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu weight recordings", n);
    size_t old = config_path_push(c, "weights");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        size_t inner = config_path_push(c, map->pairs[i].key->str);
        rc = weight_read(c, map->pairs[i].key, map->pairs[i].value, cfg, &cfg->weights[i]);
        config_path_pop(c, inner);
        cfg->n_weights++;
    }
    config_path_pop(c, old);
    return rc;
}

int config_recording_read(config_ctx *c, const yamltree_node *map, hs_config *cfg)
{
    const yamltree_node *nodes[N_REC] = {NULL, NULL, NULL};
    size_t old = config_path_push(c, "recording");
    int rc = map ? config_fields_read(c, rec_fields, N_REC, NULL, map, NULL, nodes, NULL)
                 : HS_OK;
    if (rc == HS_OK)
        rc = spikes_read(c, nodes[REC_SPIKES], cfg);
    if (rc == HS_OK)
        rc = traces_read(c, nodes[REC_TRACES], cfg);
    if (rc == HS_OK)
        rc = weights_read(c, nodes[REC_WEIGHTS], cfg);
    config_path_pop(c, old);
    return rc;
}
