/* weights.c: a projection's weights in canonical order, over threads and
 * MPI ranks (weights.h). */
#include "weights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../base/mpi.h"
#include "../base/rng.h"

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


int weights_snap_alloc(weights_snap *b, const network *n, size_t j, hs_error *err)
{
    uint64_t m[1] = {weights_count(n, j)};
    size_t own = m[0];
    if (hs_mpi_allreduce_u64(m, 1, HS_MPI_SUM, err) != HS_OK)
        return err->code;
    b->pre = malloc((m[0] ? m[0] : 1) * sizeof *b->pre);
    b->post = malloc((m[0] ? m[0] : 1) * sizeof *b->post);
    b->w = malloc((m[0] ? m[0] : 1) * sizeof *b->w);
    int ok = b->pre && b->post && b->w;
    if (ok && n->n_ranks > 1) {
        b->send = malloc((own ? 3 * own : 1) * sizeof *b->send);
        b->recv = malloc((m[0] ? 3 * m[0] : 1) * sizeof *b->recv);
        b->n = calloc((size_t)n->n_ranks, sizeof *b->n);
        b->ints = calloc(2 * (size_t)n->n_ranks, sizeof *b->ints);
        b->at = calloc((size_t)n->n_ranks, sizeof *b->at);
        ok = b->send && b->recv && b->n && b->ints && b->at;
    }
    return ok ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory for weight snapshots");
}

void weights_snap_free(weights_snap *b)
{
    free(b->pre);
    free(b->post);
    free(b->w);
    free(b->send);
    free(b->recv);
    free(b->n);
    free(b->ints);
    free(b->at);
}

/* Every rank's synapses of projection j, merged into the canonical order:
 * by pre, then rank by rank (so targets ascending, as one process has
 * them). Where this rank's synapses (in weights_local order) land goes
 * to mine (may be NULL). Returns the count, or -1 with err set. */
static long gather_weights(const network *n, size_t j, weights_snap *b, size_t *mine,
                           hs_error *err)
{
    size_t m = weights_local(n, j, b->pre, b->post, b->w);
    for (size_t q = 0; q < m; q++) {
        float w = (float)b->w[q];
        b->send[3 * q] = (uint32_t)b->pre[q];
        b->send[3 * q + 1] = (uint32_t)b->post[q];
        memcpy(&b->send[3 * q + 2], &w, sizeof w);
    }
    if (hs_mpi_allgather_u64(3 * m, b->n, err) != HS_OK ||
        hs_mpi_allgatherv_u32(b->send, b->n, b->recv, b->ints, err) != HS_OK)
        return -1;
    size_t start = 0, k = 0, own = 0;
    for (int r = 0; r < n->n_ranks; r++) {
        b->at[r] = start;
        start += b->n[r];
    }
    for (size_t i = 0; i < n->pops[n->projs[j].pre].state.n; i++) {
        size_t stop = 0;    /* rank r's triples end at n[0] + ... + n[r] */
        for (int r = 0; r < n->n_ranks; r++) {
            stop += b->n[r];
            for (; b->at[r] < stop && b->recv[b->at[r]] == i; b->at[r] += 3, k++) {
                float w;
                memcpy(&w, &b->recv[b->at[r] + 2], sizeof w);
                b->pre[k] = i;
                b->post[k] = b->recv[b->at[r] + 1];
                b->w[k] = w;
                if (mine && r == n->rank)
                    mine[own++] = k;
            }
        }
    }
    return (long)k;
}

/* One process: the weights in canonical order are its own. */
static int weights_own(const network *n, size_t j, float **w, size_t *m, hs_error *err)
{
    const net_proj *pj = &n->projs[j];
    *m = weights_count(n, j);
    if (!(*w = malloc((*m ? *m : 1) * sizeof **w)))
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu weights", *m);
    size_t k = 0;
    for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
        for (int t = 0; t < n->n_threads; t++)
            for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++)
                (*w)[k++] = pj->part[t].syn[q].weight;
    return HS_OK;
}

int weights_gather(const network *n, size_t j, float **w, size_t *m, size_t **mine,
                            hs_error *err)
{
    *mine = NULL;
    if (n->n_ranks == 1)
        return weights_own(n, j, w, m, err);
    weights_snap b = {0};
    size_t own = weights_count(n, j);
    *w = NULL;
    *mine = malloc((own ? own : 1) * sizeof **mine);
    int rc = weights_snap_alloc(&b, n, j, err);
    if (rc == HS_OK && !*mine)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory gathering weights");
    /* every rank or none takes part in the gather */
    rc = hs_mpi_agree(rc, err);
    long k = rc == HS_OK ? gather_weights(n, j, &b, *mine, err) : -1;
    if (rc == HS_OK && k < 0)
        rc = err->code;
    if (rc == HS_OK && !(*w = malloc((k ? (size_t)k : 1) * sizeof **w)))
        rc = hs_error_set(err, HS_ENOMEM, "out of memory gathering weights");
    for (long q = 0; rc == HS_OK && q < k; q++)
        (*w)[q] = (float)b.w[q];
    weights_snap_free(&b);
    rc = hs_mpi_agree(rc, err);
    if (rc != HS_OK) {
        free(*w);
        free(*mine);
        *w = NULL;
        *mine = NULL;
    }
    *m = rc == HS_OK ? (size_t)k : 0;
    return rc;
}

void weights_keep(network *n, size_t j, const float *w, const size_t *mine)
{
    net_proj *pj = &n->projs[j];
    size_t k = 0;
    for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
        for (int t = 0; t < n->n_threads; t++)
            for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++)
                pj->part[t].syn[q].weight = w[mine ? mine[k++] : k++];
}

int weights_shuffle(network *n, size_t j, size_t phase, hs_error *err)
{
    /* over several ranks every rank shuffles the whole projection as one
     * process would and keeps its own synapses' new weights */
    float *w;
    size_t m, *mine;
    int rc = weights_gather(n, j, &w, &m, &mine, err);
    if (rc != HS_OK)
        return rc;
    rng_state st;
    rng_stream_init(&st, n->seed, RNG_KIND_SHUFFLE, (uint32_t)phase, (uint32_t)j);
    gsl_rng r = rng_view(&st);
    if (m > 1)
        gsl_ran_shuffle(&r, w, m, sizeof *w);
    weights_keep(n, j, w, mine);
    free(w);
    free(mine);
    return HS_OK;
}

/* Every rank's m weights w, as float bits, into all: their order does not
 * matter to a quantile. */
static int gather_bits(const network *n, const double *w, size_t m, uint32_t *all)
{
    int size = n->n_ranks;
    uint32_t *bits = malloc((m ? m : 1) * sizeof *bits);
    uint64_t *cnt = calloc((size_t)size, sizeof *cnt);
    int *ints = calloc(2 * (size_t)size, sizeof *ints);
    int rc = bits && cnt && ints ? HS_OK : HS_ENOMEM;
    for (size_t q = 0; rc == HS_OK && q < m; q++) {
        float f = (float)w[q];
        memcpy(&bits[q], &f, sizeof f);
    }
    if (rc == HS_OK && (hs_mpi_allgather_u64(m, cnt, NULL) != HS_OK ||
                        hs_mpi_allgatherv_u32(bits, cnt, all, ints, NULL) != HS_OK))
        rc = HS_EINTERNAL;
    free(bits);
    free(cnt);
    free(ints);
    return rc;
}

/* The (1 - spare) quantile of projection j's weights, over every rank's
 * (GSL, from the sorted weights); +inf when nothing is spared. */
int weights_quantile(const network *n, size_t j, double spare, double *out, hs_error *err)
{
    *out = INFINITY;
    if (spare <= 0.0)
        return HS_OK;
    size_t m = 0;
    for (int t = 0; t < n->n_threads; t++)
        m += n->projs[j].part[t].n_syn;
    uint64_t total = m;
    if (hs_mpi_allreduce_u64(&total, 1, HS_MPI_SUM, err) != HS_OK)
        return err->code;
    if (total == 0)
        return HS_OK;
    uint64_t *pre = malloc((m ? m : 1) * sizeof *pre), *post = malloc((m ? m : 1) * sizeof *post);
    double *w = malloc(total * sizeof *w);
    uint32_t *all = n->n_ranks > 1 ? malloc(total * sizeof *all) : NULL;
    int rc = pre && post && w && (n->n_ranks == 1 || all) ? HS_OK : HS_ENOMEM;
    if (rc == HS_OK)
        weights_local(n, j, pre, post, w);
    if (rc == HS_ENOMEM)
        hs_error_set(err, rc, "out of memory for the downscale threshold of %llu weights",
                     (unsigned long long)total);
    if (rc == HS_OK && n->n_ranks > 1 && (rc = gather_bits(n, w, m, all)) != HS_OK)
        hs_error_set(err, rc, "exchanging weights for the downscale threshold failed");
    if (rc == HS_OK && n->n_ranks > 1)
        for (size_t q = 0; q < total; q++) {
            float f;
            memcpy(&f, &all[q], sizeof f);
            w[q] = f;
        }
    if (rc == HS_OK) {
        gsl_sort(w, 1, total);
        *out = gsl_stats_quantile_from_sorted_data(w, 1, total, 1.0 - spare);
    }
    free(pre);
    free(post);
    free(w);
    free(all);
    return rc;
}

long weights_snap_take(const network *n, size_t j, weights_snap *b, hs_error *err)
{
    return n->n_ranks > 1 ? gather_weights(n, j, b, NULL, err)
                          : (long)weights_local(n, j, b->pre, b->post, b->w);
}
