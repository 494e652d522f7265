/* experiment.c: freeing an experiment and finding its parts by name. */
#include "experiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void experiment_free(hs_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->pops && i < c->n_pops; i++) {
        free(c->pops[i].spike_t_ms);
        free(c->pops[i].spike_ids);
    }
    for (size_t i = 0; c->traces && i < c->n_traces; i++)
        free(c->traces[i].ids);
    for (size_t i = 0; c->phases && i < c->n_phases; i++) {
        free(c->phases[i].stdp_gain);
        free(c->phases[i].homeo_gain);
        free(c->phases[i].transmission);
        free(c->phases[i].pop_params);
        free(c->phases[i].drive);
        free(c->phases[i].shuffle);
    }
    free(c->pops);
    free(c->projs);
    free(c->traces);
    free(c->phases);
    free(c->weights);
    free(c->task.csv_t_s);
    free(c->task.csv_x_cm);
    free(c->task.csv_path);
    free(c->task.h5_path);
    free(c->task.h5_t);
    free(c->task.h5_x);
    free(c->path);
    free(c->text);
    free(c->overrides);
    free(c);
}

int experiment_pop_find(const hs_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_pops; i++)
        if (strcmp(c->pops[i].name, name) == 0)
            return (int)i;
    return -1;
}

int experiment_proj_find(const hs_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_projs; i++)
        if (strcmp(c->projs[i].name, name) == 0)
            return (int)i;
    return -1;
}

int experiment_trajectory(const hs_config *c, track_traj *t, hs_error *err)
{
    *t = (track_traj){0};
    const hs_task_config *k = &c->task;
    if (!k->present)
        return HS_OK;
    task_desc d = {k->kind, &k->linear, &k->maze, k->csv_t_s, k->csv_x_cm, k->csv_n};
    int rc = task_trajectory_build(&d, c->seed, t, err);
    if (rc != HS_EINPUT)
        return rc;
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return hs_error_at(err, rc, c->path, k->loc.line, k->loc.col, "task: %.1400s", msg);
}
