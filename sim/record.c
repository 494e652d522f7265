/* record.c: the run's spike and trace recorders (record.h). */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "../base/alloc.h"
#include "../base/mpi.h"
#include "../base/param.h"

static int alloc_spikes(record *r, const network *n)
{
    r->n_pops = n->n_pops;
    r->t = calloc(n->n_pops, sizeof *r->t);
    r->id = calloc(n->n_pops, sizeof *r->id);
    r->n = calloc(n->n_pops, sizeof *r->n);
    r->cap = calloc(n->n_pops, sizeof *r->cap);
    if (!r->t || !r->id || !r->n || !r->cap)
        return HS_ENOMEM;
    for (size_t p = 0; p < n->n_pops; p++) {
        if (!n->pops[p].record)
            continue;
        /* Room for several windows of every neuron firing at once. */
        size_t cap = 4 * n->pops[p].state.n * n->window;
        r->cap[p] = cap < (1u << 16) ? (1u << 16) : cap;
        r->t[p] = malloc(r->cap[p] * sizeof(double));
        r->id[p] = malloc(r->cap[p] * sizeof(uint64_t));
        if (!r->t[p] || !r->id[p])
            return HS_ENOMEM;
    }
    return HS_OK;
}

static int alloc_traces(record *r, const network *n, const hs_config *c, uint64_t chunk)
{
    r->n_tr = c->n_traces;
    r->tr = calloc(c->n_traces ? c->n_traces : 1, sizeof *r->tr);
    if (!r->tr)
        return HS_ENOMEM;
    for (size_t k = 0; k < c->n_traces; k++) {
        const hs_trace_config *tc = &c->traces[k];
        record_trace *tr = &r->tr[k];
        tr->pop = tc->pop;
        tr->var = tc->var;
        tr->ids = tc->ids;
        tr->n_ids = tc->n_ids;
        tr->every = (uint64_t)(tc->interval_ms / c->dt_ms + 0.5);
        if (tr->every < 1)
            tr->every = 1;
        tr->rows_cap = chunk / tr->every + 2;
        /* zero: under MPI rank 0 ORs every rank's own columns into it */
        tr->rows = calloc(tr->rows_cap * (tr->n_ids ? tr->n_ids : 1), sizeof(float));
        tr->klo = calloc((size_t)n->n_threads, sizeof *tr->klo);
        tr->khi = calloc((size_t)n->n_threads, sizeof *tr->khi);
        if (!tr->rows || !tr->klo || !tr->khi)
            return HS_ENOMEM;
        const net_pop *pp = &n->pops[tr->pop];
        for (int t = 0; t < n->n_threads; t++) {
            tr->klo[t] = hs_lower_bound(tr->ids, tr->n_ids, pp->lo[t]);
            tr->khi[t] = hs_lower_bound(tr->ids, tr->n_ids, pp->hi[t]);
        }
    }
    return HS_OK;
}

int record_alloc(record *r, const network *net, const hs_config *c, uint64_t chunk)
{
    memset(r, 0, sizeof *r);
    if (alloc_spikes(r, net) != HS_OK || alloc_traces(r, net, c, chunk) != HS_OK)
        return HS_ENOMEM;
    return HS_OK;
}

void record_free(record *r)
{
    for (size_t p = 0; r->t && r->id && p < r->n_pops; p++) {
        free(r->t[p]);
        free(r->id[p]);
    }
    free(r->t);
    free(r->id);
    free(r->n);
    free(r->cap);
    for (size_t k = 0; r->tr && k < r->n_tr; k++) {
        free(r->tr[k].rows);
        free(r->tr[k].klo);
        free(r->tr[k].khi);
    }
    free(r->tr);
    memset(r, 0, sizeof *r);
}

int record_full(const record *r, const network *net, const size_t *n)
{
    for (size_t p = 0; p < r->n_pops; p++)
        if (net->pops[p].record && n[p] + net->pops[p].state.n * net->window > r->cap[p])
            return 1;
    return 0;
}

/* Rank 0 gathers the traces' columns the other ranks own (each rank's
 * rows hold zeros elsewhere); all reduce before any sink may fail. */
static int gather_traces(record *r, const network *net, uint64_t chunk0, uint64_t step,
                         hs_error *err)
{
    for (size_t k = 0; net->n_ranks > 1 && k < r->n_tr; k++) {
        const record_trace *tr = &r->tr[k];
        size_t rows = (size_t)(step / tr->every - chunk0 / tr->every);
        int rc = hs_mpi_reduce_bor_u32(tr->rows, rows * tr->n_ids, err);
        if (rc != HS_OK)
            return rc;
    }
    return HS_OK;
}

/* Rank 0's rows hold the other ranks' columns after gather_traces: zero
 * again, so the next gather ORs into zeros. */
static void clear_traces(record *r, const network *net)
{
    for (size_t k = 0; net->n_ranks > 1 && net->rank == 0 && k < r->n_tr; k++)
        memset(r->tr[k].rows, 0, r->tr[k].rows_cap * r->tr[k].n_ids * sizeof(float));
}

int record_flush(record *r, const network *net, uint64_t chunk0, uint64_t step,
                 const sim_sink *sink, hs_error *err)
{
    int rc = gather_traces(r, net, chunk0, step, err);
    if (rc != HS_OK)
        return rc;
    for (size_t p = 0; p < r->n_pops; p++) {
        if (r->n[p] && sink && sink->spikes) {
            rc = sink->spikes(sink->ctx, p, r->t[p], r->id[p], r->n[p], err);
            if (rc != HS_OK)
                return rc;
        }
        r->n[p] = 0;
    }
    for (size_t k = 0; k < r->n_tr; k++) {
        const record_trace *tr = &r->tr[k];
        size_t rows = (size_t)(step / tr->every - chunk0 / tr->every);
        if (rows && sink && sink->trace) {
            rc = sink->trace(sink->ctx, k, tr->rows, rows, err);
            if (rc != HS_OK)
                return rc;
        }
    }
    clear_traces(r, net);
    return HS_OK;
}
