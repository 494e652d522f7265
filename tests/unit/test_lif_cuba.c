/* lif_cuba (neurons/lif_cuba.c) against its analytic solution: the
 * membrane potential under current steps and exponential synaptic
 * currents to 1e-6 of its excursion, and refractoriness: held at V_reset
 * for t_ref, then the interval the closed form gives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../lib/neuron_ref.h"
#include "suites.h"

START_TEST(test_lif_cuba_analytic)
{
    const char *names[] = {"C_m", "tau_m", "E_L", "V_th", "tau_syn_ex", "tau_syn_in", "I_e"};
    const double vals[] = {250, 10, -70, 0, 2, 5, 100};
    cell c;
    cell_init(&c, "lif_cuba", 1, names, vals, 7);
    const input in[] = {{50, 0, 300}, {120, 0, 300}, {121, 0, 150}, {200, 1, -200}};
    const double C = 250, tm = 10, EL = -70, Ie = 100, ts[2] = {2, 5};
    double worst = 0, span = 0;
    for (uint64_t s = 0; s < 600; s++) {
        cell_step(&c, s, input_at(in, 4, s, 0), input_at(in, 4, s, 1));
        double t = (double)(s + 1) * DT;
        /* V - E_L = I_e R (1 - e^{-t/tm}) + sum w/C (e^{-u/ts} - e^{-u/tm}) / (1/tm - 1/ts) */
        double dv = Ie * tm / C * (1 - exp(-t / tm));
        for (size_t k = 0; k < 4; k++) {
            double u = t - (double)(in[k].step + 1) * DT;
            if (u >= 0)
                dv += in[k].w / C * (exp(-u / ts[in[k].rec]) - exp(-u / tm)) /
                      (1 / tm - 1 / ts[in[k].rec]);
        }
        worst = fmax(worst, fabs(c.pop.var[0][0] - (EL + dv)));
        span = fmax(span, fabs(dv));
    }
    ck_assert_double_gt(span, 1.0);
    ck_assert_double_le(worst / span, 1e-6);
    cell_free(&c);
}
END_TEST

START_TEST(test_refractory)
{
    const char *n1[] = {"C_m", "tau_m", "E_L", "V_th", "V_reset", "I_e", "t_ref"};
    const double v1[] = {250, 10, -70, -55, -70, 500, 2};
    cell c;
    cell_init(&c, "lif_cuba", 1, n1, v1, 7);
    long s1 = first_spike_step(&c, 10000);
    ck_assert_int_ge(s1, 0);
    /* held at V_reset for t_ref / dt = 20 steps whatever the input, then
     * free: the input that arrived meanwhile fires it at once */
    for (uint64_t s = (uint64_t)s1 + 1; s <= (uint64_t)s1 + 20; s++) {
        ck_assert_uint_eq(cell_step(&c, s, 1e4, 0), 0);
        ck_assert_double_eq(c.pop.var[0][0], -70.0);
    }
    ck_assert_uint_eq(cell_step(&c, (uint64_t)s1 + 21, 0, 0), 1);
    cell_free(&c);
    cell_init(&c, "lif_cuba", 1, n1, v1, 7);
    s1 = first_spike_step(&c, 10000);
    /* the next interval: t_ref + tau_m ln(I_e R / (I_e R - (V_th - E_L))) */
    long s2 = -1;
    for (uint64_t s = (uint64_t)s1 + 1; s < 100000 && s2 < 0; s++)
        if (cell_step(&c, s, 0, 0))
            s2 = (long)s;
    double isi = 2.0 + 10 * log(20.0 / 5.0);
    ck_assert_double_lt(fabs((double)(s2 - s1) * DT - isi), DT);
    cell_free(&c);
}
END_TEST

Suite *lif_cuba_suite(void)
{
    Suite *s = suite_create("lif_cuba");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lif_cuba_analytic);
    tcase_add_test(tc, test_refractory);
    suite_add_tcase(s, tc);
    return s;
}
