/* weights.h: a projection's weights as one list in the canonical order,
 * by presynaptic neuron, then target (ascending): the same for any thread
 * count and any MPI split. Snapshots, checkpoints, the shuffle control and
 * the downscale threshold read and write weights through it, so nothing
 * below the schedule calls the schedule back.
 *
 * Under MPI (several ranks) the whole projection is held by rank 0 alone,
 * and only where it must be: for a snapshot (rank 0 writes the file), a
 * checkpoint (rank 0 writes it, and reads it back) and a shuffle (rank 0
 * permutes the weights as one process would). It goes there and back in
 * blocks of the canonical order (weights_block.h), so no MPI message
 * count or offset exceeds INT_MAX however large the projection; every
 * other rank holds its own synapses and one block's buffer. A block is
 * WEIGHTS_BLOCK synapses, or HS_WEIGHTS_BLOCK from the environment (the
 * smallest any rank asks; tests/mpi/determinism.sh uses tiny blocks); the
 * results do not depend on it. The downscale
 * threshold is selected without any rank holding the projection
 * (weights_select.h).
 *
 * Every function here is called by one thread, outside parallel regions;
 * those marked collective are called by every rank in the same order,
 * and their failures are agreed over ranks (hs_mpi_agree), so no rank is
 * left waiting in a collective another one skipped.
 */
#ifndef HS_WEIGHTS_H
#define HS_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "network.h"

/* Under MPI: a projection's layout in blocks and the buffers of one block
 * (weights.c). */
typedef struct weights_xfer weights_xfer;

/* A projection's snapshot: [m] synapses on rank 0 (in one process, the
 * process's); NULL on other ranks. */
typedef struct weights_snap {
    uint64_t *pre, *post;
    double *w;
    weights_xfer *x;        /* NULL in one process */
} weights_snap;

/* This rank's synapses of projection j. */
size_t weights_count(const network *n, size_t j);

/* Copies this rank's weights of projection j into pre, post, w (each
 * weights_count long), in canonical order. Returns the number of synapses. */
size_t weights_local(const network *n, size_t j, uint64_t *pre, uint64_t *post, double *w);

/* Buffers for snapshots of projection j (collective). HS_OK, or HS_ENOMEM
 * with the size asked; free with weights_snap_free (also after a failure). */
int weights_snap_alloc(weights_snap *b, const network *n, size_t j, hs_error *err);
void weights_snap_free(weights_snap *b);

/* Every rank's synapses of projection j into rank 0's b->pre, b->post,
 * b->w in canonical order, their count into *m (0 on other ranks).
 * Collective; HS_OK, or the failure with err set. */
int weights_snap_take(const network *n, size_t j, weights_snap *b, size_t *m, hs_error *err);

/* Projection j's weights in the canonical order: on rank 0 (in one
 * process, the process) into *w ([*m], malloc'd, the caller frees); on
 * other ranks *w is NULL and *m the same count. Collective; on failure *w
 * is NULL. */
int weights_gather(const network *n, size_t j, float **w, size_t *m, hs_error *err);

/* The converse: w, rank 0's whole projection j in canonical order (as
 * weights_gather gives it), becomes the weights of every rank's synapses.
 * Other ranks' w is not read (may be NULL). Collective. */
int weights_scatter(network *n, size_t j, const float *w, hs_error *err);

/* Permutes projection j's weights among its synapses (the shuffle control
 * of phase `phase`): gsl_ran_shuffle of the whole projection in canonical
 * order from the stream (seed, RNG_KIND_SHUFFLE, phase, j), on rank 0 under
 * MPI: the same permutation for any thread count and MPI split.
 * Collective. */
int weights_shuffle(network *n, size_t j, size_t phase, hs_error *err);

/* The (1 - spare) quantile of projection j's weights over every rank into
 * *out: the bits gsl_stats_quantile_from_sorted_data gives on all of them
 * sorted (weights_select.h says how, and its one caveat on signed zeros),
 * the same on every rank; +inf when spare <= 0 or the projection is empty.
 * No copy of the weights is made. Collective; HS_OK, or HS_ENOMEM /
 * HS_EINTERNAL with err saying what failed. */
int weights_quantile(const network *n, size_t j, double spare, double *out, hs_error *err);

#endif
