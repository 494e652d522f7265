#include "homeo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "mpi.h"
#include "schedule.h"

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
    double interval = r->type == &scaling_rate
                          ? ((const scaling_rate_params *)r->params)->interval_ms
                          : ((const downscale_params *)r->params)->interval_ms;
    r->every = (uint64_t)(interval / dt + 0.5);
    if (r->every < 1)
        r->every = 1;
    r->last = calloc(n_post ? n_post : 1, sizeof *r->last);
    if (!r->last)
        return HS_ENOMEM;
    if (r->type != &scaling_rate)
        return HS_OK;
    const scaling_rate_params *p = (const scaling_rate_params *)r->params;
    r->rate = malloc((n_post ? n_post : 1) * sizeof *r->rate);
    r->count = calloc(n_post ? n_post : 1, sizeof *r->count);
    if (!r->rate || !r->count)
        return HS_ENOMEM;
    for (size_t j = 0; j < n_post; j++)
        r->rate[j] = p->target_hz;
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

/* Every rank's m weights w, as float bits, into all: their order does not
 * matter to a quantile. */
static int gather_weights(const network *n, const double *w, size_t m, uint32_t *all)
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
static int spare_threshold(const network *n, size_t j, double spare, double *out)
{
    *out = INFINITY;
    if (spare <= 0.0)
        return HS_OK;
    size_t m = 0;
    for (int t = 0; t < n->n_threads; t++)
        m += n->projs[j].part[t].n_syn;
    uint64_t total = m;
    if (hs_mpi_allreduce_u64(&total, 1, HS_MPI_SUM, NULL) != HS_OK)
        return HS_EINTERNAL;
    if (total == 0)
        return HS_OK;
    uint64_t *pre = malloc((m ? m : 1) * sizeof *pre), *post = malloc((m ? m : 1) * sizeof *post);
    double *w = malloc(total * sizeof *w);
    uint32_t *all = n->n_ranks > 1 ? malloc(total * sizeof *all) : NULL;
    int rc = pre && post && w && (n->n_ranks == 1 || all) ? HS_OK : HS_ENOMEM;
    if (rc == HS_OK)
        schedule_weights(n, j, pre, post, w);
    if (rc == HS_OK && n->n_ranks > 1 && (rc = gather_weights(n, w, m, all)) == HS_OK)
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

int homeo_phase(network *n, const hs_config *c, size_t k, hs_error *err)
{
    for (size_t j = 0; j < n->n_projs; j++) {
        homeo_proj *h = n->projs[j].homeo;
        for (size_t r = 0; h && r < h->n; r++) {
            homeo_rule *hr = &h->rule[r];
            hr->gain = c->phases[k].homeo_gain[j * HS_MAX_HOMEOSTASIS + r];
            if (hr->type == &scaling_downscale &&
                spare_threshold(n, j, ((const downscale_params *)hr->params)->spare_fraction,
                                &hr->threshold) != HS_OK)
                return hs_error_set(err, HS_ENOMEM, "out of memory for downscaling");
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
    if (r->type == &scaling_rate) {
        const scaling_rate_params *p = (const scaling_rate_params *)r->params;
        double keep = exp(-T / p->avg_tau_ms);
        double sample = r->count[j] / (T * 1e-3);
        r->count[j] = 0;
        r->rate[j] = r->rate[j] * keep + sample * (1.0 - keep);
        if (!(r->gain > 0))
            return;
        /* one turn moves a weight by a factor in [1/2, 2] at most */
        double f = exp(r->gain * T / p->tau_ms * (p->target_hz - r->rate[j]) / p->target_hz);
        scale_inputs(r, pt, jl, f < 0.5 ? 0.5 : f > 2.0 ? 2.0 : f, INFINITY);
        return;
    }
    const downscale_params *p = (const downscale_params *)r->params;
    if (r->gain <= 0)
        return;
    if (p->target_total > 0) {
        double sum = input_sum(pt, jl);
        if (sum > 0)
            scale_inputs(r, pt, jl, p->target_total / sum, INFINITY);
        return;
    }
    scale_inputs(r, pt, jl, exp(-r->gain * p->rate_per_s * T * 1e-3), r->threshold);
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
