/* footprint.h: the memory a run of a config will take, estimated before
 * anything is allocated, so that a network too large for the machine is
 * refused as bad input (exit 2) instead of dying of out-of-memory midway.
 *
 * The estimate adds, in bytes:
 *   populations  state (n_state doubles and a refractory count per neuron,
 *                blocks of NEURON_BLOCK), delay rings (a double per
 *                receptor, slot and neuron), a source's generator, the
 *                engine's spike buffers (a window of steps) and, when
 *                recorded, the spike recorder (4 windows of every neuron);
 *   projections  the expected synapse count of the connection rule
 *                (fixed_probability p n_pre n_post, fixed_indegree K n_post,
 *                one_to_one n_post, all_to_all n_pre n_post; autapses left
 *                out when not allowed) x bytes per synapse (8, +2 for drawn
 *                delays, +6 or 8 when plastic, +4 for homeostasis alone),
 *                row offsets per thread, learning traces, and the 18 bytes a
 *                synapse takes while drawn (network_build holds them for
 *                one projection at a time, so only the largest counts);
 *   traces       a chunk of rows of the recorded ids;
 *   task         the rat's trajectory at 1 ms samples (~46 bytes each).
 * The window is the shortest delay a non-source projection can draw, the
 * ring the longest (sim/connect.h). Spikes kept for replay detection grow
 * with the run's spikes and are not counted.
 */
#ifndef HS_FOOTPRINT_H
#define HS_FOOTPRINT_H

#include "../model/experiment.h"
#include "../base/error.h"

/* One part of the estimate, named as in the config. */
typedef struct footprint_part {
    char path[HS_NAME_MAX + 32];   /* "populations.exc", "projections.ee", "task" */
    hs_loc loc;                    /* where it was written */
    double count;                  /* its neurons, synapses, trace rows or samples */
    const char *noun;              /* what count counts */
    double bytes;
} footprint_part;

typedef struct footprint {
    double bytes;                  /* the whole run's peak, estimated */
    double build;                  /* of which: synapses being drawn, freed once built */
    footprint_part top;            /* the largest part */
} footprint;

/* The estimate for c built for n_threads threads (>= 1). Doubles, so that
 * no product overflows however large the config's numbers. */
void footprint_estimate(const hs_config *c, int n_threads, footprint *f);

/* HS_OK when f->bytes fits in limit bytes (or limit is 0: unknown); else
 * HS_EINPUT with err "file:line:col: <top part's path>: the run would need
 * about X of memory, more than the Y this machine has; <path> alone: N
 * <noun>, Z". */
int footprint_check(const footprint *f, const hs_config *c, double limit, hs_error *err);

#endif
