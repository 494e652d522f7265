/* network_state.h: everything of a built network that a run changes, walked
 * array by array through a state_io (base/state.h) to save a checkpoint or
 * load it back. Arrays are indexed by neuron or in the canonical (pre, post)
 * synapse order, never by thread or rank, so a checkpoint resumes with any
 * thread count and any number of MPI ranks.
 */
#ifndef HS_NETWORK_STATE_H
#define HS_NETWORK_STATE_H

#include <stddef.h>

#include "../base/state.h"
#include "network.h"

/* The part of an array over population p's neurons in network n: `per`
 * elements per neuron, in rows of n_alloc x per elements (blocks: one
 * element per block of `block` neurons, in rows of n_blocks). */
state_part network_state_part_neurons(const network *n, size_t p, size_t per);
state_part network_state_part_blocks(const network *n, size_t p, size_t block, size_t n_blocks);

/* Saves or loads everything of n that a run changes: neuron state and
 * model extras, delay rings, weights, STDP traces, homeostatic clocks
 * (sim_state_visit, engine.h, does the sim's part). */
int network_state_visit(network *n, const state_io *io, hs_error *err);

#endif
