/* testutil.h: helpers shared by the tests that build and run networks. */
#ifndef HS_TESTUTIL_H
#define HS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../../io/config.h"
#include "../../sim/engine.h"
#include "../../sim/network.h"
#include "../../sim/network_build.h"
#include "../../sim/schedule.h"
#include "../../sim/weights.h"

/* Loads a config from YAML text (written to a temporary file); fails the
 * test on error. sets: --set overrides, may be NULL. */
hs_config *tu_config(const char *yaml, const char *const *sets, size_t n_sets);

/* Loads a config file; fails the test on error. */
hs_config *tu_config_file(const char *path, const char *const *sets, size_t n_sets);

/* Spikes recorded in memory, all populations in one list, in the order the
 * engine handed them over. */
typedef struct tu_spikes {
    size_t n, cap;
    uint32_t *pop;
    uint64_t *id;
    double *t_ms;
    size_t n_trace;        /* floats of trace data, all traces appended */
    float *trace;
} tu_spikes;

/* A sim_sink spikes callback that appends to the tu_spikes ctx. */
int tu_sink_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids, size_t n,
                   hs_error *err);

/* Builds c with n_threads threads, runs it for its duration, returns what
 * it recorded; *net_out (if given) receives the network (caller frees). */
/* network_build with c's trajectory (experiment_trajectory), which
 * tu_network_free frees with the network. NULL with err set on failure. */
network *tu_network_build(const hs_config *c, int n_threads, hs_error *err);
void tu_network_free(network *n);

tu_spikes *tu_run(const hs_config *c, int n_threads, network **net_out);
/* The same through c's schedule (schedule_run): phases, drives, gains. */
tu_spikes *tu_run_schedule(const hs_config *c, int n_threads, network **net_out);
void tu_spikes_free(tu_spikes *s);

/* Spike times and cell ids built by hand, for the replay analyses. */
typedef struct tu_train {
    size_t n, cap;
    double *t;
    uint32_t *id;
} tu_train;

void tu_train_add(tu_train *s, double t, uint32_t id);
void tu_train_free(tu_train *s);

/* Adds Poisson spikes at rate_hz of each of n_cells cells over [0,
 * dur_ms), each cell from its own stream of seed. */
void tu_train_poisson(tu_train *s, size_t n_cells, double rate_hz, double dur_ms,
                      uint64_t seed);

/* A planted sequence (events and rank-order tests): cells 0..19 burst (3
 * spikes, 1 ms apart) 5 ms apart from TU_SEQ_T0, in id order (forward) or
 * reversed, amid 1 Hz background over 20 s; quiet: no background in
 * [TU_SEQ_T0 - 150, TU_SEQ_T0 + 250). Adds to s. */
enum { TU_SEQ_CELLS = 20 };
#define TU_SEQ_T0 10000.0
void tu_train_sequence(tu_train *s, int reverse, int quiet);

/* 1 if both recorded the same spikes and traces, bit for bit. */
int tu_spikes_equal(const tu_spikes *a, const tu_spikes *b);

/* Runs the config file with one override at 1, 2 and 4 threads and fails
 * unless spikes, traces and every final state variable are bitwise equal
 * (and at least min_spikes spikes were recorded). */
void tu_assert_threads_bitwise(const char *path, const char *set, size_t min_spikes);

/* Mean rate (Hz) and mean ISI CV over neurons with >= 3 spikes, of
 * population pop (size n) recorded over duration_ms. */
void tu_rate_cv(const tu_spikes *s, uint32_t pop, size_t n, double duration_ms,
                double *rate_hz, double *cv);

/* One population driven by hand through the model interface, dt 0.1 ms. */
typedef struct cell {
    const neuron_type *t;
    double params[HS_MAX_PARAMS];
    _Alignas(64) unsigned char plan[16384];
    neuron_pop pop;
    double *rx[NEURON_MAX_RECEPTORS];
    uint32_t *spikes;
} cell;

/* n neurons of model with the n_vals parameters names[k] = vals[k]. */
void cell_init(cell *c, const char *model, size_t n, const char *const *names,
               const double *vals, size_t n_vals);
void cell_free(cell *c);

/* Step s of neuron 0 with inputs ex and in arriving in it; returns spikes. */
size_t cell_step(cell *c, uint64_t s, double ex, double in);

#endif
