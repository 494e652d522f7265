/* config_plast.c: the learning rules of a projection,
 *   plasticity: {rule: stdp_pair, interaction: nearest, params: {...}}
 *   homeostasis: [{rule: downscale, params: {...}}, ...]
 * each rule chosen by name from its registry (plasticity/stdp.h,
 * plasticity/scaling.h), its parameters range-checked by their descriptors
 * and then related by the rule's own check. A plastic projection also needs
 * one constant delay and initial weights within [w_min, w_max]. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config_fields.h"

enum { PLAST_RULE, PLAST_INTERACTION, PLAST_PARAMS, N_PLAST };

static const config_field plast_fields[N_PLAST] = {
    {.key = "rule", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "interaction", .kind = CONFIG_STRING, .offset = CONFIG_NO_OFFSET},
    {.key = "params", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

enum { HOMEO_RULE, HOMEO_PARAMS, N_HOMEO };

static const config_field homeo_fields[N_HOMEO] = {
    {.key = "rule", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "params", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

/* ---- rule names ---- */

static const stdp_type *stdp_rule_read(config_ctx *c, const yamltree_node *n)
{
    const char *name;
    const stdp_type *t = NULL;
    size_t old = config_path_push(c, "rule");
    if (config_string_read(c, n, &name) == HS_OK) {
        t = stdp_type_find(name);
        const char *names[32];
        char list[512];
        size_t k = 0;
        for (; !t && stdp_types[k] && k < 32; k++)
            names[k] = stdp_types[k]->name;
        if (!t)
            config_fail(c, n, "unknown rule '%.40s'; known rules: %s", name,
                        config_names_join(names, k, list, sizeof list));
    }
    config_path_pop(c, old);
    return t;
}

static const scaling_type *scaling_rule_read(config_ctx *c, const yamltree_node *n)
{
    const char *name;
    const scaling_type *t = NULL;
    size_t old = config_path_push(c, "rule");
    if (config_string_read(c, n, &name) == HS_OK) {
        t = scaling_type_find(name);
        const char *names[32];
        char list[512];
        size_t k = 0;
        for (; !t && scaling_types[k] && k < 32; k++)
            names[k] = scaling_types[k]->name;
        if (!t)
            config_fail(c, n, "unknown rule '%.40s'; known rules: %s", name,
                        config_names_join(names, k, list, sizeof list));
    }
    config_path_pop(c, old);
    return t;
}

/* all_to_all (absent) or nearest. */
static int interaction_read(config_ctx *c, const yamltree_node *n, hs_plast_config *pl)
{
    const char *name;
    pl->nearest = 0;
    if (!n)
        return HS_OK;
    size_t old = config_path_push(c, "interaction");
    int rc = config_string_read(c, n, &name);
    if (rc == HS_OK && strcmp(name, "nearest") == 0)
        pl->nearest = 1;
    else if (rc == HS_OK && strcmp(name, "all_to_all") != 0)
        rc = config_fail(c, n, "unknown interaction '%.40s'; known: all_to_all, nearest",
                         name);
    config_path_pop(c, old);
    return rc;
}

/* ---- plasticity ---- */

/* The rule's relations (w_min < w_max, ...); on a conductance receptor the
 * weights it can reach must also stay >= 0. Reported at the params mapping
 * (at: its key, or the plasticity key when params is absent). */
static int stdp_check(config_ctx *c, const yamltree_node *at, const yamltree_node *params,
                      const char *unit, const hs_plast_config *pl)
{
    hs_error perr;
    hs_error_clear(&perr);
    double tau_pre[STDP_MAX_TRACES], tau_post[STDP_MAX_TRACES];
    int rc = pl->rule->check(pl->params, tau_pre, tau_post, &perr);
    double lo, hi;
    pl->rule->bounds(pl->params, &lo, &hi);
    size_t old = config_path_push(c, "params");
    if (rc != HS_OK)
        rc = config_fail_in(c, at, params, "%s", perr.msg[0] ? perr.msg : "invalid parameters");
    else if (strcmp(unit, "nS") == 0 && lo < 0)
        rc = config_fail_in(c, at, params, "w_min (%.15g nS) is below 0 (conductance weights "
                            "are >= 0)", lo);
    config_path_pop(c, old);
    return rc;
}

static int plasticity_read(config_ctx *c, const yamltree_node *proj, const char *unit,
                           hs_plast_config *pl)
{
    const yamltree_node *key = yamltree_get_key(proj, "plasticity");
    const yamltree_node *map = yamltree_get(proj, "plasticity");
    if (!map)
        return HS_OK;
    const yamltree_node *nodes[N_PLAST];
    size_t old = config_path_push(c, "plasticity");
    int rc = config_fields_read(c, plast_fields, N_PLAST, key, map, NULL, nodes, NULL);
    if (rc == HS_OK) {
        pl->rule = stdp_rule_read(c, nodes[PLAST_RULE]);
        rc = pl->rule ? interaction_read(c, nodes[PLAST_INTERACTION], pl) : HS_EINPUT;
    }
    const yamltree_node *pkey = yamltree_get_key(map, "params");
    if (rc == HS_OK)
        rc = config_params_read(c, pl->rule->params, pl->rule->n_params,
                                pl->rule->params_size, pl->rule->name, pkey,
                                nodes[PLAST_PARAMS], pl->params);
    if (rc == HS_OK)
        rc = stdp_check(c, pkey ? pkey : key, nodes[PLAST_PARAMS], unit, pl);
    pl->loc = (hs_loc){key->line, key->col};
    config_path_pop(c, old);
    return rc;
}

/* ---- homeostasis ---- */

/* A rule's clock (its interval_ms parameter, if it has one) ticks on whole
 * steps. */
static int clock_check(config_ctx *c, const yamltree_node *at, const yamltree_node *params,
                       hs_homeo_config *h)
{
    const scaling_type *t = h->rule;
    int i = hs_params_find(t->params, t->n_params, "interval_ms");
    if (i < 0)
        return HS_OK;
    double *ms = hs_param_ptr(&t->params[i], h->params);
    if (config_steps_exact(c->dt_ms, ms))
        return HS_OK;
    const yamltree_node *n = yamltree_get(params, "interval_ms");
    size_t old = config_path_push(c, "params");
    int rc;
    if (n) {
        config_path_push(c, "interval_ms");
        rc = config_fail(c, n, "%.15g ms is not a whole multiple of dt_ms (%.15g ms)", *ms,
                         c->dt_ms);
    } else {
        rc = config_fail_in(c, at, params, "interval_ms (%.15g ms by default) is not a whole "
                            "multiple of dt_ms (%.15g ms)", *ms, c->dt_ms);
    }
    config_path_pop(c, old);
    return rc;
}

static int scaling_check(config_ctx *c, const yamltree_node *at, const yamltree_node *params,
                         const hs_homeo_config *h)
{
    hs_error perr;
    hs_error_clear(&perr);
    if (h->rule->check(h->params, &perr) == HS_OK)
        return HS_OK;
    size_t old = config_path_push(c, "params");
    int rc = config_fail_in(c, at, params, "%s", perr.msg[0] ? perr.msg : "invalid parameters");
    config_path_pop(c, old);
    return rc;
}

/* The k-th rule of the list; the ones before it are in pj->homeo. */
static int homeo_rule_read(config_ctx *c, const yamltree_node *n, hs_proj_config *pj,
                           size_t k)
{
    const scaling_type *t = scaling_rule_read(c, n);
    if (!t)
        return HS_EINPUT;
    pj->homeo[k].rule = t;
    /* scaling_rate can grow weights: only STDP's bounds keep them finite */
    if (t == &scaling_rate && !pj->plast.rule) {
        size_t old = config_path_push(c, "rule");
        int rc = config_fail(c, n, "scaling_rate needs the projection's plasticity: its "
                             "w_min and w_max bound the scaling");
        config_path_pop(c, old);
        return rc;
    }
    for (size_t j = 0; j < k; j++) {
        if (pj->homeo[j].rule != t)
            continue;
        size_t old = config_path_push(c, "rule");
        int rc = config_fail(c, n, "%s is already on this projection (homeostasis[%zu])",
                             t->name, j);
        config_path_pop(c, old);
        return rc;
    }
    return HS_OK;
}

static int homeo_item_read(config_ctx *c, const yamltree_node *item, hs_proj_config *pj,
                           size_t k)
{
    hs_homeo_config *h = &pj->homeo[k];
    const yamltree_node *nodes[N_HOMEO];
    int rc = config_fields_read(c, homeo_fields, N_HOMEO, item, item, NULL, nodes, NULL);
    if (rc == HS_OK)
        rc = homeo_rule_read(c, nodes[HOMEO_RULE], pj, k);
    if (rc != HS_OK)
        return rc;
    const yamltree_node *pkey = yamltree_get_key(item, "params");
    const yamltree_node *at = pkey ? pkey : item;
    rc = config_params_read(c, h->rule->params, h->rule->n_params, h->rule->params_size,
                            h->rule->name, pkey, nodes[HOMEO_PARAMS], h->params);
    if (rc == HS_OK)
        rc = scaling_check(c, at, nodes[HOMEO_PARAMS], h);
    if (rc == HS_OK)
        rc = clock_check(c, at, nodes[HOMEO_PARAMS], h);
    h->loc = (hs_loc){item->line, item->col};
    return rc;
}

static int homeostasis_read(config_ctx *c, const yamltree_node *proj, hs_proj_config *pj)
{
    const yamltree_node *key = yamltree_get_key(proj, "homeostasis");
    const yamltree_node *list = yamltree_get(proj, "homeostasis");
    size_t n = yamltree_len(list);
    size_t old = config_path_push(c, "homeostasis");
    int rc = HS_OK;
    if (n > HS_MAX_HOMEOSTASIS)
        rc = config_fail_in(c, key, list, "at most %d rules per projection, not %zu",
                            HS_MAX_HOMEOSTASIS, n);
    for (size_t k = 0; rc == HS_OK && k < n; k++) {
        size_t inner = config_path_push_index(c, k);
        rc = homeo_item_read(c, list->items[k], pj, k);
        config_path_pop(c, inner);
        pj->n_homeo++;
    }
    config_path_pop(c, old);
    return rc;
}

/* ---- what plasticity asks of the projection ---- */

/* Learning times a pair by its neurons' spikes and the delay as a whole
 * (stdp.h), so every synapse of the projection must share one delay. */
static int plastic_delay_check(config_ctx *c, const yamltree_node *proj,
                               const hs_proj_config *pj)
{
    if (pj->delay_ms.kind == HS_DIST_CONSTANT)
        return HS_OK;
    size_t old = config_path_push(c, "delay_ms");
    int rc = config_fail_in(c, yamltree_get(proj, "delay_ms"), yamltree_get(proj, "plasticity"),
                            "a plastic projection needs one constant delay");
    config_path_pop(c, old);
    return rc;
}

/* Every weight the distribution can draw lies within the rule's hard bounds. */
static int plastic_weight_check(config_ctx *c, const yamltree_node *proj, const char *unit,
                                const hs_proj_config *pj)
{
    const hs_dist *w = &pj->weight;
    double lo, hi;
    pj->plast.rule->bounds(pj->plast.params, &lo, &hi);
    double a = w->kind == HS_DIST_CONSTANT ? w->value : w->low;
    double b = w->kind == HS_DIST_CONSTANT ? w->value : w->high;
    if (a >= lo && b <= hi)
        return HS_OK;
    const yamltree_node *n = yamltree_get(proj, "weight");
    const yamltree_node *why = yamltree_get(proj, "plasticity");
    size_t old = config_path_push(c, "weight");
    int rc = w->kind == HS_DIST_CONSTANT
                 ? config_fail_in(c, n, why, "%.15g %s is outside the rule's bounds [w_min, "
                                  "w_max] = [%.15g, %.15g]", a, unit, lo, hi)
                 : config_fail_in(c, n, why, "[low, high] = [%.15g, %.15g] %s is not within "
                                  "the rule's bounds [w_min, w_max] = [%.15g, %.15g]", a, b,
                                  unit, lo, hi);
    config_path_pop(c, old);
    return rc;
}

int config_plast_read(config_ctx *c, const yamltree_node *proj, const hs_config *cfg,
                      hs_proj_config *pj)
{
    const char *unit = cfg->pops[pj->post].model->receptor_units[pj->receptor];
    int rc = plasticity_read(c, proj, unit, &pj->plast);
    if (rc == HS_OK)
        rc = homeostasis_read(c, proj, pj);
    if (rc == HS_OK && pj->plast.rule)
        rc = plastic_delay_check(c, proj, pj);
    if (rc == HS_OK && pj->plast.rule)
        rc = plastic_weight_check(c, proj, unit, pj);
    return rc;
}
