/* The sleep stages' drives (replay/drive.h) against their definitions.
 * Slow oscillation: up and down states alternate from an up state at the
 * phase start; the level is 1 in up states and down_level in down states,
 * exactly over the up states drive_up_states reports; state durations are
 * gamma(4) of the set means, down states clipped to [100, 500] ms and up
 * states to >= 100 ms: the fractions clipped and the mean durations as the
 * gamma distribution gives them (GSL), the cycle at 0.5-1 Hz; the states
 * are a function of (seed, phase, population). Theta: the level is
 * (1 + depth cos(2 pi f t)) / (1 + depth) from the phase start, f cycles a
 * second. No drive: level 1. Out-of-range parameters are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_cdf.h>

#include "../../replay/drive.h"
#include "suites.h"

#define PI 3.14159265358979323846

static drive so_drive(double up_ms, double down_ms, double down_level, uint64_t start,
                      uint64_t steps, uint64_t seed, uint32_t phase, uint32_t pop)
{
    drive d;
    drive_params p = {.kind = DRIVE_SLOW_OSCILLATION, .up_ms = up_ms, .down_ms = down_ms,
                      .down_level = down_level};
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(drive_init(&d, &p, 0.1, start, steps, seed, phase, pop, &err), HS_OK);
    return d;
}

/* The up states, into malloc'd *a, *b; returns how many. */
static size_t up_states(const drive *d, double **a, double **b)
{
    size_t n = drive_up_states(d, NULL, NULL, 0);
    *a = malloc(n * sizeof **a);
    *b = malloc(n * sizeof **b);
    ck_assert_uint_eq(drive_up_states(d, *a, *b, n), n);
    return n;
}

START_TEST(test_slow_oscillation_states)
{
    uint64_t steps = 10000000; /* 1000 s of 0.1 ms */
    drive d = so_drive(800, 250, 0, 500, steps, 7, 3, 1);
    double *a, *b;
    size_t n = up_states(&d, &a, &b);
    ck_assert_double_eq(a[0], 50.0);
    double up = 0, down = 0, down2 = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        up += b[k] - a[k];
        double dn = a[k + 1] - b[k];
        ck_assert_double_ge(dn, 100 - 0.1);
        ck_assert_double_le(dn, 500 + 0.1);
        down += dn;
        down2 += dn * dn;
        /* the level is 1 inside, 0 between */
        ck_assert_double_eq(drive_level(&d, (uint64_t)llround(a[k] / 0.1)), 1.0);
        ck_assert_double_eq(drive_level(&d, (uint64_t)llround(b[k] / 0.1)), 0.0);
    }
    up /= (double)(n - 1);
    down /= (double)(n - 1);
    /* gamma(4) of mean 800 ms, floored at 100: the floor moves the mean by
     * < 1 ms; SE of the mean 400 / sqrt(n) */
    ck_assert_double_le(fabs(up - 800), 3 * 400 / sqrt((double)n));
    /* cycles of ~1.05 s: 0.5-1 Hz (SCIENCE.md) */
    double hz = (double)(n - 1) / ((a[n - 1] - a[0]) * 1e-3);
    ck_assert_double_ge(hz, 0.5);
    ck_assert_double_le(hz, 1.0);
    ck_assert_double_gt(down2 / (double)(n - 1) - down * down, 0);
    free(a);
    free(b);
    drive_free(&d);
}
END_TEST

/* E[min(max(X, lo), hi)] for X ~ gamma(k, theta):
 * lo P(X < lo) + hi P(X > hi) + k theta (P_{k+1}(hi) - P_{k+1}(lo)),
 * P_{k+1} the CDF of gamma(k + 1, theta). */
static double clipped_mean(double k, double theta, double lo, double hi)
{
    double below = gsl_cdf_gamma_P(lo, k, theta);
    if (isinf(hi))
        return lo * below + k * theta * gsl_cdf_gamma_Q(lo, k + 1, theta);
    double above = gsl_cdf_gamma_Q(hi, k, theta);
    double inside = gsl_cdf_gamma_P(hi, k + 1, theta) - gsl_cdf_gamma_P(lo, k + 1, theta);
    return lo * below + hi * above + k * theta * inside;
}

/* A count of n draws against probability p: within 4 binomial SD. */
static void assert_binomial(size_t count, size_t n, double p, const char *what)
{
    double mu = (double)n * p, sd = sqrt(mu * (1 - p));
    ck_assert_msg(fabs((double)count - mu) <= 4 * sd, "%s: %zu of %zu, expected %.1f", what,
                  count, n, mu);
}

/* 3000 s of up 400 / down 300 ms (~4300 cycles): each duration is a step
 * count, so within 0.1 ms of the drawn one. Down states of gamma(4, 75):
 * 4.7 % below 100 ms (clipped there), 10.1 % above 500; up states of
 * gamma(4, 100): 1.9 % below 100. The mean durations as clipped_mean,
 * within 4 SE. */
START_TEST(test_slow_oscillation_clipped_gamma)
{
    drive d = so_drive(400, 300, 0.25, 0, 30000000, 11, 0, 0);
    double *a, *b;
    size_t n = up_states(&d, &a, &b);
    ck_assert_uint_gt(n, 2000);
    size_t n_up = 0, n_down = 0, up_lo = 0, down_lo = 0, down_hi = 0;
    double s_up = 0, s2_up = 0, s_down = 0, s2_down = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double u = b[k] - a[k], v = a[k + 1] - b[k];
        n_up++;
        n_down++;
        up_lo += u <= 100.1;
        down_lo += v <= 100.1;
        down_hi += v >= 499.9;
        ck_assert(u >= 99.9 && v >= 99.9 && v <= 500.1);
        s_up += u;
        s2_up += u * u;
        s_down += v;
        s2_down += v * v;
    }
    assert_binomial(up_lo, n_up, gsl_cdf_gamma_P(100, 4, 100), "up states at 100 ms");
    assert_binomial(down_lo, n_down, gsl_cdf_gamma_P(100, 4, 75), "down states at 100 ms");
    assert_binomial(down_hi, n_down, gsl_cdf_gamma_Q(500, 4, 75), "down states at 500 ms");
    double m_up = s_up / n_up, sd_up = sqrt(s2_up / n_up - m_up * m_up);
    double m_down = s_down / n_down, sd_down = sqrt(s2_down / n_down - m_down * m_down);
    ck_assert_double_lt(fabs(m_up - clipped_mean(4, 100, 100, INFINITY)),
                        4 * sd_up / sqrt((double)n_up));
    ck_assert_double_lt(fabs(m_down - clipped_mean(4, 75, 100, 500)),
                        4 * sd_down / sqrt((double)n_down));
    free(a);
    free(b);
    drive_free(&d);
}
END_TEST

/* Step by step over 60 s from step 1234: the level is 1 exactly inside
 * the reported up states [a, b) and down_level elsewhere; the last state
 * is cut at the phase's end. */
START_TEST(test_slow_oscillation_level_is_the_up_states)
{
    const uint64_t start = 1234, steps = 600000;
    drive d = so_drive(800, 250, 0.3, start, steps, 5, 2, 4);
    double *a, *b;
    size_t n = up_states(&d, &a, &b);
    ck_assert_uint_gt(n, 40);
    ck_assert_double_eq(a[0], start * 0.1);
    ck_assert_double_le(b[n - 1], (start + steps) * 0.1 + 1e-9);
    size_t k = 0, up_steps = 0, want_up = 0;
    for (uint64_t s = start; s < start + steps; s++) {
        while (k < n && s >= (uint64_t)llround(b[k] / 0.1))
            k++;
        int in_up = k < n && s >= (uint64_t)llround(a[k] / 0.1);
        double level = drive_level(&d, s);
        ck_assert_msg(level == (in_up ? 1.0 : 0.3), "step %llu: level %g",
                      (unsigned long long)s, level);
        up_steps += level == 1.0;
    }
    for (size_t q = 0; q < n; q++)
        want_up += (size_t)llround((b[q] - a[q]) / 0.1);
    ck_assert_uint_eq(up_steps, want_up);
    /* at most max reported, the count all the same */
    double a2[2], b2[2];
    ck_assert_uint_eq(drive_up_states(&d, a2, b2, 2), n);
    ck_assert(a2[0] == a[0] && b2[1] == b[1]);
    free(a);
    free(b);
    drive_free(&d);
}
END_TEST

/* The states come from the stream (seed, phase, population): the same
 * triple gives the same edges, changing any one other edges. */
START_TEST(test_slow_oscillation_seeded)
{
    drive d = so_drive(800, 250, 0, 0, 300000, 5, 2, 4);
    const uint64_t other[3][3] = {{6, 2, 4}, {5, 3, 4}, {5, 2, 5}};
    drive e = so_drive(800, 250, 0, 0, 300000, 5, 2, 4);
    ck_assert_uint_eq(d.n_edge, e.n_edge);
    ck_assert_int_eq(memcmp(d.edge, e.edge, d.n_edge * sizeof *d.edge), 0);
    drive_free(&e);
    for (int k = 0; k < 3; k++) {
        e = so_drive(800, 250, 0, 0, 300000, other[k][0], (uint32_t)other[k][1],
                     (uint32_t)other[k][2]);
        ck_assert(e.n_edge != d.n_edge || memcmp(d.edge, e.edge, d.n_edge * sizeof *d.edge));
        drive_free(&e);
    }
    drive_free(&d);
}
END_TEST

/* Theta at 7 Hz, depth 0.6, from step 777: the formula at every step of
 * 2 s, a peak (level 1) at every 1/7 s, a trough of 0.4 / 1.6 between,
 * and the mean over whole cycles 1 / 1.6. */
START_TEST(test_theta)
{
    drive d;
    drive_params p = {.kind = DRIVE_THETA, .freq_hz = 7, .depth = 0.6};
    hs_error err;
    const uint64_t start = 777, steps = 20000;
    ck_assert_int_eq(drive_init(&d, &p, 0.1, start, steps, 1, 0, 0, &err), HS_OK);
    ck_assert_uint_eq(drive_up_states(&d, NULL, NULL, 0), 0);
    double sum = 0, worst = 0;
    size_t peaks = 0;
    for (uint64_t s = start; s < start + steps; s++) {
        double t = (double)(s - start) * 1e-4;
        double want = (1 + 0.6 * cos(2 * PI * 7 * t)) / 1.6;
        worst = fmax(worst, fabs(drive_level(&d, s) - want));
        sum += drive_level(&d, s);
        double prev = s > start ? drive_level(&d, s - 1) : -1, next = drive_level(&d, s + 1);
        peaks += drive_level(&d, s) >= prev && drive_level(&d, s) > next;
    }
    ck_assert_double_lt(worst, 1e-12);
    ck_assert_double_eq(drive_level(&d, start), 1.0);
    ck_assert_double_lt(fabs(drive_level(&d, start + 10000 / 14) - 0.4 / 1.6), 1e-3);
    ck_assert_uint_eq(peaks, 14);   /* 2 s of 7 Hz */
    ck_assert_double_lt(fabs(sum / steps - 1 / 1.6), 1e-3);
    drive_free(&d);
}
END_TEST

START_TEST(test_none_and_bad_parameters)
{
    drive d;
    drive_params none = {.kind = DRIVE_NONE};
    hs_error err;
    ck_assert_int_eq(drive_init(&d, &none, 0.1, 0, 1000, 1, 0, 0, &err), HS_OK);
    ck_assert_double_eq(drive_level(&d, 10), 1.0);
    ck_assert_uint_eq(drive_up_states(&d, NULL, NULL, 0), 0);
    drive_free(&d);
    const drive_params bad[] = {
        {.kind = DRIVE_SLOW_OSCILLATION, .up_ms = 99, .down_ms = 250},
        {.kind = DRIVE_SLOW_OSCILLATION, .up_ms = 800, .down_ms = 501},
        {.kind = DRIVE_SLOW_OSCILLATION, .up_ms = 800, .down_ms = 99},
        {.kind = DRIVE_SLOW_OSCILLATION, .up_ms = 800, .down_ms = 250, .down_level = 1.5},
        {.kind = DRIVE_THETA, .freq_hz = 0, .depth = 0.5},
        {.kind = DRIVE_THETA, .freq_hz = 101, .depth = 0.5},
        {.kind = DRIVE_THETA, .freq_hz = 7, .depth = 1.1},
    };
    const char *names[] = {"up_ms", "down_ms", "down_ms", "down_level", "freq_hz", "freq_hz",
                           "depth"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        hs_error_clear(&err);
        ck_assert_int_eq(drive_init(&d, &bad[k], 0.1, 0, 1000, 1, 0, 0, &err), HS_EINPUT);
        ck_assert_msg(strstr(err.msg, names[k]) != NULL, "%zu: %s", k, err.msg);
        drive_free(&d);
    }
}
END_TEST

Suite *drive_suite(void)
{
    Suite *s = suite_create("drive");
    TCase *tc = tcase_create("patterns");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_slow_oscillation_states);
    tcase_add_test(tc, test_slow_oscillation_clipped_gamma);
    tcase_add_test(tc, test_slow_oscillation_level_is_the_up_states);
    tcase_add_test(tc, test_slow_oscillation_seeded);
    tcase_add_test(tc, test_theta);
    tcase_add_test(tc, test_none_and_bad_parameters);
    suite_add_tcase(s, tc);
    return s;
}
