/* config_schedule.c: the schedule, phases run in order,
 *   schedule:
 *     - {name: learn, stage: wake, duration_ms: 2000}
 *     - {name: sleep, stage: nrem, duration_ms: 5000, gains: {ee: {stdp: 0}}}
 *     - {repeat: 4, phases: [{name: nrem, ...}, {name: rem, ...}]}
 * or, without one, the single phase {name: run, stage: wake} of
 * simulation.duration_ms. A gain scales a rule's learning rate in a phase:
 * gains maps a projection to {stdp: g, <homeostasis rule>: g, ...,
 * transmission: g}; absent gains are 1. set and drive: config_stage.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"

enum { PHASE_NAME, PHASE_STAGE, PHASE_DURATION, PHASE_GAINS, PHASE_SET, PHASE_DRIVE,
       PHASE_SHUFFLE, N_PHASE };

static const config_field phase_fields[N_PHASE] = {
    {.key = "name", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "stage", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "duration_ms", .kind = CONFIG_NUMBER, .required = 1,
     .offset = offsetof(hs_phase_config, duration_ms), .min = 0, .max = 1e12, .min_open = 1,
     .unit = "ms"},
    {.key = "gains", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "set", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "drive", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "shuffle", .kind = CONFIG_LIST, .offset = CONFIG_NO_OFFSET},
};

enum { REPEAT_N, REPEAT_PHASES, N_REPEAT };

static const config_field repeat_fields[N_REPEAT] = {
    {.key = "repeat", .kind = CONFIG_INT, .required = 1, .offset = CONFIG_NO_OFFSET,
     .imin = 1, .imax = 100000, .unit = ""},
    {.key = "phases", .kind = CONFIG_LIST, .required = 1, .offset = CONFIG_NO_OFFSET},
};

static const char *const stages[] = {"wake", "rest", "nrem", "rem"};

#define N_STAGES (sizeof stages / sizeof stages[0])

/* The phase's arrays: every gain 1, each population's own parameters, no
 * drive (at least one slot each, so they are never NULL). */
static int gains_alloc(config_ctx *c, const hs_config *cfg, hs_phase_config *ph)
{
    size_t n = cfg->n_projs ? cfg->n_projs : 1, np = cfg->n_pops ? cfg->n_pops : 1;
    ph->stdp_gain = malloc(n * sizeof *ph->stdp_gain);
    ph->homeo_gain = malloc(n * HS_MAX_HOMEOSTASIS * sizeof *ph->homeo_gain);
    ph->transmission = malloc(n * sizeof *ph->transmission);
    ph->pop_params = calloc(np * HS_MAX_PARAMS, sizeof *ph->pop_params);
    ph->drive = calloc(np, sizeof *ph->drive);
    ph->shuffle = calloc(n, sizeof *ph->shuffle);
    if (!ph->stdp_gain || !ph->homeo_gain || !ph->transmission || !ph->pop_params ||
        !ph->drive || !ph->shuffle)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for the settings of %zu "
                            "projections", n);
    for (size_t i = 0; i < n; i++)
        ph->stdp_gain[i] = ph->transmission[i] = 1.0;
    for (size_t i = 0; i < n * HS_MAX_HOMEOSTASIS; i++)
        ph->homeo_gain[i] = 1.0;
    for (size_t p = 0; p < cfg->n_pops; p++)
        memcpy(ph->pop_params + p * HS_MAX_PARAMS, cfg->pops[p].params,
               sizeof cfg->pops[p].params);
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

/* The phase's name, with "_<rep>" appended when rep > 0 (a repeat). */
/* The phase names read so far, so each new one is checked for a duplicate
 * in O(1) (a schedule may expand to 10^6 phases): open addressing over
 * indices into cfg->phases. */
typedef struct name_set {
    size_t *slot;                  /* index + 1, 0 when empty */
    size_t mask;                   /* slots - 1, slots a power of two > 2 x phases */
} name_set;

static int name_set_alloc(name_set *ns, size_t n)
{
    size_t slots = 4;
    while (slots < 2 * n)
        slots *= 2;
    ns->slot = calloc(slots, sizeof *ns->slot);
    ns->mask = slots - 1;
    return ns->slot ? HS_OK : HS_ENOMEM;
}

/* The slot holding name, or the empty one where it goes (FNV-1a hash). */
static size_t *name_set_find(const name_set *ns, const hs_config *cfg, const char *name)
{
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    size_t k = (size_t)h & ns->mask;
    while (ns->slot[k] && strcmp(cfg->phases[ns->slot[k] - 1].name, name) != 0)
        k = (k + 1) & ns->mask;
    return &ns->slot[k];
}

static int name_read(config_ctx *c, const yamltree_node *n, const hs_config *cfg, size_t i,
                     size_t rep, name_set *names)
{
    const char *name;
    size_t old = config_path_push(c, "name");
    int rc = config_string_read(c, n, &name);
    if (rc == HS_OK)
        rc = config_name_check(c, n, "phase");
    char full[HS_NAME_MAX];
    if (rc == HS_OK && rep &&
        (size_t)snprintf(full, sizeof full, "%s_%zu", name, rep) >= sizeof full)
        rc = config_fail(c, n, "'%s' is too long to number its repeats: at most %d "
                         "characters with _%zu", name, HS_NAME_MAX - 1, rep);
    else if (rc == HS_OK && !rep)
        snprintf(full, sizeof full, "%s", name);
    size_t *seen = rc == HS_OK ? name_set_find(names, cfg, full) : NULL;
    if (seen && *seen)
        rc = config_fail(c, n, "phase '%s' is already in the schedule (schedule[%zu])",
                         full, *seen - 1);
    if (rc == HS_OK) {
        memcpy(cfg->phases[i].name, full, strlen(full) + 1);
        *seen = i + 1;
    }
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

/* The gains pj takes by name: "stdp" if it is plastic, its homeostasis
 * rules, then "transmission". */
static size_t gain_names(const hs_proj_config *pj, const char **names)
{
    size_t n = 0;
    if (pj->plast.rule)
        names[n++] = "stdp";
    for (size_t k = 0; k < pj->n_homeo; k++)
        names[n++] = pj->homeo[k].rule->name;
    names[n++] = "transmission";
    return n;
}

/* Every key of map names a gain of pj. */
static int gain_keys_check(config_ctx *c, const yamltree_node *map, const hs_proj_config *pj)
{
    const char *names[2 + HS_MAX_HOMEOSTASIS];
    size_t n = gain_names(pj, names);
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
                     : config_fail(c, key, "%s has no rule '%.40s' to take a gain; its "
                                   "gains: %s", pj->name, key->str,
                                   config_names_join(names, n, list, sizeof list));
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
    const char *names[2 + HS_MAX_HOMEOSTASIS];
    size_t n = gain_names(pj, names);
    config_field f[2 + HS_MAX_HOMEOSTASIS];
    double g[2 + HS_MAX_HOMEOSTASIS];
    for (size_t k = 0; k < n; k++)
        f[k] = (config_field){.key = names[k], .kind = CONFIG_NUMBER,
                              .offset = k * sizeof(double), .def = 1, .min = 0,
                              .max = INFINITY, .unit = ""};
    /* Transmission is a weight factor, not a rate: bounded like one. */
    f[n - 1].max = 1e3;
    rc = config_fields_read(c, f, n, key, map, g, NULL, NULL);
    if (rc != HS_OK)
        return rc;
    size_t first = pj->plast.rule ? 1 : 0;
    if (pj->plast.rule)
        ph->stdp_gain[p] = g[0];
    for (size_t k = 0; k < pj->n_homeo; k++)
        ph->homeo_gain[p * HS_MAX_HOMEOSTASIS + k] = g[first + k];
    ph->transmission[p] = g[n - 1];
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

static int shuffle_read(config_ctx *c, const yamltree_node *list, const hs_config *cfg,
                        hs_phase_config *ph)
{
    size_t old = config_path_push(c, "shuffle");
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < yamltree_len(list); i++) {
        size_t at = config_path_push_index(c, i);
        const char *name;
        rc = config_string_read(c, list->items[i], &name);
        int p = rc == HS_OK ? config_proj_named(c, list->items[i], name, cfg) : -1;
        if (rc == HS_OK && p < 0)
            rc = HS_EINPUT;
        else if (rc == HS_OK && ph->shuffle[p])
            rc = config_fail(c, list->items[i], "%s is listed twice", name);
        if (rc == HS_OK)
            ph->shuffle[p] = 1;
        config_path_pop(c, at);
    }
    config_path_pop(c, old);
    return rc;
}

static int phase_read(config_ctx *c, const yamltree_node *item, hs_config *cfg, size_t i,
                      size_t rep, name_set *names, double *steps)
{
    hs_phase_config *ph = &cfg->phases[i];
    const yamltree_node *nodes[N_PHASE];
    int rc = config_fields_read(c, phase_fields, N_PHASE, item, item, ph, nodes, NULL);
    if (rc == HS_OK)
        rc = name_read(c, nodes[PHASE_NAME], cfg, i, rep, names);
    if (rc == HS_OK)
        rc = stage_read(c, nodes[PHASE_STAGE], ph);
    if (rc == HS_OK)
        rc = duration_fix(c, nodes[PHASE_DURATION], ph, steps);
    if (rc == HS_OK)
        rc = gains_alloc(c, cfg, ph);
    if (rc == HS_OK)
        rc = gains_read(c, nodes[PHASE_GAINS], cfg, ph);
    if (rc == HS_OK)
        rc = config_phase_set_read(c, nodes[PHASE_SET], cfg, ph);
    if (rc == HS_OK)
        rc = config_phase_drive_read(c, nodes[PHASE_DRIVE], cfg, ph);
    if (rc == HS_OK)
        rc = shuffle_read(c, nodes[PHASE_SHUFFLE], cfg, ph);
    ph->loc = (hs_loc){item->line, item->col};
    return rc;
}

/* An item {repeat: n, phases: [...]}: *n_rep and *list; else *n_rep = 0. */
static int repeat_read(config_ctx *c, const yamltree_node *item, uint64_t *n_rep,
                       const yamltree_node **list)
{
    *n_rep = 0;
    *list = NULL;
    if (!item || item->kind != YAMLTREE_MAP || !yamltree_get_key(item, "repeat"))
        return HS_OK;
    const yamltree_node *nodes[N_REPEAT];
    uint64_t n = 0;
    int rc = config_fields_read(c, repeat_fields, N_REPEAT, item, item, NULL, nodes, NULL);
    if (rc == HS_OK) {
        size_t old = config_path_push(c, "repeat");
        rc = config_int_read(c, nodes[REPEAT_N], &repeat_fields[REPEAT_N], &n);
        config_path_pop(c, old);
    }
    if (rc == HS_OK && yamltree_len(nodes[REPEAT_PHASES]) == 0) {
        size_t old = config_path_push(c, "phases");
        rc = config_fail_in(c, yamltree_get_key(item, "phases"), nodes[REPEAT_PHASES],
                            "at least one phase is needed");
        config_path_pop(c, old);
    }
    if (rc == HS_OK) {
        *n_rep = n;
        *list = nodes[REPEAT_PHASES];
    }
    return rc;
}

/* Phases the list expands to; checks every repeat item. */
static int schedule_count(config_ctx *c, const yamltree_node *list, size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < yamltree_len(list); i++) {
        uint64_t n_rep;
        const yamltree_node *inner;
        size_t at = config_path_push_index(c, i);
        int rc = repeat_read(c, list->items[i], &n_rep, &inner);
        config_path_pop(c, at);
        if (rc != HS_OK)
            return rc;
        *count += n_rep ? n_rep * yamltree_len(inner) : 1;
        if (*count > 1000000)
            return config_fail(c, list->items[i], "the schedule expands to more than "
                               "10^6 phases");
    }
    return HS_OK;
}

/* Every phase holds every population's parameters and every projection's
 * gains: 10^6 phases of a few hundred populations would be tens of GB. */
#define SETTINGS_MAX_BYTES 1e9

static int settings_size_check(config_ctx *c, const yamltree_node *key,
                               const yamltree_node *list, const hs_config *cfg, size_t count)
{
    double per = sizeof(hs_phase_config) +
                 (double)cfg->n_pops * (HS_MAX_PARAMS * sizeof(double) + sizeof(drive_params)) +
                 (double)cfg->n_projs * ((2 + HS_MAX_HOMEOSTASIS) * sizeof(double) + 1);
    if ((double)count * per <= SETTINGS_MAX_BYTES)
        return HS_OK;
    return config_fail_in(c, key, list, "%zu phases of %zu populations and %zu projections "
                          "hold %.3g GB of settings, more than %.0f GB", count, cfg->n_pops,
                          cfg->n_projs, (double)count * per * 1e-9, SETTINGS_MAX_BYTES * 1e-9);
}

int config_schedule_read(config_ctx *c, const yamltree_node *key, const yamltree_node *list,
                         hs_config *cfg)
{
    if (!list)
        return default_phase(c, cfg);
    size_t n = yamltree_len(list), count = 0;
    size_t old = config_path_push(c, "schedule");
    int rc = n == 0 ? config_fail_in(c, key, list, "at least one phase is needed")
                    : schedule_count(c, list, &count);
    if (rc != HS_OK) {
        config_path_pop(c, old);
        return rc;
    }
    rc = settings_size_check(c, key, list, cfg, count);
    if (rc != HS_OK) {
        config_path_pop(c, old);
        return rc;
    }
    name_set names;
    cfg->phases = calloc(count, sizeof *cfg->phases);
    if (!cfg->phases || name_set_alloc(&names, count) != HS_OK) {
        config_path_pop(c, old);
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu phases", count);
    }
    double total = 0;
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        size_t at = config_path_push_index(c, i);
        uint64_t n_rep;
        const yamltree_node *inner;
        rc = repeat_read(c, list->items[i], &n_rep, &inner);
        for (uint64_t r = 0; rc == HS_OK && r < (n_rep ? n_rep : 1); r++)
            for (size_t j = 0; rc == HS_OK && j < (n_rep ? yamltree_len(inner) : 1); j++) {
                size_t in = n_rep ? config_path_push(c, "phases") : c->path_len;
                size_t at2 = n_rep ? config_path_push_index(c, j) : c->path_len;
                double steps = 0;
                /* counted first, so experiment_free frees partial gains */
                size_t k = cfg->n_phases++;
                rc = phase_read(c, n_rep ? inner->items[j] : list->items[i], cfg, k,
                                n_rep ? r + 1 : 0, &names, &steps);
                total += steps;
                config_path_pop(c, at2);
                config_path_pop(c, in);
            }
        config_path_pop(c, at);
    }
    free(names.slot);
    if (rc == HS_OK && total > CONFIG_MAX_STEPS)
        rc = config_fail_in(c, key, list, "the phases add up to more than 2^53 steps of "
                            "%.15g ms", c->dt_ms);
    cfg->duration_ms = total * c->dt_ms;
    config_path_pop(c, old);
    return rc;
}
