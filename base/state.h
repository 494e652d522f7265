/* state.h: a run's dynamic state, visited array by array, so one walk
 * serves both writing a checkpoint and reading it back (io/h5ckpt.h).
 *
 * Everything that changes while a run goes is visited: neuron state and
 * model extras (random streams, pending spikes), delay rings, weights,
 * STDP traces, homeostatic clocks, quiet-block bookkeeping, the clock.
 * What the config determines (plans, synapse targets and delays) is built
 * anew and not visited. Arrays are indexed by neuron or in the canonical
 * (pre, post) synapse order, never by thread or rank, so a checkpoint
 * resumes with any thread count and any number of MPI ranks.
 *
 * Under MPI every rank walks the same arrays in the same order; each array
 * says how it is spread over ranks (state_part), and state_ranks_io turns
 * that into one file: rank 0 writes what the owners hold, and loading, each
 * rank takes its own part.
 */
#ifndef HS_STATE_H
#define HS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum state_type {
    STATE_F64, STATE_F32, STATE_U64, STATE_U32, STATE_I32, STATE_U8
} state_type;

/* How an array is spread over MPI ranks. */
typedef enum state_spread {
    STATE_SAME,     /* every rank holds the same values */
    STATE_SUM,      /* a count (uint64) of each rank's own: the run's is the sum */
    STATE_OWNED,    /* per neuron: only the neuron's owner holds its value */
    STATE_ROOT      /* rank 0 alone holds the array (gathered there): saving, it
                       writes it; loading, it alone reads it (the others'
                       data is neither read nor written, and may be NULL) */
} state_spread;

/* STATE_OWNED: element e belongs to neuron ((e % period) / per) * stride,
 * and this rank owns neurons [lo, hi). */
typedef struct state_part {
    state_spread spread;
    size_t period, per, stride;
    size_t lo, hi;
} state_part;

typedef struct state_io {
    void *ctx;
    int loading;    /* 1: arrays are filled from the checkpoint; 0: saved */
    /* Saves or fills the n elements of type at data as array `name`, spread
     * as part says (NULL: STATE_SAME); loading, a missing array or another
     * length is an error. */
    int (*array)(void *ctx, const char *name, state_type type, void *data, size_t n,
                 const state_part *part, hs_error *err);
} state_io;

/* io->array on the name made from fmt, STATE_SAME. */
int state_array(const state_io *io, state_type type, void *data, size_t n, hs_error *err,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* io->array on the name made from fmt, spread as part says. */
int state_array_part(const state_io *io, const state_part *part, state_type type, void *data,
                     size_t n, hs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Over several MPI ranks: the walk of every rank through io goes to inner,
 * which is a checkpoint being written on rank 0 alone (saving; the other
 * ranks' inner is not called) or the checkpoint each rank reads (loading).
 * Saving, rank 0 gets each owned element from its owner and the sum of
 * counts; loading, a rank keeps only its own elements of owned arrays and
 * rank 0 alone the counts, and STATE_ROOT arrays are read on rank 0 alone.
 * Every call agrees on failure over ranks. With
 * one process, inner itself. ctx holds the state and must outlive the io. */
typedef struct state_ranks {
    state_io inner;
} state_ranks;
state_io state_ranks_io(state_ranks *ctx, const state_io *inner);

#endif
