/* template.c: template matching over time scales (template.h). */
#include "template.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "../base/rng.h"

void replay_template_params_default(replay_template_params *p)
{
    *p = (replay_template_params){.bin_ms = 500, .f_min = 0.25, .f_max = 4, .n_factors = 9,
                                  .n_shuffle = 200};
}

int replay_template_params_check(const replay_template_params *p, hs_error *err)
{
    if (!(p->bin_ms > 0 && isfinite(p->bin_ms)))
        return hs_error_set(err, HS_EINPUT, "template: bin_ms must be positive");
    if (!(p->f_min > 0 && p->f_max >= p->f_min && isfinite(p->f_max)))
        return hs_error_set(err, HS_EINPUT, "template: need 0 < f_min <= f_max");
    if (p->n_factors < 1 || p->n_factors > REPLAY_TEMPLATE_MAX_FACTORS)
        return hs_error_set(err, HS_EINPUT, "template: n_factors must be in [1, %d]",
                            REPLAY_TEMPLATE_MAX_FACTORS);
    /* the corrected p of the best factor, n_factors / (1 + n_shuffle) at
     * least, must be able to fall below 0.05 */
    if (p->n_shuffle < 20 * p->n_factors)
        return hs_error_set(err, HS_EINPUT, "template: n_shuffle (%zu) must be at least 20 "
                            "n_factors (%zu)", p->n_shuffle, 20 * p->n_factors);
    return HS_OK;
}

int replay_template_from_laps(const double *t_ms, const uint32_t *ids, size_t n,
                              size_t n_cells, const double *lap_start_ms, size_t n_laps,
                              double lap_ms, double bin_ms, double *tmpl, hs_error *err)
{
    double k_bins = floor(lap_ms / bin_ms);
    if (!(k_bins * (double)(n_cells ? n_cells : 1) <= 1e9))
        return hs_error_set(err, HS_EINPUT, "template: %g bins of %g ms for %zu cells is too "
                            "many", k_bins, bin_ms, n_cells);
    size_t K = (size_t)k_bins;
    if (n_laps == 0 || K < 2)
        return hs_error_set(err, HS_EINPUT, "template: need a lap of at least two bins");
    memset(tmpl, 0, n_cells * K * sizeof *tmpl);
    for (size_t j = 0; j < n; j++) {
        if (ids[j] >= n_cells)
            return hs_error_set(err, HS_EINPUT, "template: cell id %u >= %zu", ids[j],
                                n_cells);
        for (size_t l = 0; l < n_laps; l++) {
            double u = t_ms[j] - lap_start_ms[l];
            if (u >= 0 && u < (double)K * bin_ms)
                tmpl[(size_t)ids[j] * K + (size_t)(u / bin_ms)] += 1.0 / (double)n_laps;
        }
    }
    return HS_OK;
}

/* Counts of the span's spikes in bins of w ms: c[i * nb + b]. */
static void bin_counts(const double *t_ms, const uint32_t *ids, size_t n, double t0,
                       double w, size_t nb, size_t n_cells, double *c)
{
    memset(c, 0, n_cells * nb * sizeof *c);
    for (size_t j = 0; j < n; j++) {
        double u = (t_ms[j] - t0) / w;
        if (u >= 0 && u < (double)nb)
            c[(size_t)ids[j] * nb + (size_t)u] += 1.0;
    }
}

/* The nonzero counts of c, cell by cell: sleep spikes are sparse, so the
 * windows' dot products are summed from them, not from the dense bins. */
typedef struct nz_counts {
    size_t n;
    uint32_t *cell, *bin;
    double *val;
} nz_counts;

static void nz_collect(const double *c, size_t n_cells, size_t nb, nz_counts *z)
{
    z->n = 0;
    for (size_t i = 0; i < n_cells; i++)
        for (size_t b = 0; b < nb; b++)
            if (c[i * nb + b] != 0.0) {
                z->cell[z->n] = (uint32_t)i;
                z->bin[z->n] = (uint32_t)b;
                z->val[z->n++] = c[i * nb + b];
            }
}

/* Best correlation over the nwin = nb - K + 1 windows of the counts z with
 * the template whose row i is tmpl row perm[i], given reversed in rev
 * (rev[j * K + K - 1 - k] = tmpl[j * K + k]); *at gets the window. dot is
 * scratch of nwin. */
static double scan(const double *rev, const size_t *perm, size_t n_cells, size_t K,
                   const nz_counts *z, size_t nwin, const double *wsum, const double *wsq,
                   double mT, double sT, double *dot, size_t *at)
{
    double nn = (double)(n_cells * K), best = -INFINITY;
    memset(dot, 0, nwin * sizeof *dot);
    for (size_t q = 0; q < z->n; q++) {
        const double *rr = rev + perm[z->cell[q]] * K;
        size_t b = z->bin[q];
        double v = z->val[q];
        /* count (i, b) falls in windows s = b - k, 0 <= s < nwin, with
         * template bin k = K - 1 - j: a forward run over j */
        size_t k0 = b >= nwin ? b - nwin + 1 : 0, k1 = b < K - 1 ? b : K - 1;
        size_t j0 = K - 1 - k1, j1 = K - 1 - k0;
        double *d = dot + (b + j0 - (K - 1));   /* window of template bin j0 */
        const double *r0 = rr + j0;
        for (size_t j = 0; j <= j1 - j0; j++)
            d[j] += v * r0[j];
    }
    *at = 0;
    for (size_t s = 0; s < nwin; s++) {
        double sx = wsum[s], sxx = wsq[s];
        double var = sxx / nn - (sx / nn) * (sx / nn);
        if (!(var > 0))
            continue;
        double r = (dot[s] / nn - (sx / nn) * mT) / (sqrt(var) * sT);
        if (r > best) {
            best = r;
            *at = s;
        }
    }
    return best;
}

int replay_template_scan(const double *tmpl, size_t n_cells, size_t K, const double *t_ms,
                         const uint32_t *ids, size_t n, double t0_ms, double t1_ms,
                         const replay_template_params *p, uint64_t seed, uint32_t key,
                         replay_template_result *out, hs_error *err)
{
    int rc = replay_template_params_check(p, err);
    if (rc != HS_OK)
        return rc;
    if (!(t1_ms > t0_ms) || K < 2 || n_cells == 0)
        return hs_error_set(err, HS_EINPUT, "template: bad span or template");
    for (size_t j = 0; j < n; j++)
        if (ids[j] >= n_cells)
            return hs_error_set(err, HS_EINPUT, "template: cell id %u >= %zu", ids[j],
                                n_cells);
    double nn = (double)(n_cells * K);
    double mT = gsl_stats_mean(tmpl, 1, n_cells * K);
    double sT = sqrt(gsl_stats_variance_m(tmpl, 1, n_cells * K, mT) * (nn - 1) / nn);
    if (!(sT > 0))
        return hs_error_set(err, HS_EINPUT, "template: the template is flat");
    double bins = ceil((t1_ms - t0_ms) * p->f_max / p->bin_ms) + 1;
    if (!(bins * (double)n_cells <= 1e9))
        return hs_error_set(err, HS_EINPUT, "template: %g bins of %g ms for %zu cells is too "
                            "many", bins, p->bin_ms / p->f_max, n_cells);
    size_t nb_max = (size_t)bins;
    double *c = malloc(n_cells * nb_max * sizeof *c);
    double *wsum = malloc(nb_max * sizeof *wsum), *wsq = malloc(nb_max * sizeof *wsq);
    double *pre1 = malloc((nb_max + 1) * sizeof *pre1);
    double *pre2 = malloc((nb_max + 1) * sizeof *pre2);
    double *null = malloc(p->n_shuffle * sizeof *null), *dot = malloc(nb_max * sizeof *dot);
    double *rev = malloc(n_cells * K * sizeof *rev);
    size_t *perm = malloc(n_cells * sizeof *perm), *id = malloc(n_cells * sizeof *id);
    size_t nz_cap = n ? n : 1;  /* at most one nonzero bin per spike */
    nz_counts z = {0, malloc(nz_cap * sizeof *z.cell), malloc(nz_cap * sizeof *z.bin),
                   malloc(nz_cap * sizeof *z.val)};
    if (!c || !wsum || !wsq || !pre1 || !pre2 || !null || !dot || !rev || !perm || !id ||
        !z.cell || !z.bin || !z.val) {
        rc = hs_error_set(err, HS_ENOMEM, "template: out of memory");
        goto done;
    }
    for (size_t j = 0; j < n_cells; j++)
        for (size_t k = 0; k < K; k++)
            rev[j * K + K - 1 - k] = tmpl[j * K + k];
    for (size_t i = 0; i < n_cells; i++)
        id[i] = i;
    *out = (replay_template_result){.n_factors = p->n_factors, .best = p->n_factors,
                                    .p_best = 1.0};
    double best_z = -INFINITY;
    for (size_t f = 0; f < p->n_factors; f++) {
        double fac = p->n_factors == 1 ? p->f_min
                     : p->f_min * pow(p->f_max / p->f_min,
                                      (double)f / (double)(p->n_factors - 1));
        out->factor[f] = fac;
        out->r_max[f] = out->z[f] = out->t_best_ms[f] = NAN;
        out->p[f] = 1.0;
        double w = p->bin_ms / fac;
        size_t nb = (size_t)floor((t1_ms - t0_ms) / w);
        if (nb < K)
            continue;
        bin_counts(t_ms, ids, n, t0_ms, w, nb, n_cells, c);
        nz_collect(c, n_cells, nb, &z);
        /* window sums of X and X^2 over all cells, from prefix sums */
        double s1 = 0, s2 = 0;
        pre1[0] = pre2[0] = 0;
        for (size_t b = 0; b < nb; b++) {
            for (size_t i = 0; i < n_cells; i++) {
                double x = c[i * nb + b];
                s1 += x;
                s2 += x * x;
            }
            pre1[b + 1] = s1;
            pre2[b + 1] = s2;
        }
        for (size_t s = 0; s + K <= nb; s++) {
            wsum[s] = pre1[s + K] - pre1[s];
            wsq[s] = pre2[s + K] - pre2[s];
        }
        size_t at;
        size_t nwin = nb - K + 1;
        double r = scan(rev, id, n_cells, K, &z, nwin, wsum, wsq, mT, sT, dot, &at);
        if (!isfinite(r))
            continue;
        rng_state st;
        rng_stream_init(&st, seed, RNG_KIND_TEMPLATE, key, (uint32_t)f);
        gsl_rng g = rng_view(&st);
        size_t ge = 0;
        for (size_t q = 0; q < p->n_shuffle; q++) {
            memcpy(perm, id, n_cells * sizeof *perm);
            gsl_ran_shuffle(&g, perm, n_cells, sizeof *perm);
            size_t dummy;
            null[q] = scan(rev, perm, n_cells, K, &z, nwin, wsum, wsq, mT, sT, dot, &dummy);
            ge += null[q] >= r - 1e-12;   /* ties up to rounding, as decode.c */
        }
        double m = gsl_stats_mean(null, 1, p->n_shuffle);
        double sd = gsl_stats_sd_m(null, 1, p->n_shuffle, m);
        out->r_max[f] = r;
        out->t_best_ms[f] = t0_ms + (double)at * w;
        out->z[f] = sd > 0 ? (r - m) / sd : NAN;
        out->p[f] = (1.0 + (double)ge) / (1.0 + (double)p->n_shuffle);
        if (isfinite(out->z[f]) && out->z[f] > best_z) {
            best_z = out->z[f];
            out->best = f;
        }
    }
    if (out->best < p->n_factors)
        out->p_best = fmin(1.0, (double)p->n_factors * out->p[out->best]);
done:
    free(c);
    free(wsum);
    free(wsq);
    free(pre1);
    free(pre2);
    free(null);
    free(dot);
    free(rev);
    free(perm);
    free(id);
    free(z.cell);
    free(z.bin);
    free(z.val);
    return rc;
}
