/* REM template matching (replay/template.h) on synthetic spike trains: a
 * lap's sequence replayed once inside Poisson background at factor 1 or 2
 * is found at that factor, at its place, significant after the correction
 * for the factors scanned; background alone stays at the false-positive
 * rate; the scan is deterministic. */
#include <math.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "../../replay/template.h"
#include "../../base/rng.h"
#include "suites.h"
#include "../lib/testutil.h"


#define N_CELLS 100
#define LAP_MS 8000.0
#define PEAK_HZ 10.0
#define SIGMA_MS 300.0

/* Cell i's rate at time u into a lap played at factor f (f times faster:
 * the same spikes per pass in 1/f of the time). */
static double lap_rate(size_t i, double u, double f)
{
    double c = ((double)i + 0.5) * LAP_MS / N_CELLS, x = u * f - c;
    return f * PEAK_HZ * exp(-x * x / (2 * SIGMA_MS * SIGMA_MS));
}

/* Inhomogeneous Poisson spikes by thinning, 1 ms steps, over [t0, t1):
 * background bg_hz plus, when f > 0, a lap at factor f from t_lap. */
static void draw(tu_train *s, gsl_rng *r, double t0, double t1, double bg_hz, double f,
                 double t_lap)
{
    for (double t = t0; t < t1; t += 1.0)
        for (uint32_t i = 0; i < N_CELLS; i++) {
            double hz = bg_hz;
            if (f > 0 && t >= t_lap && t < t_lap + LAP_MS / f)
                hz += lap_rate(i, t - t_lap, f);
            if (gsl_rng_uniform(r) < hz * 1e-3)
                tu_train_add(s, t, i);
        }
}

static void make_template(double *tmpl, uint64_t seed)
{
    rng_state st;
    rng_stream_init(&st, seed, RNG_KIND_TEST + 9, 0, 0);
    gsl_rng r = rng_view(&st);
    tu_train wake = {0};
    double starts[10];
    for (int l = 0; l < 10; l++) {
        starts[l] = l * (LAP_MS + 2000);
        draw(&wake, &r, starts[l], starts[l] + LAP_MS + 2000, 0.1, 1.0, starts[l]);
    }
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(replay_template_from_laps(wake.t, wake.id, wake.n, N_CELLS, starts, 10,
                                               LAP_MS, 500, tmpl, &err),
                     HS_OK);
    tu_train_free(&wake);
}

/* Sleep of span_ms with background 0.5 Hz and a lap at factor f0 from
 * t_lap (its own stream, key k), scanned against tmpl with the default
 * parameters (seed 7). */
static void sleep_scan(const double *tmpl, uint64_t seed, uint32_t k, double span_ms,
                       double f0, double t_lap, tu_train *sleep, replay_template_params *p,
                       replay_template_result *res)
{
    rng_state st;
    rng_stream_init(&st, seed, RNG_KIND_TEST + 9, k, (uint32_t)(f0 * 10));
    gsl_rng r = rng_view(&st);
    draw(sleep, &r, 0, span_ms, 0.5, f0, t_lap);
    replay_template_params_default(p);
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(replay_template_scan(tmpl, N_CELLS, 16, sleep->t, sleep->id, sleep->n, 0,
                                          span_ms, p, 7, 0, res, &err),
                     HS_OK);
}

static void planted(double f0)
{
    static double tmpl[N_CELLS * 16];
    make_template(tmpl, 3);
    tu_train sleep = {0};
    replay_template_params p;
    replay_template_result res;
    sleep_scan(tmpl, 4, 1, 40000, f0, 20000, &sleep, &p, &res);
    ck_assert_uint_lt(res.best, res.n_factors);
    ck_assert_double_eq_tol(res.factor[res.best], f0, 1e-9);
    ck_assert_double_lt(res.p_best, 0.05);
    ck_assert_double_le(fabs(res.t_best_ms[res.best] - 20000), 500 / f0);
    /* the same inputs give the same result */
    replay_template_result again;
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(replay_template_scan(tmpl, N_CELLS, 16, sleep.t, sleep.id, sleep.n, 0,
                                          40000, &p, 7, 0, &again, &err),
                     HS_OK);
    ck_assert_mem_eq(&res, &again, sizeof res);
    tu_train_free(&sleep);
}

/* r_max and its window against a second code path: for every factor, the
 * Pearson correlation (GSL) of each window's dense bins with the template,
 * maximised over the windows. */
START_TEST(test_template_r_max_by_brute_force)
{
    static double tmpl[N_CELLS * 16];
    make_template(tmpl, 3);
    tu_train sleep = {0};
    replay_template_params p;
    replay_template_result res;
    sleep_scan(tmpl, 5, 2, 20000, 1.41, 6000, &sleep, &p, &res);
    size_t K = 16, checked = 0;
    double *win = malloc(N_CELLS * K * sizeof *win);
    for (size_t f = 0; f < res.n_factors; f++) {
        double w = p.bin_ms / res.factor[f];
        size_t nb = (size_t)floor(20000 / w);
        if (nb < K)
            continue;
        double best = -INFINITY;
        size_t at = 0;
        for (size_t s0 = 0; s0 + K <= nb; s0++) {
            for (size_t q = 0; q < N_CELLS * K; q++)
                win[q] = 0;
            for (size_t j = 0; j < sleep.n; j++) {
                double u = sleep.t[j] / w;
                if (u >= (double)s0 && u < (double)(s0 + K))
                    win[sleep.id[j] * K + (size_t)u - s0] += 1;
            }
            double rr = gsl_stats_correlation(win, 1, tmpl, 1, N_CELLS * K);
            if (isfinite(rr) && rr > best + 1e-12) {
                best = rr;
                at = s0;
            }
        }
        ck_assert_double_eq_tol(res.r_max[f], best, 1e-9);
        ck_assert_double_eq_tol(res.t_best_ms[f], (double)at * w, 1e-9);
        checked++;
    }
    ck_assert_uint_ge(checked, 7);
    free(win);
    tu_train_free(&sleep);
}
END_TEST

START_TEST(test_template_planted_behavioural_speed)
{
    planted(1.0);
}
END_TEST

START_TEST(test_template_planted_twice_as_fast)
{
    planted(2.0);
}
END_TEST

START_TEST(test_template_noise_false_positives)
{
    static double tmpl[N_CELLS * 16];
    make_template(tmpl, 3);
    replay_template_params p;
    replay_template_params_default(&p);
    int sig = 0;
    const int trials = 40;
    for (int k = 0; k < trials; k++) {
        rng_state st;
        rng_stream_init(&st, 5, RNG_KIND_TEST + 9, 2, (uint32_t)k);
        gsl_rng r = rng_view(&st);
        tu_train sleep = {0};
        /* the template's mean rate, no sequence */
        draw(&sleep, &r, 0, 32000, 0.1 + PEAK_HZ * SIGMA_MS * sqrt(2 * 3.14159265358979323846) / LAP_MS, 0, 0);
        replay_template_result res;
        hs_error err;
        hs_error_clear(&err);
        ck_assert_int_eq(replay_template_scan(tmpl, N_CELLS, 16, sleep.t, sleep.id, sleep.n,
                                              0, 32000, &p, 8, (uint32_t)k, &res, &err),
                         HS_OK);
        sig += res.p_best < 0.05;
        tu_train_free(&sleep);
    }
    /* at most 5 % expected (the correction is conservative); P(X > 5) is
     * 1.4 % for Binomial(40, 0.05) */
    ck_assert_int_le(sig, 5);
}
END_TEST

Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_template_r_max_by_brute_force);
    tcase_add_test(tc, test_template_planted_behavioural_speed);
    tcase_add_test(tc, test_template_planted_twice_as_fast);
    tcase_add_test(tc, test_template_noise_false_positives);
    suite_add_tcase(s, tc);
    return s;
}
