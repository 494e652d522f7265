/* The neuron interface (neurons/neuron.h) across models: neuron_threshold's
 * eight lanes against the scalar rule, synaptic variables that decay to
 * exactly 0 without passing through subnormals (and a flush below V's
 * rounding), and the first spike time under constant drive against the
 * closed form for lif_cuba and lif_coba. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../neurons/neuron.h"
#include "../lib/neuron_ref.h"
#include "suites.h"

/* After one input and a long silence the synaptic variables (and lif_coba's
 * adaptation and afterdepolarization) end at exactly 0, never passing
 * through subnormal numbers, which can slow every later step; V meanwhile
 * matches the reference solution as in the tests above. */
START_TEST(test_silence_without_subnormals)
{
    const char *models[] = {"lif_cuba", "lif_coba", "adex"};
    const char *names[] = {"b_g", "tau_a", "b_adp", "tau_adp"};
    const double coba_vals[] = {2, 150, 1, 200};
    for (int m = 0; m < 3; m++) {
        cell c;
        int coba = m == 1;
        cell_init(&c, models[m], 1, names, coba_vals, coba ? 4 : 0);
        if (coba) {
            /* adaptation and afterdepolarization left by earlier spikes;
             * the loops below run over every state variable, g_adp too */
            ck_assert_uint_eq(c.t->n_state, 5);
            c.pop.var[3][0] = 8.0;
            c.pop.var[4][0] = 6.0;
        }
        /* tau_syn <= 10 ms, tau_a 150 ms, tau_adp 200 ms: double's range
         * is spent after ~7, ~110 and ~140 s of decay */
        for (uint64_t s = 0; s < 1500000; s++) {
            cell_step(&c, s, s == 10 ? 1.0 : 0.0, s == 10 ? 1.0 : 0.0);
            for (size_t k = 0; k < c.t->n_state; k++)
                if (fpclassify(c.pop.var[k][0]) == FP_SUBNORMAL)
                    ck_abort_msg("%s: %s subnormal at step %llu", models[m],
                                 c.t->state_names[k], (unsigned long long)s);
        }
        for (size_t k = 1; k < c.t->n_state; k++)
            if (strcmp(c.t->state_names[k], "w") != 0)
                ck_assert_msg(c.pop.var[k][0] == 0.0, "%s: %s = %g", models[m],
                              c.t->state_names[k], c.pop.var[k][0]);
        cell_free(&c);
    }
    /* what the flush drops is below V's rounding: one step with a
     * synaptic variable at NEURON_TINY / 10 and at 0 gives bitwise the
     * same V (step 1: no flush in that step) */
    for (int m = 0; m < 3; m++) {
        double V[2];
        for (int z = 0; z < 2; z++) {
            cell c;
            cell_init(&c, models[m], 1, NULL, NULL, 0);
            c.pop.var[0][0] = -62.5;
            for (size_t k = 1; k < c.t->n_state; k++)
                if (strcmp(c.t->state_names[k], "w") != 0)
                    c.pop.var[k][0] = z ? 0.0 : NEURON_TINY / 10;
            cell_step(&c, 1, 0.0, 0.0);
            V[z] = c.pop.var[0][0];
            cell_free(&c);
        }
        ck_assert_msg(memcmp(&V[0], &V[1], sizeof V[0]) == 0, "%s: %.17g vs %.17g",
                      models[m], V[0], V[1]);
    }
    /* V unchanged by the flush: the ODE reference over the silence */
    const char *vn[] = {"V_th", "b_g", "tau_a", "E_a", "b_adp", "tau_adp"};
    const double vv[] = {0, 2, 150, -90, 1, 200};
    cell c;
    cell_init(&c, "lif_coba", 1, vn, vv, 6);
    c.pop.var[3][0] = 8.0;
    c.pop.var[4][0] = 6.0;
    coba_ode p = {200, 10, -60, 0, -80, 5, 10, 0, 0, 0, 0, 0, 0, 150, -90, 200, 0};
    const input in[] = {{10, 0, 5}, {10, 1, 5}};
    double rel_V, rel_w;
    compare_with_ode(&c, &p, in, 2, 100000, &rel_V, &rel_w);
    ck_assert_double_le(rel_V, 1e-6);
    ck_assert(c.pop.var[1][0] == 0.0 && c.pop.var[2][0] == 0.0);
    cell_free(&c);
}
END_TEST


/* neuron_threshold tests 8 neurons at once: against the scalar rule on a
 * range that starts and ends off the groups, with crossings in every lane,
 * V exactly at threshold, refractory neurons and NaN. */
START_TEST(test_threshold_lanes)
{
    enum { N = 45 };
    double V[N], W[N];
    int32_t refr[N], rref[N];
    uint32_t got[N], want[N];
    for (int pass = 0; pass < 16; pass++) {
        for (int i = 0; i < N; i++) {
            int kind = (i * 7 + pass * 3) % 6;
            V[i] = kind == 0 ? -50.0 : kind == 1 ? -49.0 : kind == 2 ? NAN : -50.0 - 1e-12;
            refr[i] = kind == 4 || (kind == 1 && i % 5 == 0) ? 3 : 0;
            W[i] = V[i];
            rref[i] = refr[i];
        }
        size_t lo = 3, hi = N - (size_t)(pass % 4), nw = 0;
        for (size_t i = lo; i < hi; i++)
            if (W[i] >= -50.0 && rref[i] == 0) {
                W[i] = -60.0;
                rref[i] = 7;
                want[nw++] = (uint32_t)i;
            }
        size_t ng = neuron_threshold(V, refr, lo, hi, -50.0, -60.0, 7, got);
        ck_assert_uint_eq(ng, nw);
        ck_assert_uint_gt(nw, 5);
        for (size_t k = 0; k < nw; k++)
            ck_assert_uint_eq(got[k], want[k]);
        for (int i = 0; i < N; i++) {
            ck_assert(memcmp(&V[i], &W[i], sizeof V[i]) == 0);
            ck_assert_int_eq(refr[i], rref[i]);
        }
    }
}
END_TEST

START_TEST(test_first_spike_time)
{
    /* lif_cuba: V = E_L + I_e R (1 - e^{-t/tau_m}); t* = -tau_m ln(1 - (V_th - E_L)/(I_e R)) */
    const char *n1[] = {"C_m", "tau_m", "E_L", "V_th", "V_reset", "I_e"};
    const double v1[] = {250, 10, -70, -55, -70, 500};
    cell c;
    cell_init(&c, "lif_cuba", 1, n1, v1, 6);
    double tstar = -10 * log(1 - 15.0 / 20.0);
    long s = first_spike_step(&c, 10000);
    ck_assert_int_ge(s, 0);
    double stamp = (double)(s + 1) * DT;
    ck_assert_double_ge(stamp, tstar);
    ck_assert_double_lt(stamp, tstar + DT);
    cell_free(&c);
    /* lif_coba without input: tau = C/g_L = 20 ms, I_e / g_L = 15 mV */
    const char *n2[] = {"I_e"};
    const double v2[] = {150};
    cell_init(&c, "lif_coba", 1, n2, v2, 1);
    tstar = -20 * log(1 - 10.0 / 15.0);
    s = first_spike_step(&c, 10000);
    ck_assert_int_ge(s, 0);
    stamp = (double)(s + 1) * DT;
    ck_assert_double_ge(stamp, tstar);
    ck_assert_double_lt(stamp, tstar + DT);
    cell_free(&c);
}
END_TEST

Suite *neuron_suite(void)
{
    Suite *s = suite_create("neuron");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_silence_without_subnormals);
    tcase_add_test(tc, test_threshold_lanes);
    tcase_add_test(tc, test_first_spike_time);
    suite_add_tcase(s, tc);
    return s;
}
