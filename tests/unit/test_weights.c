/* test_weights.c: a projection's weights in canonical order (sim/weights.h),
 * its blocks for MPI (sim/weights_block.h) and the selection of the
 * downscale threshold (sim/weights_select.h).
 *
 * Known answers: the canonical order, snapshots, gather and scatter equal
 * weights_local at 1, 2 and 4 threads; the shuffle is gsl_ran_shuffle of
 * the canonical weights from the shuffle stream. Properties: block layouts
 * of simulated ranks (random row counts, rows longer than a block) cover
 * each block once, rank 0's merge gives the canonical order, and no count
 * or offset of a block's messages exceeds INT_MAX, even for projections of
 * billions of synapses (counts only); the quantile selected from
 * histograms, in one pass over runs and over simulated ranks whose
 * histograms are summed as MPI_Allreduce sums them, is bitwise GSL's on
 * the sorted array, for ties, negative weights, all-equal sets, tiny n
 * and spare fractions at the extremes. MPI itself is tested by
 * tests/mpi/determinism.sh. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../../base/mpi.h"
#include "../../base/rng.h"
#include "../../sim/weights_block.h"
#include "../../sim/weights_select.h"
#include "suites.h"
#include "../lib/testutil.h"

/* ---- canonical order on a built network ---- */

/* Three projections over blocks of 64 (4 threads own parts of each
 * population): drawn, constant and negative weights, multapses possible
 * under fixed_indegree. */
static const char net_yaml[] =
    "simulation: {dt_ms: 0.1, duration_ms: 1, seed: 4}\n"
    "populations:\n"
    "  a: {model: lif_cuba, size: 300}\n"
    "  b: {model: lif_cuba, size: 130}\n"
    "  s: {model: poisson, size: 70, params: {rate: 0}}\n"
    "projections:\n"
    "  ab: {pre: a, post: b, receptor: in, connect: {rule: fixed_probability, p: 0.1},\n"
    "       weight: {dist: normal, mean: -5, sd: 10}}\n"
    "  aa: {pre: a, post: a, receptor: ex, connect: {rule: fixed_indegree, indegree: 17},\n"
    "       weight: {dist: uniform, low: 0, high: 3}}\n"
    "  sb: {pre: s, post: b, receptor: ex, connect: {rule: all_to_all}, weight: 2}\n";

typedef struct syns {
    uint64_t *pre, *post;
    double *w;
    size_t n;
} syns;

static syns local_of(const network *n, size_t j)
{
    size_t m = weights_count(n, j);
    syns s = {malloc((m + 1) * sizeof *s.pre), malloc((m + 1) * sizeof *s.post),
              malloc((m + 1) * sizeof *s.w), 0};
    ck_assert(s.pre && s.post && s.w);
    s.n = weights_local(n, j, s.pre, s.post, s.w);
    ck_assert_uint_eq(s.n, m);
    return s;
}

static void syns_free(syns *s)
{
    free(s->pre);
    free(s->post);
    free(s->w);
}

static int syns_equal(const syns *a, const uint64_t *pre, const uint64_t *post, const double *w,
                      size_t n)
{
    return a->n == n && !memcmp(a->pre, pre, n * sizeof *pre) &&
           !memcmp(a->post, post, n * sizeof *post) && !memcmp(a->w, w, n * sizeof *w);
}

static const int thread_counts[] = {1, 2, 4};

START_TEST(test_canonical_order)
{
    hs_config *c = tu_config(net_yaml, NULL, 0);
    hs_error err;
    network *one = tu_network_build(c, 1, &err);
    network *n = tu_network_build(c, thread_counts[_i], &err);
    ck_assert(one && n);
    for (size_t j = 0; j < n->n_projs; j++) {
        syns ref = local_of(one, j), s = local_of(n, j);
        /* by pre, then target; the same list for any thread count */
        for (size_t k = 1; k < s.n; k++)
            ck_assert(s.pre[k - 1] < s.pre[k] ||
                      (s.pre[k - 1] == s.pre[k] && s.post[k - 1] <= s.post[k]));
        ck_assert(syns_equal(&ref, s.pre, s.post, s.w, s.n));
        /* a snapshot is the same list */
        weights_snap b;
        size_t m = 0;
        ck_assert_int_eq(weights_snap_alloc(&b, n, j, &err), HS_OK);
        ck_assert_int_eq(weights_snap_take(n, j, &b, &m, &err), HS_OK);
        ck_assert(syns_equal(&ref, b.pre, b.post, b.w, m));
        weights_snap_free(&b);
        /* gathered (checkpoints): the weights of that list, as floats */
        float *w;
        ck_assert_int_eq(weights_gather(n, j, &w, &m, &err), HS_OK);
        ck_assert_uint_eq(m, ref.n);
        for (size_t k = 0; k < m; k++)
            ck_assert(w[k] == (float)ref.w[k]);
        syns_free(&ref);
        syns_free(&s);
        free(w);
    }
    tu_network_free(one);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

START_TEST(test_scatter_and_shuffle)
{
    hs_config *c = tu_config(net_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, thread_counts[_i], &err);
    ck_assert_ptr_nonnull(n);
    for (size_t j = 0; j < n->n_projs; j++) {
        syns before = local_of(n, j);
        size_t m = before.n;
        /* scattered weights land at their canonical places */
        float *w = malloc(m * sizeof *w);
        for (size_t k = 0; k < m; k++)
            w[k] = (float)k * 0.25f - 7.0f;
        ck_assert_int_eq(weights_scatter(n, j, w, &err), HS_OK);
        syns mid = local_of(n, j);
        for (size_t k = 0; k < m; k++)
            ck_assert(mid.w[k] == (double)w[k]);
        /* the shuffle: gsl_ran_shuffle of that list from the stream
         * (seed, RNG_KIND_SHUFFLE, phase, j) */
        rng_state st;
        rng_stream_init(&st, n->seed, RNG_KIND_SHUFFLE, 3, (uint32_t)j);
        gsl_rng r = rng_view(&st);
        gsl_ran_shuffle(&r, w, m, sizeof *w);
        ck_assert_int_eq(weights_shuffle(n, j, 3, &err), HS_OK);
        syns after = local_of(n, j);
        ck_assert(!memcmp(after.pre, before.pre, m * sizeof *after.pre));
        ck_assert(!memcmp(after.post, before.post, m * sizeof *after.post));
        for (size_t k = 0; k < m; k++)
            ck_assert(after.w[k] == (double)w[k]);
        free(w);
        syns_free(&before);
        syns_free(&mid);
        syns_free(&after);
    }
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* ---- blocks ---- */

START_TEST(test_block_cap)
{
    const uint64_t wants[] = {0, 1, 7, WEIGHTS_BLOCK, INT_MAX, (uint64_t)INT_MAX + 1,
                              (uint64_t)1 << 40, UINT64_MAX};
    for (size_t q = 0; q < sizeof wants / sizeof wants[0]; q++)
        for (size_t words = 1; words <= 3; words++) {
            uint64_t cap = weights_block_cap(wants[q], words);
            ck_assert_uint_ge(cap, 1);
            ck_assert_uint_le(cap * words, INT_MAX);
            ck_assert_uint_le(cap, wants[q] ? wants[q] : 1);
        }
    ck_assert_uint_eq(weights_block_cap(UINT64_MAX, 3), INT_MAX / 3);
    /* the counts MPI takes: refused, never truncated, past INT_MAX */
    int ints[6];
    hs_error err;
    uint64_t fits[3] = {INT_MAX - 2, 1, 1}, count[3] = {1, (uint64_t)INT_MAX + 1, 0},
             offset[3] = {INT_MAX, 1, 1};
    ck_assert_int_eq(hs_mpi_int_counts(fits, 3, ints, "x", &err), HS_OK);
    ck_assert_int_eq(ints[5], INT_MAX - 1);
    ck_assert_int_eq(hs_mpi_int_counts(count, 3, ints, "a gather", &err), HS_EINTERNAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "a gather: rank 1's 2147483648 values"));
    ck_assert_int_eq(hs_mpi_int_counts(offset, 3, ints, "x", &err), HS_EINTERNAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "offset 2147483648"));
}
END_TEST

/* Simulated ranks of one projection: count[r * rows + i] synapses of row
 * i on rank r. Lays out every rank as weights_layout_build does (the
 * counts below and over all ranks, rows fed in chunks of `chunk`). */
static void layouts_of(const uint64_t *count, int ranks, size_t rows, uint64_t cap,
                       size_t chunk, weights_layout *L)
{
    uint64_t total = 0;
    for (size_t e = 0; e < (size_t)ranks * rows; e++)
        total += count[e];
    uint64_t *below = malloc((rows + 1) * sizeof *below), *all = malloc((rows + 1) * sizeof *all);
    for (int r = 0; r < ranks; r++) {
        uint64_t own = 0;
        for (size_t i = 0; i < rows; i++) {
            own += count[(size_t)r * rows + i];
            below[i] = all[i] = 0;
            for (int q = 0; q < ranks; q++) {
                all[i] += count[(size_t)q * rows + i];
                below[i] += q < r ? count[(size_t)q * rows + i] : 0;
            }
        }
        hs_error err;
        ck_assert_int_eq(weights_layout_init(&L[r], total, own, cap, &err), HS_OK);
        for (size_t i = 0; i < rows; i += chunk)
            weights_layout_rows(&L[r], count + (size_t)r * rows + i, below + i, all + i,
                                rows - i < chunk ? rows - i : chunk);
        ck_assert(weights_layout_complete(&L[r]));
    }
    free(below);
    free(all);
}

/* Every block: the ranks' runs add up to it, none longer than cap, and
 * the words of its messages (`words` per synapse) fit MPI's int counts. */
static void assert_blocks_cover(const weights_layout *L, int ranks, size_t words)
{
    uint64_t seen = 0, n[8];
    int ints[16];
    hs_error err;
    for (size_t b = 0; b < L[0].n_blocks; b++) {
        uint64_t sum = 0;
        for (int r = 0; r < ranks; r++) {
            ck_assert_uint_eq(L[r].n_blocks, L[0].n_blocks);
            ck_assert_uint_le(L[r].lo[b], L[r].lo[b + 1]);
            n[r] = weights_layout_own(&L[r], b) * words;
            sum += weights_layout_own(&L[r], b);
        }
        ck_assert_uint_eq(sum, weights_layout_size(&L[0], b));
        ck_assert_uint_le(sum, L[0].cap);
        ck_assert_int_eq(hs_mpi_int_counts(n, ranks, ints, "a block", &err), HS_OK);
        seen += sum;
    }
    ck_assert_uint_eq(seen, L[0].total);
}

START_TEST(test_layout_merge)
{
    /* random projections over 1-5 ranks; rank 0's merge of every block,
     * in order, is the canonical list; its src sends each rank its own */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 20 + (unsigned long)_i);
    for (int trial = 0; trial < 40; trial++) {
        int ranks = 1 + (int)gsl_rng_uniform_int(g, 5);
        size_t rows = 1 + gsl_rng_uniform_int(g, 30);
        uint64_t cap = 1 + gsl_rng_uniform_int(g, 40);
        uint64_t *count = calloc((size_t)ranks * rows, sizeof *count);
        for (size_t e = 0; e < (size_t)ranks * rows; e++)
            count[e] = gsl_rng_uniform(g) < 0.3 ? 0 : gsl_rng_uniform_int(g, trial % 4 ? 6 : 90);
        weights_layout L[5];
        layouts_of(count, ranks, rows, cap, 1 + gsl_rng_uniform_int(g, 7), L);
        assert_blocks_cover(L, ranks, 3);
        /* each synapse tagged (pre, rank, its index on the rank) */
        uint64_t total = L[0].total;
        uint32_t *want = malloc((3 * total + 1) * sizeof *want), *got = malloc((3 * total + 1) * sizeof *got);
        size_t k = 0;
        for (size_t i = 0; i < rows; i++)
            for (int r = 0; r < ranks; r++) {
                uint64_t before = 0;
                for (size_t q = 0; q < i; q++)
                    before += count[(size_t)r * rows + q];
                for (uint64_t s = 0; s < count[(size_t)r * rows + i]; s++, k++) {
                    want[3 * k] = (uint32_t)i;
                    want[3 * k + 1] = (uint32_t)r;
                    want[3 * k + 2] = (uint32_t)(before + s);
                }
            }
        ck_assert_uint_eq(k, total);
        uint32_t *recv = malloc((3 * cap + 1) * sizeof *recv);
        size_t *src = malloc((cap + 1) * sizeof *src), at[10];
        uint64_t from[5];
        for (size_t b = 0; b < L[0].n_blocks; b++) {
            /* each rank's run of the block, rank by rank, as Gatherv lays it */
            size_t e = 0;
            for (int r = 0; r < ranks; r++) {
                from[r] = weights_layout_own(&L[r], b);
                for (uint64_t s = L[r].lo[b]; s < L[r].lo[b + 1]; s++, e++) {
                    /* rank r's synapse s: its row from its own counts */
                    uint64_t acc = 0;
                    size_t i = 0;
                    while (acc + count[(size_t)r * rows + i] <= s)
                        acc += count[(size_t)r * rows + i++];
                    recv[3 * e] = (uint32_t)i;
                    recv[3 * e + 1] = (uint32_t)r;
                    recv[3 * e + 2] = (uint32_t)s;
                }
            }
            size_t m = weights_block_merge(recv, 3, from, ranks, at, src);
            ck_assert_uint_eq(m, weights_layout_size(&L[0], b));
            for (size_t p = 0; p < m; p++)
                memcpy(&got[3 * (b * cap + p)], &recv[3 * src[p]], 3 * sizeof *got);
        }
        ck_assert(!memcmp(want, got, 3 * total * sizeof *want));
        for (int r = 0; r < ranks; r++)
            weights_layout_free(&L[r]);
        free(count);
        free(want);
        free(got);
        free(recv);
        free(src);
    }
    gsl_rng_free(g);
}
END_TEST

START_TEST(test_layout_huge)
{
    /* counts alone: 3 ranks x 5 rows of up to 3e9 synapses (rows past
     * 2^32, a projection of ~2.6e10), in the default blocks and in the
     * largest a 3-word message allows: every block's messages fit ints */
    const uint64_t caps[] = {weights_block_cap(WEIGHTS_BLOCK, 3),
                             weights_block_cap(UINT64_MAX, 3), 1000000007};
    uint64_t count[15];
    for (size_t e = 0; e < 15; e++)
        count[e] = e % 4 == 1 ? 0 : 3000000000ull - 123456789ull * e;
    for (size_t q = 0; q < sizeof caps / sizeof caps[0]; q++) {
        weights_layout L[3];
        layouts_of(count, 3, 5, caps[q], 2, L);
        ck_assert_uint_gt(L[0].total, (uint64_t)1 << 34);
        assert_blocks_cover(L, 3, caps[q] <= INT_MAX / 3 ? 3 : 2);
        for (int r = 0; r < 3; r++)
            weights_layout_free(&L[r]);
    }
}
END_TEST

/* ---- the quantile ---- */

/* GSL on the whole array, sorted: today's value in one process. */
static double gsl_quantile(const float *w, size_t m, double f)
{
    double *d = malloc(m * sizeof *d);
    for (size_t k = 0; k < m; k++)
        d[k] = w[k];
    gsl_sort(d, 1, m);
    double q = gsl_stats_quantile_from_sorted_data(d, 1, m, f);
    free(d);
    return q;
}

static int no_reduce(void *ctx, uint64_t *v, size_t n, int op, hs_error *err)
{
    (void)ctx;
    (void)v;
    (void)n;
    (void)op;
    (void)err;
    return HS_OK;
}

/* The selection as P ranks run it, each rank's histogram counted on its
 * slice alone and the histograms summed (MPI_Allreduce), the minimum
 * above the key taken over ranks: a second path to the same bits. */
static double ranks_quantile(const float *w, const size_t *cut, int ranks, double f)
{
    uint64_t total = cut[ranks], lhs, *hist = calloc(WEIGHTS_SELECT_BINS, sizeof *hist),
             *mine = malloc(WEIGHTS_SELECT_BINS * sizeof *mine);
    double delta;
    int last;
    weights_select_index(total, f, &lhs, &delta, &last);
    weights_select s;
    weights_select_init(&s, lhs);
    hs_error err;
    for (int level = 0; level < 2; level++) {
        memset(hist, 0, WEIGHTS_SELECT_BINS * sizeof *hist);
        for (int r = 0; r < ranks; r++) {
            memset(mine, 0, WEIGHTS_SELECT_BINS * sizeof *mine);
            weights_select_count(w + cut[r], sizeof *w, cut[r + 1] - cut[r], s.level, s.top,
                                 mine);
            for (size_t d = 0; d < WEIGHTS_SELECT_BINS; d++)
                hist[d] += mine[d];
        }
        ck_assert_int_eq(weights_select_narrow(&s, hist, &err), HS_OK);
    }
    ck_assert_int_eq(s.level, 2);
    double a = weights_select_value(s.key), b = a;
    if (!last && s.below + s.equal < lhs + 2) {
        uint64_t best = UINT64_MAX;
        for (int r = 0; r < ranks; r++) {
            uint64_t mine_best = UINT64_MAX;
            weights_select_above(w + cut[r], sizeof *w, cut[r + 1] - cut[r], s.key, &mine_best);
            best = mine_best < best ? mine_best : best;
        }
        ck_assert_uint_le(best, UINT32_MAX);
        b = weights_select_value((uint32_t)best);
    }
    free(hist);
    free(mine);
    return last ? a : weights_select_interpolate(a, b, delta);
}

/* Weights of kind `kind`: spread, ties, negative, all equal, tiny and
 * denormal magnitudes, mixed; never -0 (see test_quantile_signed_zero). */
static float draw(gsl_rng *g, int kind)
{
    float w;
    switch (kind) {
    case 0: w = (float)gsl_rng_uniform(g) * 20.0f; break;
    case 1: w = (float)gsl_rng_uniform_int(g, 4) * 0.5f; break;
    case 2: w = (float)gsl_ran_gaussian(g, 30.0) - 10.0f; break;
    case 3: w = -3.25f; break;
    case 4: w = (float)(gsl_rng_uniform(g) - 0.5) * 4e-38f; break;
    case 5: w = (float)gsl_rng_uniform_int(g, 3) - 1.0f; break;
    default: w = (float)(gsl_rng_uniform(g) < 0.5 ? -1 : 1) * (float)exp(gsl_ran_gaussian(g, 8.0)); break;
    }
    return w == 0.0f ? 0.0f : w;
}

static double spare_of(gsl_rng *g, size_t m, int pick)
{
    switch (pick) {
    case 0: return 0.999;                           /* the most the config takes */
    case 1: return 1e-300;                          /* f rounds to 1: the last element */
    case 2: return DBL_EPSILON;                     /* f just below 1 */
    case 3: return m > 1 ? 1.0 - (double)gsl_rng_uniform_int(g, m) / (double)(m - 1) : 0.5;
    default: return 1e-6 + gsl_rng_uniform(g) * (0.999 - 1e-6);
    }
}

START_TEST(test_quantile_gsl)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    uint64_t *hist = malloc(WEIGHTS_SELECT_BINS * sizeof *hist);
    const size_t sizes[] = {1, 2, 3, 5, 17, 64, 1000, 20011};
    for (int trial = 0; trial < 600; trial++) {
        size_t m = trial < 64 ? sizes[trial % 8] : sizes[gsl_rng_uniform_int(g, 8)];
        int kind = trial % 7, ranks = 1 + (int)gsl_rng_uniform_int(g, 6);
        double spare = spare_of(g, m, (int)gsl_rng_uniform_int(g, 7)), f = 1.0 - spare;
        float *w = malloc(m * sizeof *w);
        for (size_t k = 0; k < m; k++)
            w[k] = draw(g, kind);
        /* cut among simulated ranks (some empty) */
        size_t cut[8];
        cut[0] = 0;
        cut[ranks] = m;
        for (int r = 1; r < ranks; r++) {
            size_t at = gsl_rng_uniform_int(g, m + 1);
            int q = r;
            for (; q > 1 && cut[q - 1] > at; q--)
                cut[q] = cut[q - 1];
            cut[q] = at;
        }
        /* the same cut as runs of one rank, one stride embedding them as
         * net_syn holds its weights */
        net_syn *syn = malloc(m * sizeof *syn);
        for (size_t k = 0; k < m; k++)
            syn[k] = (net_syn){(uint32_t)k, w[k]};
        weights_run runs[8];
        for (int r = 0; r < ranks; r++)
            runs[r] = (weights_run){&syn[cut[r]].weight, sizeof *syn, cut[r + 1] - cut[r]};
        double want = gsl_quantile(w, m, f), one, many = ranks_quantile(w, cut, ranks, f);
        hs_error err;
        ck_assert_int_eq(weights_select_quantile(runs, (size_t)ranks, m, f, hist, no_reduce,
                                                 NULL, &one, &err), HS_OK);
        if (memcmp(&want, &one, sizeof want) || memcmp(&want, &many, sizeof want))
            ck_abort_msg("trial %d: n %zu kind %d spare %.17g: GSL %.17g, selected %.17g, "
                         "over %d ranks %.17g", trial, m, kind, spare, want, one, ranks, many);
        free(w);
        free(syn);
    }
    free(hist);
    gsl_rng_free(g);
}
END_TEST

START_TEST(test_quantile_signed_zero)
{
    /* -0 < +0 here; GSL's heapsort leaves them in some order: equal as
     * numbers */
    const float w[] = {0.0f, -0.0f, -0.0f, 0.0f, 1.0f, -0.0f, -2.0f, 0.0f};
    uint64_t *hist = malloc(WEIGHTS_SELECT_BINS * sizeof *hist);
    for (double spare = 0.05; spare < 1.0; spare += 0.1) {
        weights_run run = {w, sizeof *w, 8};
        double q;
        hs_error err;
        ck_assert_int_eq(weights_select_quantile(&run, 1, 8, 1.0 - spare, hist, no_reduce, NULL,
                                                 &q, &err), HS_OK);
        ck_assert(q == gsl_quantile(w, 8, 1.0 - spare));
    }
    free(hist);
}
END_TEST

START_TEST(test_select_keys)
{
    const float order[] = {-INFINITY, -FLT_MAX, -1.5f, -FLT_MIN, -1e-45f, -0.0f, 0.0f,
                           1e-45f,    FLT_MIN,  1.0f,  FLT_MAX,  INFINITY};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        float back = weights_select_value(weights_select_key(order[k]));
        ck_assert(!memcmp(&back, &order[k], sizeof back));
        if (k)
            ck_assert_uint_lt(weights_select_key(order[k - 1]), weights_select_key(order[k]));
    }
    /* counts that fall short of the rank sought are an error, not a guess */
    uint64_t *hist = calloc(WEIGHTS_SELECT_BINS, sizeof *hist);
    hist[5] = 3;
    weights_select s;
    weights_select_init(&s, 3);
    hs_error err;
    ck_assert_int_eq(weights_select_narrow(&s, hist, &err), HS_EINTERNAL);
    free(hist);
}
END_TEST

static int failing_reduce(void *ctx, uint64_t *v, size_t n, int op, hs_error *err)
{
    (void)ctx;
    (void)v;
    (void)n;
    (void)op;
    return hs_error_set(err, HS_EINTERNAL, "MPI_Allreduce failed: the peer went away");
}

START_TEST(test_quantile_network)
{
    hs_config *c = tu_config(net_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, thread_counts[_i], &err);
    ck_assert_ptr_nonnull(n);
    const double spares[] = {1e-300, 0.01, 0.1, 0.5, 0.999};
    for (size_t j = 0; j < n->n_projs; j++) {
        syns s = local_of(n, j);
        float *w = malloc(s.n * sizeof *w);
        for (size_t k = 0; k < s.n; k++)
            w[k] = (float)s.w[k];
        for (size_t q = 0; q < sizeof spares / sizeof spares[0]; q++) {
            double got, want = gsl_quantile(w, s.n, 1.0 - spares[q]);
            ck_assert_int_eq(weights_quantile(n, j, spares[q], &got, &err), HS_OK);
            ck_assert(!memcmp(&got, &want, sizeof got));
        }
        double none;
        ck_assert_int_eq(weights_quantile(n, j, 0.0, &none, &err), HS_OK);
        ck_assert(isinf(none) && none > 0);
        free(w);
        syns_free(&s);
    }
    /* a failed exchange says so, not "out of memory" */
    uint64_t *hist = malloc(WEIGHTS_SELECT_BINS * sizeof *hist);
    float one = 1.0f;
    weights_run run = {&one, sizeof one, 1};
    double q;
    ck_assert_int_eq(weights_select_quantile(&run, 1, 1, 0.5, hist, failing_reduce, NULL, &q,
                                             &err), HS_EINTERNAL);
    ck_assert_str_eq(err.msg, "MPI_Allreduce failed: the peer went away");
    free(hist);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

Suite *weights_suite(void)
{
    Suite *s = suite_create("weights");
    TCase *tc = tcase_create("weights");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_canonical_order, 0, 3);
    tcase_add_loop_test(tc, test_scatter_and_shuffle, 0, 3);
    tcase_add_test(tc, test_block_cap);
    tcase_add_loop_test(tc, test_layout_merge, 0, 4);
    tcase_add_test(tc, test_layout_huge);
    tcase_add_test(tc, test_select_keys);
    tcase_add_test(tc, test_quantile_gsl);
    tcase_add_test(tc, test_quantile_signed_zero);
    tcase_add_loop_test(tc, test_quantile_network, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
