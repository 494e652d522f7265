/* maze.h: trajectories on a circular track, a T-maze and a W-maze, mazes
 * made of straight segments (track_segment, task/track.h) laid end to end
 * on a linearized axis of total length L (track_traj.length_cm, which the
 * place cells tile).
 *
 *   circular  one segment "loop", a circle of circumference length_cm;
 *             laps run counterclockwise from position 0 and the position
 *             wraps at length_cm. With pause_s > 0 the rat pauses at a
 *             reward site at position 0 after each lap (and slows before
 *             it, as on the linear track); with pause_s = 0 it runs each
 *             lap at its lap speed, without pausing or slowing.
 *   tmaze     "stem" (0, 0) -> (0, stem_cm), offset 0; "left" (0, stem_cm)
 *             -> (-arm_cm, stem_cm), offset stem_cm; "right" (0, stem_cm)
 *             -> (arm_cm, stem_cm), offset stem_cm + arm_cm. A lap: up the
 *             stem and out along the left arm (even laps) or the right arm
 *             (odd laps), a pause at the arm's end (the reward), then the
 *             rat is carried back to the stem's start. Direction +1.
 *   wmaze     three parallel arms of arm_cm joined at the top by two
 *             connectors of width_cm: "center" (0, 0) -> (0, arm_cm),
 *             offset 0; "top_left" (0, arm_cm) -> (-width_cm, arm_cm);
 *             "left" (-width_cm, arm_cm) -> (-width_cm, 0); "top_right"
 *             (0, arm_cm) -> (width_cm, arm_cm); "right" (width_cm,
 *             arm_cm) -> (width_cm, 0), each starting where the one before
 *             it ends on the linearized axis (L = 3 arm_cm + 2 width_cm). A
 *             lap is the alternation route from the center well: center ->
 *             left, left -> center, center -> right, right -> center, with
 *             a pause at each arm's end (the reward wells). Outbound runs
 *             have direction +1, inbound runs -1.
 *
 * A run (the rat's movement between two pauses) has the linear track's
 * speed profile over its whole length D: v = v_run (0.2 + 0.8 min(1, d /
 * ramp_cm)), d the distance to the run's nearer end, v_run ~
 * N(speed_cm_s, speed_sd_cm_s) clipped to [0.5, 1.5] x the mean, one draw
 * per run from the stream (seed, RNG_KIND_TRACK); a pause lasts pause_s
 * (plus the sample of arrival). Direction +1 when the linearized position
 * increases, -1 when it decreases, 0 paused.
 */
#ifndef HS_MAZE_H
#define HS_MAZE_H

#include <stdint.h>

#include "../base/error.h"
#include "track.h"

typedef enum track_kind {
    TRACK_LINEAR, TRACK_CIRCULAR, TRACK_TMAZE, TRACK_WMAZE
} track_kind;

/* The kinds' names in the YAML ("linear", "circular", "tmaze", "wmaze"),
 * indexed by track_kind. */
extern const char *const track_kind_names[4];

typedef struct maze_params {
    track_kind kind;      /* TRACK_CIRCULAR, TRACK_TMAZE or TRACK_WMAZE */
    double length_cm;     /* circular: circumference, 200 (as the linear track) */
    double stem_cm;       /* tmaze: 100 (ours) */
    double arm_cm;        /* tmaze: 50 (ours); wmaze: 80 (ours; not checked
                             against Frank, Brown & Wilson 2000's W-track) */
    double width_cm;      /* wmaze: 40, between neighbouring arms (ours) */
    double laps;          /* 20 */
    double speed_cm_s;    /* 25: mean running speed (SCIENCE.md) */
    double speed_sd_cm_s; /* 5: run-to-run spread */
    double ramp_cm;       /* 20: slowing zone at each end of a run */
    double pause_s;       /* 2: pause at each reward site (circular: 0) */
} maze_params;

/* The defaults above for kind (fields of other kinds are 0). */
void maze_params_default(maze_params *p, track_kind kind);

/* The total linearized length of p's maze (cm). */
double maze_length(const maze_params *p);

/* Generates laps on p's maze, sampled every sample_ms. Returns HS_OK,
 * HS_EINPUT (bad parameters, named: lengths > 0, laps whole in [1, 1e6],
 * ramp_cm at most half of the shortest run) or HS_ENOMEM; *t is then
 * empty. */
int maze_generate(const maze_params *p, double sample_ms, uint64_t seed,
                        track_traj *t, hs_error *err);

#endif
