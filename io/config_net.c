/* config_net.c: the projections section of the experiment file (their
 * learning rules are read by config_plast.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"

/* NEST's default synaptic delay. */
#define DEFAULT_DELAY_MS 1.0

/* ---- projections ---- */

enum {
    PROJ_PRE, PROJ_POST, PROJ_RECEPTOR, PROJ_CONNECT, PROJ_WEIGHT, PROJ_DELAY, PROJ_PLAST,
    PROJ_HOMEO, N_PROJ
};

static const config_field proj_fields[N_PROJ] = {
    {.key = "pre", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "post", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "receptor", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "connect", .kind = CONFIG_MAP, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "weight", .kind = CONFIG_DIST, .required = 1,
     .offset = offsetof(hs_proj_config, weight)},
    {.key = "delay_ms", .kind = CONFIG_DIST, .offset = offsetof(hs_proj_config, delay_ms)},
    {.key = "plasticity", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "homeostasis", .kind = CONFIG_LIST, .offset = CONFIG_NO_OFFSET},
};

#define RULE_KEY {.key = "rule", .kind = CONFIG_STRING, .required = 1, \
                  .offset = CONFIG_NO_OFFSET, .unit = ""}
#define AUTAPSES_KEY {.key = "autapses", .kind = CONFIG_BOOL, .def = 1, \
                      .offset = offsetof(hs_proj_config, autapses), .unit = ""}

static const config_field probability_fields[] = {
    RULE_KEY,
    {.key = "p", .kind = CONFIG_NUMBER, .required = 1, .offset = offsetof(hs_proj_config, p),
     .min = 0, .max = 1, .unit = ""},
    AUTAPSES_KEY,
};

static const config_field indegree_fields[] = {
    RULE_KEY,
    {.key = "indegree", .kind = CONFIG_INT, .required = 1,
     .offset = offsetof(hs_proj_config, indegree), .imin = 1, .imax = UINT32_MAX, .unit = ""},
    AUTAPSES_KEY,
};

static const config_field one_to_one_fields[] = {RULE_KEY};
static const config_field all_to_all_fields[] = {RULE_KEY, AUTAPSES_KEY};

static const struct {
    const char *name;
    hs_conn_rule rule;
    const config_field *fields;
    size_t n;
} rules[] = {
    {"fixed_probability", HS_CONN_FIXED_PROBABILITY, probability_fields, 3},
    {"fixed_indegree", HS_CONN_FIXED_INDEGREE, indegree_fields, 3},
    {"one_to_one", HS_CONN_ONE_TO_ONE, one_to_one_fields, 1},
    {"all_to_all", HS_CONN_ALL_TO_ALL, all_to_all_fields, 2},
};

#define N_RULES (sizeof rules / sizeof rules[0])

/* Index of the population named by n, or -1 with err set. */
static int pop_lookup(config_ctx *c, const yamltree_node *n, const hs_config *cfg)
{
    const char *name;
    if (config_string_read(c, n, &name) != HS_OK)
        return -1;
    return config_pop_named(c, n, name, cfg);
}

/* Looks up the name under key in map, with the path extended by key. */
static int pop_field(config_ctx *c, const yamltree_node *map, const char *key,
                     const hs_config *cfg)
{
    size_t old = config_path_push(c, key);
    int i = pop_lookup(c, yamltree_get(map, key), cfg);
    config_path_pop(c, old);
    return i;
}

static int ends_read(config_ctx *c, const yamltree_node *map, const hs_config *cfg,
                     hs_proj_config *pj)
{
    int pre = pop_field(c, map, "pre", cfg);
    int post = pre < 0 ? -1 : pop_field(c, map, "post", cfg);
    if (post < 0)
        return HS_EINPUT;
    pj->pre = (size_t)pre;
    pj->post = (size_t)post;
    const neuron_type *t = cfg->pops[post].model;
    size_t old = config_path_push(c, "post");
    int rc = t->is_source ? config_fail(c, yamltree_get(map, "post"),
                                        "'%s' is a %s source and takes no input",
                                        cfg->pops[post].name, t->name)
                          : HS_OK;
    config_path_pop(c, old);
    if (rc != HS_OK)
        return rc;
    const yamltree_node *rn = yamltree_get(map, "receptor");
    const char *receptor;
    old = config_path_push(c, "receptor");
    rc = config_string_read(c, rn, &receptor);
    pj->receptor = rc == HS_OK ? neuron_type_receptor_index(t, receptor) : -1;
    if (rc == HS_OK && pj->receptor < 0) {
        char list[256];
        rc = config_fail(c, rn, "%s has no receptor '%.40s'; its receptors: %s", t->name,
                         receptor, config_names_join(t->receptor_names, t->n_receptors,
                                                     list, sizeof list));
    }
    config_path_pop(c, old);
    return rc;
}

static int rule_find(config_ctx *c, const yamltree_node *connect)
{
    const yamltree_node *n = yamltree_get(connect, "rule");
    if (!n) {
        config_fail(c, connect, "missing required key 'rule' (fixed_probability, "
                                "fixed_indegree, one_to_one or all_to_all)");
        return -1;
    }
    size_t old = config_path_push(c, "rule");
    const char *name;
    int found = -1;
    if (config_string_read(c, n, &name) == HS_OK) {
        for (size_t i = 0; i < N_RULES && found < 0; i++)
            if (strcmp(name, rules[i].name) == 0)
                found = (int)i;
        if (found < 0)
            config_fail(c, n, "unknown rule '%.40s'; known rules: fixed_probability, "
                              "fixed_indegree, one_to_one, all_to_all", name);
    }
    config_path_pop(c, old);
    return found;
}

/* Rule-specific limits that need the population sizes. */
static int connect_check(config_ctx *c, const yamltree_node *key,
                         const yamltree_node *connect, const hs_config *cfg,
                         const hs_proj_config *pj)
{
    const hs_pop_config *pre = &cfg->pops[pj->pre], *post = &cfg->pops[pj->post];
    if (pj->rule == HS_CONN_ONE_TO_ONE && pre->size != post->size)
        return config_fail_in(c, key, connect, "one_to_one needs pre and post of equal size, but %s "
                           "has %llu and %s %llu", pre->name, (unsigned long long)pre->size,
                           post->name, (unsigned long long)post->size);
    if (pj->rule != HS_CONN_FIXED_INDEGREE)
        return HS_OK;
    int self = pj->pre == pj->post && !pj->autapses;
    uint64_t most = pre->size - (self ? 1 : 0);
    if (pj->indegree <= most)
        return HS_OK;
    size_t old = config_path_push(c, "indegree");
    int rc = config_fail(c, yamltree_get(connect, "indegree"),
                         "indegree %llu is more than the %llu %ssources in %s",
                         (unsigned long long)pj->indegree, (unsigned long long)most,
                         self ? "possible (autapses: false) " : "", pre->name);
    config_path_pop(c, old);
    return rc;
}

static int connect_read(config_ctx *c, const yamltree_node *proj, const hs_config *cfg,
                        hs_proj_config *pj)
{
    const yamltree_node *key = yamltree_get_key(proj, "connect");
    const yamltree_node *connect = yamltree_get(proj, "connect");
    size_t old = config_path_push(c, "connect");
    int r = connect->kind == YAMLTREE_MAP ? rule_find(c, connect)
                                          : config_fail(c, connect, "expected a mapping");
    int rc = r < 0 ? HS_EINPUT : HS_OK;
    if (rc == HS_OK) {
        pj->rule = rules[r].rule;
        pj->autapses = 1;
        rc = config_fields_read(c, rules[r].fields, rules[r].n, key, connect, pj, NULL, NULL);
    }
    if (rc == HS_OK)
        rc = connect_check(c, key, connect, cfg, pj);
    config_path_pop(c, old);
    return rc;
}

/* Delays are whole steps in 16 bits: the longest is HS_MAX_DELAY_STEPS.
 * is_default: the delay was not written (so the message says so). */
static int delay_max_check(config_ctx *c, const yamltree_node *n, const hs_dist *d,
                           int is_default)
{
    double top = d->kind == HS_DIST_CONSTANT ? d->value : d->high;
    if (round(top / c->dt_ms) <= HS_MAX_DELAY_STEPS)
        return HS_OK;
    return config_fail(c, n, "%s%.15g ms%s is above the longest delay, %d steps (%.15g ms at "
                       "dt_ms = %.15g)", is_default ? "the default delay_ms (" : "", top,
                       is_default ? ")" : "", HS_MAX_DELAY_STEPS,
                       HS_MAX_DELAY_STEPS * c->dt_ms, c->dt_ms);
}

static int weight_delay_check(config_ctx *c, const yamltree_node *key,
                              const yamltree_node *proj, const hs_config *cfg,
                              hs_proj_config *pj)
{
    const neuron_type *t = cfg->pops[pj->post].model;
    const char *unit = t->receptor_units[pj->receptor];
    int rc = HS_OK;
    size_t old = config_path_push(c, "weight");
    if (strcmp(unit, "nS") == 0)
        rc = config_dist_check_min(c, yamltree_get(proj, "weight"), &pj->weight, 0, unit,
                                   "0 (conductance weights are >= 0)");
    config_path_pop(c, old);
    const yamltree_node *dn = yamltree_get(proj, "delay_ms");
    if (rc != HS_OK)
        return rc;
    if (!dn) {
        /* Absent: NEST's 1 ms, or one step when dt is longer. */
        double d = DEFAULT_DELAY_MS > c->dt_ms ? DEFAULT_DELAY_MS : c->dt_ms;
        pj->delay_ms = (hs_dist){.kind = HS_DIST_CONSTANT, .value = d};
        /* checked too: with dt_ms below 1 ms / 65535 it is too long */
        return delay_max_check(c, key, &pj->delay_ms, 1);
    }
    char what[96];
    snprintf(what, sizeof what, "one step (dt_ms = %.15g ms)", c->dt_ms);
    old = config_path_push(c, "delay_ms");
    /* A relative tolerance keeps 0.1 ms >= 0.1 ms for any rounding of dt. */
    rc = config_dist_check_min(c, dn, &pj->delay_ms, c->dt_ms * (1 - 1e-9), "ms", what);
    if (rc == HS_OK)
        rc = delay_max_check(c, dn, &pj->delay_ms, 0);
    config_path_pop(c, old);
    return rc;
}

static int proj_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                     const hs_config *cfg, hs_proj_config *pj)
{
    int rc = config_name_check(c, key, "projection");
    if (rc == HS_OK)
        rc = config_fields_read(c, proj_fields, N_PROJ, key, map, pj, NULL, NULL);
    if (rc != HS_OK)
        return rc;
    memcpy(pj->name, key->str, key->len + 1);
    pj->loc = (hs_loc){key->line, key->col};
    rc = ends_read(c, map, cfg, pj);
    if (rc == HS_OK)
        rc = connect_read(c, map, cfg, pj);
    if (rc == HS_OK)
        rc = weight_delay_check(c, key, map, cfg, pj);
    if (rc == HS_OK)
        rc = config_plast_read(c, map, cfg, pj);
    return rc;
}

int config_projs_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                      hs_config *cfg)
{
    (void)key;
    size_t n = yamltree_len(map);
    if (n == 0)
        return HS_OK;
    cfg->projs = calloc(n, sizeof *cfg->projs);
    if (!cfg->projs)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu projections", n);
    size_t old = config_path_push(c, "projections");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        size_t inner = config_path_push(c, map->pairs[i].key->str);
        rc = proj_read(c, map->pairs[i].key, map->pairs[i].value, cfg, &cfg->projs[i]);
        config_path_pop(c, inner);
        cfg->n_projs++;
    }
    config_path_pop(c, old);
    return rc;
}
