/* network_state.c: the network's dynamic state for checkpoints
 * (network_state.h). */
#include "network_state.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mpi.h"
#include "homeo.h"
#include "learn.h"
#include "weights.h"

/* This rank's neurons of population p; the padding past the last neuron
 * goes with the last block. */
static void owned(const network *n, size_t p, size_t *lo, size_t *hi)
{
    const net_pop *pp = &n->pops[p];
    *lo = pp->lo[0];
    *hi = pp->hi[n->n_threads - 1];
    if (*lo < *hi && *hi == pp->state.n)
        *hi = pp->state.n_alloc;
}

state_part network_state_part_neurons(const network *n, size_t p, size_t per)
{
    state_part part = {STATE_OWNED, n->pops[p].state.n_alloc * per, per, 1, 0, 0};
    owned(n, p, &part.lo, &part.hi);
    return part;
}

state_part network_state_part_blocks(const network *n, size_t p, size_t block, size_t n_blocks)
{
    state_part part = {STATE_OWNED, n_blocks, 1, block, 0, 0};
    owned(n, p, &part.lo, &part.hi);
    return part;
}

static int visit_pop(network *n, size_t p, const state_io *io, hs_error *err)
{
    net_pop *pp = &n->pops[p];
    neuron_pop *st = &pp->state;
    state_part one = network_state_part_neurons(n, p, 1);
    int rc = HS_OK;
    for (size_t v = 0; rc == HS_OK && v < pp->type->n_state; v++)
        rc = state_array_part(io, &one, STATE_F64, st->var[v], st->n_alloc, err,
                              "pops/%zu/var%zu", p, v);
    if (rc == HS_OK && st->refr)
        rc = state_array_part(io, &one, STATE_I32, st->refr, st->n_alloc, err, "pops/%zu/refr",
                              p);
    for (size_t r = 0; rc == HS_OK && r < pp->type->n_receptors; r++)
        rc = state_array_part(io, &one, STATE_F64, pp->ring[r], (size_t)n->n_slots * st->n_alloc,
                              err, "pops/%zu/ring%zu", p, r);
    neuron_ext_array ext[NEURON_MAX_EXT];
    size_t n_ext = pp->type->ext_state && st->ext ? pp->type->ext_state(st, ext) : 0;
    for (size_t k = 0; rc == HS_OK && k < n_ext; k++) {
        /* a model-wide value is the same on every rank (NULL) */
        state_part part = network_state_part_neurons(n, p, ext[k].per_neuron);
        rc = state_array_part(io, ext[k].per_neuron ? &part : NULL, ext[k].type, ext[k].data,
                              ext[k].n, err, "pops/%zu/ext/%s", p, ext[k].name);
    }
    return rc;
}

/* Projection j's weights in the canonical (pre, post) order, the whole
 * projection on rank 0 alone: saving, gathered there (weights_gather);
 * loading, read there and each rank's synapses sent to it
 * (weights_scatter). */
static int visit_weights(network *n, size_t j, const state_io *io, hs_error *err)
{
    state_part root = {.spread = STATE_ROOT};
    float *w = NULL;
    size_t m = 0;
    int rc;
    if (io->loading) {
        uint64_t total = weights_count(n, j);
        rc = hs_mpi_agree(hs_mpi_allreduce_u64(&total, 1, HS_MPI_SUM, err), err);
        m = (size_t)total;
        if (rc == HS_OK && n->rank == 0 && !(w = malloc((m ? m : 1) * sizeof *w)))
            rc = hs_error_set(err, HS_ENOMEM, "out of memory loading %zu weights (%zu bytes)",
                              m, m * sizeof *w);
        rc = hs_mpi_agree(rc, err);
    } else {
        rc = weights_gather(n, j, &w, &m, err);
    }
    if (rc == HS_OK)
        rc = state_array_part(io, &root, STATE_F32, w, m, err, "projs/%zu/weight", j);
    if (rc == HS_OK && io->loading)
        rc = weights_scatter(n, j, w, err);
    free(w);
    return rc;
}

static int visit_traces(learn_traces *tr, size_t n_traces, size_t n, const state_part *part,
                        const char *side, size_t j, const state_io *io, hs_error *err)
{
    int rc = HS_OK;
    for (size_t q = 0; rc == HS_OK && q < n_traces; q++)
        rc = state_array_part(io, part, STATE_F64, tr->v[q], n, err, "projs/%zu/%s%zu", j, side,
                              q);
    if (rc == HS_OK)
        rc = state_array_part(io, part, STATE_U64, tr->last, n, err, "projs/%zu/%s_last", j,
                              side);
    return rc;
}

/* Every thread (and rank) holds the same pre traces (each reads every
 * spike): the first is saved and loaded into all. Post traces change at
 * their neuron's owner. */
static int visit_learn(network *n, size_t j, const state_io *io, hs_error *err)
{
    net_proj *pj = &n->projs[j];
    learn_proj *L = pj->learn;
    size_t n_pre = n->pops[pj->pre].state.n, n_post = n->pops[pj->post].state.n;
    state_part post = network_state_part_neurons(n, pj->post, 1);
    int rc = visit_traces(&L->post, L->rule->n_post, n_post, &post, "post", j, io, err);
    if (rc == HS_OK)
        rc = visit_traces(&L->pre[0], L->rule->n_pre, n_pre, NULL, "pre", j, io, err);
    for (int t = 1; rc == HS_OK && io->loading && t < n->n_threads; t++) {
        for (size_t q = 0; q < L->rule->n_pre; q++)
            memcpy(L->pre[t].v[q], L->pre[0].v[q], n_pre * sizeof(double));
        memcpy(L->pre[t].last, L->pre[0].last, n_pre * sizeof(uint64_t));
    }
    return rc;
}

static int visit_homeo(network *n, size_t j, const state_io *io, hs_error *err)
{
    homeo_proj *h = n->projs[j].homeo;
    size_t n_post = n->pops[n->projs[j].post].state.n;
    state_part post = network_state_part_neurons(n, n->projs[j].post, 1);
    int rc = HS_OK;
    for (size_t k = 0; rc == HS_OK && k < h->n; k++) {
        homeo_rule *r = &h->rule[k];
        rc = state_array_part(io, &post, STATE_U64, r->last, n_post, err,
                              "projs/%zu/homeo%zu/last", j, k);
        if (rc == HS_OK)
            rc = state_array(io, STATE_F64, &r->threshold, 1, err,
                             "projs/%zu/homeo%zu/threshold", j, k);
        if (rc == HS_OK && r->rate)
            rc = state_array_part(io, &post, STATE_F64, r->rate, n_post, err,
                                  "projs/%zu/homeo%zu/rate", j, k);
        if (rc == HS_OK && r->count)
            rc = state_array_part(io, &post, STATE_U32, r->count, n_post, err,
                                  "projs/%zu/homeo%zu/count", j, k);
    }
    return rc;
}

int network_state_visit(network *n, const state_io *io, hs_error *err)
{
    int rc = HS_OK;
    for (size_t p = 0; rc == HS_OK && p < n->n_pops; p++)
        rc = visit_pop(n, p, io, err);
    for (size_t j = 0; rc == HS_OK && j < n->n_projs; j++) {
        rc = visit_weights(n, j, io, err);
        if (rc == HS_OK && n->projs[j].learn)
            rc = visit_learn(n, j, io, err);
        if (rc == HS_OK && n->projs[j].homeo)
            rc = visit_homeo(n, j, io, err);
    }
    return rc;
}
