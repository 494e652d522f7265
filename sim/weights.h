/* weights.h: a projection's weights as one list in the canonical order,
 * by presynaptic neuron, then target (ascending): the same for any thread
 * count and any MPI split. Snapshots, checkpoints, the shuffle control and
 * the downscale threshold read and write weights through it, so nothing
 * below the schedule calls the schedule back.
 */
#ifndef HS_WEIGHTS_H
#define HS_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "network.h"

/* A projection's snapshot: [m] synapses of all ranks; under MPI also the
 * exchange of every rank's (pre, post, weight bits) triples. */
typedef struct weights_snap {
    uint64_t *pre, *post;
    double *w;
    uint32_t *send, *recv;  /* [3 own], [3 m] */
    uint64_t *n;            /* [n_ranks] values each rank sent */
    int *ints;              /* [2 n_ranks] */
    size_t *at;             /* [n_ranks] merge cursors */
} weights_snap;

/* This rank's synapses of projection j. */
size_t weights_count(const network *n, size_t j);

/* Copies this rank's weights of projection j into pre, post, w (each
 * weights_count long), in canonical order. Returns the number of synapses. */
size_t weights_local(const network *n, size_t j, uint64_t *pre, uint64_t *post, double *w);

/* Buffers for snapshots of projection j (collective over MPI ranks).
 * HS_OK or HS_ENOMEM; free with weights_snap_free (also after a failure). */
int weights_snap_alloc(weights_snap *b, const network *n, size_t j, hs_error *err);
void weights_snap_free(weights_snap *b);

/* Every rank's synapses of projection j into b->pre, b->post, b->w in
 * canonical order (collective). Returns their count, or -1 with err set. */
long weights_snap_take(const network *n, size_t j, weights_snap *b, hs_error *err);

/* Every rank's weights of projection j in the canonical order into *w
 * ([*m], malloc'd), and where each of this rank's synapses (in
 * weights_local order) lands in it into *mine (malloc'd; NULL in one
 * process, where they are all of *w in order). Collective over MPI ranks;
 * on failure (agreed) *w and *mine are NULL. */
int weights_gather(const network *n, size_t j, float **w, size_t *m, size_t **mine,
                   hs_error *err);

/* This rank's synapses of projection j take their weights from w, the
 * whole projection in canonical order, at the places mine says (both from
 * weights_gather). */
void weights_keep(network *n, size_t j, const float *w, const size_t *mine);

/* Permutes projection j's weights among its synapses (the shuffle control
 * of phase `phase`), from the stream (seed, RNG_KIND_SHUFFLE, phase, j):
 * the same permutation for any thread count and MPI split. Collective. */
int weights_shuffle(network *n, size_t j, size_t phase, hs_error *err);

/* The (1 - spare) quantile of projection j's weights over every rank's
 * (GSL, from the sorted weights) into *out; +inf when spare <= 0 or the
 * projection is empty. Collective; HS_OK, or HS_ENOMEM / HS_EINTERNAL with err set. */
int weights_quantile(const network *n, size_t j, double spare, double *out, hs_error *err);

#endif
