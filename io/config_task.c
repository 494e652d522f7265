/* config_task.c: the task section, where the rat runs (hs_task_config):
 *   task:
 *     track: linear            (or circular, tmaze, wmaze: task/maze.h)
 *     length_cm: 200
 *     laps: 20
 *     ...                      (the fields of track_linear_params or
 *                               maze_params; task_keys says which
 *                               keys each track takes)
 *     trajectory: {csv: rat.csv}
 * The defaults are track_linear_params_default's (task/track.h) and
 * maze_params_default's (task/maze.h); a tracked
 * trajectory is read with trajectory_read_csv (task/trajectory.h) from a
 * path relative to the YAML's directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fields.h"
#include "h5out.h"
#include "../task/trajectory.h"

enum {
    TASK_TRACK, TASK_LENGTH, TASK_LAPS, TASK_SPEED, TASK_SPEED_SD, TASK_RAMP, TASK_PAUSE,
    TASK_ONE_WAY, TASK_REVERSE, TASK_TRAJECTORY, TASK_STEM, TASK_ARM, TASK_WIDTH, N_TASK
};

/* What the table reads into: one_way is a boolean in the file but a double
 * (0 or 1) in track_linear_params. */
typedef struct task_values {
    track_linear_params linear;
    maze_params maze;       /* stem_cm, arm_cm, width_cm only */
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
    {.key = "stem_cm", .kind = CONFIG_NUMBER, .offset = offsetof(task_values, maze.stem_cm),
     .min = 0, .max = 1e6, .min_open = 1, .unit = "cm"},
    {.key = "arm_cm", .kind = CONFIG_NUMBER, .offset = offsetof(task_values, maze.arm_cm),
     .min = 0, .max = 1e6, .min_open = 1, .unit = "cm"},
    {.key = "width_cm", .kind = CONFIG_NUMBER, .offset = offsetof(task_values, maze.width_cm),
     .min = 0, .max = 1e6, .min_open = 1, .unit = "cm"},
};

/* Which keys each track takes (1 << TASK_...), indexed by track_kind. */
#define K(f) (1u << (f))
#define K_RUN (K(TASK_TRACK) | K(TASK_LAPS) | K(TASK_SPEED) | K(TASK_SPEED_SD) | \
               K(TASK_RAMP) | K(TASK_PAUSE))
static const unsigned task_keys[4] = {
    [TRACK_LINEAR] = K_RUN | K(TASK_LENGTH) | K(TASK_ONE_WAY) | K(TASK_REVERSE) |
                     K(TASK_TRAJECTORY),
    [TRACK_CIRCULAR] = K_RUN | K(TASK_LENGTH),
    [TRACK_TMAZE] = K_RUN | K(TASK_STEM) | K(TASK_ARM),
    [TRACK_WMAZE] = K_RUN | K(TASK_ARM) | K(TASK_WIDTH),
};

enum { TRAJ_CSV, TRAJ_H5, TRAJ_T, TRAJ_X, N_TRAJ };

/* Either csv, or h5 with its t and x datasets (trajectory_check). */
static const config_field traj_fields[N_TRAJ] = {
    {.key = "csv", .kind = CONFIG_STRING, .offset = CONFIG_NO_OFFSET},
    {.key = "h5", .kind = CONFIG_STRING, .offset = CONFIG_NO_OFFSET},
    {.key = "t", .kind = CONFIG_STRING, .offset = CONFIG_NO_OFFSET},
    {.key = "x", .kind = CONFIG_STRING, .offset = CONFIG_NO_OFFSET},
};

#define N_TRACKS (sizeof track_kind_names / sizeof track_kind_names[0])

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
    f[TASK_STEM].def = f[TASK_ARM].def = f[TASK_WIDTH].def = 0;  /* per kind: task_kind_apply */
    f[TASK_ONE_WAY].def = d.one_way;
    f[TASK_REVERSE].def = d.reverse;
}

static int track_check(config_ctx *c, const yamltree_node *n, track_kind *kind)
{
    for (size_t i = 0; i < N_TRACKS; i++)
        if (strcmp(n->str, track_kind_names[i]) == 0) {
            *kind = (track_kind)i;
            return HS_OK;
        }
    char list[256];
    size_t old = config_path_push(c, "track");
    int rc = config_fail(c, n, "unknown track '%.40s'; known tracks: %s", n->str,
                         config_names_join(track_kind_names, N_TRACKS, list, sizeof list));
    config_path_pop(c, old);
    return rc;
}

/* A key of another track's kind is an error at the key. */
static int track_keys_check(config_ctx *c, const yamltree_node *map,
                            const yamltree_node *const *nodes, track_kind kind)
{
    for (size_t i = 0; i < N_TASK; i++) {
        if (!nodes[i] || (task_keys[kind] & K(i)))
            continue;
        const yamltree_node *at = yamltree_get_key(map, task_fields[i].key);
        size_t old = config_path_push(c, task_fields[i].key);
        int rc = config_fail(c, at ? at : nodes[i], "%s is not a parameter of a %s track",
                             task_fields[i].key, track_kind_names[kind]);
        config_path_pop(c, old);
        return rc;
    }
    return HS_OK;
}

/* The maze's parameters: the values given, else kind's defaults. */
static void maze_values(const task_values *v, const yamltree_node *const *nodes,
                        track_kind kind, maze_params *m)
{
    maze_params_default(m, kind);
    const double given[N_TASK] = {
        [TASK_LENGTH] = v->linear.length_cm, [TASK_LAPS] = v->linear.laps,
        [TASK_SPEED] = v->linear.speed_cm_s, [TASK_SPEED_SD] = v->linear.speed_sd_cm_s,
        [TASK_RAMP] = v->linear.ramp_cm, [TASK_PAUSE] = v->linear.pause_s,
        [TASK_STEM] = v->maze.stem_cm, [TASK_ARM] = v->maze.arm_cm,
        [TASK_WIDTH] = v->maze.width_cm};
    double *dst[N_TASK] = {
        [TASK_LENGTH] = &m->length_cm, [TASK_LAPS] = &m->laps, [TASK_SPEED] = &m->speed_cm_s,
        [TASK_SPEED_SD] = &m->speed_sd_cm_s, [TASK_RAMP] = &m->ramp_cm,
        [TASK_PAUSE] = &m->pause_s, [TASK_STEM] = &m->stem_cm, [TASK_ARM] = &m->arm_cm,
        [TASK_WIDTH] = &m->width_cm};
    for (size_t i = 0; i < N_TASK; i++)
        if (nodes[i] && dst[i])
            *dst[i] = given[i];
}

/* The shortest run between two stops on p's maze (ramp_cm fits twice). */
static double maze_run_min(const maze_params *p)
{
    switch (p->kind) {
    case TRACK_CIRCULAR: return p->pause_s > 0 ? p->length_cm : INFINITY;
    case TRACK_TMAZE: return p->stem_cm + p->arm_cm;
    default: return 2 * p->arm_cm + p->width_cm;
    }
}

/* laps is a whole number; the slowing zones at the two ends fit on the
 * track. */
static int task_relations_check(config_ctx *c, const yamltree_node *key,
                                const yamltree_node *map, const yamltree_node *laps,
                                const hs_task_config *t)
{
    const track_linear_params *p = &t->linear;
    if (laps && p->laps != floor(p->laps)) {
        size_t old = config_path_push(c, "laps");
        int rc = config_fail(c, laps, "%.40s is not a whole number of laps", laps->str);
        config_path_pop(c, old);
        return rc;
    }
    if (t->kind == TRACK_LINEAR && p->ramp_cm > p->length_cm / 2)
        return config_fail_in(c, key ? key : map, map, "ramp_cm (%.15g cm) is more than "
                              "half of length_cm (%.15g cm): the rat slows at both ends",
                              p->ramp_cm, p->length_cm);
    double run = t->kind == TRACK_LINEAR ? INFINITY : maze_run_min(&t->maze);
    if (t->maze.ramp_cm > run / 2)
        return config_fail_in(c, key ? key : map, map, "ramp_cm (%.15g cm) is more than "
                              "half of the %s's shortest run (%.15g cm): the rat slows at "
                              "both ends", t->maze.ramp_cm, track_kind_names[t->kind], run);
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

/* Reads the t (s) and x (cm) datasets named in the trajectory mapping from
 * the HDF5 file it names; errors are placed at the node that caused them. */
static int h5_load(config_ctx *c, const yamltree_node *const *nodes, hs_task_config *t)
{
    t->h5_path = strdup(nodes[TRAJ_H5]->str);
    t->h5_t = strdup(nodes[TRAJ_T]->str);
    t->h5_x = strdup(nodes[TRAJ_X]->str);
    char *file = config_file_resolve(c, nodes[TRAJ_H5]->str);
    int rc = t->h5_path && t->h5_t && t->h5_x && file
                 ? HS_OK
                 : hs_error_set(c->err, HS_ENOMEM, "out of memory");
    hs_error terr;
    hs_error_clear(&terr);
    size_t nx = 0;
    const yamltree_node *at = nodes[TRAJ_T];
    /* a time and a position a sample */
    if (rc == HS_OK && (rc = config_h5_length_check(file, t->h5_t, 16, "trajectory samples",
                                                    &terr)) == HS_OK)
        rc = h5in_read_doubles(file, t->h5_t, &t->csv_t_s, &t->csv_n, &terr);
    if (rc == HS_OK && (at = nodes[TRAJ_X]) &&
        (rc = config_h5_length_check(file, t->h5_x, 16, "trajectory samples", &terr)) ==
            HS_OK &&
        (rc = h5in_read_doubles(file, t->h5_x, &t->csv_x_cm, &nx, &terr)) == HS_OK &&
        nx != t->csv_n)
        rc = hs_error_set(&terr, HS_EINPUT, "%zu positions for %zu times", nx, t->csv_n);
    for (size_t k = 0; rc == HS_OK && k < t->csv_n; k++) {
        if (!isfinite(t->csv_t_s[k])) {
            at = nodes[TRAJ_T];
            rc = hs_error_set(&terr, HS_EINPUT, "sample %zu: time %g s is not finite", k,
                              t->csv_t_s[k]);
        } else if (k > 0 && !(t->csv_t_s[k] > t->csv_t_s[k - 1])) {
            at = nodes[TRAJ_T];
            rc = hs_error_set(&terr, HS_EINPUT, "sample %zu: time %g s does not increase "
                              "(previous %g s)", k, t->csv_t_s[k], t->csv_t_s[k - 1]);
        } else if (!isfinite(t->csv_x_cm[k])) {
            at = nodes[TRAJ_X];
            rc = hs_error_set(&terr, HS_EINPUT, "sample %zu: position %g cm is not finite", k,
                              t->csv_x_cm[k]);
        }
    }
    if (rc == HS_OK && t->csv_n < 2)
        rc = hs_error_set(&terr, HS_EINPUT, "a trajectory needs at least two samples");
    free(file);
    if (rc == HS_EINPUT) {
        size_t old = config_path_push(c, at == nodes[TRAJ_X] ? "x" : "t");
        rc = config_fail(c, at, "%s", terr.msg);
        config_path_pop(c, old);
    } else if (rc != HS_OK && c->err->code == HS_OK) {
        hs_error_set(c->err, rc, "%s", terr.msg[0] ? terr.msg : "out of memory");
    }
    return rc;
}

/* A trajectory is resampled every ms for the whole of its span: a typo of
 * 1e9 s would ask for terabytes. 100000 s (27.8 h) bounds any session. */
#define TRAJ_SPAN_MAX_S 1e5

static int span_check(config_ctx *c, const yamltree_node *at, const char *key,
                      const hs_task_config *t)
{
    double span = t->csv_t_s[t->csv_n - 1] - t->csv_t_s[0];
    if (span <= TRAJ_SPAN_MAX_S)
        return HS_OK;
    size_t old = config_path_push(c, key);
    int rc = config_fail(c, at, "the trajectory spans %g s (from %g to %g s), more than "
                         "the %g s hebbsleep takes", span, t->csv_t_s[0],
                         t->csv_t_s[t->csv_n - 1], TRAJ_SPAN_MAX_S);
    config_path_pop(c, old);
    return rc;
}

static int trajectory_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                           hs_task_config *t)
{
    const yamltree_node *nodes[N_TRAJ];
    size_t old = config_path_push(c, "trajectory");
    int rc = config_fields_read(c, traj_fields, N_TRAJ, key, map, NULL, nodes, NULL);
    int csv = nodes[TRAJ_CSV] != NULL, h5 = nodes[TRAJ_H5] != NULL;
    if (rc == HS_OK && csv == h5)
        rc = config_fail(c, key ? key : map, "give either csv or h5 (with t and x)");
    else if (rc == HS_OK && h5 && (!nodes[TRAJ_T] || !nodes[TRAJ_X]))
        rc = config_fail(c, key ? key : map, "h5 needs the datasets t (s) and x (cm)");
    else if (rc == HS_OK && csv && (nodes[TRAJ_T] || nodes[TRAJ_X]))
        rc = config_fail(c, nodes[TRAJ_T] ? nodes[TRAJ_T] : nodes[TRAJ_X],
                         "t and x name datasets of an h5 file, not csv columns");
    if (rc == HS_OK)
        rc = csv ? csv_load(c, nodes[TRAJ_CSV], t) : h5_load(c, nodes, t);
    if (rc == HS_OK)
        rc = span_check(c, csv ? nodes[TRAJ_CSV] : nodes[TRAJ_T], csv ? "csv" : "t", t);
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
    track_kind kind = TRACK_LINEAR;
    if (rc == HS_OK)
        rc = track_check(c, nodes[TASK_TRACK], &kind);
    if (rc == HS_OK)
        rc = track_keys_check(c, map, nodes, kind);
    t->kind = kind;
    t->maze = (maze_params){.kind = kind};
    if (rc == HS_OK && kind != TRACK_LINEAR)
        maze_values(&v, nodes, kind, &t->maze);
    t->linear = v.linear;
    if (rc == HS_OK)
        rc = task_relations_check(c, key, map, nodes[TASK_LAPS], t);
    if (rc == HS_OK && nodes[TASK_TRAJECTORY])
        rc = trajectory_read(c, yamltree_get_key(map, "trajectory"), nodes[TASK_TRAJECTORY],
                             t);
    config_path_pop(c, old);
    if (rc != HS_OK)
        return rc;
    t->present = 1;
    t->linear.one_way = v.one_way ? 1.0 : 0.0;
    t->linear.reverse = v.reverse ? 1.0 : 0.0;
    t->loc = key ? (hs_loc){key->line, key->col} : (hs_loc){map->line, map->col};
    return HS_OK;
}

static void task_number_print(FILE *f, const char *key, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fprintf(f, "  %s: %s\n", key, buf);
}

void config_task_print(const hs_task_config *t, FILE *f)
{
    const track_linear_params *p = &t->linear;
    const maze_params *m = &t->maze;
    int linear = t->kind == TRACK_LINEAR;
    const double values[N_TASK] = {
        [TASK_LENGTH] = linear ? p->length_cm : m->length_cm,
        [TASK_LAPS] = linear ? p->laps : m->laps,
        [TASK_SPEED] = linear ? p->speed_cm_s : m->speed_cm_s,
        [TASK_SPEED_SD] = linear ? p->speed_sd_cm_s : m->speed_sd_cm_s,
        [TASK_RAMP] = linear ? p->ramp_cm : m->ramp_cm,
        [TASK_PAUSE] = linear ? p->pause_s : m->pause_s,
        [TASK_STEM] = m->stem_cm, [TASK_ARM] = m->arm_cm, [TASK_WIDTH] = m->width_cm};
    fprintf(f, "task:\n  track: %s\n", track_kind_names[t->kind]);
    for (size_t i = 0; i < N_TASK; i++)
        if (task_fields[i].kind == CONFIG_NUMBER && (task_keys[t->kind] & K(i)))
            task_number_print(f, task_fields[i].key, values[i]);
    if (!linear)
        return;
    fprintf(f, "  one_way: %s\n", p->one_way != 0 ? "true" : "false");
    fprintf(f, "  reverse: %s\n", p->reverse != 0 ? "true" : "false");
}
