/* network.c: what a built network holds (network.h). */
#include "network.h"

size_t network_proj_bytes(const network *n, size_t j, size_t *n_syn)
{
    const net_proj *pj = &n->projs[j];
    size_t bytes = 0;
    *n_syn = 0;
    for (int t = 0; t < n->n_threads; t++) {
        const net_part *pt = &pj->part[t];
        *n_syn += pt->n_syn;
        bytes += (n->pops[pj->pre].state.n + 1) * sizeof *pt->row;
        bytes += pt->n_syn * sizeof *pt->syn;
        if (pt->delay)
            bytes += pt->n_syn * sizeof *pt->delay;
        if (pt->trow)
            bytes += pt->n_syn * sizeof *pt->tsyn +
                     (n->pops[pj->post].hi[t] - n->pops[pj->post].lo[t] + 1) * sizeof *pt->trow;
        if (pt->tpre16)
            bytes += pt->n_syn * sizeof *pt->tpre16;
        else if (pt->tpre)
            bytes += pt->n_syn * sizeof *pt->tpre;
    }
    return bytes;
}

size_t network_synapse_bytes(const network *n)
{
    size_t bytes = 0, m;
    for (size_t j = 0; j < n->n_projs; j++)
        bytes += network_proj_bytes(n, j, &m);
    return bytes;
}
