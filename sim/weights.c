/* weights.c: a projection's weights in canonical order, over threads and
 * MPI ranks (weights.h). */
#include "weights.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../base/mpi.h"
#include "../base/rng.h"
#include "weights_block.h"
#include "weights_select.h"

size_t weights_local(const network *n, size_t j, uint64_t *pre, uint64_t *post, double *w)
{
    const net_proj *pj = &n->projs[j];
    size_t m = 0;
    /* Thread t's targets lie above thread t-1's, so walking the threads in
     * order inside each row keeps the targets ascending. */
    for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
        for (int t = 0; t < n->n_threads; t++) {
            const net_part *pt = &pj->part[t];
            for (uint64_t k = pt->row[i]; k < pt->row[i + 1]; k++) {
                pre[m] = i;
                post[m] = net_part_post(pt, k);
                w[m] = net_part_weight(pt, k);
                m++;
            }
        }
    return m;
}

size_t weights_count(const network *n, size_t j)
{
    size_t total = 0;
    for (int t = 0; t < n->n_threads; t++)
        total += n->projs[j].part[t].n_syn;
    return total;
}

/* ---- blocks to rank 0 and back (MPI) ---- */

/* A walk through this rank's synapses in weights_local order: row i,
 * thread t, synapse q of t's part. */
typedef struct syn_cursor {
    size_t i;
    int t;
    uint64_t q;
} syn_cursor;

/* What goes in a block's messages per synapse: the presynaptic neuron
 * first (weights_block_merge), then the target and the weight's bits. */
enum { PACK_PRE = 1, PACK_PRE_W = 2, PACK_ALL = 3 };

struct weights_xfer {
    weights_layout layout;
    syn_cursor cur;
    uint32_t *send;     /* PACK_ALL words per synapse of this rank's largest
                           part of a block */
    uint32_t *recv;     /* rank 0: the same for a whole block, rank by rank */
    size_t *src;        /* rank 0: a block's canonical order */
    size_t *at;         /* rank 0: [2 n_ranks] */
    uint64_t *n;        /* [n_ranks]: words from each rank */
    uint64_t *count;    /* [n_ranks]: synapses from each rank */
    int *ints;          /* [2 n_ranks] */
};

/* Synapses per block: WEIGHTS_BLOCK, or HS_WEIGHTS_BLOCK from the
 * environment (the MPI tests split rows and projections into small
 * blocks); the ranks take the smallest asked. */
static uint64_t block_cap(hs_error *err, int *rc)
{
    const char *v = getenv("HS_WEIGHTS_BLOCK");
    uint64_t cap = WEIGHTS_BLOCK;
    if (v && *v) {
        char *end;
        errno = 0;
        unsigned long long x = strtoull(v, &end, 10);
        if (!errno && *end == '\0' && x > 0)
            cap = x;
    }
    cap = weights_block_cap(cap, PACK_ALL);
    *rc = hs_mpi_allreduce_u64(&cap, 1, HS_MPI_MIN, err);
    return cap;
}

static void cursor_settle(syn_cursor *c, const network *n, size_t j)
{
    const net_proj *pj = &n->projs[j];
    size_t n_pre = n->pops[pj->pre].state.n;
    while (c->i < n_pre && c->q >= pj->part[c->t].row[c->i + 1]) {
        if (++c->t == n->n_threads) {
            c->t = 0;
            c->i++;
        }
        if (c->i < n_pre)
            c->q = pj->part[c->t].row[c->i];
    }
}

static void cursor_start(syn_cursor *c, const network *n, size_t j)
{
    *c = (syn_cursor){0, 0, n->projs[j].part[0].row[0]};
    cursor_settle(c, n, j);
}

/* The next m of this rank's synapses into out, `words` words each. */
static void pack(const network *n, size_t j, syn_cursor *c, uint64_t m, uint32_t *out,
                 int words)
{
    for (uint64_t k = 0; k < m; k++, c->q++) {
        cursor_settle(c, n, j);
        const net_part *pt = &n->projs[j].part[c->t];
        uint32_t *o = out + k * (uint64_t)words;
        o[0] = (uint32_t)c->i;
        if (words == PACK_ALL)
            o[1] = net_part_post(pt, c->q);
        if (words >= PACK_PRE_W)
            memcpy(&o[words - 1], &pt->syn[c->q].weight, sizeof(float));
    }
}

/* The next m of this rank's synapses take the weights bits[0..m). */
static void unpack_weights(network *n, size_t j, syn_cursor *c, uint64_t m,
                           const uint32_t *bits)
{
    for (uint64_t k = 0; k < m; k++, c->q++) {
        cursor_settle(c, n, j);
        memcpy(&n->projs[j].part[c->t].syn[c->q].weight, &bits[k], sizeof(float));
    }
}

static void xfer_free(weights_xfer *x)
{
    if (!x)
        return;
    weights_layout_free(&x->layout);
    free(x->send);
    free(x->recv);
    free(x->src);
    free(x->at);
    free(x->n);
    free(x->count);
    free(x->ints);
    free(x);
}

/* Projection j's layout and a block's buffers (collective). NULL on
 * failure, agreed, with err set. */
static weights_xfer *xfer_alloc(const network *n, size_t j, hs_error *err)
{
    weights_xfer *x = calloc(1, sizeof *x);
    int rc = x ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (hs_mpi_agree(rc, err) != HS_OK) {
        free(x);
        return NULL;
    }
    uint64_t cap = block_cap(err, &rc);
    if ((rc = hs_mpi_agree(rc, err)) == HS_OK)
        rc = weights_layout_build(n, j, cap, &x->layout, err);
    if (rc != HS_OK) {
        xfer_free(x);
        return NULL;
    }
    /* buffers as large as this projection's blocks, not cap */
    const weights_layout *L = &x->layout;
    uint64_t mine = 0, block = L->total < L->cap ? L->total : L->cap;
    for (size_t b = 0; b < L->n_blocks; b++)
        mine = weights_layout_own(L, b) > mine ? weights_layout_own(L, b) : mine;
    size_t ranks = (size_t)n->n_ranks, send = PACK_ALL * (size_t)mine + 1,
           recv = PACK_ALL * (size_t)block + 1;
    int root = n->rank == 0;
    x->send = malloc(send * sizeof *x->send);
    x->n = calloc(ranks, sizeof *x->n);
    x->count = calloc(ranks, sizeof *x->count);
    x->ints = calloc(2 * ranks, sizeof *x->ints);
    if (root) {
        x->recv = malloc(recv * sizeof *x->recv);
        x->src = malloc(((size_t)block + 1) * sizeof *x->src);
        x->at = calloc(2 * ranks, sizeof *x->at);
    }
    if (!x->send || !x->n || !x->count || !x->ints ||
        (root && (!x->recv || !x->src || !x->at)))
        rc = hs_error_set(err, HS_ENOMEM, "out of memory for a block of %llu synapses "
                          "(%zu bytes)", (unsigned long long)block,
                          (send + (root ? recv : 0)) * sizeof(uint32_t) +
                              (root ? ((size_t)block + 1) * sizeof(size_t) : 0));
    if (hs_mpi_agree(rc, err) != HS_OK) {
        xfer_free(x);
        return NULL;
    }
    cursor_start(&x->cur, n, j);
    return x;
}

/* Block b of projection j to rank 0 (collective): this rank's synapses of
 * it `words` words each; on rank 0, x->recv holds every rank's and x->src
 * their canonical order. Failure agreed. */
static int block_gather(const network *n, size_t j, weights_xfer *x, size_t b, int words,
                        hs_error *err)
{
    uint64_t own = weights_layout_own(&x->layout, b);
    pack(n, j, &x->cur, own, x->send, words);
    int rc = hs_mpi_allgather_u64(own * (uint64_t)words, x->n, err);
    if (rc == HS_OK)
        rc = hs_mpi_gatherv_u32(x->send, x->n, x->recv, x->ints, err);
    if (rc == HS_OK && n->rank == 0) {
        for (int r = 0; r < n->n_ranks; r++)
            x->count[r] = x->n[r] / (uint64_t)words;
        size_t got = weights_block_merge(x->recv, (size_t)words, x->count, n->n_ranks, x->at,
                                         x->src);
        if (got != weights_layout_size(&x->layout, b))
            rc = hs_error_set(err, HS_EINTERNAL, "block %zu of projection %zu: %zu synapses "
                              "came to rank 0, not %llu", b, j, got,
                              (unsigned long long)weights_layout_size(&x->layout, b));
    }
    return hs_mpi_agree(rc, err);
}

/* Rank 0's w ([total], canonical) to every rank's synapses, block by block
 * from where x's cursor stands (collective). */
static int scatter_blocks(network *n, size_t j, weights_xfer *x, const float *w,
                          hs_error *err)
{
    int rc = HS_OK;
    for (size_t b = 0; rc == HS_OK && b < x->layout.n_blocks; b++) {
        syn_cursor from = x->cur;
        uint64_t own = weights_layout_own(&x->layout, b), start = (uint64_t)b * x->layout.cap;
        /* rank 0 learns where each rank's synapses of the block are ... */
        rc = block_gather(n, j, x, b, PACK_PRE, err);
        /* ... and sends each its weights in its own order */
        for (uint64_t p = 0; rc == HS_OK && n->rank == 0 && p < weights_layout_size(&x->layout, b);
             p++)
            memcpy(&x->recv[x->src[p]], &w[start + p], sizeof(float));
        if (rc == HS_OK)
            rc = hs_mpi_agree(hs_mpi_scatterv_u32(x->recv, x->n, x->send, x->ints, err), err);
        if (rc == HS_OK)
            unpack_weights(n, j, &from, own, x->send);
    }
    return rc;
}

/* Every rank's weights of projection j into rank 0's w ([total],
 * canonical), block by block (collective). */
static int gather_blocks(const network *n, size_t j, weights_xfer *x, float *w, hs_error *err)
{
    int rc = HS_OK;
    for (size_t b = 0; rc == HS_OK && b < x->layout.n_blocks; b++) {
        rc = block_gather(n, j, x, b, PACK_PRE_W, err);
        uint64_t size = weights_layout_size(&x->layout, b), start = (uint64_t)b * x->layout.cap;
        for (uint64_t p = 0; rc == HS_OK && n->rank == 0 && p < size; p++)
            memcpy(&w[start + p], &x->recv[x->src[p] * PACK_PRE_W + 1], sizeof(float));
    }
    return rc;
}

/* ---- snapshots ---- */

int weights_snap_alloc(weights_snap *b, const network *n, size_t j, hs_error *err)
{
    *b = (weights_snap){0};
    uint64_t m = weights_count(n, j);
    if (n->n_ranks > 1) {
        if (!(b->x = xfer_alloc(n, j, err)))
            return err->code;
        m = b->x->layout.total;
    }
    int rc = HS_OK;
    if (n->rank == 0) {
        b->pre = malloc((m ? m : 1) * sizeof *b->pre);
        b->post = malloc((m ? m : 1) * sizeof *b->post);
        b->w = malloc((m ? m : 1) * sizeof *b->w);
        if (!b->pre || !b->post || !b->w)
            rc = hs_error_set(err, HS_ENOMEM, "out of memory for snapshots of %llu synapses "
                              "(%llu bytes)", (unsigned long long)m,
                              (unsigned long long)m * (2 * sizeof(uint64_t) + sizeof(double)));
    }
    return hs_mpi_agree(rc, err);
}

void weights_snap_free(weights_snap *b)
{
    free(b->pre);
    free(b->post);
    free(b->w);
    xfer_free(b->x);
    *b = (weights_snap){0};
}

int weights_snap_take(const network *n, size_t j, weights_snap *b, size_t *m, hs_error *err)
{
    if (!b->x) {
        *m = weights_local(n, j, b->pre, b->post, b->w);
        return HS_OK;
    }
    weights_xfer *x = b->x;
    *m = 0;
    cursor_start(&x->cur, n, j);
    int rc = HS_OK;
    for (size_t k = 0; rc == HS_OK && k < x->layout.n_blocks; k++) {
        rc = block_gather(n, j, x, k, PACK_ALL, err);
        uint64_t size = weights_layout_size(&x->layout, k), start = (uint64_t)k * x->layout.cap;
        for (uint64_t p = 0; rc == HS_OK && n->rank == 0 && p < size; p++) {
            const uint32_t *s = &x->recv[x->src[p] * PACK_ALL];
            float w;
            memcpy(&w, &s[2], sizeof w);
            b->pre[start + p] = s[0];
            b->post[start + p] = s[1];
            b->w[start + p] = w;
        }
    }
    if (rc == HS_OK && n->rank == 0)
        *m = (size_t)x->layout.total;
    return rc;
}

/* ---- checkpoints and the shuffle ---- */

/* One process: the weights in canonical order are its own. */
static int weights_own(const network *n, size_t j, float **w, size_t *m, hs_error *err)
{
    const net_proj *pj = &n->projs[j];
    *m = weights_count(n, j);
    if (!(*w = malloc((*m ? *m : 1) * sizeof **w)))
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu weights (%zu bytes)", *m,
                            *m * sizeof **w);
    size_t k = 0;
    for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
        for (int t = 0; t < n->n_threads; t++)
            for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++)
                (*w)[k++] = pj->part[t].syn[q].weight;
    return HS_OK;
}

/* One process: its synapses take w, in canonical order. */
static void weights_keep(network *n, size_t j, const float *w)
{
    net_proj *pj = &n->projs[j];
    size_t k = 0;
    for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
        for (int t = 0; t < n->n_threads; t++)
            for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++)
                pj->part[t].syn[q].weight = w[k++];
}

/* Under MPI: x for projection j, and on rank 0 room for all its weights. */
static int gather_start(const network *n, size_t j, weights_xfer **x, float **w, size_t *m,
                        hs_error *err)
{
    *w = NULL;
    *m = 0;
    if (!(*x = xfer_alloc(n, j, err)))
        return err->code;
    uint64_t total = (*x)->layout.total;
    *m = (size_t)total;
    int rc = HS_OK;
    if (n->rank == 0 && !(*w = malloc((total ? total : 1) * sizeof **w)))
        rc = hs_error_set(err, HS_ENOMEM, "out of memory gathering %llu weights (%llu bytes)",
                          (unsigned long long)total, (unsigned long long)total * sizeof **w);
    if ((rc = hs_mpi_agree(rc, err)) != HS_OK) {
        xfer_free(*x);
        *x = NULL;
    }
    return rc;
}

int weights_gather(const network *n, size_t j, float **w, size_t *m, hs_error *err)
{
    if (n->n_ranks == 1)
        return weights_own(n, j, w, m, err);
    weights_xfer *x;
    int rc = gather_start(n, j, &x, w, m, err);
    if (rc == HS_OK)
        rc = gather_blocks(n, j, x, *w, err);
    xfer_free(x);
    if (rc != HS_OK) {
        free(*w);
        *w = NULL;
    }
    return rc;
}

int weights_scatter(network *n, size_t j, const float *w, hs_error *err)
{
    if (n->n_ranks == 1) {
        weights_keep(n, j, w);
        return HS_OK;
    }
    weights_xfer *x = xfer_alloc(n, j, err);
    if (!x)
        return err->code;
    int rc = scatter_blocks(n, j, x, w, err);
    xfer_free(x);
    return rc;
}

static void shuffle_all(const network *n, size_t j, size_t phase, float *w, size_t m)
{
    rng_state st;
    rng_stream_init(&st, n->seed, RNG_KIND_SHUFFLE, (uint32_t)phase, (uint32_t)j);
    gsl_rng r = rng_view(&st);
    if (m > 1)
        gsl_ran_shuffle(&r, w, m, sizeof *w);
}

int weights_shuffle(network *n, size_t j, size_t phase, hs_error *err)
{
    float *w;
    size_t m;
    if (n->n_ranks == 1) {
        int rc = weights_own(n, j, &w, &m, err);
        if (rc != HS_OK)
            return rc;
        shuffle_all(n, j, phase, w, m);
        weights_keep(n, j, w);
        free(w);
        return HS_OK;
    }
    /* rank 0 shuffles the whole projection as one process would */
    weights_xfer *x;
    int rc = gather_start(n, j, &x, &w, &m, err);
    if (rc == HS_OK)
        rc = gather_blocks(n, j, x, w, err);
    if (rc == HS_OK && n->rank == 0)
        shuffle_all(n, j, phase, w, m);
    if (rc == HS_OK) {
        cursor_start(&x->cur, n, j);
        rc = scatter_blocks(n, j, x, w, err);
    }
    xfer_free(x);
    free(w);
    return rc;
}

/* ---- the downscale threshold ---- */

static int mpi_reduce(void *ctx, uint64_t *v, size_t n, int op, hs_error *err)
{
    (void)ctx;
    return hs_mpi_agree(hs_mpi_allreduce_u64(v, n, op, err), err);
}

int weights_quantile(const network *n, size_t j, double spare, double *out, hs_error *err)
{
    *out = INFINITY;
    if (spare <= 0.0)
        return HS_OK;
    uint64_t total = weights_count(n, j);
    if (mpi_reduce(NULL, &total, 1, HS_MPI_SUM, err) != HS_OK)
        return err->code;
    if (total == 0)
        return HS_OK;
    /* this rank's weights as they lie: one run per thread */
    weights_run *runs = calloc((size_t)n->n_threads, sizeof *runs);
    uint64_t *hist = malloc(WEIGHTS_SELECT_BINS * sizeof *hist);
    int rc = runs && hist ? HS_OK
                          : hs_error_set(err, HS_ENOMEM, "out of memory for the histogram of "
                                         "the downscale threshold (%zu bytes)",
                                         WEIGHTS_SELECT_BINS * sizeof *hist +
                                             (size_t)n->n_threads * sizeof *runs);
    size_t n_runs = 0;
    for (int t = 0; rc == HS_OK && t < n->n_threads; t++) {
        const net_part *pt = &n->projs[j].part[t];
        if (pt->n_syn)
            runs[n_runs++] = (weights_run){(const char *)pt->syn + offsetof(net_syn, weight),
                                           sizeof(net_syn), pt->n_syn};
    }
    if ((rc = hs_mpi_agree(rc, err)) == HS_OK)
        rc = weights_select_quantile(runs, n_runs, total, 1.0 - spare, hist, mpi_reduce, NULL,
                                     out, err);
    free(runs);
    free(hist);
    return rc;
}
