/* track.h: where the virtual rat is. A trajectory is its position along a
 * track sampled every sample_ms, with its running direction and lap, built
 * by a generator (a rat running laps with a realistic speed profile) or
 * read from a tracked rat's CSV file.
 *
 * linear track of length L: laps alternate direction (+1 from 0 to L, -1
 * back) or, one_way, all run from 0 to L (the rat is carried back); with
 * reverse the first lap (one_way: every lap) runs from L to 0. Each
 * lap has its own speed v_lap ~ N(speed_cm_s, speed_sd_cm_s) (clipped to
 * [0.5, 1.5] x the mean); within a lap the speed is
 *     v = v_lap (0.2 + 0.8 min(1, d / ramp_cm)),
 * d the distance to the nearer end, so the rat slows near the ends; it
 * pauses pause_s at the end of each lap (reward, where awake replay
 * happens). The draws come from the stream (seed, RNG_KIND_TRACK), so a
 * trajectory is the same for any thread count.
 */
#ifndef HS_TRACK_H
#define HS_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "../base/error.h"

/* A maze is made of straight segments laid end to end on a linearized
 * axis: the position along the maze on segment k, a distance d from its
 * first end point (x0, y0), is offset_cm + d, and the rat is drawn at
 * (x0, y0) + d / length_cm ((x1, y1) - (x0, y0)). A segment with
 * radius_cm > 0 is instead a whole circle through (x0, y0) = (x1, y1),
 * centred at (x0, y0 + radius_cm), run counterclockwise (the circular
 * track: length_cm = 2 pi radius_cm). A linear track is one segment
 * "track" from (0, 0) to (length, 0). */
#define TRACK_SEGMENTS_MAX 8
#define TRACK_SEGMENT_NAME_MAX 24

typedef struct track_segment {
    char name[TRACK_SEGMENT_NAME_MAX];  /* "stem", "left", ... */
    double x0_cm, y0_cm, x1_cm, y1_cm;  /* end points, drawn (cm) */
    double offset_cm;                   /* where it starts on the linearized axis */
    double length_cm;
    double radius_cm;                   /* 0: straight; > 0: a circle (above) */
} track_segment;

typedef struct track_traj {
    size_t n;            /* samples */
    double sample_ms;    /* interval between samples */
    double length_cm;    /* the maze's total linearized length */
    double *x_cm;        /* [n] position along the maze, 0 .. length */
    int8_t *dir;         /* [n] +1 while x_cm increases, -1 decreases, 0 paused */
    uint32_t *lap;       /* [n] lap (one pass of the route), from 0 */
    uint8_t *segment;    /* [n] index into segments */
    float *x, *y;        /* [n] drawn position (cm) */
    size_t n_segments;   /* 1 .. TRACK_SEGMENTS_MAX */
    track_segment segments[TRACK_SEGMENTS_MAX];
} track_traj;

typedef struct track_linear_params {
    double length_cm;    /* 200: a 2 m linear track */
    double laps;         /* 20 */
    double speed_cm_s;   /* 25: mean running speed (SCIENCE.md) */
    double speed_sd_cm_s;/* 5: lap-to-lap spread */
    double ramp_cm;      /* 20: slowing zone at each end */
    double pause_s;      /* 2: pause at the end of each lap */
    double one_way;      /* 0: laps alternate direction; 1: every lap runs 0 -> length */
    double reverse;      /* 1: start at length (one_way: every lap runs length -> 0) */
} track_linear_params;

void track_linear_params_default(track_linear_params *p);

/* Generates laps on a linear track, sampled every sample_ms. Returns HS_OK,
 * HS_EINPUT (bad parameters, named) or HS_ENOMEM; *t is then empty. */
int track_linear_generate(const track_linear_params *p, double sample_ms, uint64_t seed,
                          track_traj *t, hs_error *err);

/* Builds a trajectory from tracked samples (times in s, increasing;
 * positions along a linear track in cm): resampled every sample_ms from
 * the first sample by linear interpolation, clipped to [0, length_cm];
 * direction is the sign of the velocity over +-50 ms (0 below 1 cm/s); a
 * lap ends where the running direction turns. (task/trajectory.c reads the
 * samples from CSV or HDF5.) */
int track_from_samples(const double *t_s, const double *x_cm, size_t n, double length_cm,
                       double sample_ms, track_traj *t, hs_error *err);

/* Duration in ms; the sample at time t_ms (the last one past the end). */
double track_duration_ms(const track_traj *t);
size_t track_index(const track_traj *t, double t_ms);

void track_free(track_traj *t);

/* For generators (task/maze.c): allocates the n-sample arrays of t (other
 * fields zero but n, sample_ms, length_cm). HS_OK or HS_ENOMEM (t empty). */
int track_traj_alloc(track_traj *t, size_t n, double sample_ms, double length_cm);

/* The gait both generators share (see above): the check of its parameters,
 * one run's speed drawn from r, and the speed at distance d_cm from the
 * run's nearer end (ramp_cm 0: no slowing). */
int track_gait_check(double speed_cm_s, double speed_sd_cm_s, double ramp_cm, double pause_s,
                     double sample_ms, hs_error *err);
double track_gait_draw(gsl_rng *r, double speed_cm_s, double speed_sd_cm_s);
double track_gait_speed(double v_run, double ramp_cm, double d_cm);

/* Fills segment, x and y of a trajectory along one straight segment
 * "track" from (0, 0) to (length_cm, 0). */
void track_linear_draw(track_traj *t);

/* Where linearized position pos (on segment k) is drawn. */
void track_segment_point(const track_segment *s, double pos_cm, double *x, double *y);

#endif
