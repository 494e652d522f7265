/* schedule.h: a run as its config's schedule of phases (wake, rest, nrem,
 * rem). Each phase sets the learning-rate gains of the plastic projections,
 * the transmission of every projection, the populations' parameters (a
 * changed one rebuilds the model's plan), the Poisson drives
 * (replay/drive.h) and where the rat is: on the track with the trajectory's
 * clock running (wake), still on it (rest: the clock holds) or asleep off
 * it (nrem, rem: place cells silent). It then runs for its duration; weight snapshots are taken at the start of the
 * run, at the end of every phase, and every interval_ms a projection asks
 * for (recording.weights). Everything here happens on the calling thread,
 * between parallel regions.
 */
#ifndef HS_SCHEDULE_H
#define HS_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "../model/experiment.h"
#include "engine.h"
#include "network.h"

/* Where a run stands at a window boundary inside a phase: with the state
 * of the network and sim (state.h), all a checkpoint needs to go on. */
typedef struct schedule_pos {
    size_t phase;           /* the phase running */
    uint64_t phase_start;   /* its first step */
    uint64_t seg_stop;      /* where the current stretch of it ends (a weight
                               snapshot or the phase's end) */
    double path_ms;         /* trajectory time at the phase's start */
    double *params;         /* [n_pops * HS_MAX_PARAMS] the parameters each
                               population's plan was built from */
} schedule_pos;

typedef struct schedule_sink {
    void *ctx;
    /* phase k of c->phases starts (may be NULL) */
    void (*phase)(void *ctx, size_t k);
    /* snapshot of recording.weights entry w: n synapses in the order
     * (pre, post) ascending, at t_ms, during (or at the end of) phase k;
     * under MPI on rank 0 (the other ranks are told of none: n 0, NULL) */
    int (*weights)(void *ctx, size_t w, const uint64_t *pre, const uint64_t *post,
                   const double *weight, size_t n, double t_ms, size_t k, hs_error *err);
    /* the up states [start_ms, stop_ms) of population pop's slow-oscillation
     * drive in phase k (may be NULL) */
    int (*up_states)(void *ctx, size_t k, size_t pop, const double *start_ms,
                     const double *stop_ms, size_t n, hs_error *err);
    /* on resuming, the up states of the phases up to the resumed one, told
     * again to whoever keeps them in memory (may be NULL) */
    int (*up_states_past)(void *ctx, size_t k, size_t pop, const double *start_ms,
                          const double *stop_ms, size_t n, hs_error *err);
    /* save a checkpoint at pos (may be NULL): at the first pause of the
     * run (sim_set_pause) at or after every multiple of checkpoint_every
     * steps, and when the run is interrupted */
    int (*checkpoint)(void *ctx, const schedule_pos *pos, hs_error *err);
    uint64_t checkpoint_every;
} schedule_sink;

/* Runs every phase of c on s (built from c). sink receives spikes and
 * traces, ss phases and weights (either may be NULL). Returns HS_OK or the
 * first error of a callback or of the run. */
int schedule_run(sim *s, network *n, const hs_config *c, const sim_sink *sink,
                 const schedule_sink *ss, hs_error *err);

/* Goes on with the run of c from a checkpoint at pos: n and s are built
 * from c; the phase is set up again as when it started (its drives, gains,
 * parameters from pos), ss->up_states_past hears the up states of phases
 * 0..pos->phase, then load() fills the saved state (network_state_visit,
 * sim_state_visit) and the run continues as schedule_run would have. */
int schedule_resume(sim *s, network *n, const hs_config *c, const schedule_pos *pos,
                    int (*load)(void *ctx, hs_error *err), void *load_ctx,
                    const sim_sink *sink, const schedule_sink *ss, hs_error *err);

/* HS_OK when pos, with the clock at step, is a place inside c's schedule
 * (its phase starts where c's phases put it, step lies in the stretch);
 * else HS_EINPUT: a checkpoint of another schedule or a corrupt one. */
int schedule_pos_check(const hs_config *c, const schedule_pos *pos, uint64_t step,
                       hs_error *err);

/* Run time (ms) at which the trajectory reaches path_ms: its clock runs
 * only in wake phases. NAN when the wake phases end before it. */
double schedule_path_run_ms(const hs_config *c, double path_ms);

#endif
