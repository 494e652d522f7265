/* config_task.c: the task section, where the rat runs (hs_task_config):
 *   task:
 *     track: linear
 *     length_cm: 200
 *     laps: 20
 *     ...                      (the fields of track_linear_params)
 *     trajectory: {csv: rat.csv}
 * The defaults are track_linear_params_default's (sim/track.h); a tracked
 * trajectory is read with trajectory_read_csv (io/trajectory.h) from a
 * path relative to the YAML's directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"
#include "trajectory.h"

enum {
    TASK_TRACK, TASK_LENGTH, TASK_LAPS, TASK_SPEED, TASK_SPEED_SD, TASK_RAMP, TASK_PAUSE,
    TASK_ONE_WAY, TASK_REVERSE, TASK_TRAJECTORY, N_TASK
};

/* What the table reads into: one_way is a boolean in the file but a double
 * (0 or 1) in track_linear_params. */
typedef struct task_values {
    track_linear_params linear;
    int one_way, reverse;
} task_values;

#define LINEAR(field) offsetof(task_values, linear.field)

/* Ranges only; task_fields_make fills in the defaults. laps must also be
 * whole and ramp_cm at most half of length_cm (task_relations_check). */
static const config_field task_fields[N_TASK] = {
    {.key = "track", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
    {.key = "length_cm", .kind = CONFIG_NUMBER, .offset = LINEAR(length_cm), .min = 0,
     .max = 1e6, .min_open = 1, .unit = "cm"},
    {.key = "laps", .kind = CONFIG_NUMBER, .offset = LINEAR(laps), .min = 1, .max = 1e6,
     .unit = ""},
    {.key = "speed_cm_s", .kind = CONFIG_NUMBER, .offset = LINEAR(speed_cm_s), .min = 0,
     .max = 1e3, .min_open = 1, .unit = "cm/s"},
    {.key = "speed_sd_cm_s", .kind = CONFIG_NUMBER, .offset = LINEAR(speed_sd_cm_s),
     .min = 0, .max = 1e3, .unit = "cm/s"},
    {.key = "ramp_cm", .kind = CONFIG_NUMBER, .offset = LINEAR(ramp_cm), .min = 0,
     .max = 1e6, .unit = "cm"},
    {.key = "pause_s", .kind = CONFIG_NUMBER, .offset = LINEAR(pause_s), .min = 0,
     .max = 1e4, .unit = "s"},
    {.key = "one_way", .kind = CONFIG_BOOL, .offset = offsetof(task_values, one_way),
     .unit = ""},
    {.key = "reverse", .kind = CONFIG_BOOL, .offset = offsetof(task_values, reverse),
     .unit = ""},
    {.key = "trajectory", .kind = CONFIG_MAP, .offset = CONFIG_NO_OFFSET},
};

enum { TRAJ_CSV, N_TRAJ };

static const config_field traj_fields[N_TRAJ] = {
    {.key = "csv", .kind = CONFIG_STRING, .required = 1, .offset = CONFIG_NO_OFFSET},
};

/* The tracks there are; each has its own parameters (only linear so far). */
static const char *const task_tracks[] = {"linear"};
#define N_TRACKS (sizeof task_tracks / sizeof task_tracks[0])

/* task_fields with the defaults of track_linear_params_default, so the
 * defaults live in one place. */
static void task_fields_make(config_field f[N_TASK])
{
    task_values d;
    track_linear_params_default(&d.linear);
    d.one_way = d.linear.one_way != 0;
    d.reverse = d.linear.reverse != 0;
    memcpy(f, task_fields, sizeof task_fields);
    for (size_t i = 0; i < N_TASK; i++)
        if (f[i].kind == CONFIG_NUMBER)
            f[i].def = *(const double *)((const char *)&d + f[i].offset);
    f[TASK_ONE_WAY].def = d.one_way;
    f[TASK_REVERSE].def = d.reverse;
}

static int track_check(config_ctx *c, const yamltree_node *n)
{
    for (size_t i = 0; i < N_TRACKS; i++)
        if (strcmp(n->str, task_tracks[i]) == 0)
            return HS_OK;
    char list[256];
    size_t old = config_path_push(c, "track");
    int rc = config_fail(c, n, "unknown track '%.40s'; known tracks: %s", n->str,
                         config_names_join(task_tracks, N_TRACKS, list, sizeof list));
    config_path_pop(c, old);
    return rc;
}

/* laps is a whole number; the slowing zones at the two ends fit on the
 * track. */
static int task_relations_check(config_ctx *c, const yamltree_node *key,
                                const yamltree_node *map, const yamltree_node *laps,
                                const track_linear_params *p)
{
    if (laps && p->laps != floor(p->laps)) {
        size_t old = config_path_push(c, "laps");
        int rc = config_fail(c, laps, "%.40s is not a whole number of laps", laps->str);
        config_path_pop(c, old);
        return rc;
    }
    if (p->ramp_cm > p->length_cm / 2)
        return config_fail_in(c, key ? key : map, map, "ramp_cm (%.15g cm) is more than "
                              "half of length_cm (%.15g cm): the rat slows at both ends",
                              p->ramp_cm, p->length_cm);
    return HS_OK;
}

/* Reads the tracked samples of the CSV file named at node at into t;
 * errors, which name the CSV's file and line, are placed at the node. */
static int csv_load(config_ctx *c, const yamltree_node *at, hs_task_config *t)
{
    size_t old = config_path_push(c, "csv");
    if (at->len == 0) {
        int rc = config_fail(c, at, "expected a file name");
        config_path_pop(c, old);
        return rc;
    }
    t->csv_path = strdup(at->str);
    char *file = config_file_resolve(c, at->str);
    int rc = t->csv_path && file ? HS_OK : hs_error_set(c->err, HS_ENOMEM, "out of memory");
    hs_error terr;
    hs_error_clear(&terr);
    if (rc == HS_OK)
        rc = trajectory_read_csv(file, &t->csv_t_s, &t->csv_x_cm, &t->csv_n, &terr);
    free(file);
    if (rc == HS_ENOMEM && terr.code == HS_ENOMEM)
        hs_error_set(c->err, rc, "%s", terr.msg);
    else if (rc != HS_OK && rc != HS_ENOMEM)
        rc = config_fail(c, at, "%s", terr.msg[0] ? terr.msg : "cannot read the trajectory");
    config_path_pop(c, old);
    return rc;
}

static int trajectory_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                           hs_task_config *t)
{
    const yamltree_node *nodes[N_TRAJ];
    size_t old = config_path_push(c, "trajectory");
    int rc = config_fields_read(c, traj_fields, N_TRAJ, key, map, NULL, nodes, NULL);
    if (rc == HS_OK)
        rc = csv_load(c, nodes[TRAJ_CSV], t);
    config_path_pop(c, old);
    return rc;
}

int config_task_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                     hs_config *cfg)
{
    hs_task_config *t = &cfg->task;
    config_field f[N_TASK];
    const yamltree_node *nodes[N_TASK];
    task_values v;
    task_fields_make(f);
    size_t old = config_path_push(c, "task");
    int rc = config_fields_read(c, f, N_TASK, key, map, &v, nodes, NULL);
    if (rc == HS_OK)
        rc = track_check(c, nodes[TASK_TRACK]);
    if (rc == HS_OK)
        rc = task_relations_check(c, key, map, nodes[TASK_LAPS], &v.linear);
    if (rc == HS_OK && nodes[TASK_TRAJECTORY])
        rc = trajectory_read(c, yamltree_get_key(map, "trajectory"), nodes[TASK_TRAJECTORY],
                             t);
    config_path_pop(c, old);
    if (rc != HS_OK)
        return rc;
    t->present = 1;
    t->linear = v.linear;
    t->linear.one_way = v.one_way ? 1.0 : 0.0;
    t->linear.reverse = v.reverse ? 1.0 : 0.0;
    t->loc = key ? (hs_loc){key->line, key->col} : (hs_loc){map->line, map->col};
    return HS_OK;
}
