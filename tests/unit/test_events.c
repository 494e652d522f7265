/* Candidate replay events (replay/events.h) against their definition.
 * On a planted sequence amid Poisson background (tu_train_sequence): the
 * edges are the planted ones, within a bin or two, and smoothed they lie
 * where a Gaussian-smoothed box falls to the mean; too few place cells
 * or a running rat filter the event out. On bursts built bin by bin with
 * no background (smoothing off): exactly the bursts whose rate exceeds
 * mean + k_sd SD (mean and SD computed here from the bins), with their
 * edges at the burst's bins, those too short, too long or of too few
 * cells dropped, two crossings of one excursion one event; the result
 * does not depend on the spikes' order or on spikes outside the window.
 * Bad parameters and windows are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_cdf.h>

#include "../../replay/events.h"
#include "../lib/testutil.h"
#include "suites.h"

/* The one event found that overlaps the planted window [TU_SEQ_T0, TU_SEQ_T0 + 100). */
static replay_event find_planted(const tu_train *s, const replay_event_params *p)
{
    replay_event *ev = NULL;
    size_t n_ev = 0, hit = 0;
    hs_error err;
    ck_assert_int_eq(replay_events_find(s->t, s->id, s->n, 0, 20000, TU_SEQ_CELLS, p, &ev, &n_ev,
                                        &err),
                     HS_OK);
    replay_event e = {0};
    for (size_t k = 0; k < n_ev; k++) {
        if (ev[k].stop_ms > TU_SEQ_T0 && ev[k].start_ms < TU_SEQ_T0 + 100) {
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
    tu_train_sequence(&s, 0, 0);
    replay_event_params p;
    replay_event_params_default(&p);
    /* unsmoothed: the edges are the planted ones, within a bin or two */
    p.smooth_ms = 0;
    replay_event e = find_planted(&s, &p);
    ck_assert_double_le(fabs(e.start_ms - TU_SEQ_T0), 10);
    ck_assert_double_le(fabs(e.stop_ms - (TU_SEQ_T0 + 100)), 10);
    ck_assert_uint_eq(e.n_cells, TU_SEQ_CELLS);
    ck_assert(isnan(e.speed_cm_s));
    /* smoothed (sigma 10 ms): the event holds the planted window; a lone
     * background spike lifts the smoothed rate of this sparse population
     * above its mean, so one close by moves an edge outwards */
    replay_event_params_default(&p);
    e = find_planted(&s, &p);
    ck_assert_double_le(e.start_ms, TU_SEQ_T0);
    ck_assert_double_ge(e.stop_ms, TU_SEQ_T0 + 100);
    ck_assert_double_le(e.stop_ms - e.start_ms, 300);
    ck_assert_double_le(fabs(e.peak_ms - (TU_SEQ_T0 + 50)), 50);
    tu_train_free(&s);
    /* with a quiet surround: a box of h = 3 spikes per bin falls to the mean
     * m (spikes per bin) a distance d = -sigma Phi^-1(m / h) outside its
     * edges */
    tu_train_sequence(&s, 0, 1);
    e = find_planted(&s, &p);
    double m = (double)s.n / 4000.0, d = -10.0 * gsl_cdf_ugaussian_Pinv(m / 3.0);
    ck_assert_double_le(fabs(e.start_ms - (TU_SEQ_T0 - d)), 10);
    ck_assert_double_le(fabs(e.stop_ms - (TU_SEQ_T0 + 100 + d)), 10);
    tu_train_free(&s);
}
END_TEST

START_TEST(test_planted_filters)
{
    tu_train s = {0};
    tu_train_sequence(&s, 0, 0);
    replay_event_params p;
    replay_event_params_default(&p);
    replay_event *ev = NULL;
    size_t n_ev = 0;
    hs_error err;
    /* only 4 place cells: too few */
    uint8_t place[TU_SEQ_CELLS] = {1, 1, 1, 1};
    p.is_place = place;
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 20000, TU_SEQ_CELLS, &p, &ev, &n_ev,
                                        &err),
                     HS_OK);
    ck_assert_uint_eq(n_ev, 0);
    ck_assert_ptr_null(ev);
    /* running at 20 cm/s: no awake event; at rest (2 cm/s): the event */
    p.is_place = NULL;
    double st[3] = {0, 10000, 20000}, fast[3] = {20, 20, 20}, slow[3] = {2, 2, 2};
    p.speed_t_ms = st;
    p.speed_cm_s = fast;
    p.n_speed = 3;
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 20000, TU_SEQ_CELLS, &p, &ev, &n_ev,
                                        &err),
                     HS_OK);
    ck_assert_uint_eq(n_ev, 0);
    p.speed_cm_s = slow;
    replay_event e = find_planted(&s, &p);
    ck_assert_double_eq_tol(e.speed_cm_s, 2.0, 1e-12);
    tu_train_free(&s);
}
END_TEST


/* ---- bursts built bin by bin ---- */

enum { B_CELLS = 10, B_BINS = 4000 };   /* 5 ms bins over [0, 20000) */
#define B_MS 5.0

/* A burst: bins [lo, hi) with `count` spikes each from cells taken in turn
 * among the first `cells` (so at most `cells` distinct). */
typedef struct burst { size_t lo, hi; int count, cells; } burst;

/* A: 100 ms at 4 a bin; B: 40 ms (too short); C: 650 ms (too long);
 * D: 100 ms of only 4 cells; E: 50 ms, 10 ms at 1 a bin (above the mean,
 * below any threshold here), 50 ms: one excursion; F: 100 ms at 2 a bin,
 * between the thresholds of k_sd 3 and 1.5. */
static const burst bursts[] = {
    {400, 420, 4, 10},   {1000, 1008, 4, 10}, {1600, 1730, 4, 10}, {2200, 2220, 4, 4},
    {2800, 2810, 4, 10}, {2810, 2812, 1, 10}, {2812, 2822, 4, 10}, {3400, 3420, 2, 10},
};
enum { N_BURSTS = sizeof bursts / sizeof bursts[0] };

static void bursts_train(tu_train *s)
{
    for (size_t k = 0; k < N_BURSTS; k++) {
        int next = 0;
        for (size_t b = bursts[k].lo; b < bursts[k].hi; b++)
            for (int q = 0; q < bursts[k].count; q++) {
                tu_train_add(s, (double)b * B_MS + 0.5 + q, (uint32_t)next);
                next = (next + 1) % bursts[k].cells;
            }
    }
}

/* The threshold mean + k SD of the bins' rates, in spikes per bin (the
 * rate's unit does not change which bins cross), and the mean: from the
 * bursts' counts. The SD over n or n - 1 bins: the bursts are placed so
 * that it does not matter. */
static void bins_threshold(double k, double *mean, double *thr)
{
    double s1 = 0, s2 = 0;
    for (size_t q = 0; q < N_BURSTS; q++) {
        double n = (double)(bursts[q].hi - bursts[q].lo), c = bursts[q].count;
        s1 += n * c;
        s2 += n * c * c;
    }
    double m = s1 / B_BINS, var = s2 / B_BINS - m * m;
    *mean = m;
    *thr = m + k * sqrt(var * B_BINS / (B_BINS - 1));
}

static replay_event *find(const tu_train *s, double t0, double t1,
                          const replay_event_params *p, size_t *n)
{
    replay_event *ev = NULL;
    hs_error err;
    ck_assert_int_eq(replay_events_find(s->t, s->id, s->n, t0, t1, B_CELLS, p, &ev, n, &err),
                     HS_OK);
    return ev;
}

static void assert_event(const replay_event *e, size_t lo, size_t hi, size_t cells, int count)
{
    ck_assert_double_eq(e->start_ms, (double)lo * B_MS);
    ck_assert_double_eq(e->stop_ms, (double)hi * B_MS);
    ck_assert_uint_eq(e->n_cells, cells);
    ck_assert(e->peak_ms > e->start_ms && e->peak_ms < e->stop_ms);
    ck_assert_double_eq_tol(e->peak_hz, count * 1000.0 / (B_CELLS * B_MS), 1e-9);
}

START_TEST(test_bursts_thresholds)
{
    double mean, thr3, thr15;
    bins_threshold(3, &mean, &thr3);
    bins_threshold(1.5, &mean, &thr15);
    /* the design: 4 a bin crosses both, 2 only the lower, 1 neither */
    ck_assert(4 > thr3 && 2 < thr3 && 2 > thr15 && 1 < thr15 && 1 > mean);
    tu_train s = {0};
    bursts_train(&s);
    replay_event_params p;
    replay_event_params_default(&p);
    p.smooth_ms = 0;
    size_t n;
    replay_event *ev = find(&s, 0, 20000, &p, &n);
    ck_assert_uint_eq(n, 2);
    assert_event(&ev[0], 400, 420, 10, 4);
    assert_event(&ev[1], 2800, 2822, 10, 4);   /* E: one event */
    free(ev);
    p.k_sd = 1.5;
    ev = find(&s, 0, 20000, &p, &n);
    ck_assert_uint_eq(n, 3);
    assert_event(&ev[0], 400, 420, 10, 4);
    assert_event(&ev[1], 2800, 2822, 10, 4);
    assert_event(&ev[2], 3400, 3420, 10, 2);
    free(ev);
    tu_train_free(&s);
}
END_TEST

/* The filters, each let through in turn: B at min_ms 40, C at max_ms 650,
 * D at min_cells 4; every event in time order. */
START_TEST(test_bursts_filters)
{
    tu_train s = {0};
    bursts_train(&s);
    replay_event_params p;
    replay_event_params_default(&p);
    p.smooth_ms = 0;
    p.min_ms = 40;
    p.max_ms = 650;
    p.min_cells = 4;
    size_t n;
    replay_event *ev = find(&s, 0, 20000, &p, &n);
    ck_assert_uint_eq(n, 5);
    assert_event(&ev[0], 400, 420, 10, 4);
    assert_event(&ev[1], 1000, 1008, 10, 4);
    assert_event(&ev[2], 1600, 1730, 10, 4);
    assert_event(&ev[3], 2200, 2220, 4, 4);
    assert_event(&ev[4], 2800, 2822, 10, 4);
    free(ev);
    /* one step in from each: gone again */
    p.min_ms = 40 + B_MS;
    ev = find(&s, 0, 20000, &p, &n);
    ck_assert_uint_eq(n, 4);
    free(ev);
    p.min_ms = 40;
    p.max_ms = 650 - B_MS;
    ev = find(&s, 0, 20000, &p, &n);
    ck_assert_uint_eq(n, 4);
    free(ev);
    p.max_ms = 650;
    p.min_cells = 5;
    ev = find(&s, 0, 20000, &p, &n);
    ck_assert_uint_eq(n, 4);
    free(ev);
    tu_train_free(&s);
}
END_TEST

/* The spikes' order does not matter (reversed: the same events, bit for
 * bit), nor do spikes outside [t0, t1); a window that is not a whole
 * number of bins is cut to whole bins. */
START_TEST(test_bursts_order_and_window)
{
    tu_train s = {0}, r = {0};
    bursts_train(&s);
    for (size_t i = s.n; i-- > 0;)
        tu_train_add(&r, s.t[i], s.id[i]);
    for (int k = 0; k < 50; k++) {
        tu_train_add(&r, -100.0 + k, (uint32_t)(k % B_CELLS));
        tu_train_add(&r, 20000.0 + k, (uint32_t)(k % B_CELLS));
    }
    replay_event_params p;
    replay_event_params_default(&p);
    size_t n, m;
    replay_event *a = find(&s, 0, 20000, &p, &n), *b = find(&r, 0, 20003, &p, &m);
    ck_assert_uint_ge(n, 2);
    ck_assert_uint_eq(n, m);
    ck_assert_int_eq(memcmp(a, b, n * sizeof *a), 0);
    free(a);
    free(b);
    tu_train_free(&s);
    tu_train_free(&r);
}
END_TEST

START_TEST(test_bad_input)
{
    tu_train s = {0};
    for (uint32_t k = 0; k < 6; k++)
        tu_train_add(&s, 10.0 * k, k);
    hs_error err;
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
    /* 3 bins at least */
    replay_event_params_default(&p);
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 15, 6, &p, &ev, &n_ev, &err), HS_OK);
    free(ev);
    ck_assert_int_eq(replay_events_find(s.t, s.id, s.n, 0, 14.9, 6, &p, &ev, &n_ev, &err),
                     HS_EINPUT);
    p.min_ms = 100;
    p.max_ms = 50;
    ck_assert_int_eq(replay_event_params_check(&p, &err), HS_EINPUT);
    tu_train_free(&s);
}
END_TEST

Suite *events_suite(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_planted_edges);
    tcase_add_test(tc, test_planted_filters);
    tcase_add_test(tc, test_bursts_thresholds);
    tcase_add_test(tc, test_bursts_filters);
    tcase_add_test(tc, test_bursts_order_and_window);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
