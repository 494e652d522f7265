/* weights_select.h: order statistics and quantiles of weights spread over
 * threads and MPI ranks, without sorting or copying them (weights.h:
 * weights_quantile, the downscale threshold).
 *
 * Keys: a float's bits as a uint32 whose order is the floats' order,
 *   key(w) = ~bits when the sign bit is set, else bits | 2^31,
 * so -inf < ... < -0 < +0 < ... < +inf, and equal keys are equal bits.
 *
 * Selection of the k-th smallest (0-based) by radix refinement over two
 * levels of 16 bits. Level 0: every rank counts its keys by their top 16
 * bits into 65536 bins, and the bins are summed over ranks (integers:
 * exact in any order, so the same on every rank); the bin where the
 * running sum first exceeds k fixes the top bits. Level 1 counts only the
 * keys with those top bits, by their low 16 bits, which fixes the key.
 * The key is then the k-th element of the sorted weights exactly, for any
 * split over ranks and threads.
 *
 * Quantile: as GSL's gsl_stats_quantile_from_sorted_data (GSL 2.7,
 * statistics/quantiles_source.c) takes it from n sorted values x,
 *   index = f (n - 1), lhs = (int) index, delta = index - lhs,
 *   q = x[lhs] when lhs = n - 1, else (1 - delta) x[lhs] + delta x[lhs + 1].
 * Here lhs is a 64-bit integer (GSL's int cast overflows past 2^31
 * values; below that they agree). Only x[lhs] and x[lhs + 1] are needed:
 * the key selected, and x[lhs + 1] is the same key when more than lhs + 1
 * keys are at or below it, else the smallest key above it (a minimum over
 * ranks). The interpolation is left to GSL itself, on the pair {x[lhs],
 * x[lhs + 1]} with f = delta (index delta, lhs 0, the same delta), so it
 * rounds exactly as GSL does on the whole sorted array.
 * The quantile's bits are GSL's on the sorted weights, with one
 * exception: GSL sorts -0 and +0 as equal, in whatever order its heapsort
 * leaves them, while here -0 < +0; on zeros of both signs the two may
 * differ in the sign of a zero (equal as numbers, so a threshold compared
 * with < spares the same weights). NaN weights have no place in either.
 */
#ifndef HS_WEIGHTS_SELECT_H
#define HS_WEIGHTS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

#define WEIGHTS_SELECT_BINS ((size_t)1 << 16)

uint32_t weights_select_key(float w);
float weights_select_value(uint32_t key);

/* Adds the m floats at base, stride bytes apart, to hist[WEIGHTS_SELECT_BINS]:
 * level 0 by their keys' top 16 bits; level 1 only those whose top 16
 * bits are `top`, by their low 16 bits. */
void weights_select_count(const void *base, size_t stride, size_t m, int level, uint32_t top,
                          uint64_t *hist);

/* Lowers *best to the smallest key above `key` among the m floats (as
 * weights_select_count); *best starts at UINT64_MAX (none). */
void weights_select_above(const void *base, size_t stride, size_t m, uint32_t key,
                          uint64_t *best);

/* Where a selection of the k-th smallest key stands. */
typedef struct weights_select {
    uint64_t k;         /* the rank sought, 0-based */
    int level;          /* the level to count next (0, 1); 2 once found */
    uint32_t top;       /* from level 0: the key's top 16 bits */
    uint32_t key;       /* found: the key */
    uint64_t below;     /* keys below the bins of the current level */
    uint64_t equal;     /* found: the keys equal to it */
} weights_select;

void weights_select_init(weights_select *s, uint64_t k);

/* Narrows s with its level's histogram summed over every rank. HS_OK, or
 * HS_EINTERNAL when the bins hold no more than k keys (the ranks' counts
 * disagree with the total). */
int weights_select_narrow(weights_select *s, const uint64_t *hist, hs_error *err);

/* GSL's index arithmetic for the f quantile of n > 0 sorted values: lhs,
 * delta, and whether lhs is the last (x[lhs] is then the quantile). */
void weights_select_index(uint64_t n, double f, uint64_t *lhs, double *delta, int *last);

/* (1 - delta) a + delta b, computed by GSL's quantile on {a, b}. */
double weights_select_interpolate(double a, double b, double delta);

/* A rank's weights: runs of m floats, stride bytes apart. */
typedef struct weights_run {
    const void *base;
    size_t stride, m;
} weights_run;

/* v[0..n) combined over every rank in place, element-wise, by op
 * (HS_MPI_SUM or HS_MPI_MIN of base/mpi.h); failure agreed over ranks. */
typedef int (*weights_reduce_fn)(void *ctx, uint64_t *v, size_t n, int op, hs_error *err);

/* The f quantile (0 <= f <= 1) of the weights in runs[0..n_runs) of every
 * rank, `total` (> 0) of them over all ranks, as GSL gives it from the
 * sorted weights, into *out. hist: [WEIGHTS_SELECT_BINS] scratch.
 * Collective through reduce (three reductions: two histograms and one
 * minimum); HS_OK or reduce's error. */
int weights_select_quantile(const weights_run *runs, size_t n_runs, uint64_t total, double f,
                            uint64_t *hist, weights_reduce_fn reduce, void *ctx, double *out,
                            hs_error *err);

#endif
