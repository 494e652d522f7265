/* adex: adaptive exponential integrate-and-fire neuron (Brette & Gerstner
 * 2005) with exponential synaptic conductances, as NEST's aeif_cond_exp.
 *
 *   C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w
 *             + g_ex (E_ex - V) + g_in (E_in - V) + I_e
 *   tau_w dw/dt = a (V - E_L) - w
 *   dg_x/dt = -g_x / tau_syn_x;  a spike of weight w (nS) adds w to g_x
 *   V >= V_peak: spike, V <- V_reset, w <- w + b, V held for t_ref.
 *
 * (V, w) take one RK4 step per dt with the conductances known exactly at
 * t, t + dt/2 and t + dt. V on the right-hand side is capped at V_peak (as
 * in NEST's aeif models) so a step across the spike stays finite and the
 * spike is caught at V_peak.
 */
#include <math.h>
#include <stddef.h>

#include "neuron.h"

typedef struct adex_params {
    double C_m, g_L, E_L, V_T, Delta_T, V_peak, V_reset, t_ref, a, b, tau_w, E_ex,
        E_in, tau_syn_ex, tau_syn_in, I_e;
} adex_params;

/* Defaults: Brette & Gerstner 2005 (NEST aeif_cond_exp). */
static const hs_param_desc adex_param_desc[] = {
    {"C_m", "pF", offsetof(adex_params, C_m), 281.0, 1e-3, 1e9, "membrane capacitance"},
    {"g_L", "nS", offsetof(adex_params, g_L), 30.0, 1e-6, 1e9, "leak conductance"},
    {"E_L", "mV", offsetof(adex_params, E_L), -70.6, -1e3, 1e3, "leak reversal potential"},
    {"V_T", "mV", offsetof(adex_params, V_T), -50.4, -1e3, 1e3, "exponential threshold"},
    {"Delta_T", "mV", offsetof(adex_params, Delta_T), 2.0, 1e-3, 1e3, "slope factor"},
    {"V_peak", "mV", offsetof(adex_params, V_peak), 0.0, -1e3, 1e3, "spike detection (cut) potential"},
    {"V_reset", "mV", offsetof(adex_params, V_reset), -60.0, -1e3, 1e3, "reset potential"},
    {"t_ref", "ms", offsetof(adex_params, t_ref), 0.0, 0.0, 1e6, "refractory period"},
    {"a", "nS", offsetof(adex_params, a), 4.0, -1e6, 1e6, "subthreshold adaptation"},
    {"b", "pA", offsetof(adex_params, b), 80.5, -1e9, 1e9, "spike-triggered adaptation"},
    {"tau_w", "ms", offsetof(adex_params, tau_w), 144.0, 1e-3, 1e9, "adaptation time constant"},
    {"E_ex", "mV", offsetof(adex_params, E_ex), 0.0, -1e3, 1e3, "excitatory reversal potential"},
    {"E_in", "mV", offsetof(adex_params, E_in), -85.0, -1e3, 1e3, "inhibitory reversal potential"},
    {"tau_syn_ex", "ms", offsetof(adex_params, tau_syn_ex), 0.2, 1e-3, 1e6, "excitatory conductance decay"},
    {"tau_syn_in", "ms", offsetof(adex_params, tau_syn_in), 2.0, 1e-3, 1e6, "inhibitory conductance decay"},
    {"I_e", "pA", offsetof(adex_params, I_e), 0.0, -1e9, 1e9, "constant input current"},
};

typedef struct adex_plan {
    adex_params p;
    double h, invC, inv_tau_w, inv_DT;
    double Pex_half, Pex, Pin_half, Pin;
    int32_t n_ref;
} adex_plan;

enum { V_M, W, G_EX, G_IN };

static int adex_plan_init(void *vplan, const void *vparams, double dt, hs_error *err)
{
    const adex_params *p = vparams;
    adex_plan *q = vplan;
    if (p->V_reset >= p->V_peak)
        return hs_error_set(err, HS_EINPUT, "V_reset (%g mV) must be below V_peak (%g mV)",
                            p->V_reset, p->V_peak);
    if (p->V_peak <= p->V_T)
        return hs_error_set(err, HS_EINPUT, "V_peak (%g mV) must be above V_T (%g mV)",
                            p->V_peak, p->V_T);
    /* exp() of more than ~709 is inf, and V would turn NaN */
    if ((p->V_peak - p->V_T) / p->Delta_T > 500)
        return hs_error_set(err, HS_EINPUT,
                            "(V_peak - V_T) / Delta_T = %g: the exponential term would "
                            "overflow; lower V_peak or raise Delta_T (at most 500)",
                            (p->V_peak - p->V_T) / p->Delta_T);
    q->p = *p;
    q->h = dt;
    q->invC = 1.0 / p->C_m;
    q->inv_tau_w = 1.0 / p->tau_w;
    q->inv_DT = 1.0 / p->Delta_T;
    q->Pex_half = exp(-0.5 * dt / p->tau_syn_ex);
    q->Pex = exp(-dt / p->tau_syn_ex);
    q->Pin_half = exp(-0.5 * dt / p->tau_syn_in);
    q->Pin = exp(-dt / p->tau_syn_in);
    q->n_ref = (int32_t)lround(p->t_ref / dt);
    return HS_OK;
}

/* Resting point without I_e: dV/dt = 0 with w = a (V - E_L), by Newton from E_L;
 * E_L itself when the exponential term leaves no rest below V_T. */
static void adex_state_rest(const void *vplan, double *v)
{
    const adex_params *p = &((const adex_plan *)vplan)->p;
    double V = p->E_L;
    for (int k = 0; k < 50; k++) {
        double ex = exp((V - p->V_T) / p->Delta_T);
        double f = -(p->g_L + p->a) * (V - p->E_L) + p->g_L * p->Delta_T * ex;
        double df = -(p->g_L + p->a) + p->g_L * ex;
        if (df == 0.0)
            break;
        V -= f / df;
    }
    if (!(V < p->V_T))
        V = p->E_L;
    v[V_M] = V;
    v[W] = p->a * (V - p->E_L);
    v[G_EX] = 0.0;
    v[G_IN] = 0.0;
}

static inline void adex_rhs(const adex_plan *q, double V, double w, double ge,
                            double gi, double *dV, double *dw)
{
    const adex_params *p = &q->p;
    /* every V capped (NEST aeif): an RK stage past the cut would otherwise
     * drive the leak and w with V ~ 1e9 mV */
    double Vc = V < p->V_peak ? V : p->V_peak;
    double I = -p->g_L * (Vc - p->E_L) + p->g_L * p->Delta_T * exp((Vc - p->V_T) * q->inv_DT)
               - w + ge * (p->E_ex - Vc) + gi * (p->E_in - Vc) + p->I_e;
    *dV = I * q->invC;
    *dw = (p->a * (Vc - p->E_L) - w) * q->inv_tau_w;
}

static void adex_step(const adex_plan *q, double *V, double *w, double e0, double i0)
{
    double h = q->h, h2 = 0.5 * h;
    double eh = e0 * q->Pex_half, ih = i0 * q->Pin_half;
    double e1 = e0 * q->Pex, i1 = i0 * q->Pin;
    double v = *V, u = *w, kv1, kw1, kv2, kw2, kv3, kw3, kv4, kw4;
    adex_rhs(q, v, u, e0, i0, &kv1, &kw1);
    adex_rhs(q, v + h2 * kv1, u + h2 * kw1, eh, ih, &kv2, &kw2);
    adex_rhs(q, v + h2 * kv2, u + h2 * kw2, eh, ih, &kv3, &kw3);
    adex_rhs(q, v + h * kv3, u + h * kw3, e1, i1, &kv4, &kw4);
    *V = v + h / 6.0 * (kv1 + 2.0 * kv2 + 2.0 * kv3 + kv4);
    *w = u + h / 6.0 * (kw1 + 2.0 * kw2 + 2.0 * kw3 + kw4);
}

/* During refractoriness V stays at V_reset and only w evolves (exactly:
 * with V fixed, w relaxes exponentially toward a (V_reset - E_L)). */
static size_t adex_update(const void *vplan, neuron_pop *pop, size_t lo, size_t hi,
                          uint64_t step, double *const *rx, uint32_t *spikes)
{
    const adex_plan *q = vplan;
    const adex_params *p = &q->p;
    double *V = pop->var[V_M], *w = pop->var[W], *ge = pop->var[G_EX],
           *gi = pop->var[G_IN], *in_e = rx[0], *in_i = rx[1];
    if (step % NEURON_FLUSH_STEPS == 0) {
        neuron_flush(ge, lo, hi);
        neuron_flush(gi, lo, hi);
    }
    int32_t *refr = pop->refr;
    double Pw = exp(-q->h * q->inv_tau_w);
    size_t ns = 0;
    for (size_t i = lo; i < hi; i++) {
        if (refr[i] == 0) {
            adex_step(q, &V[i], &w[i], ge[i], gi[i]);
        } else {
            double w_inf = p->a * (p->V_reset - p->E_L);
            w[i] = w_inf + (w[i] - w_inf) * Pw;
            refr[i]--;
        }
        ge[i] = ge[i] * q->Pex + in_e[i];
        gi[i] = gi[i] * q->Pin + in_i[i];
        in_e[i] = 0.0;
        in_i[i] = 0.0;
        /* !(V < V_peak) also catches a non-finite V */
        if (refr[i] == 0 && !(V[i] < p->V_peak)) {
            V[i] = p->V_reset;
            w[i] += p->b;
            refr[i] = q->n_ref;
            spikes[ns++] = (uint32_t)i;
        }
    }
    return ns;
}

static const char *const adex_state[] = {"V_m", "w", "g_ex", "g_in"};
static const char *const adex_state_units[] = {"mV", "pA", "nS", "nS"};
static const char *const adex_receptors[] = {"ex", "in"};
static const char *const adex_receptor_units[] = {"nS", "nS"};

const neuron_type neuron_adex = {
    .name = "adex",
    .doc = "adaptive exponential IF, exponential conductances (Brette & Gerstner 2005)",
    .params = adex_param_desc,
    .n_params = sizeof adex_param_desc / sizeof adex_param_desc[0],
    .params_size = sizeof(adex_params),
    .state_names = adex_state,
    .state_units = adex_state_units,
    .n_state = 4,
    .receptor_names = adex_receptors,
    .receptor_units = adex_receptor_units,
    .n_receptors = 2,
    .plan_size = sizeof(adex_plan),
    .plan_init = adex_plan_init,
    .state_rest = adex_state_rest,
    .update = adex_update,
};
