/* drive.h: the sleep stages' drives, as a rate envelope in [0, 1] per
 * step that a Poisson source thins its spikes by (neurons/poisson.c).
 *
 * slow_oscillation (NREM): up and down states alternate, starting with an
 * up state at the phase start (Steriade et al. 1993). Their durations are
 * gamma distributed with shape DRIVE_SO_SHAPE and means up_ms and
 * down_ms; down states are clipped to [100, 500] ms and up states to at
 * least 100 ms, so a cycle lasts about up_ms + down_ms (SCIENCE.md: 0.5-1
 * Hz, down states 0.1-0.5 s). The level is 1 in up states and down_level in
 * down states. Together with adaptation in the excitatory cells the up
 * states end and restart as in Compte et al. 2003.
 *
 * theta (REM, and a paced drive in wake): level = (1 + depth cos(2 pi
 * freq_hz t)) / (1 + depth), t from the phase start, so the source's rate
 * is its rate at the theta peak (Louie & Wilson 2001 replay with theta).
 *
 * The up and down states are drawn once per phase from the stream (seed,
 * RNG_KIND_USER + 3, phase, population), on the calling thread; after
 * that drive_level is a pure function, safe from any thread.
 */
#ifndef HS_REPLAY_DRIVE_H
#define HS_REPLAY_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

#define DRIVE_SO_SHAPE 4.0

typedef enum drive_kind {
    DRIVE_NONE = 0,              /* level 1 */
    DRIVE_SLOW_OSCILLATION = 1,
    DRIVE_THETA = 2
} drive_kind;

typedef struct drive_params {
    drive_kind kind;
    double up_ms;       /* slow oscillation: mean up state (ms) */
    double down_ms;     /* slow oscillation: mean down state (ms) */
    double down_level;  /* slow oscillation: level in down states, [0, 1] */
    double freq_hz;     /* theta frequency (Hz) */
    double depth;       /* theta modulation depth, [0, 1] */
} drive_params;

typedef struct drive {
    drive_params p;
    double dt_ms;
    uint64_t start;     /* first step of the phase */
    uint64_t stop;      /* the step after its last */
    uint64_t *edge;     /* slow oscillation: steps at which a state ends, */
    size_t n_edge;      /*   from start: up ends at edge[0], down at edge[1], ... */
} drive;

/* Builds the drive of a phase of n_steps steps from step start, dt_ms per
 * step. Returns HS_OK, HS_EINPUT (parameters out of range, named) or
 * HS_ENOMEM. */
int drive_init(drive *d, const drive_params *p, double dt_ms, uint64_t start,
               uint64_t n_steps, uint64_t seed, uint32_t phase, uint32_t pop, hs_error *err);
void drive_free(drive *d);

/* The level at step (any step of the phase); ctx is a const drive *. */
double drive_level(const void *ctx, uint64_t step);

/* The up states of a slow oscillation as [start_ms, stop_ms) pairs, at
 * most max of them, into start_ms and stop_ms; returns how many there are
 * (0 for other kinds). */
size_t drive_up_states(const drive *d, double *start_ms, double *stop_ms, size_t max);

#endif
