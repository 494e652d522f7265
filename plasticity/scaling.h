/* scaling.h: slow homeostatic rules on the incoming plastic weights of a
 * projection, run on a coarse clock (every interval_ms of biological time),
 * never per step. Each is a constant type table chosen by name:
 *
 *   scaling_rate  homeostatic synaptic scaling (Turrigiano et al. 1998; van
 *                 Rossum, Bi & Turrigiano 2000). Each postsynaptic neuron j
 *                 keeps a rate estimate r_j (spike counts averaged with time
 *                 constant avg_tau_ms); every interval T its incoming
 *                 weights are multiplied by
 *                     exp(T/tau_ms * (target_hz - r_j) / target_hz),
 *                 so ratios between them are kept exactly. The work is
 *                 spread over the steps of the interval.
 *   downscale     sleep downscaling (synaptic homeostasis hypothesis,
 *                 Tononi & Cirelli; de Vivo et al. 2017). Every interval T
 *                 each weight below the spare threshold is multiplied by
 *                 exp(-rate_per_s T); the threshold is the value above
 *                 which the strongest spare_fraction of the projection's
 *                 weights lay when the phase started. With target_total > 0
 *                 each neuron's summed incoming weight is instead scaled to
 *                 target_total, sparing nothing.
 *
 * A phase's gain multiplies the rule's rate (0 switches it off; for
 * target_total it is on or off). Run-time details: sim/homeo.h.
 */
#ifndef HS_SCALING_H
#define HS_SCALING_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "../base/param.h"

/* What one target neuron's turn does to its incoming weights. */
typedef struct scaling_turn {
    double factor;        /* multiply each weight below `below` by it */
    double below;         /* INFINITY: every weight */
    double total;         /* > 0: instead scale them to sum to total */
} scaling_turn;

typedef struct scaling_type {
    const char *name;
    const char *doc;
    const hs_param_desc *params;
    size_t n_params;
    size_t params_size;
    /* Checks relations between parameters; HS_EINPUT naming one. */
    int (*check)(const void *params, hs_error *err);
    /* The rule's clock, ms. */
    double (*interval_ms)(const void *params);
    /* 1: the rule keeps a rate estimate per target (rate_init its start,
     * Hz) and counts the target's spikes between turns. */
    int tracks_rate;
    double (*rate_init)(const void *params);
    /* The fraction of the projection's weights spared (the strongest; 0:
     * none): those at or above its (1 - fraction) quantile when the phase
     * starts, given to turn as threshold. */
    double (*spare_fraction)(const void *params);
    /* A target's turn after T ms: updates *rate (tracks_rate; count spikes
     * in T) and fills *out. Returns 0 when the weights stay as they are. */
    int (*turn)(const void *params, double gain, double T_ms, double *rate, uint32_t count,
                double threshold, scaling_turn *out);
} scaling_type;

extern const scaling_type scaling_rate, scaling_downscale;
extern const scaling_type *const scaling_types[];
const scaling_type *scaling_type_find(const char *name);

typedef struct scaling_rate_params {
    double target_hz;     /* Hz: the rate each neuron is driven to */
    double tau_ms;        /* ms: time constant of the multiplicative change */
    double avg_tau_ms;    /* ms: window of the rate estimate */
    double interval_ms;   /* ms: the clock */
} scaling_rate_params;

typedef struct downscale_params {
    double rate_per_s;    /* 1/s: weights fall as exp(-rate t) */
    double spare_fraction;/* [0, 1): strongest fraction kept */
    double target_total;  /* > 0: hold each neuron's summed input weight here instead */
    double interval_ms;   /* ms: the clock */
} downscale_params;

#endif
