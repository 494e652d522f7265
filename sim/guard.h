/* guard.h: a model that diverges stops the run with what is known of it.
 * The checks run on the calling thread between parallel regions (every
 * chunk of steps), so a bad dt or too strong weights are named within
 * 2000 steps instead of silently wrecking the rest of the run.
 */
#ifndef HS_GUARD_H
#define HS_GUARD_H

#include <stdint.h>

#include "../base/error.h"
#include "../model/experiment.h"
#include "network.h"

/* HS_OK when every state variable of every neuron of net is finite; else
 * HS_EMODEL naming the population, the neuron, the variable and the
 * stretch [chunk0, step) in which it happened: after a NaN the neuron
 * never fires again, silently. */
int guard_finite(const network *net, const hs_config *c, uint64_t chunk0, uint64_t step,
                 hs_error *err);

/* The rate ceiling (simulation.max_rate_hz over max_rate_window_ms): a
 * neuron population's mean rate over a window of whole chunks above it is
 * runaway excitation. Sources fire as told and are not judged. */
typedef struct guard_rate {
    uint64_t steps;         /* the window; 0: no ceiling */
    uint64_t t0;            /* the window's first step */
    uint64_t *count0;       /* [n_pops] spike counts at t0 */
} guard_rate;

/* For c; HS_OK or HS_ENOMEM. guard_rate_free frees it either way. */
int guard_rate_init(guard_rate *g, const hs_config *c);
void guard_rate_free(guard_rate *g);

/* At step, with spike_count[p] spikes of population p so far: HS_OK, or
 * HS_EMODEL naming the population, its rate and the window. A window that
 * passed starts anew at step. */
int guard_rate_check(guard_rate *g, const network *net, const hs_config *c,
                     const uint64_t *spike_count, uint64_t step, hs_error *err);

#endif
