/* neuron_ref.c: references for the neuron model tests (neuron_ref.h). */
#include "neuron_ref.h"

#include <math.h>

#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

double input_at(const input *in, size_t n, uint64_t s, int rec)
{
    double w = 0;
    for (size_t k = 0; k < n; k++)
        if (in[k].step == s && in[k].rec == rec)
            w += in[k].w;
    return w;
}

/* y = (V, ge, gi), for adex (V, ge, gi, w), for lif_coba with adaptation
 * (V, ge, gi, g_a) and with an afterdepolarization (V, ge, gi, g_a, g_adp). */
static int coba_rhs(double t, const double y[], double f[], void *params)
{
    (void)t;
    const coba_ode *p = params;
    double I = -p->gL * (y[0] - p->EL) + y[1] * (p->Eex - y[0]) + y[2] * (p->Ein - y[0]) + p->Ie;
    if (p->adex)
        I += p->gL * p->DT_ * exp((y[0] - p->VT) / p->DT_) - y[3];
    if (p->ta > 0)
        I += y[3] * (p->Ea - y[0]);
    if (p->td > 0)
        I += y[4] * (p->Ed - y[0]);
    f[0] = I / p->C;
    f[1] = -y[1] / p->tex;
    f[2] = -y[2] / p->tin;
    if (p->adex)
        f[3] = (p->a * (y[0] - p->EL) - y[3]) / p->tw;
    else if (p->ta > 0 || p->td > 0)
        f[3] = p->ta > 0 ? -y[3] / p->ta : 0.0;
    if (p->td > 0)
        f[4] = -y[4] / p->td;
    return GSL_SUCCESS;
}


void compare_with_ode(cell *c, coba_ode *p, const input *in, size_t n_in,
                             uint64_t steps, double *rel_V, double *rel_w)
{
    size_t dim = p->td > 0 ? 5 : p->adex || p->ta > 0 ? 4 : 3;
    gsl_odeiv2_system sys = {coba_rhs, NULL, dim, p};
    gsl_odeiv2_driver *d =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-6, 1e-13, 1e-13);
    double y[5] = {c->pop.var[0][0], 0, 0, 0, 0};
    if (p->adex)
        y[3] = c->pop.var[1][0];
    if (p->ta > 0)
        y[3] = c->pop.var[3][0];
    if (p->td > 0)
        y[4] = c->pop.var[4][0];
    double t = 0, worst_V = 0, span_V = 0, worst_w = 0, span_w = 0;
    for (uint64_t s = 0; s < steps; s++) {
        double ex = input_at(in, n_in, s, 0), ih = input_at(in, n_in, s, 1);
        cell_step(c, s, ex, ih);
        ck_assert_int_eq(gsl_odeiv2_driver_apply(d, &t, (double)(s + 1) * DT, y), GSL_SUCCESS);
        y[1] += ex;
        y[2] += ih;
        gsl_odeiv2_driver_reset(d);
        worst_V = fmax(worst_V, fabs(c->pop.var[0][0] - y[0]));
        span_V = fmax(span_V, fabs(y[0] - p->EL));
        if (p->adex) {
            worst_w = fmax(worst_w, fabs(c->pop.var[1][0] - y[3]));
            span_w = fmax(span_w, fabs(y[3]));
        }
    }
    gsl_odeiv2_driver_free(d);
    *rel_V = worst_V / span_V;
    *rel_w = p->adex ? worst_w / span_w : 0.0;
}

long first_spike_step(cell *c, uint64_t max_steps)
{
    for (uint64_t s = 0; s < max_steps; s++)
        if (cell_step(c, s, 0, 0))
            return (long)s;
    return -1;
}
