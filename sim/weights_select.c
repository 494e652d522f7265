/* weights_select.c: radix selection of weights over ranks, and GSL's
 * quantile from two order statistics (weights_select.h). */
#include "weights_select.h"

#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "../base/mpi.h"

#define SIGN 0x80000000u
#define LOW 0xffffu

uint32_t weights_select_key(float w)
{
    uint32_t u;
    memcpy(&u, &w, sizeof u);
    return u & SIGN ? ~u : u | SIGN;
}

float weights_select_value(uint32_t key)
{
    uint32_t u = key & SIGN ? key & ~SIGN : ~key;
    float w;
    memcpy(&w, &u, sizeof w);
    return w;
}

static uint32_t key_at(const void *base, size_t stride, size_t q)
{
    float w;
    memcpy(&w, (const char *)base + q * stride, sizeof w);
    return weights_select_key(w);
}

void weights_select_count(const void *base, size_t stride, size_t m, int level, uint32_t top,
                          uint64_t *hist)
{
    if (level == 0) {
        for (size_t q = 0; q < m; q++)
            hist[key_at(base, stride, q) >> 16]++;
        return;
    }
    for (size_t q = 0; q < m; q++) {
        uint32_t k = key_at(base, stride, q);
        if (k >> 16 == top)
            hist[k & LOW]++;
    }
}

void weights_select_above(const void *base, size_t stride, size_t m, uint32_t key,
                          uint64_t *best)
{
    for (size_t q = 0; q < m; q++) {
        uint32_t k = key_at(base, stride, q);
        if (k > key && k < *best)
            *best = k;
    }
}

void weights_select_init(weights_select *s, uint64_t k)
{
    *s = (weights_select){.k = k};
}

int weights_select_narrow(weights_select *s, const uint64_t *hist, hs_error *err)
{
    uint64_t below = s->below;
    size_t d = 0;
    for (; d < WEIGHTS_SELECT_BINS && below + hist[d] <= s->k; d++)
        below += hist[d];
    if (d == WEIGHTS_SELECT_BINS)
        return hs_error_set(err, HS_EINTERNAL, "selecting weight %llu of a projection: the "
                            "ranks' weights are fewer", (unsigned long long)s->k);
    s->below = below;
    if (s->level == 0) {
        s->top = (uint32_t)d;
        s->level = 1;
    } else {
        s->key = s->top << 16 | (uint32_t)d;
        s->equal = hist[d];
        s->level = 2;
    }
    return HS_OK;
}

void weights_select_index(uint64_t n, double f, uint64_t *lhs, double *delta, int *last)
{
    /* GSL: index = f * (n - 1); lhs = (int)index; delta = index - lhs */
    double index = f * (double)(n - 1);
    *lhs = index > 0 ? (uint64_t)index : 0;
    if (*lhs > n - 1)
        *lhs = n - 1;
    *delta = index - (double)*lhs;
    *last = *lhs == n - 1;
}

double weights_select_interpolate(double a, double b, double delta)
{
    /* n = 2, f = delta: GSL's index is delta, lhs 0, and its delta ours */
    const double pair[2] = {a, b};
    return gsl_stats_quantile_from_sorted_data(pair, 1, 2, delta);
}

static int select_level(const weights_run *runs, size_t n_runs, weights_select *s,
                        uint64_t *hist, weights_reduce_fn reduce, void *ctx, hs_error *err)
{
    memset(hist, 0, WEIGHTS_SELECT_BINS * sizeof *hist);
    for (size_t r = 0; r < n_runs; r++)
        weights_select_count(runs[r].base, runs[r].stride, runs[r].m, s->level, s->top, hist);
    int rc = reduce(ctx, hist, WEIGHTS_SELECT_BINS, HS_MPI_SUM, err);
    return rc == HS_OK ? weights_select_narrow(s, hist, err) : rc;
}

int weights_select_quantile(const weights_run *runs, size_t n_runs, uint64_t total, double f,
                            uint64_t *hist, weights_reduce_fn reduce, void *ctx, double *out,
                            hs_error *err)
{
    uint64_t lhs;
    double delta;
    int last;
    weights_select_index(total, f, &lhs, &delta, &last);
    weights_select s;
    weights_select_init(&s, lhs);
    int rc = select_level(runs, n_runs, &s, hist, reduce, ctx, err);
    if (rc == HS_OK)
        rc = select_level(runs, n_runs, &s, hist, reduce, ctx, err);
    if (rc != HS_OK)
        return rc;
    double a = weights_select_value(s.key), b = a;
    /* x[lhs + 1] lies above the key when the key's copies end at lhs */
    if (!last && s.below + s.equal < lhs + 2) {
        uint64_t next = UINT64_MAX;
        for (size_t r = 0; r < n_runs; r++)
            weights_select_above(runs[r].base, runs[r].stride, runs[r].m, s.key, &next);
        if ((rc = reduce(ctx, &next, 1, HS_MPI_MIN, err)) != HS_OK)
            return rc;
        if (next > UINT32_MAX)
            return hs_error_set(err, HS_EINTERNAL, "selecting weight %llu of a projection: "
                                "none above it", (unsigned long long)lhs + 1);
        b = weights_select_value((uint32_t)next);
    }
    *out = last ? a : weights_select_interpolate(a, b, delta);
    return HS_OK;
}
