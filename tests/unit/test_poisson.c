/* The Poisson source (neurons/poisson.c) against its statistics: the
 * spike count of 1000 sources over 20 s binomial, and the inter-spike
 * intervals geometric (CV sqrt(1 - p), to 3 standard errors). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../lib/neuron_ref.h"
#include "suites.h"

START_TEST(test_poisson_statistics)
{
    const char *names[] = {"rate"};
    const double vals[] = {20};
    cell c;
    cell_init(&c, "poisson", 1000, names, vals, 1);
    hs_error err;
    ck_assert_int_eq(c.t->ext_alloc(&c.pop, c.plan, NULL, 7, 0, &err), HS_OK);
    const uint64_t steps = 200000;
    const double p = -expm1(-20 * DT * 1e-3);
    uint64_t *last = calloc(1000, sizeof *last);
    double n_isi = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, count = 0;
    for (uint64_t s = 0; s < steps; s++) {
        size_t k = c.t->update(c.plan, &c.pop, 0, 1000, s, NULL, c.spikes);
        count += (double)k;
        for (size_t q = 0; q < k; q++) {
            uint32_t i = c.spikes[q];
            if (last[i]) {
                double x = (double)(s + 1 - last[i]);
                n_isi++;
                m1 += x;
                m2 += x * x;
                m3 += x * x * x;
                m4 += x * x * x * x;
            }
            last[i] = s + 1;
        }
    }
    /* count ~ Binomial(1000 steps, p) */
    double mean_count = 1000.0 * steps * p, sd_count = sqrt(mean_count * (1 - p));
    ck_assert_double_lt(fabs(count - mean_count), 3 * sd_count);
    /* ISI in steps is geometric(p): CV = sqrt(1 - p); standard error of the
     * sample CV by the delta method from the sample moments */
    double mu = m1 / n_isi, var = m2 / n_isi - mu * mu;
    double c3 = m3 / n_isi - 3 * mu * m2 / n_isi + 2 * mu * mu * mu;
    double c4 = m4 / n_isi - 4 * mu * m3 / n_isi + 6 * mu * mu * m2 / n_isi - 3 * pow(mu, 4);
    double cv = sqrt(var) / mu;
    double se = cv * sqrt(((c4 - var * var) / (4 * var * var) + var / (mu * mu) - c3 / (var * mu)) / n_isi);
    ck_assert_double_lt(fabs(cv - sqrt(1 - p)), 3 * se);
    free(last);
    cell_free(&c);
}
END_TEST

Suite *poisson_suite(void)
{
    Suite *s = suite_create("poisson");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_poisson_statistics);
    suite_add_tcase(s, tc);
    return s;
}
