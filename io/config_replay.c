/* config_replay.c: the replay section, replay detection at the end of the
 * run (hs_replay_config):
 *   replay:
 *     population: pc       the excitatory population analysed (required)
 *     n_perm: 1000         rank-order permutations
 *     n_shuffle: 500       decoding shuffles of each kind
 *     bin_cm: 2.5          position bin
 *     tbin_ms: 15          decoding time bin
 *     alpha: 0.05          rank-order significance level
 *     template_bin_ms: 500 REM template bin (replay/template.h), >= 50 ms: the
 *                          scan's cost grows as the inverse square of the bin
 *     template_shuffles: 200  cell-identity shuffles per time-scale factor
 * Read after the recording and the schedule: the population must be
 * recorded (its spikes are what is analysed and what the events point
 * into), and the task must be a linear track (its length gives the
 * position bins). */
#include <stdio.h>
#include <string.h>

#include "config_fields.h"

enum {
    RP_POPULATION, RP_N_PERM, RP_N_SHUFFLE, RP_BIN, RP_TBIN, RP_ALPHA, RP_TMPL_BIN,
    RP_TMPL_SHUFFLES, RP_FIELDS_FROM, N_RP
};

/* The minima are SCIENCE.md's ("Replay detection"): >= 1000 permutations,
 * >= 500 shuffles of each kind; the template's 180 shuffles are 20 x its 9
 * time-scale factors, so that the Bonferroni-corrected p of the best factor
 * can fall below 0.05 (replay/template.h). */
static const config_field replay_fields[N_RP] = {
    {.key = "population", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "n_perm", .kind = CONFIG_INT, .offset = offsetof(hs_replay_config, n_perm),
     .def = 1000, .imin = 1000, .imax = 10000000, .unit = ""},
    {.key = "n_shuffle", .kind = CONFIG_INT, .offset = offsetof(hs_replay_config, n_shuffle),
     .def = 500, .imin = 500, .imax = 1000000, .unit = ""},
    {.key = "bin_cm", .kind = CONFIG_NUMBER, .offset = offsetof(hs_replay_config, bin_cm),
     .def = 2.5, .min = 0, .max = 1e6, .min_open = 1, .unit = "cm"},
    {.key = "tbin_ms", .kind = CONFIG_NUMBER, .offset = offsetof(hs_replay_config, tbin_ms),
     .def = 15, .min = 0, .max = 1000, .min_open = 1, .unit = "ms"},
    {.key = "alpha", .kind = CONFIG_NUMBER, .offset = offsetof(hs_replay_config, alpha),
     .def = 0.05, .min = 0, .max = 0.5, .min_open = 1, .unit = ""},
    {.key = "template_bin_ms", .kind = CONFIG_NUMBER,
     .offset = offsetof(hs_replay_config, template_bin_ms), .def = 500, .min = 50,
     .max = 10000, .unit = "ms"},
    {.key = "template_shuffles", .kind = CONFIG_INT,
     .offset = offsetof(hs_replay_config, template_shuffles), .def = 200, .imin = 180,
     .imax = 1000000, .unit = ""},
    {.key = "fields_from", .kind = CONFIG_LIST, .offset = CONFIG_NO_OFFSET},
};

/* The place fields come from the rat's runs on a linear track. */
static int task_check(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                      const hs_config *cfg)
{
    const hs_task_config *t = &cfg->task;
    if (!t->present)
        return config_fail_in(c, key ? key : map, map,
                              "replay detection needs a task (a linear track): the place "
                              "fields come from the rat's runs on it");
    if (t->kind != TRACK_LINEAR)
        return config_fail_in(c, key ? key : map, map,
                              "replay detection needs a linear track, not task.track %s",
                              track_kind_names[t->kind]);
    return HS_OK;
}

static int population_read(config_ctx *c, const yamltree_node *n, hs_config *cfg)
{
    const char *name;
    size_t old = config_path_push(c, "population");
    int rc = config_string_read(c, n, &name);
    int p = rc == HS_OK ? config_pop_named(c, n, name, cfg) : -1;
    if (rc == HS_OK && p < 0)
        rc = HS_EINPUT;
    if (rc == HS_OK && !cfg->pops[p].record_spikes)
        rc = config_fail(c, n, "the spikes of %s are not recorded; add it to "
                         "recording.spikes", cfg->pops[p].name);
    if (rc == HS_OK)
        cfg->replay.pop = (size_t)p;
    config_path_pop(c, old);
    return rc;
}

/* The wake phases on this track; every other wake phase is elsewhere. */
static int fields_from_read(config_ctx *c, const yamltree_node *list, hs_config *cfg)
{
    size_t old = config_path_push(c, "fields_from");
    int rc = HS_OK;
    if (yamltree_len(list) == 0)
        rc = config_fail(c, list, "names no phase; list the wake phases on the track");
    for (size_t k = 0; k < cfg->n_phases; k++)
        cfg->phases[k].elsewhere = strcmp(cfg->phases[k].stage, "wake") == 0;
    for (size_t i = 0; rc == HS_OK && i < yamltree_len(list); i++) {
        size_t at = config_path_push_index(c, i);
        const char *name;
        rc = config_string_read(c, list->items[i], &name);
        size_t k = 0;
        while (rc == HS_OK && k < cfg->n_phases && strcmp(cfg->phases[k].name, name) != 0)
            k++;
        if (rc == HS_OK && k == cfg->n_phases) {
            const char *wake[64];
            char buf[1024];
            size_t n_wake = 0;
            for (size_t j = 0; j < cfg->n_phases && n_wake < 64; j++)
                if (strcmp(cfg->phases[j].stage, "wake") == 0)
                    wake[n_wake++] = cfg->phases[j].name;
            rc = config_fail(c, list->items[i], "no phase is named '%s'; wake phases: %s",
                             name, n_wake ? config_names_join(wake, n_wake, buf, sizeof buf)
                                          : "none");
        }
        else if (rc == HS_OK && strcmp(cfg->phases[k].stage, "wake") != 0)
            rc = config_fail(c, list->items[i], "phase %s is a %s phase, not wake: the "
                             "fields come from running", name, cfg->phases[k].stage);
        else if (rc == HS_OK && !cfg->phases[k].elsewhere)
            rc = config_fail(c, list->items[i], "%s is listed twice", name);
        if (rc == HS_OK)
            cfg->phases[k].elsewhere = 0;
        config_path_pop(c, at);
    }
    config_path_pop(c, old);
    return rc;
}

/* A position bin longer than the track leaves nothing to decode. */
static int bin_check(config_ctx *c, const yamltree_node *n, const hs_config *cfg)
{
    double length = cfg->task.linear.length_cm;
    if (cfg->replay.bin_cm <= length)
        return HS_OK;
    size_t old = config_path_push(c, "bin_cm");
    int rc = config_fail(c, n, "%.15g cm is longer than the track (task.length_cm = %.15g cm)",
                         cfg->replay.bin_cm, length);
    config_path_pop(c, old);
    return rc;
}

int config_replay_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                       hs_config *cfg)
{
    hs_replay_config *r = &cfg->replay;
    const yamltree_node *nodes[N_RP];
    size_t old = config_path_push(c, "replay");
    int rc = config_fields_read(c, replay_fields, N_RP, key, map, r, nodes, NULL);
    if (rc == HS_OK)
        rc = task_check(c, key, map, cfg);
    if (rc == HS_OK)
        rc = population_read(c, nodes[RP_POPULATION], cfg);
    if (rc == HS_OK && nodes[RP_BIN])
        rc = bin_check(c, nodes[RP_BIN], cfg);
    if (rc == HS_OK && nodes[RP_FIELDS_FROM])
        rc = fields_from_read(c, nodes[RP_FIELDS_FROM], cfg);
    config_path_pop(c, old);
    if (rc != HS_OK)
        return rc;
    r->present = 1;
    r->loc = key ? (hs_loc){key->line, key->col} : (hs_loc){map->line, map->col};
    return HS_OK;
}
