/* config_schedule.c: the schedule, phases run in order,
 *   schedule:
 *     - {name: learn, stage: wake, duration_ms: 2000}
 *     - {name: sleep, stage: nrem, duration_ms: 5000, gains: {ee: {stdp: 0}}}
 * or, without one, the single phase {name: run, stage: wake} of
 * simulation.duration_ms. A gain scales a rule's learning rate in a phase:
 * gains maps a projection to {stdp: g, <homeostasis rule>: g, ...}; absent
 * gains are 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"

enum { PHASE_NAME, PHASE_STAGE, PHASE_DURATION, PHASE_GAINS, N_PHASE };

static const config_field phase_fields[N_PHASE] = {
    {.key = "name", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "stage", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "duration_ms", .kind = CONFIG_NUMBER, .required = 1,
     .offset = offsetof(hs_phase_config, duration_ms), .min = 0, .max = 1e12, .min_open = 1,
     .unit = "ms"},
    {.key = "gains", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

static const char *const stages[] = {"wake", "rest", "nrem", "rem"};

#define N_STAGES (sizeof stages / sizeof stages[0])

/* Both gain arrays, every gain 1 (at least one slot each, so they are never
 * NULL). */
static int gains_alloc(config_ctx *c, const hs_config *cfg, hs_phase_config *ph)
{
    size_t n = cfg->n_projs ? cfg->n_projs : 1;
    ph->stdp_gain = malloc(n * sizeof *ph->stdp_gain);
    ph->homeo_gain = malloc(n * HS_MAX_HOMEOSTASIS * sizeof *ph->homeo_gain);
    if (!ph->stdp_gain || !ph->homeo_gain)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for the gains of %zu "
                            "projections", n);
    for (size_t i = 0; i < n; i++)
        ph->stdp_gain[i] = 1.0;
    for (size_t i = 0; i < n * HS_MAX_HOMEOSTASIS; i++)
        ph->homeo_gain[i] = 1.0;
    return HS_OK;
}

static int default_phase(config_ctx *c, hs_config *cfg)
{
    cfg->phases = calloc(1, sizeof *cfg->phases);
    if (!cfg->phases)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for the phase");
    cfg->n_phases = 1;
    hs_phase_config *ph = &cfg->phases[0];
    snprintf(ph->name, sizeof ph->name, "run");
    snprintf(ph->stage, sizeof ph->stage, "wake");
    ph->duration_ms = cfg->duration_ms;
    return gains_alloc(c, cfg, ph);
}

/* ---- one phase ---- */

static int name_read(config_ctx *c, const yamltree_node *n, const hs_config *cfg, size_t i)
{
    const char *name;
    size_t old = config_path_push(c, "name");
    int rc = config_string_read(c, n, &name);
    if (rc == HS_OK)
        rc = config_name_check(c, n, "phase");
    for (size_t j = 0; rc == HS_OK && j < i; j++)
        if (strcmp(cfg->phases[j].name, name) == 0)
            rc = config_fail(c, n, "phase '%s' is already in the schedule (schedule[%zu])",
                             name, j);
    if (rc == HS_OK)
        memcpy(cfg->phases[i].name, n->str, n->len + 1);
    config_path_pop(c, old);
    return rc;
}

static int stage_read(config_ctx *c, const yamltree_node *n, hs_phase_config *ph)
{
    const char *name;
    size_t old = config_path_push(c, "stage");
    int rc = config_string_read(c, n, &name);
    size_t s = 0;
    while (rc == HS_OK && s < N_STAGES && strcmp(name, stages[s]) != 0)
        s++;
    if (rc == HS_OK && s == N_STAGES) {
        char list[64];
        rc = config_fail(c, n, "unknown stage '%.40s'; stages: %s", name,
                         config_names_join(stages, N_STAGES, list, sizeof list));
    }
    if (rc == HS_OK)
        snprintf(ph->stage, sizeof ph->stage, "%s", stages[s]);
    config_path_pop(c, old);
    return rc;
}

/* A phase is a whole number of steps, at least one; *steps gets it. */
static int duration_fix(config_ctx *c, const yamltree_node *n, hs_phase_config *ph,
                        double *steps)
{
    double k = round(ph->duration_ms / c->dt_ms);
    size_t old = config_path_push(c, "duration_ms");
    int rc = HS_OK;
    if (k < 1)
        rc = config_fail(c, n, "%.15g ms is shorter than one step (dt_ms = %.15g ms)",
                         ph->duration_ms, c->dt_ms);
    else if (k > CONFIG_MAX_STEPS)
        rc = config_fail(c, n, "%.15g ms is more than 2^53 steps of %.15g ms",
                         ph->duration_ms, c->dt_ms);
    config_path_pop(c, old);
    ph->duration_ms = k * c->dt_ms;
    *steps = k;
    return rc;
}

/* ---- gains ---- */

/* The rules on pj by name: "stdp" if it is plastic, then its homeostasis. */
static size_t rule_names(const hs_proj_config *pj, const char **names)
{
    size_t n = 0;
    if (pj->plast.rule)
        names[n++] = "stdp";
    for (size_t k = 0; k < pj->n_homeo; k++)
        names[n++] = pj->homeo[k].rule->name;
    return n;
}

/* Every key of map names a rule on pj. */
static int gain_keys_check(config_ctx *c, const yamltree_node *map, const hs_proj_config *pj)
{
    const char *names[1 + HS_MAX_HOMEOSTASIS];
    size_t n = rule_names(pj, names);
    for (size_t i = 0; i < yamltree_len(map); i++) {
        const yamltree_node *key = map->pairs[i].key;
        size_t k = 0;
        while (k < n && strcmp(key->str, names[k]) != 0)
            k++;
        if (k < n)
            continue;
        char list[256];
        size_t old = config_path_push(c, key->str);
        int rc = strcmp(key->str, "stdp") == 0
                     ? config_fail(c, key, "%s has no plasticity, so it takes no stdp gain",
                                   pj->name)
                 : n ? config_fail(c, key, "%s has no homeostasis rule '%.40s'; its rules: %s",
                                   pj->name, key->str,
                                   config_names_join(names, n, list, sizeof list))
                     : config_fail(c, key, "%s has no plasticity or homeostasis to take a "
                                   "gain", pj->name);
        config_path_pop(c, old);
        return rc;
    }
    return HS_OK;
}

/* The gains of projection p (read at key) into the phase's arrays. */
static int proj_gains_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                           const hs_config *cfg, size_t p, hs_phase_config *ph)
{
    const hs_proj_config *pj = &cfg->projs[p];
    if (!yamltree_is_null(map) && map->kind != YAMLTREE_MAP)
        return config_fail(c, map, "expected a mapping");
    int rc = gain_keys_check(c, map, pj);
    if (rc != HS_OK)
        return rc;
    const char *names[1 + HS_MAX_HOMEOSTASIS];
    size_t n = rule_names(pj, names);
    config_field f[1 + HS_MAX_HOMEOSTASIS];
    double g[1 + HS_MAX_HOMEOSTASIS];
    for (size_t k = 0; k < n; k++)
        f[k] = (config_field){.key = names[k], .kind = CONFIG_NUMBER,
                              .offset = k * sizeof(double), .def = 1, .min = 0,
                              .max = INFINITY, .unit = ""};
    rc = config_fields_read(c, f, n, key, map, g, NULL, NULL);
    if (rc != HS_OK)
        return rc;
    size_t first = pj->plast.rule ? 1 : 0;
    if (pj->plast.rule)
        ph->stdp_gain[p] = g[0];
    for (size_t k = 0; k < pj->n_homeo; k++)
        ph->homeo_gain[p * HS_MAX_HOMEOSTASIS + k] = g[first + k];
    return HS_OK;
}

static int gains_read(config_ctx *c, const yamltree_node *map, const hs_config *cfg,
                      hs_phase_config *ph)
{
    size_t old = config_path_push(c, "gains");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < yamltree_len(map); i++) {
        const yamltree_pair *pr = &map->pairs[i];
        size_t inner = config_path_push(c, pr->key->str);
        int p = config_proj_named(c, pr->key, pr->key->str, cfg);
        rc = p < 0 ? HS_EINPUT : proj_gains_read(c, pr->key, pr->value, cfg, (size_t)p, ph);
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

static int phase_read(config_ctx *c, const yamltree_node *item, hs_config *cfg, size_t i,
                      double *steps)
{
    hs_phase_config *ph = &cfg->phases[i];
    const yamltree_node *nodes[N_PHASE];
    int rc = config_fields_read(c, phase_fields, N_PHASE, item, item, ph, nodes, NULL);
    if (rc == HS_OK)
        rc = name_read(c, nodes[PHASE_NAME], cfg, i);
    if (rc == HS_OK)
        rc = stage_read(c, nodes[PHASE_STAGE], ph);
    if (rc == HS_OK)
        rc = duration_fix(c, nodes[PHASE_DURATION], ph, steps);
    if (rc == HS_OK)
        rc = gains_alloc(c, cfg, ph);
    if (rc == HS_OK)
        rc = gains_read(c, nodes[PHASE_GAINS], cfg, ph);
    ph->loc = (hs_loc){item->line, item->col};
    return rc;
}

int config_schedule_read(config_ctx *c, const yamltree_node *key, const yamltree_node *list,
                         hs_config *cfg)
{
    if (!list)
        return default_phase(c, cfg);
    size_t n = yamltree_len(list);
    size_t old = config_path_push(c, "schedule");
    if (n == 0) {
        int rc = config_fail_in(c, key, list, "at least one phase is needed");
        config_path_pop(c, old);
        return rc;
    }
    cfg->phases = calloc(n, sizeof *cfg->phases);
    if (!cfg->phases) {
        config_path_pop(c, old);
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu phases", n);
    }
    double total = 0;
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        size_t inner = config_path_push_index(c, i);
        double steps = 0;
        cfg->n_phases++;   /* counted first, so config_free frees partial gains */
        rc = phase_read(c, list->items[i], cfg, i, &steps);
        total += steps;
        config_path_pop(c, inner);
    }
    if (rc == HS_OK && total > CONFIG_MAX_STEPS)
        rc = config_fail_in(c, key, list, "the phases add up to more than 2^53 steps of "
                            "%.15g ms", c->dt_ms);
    cfg->duration_ms = total * c->dt_ms;
    config_path_pop(c, old);
    return rc;
}
