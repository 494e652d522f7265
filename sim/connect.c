#include "connect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <omp.h>

#include "../base/mpi.h"
#include "../base/rng.h"

/* Synapses of one thread and projection as drawn, before sorting by pre. */
typedef struct syn_list {
    uint32_t *pre, *post;
    double *w;
    uint16_t *d;
    size_t n, cap;
} syn_list;

static int syn_list_push(syn_list *s, uint32_t pre, uint32_t post, double w, uint16_t d)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        uint32_t *a = realloc(s->pre, cap * sizeof *a);
        if (a)
            s->pre = a;
        uint32_t *b = realloc(s->post, cap * sizeof *b);
        if (b)
            s->post = b;
        double *c = realloc(s->w, cap * sizeof *c);
        if (c)
            s->w = c;
        uint16_t *e = realloc(s->d, cap * sizeof *e);
        if (e)
            s->d = e;
        if (!a || !b || !c || !e)
            return HS_ENOMEM;
        s->cap = cap;
    }
    s->pre[s->n] = pre;
    s->post[s->n] = post;
    s->w[s->n] = w;
    s->d[s->n] = d;
    s->n++;
    return HS_OK;
}

static void syn_list_free(syn_list *s)
{
    free(s->pre);
    free(s->post);
    free(s->w);
    free(s->d);
    memset(s, 0, sizeof *s);
}

static uint16_t delay_steps(double delay_ms, double dt)
{
    double s = round(delay_ms / dt);
    /* the loader keeps delays within [dt, HS_MAX_DELAY_STEPS dt] */
    return (uint16_t)(s < 1.0 ? 1.0 : s > HS_MAX_DELAY_STEPS ? HS_MAX_DELAY_STEPS : s);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The sources of target j, ascending, into src; returns their count. */
static size_t draw_sources(const hs_proj_config *pc, size_t n_pre, size_t j, int self,
                           gsl_rng *r, uint32_t *src, uint8_t *mark)
{
    size_t k = 0;
    int skip_self = self && !pc->autapses;
    switch (pc->rule) {
    case HS_CONN_ONE_TO_ONE:
        src[k++] = (uint32_t)j;
        break;
    case HS_CONN_ALL_TO_ALL:
        for (size_t i = 0; i < n_pre; i++)
            if (!(skip_self && i == j))
                src[k++] = (uint32_t)i;
        break;
    case HS_CONN_FIXED_PROBABILITY:
        if (pc->p <= 0.0)
            break;
        for (uint64_t i = rng_geometric(r, pc->p) - 1; i < n_pre; i += rng_geometric(r, pc->p))
            if (!(skip_self && i == j))
                src[k++] = (uint32_t)i;
        break;
    case HS_CONN_FIXED_INDEGREE: {
        /* Floyd: K distinct values from the m candidates (target excluded),
         * in O(K) draws; mark is all zero again afterwards. */
        size_t m = skip_self ? n_pre - 1 : n_pre;
        for (size_t x = m - pc->indegree; x < m; x++) {
            size_t t = gsl_rng_uniform_int(r, x + 1);
            size_t pick = mark[t] ? x : t;
            mark[pick] = 1;
            src[k++] = (uint32_t)pick;
        }
        qsort(src, k, sizeof *src, cmp_u32);
        for (size_t q = 0; q < k; q++) {
            mark[src[q]] = 0;
            if (skip_self && src[q] >= j)
                src[q]++;
        }
        break;
    }
    }
    return k;
}

static int draw_thread(const network *n, const hs_proj_config *pc, size_t jproj,
                       size_t lo, size_t hi, syn_list *out)
{
    size_t n_pre = n->pops[pc->pre].state.n;
    uint32_t *src = malloc((n_pre ? n_pre : 1) * sizeof *src);
    uint8_t *mark = pc->rule == HS_CONN_FIXED_INDEGREE ? calloc(n_pre ? n_pre : 1, 1) : NULL;
    if (!src || (pc->rule == HS_CONN_FIXED_INDEGREE && !mark)) {
        free(src);
        free(mark);
        return HS_ENOMEM;
    }
    int rc = HS_OK;
    for (size_t j = lo; j < hi && rc == HS_OK; j++) {
        rng_state s;
        rng_stream_init(&s, n->seed, RNG_KIND_CONNECT, (uint32_t)jproj, (uint32_t)j);
        gsl_rng r = rng_view(&s);
        size_t k = draw_sources(pc, n_pre, j, pc->pre == pc->post, &r, src, mark);
        for (size_t q = 0; q < k && rc == HS_OK; q++) {
            double w = dist_draw(&pc->weight, &r);
            uint16_t d = delay_steps(dist_draw(&pc->delay_ms, &r), n->dt);
            rc = syn_list_push(out, src[q], (uint32_t)j, w, d);
        }
    }
    free(src);
    free(mark);
    return rc;
}

/* The transposed index of a plastic part: for each own target lo + j, its
 * synapses in index order (so by pre ascending), with their sources when
 * learning needs them (with_pre). */
static int make_transposed(net_part *pt, size_t n_pre, size_t lo, size_t hi, int with_pre)
{
    size_t n_own = hi - lo, cap = pt->n_syn ? pt->n_syn : 1;
    int narrow = n_pre <= (size_t)UINT16_MAX + 1;
    pt->trow = calloc(n_own + 1, sizeof *pt->trow);
    pt->tsyn = malloc(cap * sizeof *pt->tsyn);
    if (with_pre && narrow)
        pt->tpre16 = malloc(cap * sizeof *pt->tpre16);
    else if (with_pre)
        pt->tpre = malloc(cap * sizeof *pt->tpre);
    uint32_t *fill = malloc((n_own ? n_own : 1) * sizeof *fill);
    if (!pt->trow || !pt->tsyn || (with_pre && !pt->tpre && !pt->tpre16) || !fill) {
        free(fill);
        return HS_ENOMEM;
    }
    for (size_t k = 0; k < pt->n_syn; k++)
        pt->trow[pt->syn[k].post - lo + 1]++;
    for (size_t j = 0; j < n_own; j++)
        pt->trow[j + 1] += pt->trow[j];
    memcpy(fill, pt->trow, n_own * sizeof *fill);
    for (size_t i = 0; i < n_pre; i++)
        for (uint64_t k = pt->row[i]; k < pt->row[i + 1]; k++) {
            uint32_t at = fill[pt->syn[k].post - lo]++;
            pt->tsyn[at] = (uint32_t)k;
            if (pt->tpre16)
                pt->tpre16[at] = (uint16_t)i;
            else if (pt->tpre)
                pt->tpre[at] = (uint32_t)i;
        }
    free(fill);
    return HS_OK;
}

/* Sorts the drawn synapses by pre (stable: targets stay ascending). */
static int make_part(net_part *pt, const syn_list *s, size_t n_pre, int const_delay)
{
    if (s->n >= UINT32_MAX)
        return HS_ENOMEM;   /* 32-bit offsets: more threads split it */
    size_t cap = s->n ? s->n : 1;
    pt->row = calloc(n_pre + 1, sizeof *pt->row);
    pt->syn = malloc(cap * sizeof *pt->syn);
    pt->delay = const_delay ? NULL : malloc(cap * sizeof *pt->delay);
    if (!pt->row || !pt->syn || (!const_delay && !pt->delay))
        return HS_ENOMEM;
    pt->n_syn = s->n;
    for (size_t q = 0; q < s->n; q++)
        pt->row[s->pre[q] + 1]++;
    for (size_t i = 0; i < n_pre; i++)
        pt->row[i + 1] += pt->row[i];
    uint32_t *fill = malloc((n_pre ? n_pre : 1) * sizeof *fill);
    if (!fill)
        return HS_ENOMEM;
    memcpy(fill, pt->row, n_pre * sizeof *fill);
    for (size_t q = 0; q < s->n; q++) {
        uint32_t at = fill[s->pre[q]]++;
        pt->syn[at] = (net_syn){s->post[q], (float)s->w[q]};
        if (pt->delay)
            pt->delay[at] = s->d[q];
    }
    free(fill);
    return HS_OK;
}

static void delay_range(const syn_list *s, uint16_t *dmin, uint16_t *dmax)
{
    for (size_t q = 0; q < s->n; q++) {
        if (s->d[q] < *dmin)
            *dmin = s->d[q];
        if (s->d[q] > *dmax)
            *dmax = s->d[q];
    }
}

/* A constant delay distribution gives one delay for every synapse, so the
 * per-synapse delay array is dropped (2 bytes a synapse). */
static int connect_one(network *n, const hs_config *c, size_t jp)
{
    const hs_proj_config *pc = &c->projs[jp];
    net_proj *pj = &n->projs[jp];
    pj->pre = pc->pre;
    pj->post = pc->post;
    pj->receptor = pc->receptor;
    pj->gain = 1.0;
    int constant = pc->delay_ms.kind == HS_DIST_CONSTANT;
    pj->const_delay = constant ? delay_steps(pc->delay_ms.value, n->dt) : 0;
    pj->min_delay = UINT16_MAX;
    pj->max_delay = 0;
    pj->part = calloc((size_t)n->n_threads, sizeof *pj->part);
    if (!pj->part)
        return HS_ENOMEM;
    const net_pop *post = &n->pops[pc->post];
    size_t n_pre = n->pops[pc->pre].state.n;
    int rc = HS_OK;
    uint16_t dmin = UINT16_MAX, dmax = 0;
    /* One part per thread of the run; whoever builds a part builds the same
     * synapses, so this holds for any team OpenMP gives. */
#pragma omp parallel for num_threads(n->n_threads) reduction(min : dmin) reduction(max : dmax)
    for (int t = 0; t < n->n_threads; t++) {
        syn_list s = {0};
        int my = draw_thread(n, pc, jp, post->lo[t], post->hi[t], &s);
        if (my == HS_OK)
            my = make_part(&pj->part[t], &s, n_pre, constant);
        if (my == HS_OK && (pc->plast.rule || pc->n_homeo))
            my = make_transposed(&pj->part[t], n_pre, post->lo[t], post->hi[t],
                                 pc->plast.rule != NULL);
        delay_range(&s, &dmin, &dmax);
        syn_list_free(&s);
        if (my != HS_OK) {
#pragma omp atomic write
            rc = my;
        }
    }
    /* every rank must agree on the delays (they set the window) and on
     * failure (else the others wait for it) */
    uint64_t v[3] = {dmin, UINT16_MAX - dmax, rc == HS_OK};
    if (hs_mpi_allreduce_u64(v, 3, HS_MPI_MIN, NULL) != HS_OK || !v[2])
        return HS_ENOMEM;
    dmin = (uint16_t)v[0];
    dmax = (uint16_t)(UINT16_MAX - v[1]);
    pj->min_delay = constant ? pj->const_delay : dmin;
    pj->max_delay = constant ? pj->const_delay : dmax;
    return rc;
}

int connect_all(network *n, const hs_config *c, hs_error *err)
{
    uint32_t wmin = UINT32_MAX, dmax = 1, dmax_ahead = 0;
    n->n_syn = 0;
    for (size_t k = 0; k < n->n_pops; k++)
        n->pops[k].ahead = n->pops[k].type->is_source;
    /* a source whose synapses learn is read step by step with its targets */
    for (size_t j = 0; j < c->n_projs; j++)
        if (c->projs[j].plast.rule || c->projs[j].n_homeo)
            n->pops[c->projs[j].pre].ahead = 0;
    n->has_ahead = 0;
    for (size_t k = 0; k < n->n_pops; k++)
        n->has_ahead |= n->pops[k].ahead;
    for (size_t j = 0; j < c->n_projs; j++) {
        if (connect_one(n, c, j) != HS_OK)
            return hs_error_set(err, HS_ENOMEM, "out of memory for the synapses of %s",
                                c->projs[j].name);
        const net_proj *pj = &n->projs[j];
        for (int t = 0; t < n->n_threads; t++)
            n->n_syn += pj->part[t].n_syn;
        if (pj->min_delay > pj->max_delay)
            continue;
        if (n->pops[c->projs[j].pre].ahead) {
            dmax_ahead = pj->max_delay > dmax_ahead ? pj->max_delay : dmax_ahead;
        } else {
            wmin = pj->min_delay < wmin ? pj->min_delay : wmin;
            dmax = pj->max_delay > dmax ? pj->max_delay : dmax;
        }
    }
    /* Without synapses the window only sets how often threads meet. */
    n->window = wmin == UINT32_MAX ? 10 : wmin;
    /* Unread slots span [t0, t0 + w - 1 + d]: d = dmax_ahead when a window's
     * ahead spikes are delivered (at t0), dmax for the others (at t0 + w,
     * reaching t0 + w - 1 + dmax, which dmax slots hold). */
    n->n_slots = dmax > n->window + dmax_ahead ? dmax : n->window + dmax_ahead;
    return HS_OK;
}
