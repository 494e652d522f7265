/* stdp.h: spike-timing-dependent plasticity rules, event-driven.
 *
 * A rule is a constant type table, chosen by name in the YAML
 * (`plasticity: {rule: stdp_pair, ...}`). Following Morrison, Diesmann &
 * Gerstner 2008, each synapse keeps only its weight; every presynaptic
 * neuron keeps n_pre traces and every postsynaptic neuron n_post traces,
 * each decaying exponentially with its own time constant and jumping by 1
 * at the neuron's spikes (all-to-all interaction) or set to 1 (nearest-
 * spike interaction). Weights change only at spikes:
 *
 *   at a presynaptic spike, for each of its plastic synapses:
 *       w <- on_pre(w, post traces at t, pre traces just before the spike)
 *   at a postsynaptic spike, for each of its incoming plastic synapses:
 *       w <- on_post(w, pre traces at t, post traces just before the spike)
 *
 * then w is clipped to [w_min, w_max] (hard bounds). Spike times are the
 * neurons' own stamps and the delay plays no part in learning: a pair's
 * Delta t = t_post - t_pre (as Ecker et al. 2022 learn offline; NEST, which
 * counts the delay as dendritic, uses t_post + d - t_pre, and Brian2 with an
 * axonal delay t_post - t_pre - d). A pre and a post spike in the same step
 * count as pre before post. The weight transmitted at a pre spike is the
 * one after its depression, as in NEST.
 *
 * Rules:
 *   stdp_pair       Bi & Poo 1998; Song, Miller & Abbott 2000; van Rossum,
 *                   Bi & Turrigiano 2000:
 *                   on_post: w += A_plus  w_max (1 - w/w_max)^mu_plus  x
 *                   on_pre:  w -= A_minus w_max (w/w_max)^mu_minus     y
 *                   x: pre trace (tau_plus), y: post trace (tau_minus);
 *                   mu = 0 additive, mu = 1 multiplicative.
 *                   Window: Delta w(Delta t) = A_plus w_max e^{-Dt/tau_plus}
 *                   for Dt >= 0, -A_minus w_max e^{Dt/tau_minus} for Dt < 0.
 *   stdp_symmetric  Mishra et al. 2016 (CA3); Ecker et al. 2022: both orders
 *                   potentiate, Delta w = A w_max e^{-|Dt|/tau}.
 *   stdp_triplet    Pfister & Gerstner 2006, all-to-all triplet model:
 *                   pre traces r1 (tau_plus), r2 (tau_x); post traces o1
 *                   (tau_minus), o2 (tau_y):
 *                   on_post: w += w_max r1 (A2_plus + A3_plus o2(t-))
 *                   on_pre:  w -= w_max o1 (A2_minus + A3_minus r2(t-))
 *                   (A3_minus = 0 is their minimal model.)
 */
#ifndef HS_STDP_H
#define HS_STDP_H

#include <stddef.h>

#include "../base/error.h"
#include "../base/param.h"

#define STDP_MAX_TRACES 2

typedef struct stdp_type {
    const char *name;
    const char *doc;
    const hs_param_desc *params;
    size_t n_params;
    size_t params_size;
    size_t n_pre, n_post;            /* traces per pre and per post neuron */

    /* Checks parameter relations (w_min <= w_max, ...). HS_EINPUT naming
     * the parameter. Fills the trace time constants (ms). */
    int (*check)(const void *params, double *tau_pre, double *tau_post, hs_error *err);

    /* New weight at a presynaptic spike: post[] are the post traces at its
     * time, pre[] the pre traces just before it. */
    double (*on_pre)(const void *params, double w, const double *post, const double *pre);
    /* New weight at a postsynaptic spike: pre[] at its time, post[] just
     * before it. */
    double (*on_post)(const void *params, double w, const double *pre, const double *post);

    /* Bounds of the weight. */
    void (*bounds)(const void *params, double *w_min, double *w_max);

    /* 1: on_pre and on_post are stdp_pair_on_pre and stdp_pair_on_post
     * (stdp_pair.h), which the learning loops may call inline. */
    int pair_inline;
} stdp_type;

/* The registry, NULL-terminated, and lookup by name (NULL if unknown). */
extern const stdp_type *const stdp_types[];
const stdp_type *stdp_type_find(const char *name);

#endif
