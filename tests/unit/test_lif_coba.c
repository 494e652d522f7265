/* lif_coba (neurons/lif_coba.c) against gsl_odeiv2 (rk8pd): V below
 * threshold with conductance inputs, with a decaying adaptation and an
 * afterdepolarization conductance (each an exact exponential), and the
 * spike-triggered increments of both: adaptation lengthens the intervals
 * under constant drive, the afterdepolarization shortens them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../lib/neuron_ref.h"
#include "suites.h"

START_TEST(test_lif_coba_ode)
{
    const char *names[] = {"V_th", "I_e"};
    const double vals[] = {0, 50};
    cell c;
    cell_init(&c, "lif_coba", 1, names, vals, 2);
    coba_ode p = {200, 10, -60, 0, -80, 5, 10, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const input in[] = {{30, 0, 5}, {80, 0, 20}, {81, 0, 10}, {150, 1, 30}, {400, 0, 40}};
    double rel_V, rel_w;
    compare_with_ode(&c, &p, in, 5, 800, &rel_V, &rel_w);
    ck_assert_double_le(rel_V, 1e-6);
    cell_free(&c);
}
END_TEST

START_TEST(test_lif_coba_adaptation_ode)
{
    /* a decaying adaptation conductance left by earlier spikes (b_g > 0
     * selects the adapting loop), below threshold */
    const char *names[] = {"V_th", "I_e", "b_g", "tau_a", "E_a"};
    const double vals[] = {0, 50, 2, 150, -90};
    cell c;
    cell_init(&c, "lif_coba", 1, names, vals, 5);
    c.pop.var[3][0] = 8.0;
    coba_ode p = {200, 10, -60, 0, -80, 5, 10, 50, 0, 0, 0, 0, 0, 150, -90, 0, 0};
    const input in[] = {{30, 0, 5}, {80, 0, 20}, {81, 0, 10}, {150, 1, 30}, {400, 0, 40}};
    double rel_V, rel_w;
    compare_with_ode(&c, &p, in, 5, 2000, &rel_V, &rel_w);
    ck_assert_double_le(rel_V, 1e-6);
    /* g_a itself is an exact exponential */
    ck_assert_double_eq_tol(c.pop.var[3][0], 8.0 * exp(-2000 * DT / 150), 1e-12);
    cell_free(&c);
}
END_TEST

START_TEST(test_lif_coba_afterdepolarization_ode)
{
    /* decaying adaptation and afterdepolarization conductances left by
     * earlier spikes, below threshold; b_adp > 0 alone selects the adapting
     * loop, which must still carry g_a (b_g 0) */
    const char *names[] = {"V_th", "I_e", "tau_a", "E_a", "b_adp", "tau_adp", "E_adp"};
    const double vals[] = {0, 50, 150, -90, 1.5, 400, -20};
    cell c;
    cell_init(&c, "lif_coba", 1, names, vals, 7);
    ck_assert_str_eq(c.t->state_names[4], "g_adp");
    c.pop.var[3][0] = 8.0;
    c.pop.var[4][0] = 6.0;
    coba_ode p = {200, 10, -60, 0, -80, 5, 10, 50, 0, 0, 0, 0, 0, 150, -90, 400, -20};
    const input in[] = {{30, 0, 5}, {80, 0, 20}, {81, 0, 10}, {150, 1, 30}, {400, 0, 40}};
    double rel_V, rel_w;
    compare_with_ode(&c, &p, in, 5, 2000, &rel_V, &rel_w);
    ck_assert_double_le(rel_V, 1e-6);
    /* both conductances are exact exponentials */
    ck_assert_double_eq_tol(c.pop.var[3][0], 8.0 * exp(-2000 * DT / 150), 1e-12);
    ck_assert_double_eq_tol(c.pop.var[4][0], 6.0 * exp(-2000 * DT / 400), 1e-12);
    cell_free(&c);
}
END_TEST

/* Seven spikes of one lif_coba cell driven by I_e = 300 pA, with a
 * spike-triggered conductance (parameters b_name, tau_name; state variable
 * var) that each spike raises by b nS and that decays with tau ms. Checks
 * that the increment lands at once, in the spike's step; returns the six
 * inter-spike intervals in steps. */
static void coba_isis(const char *b_name, const char *tau_name, size_t var, double b,
                      double tau, long isi[6])
{
    const char *names[] = {"I_e", b_name, tau_name};
    const double vals[] = {300, b, tau};
    cell c;
    cell_init(&c, "lif_coba", 1, names, vals, 3);
    long last = -1, n = 0;
    for (uint64_t s = 0; s < 40000 && n < 7; s++) {
        double g = c.pop.var[var][0];
        if (cell_step(&c, s, 0, 0)) {
            ck_assert_double_eq_tol(c.pop.var[var][0] - g * exp(-DT / tau), b, 1e-12);
            if (last >= 0)
                isi[n - 1] = (long)s - last;
            last = (long)s;
            n++;
        }
    }
    ck_assert_int_eq(n, 7);
    cell_free(&c);
}

/* Under constant drive each spike adds b nS of a conductance: adaptation
 * (E_a -80 mV) lengthens the inter-spike intervals, the afterdepolarization
 * (E_adp 0 mV) shortens them; without the increment they are all equal. */
static const struct {
    const char *b, *tau;
    size_t var;
    int lengthen;
} spike_conductance[] = {{"b_g", "tau_a", 3, 1}, {"b_adp", "tau_adp", 4, 0}};

START_TEST(test_lif_coba_spike_conductance)
{
    long on[6], off[6];
    coba_isis(spike_conductance[_i].b, spike_conductance[_i].tau, spike_conductance[_i].var,
              1, 200, on);
    coba_isis(spike_conductance[_i].b, spike_conductance[_i].tau, spike_conductance[_i].var,
              0, 200, off);
    for (int i = 1; i < 6; i++) {
        if (spike_conductance[_i].lengthen)
            ck_assert_int_gt(on[i], on[i - 1]);
        else
            ck_assert_int_lt(on[i], on[i - 1]);
        ck_assert_int_le(labs(off[i] - off[0]), 1);
    }
}
END_TEST

Suite *lif_coba_suite(void)
{
    Suite *s = suite_create("lif_coba");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lif_coba_ode);
    tcase_add_test(tc, test_lif_coba_adaptation_ode);
    tcase_add_test(tc, test_lif_coba_afterdepolarization_ode);
    tcase_add_loop_test(tc, test_lif_coba_spike_conductance, 0,
                        (int)(sizeof spike_conductance / sizeof spike_conductance[0]));
    suite_add_tcase(s, tc);
    return s;
}
