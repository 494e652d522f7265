/* weights_block.h: a projection's synapses cut into blocks of the
 * canonical order, to move them to MPI rank 0 and back (weights.h).
 *
 * The canonical order is by presynaptic row; within a row rank by rank,
 * each rank's targets ascending. Block b holds the synapses at positions
 * [b cap, (b + 1) cap) of it (the last block fewer). Because a rank's own
 * order (weights_local) maps increasingly into the canonical one, a
 * rank's synapses of block b are a contiguous run of its own,
 * lo[b] .. lo[b + 1]. No message about a block carries more than cap
 * synapses, and cap x words per synapse stays at most INT_MAX: the int
 * counts and offsets of MPI hold for a projection of any size, rows
 * longer than a block included (a row may span blocks). Every other
 * count is 64-bit.
 *
 * Where this rank's synapses of row i start in the canonical order:
 *   R_i + X_i,   R_i = the sum over rows i' < i of every rank's counts,
 *                X_i = row i's synapses on the ranks below this one;
 * a boundary P = b cap inside row i (R_i <= P < R_i + T_i, T_i every
 * rank's count of row i) has lo[b] = (own synapses of rows before i) +
 * clamp(P - R_i - X_i, 0, own count of row i).
 *
 * Pure functions, except weights_layout_build (collective over ranks).
 */
#ifndef HS_WEIGHTS_BLOCK_H
#define HS_WEIGHTS_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "network.h"

/* Synapses per block when nothing else is asked: 4 Mi, 48 MB of the
 * largest messages (3 words per synapse). */
#define WEIGHTS_BLOCK ((uint64_t)1 << 22)

typedef struct weights_layout {
    uint64_t total;     /* the projection's synapses over every rank */
    uint64_t own;       /* this rank's */
    uint64_t cap;       /* synapses per block */
    size_t n_blocks;
    uint64_t *lo;       /* [n_blocks + 1] own synapses before each block */
    /* where weights_layout_rows stands */
    uint64_t row_at;    /* canonical position of the next row's start */
    uint64_t own_at;    /* own synapses of the rows before it */
    size_t next;        /* the next boundary to place */
} weights_layout;

/* Synapses per block for messages of `words` 32-bit words per synapse:
 * want, lowered until cap x words <= INT_MAX; at least 1. */
uint64_t weights_block_cap(uint64_t want, size_t words);

/* Starts the layout of `total` synapses in blocks of cap (>= 1), `own` of
 * them this rank's: lo[0] = 0 and lo[n_blocks] = own, the boundaries
 * between to be placed by weights_layout_rows. HS_OK, or HS_ENOMEM with
 * the size asked in err. Free with weights_layout_free (also after a
 * failure). */
int weights_layout_init(weights_layout *L, uint64_t total, uint64_t own, uint64_t cap,
                        hs_error *err);
void weights_layout_free(weights_layout *L);

/* The next n rows of the projection, in order: this rank's counts own[],
 * the counts of the ranks below it below[], every rank's all[]. Places
 * the boundaries that fall inside them. */
void weights_layout_rows(weights_layout *L, const uint64_t *own, const uint64_t *below,
                         const uint64_t *all, size_t n);

/* Once every row was fed: whether every boundary was placed and the last
 * row ended at total (the counts of every rank agreed). */
int weights_layout_complete(const weights_layout *L);

/* Block b's synapses over every rank, and this rank's. */
uint64_t weights_layout_size(const weights_layout *L, size_t b);
uint64_t weights_layout_own(const weights_layout *L, size_t b);

/* Projection j's layout in blocks of cap (the same on every rank):
 * collective, the counts exchanged in chunks of rows. Failure agreed. */
int weights_layout_build(const network *n, size_t j, uint64_t cap, weights_layout *L,
                         hs_error *err);

/* Rank 0's half of a block: count[r] synapses came from rank r, one after
 * the other (stride 32-bit words each, the presynaptic neuron first), each
 * rank's in its own order. Writes to src[p] which of them is the block's
 * p-th in the canonical order (by pre, then rank by rank) and returns how
 * many there were. at: [2 n_ranks] scratch. */
size_t weights_block_merge(const uint32_t *data, size_t stride, const uint64_t *count,
                           int n_ranks, size_t *at, size_t *src);

#endif
