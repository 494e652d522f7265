/* neuron_ref.h: independent references for the neuron model tests
 * (tests/unit/test_lif_*.c, test_adex.c, test_neuron.c): input spikes as
 * jumps, and the conductance-based models (lif_coba with adaptation and an
 * afterdepolarization, adex) integrated by gsl_odeiv2 (rk8pd). Helpers
 * assert with Check, so call them from inside a test. */
#ifndef HS_TEST_NEURON_REF_H
#define HS_TEST_NEURON_REF_H

#include <stddef.h>
#include <stdint.h>

#include "testutil.h"

#define DT 0.1

/* A few input spikes: (arrival step, receptor, weight). */
typedef struct input { uint64_t step; int rec; double w; } input;

/* The summed weight of the inputs arriving in step s at receptor rec. */
double input_at(const input *in, size_t n, uint64_t s, int rec);

typedef struct coba_ode {
    double C, gL, EL, Eex, Ein, tex, tin, Ie;
    /* adex only */
    double VT, DT_, a, tw;
    int adex;
    /* lif_coba's adaptation conductance: y[3] = g_a when ta > 0 */
    double ta, Ea;
    /* and its afterdepolarization conductance: y[4] = g_adp when td > 0 */
    double td, Ed;
} coba_ode;

/* Integrates the reference across [0, steps dt] with the inputs as jumps at
 * the end of their arrival steps, stepping c alongside; compares V (and w)
 * after every step: the largest error relative to the largest excursion
 * from E_L (and of w) into *rel_V (*rel_w, 0 but for adex). */
void compare_with_ode(cell *c, coba_ode *p, const input *in, size_t n_in,
                      uint64_t steps, double *rel_V, double *rel_w);

/* Step whose end first has V >= V_th under constant drive; -1 if none. */
long first_spike_step(cell *c, uint64_t max_steps);

#endif
