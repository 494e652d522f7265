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

#include "../io/config.h"
#include "engine.h"
#include "network.h"

typedef struct schedule_sink {
    void *ctx;
    /* phase k of c->phases starts (may be NULL) */
    void (*phase)(void *ctx, size_t k);
    /* snapshot of recording.weights entry w: n synapses in the order
     * (pre, post) ascending, at t_ms, during (or at the end of) phase k */
    int (*weights)(void *ctx, size_t w, const uint64_t *pre, const uint64_t *post,
                   const double *weight, size_t n, double t_ms, size_t k, hs_error *err);
    /* the up states [start_ms, stop_ms) of population pop's slow-oscillation
     * drive in phase k (may be NULL) */
    int (*up_states)(void *ctx, size_t k, size_t pop, const double *start_ms,
                     const double *stop_ms, size_t n, hs_error *err);
} schedule_sink;

/* Runs every phase of c on s (built from c). sink receives spikes and
 * traces, ss phases and weights (either may be NULL). Returns HS_OK or the
 * first error of a callback or of the run. */
int schedule_run(sim *s, network *n, const hs_config *c, const sim_sink *sink,
                 const schedule_sink *ss, hs_error *err);

/* Copies the weights of projection j into pre, post, w (each n->...n_syn
 * of the projection long), ordered by (pre, post): the same for any thread
 * count. Returns the number of synapses. */
size_t schedule_weights(const network *n, size_t j, uint64_t *pre, uint64_t *post, double *w);

/* Run time (ms) at which the trajectory reaches task_ms: its clock runs
 * only in wake phases. NAN when the wake phases end before it. */
double schedule_task_run_ms(const hs_config *c, double task_ms);

#endif
