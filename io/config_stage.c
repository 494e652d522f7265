/* config_stage.c: what a phase sets on the populations,
 *   set: {pc: {b_g: 3}, noise: {rate: 15}}
 *   drive: {noise: {pattern: slow_oscillation, up_ms: 800, down_ms: 250}}
 *   drive: {noise: {pattern: theta, freq_hz: 7, depth: 1}}
 * set takes any parameter of the population's model, checked as in
 * populations:, but those fixed at build time (place_cells' field_fraction
 * and directional); unset ones keep their value there. drive takes a Poisson
 * population and modulates its rate (replay/drive.h). */
#include <math.h>
#include <string.h>

#include "config_fields.h"

typedef int (*pop_entry_fn)(config_ctx *c, const yamltree_pair *pr, size_t p,
                            const hs_config *cfg, hs_phase_config *ph);

/* fn on every entry of map (population name -> its settings), with the
 * path at key.<name>. */
static int per_pop(config_ctx *c, const char *key, const yamltree_node *map,
                   const hs_config *cfg, hs_phase_config *ph, pop_entry_fn fn)
{
    size_t old = config_path_push(c, key);
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < yamltree_len(map); i++) {
        const yamltree_pair *pr = &map->pairs[i];
        size_t inner = config_path_push(c, pr->key->str);
        int p = config_pop_named(c, pr->key, pr->key->str, cfg);
        rc = p < 0 ? HS_EINPUT : fn(c, pr, (size_t)p, cfg, ph);
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

static int one_set_read(config_ctx *c, const yamltree_pair *pr, size_t p, const hs_config *cfg,
                        hs_phase_config *ph)
{
    const neuron_type *t = cfg->pops[p].model;
    double *out = ph->pop_params + p * HS_MAX_PARAMS;
    config_field f[HS_MAX_PARAMS];
    for (size_t k = 0; k < t->n_params; k++)
        f[k] = (config_field){.key = t->params[k].name, .kind = CONFIG_NUMBER,
                              .offset = t->params[k].offset,
                              .def = cfg->pops[p].params[t->params[k].offset / sizeof(double)],
                              .min = t->params[k].min, .max = t->params[k].max,
                              .unit = t->params[k].unit};
    char noun[HS_NAME_MAX + 32];
    snprintf(noun, sizeof noun, "parameter of %s", t->name);
    if (!yamltree_is_null(pr->value) && pr->value->kind != YAMLTREE_MAP)
        return config_fail(c, pr->value, "expected a mapping of %s parameters", t->name);
    int rc = config_fields_read(c, f, t->n_params, pr->key, pr->value, out, NULL, noun);
    if (rc != HS_OK)
        return rc;
    /* Place fields are laid out when the population is built. */
    static const char *const fixed[] = {"field_fraction", "directional"};
    for (size_t k = 0; strcmp(t->name, "place_cells") == 0 && k < 2; k++) {
        const yamltree_node *v = yamltree_get(pr->value, fixed[k]);
        if (v) {
            size_t old = config_path_push(c, fixed[k]);
            rc = config_fail(c, v, "%s is fixed when the population is built; a phase "
                             "cannot change it", fixed[k]);
            config_path_pop(c, old);
            return rc;
        }
    }
    return config_plan_check(c, pr->key, pr->value, t, out, NULL);
}

int config_phase_set_read(config_ctx *c, const yamltree_node *map, const hs_config *cfg,
                          hs_phase_config *ph)
{
    return per_pop(c, "set", map, cfg, ph, one_set_read);
}

static const char *const patterns[] = {"slow_oscillation", "theta"};

enum { DR_PATTERN, DR_A, DR_B, DR_C, N_DRIVE_FIELDS };

/* Per pattern: the key pattern, then its own. Defaults: a ~0.9 Hz slow
 * oscillation (Steriade 1993; SCIENCE.md 0.5-1 Hz, down 0.1-0.5 s) and
 * 7 Hz theta, fully modulated. */
static const config_field so_fields[N_DRIVE_FIELDS] = {
    {.key = "pattern", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "up_ms", .kind = CONFIG_NUMBER, .offset = offsetof(drive_params, up_ms),
     .def = 800, .min = 100, .max = 1e6, .unit = "ms"},
    {.key = "down_ms", .kind = CONFIG_NUMBER, .offset = offsetof(drive_params, down_ms),
     .def = 250, .min = 100, .max = 500, .unit = "ms"},
    {.key = "down_level", .kind = CONFIG_NUMBER,
     .offset = offsetof(drive_params, down_level), .def = 0, .min = 0, .max = 1, .unit = ""},
};

static const config_field theta_fields[N_DRIVE_FIELDS - 1] = {
    {.key = "pattern", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "freq_hz", .kind = CONFIG_NUMBER, .offset = offsetof(drive_params, freq_hz),
     .def = 7, .min = 0, .max = 100, .min_open = 1, .unit = "Hz"},
    {.key = "depth", .kind = CONFIG_NUMBER, .offset = offsetof(drive_params, depth),
     .def = 1, .min = 0, .max = 1, .unit = ""},
};

static int one_drive_read(config_ctx *c, const yamltree_pair *pr, size_t p,
                          const hs_config *cfg, hs_phase_config *ph)
{
    const yamltree_node *key = pr->key, *map = pr->value;
    const hs_pop_config *pop = &cfg->pops[p];
    drive_params *d = &ph->drive[p];
    if (strcmp(pop->model->name, "poisson") != 0)
        return config_fail(c, key, "only poisson populations take a drive, not %s (%s)",
                           pop->name, pop->model->name);
    if (yamltree_is_null(map) || map->kind != YAMLTREE_MAP)
        return config_fail(c, yamltree_is_null(map) ? key : map,
                           "expected a mapping with a pattern (slow_oscillation or theta)");
    const yamltree_node *pat = yamltree_get(map, "pattern");
    const char *name = NULL;
    size_t k = 0;
    int rc = HS_OK;
    if (pat) {
        size_t old = config_path_push(c, "pattern");
        rc = config_string_read(c, pat, &name);
        while (rc == HS_OK && k < 2 && strcmp(name, patterns[k]) != 0)
            k++;
        if (rc == HS_OK && k == 2)
            rc = config_fail(c, pat, "unknown pattern '%.40s'; patterns: slow_oscillation, "
                             "theta", name);
        config_path_pop(c, old);
        if (rc != HS_OK)
            return rc;
    }
    *d = (drive_params){.kind = k == 0 ? DRIVE_SLOW_OSCILLATION : DRIVE_THETA};
    return k == 0 ? config_fields_read(c, so_fields, N_DRIVE_FIELDS, key, map, d, NULL, NULL)
                  : config_fields_read(c, theta_fields, N_DRIVE_FIELDS - 1, key, map, d,
                                       NULL, NULL);
}

int config_phase_drive_read(config_ctx *c, const yamltree_node *map, const hs_config *cfg,
                            hs_phase_config *ph)
{
    return per_pop(c, "drive", map, cfg, ph, one_drive_read);
}
