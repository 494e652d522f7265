/* weights_block.c: a projection's synapses in blocks of the canonical
 * order (weights_block.h). */
#include "weights_block.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mpi.h"

/* Rows whose counts are exchanged at a time while building a layout. */
#define LAYOUT_CHUNK ((size_t)1 << 16)

uint64_t weights_block_cap(uint64_t want, size_t words)
{
    uint64_t most = (uint64_t)INT_MAX / (words ? words : 1);
    uint64_t cap = want < most ? want : most;
    return cap ? cap : 1;
}

int weights_layout_init(weights_layout *L, uint64_t total, uint64_t own, uint64_t cap,
                        hs_error *err)
{
    *L = (weights_layout){.total = total, .own = own, .cap = cap ? cap : 1, .next = 1};
    L->n_blocks = (size_t)(total / L->cap + (total % L->cap != 0));
    L->lo = calloc(L->n_blocks + 1, sizeof *L->lo);
    if (!L->lo)
        return hs_error_set(err, HS_ENOMEM, "out of memory for the %zu blocks of %llu synapses",
                            L->n_blocks, (unsigned long long)total);
    L->lo[L->n_blocks] = own;
    return HS_OK;
}

void weights_layout_free(weights_layout *L)
{
    free(L->lo);
    L->lo = NULL;
}

void weights_layout_rows(weights_layout *L, const uint64_t *own, const uint64_t *below,
                         const uint64_t *all, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t start = L->row_at + below[i], end = L->row_at + all[i];
        for (; L->next < L->n_blocks && (uint64_t)L->next * L->cap < end; L->next++) {
            uint64_t p = (uint64_t)L->next * L->cap;
            uint64_t in = p <= start ? 0 : p - start < own[i] ? p - start : own[i];
            L->lo[L->next] = L->own_at + in;
        }
        L->row_at = end;
        L->own_at += own[i];
    }
}

int weights_layout_complete(const weights_layout *L)
{
    return L->next >= L->n_blocks && L->row_at == L->total && L->own_at == L->own;
}

uint64_t weights_layout_size(const weights_layout *L, size_t b)
{
    uint64_t start = (uint64_t)b * L->cap;
    return L->total - start < L->cap ? L->total - start : L->cap;
}

uint64_t weights_layout_own(const weights_layout *L, size_t b)
{
    return L->lo[b + 1] - L->lo[b];
}

/* This rank's synapses in rows [i0, i0 + m) of projection j. */
static void own_counts(const network *n, size_t j, size_t i0, size_t m, uint64_t *own)
{
    const net_proj *pj = &n->projs[j];
    for (size_t q = 0; q < m; q++) {
        own[q] = 0;
        for (int t = 0; t < n->n_threads; t++)
            own[q] += pj->part[t].row[i0 + q + 1] - pj->part[t].row[i0 + q];
    }
}

int weights_layout_build(const network *n, size_t j, uint64_t cap, weights_layout *L,
                         hs_error *err)
{
    size_t n_pre = n->pops[n->projs[j].pre].state.n;
    uint64_t own = 0, total;
    for (int t = 0; t < n->n_threads; t++)
        own += n->projs[j].part[t].n_syn;
    total = own;
    int rc = hs_mpi_allreduce_u64(&total, 1, HS_MPI_SUM, err);
    if (hs_mpi_agree(rc, err) != HS_OK) {
        *L = (weights_layout){0};
        return err->code;
    }
    size_t chunk = n_pre < LAYOUT_CHUNK ? n_pre : LAYOUT_CHUNK;
    uint64_t *buf = malloc((chunk ? 3 * chunk : 1) * sizeof *buf);
    rc = weights_layout_init(L, total, own, cap, err);
    if (rc == HS_OK && !buf)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory for the row counts of a projection "
                          "(%zu bytes)", 3 * chunk * sizeof *buf);
    rc = hs_mpi_agree(rc, err);
    for (size_t i = 0; rc == HS_OK && i < n_pre; i += chunk) {
        size_t m = n_pre - i < chunk ? n_pre - i : chunk;
        uint64_t *mine = buf, *below = buf + chunk, *all = buf + 2 * chunk;
        own_counts(n, j, i, m, mine);
        memcpy(below, mine, m * sizeof *mine);
        memcpy(all, mine, m * sizeof *mine);
        rc = hs_mpi_exscan_u64(below, m, err);
        if (rc == HS_OK)
            rc = hs_mpi_allreduce_u64(all, m, HS_MPI_SUM, err);
        rc = hs_mpi_agree(rc, err);
        if (rc == HS_OK)
            weights_layout_rows(L, mine, below, all, m);
    }
    if (rc == HS_OK && !weights_layout_complete(L))
        rc = hs_error_set(err, HS_EINTERNAL, "the ranks' row counts of a projection do not add "
                          "up to its %llu synapses", (unsigned long long)total);
    free(buf);
    return hs_mpi_agree(rc, err);
}

size_t weights_block_merge(const uint32_t *data, size_t stride, const uint64_t *count,
                           int n_ranks, size_t *at, size_t *src)
{
    size_t *end = at + n_ranks, p = 0, start = 0;
    for (int r = 0; r < n_ranks; r++) {
        at[r] = start;
        start += (size_t)count[r];
        end[r] = start;
    }
    for (;;) {
        /* the lowest row still to come, then its synapses rank by rank */
        uint64_t row = UINT64_MAX;
        for (int r = 0; r < n_ranks; r++)
            if (at[r] < end[r] && data[at[r] * stride] < row)
                row = data[at[r] * stride];
        if (row == UINT64_MAX)
            return p;
        for (int r = 0; r < n_ranks; r++)
            for (; at[r] < end[r] && data[at[r] * stride] == row; at[r]++)
                src[p++] = at[r];
    }
}
