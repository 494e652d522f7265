/* lif_cuba: leaky integrate-and-fire neuron with exponential synaptic
 * currents, integrated with the exact propagator (Rotter & Diesmann 1999),
 * as NEST's iaf_psc_exp.
 *
 *   C dV/dt = -g_L (V - E_L) + I_ex + I_in + I_e,   g_L = C / tau_m
 *   dI_x/dt = -I_x / tau_syn_x;  a spike of weight w (pA) adds w to I_x
 *   V >= V_th: spike, V <- V_reset, held for t_ref.
 *
 * Over one step h, with P22 = exp(-h/tau_m), P11 = exp(-h/tau_s):
 *   V' = E_L + (V - E_L) P22 + P21_ex I_ex + P21_in I_in + P20 I_e
 *   P21 = (h/C) P22 expm1(x)/x, x = h (tau_s - tau_m) / (tau_m tau_s)
 *   P20 = (tau_m/C) (1 - P22)
 * (expm1(x)/x keeps P21 exact when tau_s is close to tau_m).
 *
 * Quiet neurons: V(t) = V_inf + (V - V_inf) e^{-t/tau_m} + sum_x I_x k_x(t)/C
 * with V_inf = E_L + I_e tau_m/C and the kernel k_x(t) <= k_x,max, so while
 * V_inf + max(0, V - V_inf) + sum_x max(0, I_x) k_x,max / C < V_th no input-
 * free future crosses threshold, and the same closed form advances the
 * neuron over any number of steps. Nothing is rounded away.
 */
#include <math.h>
#include <stddef.h>

#include "neuron.h"

typedef struct lif_cuba_params {
    double C_m, tau_m, E_L, V_th, V_reset, t_ref, tau_syn_ex, tau_syn_in, I_e;
} lif_cuba_params;

/* Defaults: NEST iaf_psc_exp. */
static const hs_param_desc lif_cuba_param_desc[] = {
    {"C_m", "pF", offsetof(lif_cuba_params, C_m), 250.0, 1e-3, 1e9, "membrane capacitance"},
    {"tau_m", "ms", offsetof(lif_cuba_params, tau_m), 10.0, 1e-3, 1e6, "membrane time constant"},
    {"E_L", "mV", offsetof(lif_cuba_params, E_L), -70.0, -1e3, 1e3, "resting potential"},
    {"V_th", "mV", offsetof(lif_cuba_params, V_th), -55.0, -1e3, 1e3, "spike threshold"},
    {"V_reset", "mV", offsetof(lif_cuba_params, V_reset), -70.0, -1e3, 1e3, "reset potential"},
    {"t_ref", "ms", offsetof(lif_cuba_params, t_ref), 2.0, 0.0, 1e6, "refractory period"},
    {"tau_syn_ex", "ms", offsetof(lif_cuba_params, tau_syn_ex), 2.0, 1e-3, 1e6, "excitatory current decay"},
    {"tau_syn_in", "ms", offsetof(lif_cuba_params, tau_syn_in), 2.0, 1e-3, 1e6, "inhibitory current decay"},
    {"I_e", "pA", offsetof(lif_cuba_params, I_e), 0.0, -1e9, 1e9, "constant input current"},
};

/* Propagators over n steps, tabled for short sleeps: a woken neuron then
 * costs no exp(). */
#define LIF_CUBA_TABLE 256

typedef struct lif_cuba_prop {
    double P22, P21_ex, P21_in, P11_ex, P11_in;
} lif_cuba_prop;

typedef struct lif_cuba_plan {
    double dt, C_m, tau_m, tau_ex, tau_in, V_inf, kmax_ex, kmax_in;
    lif_cuba_prop table[LIF_CUBA_TABLE];   /* [n]: over n steps */
    double E_L, V_th, V_reset;
    double P22, P21_ex, P21_in, P20_Ie, P11_ex, P11_in;
    int32_t n_ref;
} lif_cuba_plan;

enum { V_M, I_EX, I_IN };

/* (h/C) e^{-h/tau_m} expm1(x)/x, written with the slower decay outside so
 * nothing overflows for long h: for x > 0 it equals
 * (h/C) e^{-h/tau_s} (-expm1(-x))/x. */
static double p21(double h, double C, double tau_m, double tau_s)
{
    double x = h * (tau_s - tau_m) / (tau_m * tau_s);
    if (fabs(x) < 1e-300)
        return h / C * exp(-h / tau_m);
    if (x > 0)
        return h / C * exp(-h / tau_s) * (-expm1(-x) / x);
    return h / C * exp(-h / tau_m) * (expm1(x) / x);
}

/* Peak over t >= 0 of k(t) = (e^{-t/ts} - e^{-t/tm}) / (1/tm - 1/ts), in ms:
 * the most a unit current can move V, times C. */
static double kernel_peak(double tm, double ts)
{
    if (fabs(tm - ts) < 1e-9 * tm)
        return tm * exp(-1.0);   /* limit k(t) = t e^{-t/tm} */
    double t = log(tm / ts) * tm * ts / (tm - ts);
    return p21(t, 1.0, tm, ts);  /* k(t) = C P21(t): the same stable form */
}

static lif_cuba_prop propagators(const lif_cuba_plan *q, double T)
{
    return (lif_cuba_prop){exp(-T / q->tau_m), p21(T, q->C_m, q->tau_m, q->tau_ex),
                           p21(T, q->C_m, q->tau_m, q->tau_in), exp(-T / q->tau_ex),
                           exp(-T / q->tau_in)};
}

static int lif_cuba_plan_init(void *vplan, const void *vparams, double dt,
                              hs_error *err)
{
    const lif_cuba_params *p = vparams;
    lif_cuba_plan *q = vplan;
    if (p->V_reset >= p->V_th)
        return hs_error_set(err, HS_EINPUT, "V_reset (%g mV) must be below V_th (%g mV)",
                            p->V_reset, p->V_th);
    q->dt = dt;
    q->C_m = p->C_m;
    q->tau_m = p->tau_m;
    q->tau_ex = p->tau_syn_ex;
    q->tau_in = p->tau_syn_in;
    q->V_inf = p->E_L + p->I_e * p->tau_m / p->C_m;
    q->kmax_ex = kernel_peak(p->tau_m, p->tau_syn_ex);
    q->kmax_in = kernel_peak(p->tau_m, p->tau_syn_in);
    q->E_L = p->E_L;
    q->V_th = p->V_th;
    q->V_reset = p->V_reset;
    q->P22 = exp(-dt / p->tau_m);
    q->P21_ex = p21(dt, p->C_m, p->tau_m, p->tau_syn_ex);
    q->P21_in = p21(dt, p->C_m, p->tau_m, p->tau_syn_in);
    q->P20_Ie = -p->tau_m / p->C_m * expm1(-dt / p->tau_m) * p->I_e;
    q->P11_ex = exp(-dt / p->tau_syn_ex);
    q->P11_in = exp(-dt / p->tau_syn_in);
    q->n_ref = (int32_t)lround(p->t_ref / dt);
    for (size_t n = 0; n < LIF_CUBA_TABLE; n++)
        q->table[n] = propagators(q, (double)n * dt);
    return HS_OK;
}

static void lif_cuba_state_rest(const void *vplan, double *v)
{
    const lif_cuba_plan *q = vplan;
    v[V_M] = q->E_L;
    v[I_EX] = 0.0;
    v[I_IN] = 0.0;
}

/* The step of every neuron in a range; restrict arguments (not locals) let
 * GCC vectorise it. Refractory neurons stay at V_reset. */
HS_VECTOR_CLONES static void lif_cuba_integrate(const lif_cuba_plan *q, size_t lo, size_t hi,
                               double *restrict V, double *restrict Ie,
                               double *restrict Ii, double *restrict in_e,
                               double *restrict in_i, int32_t *restrict refr)
{
    const double E_L = q->E_L, P22 = q->P22, P21_ex = q->P21_ex, P21_in = q->P21_in,
                 P20_Ie = q->P20_Ie, P11_ex = q->P11_ex, P11_in = q->P11_in,
                 V_reset = q->V_reset;
    for (size_t i = lo; i < hi; i++) {
        int32_t r = refr[i];
        double v = E_L + (V[i] - E_L) * P22 + P21_ex * Ie[i] + P21_in * Ii[i] + P20_Ie;
        V[i] = r == 0 ? v : V_reset;
        refr[i] = r > 0 ? r - 1 : 0;
        Ie[i] = Ie[i] * P11_ex + in_e[i];
        Ii[i] = Ii[i] * P11_in + in_i[i];
        in_e[i] = 0.0;
        in_i[i] = 0.0;
    }
}

static size_t lif_cuba_update(const void *vplan, neuron_pop *p, size_t lo, size_t hi,
                              uint64_t step, double *const *rx, uint32_t *spikes)
{
    const lif_cuba_plan *q = vplan;
    if (step % NEURON_FLUSH_STEPS == 0) {
        neuron_flush(p->var[I_EX], lo, hi);
        neuron_flush(p->var[I_IN], lo, hi);
    }
    lif_cuba_integrate(q, lo, hi, p->var[V_M], p->var[I_EX], p->var[I_IN], rx[0],
                       rx[1], p->refr);
    return neuron_threshold(p->var[V_M], p->refr, lo, hi, q->V_th, q->V_reset,
                            q->n_ref, spikes);
}

static inline double pos(double x)
{
    return x > 0.0 ? x : 0.0;
}

/* Whether no neuron of [lo, hi) can reach threshold before new input:
 * without an early exit, so the block's bounds are computed side by side
 * (the division's latency dominated the scalar loop). */
HS_VECTOR_CLONES static int quiet_rows(const lif_cuba_plan *q, const double *restrict V,
                                       const double *restrict Ie, const double *restrict Ii,
                                       const int32_t *restrict refr, size_t lo, size_t hi)
{
    const double V_inf = q->V_inf, V_th = q->V_th, ke = q->kmax_ex, ki = q->kmax_in,
                 C = q->C_m;
    int ok = 1;
    for (size_t i = lo; i < hi; i++) {
        /* pos(): fmax(0, x) without a libm call (NaN gives 0, as fmax) */
        double bound = V_inf + pos(V[i] - V_inf) + (pos(Ie[i]) * ke + pos(Ii[i]) * ki) / C;
        ok &= (refr[i] == 0) & (bound < V_th);
    }
    return ok;
}

static int lif_cuba_quiet(const void *vplan, neuron_pop *p, size_t lo, size_t hi)
{
    const lif_cuba_plan *q = vplan;
    if (q->V_inf >= q->V_th)
        return 0;
    return quiet_rows(q, p->var[V_M], p->var[I_EX], p->var[I_IN], p->refr, lo, hi);
}

static void lif_cuba_advance(const void *vplan, neuron_pop *p, size_t lo, size_t hi,
                             uint64_t n)
{
    const lif_cuba_plan *q = vplan;
    lif_cuba_prop P = n < LIF_CUBA_TABLE ? q->table[n] : propagators(q, (double)n * q->dt);
    double *V = p->var[V_M], *Ie = p->var[I_EX], *Ii = p->var[I_IN];
    for (size_t i = lo; i < hi; i++) {
        V[i] = q->V_inf + (V[i] - q->V_inf) * P.P22 + P.P21_ex * Ie[i] + P.P21_in * Ii[i];
        Ie[i] *= P.P11_ex;
        Ii[i] *= P.P11_in;
    }
}

static const char *const lif_cuba_state[] = {"V_m", "I_ex", "I_in"};
static const char *const lif_cuba_state_units[] = {"mV", "pA", "pA"};
static const char *const lif_cuba_receptors[] = {"ex", "in"};
static const char *const lif_cuba_receptor_units[] = {"pA", "pA"};

const neuron_type neuron_lif_cuba = {
    .name = "lif_cuba",
    .doc = "LIF, exponential currents, exact propagator (Rotter & Diesmann 1999)",
    .params = lif_cuba_param_desc,
    .n_params = sizeof lif_cuba_param_desc / sizeof lif_cuba_param_desc[0],
    .params_size = sizeof(lif_cuba_params),
    .state_names = lif_cuba_state,
    .state_units = lif_cuba_state_units,
    .n_state = 3,
    .receptor_names = lif_cuba_receptors,
    .receptor_units = lif_cuba_receptor_units,
    .n_receptors = 2,
    .plan_size = sizeof(lif_cuba_plan),
    .plan_init = lif_cuba_plan_init,
    .state_rest = lif_cuba_state_rest,
    .update = lif_cuba_update,
    .quiet = lif_cuba_quiet,
    .advance = lif_cuba_advance,
};
