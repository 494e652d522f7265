/* learn.h: STDP at run time (plasticity/stdp.h rules on plastic
 * projections), event-driven after Morrison, Diesmann & Gerstner 2008.
 *
 * Traces are kept lazily: a neuron's trace is stored with the step it was
 * last brought up to date and decays exactly (e^{-n dt/tau}, tabled for
 * short gaps) when read. Post traces belong to the target's thread; every
 * thread keeps its own copy of the pre traces, since every thread reads
 * every spike. All learning happens in the delivery phase, step by step in
 * time order: a step's presynaptic spikes first (depression, then the new
 * weight is transmitted), then the postsynaptic spikes of the thread's own
 * neurons (potentiation). Each synapse is changed only by the thread owning
 * its target, in the same order for any thread count.
 */
#ifndef HS_LEARN_H
#define HS_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "../model/experiment.h"
#include "../plasticity/stdp.h"
#include "network.h"
#include "skip.h"

/* e^{-n dt / tau} for n steps, tabled up to len. */
typedef struct learn_decay {
    double *table;
    size_t len;
    double steps_per_tau;   /* dt / tau */
} learn_decay;

/* k traces of each of n neurons, each stored as of step last[i]. */
typedef struct learn_traces {
    double *v[STDP_MAX_TRACES];
    uint64_t *last;
} learn_traces;

typedef struct learn_proj {
    const stdp_type *rule;
    double params[HS_MAX_PARAMS];
    int nearest;
    int pair;               /* the rule is stdp_pair: its updates inlined */
    double w_min, w_max;
    double gain;            /* the current phase's learning-rate gain */
    learn_decay pre_decay[STDP_MAX_TRACES], post_decay[STDP_MAX_TRACES];
    learn_traces post;      /* over the post population */
    learn_traces *pre;      /* [n_threads], each over the pre population */
} learn_proj;

/* Sets up learning for every plastic projection of c in n (after the
 * synapses are drawn). HS_OK, HS_ENOMEM, or HS_EINPUT for a plastic
 * projection without one constant delay. */
int learn_build(network *n, const hs_config *c, hs_error *err);
void learn_free(network *n);

/* Delivers the m spikes ids (emitted in step `step`) of pj's pre population
 * to thread t's targets: each synapse is depressed, clipped, then its
 * weight is added to the delay ring (and the target's block marked in kp,
 * if given); then thread t's pre traces take the spikes. Returns the
 * synaptic events. */
uint64_t learn_deliver(const network *n, net_proj *pj, int t, const uint32_t *ids, size_t m,
                       uint64_t step, skip_pop *kp);

/* Thread t's own neurons ids of pj's post population spiked in `step`:
 * their incoming synapses are potentiated, then their post traces jump. */
void learn_post(const network *n, net_proj *pj, int t, const uint32_t *ids, size_t m,
                uint64_t step);

#endif
