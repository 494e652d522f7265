/* Distributions of a config (base/dist.h) against their moments: a
 * constant is its value; uniform on [low, high] has mean (low + high) / 2
 * and variance (high - low)^2 / 12; a normal clipped to [low, high] by
 * redrawing is the truncated normal, whose mean and variance follow from
 * Phi and phi (GSL); unbounded, the normal itself; a normal out of reach
 * of [low, high] gives its mean clipped to it; the same stream gives the
 * same draws. Sample moments within 4 standard errors, over 200000 draws. */
#include <math.h>

#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "../../base/dist.h"
#include "../../base/rng.h"
#include "suites.h"

enum { N_DRAWS = 200000 };

/* Mean, variance and the fourth central moment of N_DRAWS draws of d; all
 * within [lo, hi]. */
static void sample(const hs_dist *d, uint32_t stream, double lo, double hi, double *mean,
                   double *var, double *m4)
{
    rng_state st;
    rng_stream_init(&st, 5, RNG_KIND_TEST + 9, stream, 0);
    gsl_rng r = rng_view(&st);
    static double x[N_DRAWS];
    double s = 0;
    for (size_t i = 0; i < N_DRAWS; i++) {
        x[i] = dist_draw(d, &r);
        ck_assert_msg(x[i] >= lo && x[i] <= hi, "draw %g outside [%g, %g]", x[i], lo, hi);
        s += x[i];
    }
    *mean = s / N_DRAWS;
    double s2 = 0, s4 = 0;
    for (size_t i = 0; i < N_DRAWS; i++) {
        double u = x[i] - *mean;
        s2 += u * u;
        s4 += u * u * u * u;
    }
    *var = s2 / (N_DRAWS - 1);
    *m4 = s4 / N_DRAWS;
}

/* The sample's mean and variance against mu and s2: within 4 standard
 * errors (of the mean: sqrt(s2 / n); of the variance: sqrt((m4 - s2^2) / n)). */
static void assert_moments(const hs_dist *d, uint32_t stream, double lo, double hi, double mu,
                           double s2)
{
    double mean, var, m4;
    sample(d, stream, lo, hi, &mean, &var, &m4);
    ck_assert_msg(fabs(mean - mu) < 4 * sqrt(s2 / N_DRAWS), "mean %.6g, want %.6g", mean, mu);
    ck_assert_msg(fabs(var - s2) < 4 * sqrt((m4 - s2 * s2) / N_DRAWS), "variance %.6g, want %.6g",
                  var, s2);
}

START_TEST(test_constant_and_uniform)
{
    hs_dist c = {.kind = HS_DIST_CONSTANT, .value = -2.5};
    rng_state st;
    rng_stream_init(&st, 1, RNG_KIND_TEST + 9, 0, 0);
    gsl_rng r = rng_view(&st);
    for (int i = 0; i < 100; i++)
        ck_assert_double_eq(dist_draw(&c, &r), -2.5);
    hs_dist u = {.kind = HS_DIST_UNIFORM, .low = 0.1, .high = 2.0};
    assert_moments(&u, 1, 0.1, 2.0, 1.05, 1.9 * 1.9 / 12);
}
END_TEST

/* The normal N(mu, sd) truncated to [a, b]: with alpha = (a - mu) / sd,
 * beta = (b - mu) / sd and Z = Phi(beta) - Phi(alpha),
 *   mean = mu + sd (phi(alpha) - phi(beta)) / Z
 *   var  = sd^2 (1 + (alpha phi(alpha) - beta phi(beta)) / Z
 *                  - ((phi(alpha) - phi(beta)) / Z)^2). */
static void truncated(double mu, double sd, double a, double b, double *mean, double *var)
{
    double al = (a - mu) / sd, be = (b - mu) / sd;
    double pa = gsl_ran_ugaussian_pdf(al), pb = gsl_ran_ugaussian_pdf(be);
    double Z = gsl_cdf_ugaussian_P(be) - gsl_cdf_ugaussian_P(al);
    *mean = mu + sd * (pa - pb) / Z;
    *var = sd * sd * (1 + (al * pa - be * pb) / Z - ((pa - pb) / Z) * ((pa - pb) / Z));
}

START_TEST(test_normal_clipped_by_redrawing)
{
    /* asymmetric bounds: the mean moves away from the nearer one */
    hs_dist n = {.kind = HS_DIST_NORMAL, .mean = 4, .sd = 1.5, .low = 3, .high = 10};
    double mean, var;
    truncated(4, 1.5, 3, 10, &mean, &var);
    ck_assert_double_gt(mean, 4.3);
    assert_moments(&n, 2, 3, 10, mean, var);
    /* both bounds close: a narrow slice */
    hs_dist w = {.kind = HS_DIST_NORMAL, .mean = 0, .sd = 2, .low = -1, .high = 0.5};
    truncated(0, 2, -1, 0.5, &mean, &var);
    assert_moments(&w, 3, -1, 0.5, mean, var);
    /* unbounded: the normal itself */
    hs_dist f = {.kind = HS_DIST_NORMAL, .mean = -60, .sd = 5, .low = -INFINITY,
                 .high = INFINITY};
    assert_moments(&f, 4, -INFINITY, INFINITY, -60, 25);
}
END_TEST

/* Bounds out of reach (50 SD away): after 1000 misses the mean, clipped. */
START_TEST(test_normal_out_of_reach)
{
    rng_state st;
    rng_stream_init(&st, 1, RNG_KIND_TEST + 9, 5, 0);
    gsl_rng r = rng_view(&st);
    hs_dist above = {.kind = HS_DIST_NORMAL, .mean = 0, .sd = 1, .low = 50, .high = 60};
    hs_dist below = {.kind = HS_DIST_NORMAL, .mean = 0, .sd = 1, .low = -60, .high = -50};
    for (int i = 0; i < 10; i++) {
        ck_assert_double_eq(dist_draw(&above, &r), 50);
        ck_assert_double_eq(dist_draw(&below, &r), -50);
    }
}
END_TEST

/* The draws are a function of the stream: two views of one stream state
 * give the same numbers, another stream others. */
START_TEST(test_same_stream_same_draws)
{
    hs_dist n = {.kind = HS_DIST_NORMAL, .mean = 1, .sd = 1, .low = 0, .high = 2};
    rng_state a, b, c;
    rng_stream_init(&a, 9, RNG_KIND_TEST + 9, 7, 3);
    rng_stream_init(&b, 9, RNG_KIND_TEST + 9, 7, 3);
    rng_stream_init(&c, 9, RNG_KIND_TEST + 9, 7, 4);
    gsl_rng ra = rng_view(&a), rb = rng_view(&b), rc = rng_view(&c);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        double x = dist_draw(&n, &ra);
        ck_assert_double_eq(x, dist_draw(&n, &rb));
        differ += x != dist_draw(&n, &rc);
    }
    ck_assert_int_gt(differ, 990);
}
END_TEST

Suite *dist_suite(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("draws");
    tcase_add_test(tc, test_constant_and_uniform);
    tcase_add_test(tc, test_normal_clipped_by_redrawing);
    tcase_add_test(tc, test_normal_out_of_reach);
    tcase_add_test(tc, test_same_stream_same_draws);
    suite_add_tcase(s, tc);
    return s;
}
