#include "learn.h"

#include "../plasticity/stdp_pair.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Gaps up to this many time constants (at most DECAY_MAX_LEN steps) are
 * tabled, longer ones call exp(): bursty cells leave gaps of seconds, and
 * at 40 time constants exp() took 6 % of COBA+STDP. The table holds the
 * same exp() values, so results do not change. */
#define DECAY_TAUS 300.0
#define DECAY_MAX_LEN 65536
/* synapses ahead whose weight learn_post prefetches */
#define LEARN_AHEAD 8

static int decay_init(learn_decay *d, double tau_ms, double dt)
{
    d->steps_per_tau = dt / tau_ms;
    double len = ceil(DECAY_TAUS * tau_ms / dt) + 1;
    d->len = len < DECAY_MAX_LEN ? (size_t)len : DECAY_MAX_LEN;
    d->table = malloc(d->len * sizeof *d->table);
    if (!d->table)
        return HS_ENOMEM;
    for (size_t k = 0; k < d->len; k++)
        d->table[k] = exp(-(double)k * d->steps_per_tau);
    return HS_OK;
}

static inline double decay(const learn_decay *d, uint64_t n)
{
    return n < d->len ? d->table[n] : exp(-(double)n * d->steps_per_tau);
}

static int traces_alloc(learn_traces *tr, size_t n, size_t k)
{
    memset(tr, 0, sizeof *tr);
    for (size_t q = 0; q < k; q++)
        if (!(tr->v[q] = calloc(n ? n : 1, sizeof(double))))
            return HS_ENOMEM;
    tr->last = calloc(n ? n : 1, sizeof *tr->last);
    return tr->last ? HS_OK : HS_ENOMEM;
}

static void traces_free(learn_traces *tr)
{
    for (size_t q = 0; q < STDP_MAX_TRACES; q++)
        free(tr->v[q]);
    free(tr->last);
}

/* The k traces of neuron i as of step `step`. */
static inline void traces_at(const learn_traces *tr, const learn_decay *d, size_t k, size_t i,
                             uint64_t step, double *out)
{
    uint64_t gap = step - tr->last[i];
    for (size_t q = 0; q < k; q++)
        out[q] = tr->v[q][i] * decay(&d[q], gap);
}

/* Neuron i spikes in `step`: its traces jump by 1 (all-to-all) or to 1
 * (nearest spike). */
static inline void traces_spike(learn_traces *tr, const learn_decay *d, size_t k, size_t i,
                                uint64_t step, int nearest)
{
    double now[STDP_MAX_TRACES];
    traces_at(tr, d, k, i, step, now);
    for (size_t q = 0; q < k; q++)
        tr->v[q][i] = nearest ? 1.0 : now[q] + 1.0;
    tr->last[i] = step;
}

static int learn_one(network *n, net_proj *pj, const hs_plast_config *pc, hs_error *err)
{
    learn_proj *L = calloc(1, sizeof *L);
    if (!L)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    pj->learn = L;
    L->rule = pc->rule;
    memcpy(L->params, pc->params, sizeof L->params);
    L->nearest = pc->nearest;
    L->pair = pc->rule->pair_inline;
    L->gain = 1.0;
    L->rule->bounds(L->params, &L->w_min, &L->w_max);
    if (pj->const_delay == 0)   /* the loader refuses drawn delays on plastic projections */
        return hs_error_set(err, HS_EINPUT, "a plastic projection needs one constant delay");
    double tau_pre[STDP_MAX_TRACES] = {0}, tau_post[STDP_MAX_TRACES] = {0};
    if (L->rule->check(L->params, tau_pre, tau_post, err) != HS_OK)
        return HS_EINPUT;   /* the loader checked this; keep the kernel safe anyway */
    int rc = HS_OK;
    for (size_t q = 0; q < L->rule->n_pre && rc == HS_OK; q++)
        rc = decay_init(&L->pre_decay[q], tau_pre[q], n->dt);
    for (size_t q = 0; q < L->rule->n_post && rc == HS_OK; q++)
        rc = decay_init(&L->post_decay[q], tau_post[q], n->dt);
    if (rc == HS_OK)
        rc = traces_alloc(&L->post, n->pops[pj->post].state.n, L->rule->n_post);
    L->pre = calloc((size_t)n->n_threads, sizeof *L->pre);
    if (!L->pre)
        rc = HS_ENOMEM;
    for (int t = 0; t < n->n_threads && rc == HS_OK; t++)
        rc = traces_alloc(&L->pre[t], n->pops[pj->pre].state.n, L->rule->n_pre);
    return rc == HS_OK ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory for learning");
}

int learn_build(network *n, const hs_config *c, hs_error *err)
{
    for (size_t j = 0; j < n->n_projs; j++)
        if (c->projs[j].plast.rule && learn_one(n, &n->projs[j], &c->projs[j].plast, err) != HS_OK)
            return err->code;
    return HS_OK;
}

void learn_free(network *n)
{
    for (size_t j = 0; n->projs && j < n->n_projs; j++) {
        learn_proj *L = n->projs[j].learn;
        if (!L)
            continue;
        for (size_t q = 0; q < STDP_MAX_TRACES; q++) {
            free(L->pre_decay[q].table);
            free(L->post_decay[q].table);
        }
        traces_free(&L->post);
        for (int t = 0; L->pre && t < n->n_threads; t++)
            traces_free(&L->pre[t]);
        free(L->pre);
        free(L);
        n->projs[j].learn = NULL;
    }
}

static inline double clip(double w, double lo, double hi)
{
    return w < lo ? lo : w > hi ? hi : w;
}

uint64_t learn_deliver(const network *n, net_proj *pj, int t, const uint32_t *ids, size_t m,
                       uint64_t step, skip_pop *kp)
{
    learn_proj *L = pj->learn;
    net_part *pt = &pj->part[t];
    const net_pop *post = &n->pops[pj->post];
    size_t sl = (size_t)((step + pj->const_delay) % n->n_slots);
    double *slot = post->ring[pj->receptor] + sl * post->state.n_alloc;
    learn_traces *pre = &L->pre[t];
    /* locals: the stores below could alias L and pj for the compiler */
    double (*on_pre)(const void *, double, const double *, const double *) = L->rule->on_pre;
    const double gain = L->gain, w_min = L->w_min, w_max = L->w_max, tx = pj->gain;
    const size_t n_post = L->rule->n_post;
    const int pair = L->pair;
    uint64_t events = 0;
    for (size_t q = 0; q < m; q++) {
        uint32_t i = ids[q];
        double x[STDP_MAX_TRACES], y[STDP_MAX_TRACES];
        traces_at(pre, L->pre_decay, L->rule->n_pre, i, step, x);
        uint64_t a = pt->row[i], e = pt->row[i + 1];
        events += e - a;
        for (uint64_t k = a; k < e; k++) {
            uint32_t j = pt->syn[k].post;
            traces_at(&L->post, L->post_decay, n_post, j, step, y);
            double w = pt->syn[k].weight;
            double nw = pair ? stdp_pair_on_pre(L->params, w, y, x) : on_pre(L->params, w, y, x);
            float wf = (float)clip(w + gain * (nw - w), w_min, w_max);
            pt->syn[k].weight = wf;
            slot[j] += tx * wf;
            if (kp)
                skip_pop_mark(kp, sl, j);
        }
        traces_spike(pre, L->pre_decay, L->rule->n_pre, i, step, L->nearest);
    }
    return events;
}

void learn_post(const network *n, net_proj *pj, int t, const uint32_t *ids, size_t m,
                uint64_t step)
{
    learn_proj *L = pj->learn;
    net_part *pt = &pj->part[t];
    size_t lo = n->pops[pj->post].lo[t];
    const learn_traces *pre = &L->pre[t];
    double (*on_post)(const void *, double, const double *, const double *) = L->rule->on_post;
    const double gain = L->gain, w_min = L->w_min, w_max = L->w_max;
    const size_t n_pre = L->rule->n_pre;
    const int pair = L->pair;
    for (size_t q = 0; q < m; q++) {
        uint32_t j = ids[q];
        double x[STDP_MAX_TRACES], y[STDP_MAX_TRACES];
        traces_at(&L->post, L->post_decay, L->rule->n_post, j, step, y);
        uint64_t s1 = pt->trow[j - lo + 1];
        for (uint64_t s = pt->trow[j - lo]; s < s1; s++) {
            /* the weights lie scattered over the projection: ask ahead */
            if (s + LEARN_AHEAD < s1)
                __builtin_prefetch(&pt->syn[pt->tsyn[s + LEARN_AHEAD]], 1);
            uint32_t k = pt->tsyn[s];
            traces_at(pre, L->pre_decay, n_pre, net_part_tpre(pt, s), step, x);
            double w = pt->syn[k].weight;
            double nw = pair ? stdp_pair_on_post(L->params, w, x, y)
                             : on_post(L->params, w, x, y);
            pt->syn[k].weight = (float)clip(w + gain * (nw - w), w_min, w_max);
        }
        traces_spike(&L->post, L->post_decay, L->rule->n_post, j, step, L->nearest);
    }
}
