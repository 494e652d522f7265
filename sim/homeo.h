/* homeo.h: the slow homeostatic rules of plasticity/scaling.h at run time.
 *
 * Every rule runs on its own clock of m = interval_ms / dt steps, spread
 * over the steps: target neuron j is handled in the steps where
 * step % m == j % m, so each step pays for about 1/m of the synapses and
 * the schedule does not depend on the thread count. A thread handles only
 * its own targets, through the projection's transposed index, at the end
 * of a step's delivery (after STDP).
 *
 *   scaling_rate: j's spikes since its last turn give a rate sample s over
 *     T = m dt; r_j <- r_j e^{-T/avg_tau} + s (1 - e^{-T/avg_tau}) (r_j
 *     starts at target_hz); j's incoming weights are multiplied by
 *     exp(gain T/tau (target - r_j)/target).
 *   downscale: j's incoming weights below the spare threshold are
 *     multiplied by exp(-gain rate_per_s T); the threshold is the
 *     (1 - spare_fraction) quantile of the projection's weights when the
 *     phase starts (none spared at spare_fraction 0). With target_total > 0
 *     and gain > 0 the weights are instead scaled so they sum to
 *     target_total.
 */
#ifndef HS_HOMEO_H
#define HS_HOMEO_H

#include <stddef.h>
#include <stdint.h>

#include "../io/config.h"
#include "network.h"

typedef struct homeo_rule {
    const scaling_type *type;
    double params[HS_MAX_PARAMS];
    uint64_t every;         /* m: steps per turn */
    double gain;            /* the current phase's */
    double threshold;       /* downscale: weights at or above it are spared */
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

#endif
