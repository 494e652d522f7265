/* lif_coba: leaky integrate-and-fire neuron with exponential synaptic
 * conductances, benchmark 1 of Brette et al. 2007 (Vogels & Abbott 2005),
 * with optional spike-triggered adaptation (a potassium conductance, as in
 * Destexhe 2009 and the sleep models of Compte et al. 2003) and an optional
 * spike-triggered afterdepolarization (a cation conductance, the cholinergic
 * I_CAN of Fraser & MacVicar 1996 and Egorov et al. 2002):
 *
 *   C dV/dt = g_L (E_L - V) + g_ex (E_ex - V) + g_in (E_in - V)
 *             + g_a (E_a - V) + g_adp (E_adp - V) + I_e
 *   dg_x/dt = -g_x / tau_syn_x;  a spike of weight w (nS) adds w to g_x
 *   dg_a/dt = -g_a / tau_a;      each own spike adds b_g to g_a
 *   dg_adp/dt = -g_adp / tau_adp; each own spike adds b_adp to g_adp
 *   V >= V_th: spike, V <- V_reset, held for t_ref.
 *
 * With b_g = b_adp = 0 (the defaults) in every phase so far g_a and g_adp
 * stay 0 and the update is the benchmark's loop, untouched.
 *
 * V is linear in itself but its coefficient varies with the conductances,
 * so there is no closed-form step. The conductances are exact exponentials,
 * known at every instant, and V takes one classical Runge-Kutta 4 step per
 * dt on dV/dt = b(t) - a(t) V with a = (g_L + sum g_k)/C and
 * b = (g_L E_L + sum g_k E_k + I_e)/C over the conductances k (ex, in, a,
 * adp). For dt a <= 0.25 the local error is below (dt a)^5 / 120 of the
 * distance to equilibrium.
 *
 * Quiet neurons: once all conductances are below 1e-9 g_L they are set to
 * zero (their whole future effect on V is at most 1e-9 (tau_syn/tau_m)
 * |E_syn - V|: 2e-8 mV for the COBA benchmark); then V relaxes as
 * V_inf + (V - V_inf) e^{-t g_L/C}, V_inf = E_L + I_e/g_L, and cannot cross
 * V_th if both V and V_inf are below it.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "neuron.h"

typedef struct lif_coba_params {
    double C_m, g_L, E_L, V_th, V_reset, t_ref, E_ex, E_in, tau_syn_ex, tau_syn_in,
        I_e, b_g, tau_a, E_a, b_adp, tau_adp, E_adp;
} lif_coba_params;

/* Defaults: Brette et al. 2007 benchmark 1 (200 pF, 10 nS: tau_m = 20 ms). */
static const hs_param_desc lif_coba_param_desc[] = {
    {"C_m", "pF", offsetof(lif_coba_params, C_m), 200.0, 1e-3, 1e9, "membrane capacitance"},
    {"g_L", "nS", offsetof(lif_coba_params, g_L), 10.0, 1e-6, 1e9, "leak conductance"},
    {"E_L", "mV", offsetof(lif_coba_params, E_L), -60.0, -1e3, 1e3, "leak reversal potential"},
    {"V_th", "mV", offsetof(lif_coba_params, V_th), -50.0, -1e3, 1e3, "spike threshold"},
    {"V_reset", "mV", offsetof(lif_coba_params, V_reset), -60.0, -1e3, 1e3, "reset potential"},
    {"t_ref", "ms", offsetof(lif_coba_params, t_ref), 5.0, 0.0, 1e6, "refractory period"},
    {"E_ex", "mV", offsetof(lif_coba_params, E_ex), 0.0, -1e3, 1e3, "excitatory reversal potential"},
    {"E_in", "mV", offsetof(lif_coba_params, E_in), -80.0, -1e3, 1e3, "inhibitory reversal potential"},
    {"tau_syn_ex", "ms", offsetof(lif_coba_params, tau_syn_ex), 5.0, 1e-3, 1e6, "excitatory conductance decay"},
    {"tau_syn_in", "ms", offsetof(lif_coba_params, tau_syn_in), 10.0, 1e-3, 1e6, "inhibitory conductance decay"},
    {"I_e", "pA", offsetof(lif_coba_params, I_e), 0.0, -1e9, 1e9, "constant input current"},
    {"b_g", "nS", offsetof(lif_coba_params, b_g), 0.0, 0.0, 1e6, "adaptation conductance per spike"},
    {"tau_a", "ms", offsetof(lif_coba_params, tau_a), 100.0, 1e-3, 1e6, "adaptation decay"},
    {"E_a", "mV", offsetof(lif_coba_params, E_a), -80.0, -1e3, 1e3, "adaptation reversal potential"},
    {"b_adp", "nS", offsetof(lif_coba_params, b_adp), 0.0, 0.0, 1e6, "afterdepolarization conductance per spike"},
    {"tau_adp", "ms", offsetof(lif_coba_params, tau_adp), 100.0, 1e-3, 1e6, "afterdepolarization decay"},
    {"E_adp", "mV", offsetof(lif_coba_params, E_adp), 0.0, -1e3, 1e3, "afterdepolarization reversal potential"},
};

typedef struct lif_coba_plan {
    double h;                       /* dt, ms */
    double V_inf, g_eps;            /* input-free equilibrium; flush level, nS */
    double E_L, V_th, V_reset;
    double aL, bL;                  /* g_L/C, (g_L E_L + I_e)/C */
    double invC, Eex_C, Ein_C;      /* 1/C, E_ex/C, E_in/C */
    double Pex_half, Pex, Pin_half, Pin; /* conductance decay over dt/2, dt */
    double b_g, Ea_C, Pa_half, Pa;  /* adaptation: increment, E_a/C, decay */
    double b_adp, Eadp_C, Padp_half, Padp; /* afterdepolarization: the same */
    int32_t n_ref;
} lif_coba_plan;

enum { V_M, G_EX, G_IN, G_A, G_ADP };

static int lif_coba_plan_init(void *vplan, const void *vparams, double dt,
                              hs_error *err)
{
    const lif_coba_params *p = vparams;
    lif_coba_plan *q = vplan;
    if (p->V_reset >= p->V_th)
        return hs_error_set(err, HS_EINPUT, "V_reset (%g mV) must be below V_th (%g mV)",
                            p->V_reset, p->V_th);
    if (dt * p->g_L / p->C_m > 1.0)
        return hs_error_set(err, HS_EINPUT,
                            "dt (%g ms) must not exceed C_m/g_L (%g ms): the step "
                            "would be unstable", dt, p->C_m / p->g_L);
    q->h = dt;
    q->V_inf = p->E_L + p->I_e / p->g_L;
    q->g_eps = 1e-9 * p->g_L;
    q->E_L = p->E_L;
    q->V_th = p->V_th;
    q->V_reset = p->V_reset;
    q->aL = p->g_L / p->C_m;
    q->bL = (p->g_L * p->E_L + p->I_e) / p->C_m;
    q->invC = 1.0 / p->C_m;
    q->Eex_C = p->E_ex / p->C_m;
    q->Ein_C = p->E_in / p->C_m;
    q->Pex_half = exp(-0.5 * dt / p->tau_syn_ex);
    q->Pex = exp(-dt / p->tau_syn_ex);
    q->Pin_half = exp(-0.5 * dt / p->tau_syn_in);
    q->Pin = exp(-dt / p->tau_syn_in);
    q->b_g = p->b_g;
    q->Ea_C = p->E_a / p->C_m;
    q->Pa_half = exp(-0.5 * dt / p->tau_a);
    q->Pa = exp(-dt / p->tau_a);
    q->b_adp = p->b_adp;
    q->Eadp_C = p->E_adp / p->C_m;
    q->Padp_half = exp(-0.5 * dt / p->tau_adp);
    q->Padp = exp(-dt / p->tau_adp);
    q->n_ref = (int32_t)lround(p->t_ref / dt);
    return HS_OK;
}

static void lif_coba_state_rest(const void *vplan, double *v)
{
    const lif_coba_plan *q = vplan;
    v[V_M] = q->E_L;
    v[G_EX] = 0.0;
    v[G_IN] = 0.0;
    v[G_A] = 0.0;
    v[G_ADP] = 0.0;
}

/* One classical RK4 step of dV/dt = b - a V, with (a, b) at the step's
 * start, middle and end; h2 = h/2, h6 = h/6. */
static inline double rk4_v(double v, double h, double h2, double h6, double a0, double b0,
                           double ah, double bh, double a1, double b1)
{
    double k1 = b0 - a0 * v;
    double k2 = bh - ah * (v + h2 * k1);
    double k3 = bh - ah * (v + h2 * k2);
    double k4 = b1 - a1 * (v + h * k3);
    return v + h6 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
}

/* One RK4 step of V for every neuron in a range, then the conductances decay
 * and take this step's input. */
HS_VECTOR_CLONES static void lif_coba_integrate(const lif_coba_plan *q, size_t lo, size_t hi,
                               double *restrict V, double *restrict ge,
                               double *restrict gi, double *restrict in_e,
                               double *restrict in_i, int32_t *restrict refr)
{
    const double h = q->h, h2 = 0.5 * q->h, h6 = q->h / 6.0;
    const double aL = q->aL, bL = q->bL, invC = q->invC, Eex_C = q->Eex_C,
                 Ein_C = q->Ein_C, Pexh = q->Pex_half, Pex = q->Pex,
                 Pinh = q->Pin_half, Pin = q->Pin, V_reset = q->V_reset;
    for (size_t i = lo; i < hi; i++) {
        double e0 = ge[i], i0 = gi[i];
        double eh = e0 * Pexh, ih = i0 * Pinh, e1 = e0 * Pex, i1 = i0 * Pin;
        double a0 = aL + (e0 + i0) * invC, b0 = bL + e0 * Eex_C + i0 * Ein_C;
        double ah = aL + (eh + ih) * invC, bh = bL + eh * Eex_C + ih * Ein_C;
        double a1 = aL + (e1 + i1) * invC, b1 = bL + e1 * Eex_C + i1 * Ein_C;
        double vn = rk4_v(V[i], h, h2, h6, a0, b0, ah, bh, a1, b1);
        int32_t r = refr[i];
        V[i] = r == 0 ? vn : V_reset;
        refr[i] = r > 0 ? r - 1 : 0;
        ge[i] = e1 + in_e[i];
        gi[i] = i1 + in_i[i];
        in_e[i] = 0.0;
        in_i[i] = 0.0;
    }
}

/* lif_coba_integrate with the adaptation and afterdepolarization
 * conductances, exact exponentials like the others. With g_adp 0 every sum
 * is the one without it, bitwise. */
HS_VECTOR_CLONES static void lif_coba_integrate_adapt(
    const lif_coba_plan *q, size_t lo, size_t hi, double *restrict V, double *restrict ge,
    double *restrict gi, double *restrict ga, double *restrict gd, double *restrict in_e,
    double *restrict in_i, int32_t *restrict refr)
{
    const double h = q->h, h2 = 0.5 * q->h, h6 = q->h / 6.0;
    const double aL = q->aL, bL = q->bL, invC = q->invC, Eex_C = q->Eex_C,
                 Ein_C = q->Ein_C, Ea_C = q->Ea_C, Eadp_C = q->Eadp_C, Pexh = q->Pex_half,
                 Pex = q->Pex, Pinh = q->Pin_half, Pin = q->Pin, Pah = q->Pa_half,
                 Pa = q->Pa, Padph = q->Padp_half, Padp = q->Padp, V_reset = q->V_reset;
    for (size_t i = lo; i < hi; i++) {
        double e0 = ge[i], i0 = gi[i], g0 = ga[i], d0 = gd[i];
        double eh = e0 * Pexh, ih = i0 * Pinh, gh = g0 * Pah, dh = d0 * Padph;
        double e1 = e0 * Pex, i1 = i0 * Pin, g1 = g0 * Pa, d1 = d0 * Padp;
        double a0 = aL + (e0 + i0 + g0 + d0) * invC,
               b0 = bL + e0 * Eex_C + i0 * Ein_C + g0 * Ea_C + d0 * Eadp_C;
        double ah = aL + (eh + ih + gh + dh) * invC,
               bh = bL + eh * Eex_C + ih * Ein_C + gh * Ea_C + dh * Eadp_C;
        double a1 = aL + (e1 + i1 + g1 + d1) * invC,
               b1 = bL + e1 * Eex_C + i1 * Ein_C + g1 * Ea_C + d1 * Eadp_C;
        double vn = rk4_v(V[i], h, h2, h6, a0, b0, ah, bh, a1, b1);
        int32_t r = refr[i];
        V[i] = r == 0 ? vn : V_reset;
        refr[i] = r > 0 ? r - 1 : 0;
        ge[i] = e1 + in_e[i];
        gi[i] = i1 + in_i[i];
        ga[i] = g1;
        gd[i] = d1;
        in_e[i] = 0.0;
        in_i[i] = 0.0;
    }
}

/* Whether any phase so far gave the population adaptation or an
 * afterdepolarization: g_a and g_adp then keep decaying after a later phase
 * sets b_g and b_adp to 0. Written by the schedule
 * between runs (control), read by the threads. */
typedef struct lif_coba_ext {
    int adapted;
} lif_coba_ext;

static int lif_coba_ext_alloc(neuron_pop *p, const void *plan, const neuron_source_data *data,
                              uint64_t seed, uint32_t pop_index, hs_error *err)
{
    (void)plan, (void)data, (void)seed, (void)pop_index;
    p->ext = calloc(1, sizeof(lif_coba_ext));
    return p->ext ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
}

static void lif_coba_ext_free(neuron_pop *p)
{
    free(p->ext);
    p->ext = NULL;
}

static size_t lif_coba_ext_state(neuron_pop *p, neuron_ext_array *out)
{
    lif_coba_ext *e = p->ext;
    out[0] = (neuron_ext_array){"adapted", STATE_I32, &e->adapted, 1, 0};
    return 1;
}

static void lif_coba_control(const void *vplan, neuron_pop *p, const neuron_control *ctl)
{
    (void)ctl;
    lif_coba_ext *e = p->ext;
    const lif_coba_plan *q = vplan;
    e->adapted |= q->b_g > 0 || q->b_adp > 0;
}

static size_t lif_coba_update(const void *vplan, neuron_pop *p, size_t lo, size_t hi,
                              uint64_t step, double *const *rx, uint32_t *spikes)
{
    const lif_coba_plan *q = vplan;
    double *ga = p->var[G_A], *gd = p->var[G_ADP];
    const lif_coba_ext *e = p->ext;
    if (step % NEURON_FLUSH_STEPS == 0) {
        neuron_flush(p->var[G_EX], lo, hi);
        neuron_flush(p->var[G_IN], lo, hi);
        neuron_flush(ga, lo, hi);
        neuron_flush(gd, lo, hi);
    }
    if (q->b_g > 0 || q->b_adp > 0 || (e && e->adapted))
        lif_coba_integrate_adapt(q, lo, hi, p->var[V_M], p->var[G_EX], p->var[G_IN], ga, gd,
                                 rx[0], rx[1], p->refr);
    else
        lif_coba_integrate(q, lo, hi, p->var[V_M], p->var[G_EX], p->var[G_IN], rx[0],
                           rx[1], p->refr);
    size_t ns = neuron_threshold(p->var[V_M], p->refr, lo, hi, q->V_th, q->V_reset,
                                 q->n_ref, spikes);
    for (size_t k = 0; k < ns; k++) {
        ga[spikes[k]] += q->b_g;
        gd[spikes[k]] += q->b_adp;
    }
    return ns;
}

static int lif_coba_quiet(const void *vplan, neuron_pop *p, size_t lo, size_t hi)
{
    const lif_coba_plan *q = vplan;
    double *V = p->var[V_M], *ge = p->var[G_EX], *gi = p->var[G_IN], *ga = p->var[G_A],
           *gd = p->var[G_ADP];
    if (q->V_inf >= q->V_th)
        return 0;
    for (size_t i = lo; i < hi; i++)
        if (p->refr[i] != 0 || !(V[i] < q->V_th) || fabs(ge[i]) > q->g_eps ||
            fabs(gi[i]) > q->g_eps || fabs(ga[i]) > q->g_eps || fabs(gd[i]) > q->g_eps)
            return 0;
    for (size_t i = lo; i < hi; i++)
        ge[i] = gi[i] = ga[i] = gd[i] = 0.0;
    return 1;
}

static void lif_coba_advance(const void *vplan, neuron_pop *p, size_t lo, size_t hi,
                             uint64_t n)
{
    const lif_coba_plan *q = vplan;
    double P = exp(-(double)n * q->h * q->aL);
    double *V = p->var[V_M];
    for (size_t i = lo; i < hi; i++)
        V[i] = q->V_inf + (V[i] - q->V_inf) * P;
}

static const char *const lif_coba_state[] = {"V_m", "g_ex", "g_in", "g_a", "g_adp"};
static const char *const lif_coba_state_units[] = {"mV", "nS", "nS", "nS", "nS"};
static const char *const lif_coba_receptors[] = {"ex", "in"};
static const char *const lif_coba_receptor_units[] = {"nS", "nS"};

const neuron_type neuron_lif_coba = {
    .name = "lif_coba",
    .doc = "LIF, exponential conductances, optional adaptation and afterdepolarization, RK4 "
           "(Brette et al. 2007 benchmark 1)",
    .params = lif_coba_param_desc,
    .n_params = sizeof lif_coba_param_desc / sizeof lif_coba_param_desc[0],
    .params_size = sizeof(lif_coba_params),
    .state_names = lif_coba_state,
    .state_units = lif_coba_state_units,
    .n_state = 5,
    .receptor_names = lif_coba_receptors,
    .receptor_units = lif_coba_receptor_units,
    .n_receptors = 2,
    .plan_size = sizeof(lif_coba_plan),
    .plan_init = lif_coba_plan_init,
    .state_rest = lif_coba_state_rest,
    .ext_alloc = lif_coba_ext_alloc,
    .ext_free = lif_coba_ext_free,
    .ext_state = lif_coba_ext_state,
    .control = lif_coba_control,
    .update = lif_coba_update,
    .quiet = lif_coba_quiet,
    .advance = lif_coba_advance,
};
