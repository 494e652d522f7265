/* state.c: the network's dynamic state for checkpoints (state.h). */
#include "state.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "homeo.h"
#include "learn.h"
#include "network.h"

int state_array(const state_io *io, state_type type, void *data, size_t n, hs_error *err,
                const char *fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof name)
        return hs_error_set(err, HS_EINTERNAL, "checkpoint array name too long");
    return io->array(io->ctx, name, type, data, n, err);
}

static int visit_pop(net_pop *pp, size_t p, uint32_t n_slots, const state_io *io,
                     hs_error *err)
{
    neuron_pop *st = &pp->state;
    int rc = HS_OK;
    for (size_t v = 0; rc == HS_OK && v < pp->type->n_state; v++)
        rc = state_array(io, STATE_F64, st->var[v], st->n_alloc, err, "pops/%zu/var%zu", p, v);
    if (rc == HS_OK && st->refr)
        rc = state_array(io, STATE_I32, st->refr, st->n_alloc, err, "pops/%zu/refr", p);
    for (size_t r = 0; rc == HS_OK && r < pp->type->n_receptors; r++)
        rc = state_array(io, STATE_F64, pp->ring[r], (size_t)n_slots * st->n_alloc, err,
                         "pops/%zu/ring%zu", p, r);
    neuron_ext_array ext[NEURON_MAX_EXT];
    size_t n_ext = pp->type->ext_state && st->ext ? pp->type->ext_state(st, ext) : 0;
    for (size_t k = 0; rc == HS_OK && k < n_ext; k++)
        rc = state_array(io, ext[k].type, ext[k].data, ext[k].n, err, "pops/%zu/ext/%s", p,
                         ext[k].name);
    return rc;
}

/* Projection j's weights in the canonical (pre, post) order, through buf. */
static int visit_weights(network *n, size_t j, float *buf, size_t m, const state_io *io,
                         hs_error *err)
{
    net_proj *pj = &n->projs[j];
    size_t k = 0;
    if (!io->loading)
        for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
            for (int t = 0; t < n->n_threads; t++)
                for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++)
                    buf[k++] = pj->part[t].syn[q].weight;
    int rc = state_array(io, STATE_F32, buf, m, err, "projs/%zu/weight", j);
    if (rc != HS_OK || !io->loading)
        return rc;
    for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
        for (int t = 0; t < n->n_threads; t++)
            for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++)
                pj->part[t].syn[q].weight = buf[k++];
    return HS_OK;
}

static int visit_traces(learn_traces *tr, size_t n_traces, size_t n, const char *side,
                        size_t j, const state_io *io, hs_error *err)
{
    int rc = HS_OK;
    for (size_t q = 0; rc == HS_OK && q < n_traces; q++)
        rc = state_array(io, STATE_F64, tr->v[q], n, err, "projs/%zu/%s%zu", j, side, q);
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, tr->last, n, err, "projs/%zu/%s_last", j, side);
    return rc;
}

/* Every thread holds the same pre traces (each reads every spike): the
 * first is saved and loaded into all. */
static int visit_learn(network *n, size_t j, const state_io *io, hs_error *err)
{
    net_proj *pj = &n->projs[j];
    learn_proj *L = pj->learn;
    size_t n_pre = n->pops[pj->pre].state.n, n_post = n->pops[pj->post].state.n;
    int rc = visit_traces(&L->post, L->rule->n_post, n_post, "post", j, io, err);
    if (rc == HS_OK)
        rc = visit_traces(&L->pre[0], L->rule->n_pre, n_pre, "pre", j, io, err);
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
    int rc = HS_OK;
    for (size_t k = 0; rc == HS_OK && k < h->n; k++) {
        homeo_rule *r = &h->rule[k];
        rc = state_array(io, STATE_U64, r->last, n_post, err, "projs/%zu/homeo%zu/last", j, k);
        if (rc == HS_OK)
            rc = state_array(io, STATE_F64, &r->threshold, 1, err,
                             "projs/%zu/homeo%zu/threshold", j, k);
        if (rc == HS_OK && r->rate)
            rc = state_array(io, STATE_F64, r->rate, n_post, err, "projs/%zu/homeo%zu/rate",
                             j, k);
        if (rc == HS_OK && r->count)
            rc = state_array(io, STATE_U32, r->count, n_post, err,
                             "projs/%zu/homeo%zu/count", j, k);
    }
    return rc;
}

int state_visit_network(network *n, const state_io *io, hs_error *err)
{
    int rc = HS_OK;
    for (size_t p = 0; rc == HS_OK && p < n->n_pops; p++)
        rc = visit_pop(&n->pops[p], p, n->n_slots, io, err);
    for (size_t j = 0; rc == HS_OK && j < n->n_projs; j++) {
        size_t m = 0;
        for (int t = 0; t < n->n_threads; t++)
            m += n->projs[j].part[t].n_syn;
        float *buf = malloc((m ? m : 1) * sizeof *buf);
        if (!buf)
            return hs_error_set(err, HS_ENOMEM, "out of memory for %zu weights", m);
        rc = visit_weights(n, j, buf, m, io, err);
        free(buf);
        if (rc == HS_OK && n->projs[j].learn)
            rc = visit_learn(n, j, io, err);
        if (rc == HS_OK && n->projs[j].homeo)
            rc = visit_homeo(n, j, io, err);
    }
    return rc;
}
