/* engine.h: running a built network, window by window.
 *
 * A window is the min delay: within it, threads update their own neurons
 * step by step and collect the spikes they emit; then, after one barrier,
 * every thread reads all the window's spikes in the canonical order (step,
 * population, neuron id) and adds them into the delay rings of its own
 * targets. No atomics, no locks; results are bitwise identical for any
 * thread count. Sources whose projections are all static ("ahead": nothing
 * in the network changes their spikes) do not bound the window: each
 * window starts with them, one barrier, and their whole window's spikes
 * delivered, so the rest of the window sees them in time. (Under MPI every
 * rank can compute them: they are cheap and keyed by neuron.) Spike and trace buffers are handed to a sink by the calling
 * thread between parallel regions (every chunk of steps), never from inside
 * one, so the sink may call HDF5.
 */
#ifndef HS_ENGINE_H
#define HS_ENGINE_H

#include <signal.h>

#include <stddef.h>
#include <stdint.h>

#include "../model/experiment.h"
#include "network.h"
#include "record.h"


typedef struct sim sim;

/* Allocates the run buffers for net (not owned) and the recording of c
 * (kept, for names and the rate ceiling: c must outlive the sim).
 * With c->skip_quiet, blocks of NEURON_BLOCK neurons of models that allow it
 * (neuron_type.quiet) that cannot spike before their next input are not
 * touched until input arrives, then advanced in closed form.
 * Returns NULL with err set. */
sim *sim_alloc(network *net, const hs_config *c, hs_error *err);
void sim_free(sim *s);

/* Moves the clock to `step` (for resuming, and to test runs past 2^32
 * steps without simulating them). Sources schedule their next spikes from
 * there. Call before the first sim_run. */
void sim_seek(sim *s, uint64_t step);

/* Runs n_steps steps from where the last call stopped, handing recorded
 * data to sink (may be NULL: nothing recorded). Returns HS_OK, the sink's
 * code, or HS_EINTERRUPTED when the stop flag was set: then the run ends at
 * the next window's end, everything recorded up to there handed over, the
 * state left as it was there (dormant blocks not synced). */
int sim_run(sim *s, uint64_t n_steps, const sim_sink *sink, hs_error *err);

/* Called between parallel regions inside a sim_run (never at its end),
 * after the recorders were flushed: the state is then a window boundary,
 * where a checkpoint may be saved. Returns HS_OK or stops the run with its
 * code. */
typedef int (*sim_pause_fn)(void *ctx, hs_error *err);
void sim_set_pause(sim *s, sim_pause_fn fn, void *ctx);

/* Saves or loads (state.h) the clock, spike counts and the quiet blocks'
 * bookkeeping; network_state_visit does the rest. */
int sim_state_visit(sim *s, const state_io *io, hs_error *err);

/* A flag (set by a signal handler) that stops sim_run; NULL: none. */
void sim_set_stop_flag(sim *s, const volatile sig_atomic_t *flag);

/* Population p's plan was rebuilt between runs (a phase's parameters):
 * blocks dormant under the old plan are activated, so the new one judges them. */
void sim_pop_replanned(sim *s, size_t p);

/* Steps run so far. */
uint64_t sim_step(const sim *s);
/* Synaptic events delivered so far (spike x target synapse). */
uint64_t sim_events(const sim *s);
/* Block-steps skipped as quiet so far, and block-steps in all. */
void sim_skip_stats(const sim *s, uint64_t *skipped, uint64_t *total);

/* Under MPI: spike exchanges (MPI_Allgatherv) so far, the bytes this rank
 * sent in them, and the wall time they took on this rank (packing, waiting
 * for the slowest rank, unpacking). All 0 in a single process. */
void sim_exchange_stats(const sim *s, uint64_t *calls, uint64_t *bytes, double *seconds);

/* Spikes emitted by population pop so far. */
uint64_t sim_spike_count(const sim *s, size_t pop);

#endif
