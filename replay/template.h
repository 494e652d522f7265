/* template.h: REM replay by template matching over time scales (Louie &
 * Wilson 2001, Neuron 29:145).
 *
 * Template. The place cells' activity on a lap: the spikes of cell i in
 * time bin k after each lap start (bins of bin_ms, K of them), averaged
 * over laps: T[i][k] (spikes per bin per lap).
 *
 * Matching at a time-scale factor f: in sleep the same activity is played f
 * times faster (f = 1: behavioural speed, f = 10: ten times compressed), so
 * sleep spikes are counted in bins of bin_ms / f. A window of K such bins
 * slides over the sleep span in steps of one bin; its score is Pearson's
 * correlation of the window's counts X[i][k] with T over all (i, k):
 *     r = (sum X T - n mean(X) mean(T)) / (n sd(X) sd(T)),  n = n_cells K.
 * r_max(f) is the best window. Its null distribution comes from n_shuffle
 * templates with the cell identities permuted (rows of T shuffled:
 * gsl_ran_shuffle from the stream (seed, RNG_KIND_TEMPLATE, key, factor
 * index)), each scanned the same way:
 *     z(f) = (r_max - mean(null)) / sd(null),
 *     p(f) = (1 + #{null >= r_max}) / (1 + n_shuffle).
 * The best factor is the one of highest z; its p is Bonferroni-corrected
 * over the factors (p_best = min(1, n_factors p)), since the best of several
 * factors is reported.
 *
 * Factors are log-spaced from f_min to f_max (SCIENCE.md: 0.25-4x, REM
 * replay at about behavioural speed, 0.5-2x). A factor whose window does not
 * fit in the span, or whose windows all have no spike (no variance), is
 * skipped (r_max = z = NAN, p = 1).
 */
#ifndef HS_REPLAY_TEMPLATE_H
#define HS_REPLAY_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

#define REPLAY_TEMPLATE_MAX_FACTORS 33

typedef struct replay_template_params {
    double bin_ms;        /* 500: template bin (ms) */
    double f_min, f_max;  /* 0.25, 4: time-scale factors (SCIENCE.md) */
    size_t n_factors;     /* 9: log-spaced, f_min and f_max included */
    size_t n_shuffle;     /* 200: cell-identity shuffles per factor, >= 20 n_factors
                             so the corrected p can fall below 0.05 */
} replay_template_params;

typedef struct replay_template_result {
    size_t n_factors;
    double factor[REPLAY_TEMPLATE_MAX_FACTORS];
    double r_max[REPLAY_TEMPLATE_MAX_FACTORS];   /* NAN: no window fits or has spikes */
    double t_best_ms[REPLAY_TEMPLATE_MAX_FACTORS]; /* start of the best window */
    double z[REPLAY_TEMPLATE_MAX_FACTORS];
    double p[REPLAY_TEMPLATE_MAX_FACTORS];
    size_t best;          /* factor of highest z; n_factors when none scores */
    double p_best;        /* Bonferroni-corrected p of the best factor */
} replay_template_result;

void replay_template_params_default(replay_template_params *p);
/* HS_OK, or HS_EINPUT naming the field. */
int replay_template_params_check(const replay_template_params *p, hs_error *err);

/* The template tmpl[n_cells * K] (row-major, caller-owned, K =
 * floor(lap_ms / bin_ms)) from the spikes (t_ms[j], ids[j] < n_cells) of
 * the laps starting at lap_start_ms[0..n_laps) and lasting lap_ms each.
 * Returns HS_OK or HS_EINPUT (no lap, K < 2, bad ids). */
int replay_template_from_laps(const double *t_ms, const uint32_t *ids, size_t n,
                              size_t n_cells, const double *lap_start_ms, size_t n_laps,
                              double lap_ms, double bin_ms, double *tmpl, hs_error *err);

/* Scans the spikes in [t0_ms, t1_ms) against tmpl[n_cells * K] at every
 * factor. key names the random streams (e.g. the phase index). Returns
 * HS_OK, HS_EINPUT (bad parameters, ids, span, a flat template) or
 * HS_ENOMEM. Deterministic; thread-safe. */
int replay_template_scan(const double *tmpl, size_t n_cells, size_t K, const double *t_ms,
                         const uint32_t *ids, size_t n, double t0_ms, double t1_ms,
                         const replay_template_params *p, uint64_t seed, uint32_t key,
                         replay_template_result *out, hs_error *err);

#endif
