/* homeo.h: the slow homeostatic rules of plasticity/scaling.h at run time.
 *
 * Every rule runs on its own clock of m = interval_ms / dt steps, spread
 * over the steps: target neuron j has its turn at the end of the steps
 * where (step + 1) % m == j % m, so each step pays for about 1/m of the
 * synapses and the schedule does not depend on the thread count. A thread
 * handles only its own targets, through the projection's transposed index,
 * at the end of a step's delivery (after STDP). A turn covers the T ms
 * since j's previous turn. At the end of every phase all targets take a
 * turn for the time since their last, so over a phase every weight has
 * been scaled for the phase's whole duration (downscaling by a over a
 * phase gives a w for every target alike). Weights stay
 * within the projection's STDP bounds (scaling_rate needs them; downscale
 * without plasticity is unbounded, as it only shrinks), and one turn of
 * scaling_rate changes a weight by a factor in [1/2, 2] at most.
 *
 *   scaling_rate: j's spikes in T give a rate sample s;
 *     r_j <- r_j e^{-T/avg_tau} + s (1 - e^{-T/avg_tau}) (r_j starts at
 *     target_hz); j's incoming weights are multiplied by
 *     exp(gain T/tau (target - r_j)/target).
 *   downscale: j's incoming weights below the spare threshold are
 *     multiplied by exp(-gain rate_per_s T); the threshold is the
 *     (1 - spare_fraction) quantile of the projection's weights when the
 *     phase starts, kept through the phase (none spared at
 *     spare_fraction 0). With target_total > 0 and gain > 0 the weights are
 *     instead scaled so they sum to target_total (the gain is then on/off).
 * Weights are floats: a turn changing a weight by less than 6e-8 of itself
 * leaves it unchanged, so keep tau_ms and rates such that a turn's change
 * is larger.
 */
#ifndef HS_HOMEO_H
#define HS_HOMEO_H

#include <stddef.h>
#include <stdint.h>

#include "../model/experiment.h"
#include "network.h"

typedef struct homeo_rule {
    const scaling_type *type;
    double params[HS_MAX_PARAMS];
    uint64_t every;         /* m: steps per turn */
    double gain;            /* the current phase's */
    double threshold;       /* downscale: weights at or above it are spared */
    double w_min, w_max;    /* bounds: the projection's STDP ones, else +-inf */
    uint64_t *last;         /* [n_post] end (step + 1) of j's last turn */
    double *rate;           /* scaling_rate: [n_post] r_j, Hz */
    uint32_t *count;        /* scaling_rate: [n_post] spikes since j's last turn */
} homeo_rule;

typedef struct homeo_proj {
    homeo_rule rule[HS_MAX_HOMEOSTASIS];
    size_t n;
} homeo_proj;

/* Sets up the rules of every projection of c that has some. */
int homeo_build(network *n, const hs_config *c, hs_error *err);
void homeo_free(network *n);

/* Phase k starts: the gains of c's phase k, and the downscale thresholds
 * from the weights as they are now. Calling thread, outside parallel
 * regions. */
int homeo_phase(network *n, const hs_config *c, size_t k, hs_error *err);

/* Thread t's own neurons ids of pj's post population spiked in step. */
void homeo_count(net_proj *pj, const uint32_t *ids, size_t m);

/* End of step `step` for thread t: the turns that fall in it. */
void homeo_step(const network *n, int t, uint64_t step);

/* Every target takes a turn for the time since its last, up to `end`
 * steps (a phase boundary). Calling thread, outside parallel regions. */
void homeo_flush(const network *n, uint64_t end);

#endif
