/* connect.h: drawing the synapses of every projection (connection rules).
 *
 * Rules, per target neuron j of population post, from the stream
 * (seed, RNG_KIND_CONNECT, projection, j):
 *   fixed_probability  each source independently with probability p
 *                      (gaps drawn from the geometric distribution: O(synapses))
 *   fixed_indegree     exactly K distinct sources (Floyd's sampling)
 *   one_to_one         source j
 *   all_to_all         every source
 * Autapses (source == target, same population) are left out unless allowed.
 * Each synapse then draws its weight, then its delay, from the same stream.
 */
#ifndef HS_CONNECT_H
#define HS_CONNECT_H

#include "network.h"

/* Fills n->projs (parts for every thread), n->window, n->n_slots, n->n_syn.
 * Runs n->n_threads threads. Returns HS_OK or HS_ENOMEM. */
int connect_all(network *n, const hs_config *c, hs_error *err);

#endif
