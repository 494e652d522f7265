/* Candidate replay events and rank-order replay (replay/events.h,
 * replay/rank.h) on synthetic spike trains: a planted sequence amid Poisson
 * background is found with the right edges and scores rho > 0.9 forward
 * (reversed: direction -1); pure Poisson noise is significant in ~5 % of
 * windows; the Monte-Carlo p-value agrees with exact enumeration; results
 * are a function of the seed; bad input is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "../replay/events.h"
#include "../replay/rank.h"
#include "../base/rng.h"
#include "suites.h"
#include "testutil.h"

/* Poisson spikes at rate_hz for each of n_cells cells over [0, dur_ms). */
static void add_poisson(tu_train *s, size_t n_cells, double rate_hz, double dur_ms, uint64_t seed)
{
    for (size_t c = 0; c < n_cells; c++) {
        rng_state st;
        rng_stream_init(&st, seed, RNG_KIND_TEST + 8, 0, (uint32_t)c);
        gsl_rng r = rng_view(&st);
        for (double t = gsl_ran_exponential(&r, 1000.0 / rate_hz); t < dur_ms;
             t += gsl_ran_exponential(&r, 1000.0 / rate_hz))
            tu_train_add(s, t, (uint32_t)c);
    }
}

enum { N_SEQ = 20 };
static const double T0 = 10000.0;   /* the planted sequence starts here */

/* Cells 0..19 burst (3 spikes, 1 ms apart) 5 ms apart from T0, in id order
 * (forward) or reversed, amid 1 Hz background over 20 s; quiet: no
 * background in [T0 - 150, T0 + 250). */
static void planted_q(tu_train *s, int reverse, int quiet)
{
    add_poisson(s, N_SEQ, 1.0, 20000.0, 11);
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (quiet && s->t[i] >= T0 - 150 && s->t[i] < T0 + 250)
            continue;
        s->t[m] = s->t[i];
        s->id[m++] = s->id[i];
    }
    s->n = m;
    for (uint32_t c = 0; c < N_SEQ; c++) {
        double t = T0 + 5.0 * (reverse ? N_SEQ - 1 - c : c);
        for (int k = 0; k < 3; k++)
            tu_train_add(s, t + k, c);
    }
}

static void planted(tu_train *s, int reverse)
{
    planted_q(s, reverse, 0);
}

static double centres[N_SEQ];

static void setup_centres(void)
{
    for (int c = 0; c < N_SEQ; c++)
        centres[c] = 2.5 + 5.0 * c;
}

/* The one event found that overlaps the planted window [T0, T0 + 100). */
static replay_event find_planted(const tu_train *s, const replay_event_params *p)
{
    replay_event *ev = NULL;
    size_t n_ev = 0, hit = 0;
    hs_error err;
    ck_assert_int_eq(replay_events_find(s->t, s->id, s->n, 0, 20000, N_SEQ, p, &ev, &n_ev, &err),
                     HS_OK);
    replay_event e = {0};
    for (size_t k = 0; k < n_ev; k++) {
        if (ev[k].stop_ms > T0 && ev[k].start_ms < T0 + 100) {
            e = ev[k];
            hit++;
        }
    }
    ck_assert_uint_eq(hit, 1);
    ck_assert_uint_le(n_ev, 2);
    free(ev);
    return e;
}

START_TEST(test_planted_edges)
{
    tu_train s = {0};
    planted(&s, 0);
    replay_event_params p;
    replay_event_params_default(&p);
    /* unsmoothed: the edges are the planted ones, within a bin or two */
    p.smooth_ms = 0;
    replay_event e = find_planted(&s, &p);
    ck_assert_double_le(fabs(e.start_ms - T0), 10);
    ck_assert_double_le(fabs(e.stop_ms - (T0 + 100)), 10);
    ck_assert_uint_eq(e.n_cells, N_SEQ);
    ck_assert(isnan(e.speed_cm_s));
    /* smoothed (sigma 10 ms): the event holds the planted window; a lone
     * background spike lifts the smoothed rate of this sparse population
     * above its mean, so one close by moves an edge outwards */
    replay_event_params_default(&p);
    e = find_planted(&s, &p);
    ck_assert_double_le(e.start_ms, T0);
    ck_assert_double_ge(e.stop_ms, T0 + 100);
    ck_assert_double_le(e.stop_ms - e.start_ms, 300);
    ck_assert_double_le(fabs(e.peak_ms - (T0 + 50)), 50);
    tu_train_free(&s);
    /* with a quiet surround: a box of h = 3 spikes per bin falls to the mean
     * m (spikes per bin) a distance d = -sigma Phi^-1(m / h) outside its
     * edges */
    planted_q(&s, 0, 1);
    e = find_planted(&s, &p);
    double m = (double)s.n / 4000.0, d = -10.0 * gsl_cdf_ugaussian_Pinv(m / 3.0);
    ck_assert_double_le(fabs(e.start_ms - (T0 - d)), 10);
    ck_assert_double_le(fabs(e.stop_ms - (T0 + 100 + d)), 10);
    tu_train_free(&s);
}
END_TEST

START_TEST(test_planted_filters)
{
    tu_train s = {0};
    planted(&s, 0);
    replay_event_params p;
    replay_event_params_default(&p);
    replay_event *ev = NULL;
    size_t n_ev = 0;
    hs_error err;
    /* only 4 place cells: too few */
    uint8_t place[N_SEQ] = {1, 1, 1, 1};
    p.is_place = place;
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 20000, N_SEQ, &p, &ev, &n_ev, &err),
                     HS_OK);
    ck_assert_uint_eq(n_ev, 0);
    ck_assert_ptr_null(ev);
    /* running at 20 cm/s: no awake event; at rest (2 cm/s): the event */
    p.is_place = NULL;
    double st[3] = {0, 10000, 20000}, fast[3] = {20, 20, 20}, slow[3] = {2, 2, 2};
    p.speed_t_ms = st;
    p.speed_cm_s = fast;
    p.n_speed = 3;
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 20000, N_SEQ, &p, &ev, &n_ev, &err),
                     HS_OK);
    ck_assert_uint_eq(n_ev, 0);
    p.speed_cm_s = slow;
    replay_event e = find_planted(&s, &p);
    ck_assert_double_eq_tol(e.speed_cm_s, 2.0, 1e-12);
    tu_train_free(&s);
}
END_TEST

static replay_rank rank_of(const tu_train *s, double a, double b, const double *c, size_t n_cells,
                           size_t n_perm, uint64_t seed, uint64_t event_id)
{
    replay_rank r;
    hs_error err;
    ck_assert_int_eq(replay_rank_order(s->t, s->id, s->n, a, b, c, n_cells, n_perm, seed,
                                       event_id, &r, &err),
                     HS_OK);
    return r;
}

static void check_planted_rank(int reverse)
{
    setup_centres();
    tu_train s = {0};
    planted(&s, reverse);
    replay_event_params p;
    replay_event_params_default(&p);
    replay_event e = find_planted(&s, &p);
    replay_rank r = rank_of(&s, e.start_ms, e.stop_ms, centres, N_SEQ, 1000, 5, 0);
    ck_assert_int_eq(r.status, REPLAY_RANK_OK);
    ck_assert_uint_eq(r.n_cells, N_SEQ);
    ck_assert_double_gt(reverse ? -r.rho : r.rho, 0.9);
    ck_assert_double_lt(r.p, 0.01);
    ck_assert_int_eq(r.direction, reverse ? -1 : 1);
    tu_train_free(&s);
}

START_TEST(test_planted_forward)
{
    check_planted_rank(0);
}
END_TEST

START_TEST(test_planted_reverse)
{
    check_planted_rank(1);
}
END_TEST

enum { N_NOISE = 50, N_WIN = 200 };

/* 50 cells at 1 Hz over 60 s, fields in id order; windows w of 300 ms. */
static void noise(tu_train *s, double *c)
{
    add_poisson(s, N_NOISE, 1.0, 300.0 * N_WIN, 23);
    for (int k = 0; k < N_NOISE; k++)
        c[k] = 4.0 * k;
}

START_TEST(test_noise_false_positives)
{
    tu_train s = {0};
    double c[N_NOISE];
    noise(&s, c);
    size_t n_ok = 0, n_sig = 0;
    for (size_t w = 0; w < N_WIN; w++) {
        replay_rank r = rank_of(&s, 300.0 * w, 300.0 * (w + 1), c, N_NOISE, 1000, 3, w);
        if (r.status != REPLAY_RANK_OK)
            continue;
        n_ok++;
        n_sig += r.p < 0.05;
    }
    ck_assert_uint_ge(n_ok, 190);
    double f = (double)n_sig / (double)n_ok, sd = sqrt(0.05 * 0.95 / (double)n_ok);
    ck_assert_msg(fabs(f - 0.05) <= 3 * sd, "false positives %zu / %zu", n_sig, n_ok);
    tu_train_free(&s);
}
END_TEST

START_TEST(test_deterministic)
{
    tu_train s = {0};
    double c[N_NOISE];
    noise(&s, c);
    size_t n_diff = 0;
    for (size_t w = 0; w < 10; w++) {
        replay_rank a = rank_of(&s, 300.0 * w, 300.0 * (w + 1), c, N_NOISE, 1000, 7, w);
        replay_rank b = rank_of(&s, 300.0 * w, 300.0 * (w + 1), c, N_NOISE, 1000, 7, w);
        replay_rank o = rank_of(&s, 300.0 * w, 300.0 * (w + 1), c, N_NOISE, 1000, 8, w);
        ck_assert(a.status == b.status && a.n_cells == b.n_cells && a.n_perm == b.n_perm);
        ck_assert(a.p == b.p && a.direction == b.direction);
        ck_assert(a.rho == b.rho || (isnan(a.rho) && isnan(b.rho)));
        ck_assert_double_eq(a.rho, o.rho);
        n_diff += a.p != o.p;
    }
    ck_assert_uint_ge(n_diff, 5);
    tu_train_free(&s);
}
END_TEST

/* Heap's algorithm: all permutations of x[0..k), counting those whose
 * |Spearman rho| against c reaches bar. */
static size_t enumerate(double *x, const double *c, size_t n, size_t k, double bar, double *w)
{
    if (k == 1)
        return fabs(gsl_stats_spearman(x, 1, c, 1, n, w)) >= bar;
    size_t cnt = 0;
    for (size_t i = 0; i < k; i++) {
        cnt += enumerate(x, c, n, k - 1, bar, w);
        size_t j = k % 2 ? 0 : i;
        double t = x[j];
        x[j] = x[k - 1];
        x[k - 1] = t;
    }
    return cnt;
}

START_TEST(test_exact_enumeration)
{
    /* 6 cells; cell c's first spike has time rank q[c] */
    static const int q[6] = {1, 0, 3, 5, 2, 4};
    double c[6], x[6], w[12];
    tu_train s = {0};
    for (uint32_t k = 0; k < 6; k++) {
        c[k] = 10.0 * k;
        x[k] = k;
        tu_train_add(&s, 100.0 + 10.0 * q[k], k);
        tu_train_add(&s, 105.0 + 10.0 * q[k], k);
    }
    const size_t n_perm = 20000;
    replay_rank r = rank_of(&s, 100, 200, c, 6, n_perm, 1, 42);
    ck_assert_int_eq(r.status, REPLAY_RANK_OK);
    double qd[6];
    for (int k = 0; k < 6; k++)
        qd[k] = q[k];
    ck_assert_double_eq_tol(r.rho, gsl_stats_spearman(qd, 1, c, 1, 6, w), 1e-12);
    double p = (double)enumerate(x, c, 6, 6, fabs(r.rho) - 1e-12, w) / 720.0;
    ck_assert(p > 0.05 && p < 0.95);
    double tol = 3 * sqrt(p * (1 - p) / (double)n_perm) + 1.0 / (double)n_perm;
    ck_assert_msg(fabs(r.p - p) <= tol, "Monte-Carlo p %g, exact %g", r.p, p);
    tu_train_free(&s);
}
END_TEST

START_TEST(test_too_few_and_errors)
{
    double c[6] = {0, 1, 2, 3, NAN, 5};
    tu_train s = {0};
    for (uint32_t k = 0; k < 6; k++)
        tu_train_add(&s, 10.0 * k, k);
    /* cell 4 has no field: 5 scored; drop cell 5 from the window: 4 */
    replay_rank r = rank_of(&s, 0, 100, c, 6, 1000, 1, 0);
    ck_assert_int_eq(r.status, REPLAY_RANK_OK);
    ck_assert_uint_eq(r.n_cells, 5);
    ck_assert_double_eq_tol(r.rho, 1.0, 1e-12);
    r = rank_of(&s, 0, 50, c, 6, 1000, 1, 0);
    ck_assert_int_eq(r.status, REPLAY_RANK_TOO_FEW);
    ck_assert_uint_eq(r.n_cells, 4);
    ck_assert(isnan(r.rho) && r.p == 1.0 && r.direction == 0);
    double flat[6] = {3, 3, 3, 3, 3, 3};
    r = rank_of(&s, 0, 100, flat, 6, 1000, 1, 0);
    ck_assert_int_eq(r.status, REPLAY_RANK_NO_ORDER);
    hs_error err;
    ck_assert_int_eq(replay_rank_order(s.t, s.id, s.n, 0, 100, c, 6, 999, 1, 0, &r, &err),
                     HS_EINPUT);
    ck_assert_int_eq(replay_rank_order(s.t, s.id, s.n, 0, 100, c, 5, 1000, 1, 0, &r, &err),
                     HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "n_cells"));
    ck_assert_int_eq(replay_rank_order(s.t, s.id, s.n, 0, 100, c, 6, 1000, 1, 1ull << 56, &r,
                                       &err),
                     HS_EINPUT);
    replay_event_params p;
    replay_event_params_default(&p);
    replay_event *ev = (replay_event *)&p;
    size_t n_ev = 7;
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 100, 5, &p, &ev, &n_ev, &err),
                     HS_EINPUT);
    ck_assert(ev == NULL && n_ev == 0);
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 10, 6, &p, &ev, &n_ev, &err),
                     HS_EINPUT);
    p.k_sd = 0;
    ck_assert_int_eq(replay_event_params_check(&p, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "k_sd"));
    tu_train_free(&s);
}
END_TEST

Suite *replay_rank_suite(void)
{
    Suite *s = suite_create("replay_rank");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_planted_edges);
    tcase_add_test(tc, test_planted_filters);
    tcase_add_test(tc, test_planted_forward);
    tcase_add_test(tc, test_planted_reverse);
    tcase_add_test(tc, test_noise_false_positives);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_exact_enumeration);
    tcase_add_test(tc, test_too_few_and_errors);
    suite_add_tcase(s, tc);
    return s;
}
