#include "homeo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weights.h"

static int rule_init(homeo_rule *r, const hs_homeo_config *hc, const hs_plast_config *pc,
                     size_t n_post, double dt)
{
    r->type = hc->rule;
    r->w_min = -INFINITY;
    r->w_max = INFINITY;
    if (pc->rule)
        pc->rule->bounds(pc->params, &r->w_min, &r->w_max);
    memcpy(r->params, hc->params, sizeof r->params);
    r->gain = 1.0;
    r->threshold = INFINITY;
    double interval = r->type->interval_ms(r->params);
    r->every = (uint64_t)(interval / dt + 0.5);
    if (r->every < 1)
        r->every = 1;
    r->last = calloc(n_post ? n_post : 1, sizeof *r->last);
    if (!r->last)
        return HS_ENOMEM;
    if (!r->type->tracks_rate)
        return HS_OK;
    r->rate = malloc((n_post ? n_post : 1) * sizeof *r->rate);
    r->count = calloc(n_post ? n_post : 1, sizeof *r->count);
    if (!r->rate || !r->count)
        return HS_ENOMEM;
    for (size_t j = 0; j < n_post; j++)
        r->rate[j] = r->type->rate_init(r->params);
    return HS_OK;
}

int homeo_build(network *n, const hs_config *c, hs_error *err)
{
    for (size_t j = 0; j < n->n_projs; j++) {
        const hs_proj_config *pc = &c->projs[j];
        if (!pc->n_homeo)
            continue;
        homeo_proj *h = calloc(1, sizeof *h);
        n->projs[j].homeo = h;
        if (!h)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        h->n = pc->n_homeo;
        for (size_t k = 0; k < h->n; k++)
            if (rule_init(&h->rule[k], &pc->homeo[k], &pc->plast, n->pops[pc->post].state.n,
                          n->dt) != HS_OK)
                return hs_error_set(err, HS_ENOMEM, "out of memory for homeostasis");
    }
    return HS_OK;
}

void homeo_free(network *n)
{
    for (size_t j = 0; n->projs && j < n->n_projs; j++) {
        homeo_proj *h = n->projs[j].homeo;
        for (size_t k = 0; h && k < h->n; k++) {
            free(h->rule[k].rate);
            free(h->rule[k].count);
            free(h->rule[k].last);
        }
        free(h);
        n->projs[j].homeo = NULL;
    }
}

int homeo_phase(network *n, const hs_config *c, size_t k, hs_error *err)
{
    for (size_t j = 0; j < n->n_projs; j++) {
        homeo_proj *h = n->projs[j].homeo;
        for (size_t r = 0; h && r < h->n; r++) {
            homeo_rule *hr = &h->rule[r];
            hr->gain = c->phases[k].homeo_gain[j * HS_MAX_HOMEOSTASIS + r];
            int rc = weights_quantile(n, j, hr->type->spare_fraction(hr->params),
                                      &hr->threshold, err);
            if (rc != HS_OK) {
                /* agreed: every rank says the same */
                hs_error why = *err;
                return hs_error_set(err, rc, "phase %s, projection %s: the %s threshold: %s",
                                    c->phases[k].name, c->projs[j].name, hr->type->name,
                                    why.msg);
            }
        }
    }
    return HS_OK;
}

void homeo_count(net_proj *pj, const uint32_t *ids, size_t m)
{
    homeo_proj *h = pj->homeo;
    for (size_t r = 0; r < h->n; r++)
        if (h->rule[r].count)
            for (size_t q = 0; q < m; q++)
                h->rule[r].count[ids[q]]++;
}

/* Multiplies the incoming weights of own target j by f, within the rule's
 * bounds (spare: keep those at or above threshold). */
static void scale_inputs(const homeo_rule *r, net_part *pt, size_t jl, double f,
                         double threshold)
{
    for (uint64_t s = pt->trow[jl]; s < pt->trow[jl + 1]; s++) {
        net_syn *syn = &pt->syn[pt->tsyn[s]];
        if (!(syn->weight < threshold))
            continue;
        double w = syn->weight * f;
        syn->weight = (float)(w < r->w_min ? r->w_min : w > r->w_max ? r->w_max : w);
    }
}

static double input_sum(const net_part *pt, size_t jl)
{
    double sum = 0.0;
    for (uint64_t s = pt->trow[jl]; s < pt->trow[jl + 1]; s++)
        sum += pt->syn[pt->tsyn[s]].weight;
    return sum;
}

/* Target j's turn for the steps up to `end`. */
static void turn(homeo_rule *r, net_part *pt, size_t j, size_t jl, uint64_t end, double dt)
{
    if (end <= r->last[j])
        return;
    double T = (double)(end - r->last[j]) * dt;   /* ms */
    r->last[j] = end;
    uint32_t count = 0;
    if (r->count) {
        count = r->count[j];
        r->count[j] = 0;
    }
    scaling_turn st;
    if (!r->type->turn(r->params, r->gain, T, r->rate ? &r->rate[j] : NULL, count,
                       r->threshold, &st))
        return;
    if (st.total > 0) {
        double sum = input_sum(pt, jl);
        if (sum > 0)
            scale_inputs(r, pt, jl, st.total / sum, INFINITY);
        return;
    }
    scale_inputs(r, pt, jl, st.factor, st.below);
}

void homeo_step(const network *n, int t, uint64_t step)
{
    for (size_t j = 0; j < n->n_projs; j++) {
        homeo_proj *h = n->projs[j].homeo;
        if (!h)
            continue;
        net_part *pt = &n->projs[j].part[t];
        size_t lo = n->pops[n->projs[j].post].lo[t], hi = n->pops[n->projs[j].post].hi[t];
        for (size_t r = 0; r < h->n; r++) {
            homeo_rule *hr = &h->rule[r];
            /* own targets with j % m == (step + 1) % m: the turn ends step's interval */
            uint64_t m = hr->every, phase = (step + 1) % m;
            size_t first = lo + (size_t)((phase + m - lo % m) % m);
            for (size_t q = first; q < hi; q += m)
                turn(hr, pt, q, q - lo, step + 1, n->dt);
        }
    }
}

void homeo_flush(const network *n, uint64_t end)
{
    for (size_t j = 0; j < n->n_projs; j++) {
        homeo_proj *h = n->projs[j].homeo;
        const net_pop *post = &n->pops[n->projs[j].post];
        for (size_t r = 0; h && r < h->n; r++)
            for (int t = 0; t < n->n_threads; t++)
                for (size_t q = post->lo[t]; q < post->hi[t]; q++)
                    turn(&h->rule[r], &n->projs[j].part[t], q, q - post->lo[t], end, n->dt);
    }
}
