/* rank.c: rank-order replay scores and their permutation p-values (rank.h). */
#include "rank.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "../base/rng.h"

int replay_spike_cmp(const void *a, const void *b)
{
    const replay_spike *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static void result_empty(replay_rank *out, replay_rank_status status, size_t n_cells)
{
    out->status = status;
    out->n_cells = n_cells;
    out->n_perm = 0;
    out->rho = NAN;
    out->p = 1.0;
    out->direction = 0;
}

static int check_input(const uint32_t *ids, size_t n, double start_ms, double stop_ms,
                       size_t n_cells, size_t n_perm, uint64_t event_id, hs_error *err)
{
    if (!isfinite(start_ms) || !isfinite(stop_ms) || !(stop_ms > start_ms))
        return hs_error_set(err, HS_EINPUT, "replay rank: bad event [%g, %g) ms", start_ms,
                            stop_ms);
    if (n_perm < REPLAY_RANK_MIN_PERM)
        return hs_error_set(err, HS_EINPUT, "replay rank: n_perm %zu < %d", n_perm,
                            REPLAY_RANK_MIN_PERM);
    if (event_id >> 56)
        return hs_error_set(err, HS_EINPUT, "replay rank: event_id %llu >= 2^56",
                            (unsigned long long)event_id);
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= n_cells)
            return hs_error_set(err, HS_EINPUT,
                                "replay rank: spike %zu has cell id %u >= n_cells %zu", i,
                                ids[i], n_cells);
    return HS_OK;
}

/* The active cells with a field, in first-spike order; returns how many. */
static size_t first_spikes(const double *t_ms, const uint32_t *ids, size_t n, double start_ms,
                           double stop_ms, const double *centre, size_t n_cells,
                           double *first, replay_spike *cells)
{
    for (size_t c = 0; c < n_cells; c++)
        first[c] = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (t_ms[i] >= start_ms && t_ms[i] < stop_ms && t_ms[i] < first[ids[i]])
            first[ids[i]] = t_ms[i];
    size_t m = 0;
    for (size_t c = 0; c < n_cells; c++) {
        if (first[c] < INFINITY && isfinite(centre[c])) {
            cells[m].t_ms = first[c];
            cells[m].id = (uint32_t)c;
            m++;
        }
    }
    qsort(cells, m, sizeof *cells, replay_spike_cmp);
    return m;
}

/* #{perm: |rho_perm| >= |rho|} over n_perm shuffles of rank against c. */
static size_t count_extreme(double *rank, const double *c, size_t m, double rho, size_t n_perm,
                            uint64_t seed, uint64_t event_id, double *work)
{
    rng_state s;
    rng_stream_init(&s, seed, RNG_KIND_RANK_ORDER, (uint32_t)(event_id >> 32),
                    (uint32_t)event_id);
    gsl_rng r = rng_view(&s);
    double bar = fabs(rho) - 1e-12;
    size_t k = 0;
    for (size_t j = 0; j < n_perm; j++) {
        gsl_ran_shuffle(&r, rank, m, sizeof *rank);
        k += fabs(gsl_stats_spearman(rank, 1, c, 1, m, work)) >= bar;
    }
    return k;
}

static int all_equal(const double *c, size_t m)
{
    for (size_t k = 1; k < m; k++)
        if (c[k] != c[0])
            return 0;
    return 1;
}

int replay_rank_order(const double *t_ms, const uint32_t *ids, size_t n, double start_ms,
                      double stop_ms, const double *field_center_cm, size_t n_cells,
                      size_t n_perm, uint64_t seed, uint64_t event_id, replay_rank *out,
                      hs_error *err)
{
    result_empty(out, REPLAY_RANK_TOO_FEW, 0);
    int st = check_input(ids, n, start_ms, stop_ms, n_cells, n_perm, event_id, err);
    if (st)
        return st;
    double *first = malloc((n_cells ? n_cells : 1) * sizeof *first);
    replay_spike *cells = malloc((n_cells ? n_cells : 1) * sizeof *cells);
    double *buf = malloc((n_cells ? 4 * n_cells : 1) * sizeof *buf);
    if (!first || !cells || !buf) {
        st = hs_error_set(err, HS_ENOMEM, "replay rank: out of memory (%zu cells)", n_cells);
        goto done;
    }
    size_t m = first_spikes(t_ms, ids, n, start_ms, stop_ms, field_center_cm, n_cells, first,
                            cells);
    double *rank = buf, *c = buf + m, *work = buf + 2 * m;
    for (size_t k = 0; k < m; k++) {
        rank[k] = (double)k;
        c[k] = field_center_cm[cells[k].id];
    }
    if (m < REPLAY_RANK_MIN_CELLS) {
        result_empty(out, REPLAY_RANK_TOO_FEW, m);
        goto done;
    }
    if (all_equal(c, m)) {
        result_empty(out, REPLAY_RANK_NO_ORDER, m);
        goto done;
    }
    double rho = gsl_stats_spearman(rank, 1, c, 1, m, work);
    size_t k = count_extreme(rank, c, m, rho, n_perm, seed, event_id, work);
    out->status = REPLAY_RANK_OK;
    out->n_cells = m;
    out->n_perm = n_perm;
    out->rho = rho;
    out->p = (1.0 + (double)k) / (1.0 + (double)n_perm);
    out->direction = rho > 0 ? 1 : rho < 0 ? -1 : 0;
done:
    free(first);
    free(cells);
    free(buf);
    return st;
}
