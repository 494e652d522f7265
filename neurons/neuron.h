/* neuron.h: the one small interface behind every neuron model and spike source.
 *
 * A model is a constant type table (name, parameters, state variables,
 * receptors, functions); a population is that type plus its state. The
 * kernel calls update() once per step on a contiguous range of neurons that
 * one thread owns, so update() must touch only neurons in [lo, hi).
 *
 * Timing convention (as NEST): step t covers (t dt, (t+1) dt]. update()
 * integrates the state across the step, then adds the input that arrives in
 * step t, then tests the threshold. A spike found in step t is stamped
 * (t+1) dt; sent with a delay of d steps it arrives in step t + d, so its
 * effect starts exactly d dt after its stamp.
 */
#ifndef HS_NEURON_H
#define HS_NEURON_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "../base/param.h"
#include "../base/state.h"

#define NEURON_MAX_STATE 8
#define NEURON_MAX_RECEPTORS 4
/* Threads own whole blocks of this many neurons, so vectorised loops split
 * the same way for any thread count (bitwise identical results). */
#define NEURON_BLOCK 64

/* Hot loops are compiled for AVX-512 and AVX2 too and picked at load time
 * (with 32 vector registers the RK4 loop spills half as often: COBA runs 1.6x
 * faster than with AVX2). Every element goes through the same IEEE
 * operations in each version (no FMA: -ffp-contract=off), so results do
 * not depend on the version chosen.
 * GCC only: clang 14 (the fuzz build) emits no symbol for the clones. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define HS_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HS_VECTOR_CLONES
#endif

/* Hot state of one population, structure of arrays. */
typedef struct neuron_pop {
    size_t n;                         /* neurons */
    size_t n_alloc;                   /* n rounded up to NEURON_BLOCK */
    double *var[NEURON_MAX_STATE];    /* state variables, n_alloc each */
    int32_t *refr;                    /* refractory steps left, n_alloc */
    void *ext;                        /* model-owned extra state */
} neuron_pop;

/* The rat's path as place cells see it: its position along the
 * (linearized) track and its running direction (+1, -1, 0 paused) every
 * sample_ms, from time 0; past the end it stays at the last sample. A
 * view of a trajectory (task/track.h), not owned. */
typedef struct neuron_path {
    size_t n;               /* samples, >= 1 */
    double sample_ms;
    double length_cm;       /* the track's linearized length */
    const double *x_cm;     /* [n] */
    const int8_t *dir;      /* [n] */
} neuron_path;

/* The sample of p at time t_ms. */
static inline size_t neuron_path_index(const neuron_path *p, double t_ms)
{
    double k = t_ms / p->sample_ms;
    return k < 1 ? 0 : k >= (double)p->n ? p->n - 1 : (size_t)k;
}

/* Data a source is built from, not owned: spike_times takes spikes at
 * t_ms[k] from neuron ids[k] (population-local); place_cells the rat's
 * path, which must outlive the population. */
typedef struct neuron_source_data {
    const double *t_ms;
    const uint64_t *ids;
    size_t n;
    const neuron_path *path;
} neuron_source_data;

/* Where the rat is from step `step` on, for the sources it drives; the
 * run's schedule sets it at each phase start and a source keeps it until
 * the next call. */
typedef enum neuron_rat {
    NEURON_RAT_RUNS = 0,   /* the rat is on the track and its clock runs */
    NEURON_RAT_STILL = 1,  /* on the track, still (quiet rest): clock held */
    NEURON_RAT_AWAY = 2    /* off the track (asleep in its box): no place input */
} neuron_rat;

typedef struct neuron_control {
    uint64_t step;          /* first step it applies to */
    /* rate factor in [0, 1] at a step, applied by thinning; NULL: 1.
     * Called from any thread: must be pure. */
    double (*level)(const void *ctx, uint64_t step);
    const void *level_ctx;
    neuron_rat rat;         /* where the rat is, for place cells */
    double path_ms;         /* trajectory time at the start of `step` */
} neuron_control;

/* One array of a model's run-time extra state (neuron_type.ext_state). */
typedef struct neuron_ext_array {
    const char *name;
    state_type type;
    void *data;
    size_t n;
    size_t per_neuron;  /* n = n_alloc x per_neuron, by neuron; 0: a model-wide value */
} neuron_ext_array;

#define NEURON_MAX_EXT 8

typedef struct neuron_type {
    const char *name;                 /* the YAML `model:` value */
    const char *doc;                  /* one line, with the source paper */
    int is_source;                    /* 1: emits spikes, takes no input */

    const hs_param_desc *params;      /* parameter table */
    size_t n_params;
    size_t params_size;               /* sizeof the params struct */

    const char *const *state_names;   /* recordable state variables */
    const char *const *state_units;
    size_t n_state;

    const char *const *receptor_names; /* synapse targets, e.g. "ex", "in" */
    const char *const *receptor_units; /* unit of a weight onto each: nS, pA */
    size_t n_receptors;

    size_t plan_size;                 /* bytes of precomputed constants */

    /* Checks relations between parameters (e.g. V_reset < V_th) and fills
     * plan with propagators for step dt_ms. Returns HS_OK or HS_EINPUT with
     * the parameter named in err (the caller adds the file location). */
    int (*plan_init)(void *plan, const void *params, double dt_ms,
                     hs_error *err);

    /* Writes the resting value of every state variable into values: the
     * equilibrium without synaptic input or I_e (E_L for the LIF models). */
    void (*state_rest)(const void *plan, double *values);

    /* Optional (sources): allocate p->ext. seed and pop_index key the random
     * streams, so they do not depend on the thread count. */
    int (*ext_alloc)(neuron_pop *p, const void *plan,
                     const neuron_source_data *data, uint64_t seed,
                     uint32_t pop_index, hs_error *err);
    void (*ext_free)(neuron_pop *p);
    /* Optional: the parts of p->ext that change as the run goes (random
     * streams, pending spikes, flags), for checkpoints; neither pointers nor
     * what ext_alloc derives from the config. Fills out, returns the count
     * (at most NEURON_MAX_EXT). */
    size_t (*ext_state)(neuron_pop *p, neuron_ext_array *out);

    /* Advances neurons [lo, hi) through step `step`. rx[r] is this step's
     * arriving input for receptor r, indexed by neuron: read it, then zero
     * it. Writes the ids of spiking neurons, ascending, to spikes and returns
     * their count. Thread-safe for disjoint ranges. */
    size_t (*update)(const void *plan, neuron_pop *p, size_t lo, size_t hi,
                     uint64_t step, double *const *rx, uint32_t *spikes);

    /* Optional: called at each phase start, on the calling thread, with
     * the plan as the phase rebuilt it. Sources take their drive from ctl
     * from ctl->step on (pending spikes are drawn anew when the rate
     * changed: the process is memoryless, so this is exact); lif_coba
     * notes whether adaptation was ever on. */
    void (*control)(const void *plan, neuron_pop *p, const neuron_control *ctl);

    /* Optional, for skipping quiet neurons (event-driven updates).
     * quiet(): 1 if no neuron in [lo, hi) can spike before new input
     * arrives and advance() can carry all of them forward exactly; it may
     * set negligible synaptic state to zero (documented per model).
     * advance(): moves [lo, hi) n steps ahead without input, in closed
     * form; only called on ranges quiet() accepted. */
    int (*quiet)(const void *plan, neuron_pop *p, size_t lo, size_t hi);
    void (*advance)(const void *plan, neuron_pop *p, size_t lo, size_t hi, uint64_t n);
} neuron_type;

/* The registry: NULL-terminated array of every model. */
extern const neuron_type *const neuron_types[];

/* The model called name, or NULL. */
const neuron_type *neuron_type_find(const char *name);

/* Index of a state variable or receptor by name, or -1. */
int neuron_type_state_index(const neuron_type *t, const char *name);
int neuron_type_receptor_index(const neuron_type *t, const char *name);

/* Allocates the arrays of a population of n neurons of type t, every state
 * variable at its resting value. Returns HS_OK, or HS_ENOMEM with err set. */
int neuron_pop_alloc(neuron_pop *p, const neuron_type *t, const void *plan,
                     size_t n, hs_error *err);
void neuron_pop_free(neuron_pop *p, const neuron_type *t);

/* Synaptic variables of a silent neuron decay into subnormal numbers, which
 * can cost ~100 cycles an operation (the default experiment runs 2 % faster
 * without them).
 * Every NEURON_FLUSH_STEPS steps the models set those below NEURON_TINY to
 * zero. Such a value is ~1e-200 of any term it meets, so V rounds the same;
 * from NEURON_TINY a time constant above 0.52 dt cannot reach the
 * subnormals (2.2e-308) before the next flush. */
#define NEURON_TINY 1e-200
#define NEURON_FLUSH_STEPS 128
void neuron_flush(double *x, size_t lo, size_t hi);

/* The threshold test shared by the integrate-and-fire models: every neuron
 * in [lo, hi) that is not refractory and has V >= V_th spikes: V <- V_reset,
 * refractory for n_ref steps, id appended to spikes. Returns the count. */
size_t neuron_threshold(double *V, int32_t *refr, size_t lo, size_t hi,
                        double V_th, double V_reset, int32_t n_ref,
                        uint32_t *spikes);

#endif
