/* exchange.h: a window's spikes of every MPI rank, for the engine.
 *
 * Spikes of one kind of population (the "ahead" sources, or the others)
 * travel together. Each rank packs [its stop flag, then per own thread: the
 * window's counts by (step, population) of the populations of that kind,
 * then that thread's ids]; an Allgather of the sizes and one Allgatherv
 * give every rank all of them. Virtual process u (rank r, thread t:
 * u = r T + t) of another rank is then read through xchg_spikes, in the
 * same (step, population) cells as the engine's own thread buffers.
 *
 * Plan, then execute: xchg_alloc sizes the buffers for every neuron firing
 * in every step of a window; xchg_run allocates nothing. Not thread-safe:
 * one thread calls xchg_run, between barriers.
 */
#ifndef HS_EXCHANGE_H
#define HS_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "network.h"

typedef struct xchg {
    int which;              /* the populations with ahead == which */
    const size_t **loc_off; /* [n_threads]: this rank's threads' offsets */
    const uint32_t **loc_ids; /*   and ids, set by the caller before xchg_run */
    uint32_t *send, *recv;
    const uint32_t **ids;   /* [n_vps] */
    size_t *off;            /* [n_vps * n_off]: n_off = window * n_pops + 1 */
    uint64_t *n;            /* [n_ranks] values each rank sent */
    int *ints;              /* [2 n_ranks] MPI scratch */
    uint64_t calls, sent;   /* exchanges, uint32 values this rank sent */
    double secs;            /* wall seconds in them, waiting for the slowest rank too */
} xchg;

/* Buffers for the exchanges of network n's populations with ahead ==
 * which. Returns HS_OK or HS_ENOMEM (xchg_free then frees the rest). */
int xchg_alloc(xchg *x, const network *n, int which);
void xchg_free(xchg *x);

/* Exchanges a window of w steps: this rank's threads' spikes from
 * loc_off/loc_ids (cells k * n_pops + p, as the engine fills them). *stop
 * in: this rank's stop flag; out: every rank's ORed. Returns HS_OK, or
 * HS_EINTERNAL with err set (the same on every rank: the sizes are
 * shared). */
int xchg_run(xchg *x, const network *n, uint32_t w, int *stop, hs_error *err);

/* Virtual process u's spikes (another rank's) in cell at = k * n_pops + p
 * of the last window exchanged: *m of them. */
static inline const uint32_t *xchg_spikes(const xchg *x, const network *n, int u, size_t at,
                                          size_t *m)
{
    const size_t *off = x->off + (size_t)u * ((size_t)n->window * n->n_pops + 1);
    *m = off[at + 1] - off[at];
    return x->ids[u] + off[at];
}

#endif
