#include "exchange.h"

#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../base/mpi.h"

int xchg_alloc(xchg *x, const network *n, int which)
{
    size_t n_vps = (size_t)n->n_ranks * (size_t)n->n_threads;
    size_t n_off = (size_t)n->window * n->n_pops + 1, own = 0, all = 0;
    for (size_t p = 0; p < n->n_pops; p++) {
        if (n->pops[p].ahead != which)
            continue;
        own += n->pops[p].hi[n->n_threads - 1] - n->pops[p].lo[0];
        all += n->pops[p].state.n;
    }
    /* a flag, at most every cell's count per thread, every neuron every step */
    size_t head = 1 + (size_t)n->n_threads * (n_off - 1);
    x->which = which;
    x->loc_off = calloc((size_t)n->n_threads, sizeof *x->loc_off);
    x->loc_ids = calloc((size_t)n->n_threads, sizeof *x->loc_ids);
    x->send = malloc((head + own * n->window) * sizeof *x->send);
    x->recv = malloc(((size_t)n->n_ranks * head + all * n->window) * sizeof *x->recv);
    x->ids = calloc(n_vps, sizeof *x->ids);
    x->off = calloc(n_vps * n_off, sizeof *x->off);
    x->n = calloc((size_t)n->n_ranks, sizeof *x->n);
    x->ints = calloc(2 * (size_t)n->n_ranks, sizeof *x->ints);
    return x->loc_off && x->loc_ids && x->send && x->recv && x->ids && x->off && x->n &&
                   x->ints
               ? HS_OK
               : HS_ENOMEM;
}

void xchg_free(xchg *x)
{
    free(x->loc_off);
    free(x->loc_ids);
    free(x->send);
    free(x->recv);
    free(x->ids);
    free(x->off);
    free(x->n);
    free(x->ints);
    memset(x, 0, sizeof *x);
}

static size_t pack(xchg *x, const network *n, uint32_t w, int stop)
{
    size_t cells = (size_t)w * n->n_pops;
    uint32_t *q = x->send;
    *q++ = (uint32_t)stop;
    for (int t = 0; t < n->n_threads; t++) {
        const size_t *off = x->loc_off[t];
        for (size_t c = 0; c < cells; c++)
            if (n->pops[c % n->n_pops].ahead == x->which)
                *q++ = (uint32_t)(off[c + 1] - off[c]);
        memcpy(q, x->loc_ids[t], off[cells] * sizeof *q);
        q += off[cells];
    }
    return (size_t)(q - x->send);
}

/* Points the other ranks' virtual processes at their spikes in x->recv;
 * returns whether some rank's stop flag was set. */
static int unpack(xchg *x, const network *n, uint32_t w)
{
    size_t n_off = (size_t)n->window * n->n_pops + 1, cells = (size_t)w * n->n_pops;
    const uint32_t *r = x->recv;
    int stop = 0;
    for (int rank = 0; rank < n->n_ranks; r += x->n[rank], rank++) {
        stop |= r[0] != 0;
        if (rank == n->rank)
            continue;
        const uint32_t *seg = r + 1;
        for (int t = 0; t < n->n_threads; t++) {
            int u = rank * n->n_threads + t;
            size_t *off = x->off + (size_t)u * n_off;
            off[0] = 0;
            for (size_t c = 0; c < cells; c++)
                off[c + 1] = off[c] + (n->pops[c % n->n_pops].ahead == x->which ? *seg++ : 0);
            x->ids[u] = seg;
            seg += off[cells];
        }
    }
    return stop;
}

int xchg_run(xchg *x, const network *n, uint32_t w, int *stop, hs_error *err)
{
    double t0 = omp_get_wtime();
    size_t m = pack(x, n, w, *stop);
    x->calls++;
    x->sent += m;
    if (hs_mpi_allgather_u64(m, x->n, err) != HS_OK ||
        hs_mpi_allgatherv_u32(x->send, x->n, x->recv, x->ints, err) != HS_OK)
        return err->code;
    *stop = unpack(x, n, w);
    x->secs += omp_get_wtime() - t0;
    return HS_OK;
}
