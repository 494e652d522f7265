/* adex (neurons/adex.c) against gsl_odeiv2 (rk8pd): V and w below
 * threshold with conductance inputs (Brette & Gerstner 2005's defaults),
 * and spiking at the default cut step for step with the adaptive
 * reference of NEST's aeif dynamics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "../lib/neuron_ref.h"
#include "suites.h"

START_TEST(test_adex_ode)
{
    /* Brette & Gerstner 2005 defaults, slower synapses, driven below V_T */
    const char *names[] = {"tau_syn_ex", "tau_syn_in", "I_e"};
    const double vals[] = {2, 5, 250};
    cell c;
    cell_init(&c, "adex", 1, names, vals, 3);
    coba_ode p = {281, 30, -70.6, 0, -85, 2, 5, 250, -50.4, 2, 4, 144, 1, 0, 0, 0, 0};
    const input in[] = {{100, 0, 3}, {300, 0, 6}, {301, 0, 2}, {500, 1, 10}, {2000, 0, 5}};
    double rel_V, rel_w;
    compare_with_ode(&c, &p, in, 5, 4000, &rel_V, &rel_w);
    ck_assert_uint_eq(c.pop.refr[0], 0);
    ck_assert_double_le(rel_V, 1e-6);
    ck_assert_double_le(rel_w, 1e-6);
    cell_free(&c);
}
END_TEST

/* The reference for spiking adex: NEST's aeif dynamics with every V on the
 * right-hand side capped at V_peak (0 mV here); past the cut V stands still
 * until the step ends (its value there only has to be >= V_peak), which
 * keeps the adaptive steps finite. */
static int adex_capped_rhs(double t, const double y[], double f[], void *params)
{
    (void)t;
    const coba_ode *p = params;
    double V = fmin(y[0], 0.0);
    f[0] = y[0] >= 0.0 ? 0.0
                       : (-p->gL * (V - p->EL) + p->gL * p->DT_ * exp((V - p->VT) / p->DT_) -
                          y[1] + p->Ie) / p->C;
    f[1] = (p->a * (V - p->EL) - y[1]) / p->tw;
    return GSL_SUCCESS;
}

/* The default adex (V_peak 0 mV, Delta_T 2 mV: exp(25) at the cut) driven
 * at 1 nA for 1 s spikes as the adaptive reference does, step for step;
 * a fixed RK4 step used to carry V far below rest through the uncapped
 * leak and w to ~1e6 pA, one spike in the second. */
START_TEST(test_adex_spiking_default_cut)
{
    const char *names[] = {"I_e"};
    const double vals[] = {1000};
    cell c;
    cell_init(&c, "adex", 1, names, vals, 1);
    coba_ode p = {281, 30, -70.6, 0, -85, 2, 5, 1000, -50.4, 2, 4, 144, 1, 0, 0, 0, 0};
    gsl_odeiv2_system sys = {adex_capped_rhs, NULL, 2, &p};
    gsl_odeiv2_driver *d =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-6, 1e-10, 1e-10);
    double y[2] = {-70.6, 0}, t = 0;
    enum { MAX = 64 };
    long mine[MAX], ref[MAX];
    size_t n = 0, n_ref = 0;
    for (uint64_t s = 0; s < 10000; s++) {
        if (cell_step(&c, s, 0, 0) && n < MAX)
            mine[n++] = (long)s;
        int rc = gsl_odeiv2_driver_apply(d, &t, (double)(s + 1) * DT, y);
        if (rc != GSL_SUCCESS && y[0] > -5.0) {
            /* the upswing outruns any step: from -5 mV the cut is ~3e-9 ms away */
            y[0] = 0.0;
            gsl_odeiv2_driver_reset(d);
            rc = gsl_odeiv2_driver_apply(d, &t, (double)(s + 1) * DT, y);
        }
        ck_assert_int_eq(rc, GSL_SUCCESS);
        gsl_odeiv2_driver_reset(d);
        if (!(y[0] < 0.0)) {
            y[0] = -60.0;
            y[1] += 80.5;
            if (n_ref < MAX)
                ref[n_ref++] = (long)s;
        }
        ck_assert(fabs(c.pop.var[1][0]) < 2000); /* w: b per spike, decaying */
    }
    gsl_odeiv2_driver_free(d);
    /* one fixed RK4 step cannot follow the last ~10 us of the upswing, so a
     * crossing late in a step is caught a step later: measured lags 1-2
     * steps, steady once the rate adapts */
    ck_assert_uint_ge(n_ref, 20);
    ck_assert_uint_eq(n, n_ref);
    for (size_t k = 0; k < n; k++) {
        ck_assert_int_ge(mine[k] - ref[k], 0);
        ck_assert_int_le(mine[k] - ref[k], 2);
    }
    cell_free(&c);
}
END_TEST


Suite *adex_suite(void)
{
    Suite *s = suite_create("adex");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_adex_ode);
    tcase_add_test(tc, test_adex_spiking_default_cut);
    suite_add_tcase(s, tc);
    return s;
}
