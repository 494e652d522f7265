/* state.h: a run's dynamic state, visited array by array, so one walk
 * serves both writing a checkpoint and reading it back (io/h5ckpt.h).
 *
 * Everything that changes while a run goes is visited: neuron state and
 * model extras (random streams, pending spikes), delay rings, weights,
 * STDP traces, homeostatic clocks, quiet-block bookkeeping, the clock.
 * What the config determines (plans, synapse targets and delays) is built
 * anew and not visited. Arrays are indexed by neuron or in the canonical
 * (pre, post) synapse order, never by thread, so a checkpoint resumes with
 * any thread count.
 */
#ifndef HS_STATE_H
#define HS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum state_type {
    STATE_F64, STATE_F32, STATE_U64, STATE_U32, STATE_I32, STATE_U8
} state_type;

typedef struct state_io {
    void *ctx;
    int loading;    /* 1: arrays are filled from the checkpoint; 0: saved */
    /* Saves or fills the n elements of type at data as array `name`;
     * loading, a missing array or another length is an error. */
    int (*array)(void *ctx, const char *name, state_type type, void *data, size_t n,
                 hs_error *err);
} state_io;

/* io->array on the name made from fmt. */
int state_array(const state_io *io, state_type type, void *data, size_t n, hs_error *err,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

struct network;

/* Saves or loads everything of n that a run changes: neuron state and
 * model extras, delay rings, weights, STDP traces, homeostatic clocks
 * (sim_state_visit, engine.h, does the sim's part). */
int state_visit_network(struct network *n, const state_io *io, hs_error *err);

#endif
