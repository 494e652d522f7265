/* state.c: the network's dynamic state for checkpoints (state.h). */
#include "state.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "homeo.h"
#include "learn.h"
#include "mpi.h"
#include "network.h"
#include "schedule.h"

static int vcall(const state_io *io, const state_part *part, state_type type, void *data,
                 size_t n, hs_error *err, const char *fmt, va_list ap)
{
    char name[256];
    int len = vsnprintf(name, sizeof name, fmt, ap);
    if (len < 0 || (size_t)len >= sizeof name)
        return hs_error_set(err, HS_EINTERNAL, "checkpoint array name too long");
    return io->array(io->ctx, name, type, data, n, part, err);
}

int state_array(const state_io *io, state_type type, void *data, size_t n, hs_error *err,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vcall(io, NULL, type, data, n, err, fmt, ap);
    va_end(ap);
    return rc;
}

int state_array_part(const state_io *io, const state_part *part, state_type type, void *data,
                     size_t n, hs_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vcall(io, part, type, data, n, err, fmt, ap);
    va_end(ap);
    return rc;
}

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

state_part state_part_neurons(const network *n, size_t p, size_t per)
{
    state_part part = {STATE_OWNED, n->pops[p].state.n_alloc * per, per, 1, 0, 0};
    owned(n, p, &part.lo, &part.hi);
    return part;
}

state_part state_part_blocks(const network *n, size_t p, size_t block, size_t n_blocks)
{
    state_part part = {STATE_OWNED, n_blocks, 1, block, 0, 0};
    owned(n, p, &part.lo, &part.hi);
    return part;
}

static size_t type_size(state_type type)
{
    switch (type) {
    case STATE_F64:
    case STATE_U64: return 8;
    case STATE_F32:
    case STATE_U32:
    case STATE_I32: return 4;
    default: return 1;
    }
}

static int part_owns(const state_part *part, size_t e)
{
    size_t i = (e % part->period) / part->per * part->stride;
    return i >= part->lo && i < part->hi;
}

/* Saving over ranks: rank 0 hands inner what the owners hold. */
static int ranks_save(state_ranks *x, const char *name, state_type type, void *data, size_t n,
                      const state_part *part, hs_error *err)
{
    int rank0 = hs_mpi_rank() == 0, rc = HS_OK;
    state_spread spread = part ? part->spread : STATE_SAME;
    if (spread == STATE_SAME)
        return hs_mpi_agree(rank0 ? x->inner.array(x->inner.ctx, name, type, data, n, NULL, err)
                                  : HS_OK, err);
    size_t size = type_size(type), bytes = n * size, words = (bytes + 3) / 4;
    uint32_t *buf = calloc(words ? words : 1, sizeof *buf);
    if (!buf)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory saving %s", name);
    rc = hs_mpi_agree(rc, err);
    if (rc != HS_OK) {
        free(buf);
        return rc;
    }
    if (spread == STATE_SUM) {
        assert(type == STATE_U64);
        memcpy(buf, data, bytes);
        rc = hs_mpi_allreduce_u64((uint64_t *)buf, n, HS_MPI_SUM, err);
    } else {
        /* zero where others own, so OR-ing all ranks gives the owners' bits */
        for (size_t e = 0; e < n; e++)
            if (part_owns(part, e))
                memcpy((char *)buf + e * size, (const char *)data + e * size, size);
        rc = hs_mpi_reduce_bor_u32(buf, words, err);
    }
    if (rc == HS_OK && rank0)
        rc = x->inner.array(x->inner.ctx, name, type, buf, n, NULL, err);
    free(buf);
    return hs_mpi_agree(rc, err);
}

/* Loading over ranks: each rank reads the array and keeps its own. */
static int ranks_load(state_ranks *x, const char *name, state_type type, void *data, size_t n,
                      const state_part *part, hs_error *err)
{
    state_spread spread = part ? part->spread : STATE_SAME;
    if (spread != STATE_OWNED) {
        int rc = x->inner.array(x->inner.ctx, name, type, data, n, NULL, err);
        if (rc == HS_OK && spread == STATE_SUM && hs_mpi_rank() != 0)
            memset(data, 0, n * type_size(type));
        return hs_mpi_agree(rc, err);
    }
    size_t size = type_size(type);
    void *buf = calloc(n ? n : 1, size);
    int rc = buf ? x->inner.array(x->inner.ctx, name, type, buf, n, NULL, err)
                 : hs_error_set(err, HS_ENOMEM, "out of memory loading %s", name);
    for (size_t e = 0; rc == HS_OK && e < n; e++)
        if (part_owns(part, e))
            memcpy((char *)data + e * size, (const char *)buf + e * size, size);
    free(buf);
    return hs_mpi_agree(rc, err);
}

static int ranks_array(void *ctx, const char *name, state_type type, void *data, size_t n,
                       const state_part *part, hs_error *err)
{
    state_ranks *x = ctx;
    return x->inner.loading ? ranks_load(x, name, type, data, n, part, err)
                            : ranks_save(x, name, type, data, n, part, err);
}

state_io state_ranks_io(state_ranks *ctx, const state_io *inner)
{
    ctx->inner = *inner;
    if (hs_mpi_size() == 1)
        return *inner;
    return (state_io){ctx, inner->loading, ranks_array};
}

static int visit_pop(network *n, size_t p, const state_io *io, hs_error *err)
{
    net_pop *pp = &n->pops[p];
    neuron_pop *st = &pp->state;
    state_part one = state_part_neurons(n, p, 1);
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
        state_part part = state_part_neurons(n, p, ext[k].per_neuron);
        rc = state_array_part(io, ext[k].per_neuron ? &part : NULL, ext[k].type, ext[k].data,
                              ext[k].n, err, "pops/%zu/ext/%s", p, ext[k].name);
    }
    return rc;
}

/* Projection j's weights in the canonical (pre, post) order: the whole
 * projection over all ranks (schedule_weights_gather), of which each rank
 * keeps its own synapses when loading. */
static int visit_weights(network *n, size_t j, const state_io *io, hs_error *err)
{
    float *w;
    size_t m, *mine;
    int rc = schedule_weights_gather(n, j, &w, &m, &mine, err);
    if (rc == HS_OK)
        rc = state_array(io, STATE_F32, w, m, err, "projs/%zu/weight", j);
    if (rc == HS_OK && io->loading)
        schedule_weights_keep(n, j, w, mine);
    free(w);
    free(mine);
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
    state_part post = state_part_neurons(n, pj->post, 1);
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
    state_part post = state_part_neurons(n, n->projs[j].post, 1);
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

int state_visit_network(network *n, const state_io *io, hs_error *err)
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
