/* stdp_pair.h: the pair rule's weight updates, inline so that the
 * learning loops (sim/learn.c) can call them without the rule table's
 * indirection; plasticity/stdp.c puts the same functions in the table. */
#ifndef HS_STDP_PAIR_H
#define HS_STDP_PAIR_H

#include <math.h>

typedef struct pair_params {
    double A_plus, A_minus;        /* fractions of w_max per pairing */
    double tau_plus, tau_minus;    /* ms */
    double w_min, w_max;           /* receptor unit (nS or pA) */
    double mu_plus, mu_minus;      /* 0 additive, 1 multiplicative */
} pair_params;

/* (1 - w/w_max)^mu and (w/w_max)^mu for mu in [0, 1]; pow is exact at 0, 1. */
static inline double stdp_soft(double x, double mu)
{
    return mu == 0.0 ? 1.0 : mu == 1.0 ? x : pow(x > 0 ? x : 0, mu);
}

static inline double stdp_pair_on_pre(const void *vp, double w, const double *post,
                                      const double *pre)
{
    (void)pre;
    const pair_params *p = vp;
    return w - p->A_minus * p->w_max * stdp_soft(w / p->w_max, p->mu_minus) * post[0];
}

static inline double stdp_pair_on_post(const void *vp, double w, const double *pre,
                                       const double *post)
{
    (void)post;
    const pair_params *p = vp;
    return w + p->A_plus * p->w_max * stdp_soft(1.0 - w / p->w_max, p->mu_plus) * pre[0];
}

#endif
