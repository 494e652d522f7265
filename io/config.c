/* config.c: the experiment file -> hs_config: file, overrides, simulation,
 * populations. The schema is in config.h; projections are in config_net.c
 * (their learning rules in config_plast.c), recording in config_recording.c,
 * the schedule in config_schedule.c, spike data in config_spikes.c, the
 * task in config_task.c, replay detection in config_replay.c. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"

enum {
    ROOT_SIMULATION, ROOT_POPULATIONS, ROOT_PROJECTIONS, ROOT_RECORDING, ROOT_SCHEDULE,
    ROOT_TASK, ROOT_REPLAY, N_ROOT
};

static const config_field root_fields[N_ROOT] = {
    {.key = "simulation", .kind = CONFIG_MAP, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "populations", .kind = CONFIG_MAP, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "projections", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "recording", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "schedule", .kind = CONFIG_LIST, .offset = CONFIG_NO_OFFSET},
    {.key = "task", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "replay", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

typedef struct sim_values {
    double dt_ms, duration_ms;
    uint64_t seed, threads;
    int skip_quiet;
    double max_rate_hz, max_rate_window_ms;
} sim_values;

static const config_field sim_fields[] = {
    {.key = "dt_ms", .kind = CONFIG_NUMBER, .offset = offsetof(sim_values, dt_ms),
     .def = 0.1, .min = 0, .max = 10, .min_open = 1, .unit = "ms"},
    /* Required unless there is a schedule (sim_read checks). */
    {.key = "duration_ms", .kind = CONFIG_NUMBER, .offset = offsetof(sim_values, duration_ms),
     .def = NAN, .min = 0, .max = 1e12, .min_open = 1, .unit = "ms"},
    {.key = "seed", .kind = CONFIG_INT, .offset = offsetof(sim_values, seed), .def = 1,
     .imin = 0, .imax = INT64_MAX, .unit = ""},
    {.key = "threads", .kind = CONFIG_INT, .offset = offsetof(sim_values, threads),
     .def = 1, .imin = 1, .imax = 1024, .unit = ""},
    {.key = "skip_quiet", .kind = CONFIG_BOOL, .offset = offsetof(sim_values, skip_quiet),
     .def = 1, .unit = ""},
    /* A population's mean rate above this over a window stops the run
     * (runaway excitation); 0: never. */
    {.key = "max_rate_hz", .kind = CONFIG_NUMBER, .offset = offsetof(sim_values, max_rate_hz),
     .def = 1000, .min = 0, .max = 1e6, .unit = "Hz"},
    {.key = "max_rate_window_ms", .kind = CONFIG_NUMBER,
     .offset = offsetof(sim_values, max_rate_window_ms), .def = 1000, .min = 0, .max = 1e9,
     .min_open = 1, .unit = "ms"},
};

enum { POP_MODEL, POP_SIZE, POP_PARAMS, POP_INIT, POP_SPIKES, N_POP };

static const config_field pop_fields[N_POP] = {
    {.key = "model", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "size", .kind = CONFIG_INT, .required = 1, .offset = offsetof(hs_pop_config, size),
     .imin = 1, .imax = UINT32_MAX, .unit = ""},
    {.key = "params", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "init", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
    {.key = "spikes", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

/* ---- simulation ---- */

/* The run is a whole number of steps; anything shorter than one is a typo. */
static int duration_check(config_ctx *c, const yamltree_node *dur, double *ms)
{
    double steps = round(*ms / c->dt_ms);
    size_t old = config_path_push(c, "duration_ms");
    int rc = HS_OK;
    if (steps < 1)
        rc = config_fail(c, dur, "%.15g ms is shorter than one step (dt_ms = %.15g ms)", *ms,
                         c->dt_ms);
    else if (steps > CONFIG_MAX_STEPS)
        rc = config_fail(c, dur, "%.15g ms is more than 2^53 steps of %.15g ms", *ms,
                         c->dt_ms);
    config_path_pop(c, old);
    *ms = steps * c->dt_ms;
    return rc;
}

/* scheduled: there is a schedule, so duration_ms is not needed (nor
 * allowed, which root_read checks first). */
static int sim_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                    int scheduled, hs_config *cfg)
{
    sim_values v;
    size_t old = config_path_push(c, "simulation");
    int rc = config_fields_read(c, sim_fields, sizeof sim_fields / sizeof sim_fields[0],
                                key, map, &v, NULL, NULL);
    const yamltree_node *dur = yamltree_get(map, "duration_ms");
    if (rc == HS_OK && !dur && !scheduled)
        rc = config_fail_in(c, key ? key : map, map, "missing required key 'duration_ms'");
    if (rc != HS_OK) {
        config_path_pop(c, old);
        return rc;
    }
    c->dt_ms = v.dt_ms;
    if (dur)
        rc = duration_check(c, dur, &v.duration_ms);
    config_path_pop(c, old);
    cfg->dt_ms = v.dt_ms;
    cfg->duration_ms = dur ? v.duration_ms : 0;     /* with a schedule: the phases' sum */
    cfg->seed = v.seed;
    cfg->threads = (int)v.threads;
    cfg->skip_quiet = v.skip_quiet;
    cfg->max_rate_hz = v.max_rate_hz;
    cfg->max_rate_window_ms = v.max_rate_window_ms;
    return rc;
}

/* The run's length comes from simulation.duration_ms or from the schedule,
 * never both. */
static int duration_source_check(config_ctx *c, const yamltree_node *root)
{
    const yamltree_node *sched = yamltree_get_key(root, "schedule");
    const yamltree_node *dur = yamltree_get(yamltree_get(root, "simulation"), "duration_ms");
    if (!sched || !dur)
        return HS_OK;
    size_t old = config_path_push(c, "schedule");
    int rc = config_fail_in(c, sched, dur, "give either simulation.duration_ms or a schedule");
    config_path_pop(c, old);
    return rc;
}

/* ---- populations ---- */

/* Place cells fire where the rat is, so they need a task (read before the
 * populations). */
static int task_need_check(config_ctx *c, const yamltree_node *n, const hs_pop_config *p,
                           const hs_config *cfg)
{
    if (strcmp(p->model->name, "place_cells") != 0 || cfg->task.present)
        return HS_OK;
    size_t old = config_path_push(c, "model");
    int rc = config_fail(c, n, "place_cells need a task: the rat's trajectory drives them");
    config_path_pop(c, old);
    return rc;
}

static int model_read(config_ctx *c, const yamltree_node *n, hs_pop_config *p)
{
    const char *name;
    size_t old = config_path_push(c, "model");
    int rc = config_string_read(c, n, &name);
    if (rc == HS_OK) {
        p->model = neuron_type_find(name);
        if (!p->model) {
            const char *names[32];
            char list[512];
            size_t k = 0;
            for (; neuron_types[k] && k < 32; k++)
                names[k] = neuron_types[k]->name;
            rc = config_fail(c, n, "unknown model '%.40s'; known models: %s", name,
                             config_names_join(names, k, list, sizeof list));
        }
    }
    config_path_pop(c, old);
    return rc;
}

int config_plan_check(config_ctx *c, const yamltree_node *at, const yamltree_node *subtree,
                      const neuron_type *t, const double *params, const char *key)
{
    void *plan = calloc(1, t->plan_size ? t->plan_size : 1);
    if (!plan)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory checking %s", t->name);
    hs_error perr;
    hs_error_clear(&perr);
    int rc = t->plan_init ? t->plan_init(plan, params, c->dt_ms, &perr) : HS_OK;
    free(plan);
    if (rc == HS_OK)
        return HS_OK;
    size_t old = key ? config_path_push(c, key) : c->path_len;
    rc = config_fail_in(c, at, subtree, "%s", perr.msg[0] ? perr.msg : "invalid parameters");
    config_path_pop(c, old);
    return rc;
}

static int params_read(config_ctx *c, const yamltree_node *pop_key,
                       const yamltree_node *pop, hs_pop_config *p)
{
    const neuron_type *t = p->model;
    const yamltree_node *key = yamltree_get_key(pop, "params");
    int rc = config_params_read(c, t->params, t->n_params, t->params_size, t->name, key,
                                yamltree_get(pop, "params"), p->params);
    if (rc != HS_OK)
        return rc;
    return config_plan_check(c, key ? key : pop_key, yamltree_get(pop, "params"), t,
                             p->params, "params");
}

static int init_read(config_ctx *c, const yamltree_node *map, hs_pop_config *p)
{
    const neuron_type *t = p->model;
    if (!yamltree_get(map, "init"))
        return HS_OK;
    if (t->n_state > NEURON_MAX_STATE)
        return hs_error_set(c->err, HS_EINTERNAL, "model %s has too many state variables",
                            t->name);
    config_field f[NEURON_MAX_STATE];
    const yamltree_node *nodes[NEURON_MAX_STATE];
    for (size_t i = 0; i < t->n_state; i++)
        f[i] = (config_field){.key = t->state_names[i], .kind = CONFIG_DIST,
                              .offset = i * sizeof(hs_dist), .unit = t->state_units[i]};
    char noun[HS_NAME_MAX + 32];
    snprintf(noun, sizeof noun, "state variable of %s", t->name);
    size_t old = config_path_push(c, "init");
    int rc = config_fields_read(c, f, t->n_state, yamltree_get_key(map, "init"),
                                yamltree_get(map, "init"), p->init, nodes, noun);
    config_path_pop(c, old);
    for (size_t i = 0; rc == HS_OK && i < t->n_state; i++)
        p->has_init[i] = nodes[i] != NULL;
    return rc;
}

static int spikes_read(config_ctx *c, const yamltree_node *pop_key,
                       const yamltree_node *pop, hs_pop_config *p)
{
    const yamltree_node *spikes = yamltree_get(pop, "spikes");
    int wants = strcmp(p->model->name, "spike_times") == 0;
    if (wants && !spikes)
        return config_fail(c, pop_key, "missing required key 'spikes' (a spike_times "
                                       "population needs its spike times)");
    if (!spikes)
        return HS_OK;
    size_t old = config_path_push(c, "spikes");
    int rc = wants ? config_spikes_read(c, yamltree_get_key(pop, "spikes"), spikes, p)
                   : config_fail(c, yamltree_get_key(pop, "spikes"),
                                 "only spike_times populations take spikes, not %s",
                                 p->model->name);
    config_path_pop(c, old);
    return rc;
}

static int pop_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                    const hs_config *cfg, hs_pop_config *p)
{
    const yamltree_node *nodes[N_POP];
    int rc = config_name_check(c, key, "population");
    if (rc == HS_OK)
        rc = config_fields_read(c, pop_fields, N_POP, key, map, p, nodes, NULL);
    if (rc != HS_OK)
        return rc;
    memcpy(p->name, key->str, key->len + 1);
    p->loc = (hs_loc){key->line, key->col};
    rc = model_read(c, nodes[POP_MODEL], p);
    if (rc == HS_OK)
        rc = task_need_check(c, nodes[POP_MODEL], p, cfg);
    if (rc == HS_OK)
        rc = params_read(c, key, map, p);
    if (rc == HS_OK)
        rc = init_read(c, map, p);
    if (rc == HS_OK)
        rc = spikes_read(c, key, map, p);
    return rc;
}

static int pops_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                     hs_config *cfg)
{
    size_t n = yamltree_len(map);
    size_t old = config_path_push(c, "populations");
    if (n == 0) {
        int rc = config_fail_in(c, key, map, "at least one population is needed");
        config_path_pop(c, old);
        return rc;
    }
    cfg->pops = calloc(n, sizeof *cfg->pops);
    if (!cfg->pops)
        return hs_error_set(c->err, HS_ENOMEM, "out of memory for %zu populations", n);
    int rc = HS_OK;
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        const yamltree_pair *pr = &map->pairs[i];
        size_t inner = config_path_push(c, pr->key->str);
        cfg->n_pops++;     /* counted first, so experiment_free sees partial spike data */
        rc = pop_read(c, pr->key, pr->value, cfg, &cfg->pops[i]);
        config_path_pop(c, inner);
    }
    config_path_pop(c, old);
    return rc;
}

/* ---- the file ---- */

static int file_read(const char *path, char **text, size_t *len, hs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_error_set(err, HS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? HS_OK : HS_ENOMEM;
    while (rc == HS_OK) {
        if (n + 1 == cap) {
            char *bigger = cap < SIZE_MAX / 2 ? realloc(buf, 2 * cap) : NULL;
            if (!bigger) {
                rc = HS_ENOMEM;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (rc == HS_OK && ferror(f))
        rc = hs_error_set(err, HS_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    else if (rc == HS_ENOMEM)
        hs_error_set(err, HS_ENOMEM, "%s: out of memory reading the file", path);
    fclose(f);
    if (rc != HS_OK) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return HS_OK;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static char *overrides_join(const char *const *sets, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(sets[i]) + 1;
    char *s = malloc(len), *end = s;
    for (size_t i = 0; s && i < n; i++) {
        size_t k = strlen(sets[i]);
        memcpy(end, sets[i], k);
        end += k;
        if (i + 1 < n)
            *end++ = '\n';
    }
    if (s)
        *end = '\0';
    return s;
}

static int root_read(config_ctx *c, const yamltree_node *root, hs_config *cfg)
{
    const yamltree_node *nodes[N_ROOT];
    int rc = config_fields_read(c, root_fields, N_ROOT, NULL, root, NULL, nodes, NULL);
    if (rc == HS_OK)
        rc = duration_source_check(c, root);
    if (rc == HS_OK)
        rc = sim_read(c, yamltree_get_key(root, "simulation"), nodes[ROOT_SIMULATION],
                      nodes[ROOT_SCHEDULE] != NULL, cfg);
    /* Before the populations, whatever the order in the file: place cells
     * need it. */
    if (rc == HS_OK && nodes[ROOT_TASK])
        rc = config_task_read(c, yamltree_get_key(root, "task"), nodes[ROOT_TASK], cfg);
    if (rc == HS_OK)
        rc = pops_read(c, yamltree_get_key(root, "populations"), nodes[ROOT_POPULATIONS],
                       cfg);
    if (rc == HS_OK)
        rc = config_projs_read(c, yamltree_get_key(root, "projections"),
                               nodes[ROOT_PROJECTIONS], cfg);
    if (rc == HS_OK)
        rc = config_recording_read(c, nodes[ROOT_RECORDING], cfg);
    /* After the projections, whatever the order in the file: gains name them. */
    if (rc == HS_OK)
        rc = config_schedule_read(c, yamltree_get_key(root, "schedule"),
                                  nodes[ROOT_SCHEDULE], cfg);
    /* Last: it names a recorded population and needs the task. */
    if (rc == HS_OK && nodes[ROOT_REPLAY])
        rc = config_replay_read(c, yamltree_get_key(root, "replay"), nodes[ROOT_REPLAY], cfg);
    return rc;
}

/* Parses, applies the overrides, reads. */
static int tree_read(hs_config *cfg, size_t len, const char *const *sets, size_t n_sets,
                     hs_error *err)
{
    yamltree_node *root = yamltree_parse(cfg->text, len, cfg->path, err);
    if (!root)
        return err ? err->code : HS_EINPUT;
    config_ctx c = {.file = cfg->path, .dir = NULL, .err = err};
    int rc = HS_OK;
    if (root->kind != YAMLTREE_MAP)
        rc = config_fail(&c, root, "the top level must be a mapping with simulation and "
                                   "populations");
    for (size_t i = 0; rc == HS_OK && i < n_sets; i++)
        rc = yamltree_set(root, sets[i], err);
    char *dir = rc == HS_OK ? dir_of(cfg->path) : NULL;
    if (rc == HS_OK && !dir)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    c.dir = dir;
    if (rc == HS_OK)
        rc = root_read(&c, root, cfg);
    free(dir);
    yamltree_free(root);
    return rc;
}

hs_config *config_load_text(const char *path, const char *text, size_t len,
                            const char *const *sets, size_t n_sets, hs_error *err)
{
    hs_error local;
    hs_error_clear(&local);
    hs_config *cfg = calloc(1, sizeof *cfg);
    int rc = cfg ? HS_OK : hs_error_set(&local, HS_ENOMEM, "out of memory");
    if (rc == HS_OK) {
        cfg->path = strdup(path);
        cfg->overrides = n_sets ? overrides_join(sets, n_sets) : NULL;
        cfg->text = malloc(len + 1);
        if (!cfg->path || (n_sets && !cfg->overrides) || !cfg->text)
            rc = hs_error_set(&local, HS_ENOMEM, "%s: out of memory", path);
    }
    if (rc == HS_OK) {
        memcpy(cfg->text, text, len);
        cfg->text[len] = '\0';
        rc = tree_read(cfg, len, sets, n_sets, &local);
    }
    if (rc != HS_OK) {
        experiment_free(cfg);
        hs_error_set(err, rc, "%s", local.msg);
        return NULL;
    }
    return cfg;
}

hs_config *config_load(const char *path, const char *const *sets, size_t n_sets,
                       hs_error *err)
{
    hs_error local;
    hs_error_clear(&local);
    char *text = NULL;
    size_t len = 0;
    if (file_read(path, &text, &len, &local) != HS_OK) {
        hs_error_set(err, local.code, "%s", local.msg);
        return NULL;
    }
    hs_config *cfg = config_load_text(path, text, len, sets, n_sets, err);
    free(text);
    return cfg;
}
