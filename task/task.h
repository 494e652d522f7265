/* task.h: the rat's behavioural task, as a trajectory: laps on a linear
 * track (track.h), runs of a maze (maze.h), or a tracked rat's samples
 * (trajectory.h reads them), always sampled every TASK_SAMPLE_MS.
 */
#ifndef HS_TASK_H
#define HS_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "maze.h"
#include "track.h"

/* The trajectory's sample interval. */
#define TASK_SAMPLE_MS 1.0

/* What the rat does; the arrays are not owned. */
typedef struct task_desc {
    track_kind kind;
    const track_linear_params *linear;  /* TRACK_LINEAR */
    const maze_params *maze;            /* the other kinds */
    const double *t_s, *x_cm;           /* tracked samples on a linear track, */
    size_t n;                           /*   or n = 0: generated laps */
} task_desc;

/* The trajectory of d, its draws from the stream (seed, RNG_KIND_TRACK).
 * Returns HS_OK, HS_EINPUT (bad parameters, named) or HS_ENOMEM; *t is
 * then empty. Free with track_free. */
int task_trajectory_build(const task_desc *d, uint64_t seed, track_traj *t, hs_error *err);

#endif
