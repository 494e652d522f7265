/* Bayesian replay decoding (Davidson et al. 2009): the posterior against a
 * hand computation, rate maps against the fields that made the spikes, a
 * planted compressed replay found with its speed and direction and judged
 * significant by both shuffle kinds, flat-rate noise events significant at
 * most at the test's 5 % level, and the same result for the same seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../../replay/decode.h"
#include "suites.h"
#include "../lib/testutil.h"

enum { N_CELLS = 50 };
#define TRACK_CM 200.0
#define FIELD_SD_CM 10.0
#define PEAK_HZ 20.0

/* Gaussian place field of cell i: centres evenly spread over the track. */
static double field_hz(size_t i, double x_cm)
{
    double c = (i + 0.5) * TRACK_CM / N_CELLS, z = (x_cm - c) / FIELD_SD_CM;
    return PEAK_HZ * exp(-0.5 * z * z);
}

/* Rate maps sampled at bin centres. */
static double *field_maps(size_t n_bins, double bin_cm)
{
    double *m = malloc(N_CELLS * n_bins * sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (size_t i = 0; i < N_CELLS; i++)
        for (size_t x = 0; x < n_bins; x++)
            m[i * n_bins + x] = field_hz(i, (x + 0.5) * bin_cm);
    return m;
}

/* Poisson spikes in 0.1 ms steps over [0, dur_ms) of every cell at
 * gain * field(x(t)), x(t) = x0 + v t (v in cm/s); v = NAN: flat rate gain. */
static void poisson_event(gsl_rng *r, double dur_ms, double x0, double v, double gain,
                          tu_train *s)
{
    const double dt = 0.1;
    for (double t = 0; t < dur_ms; t += dt) {
        double x = x0 + v * 1e-3 * t;
        for (uint32_t i = 0; i < N_CELLS; i++) {
            double rate = isnan(v) ? gain : gain * field_hz(i, x);
            if (gsl_rng_uniform(r) < rate * 1e-3 * dt)
                tu_train_add(s, t, i);
        }
    }
}

START_TEST(test_posterior_by_hand)
{
    /* 2 cells x 3 bins, one time bin: P(x) ~ f1^n1 f2^n2 exp(-tau (f1 + f2)),
     * f2's zero floored at eps */
    const double maps[6] = {1, 2, 4, 3, 1, 0};
    const uint32_t counts[2] = {2, 1};
    const double tau = 0.5, eps = 0.1;
    double post[3], want[3], s = 0;
    for (int x = 0; x < 3; x++) {
        double f1 = maps[x], f2 = maps[3 + x] > eps ? maps[3 + x] : eps;
        want[x] = f1 * f1 * f2 * exp(-tau * (f1 + f2));
        s += want[x];
    }
    ck_assert_int_eq(replay_decode(maps, 2, 3, counts, 1, tau, eps, post), HS_OK);
    for (int x = 0; x < 3; x++)
        ck_assert_double_eq_tol(post[x], want[x] / s, 1e-12);
    /* no spikes: uniform */
    const uint32_t none[2] = {0, 0};
    ck_assert_int_eq(replay_decode(maps, 2, 3, none, 1, tau, eps, post), HS_OK);
    for (int x = 0; x < 3; x++)
        ck_assert_double_eq_tol(post[x], 1.0 / 3, 1e-15);
    ck_assert_int_eq(replay_decode(maps, 2, 3, counts, 1, 0, eps, post), HS_EINPUT);
    ck_assert_int_eq(replay_decode(maps, 2, 3, counts, 1, tau, 0, post), HS_EINPUT);
}
END_TEST

START_TEST(test_line_fit_diagonal)
{
    /* posterior all on bin 2 + t in 5 time bins x 10 bins: slope 1, score 1 */
    double post[50] = {0};
    for (int t = 0; t < 5; t++)
        post[t * 10 + 2 + t] = 1;
    replay_line l;
    ck_assert_int_eq(replay_line_fit(post, 5, 10, 0, &l), HS_OK);
    ck_assert_uint_eq(l.start_bin, 2);
    ck_assert_uint_eq(l.end_bin, 6);
    ck_assert_double_eq_tol(l.slope, 1, 1e-15);
    ck_assert_double_eq_tol(l.score, 1, 1e-15);
    /* one bin off the line: band 0 loses it, band 1 keeps it */
    post[2 * 10 + 4] = 0;
    post[2 * 10 + 5] = 1;
    ck_assert_int_eq(replay_line_fit(post, 5, 10, 0, &l), HS_OK);
    ck_assert_double_eq_tol(l.score, 0.8, 1e-15);
    ck_assert_int_eq(replay_line_fit(post, 5, 10, 1, &l), HS_OK);
    ck_assert_double_eq_tol(l.score, 1, 1e-15);
    ck_assert_int_eq(replay_line_fit(post, 5, 10, -1, &l), HS_EINPUT);
}
END_TEST

START_TEST(test_rate_maps)
{
    /* the rat runs 20 cm/s back and forth over 200 cm for 10 laps; cell 0
     * fires at field_hz(20, x) running +1 only, cell 1 never */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    const double dt = 1.0, v = 20.0;
    size_t n = (size_t)(10 * TRACK_CM / v * 1e3 / dt);
    double *t = malloc(n * sizeof *t), *x = malloc(n * sizeof *x);
    int8_t *dir = malloc(n);
    tu_train s = {0};
    for (size_t k = 0; k < n; k++) {
        double d = v * 1e-3 * dt * (double)k;
        size_t lap = (size_t)(d / TRACK_CM);
        double u = d - (double)lap * TRACK_CM;
        t[k] = (double)k * dt;
        dir[k] = lap % 2 ? -1 : 1;
        x[k] = lap % 2 ? TRACK_CM - u : u;
        if (dir[k] > 0 && gsl_rng_uniform(r) < field_hz(20, x[k]) * 1e-3 * dt)
            tu_train_add(&s, t[k] + 0.5, 0);
    }
    replay_maps_params p;
    replay_maps_params_default(&p);
    p.dir = 1;
    double *m = malloc(2 * p.n_bins * sizeof *m);
    hs_error err;
    ck_assert_int_eq(replay_rate_maps(s.t, s.id, s.n, 2, t, x, dir, n, &p, m, &err), HS_OK);
    size_t best = 0;
    for (size_t b = 0; b < p.n_bins; b++) {
        best = m[b] > m[best] ? b : best;
        ck_assert_double_eq(m[p.n_bins + b], 0);
    }
    double centre = (20 + 0.5) * TRACK_CM / N_CELLS;
    ck_assert_double_lt(fabs((best + 0.5) * p.bin_cm - centre), 5);
    /* smoothing lowers the peak by sd / sqrt(sd^2 + smooth^2) = 0.93 */
    ck_assert_double_lt(fabs(m[best] - 0.93 * PEAK_HZ), 0.2 * PEAK_HZ);
    ck_assert_double_lt(m[0], 0.5);
    /* the other direction: silent */
    p.dir = -1;
    ck_assert_int_eq(replay_rate_maps(s.t, s.id, s.n, 2, t, x, dir, n, &p, m, &err), HS_OK);
    for (size_t b = 0; b < p.n_bins; b++)
        ck_assert_double_eq(m[b], 0);
    uint32_t bad = 2;
    ck_assert_int_eq(replay_rate_maps(s.t, &bad, 1, 2, t, x, dir, n, &p, m, &err), HS_EINPUT);
    free(t);
    free(x);
    free(dir);
    free(m);
    tu_train_free(&s);
    gsl_rng_free(r);
}
END_TEST

/* A 200 ms replay at v cm/s from x0, 2 cm bins, 10 ms time bins. */
static replay_decoded planted(double x0, double v, uint64_t seed)
{
    const size_t n_bins = 100;
    const double bin_cm = 2.0;
    double *maps = field_maps(n_bins, bin_cm);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    tu_train s = {0};
    poisson_event(r, 200, x0, v, 3.0, &s);
    replay_decode_params p;
    replay_decode_params_default(&p);
    p.tbin_ms = 10;
    p.n_shuffle = 500;
    replay_decoded out;
    hs_error err;
    ck_assert_int_eq(replay_score_event(s.t, s.id, s.n, 0, 200, maps, N_CELLS, n_bins, bin_cm,
                                        &p, 20.0, seed, 7, &out, &err),
                     HS_OK);
    tu_train_free(&s);
    gsl_rng_free(r);
    free(maps);
    return out;
}

START_TEST(test_planted_replay)
{
    replay_decoded f = planted(70, 300, 1);
    ck_assert_uint_eq(f.n_tbins, 20);
    ck_assert_uint_eq(f.event_id, 7);
    ck_assert_double_lt(fabs(f.slope_cm_per_s - 300), 30);
    ck_assert_double_lt(fabs(f.compression - 15), 1.5);
    ck_assert_int_eq(f.significant, 1);
    ck_assert_double_lt(f.p_shift, 0.05);
    ck_assert_double_lt(f.p_perm, 0.05);
    ck_assert_double_gt(f.line.score, f.q95_shift);
    /* the line starts where the replay did (70 cm = bin 35) */
    ck_assert_double_lt(fabs((double)f.line.start_bin - 35), 3);

    replay_decoded b = planted(130, -300, 1);
    ck_assert_double_lt(fabs(b.slope_cm_per_s + 300), 30);
    ck_assert_int_eq(b.significant, 1);
    ck_assert_double_lt(b.p_shift, 0.05);
    ck_assert_double_lt(b.p_perm, 0.05);
}
END_TEST

START_TEST(test_determinism)
{
    replay_decoded a = planted(70, 300, 3), b = planted(70, 300, 3), c = planted(70, 300, 4);
    ck_assert_double_eq(a.line.score, b.line.score);
    ck_assert_double_eq(a.slope_cm_per_s, b.slope_cm_per_s);
    ck_assert_double_eq(a.q95_shift, b.q95_shift);
    ck_assert_double_eq(a.q95_perm, b.q95_perm);
    ck_assert_double_eq(a.p_shift, b.p_shift);
    ck_assert_double_eq(a.p_perm, b.p_perm);
    /* another seed: the same fit, other shuffles */
    ck_assert_double_eq(a.line.score, c.line.score);
    ck_assert(a.q95_perm != c.q95_perm || a.q95_shift != c.q95_shift);
}
END_TEST

START_TEST(test_noise_events)
{
    /* flat 10 Hz Poisson events of 150 ms, 5 cm bins, 15 ms time bins:
     * significant in at most 5 % (+ 3 binomial SD) of 100 */
    const size_t n_bins = 40, n_events = 100;
    const double bin_cm = 5.0;
    double *maps = field_maps(n_bins, bin_cm);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 17);
    replay_decode_params p;
    replay_decode_params_default(&p);
    p.n_shuffle = 500;
    size_t sig = 0;
    for (uint32_t e = 0; e < n_events; e++) {
        tu_train s = {0};
        poisson_event(r, 150, 0, NAN, 10.0, &s);
        replay_decoded out;
        hs_error err;
        ck_assert_int_eq(replay_score_event(s.t, s.id, s.n, 0, 150, maps, N_CELLS, n_bins,
                                            bin_cm, &p, 20.0, 99, e, &out, &err),
                         HS_OK);
        sig += out.significant;
        tu_train_free(&s);
    }
    double frac = (double)sig / n_events;
    ck_assert_double_le(frac, 0.05 + 3 * sqrt(0.05 * 0.95 / n_events));
    gsl_rng_free(r);
    free(maps);
}
END_TEST

/* Shuffles that score the same as the event in exact arithmetic count as
 * ties whatever their summation order rounds to. A flat event (the same
 * cells in every time bin) scores the same under every time permutation:
 * p_perm = 1. A 4-bin sweep scores the same reversed (the mirrored line),
 * so 2 of the 24 orders tie with it: p_perm ~ 1/12 and never significant. */
START_TEST(test_tied_shuffles)
{
    const size_t n_bins = 40;
    const double bin_cm = 5.0;
    double *maps = field_maps(n_bins, bin_cm);
    replay_decode_params p;
    replay_decode_params_default(&p);
    p.tbin_ms = 10;
    p.n_shuffle = 500;
    for (uint32_t e = 0; e < 20; e++) {
        tu_train flat = {0}, sweep = {0};
        for (int b = 0; b < 8; b++)
            for (uint32_t i = 0; i < 3; i++)
                tu_train_add(&flat, 10.0 * b + 2.0 + i, 10 + (e % 30) + i);
        for (int b = 0; b < 4; b++)
            for (uint32_t i = 0; i < 2; i++)
                tu_train_add(&sweep, 10.0 * b + 3.0 + i, 5 + (e % 20) + 4 * (uint32_t)b + i);
        replay_decoded f, w;
        hs_error err;
        ck_assert_int_eq(replay_score_event(flat.t, flat.id, flat.n, 0, 80, maps, N_CELLS,
                                            n_bins, bin_cm, &p, 20.0, 5, e, &f, &err), HS_OK);
        ck_assert_int_eq(replay_score_event(sweep.t, sweep.id, sweep.n, 0, 40, maps, N_CELLS,
                                            n_bins, bin_cm, &p, 20.0, 5, e, &w, &err), HS_OK);
        ck_assert_double_eq(f.p_perm, 1.0);
        ck_assert_int_eq(f.significant, 0);
        ck_assert_uint_eq(w.n_tbins, 4);
        ck_assert_double_gt(w.p_perm, 0.05);
        ck_assert_int_eq(w.significant, 0);
        tu_train_free(&flat);
        tu_train_free(&sweep);
    }
    free(maps);
}
END_TEST

START_TEST(test_bad_input)
{
    double maps[4] = {1, 1, 1, 1}, t = 1;
    uint32_t id = 2;
    replay_decode_params p;
    replay_decode_params_default(&p);
    replay_decoded out;
    hs_error err;
    ck_assert_int_eq(replay_score_event(&t, &id, 1, 0, 30, maps, 2, 2, 2.0, &p, 20, 1, 0, &out,
                                        &err),
                     HS_EINPUT);
    id = 0;
    ck_assert_int_eq(replay_score_event(&t, &id, 1, 30, 30, maps, 2, 2, 2.0, &p, 20, 1, 0, &out,
                                        &err),
                     HS_EINPUT);
    p.n_shuffle = 499;
    ck_assert_int_eq(replay_score_event(&t, &id, 1, 0, 30, maps, 2, 2, 2.0, &p, 20, 1, 0, &out,
                                        &err),
                     HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "n_shuffle"));
}
END_TEST

Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_posterior_by_hand);
    tcase_add_test(tc, test_line_fit_diagonal);
    tcase_add_test(tc, test_rate_maps);
    tcase_add_test(tc, test_planted_replay);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_noise_events);
    tcase_add_test(tc, test_tied_shuffles);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
