#include "stdp.h"
#include "stdp_pair.h"

#include <math.h>
#include <string.h>

/* ---- stdp_pair ---- */

/* Defaults: Song, Miller & Abbott 2000 (A- = 1.05 A+, tau = 20 ms). */
static const hs_param_desc pair_desc[] = {
    {"A_plus", "", offsetof(pair_params, A_plus), 0.005, 0.0, 1.0,
     "potentiation per pairing, fraction of w_max"},
    {"A_minus", "", offsetof(pair_params, A_minus), 0.00525, 0.0, 1.0,
     "depression per pairing, fraction of w_max"},
    {"tau_plus", "ms", offsetof(pair_params, tau_plus), 20.0, 1e-3, 1e6,
     "potentiation window"},
    {"tau_minus", "ms", offsetof(pair_params, tau_minus), 20.0, 1e-3, 1e6,
     "depression window"},
    {"w_min", "", offsetof(pair_params, w_min), 0.0, -1e9, 1e9, "lower hard bound"},
    {"w_max", "", offsetof(pair_params, w_max), 1.0, -1e9, 1e9, "upper hard bound"},
    {"mu_plus", "", offsetof(pair_params, mu_plus), 0.0, 0.0, 1.0,
     "weight dependence of potentiation (0 additive, 1 multiplicative)"},
    {"mu_minus", "", offsetof(pair_params, mu_minus), 0.0, 0.0, 1.0,
     "weight dependence of depression (0 additive, 1 multiplicative)"},
};

/* Amplitudes are fractions of w_max, so w_max must be positive; weight
 * dependence (mu > 0) reads w/w_max as a fraction in [0, 1]. */
static int bounds_check(double w_min, double w_max, int weight_dependent, hs_error *err)
{
    if (!(w_min < w_max))
        return hs_error_set(err, HS_EINPUT, "w_min (%g) must be below w_max (%g)", w_min,
                            w_max);
    if (!(w_max > 0))
        return hs_error_set(err, HS_EINPUT, "w_max (%g) must be positive: the amplitudes "
                            "are fractions of it", w_max);
    if (weight_dependent && w_min < 0)
        return hs_error_set(err, HS_EINPUT, "w_min (%g) must be >= 0 when mu_plus or "
                            "mu_minus is above 0", w_min);
    return HS_OK;
}

static int pair_check(const void *vp, double *tau_pre, double *tau_post, hs_error *err)
{
    const pair_params *p = vp;
    tau_pre[0] = p->tau_plus;
    tau_post[0] = p->tau_minus;
    return bounds_check(p->w_min, p->w_max, p->mu_plus > 0 || p->mu_minus > 0, err);
}

static void pair_bounds(const void *vp, double *lo, double *hi)
{
    const pair_params *p = vp;
    *lo = p->w_min;
    *hi = p->w_max;
}

/* ---- stdp_symmetric ---- */

typedef struct sym_params {
    double A, tau, w_min, w_max;
} sym_params;

/* Defaults: Ecker et al. 2022 symmetric rule (Mishra et al. 2016):
 * A = 0.004 w_max, tau = 62.5 ms, w_max = 20 nS. */
static const hs_param_desc sym_desc[] = {
    {"A", "", offsetof(sym_params, A), 0.004, 0.0, 1.0,
     "potentiation per pairing (either order), fraction of w_max"},
    {"tau", "ms", offsetof(sym_params, tau), 62.5, 1e-3, 1e6, "window, both sides"},
    {"w_min", "", offsetof(sym_params, w_min), 0.0, -1e9, 1e9, "lower hard bound"},
    {"w_max", "", offsetof(sym_params, w_max), 20.0, -1e9, 1e9, "upper hard bound"},
};

static int sym_check(const void *vp, double *tau_pre, double *tau_post, hs_error *err)
{
    const sym_params *p = vp;
    tau_pre[0] = tau_post[0] = p->tau;
    return bounds_check(p->w_min, p->w_max, 0, err);
}

static double sym_on_pre(const void *vp, double w, const double *post, const double *pre)
{
    (void)pre;
    const sym_params *p = vp;
    return w + p->A * p->w_max * post[0];
}

static double sym_on_post(const void *vp, double w, const double *pre, const double *post)
{
    (void)post;
    const sym_params *p = vp;
    return w + p->A * p->w_max * pre[0];
}

static void sym_bounds(const void *vp, double *lo, double *hi)
{
    const sym_params *p = vp;
    *lo = p->w_min;
    *hi = p->w_max;
}

/* ---- stdp_triplet ---- */

typedef struct triplet_params {
    double A2_plus, A3_plus, A2_minus, A3_minus;
    double tau_plus, tau_x, tau_minus, tau_y;
    double w_min, w_max;
} triplet_params;

/* Defaults: Pfister & Gerstner 2006, Table 3, visual cortex, all-to-all,
 * minimal model (A2+ = 0, A3- = 0; tau_x is then unused). Their Table 4
 * hippocampal all-to-all minimal fit: A2+ 5.3e-3, A3+ 8.0e-3, A2- 3.5e-3,
 * tau_y 40 ms. */
static const hs_param_desc triplet_desc[] = {
    {"A2_plus", "", offsetof(triplet_params, A2_plus), 0.0, 0.0, 1.0, "pair potentiation"},
    {"A3_plus", "", offsetof(triplet_params, A3_plus), 6.5e-3, 0.0, 1.0,
     "triplet potentiation"},
    {"A2_minus", "", offsetof(triplet_params, A2_minus), 7.1e-3, 0.0, 1.0, "pair depression"},
    {"A3_minus", "", offsetof(triplet_params, A3_minus), 0.0, 0.0, 1.0, "triplet depression"},
    {"tau_plus", "ms", offsetof(triplet_params, tau_plus), 16.8, 1e-3, 1e6, "pre trace r1"},
    {"tau_x", "ms", offsetof(triplet_params, tau_x), 101.0, 1e-3, 1e6, "pre trace r2"},
    {"tau_minus", "ms", offsetof(triplet_params, tau_minus), 33.7, 1e-3, 1e6,
     "post trace o1"},
    {"tau_y", "ms", offsetof(triplet_params, tau_y), 114.0, 1e-3, 1e6, "post trace o2"},
    {"w_min", "", offsetof(triplet_params, w_min), 0.0, -1e9, 1e9, "lower hard bound"},
    {"w_max", "", offsetof(triplet_params, w_max), 1.0, -1e9, 1e9, "upper hard bound"},
};

static int triplet_check(const void *vp, double *tau_pre, double *tau_post, hs_error *err)
{
    const triplet_params *p = vp;
    tau_pre[0] = p->tau_plus;
    tau_pre[1] = p->tau_x;
    tau_post[0] = p->tau_minus;
    tau_post[1] = p->tau_y;
    return bounds_check(p->w_min, p->w_max, 0, err);
}

static double triplet_on_pre(const void *vp, double w, const double *post, const double *pre)
{
    const triplet_params *p = vp;
    return w - p->w_max * post[0] * (p->A2_minus + p->A3_minus * pre[1]);
}

static double triplet_on_post(const void *vp, double w, const double *pre, const double *post)
{
    const triplet_params *p = vp;
    return w + p->w_max * pre[0] * (p->A2_plus + p->A3_plus * post[1]);
}

static void triplet_bounds(const void *vp, double *lo, double *hi)
{
    const triplet_params *p = vp;
    *lo = p->w_min;
    *hi = p->w_max;
}

/* ---- registry ---- */

static const stdp_type stdp_pair = {
    "stdp_pair", "pair STDP, additive or multiplicative (Song et al. 2000)", pair_desc,
    sizeof pair_desc / sizeof pair_desc[0], sizeof(pair_params), 1, 1,
    pair_check, stdp_pair_on_pre, stdp_pair_on_post, pair_bounds, 1,
};

static const stdp_type stdp_symmetric = {
    "stdp_symmetric", "symmetric STDP, both orders potentiate (Mishra et al. 2016)", sym_desc,
    sizeof sym_desc / sizeof sym_desc[0], sizeof(sym_params), 1, 1,
    sym_check, sym_on_pre, sym_on_post, sym_bounds, 0,
};

static const stdp_type stdp_triplet = {
    "stdp_triplet", "triplet STDP (Pfister & Gerstner 2006)", triplet_desc,
    sizeof triplet_desc / sizeof triplet_desc[0], sizeof(triplet_params), 2, 2,
    triplet_check, triplet_on_pre, triplet_on_post, triplet_bounds, 0,
};

const stdp_type *const stdp_types[] = {&stdp_pair, &stdp_symmetric, &stdp_triplet, NULL};

const stdp_type *stdp_type_find(const char *name)
{
    for (size_t i = 0; stdp_types[i]; i++)
        if (strcmp(stdp_types[i]->name, name) == 0)
            return stdp_types[i];
    return NULL;
}
