/* network_build.h: a network built from an experiment, and freed.
 *
 * Plan, then execute: network_build allocates everything a run needs
 * (state, synapses, delay rings, learning and homeostasis state); running
 * allocates nothing. It draws connections per target neuron from the
 * stream (seed, projection, target) and initial values per neuron, so the
 * network is the same for any thread count and MPI split.
 */
#ifndef HS_NETWORK_BUILD_H
#define HS_NETWORK_BUILD_H

#include "../base/error.h"
#include "../model/experiment.h"
#include "../task/track.h"
#include "network.h"

/* HS_OK when a run of c on n_threads threads fits the machine's memory
 * (footprint.h); else HS_EINPUT naming the largest part. */
int network_check_size(const hs_config *c, int n_threads, hs_error *err);

/* Builds this rank's part of the network of c for n_threads threads per
 * rank (hs_mpi_rank of hs_mpi_size). traj is the rat's trajectory of c's
 * task (experiment_trajectory), or NULL without one; not owned, it must
 * outlive the network. Returns NULL with err set (HS_EINPUT naming the
 * population or projection, also when network_check_size fails;
 * HS_ENOMEM). */
network *network_build(const hs_config *c, const track_traj *traj, int n_threads,
                       hs_error *err);

/* Frees n and all it owns. network_free(NULL) does nothing. */
void network_free(network *n);

#endif
