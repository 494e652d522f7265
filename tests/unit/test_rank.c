/* Rank-order replay (replay/rank.h; Lee & Wilson 2002) on synthetic spike
 * trains: a planted sequence amid Poisson background scores rho > 0.9
 * forward (reversed: direction -1); pure Poisson noise is significant in
 * ~5 % of windows; the Monte-Carlo p-value agrees with exact enumeration;
 * results are a function of the seed; bad input is refused. The events
 * the sequences are found in are tested in test_events.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_statistics_double.h>

#include "../../replay/rank.h"
#include "suites.h"
#include "../lib/testutil.h"

enum { N_SEQ = TU_SEQ_CELLS };

static double centres[N_SEQ];

static void setup_centres(void)
{
    for (int c = 0; c < N_SEQ; c++)
        centres[c] = 2.5 + 5.0 * c;
}

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
    tu_train_sequence(&s, reverse, 0);
    /* the sequence's window: its 20 cells fire within [T0, T0 + 98) */
    replay_rank r = rank_of(&s, TU_SEQ_T0 - 5, TU_SEQ_T0 + 105, centres, N_SEQ, 1000, 5, 0);
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
    tu_train_poisson(s, N_NOISE, 1.0, 300.0 * N_WIN, 23);
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
    tu_train_free(&s);
}
END_TEST

Suite *rank_suite(void)
{
    Suite *s = suite_create("rank");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_planted_forward);
    tcase_add_test(tc, test_planted_reverse);
    tcase_add_test(tc, test_noise_false_positives);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_exact_enumeration);
    tcase_add_test(tc, test_too_few_and_errors);
    suite_add_tcase(s, tc);
    return s;
}
