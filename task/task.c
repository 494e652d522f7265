/* task.c: the trajectory of a task (task.h). */
#include "task.h"

int task_trajectory_build(const task_desc *d, uint64_t seed, track_traj *t, hs_error *err)
{
    if (d->n)
        return track_from_samples(d->t_s, d->x_cm, d->n, d->linear->length_cm, TASK_SAMPLE_MS,
                                  t, err);
    if (d->kind != TRACK_LINEAR)
        return maze_generate(d->maze, TASK_SAMPLE_MS, seed, t, err);
    return track_linear_generate(d->linear, TASK_SAMPLE_MS, seed, t, err);
}
