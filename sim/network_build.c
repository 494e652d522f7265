/* network_build.c: building a network from an experiment
 * (network_build.h). */
#include "network_build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../base/alloc.h"
#include "../base/machine.h"
#include "../base/mpi.h"
#include "../base/rng.h"
#include "connect.h"
#include "footprint.h"
#include "homeo.h"
#include "learn.h"

/* Whole blocks per virtual process, so a range starts on a block boundary;
 * this rank's threads are the n_vps / n_ranks VPs from vp0. */
static void partition(size_t n, size_t n_vps, size_t vp0, int n_threads, size_t *lo,
                      size_t *hi)
{
    size_t nb = (n + NEURON_BLOCK - 1) / NEURON_BLOCK;
    for (int t = 0; t < n_threads; t++) {
        size_t b0 = nb * (vp0 + (size_t)t) / n_vps;
        size_t b1 = nb * (vp0 + (size_t)t + 1) / n_vps;
        lo[t] = b0 * NEURON_BLOCK < n ? b0 * NEURON_BLOCK : n;
        hi[t] = b1 * NEURON_BLOCK < n ? b1 * NEURON_BLOCK : n;
    }
}

static void init_state(net_pop *p, const hs_pop_config *pc, uint64_t seed, uint32_t index)
{
    int any = 0;
    for (size_t v = 0; v < p->type->n_state; v++)
        any |= pc->has_init[v];
    if (!any)
        return;
    for (size_t i = 0; i < p->state.n; i++) {
        rng_state s;
        rng_stream_init(&s, seed, RNG_KIND_INIT, index, (uint32_t)i);
        gsl_rng r = rng_view(&s);
        for (size_t v = 0; v < p->type->n_state; v++)
            if (pc->has_init[v])
                p->state.var[v][i] = dist_draw(&pc->init[v], &r);
    }
}

/* Prefixes err's message with where the population was written. */
static int located(hs_error *err, int code, const hs_config *c, const hs_pop_config *pc,
                   const char *key)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return hs_error_at(err, code, c->path, pc->loc.line, pc->loc.col, "populations.%s%s: %.1200s",
                       pc->name, key, msg);
}

static int build_pop(network *n, size_t k, const hs_config *c, hs_error *err)
{
    const hs_pop_config *pc = &c->pops[k];
    net_pop *p = &n->pops[k];
    p->type = pc->model;
    p->record = pc->record_spikes;
    p->plan = hs_alloc_lines(p->type->plan_size);
    p->lo = calloc((size_t)n->n_threads, sizeof *p->lo);
    p->hi = calloc((size_t)n->n_threads, sizeof *p->hi);
    if (!p->plan || !p->lo || !p->hi)
        return hs_error_set(err, HS_ENOMEM, "out of memory for population %s", pc->name);
    if (p->type->plan_init(p->plan, pc->params, c->dt_ms, err) != HS_OK)
        return located(err, HS_EINPUT, c, pc, ".params");
    int rc = neuron_pop_alloc(&p->state, p->type, p->plan, pc->size, err);
    if (rc != HS_OK)
        return rc;
    size_t t = (size_t)n->n_threads;
    partition(pc->size, t * (size_t)n->n_ranks, t * (size_t)n->rank, n->n_threads, p->lo, p->hi);
    init_state(p, pc, n->seed, (uint32_t)k);
    if (p->type->ext_alloc) {
        neuron_source_data data = {pc->spike_t_ms, pc->spike_ids, pc->n_spikes,
                                   n->traj ? &n->path : NULL};
        rc = p->type->ext_alloc(&p->state, p->plan, &data, n->seed, (uint32_t)k, err);
        if (rc != HS_OK)
            return located(err, rc, c, pc, "");
    }
    return HS_OK;
}

static int alloc_rings(network *n, hs_error *err)
{
    for (size_t k = 0; k < n->n_pops; k++) {
        net_pop *p = &n->pops[k];
        for (size_t r = 0; r < p->type->n_receptors; r++) {
            p->ring[r] = hs_alloc_lines((size_t)n->n_slots * p->state.n_alloc * sizeof(double));
            if (!p->ring[r])
                return hs_error_set(err, HS_ENOMEM, "out of memory for the delay rings");
        }
    }
    return HS_OK;
}

static int link_projections(network *n, hs_error *err)
{
    for (size_t k = 0; k < n->n_pops; k++) {
        net_pop *p = &n->pops[k];
        p->out = calloc(n->n_projs ? n->n_projs : 1, sizeof *p->out);
        if (!p->out)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        for (size_t j = 0; j < n->n_projs; j++)
            if (n->projs[j].pre == k)
                p->out[p->n_out++] = j;
    }
    return HS_OK;
}

int network_check_size(const hs_config *c, int n_threads, hs_error *err)
{
    footprint f;
    footprint_estimate(c, n_threads, &f);
    return footprint_check(&f, c, machine_memory_bytes(), err);
}

network *network_build(const hs_config *c, const track_traj *traj, int n_threads,
                       hs_error *err)
{
    /* Refused before anything is allocated: with overcommit, allocating
     * more than there is ends in the OOM killer, not in a NULL. */
    if (network_check_size(c, n_threads, err) != HS_OK)
        return NULL;
    network *n = calloc(1, sizeof *n);
    if (!n) {
        hs_error_set(err, HS_ENOMEM, "out of memory");
        return NULL;
    }
    n->n_threads = n_threads;
    n->rank = hs_mpi_rank();
    n->n_ranks = hs_mpi_size();
    n->dt = c->dt_ms;
    n->seed = c->seed;
    n->n_pops = c->n_pops;
    n->n_projs = c->n_projs;
    n->pops = calloc(c->n_pops, sizeof *n->pops);
    n->projs = calloc(c->n_projs ? c->n_projs : 1, sizeof *n->projs);
    if (!n->pops || !n->projs) {
        hs_error_set(err, HS_ENOMEM, "out of memory");
        goto fail;
    }
    if (traj && traj->n) {
        n->traj = traj;
        n->path = (neuron_path){traj->n, traj->sample_ms, traj->length_cm, traj->x_cm,
                                traj->dir};
    }
    for (size_t k = 0; k < c->n_pops; k++)
        if (build_pop(n, k, c, err) != HS_OK)
            goto fail;
    if (connect_all(n, c, err) != HS_OK || learn_build(n, c, err) != HS_OK ||
        homeo_build(n, c, err) != HS_OK)
        goto fail;
    if (link_projections(n, err) != HS_OK || alloc_rings(n, err) != HS_OK)
        goto fail;
    return n;
fail:
    network_free(n);
    return NULL;
}

static void free_part(net_part *pt)
{
    free(pt->row);
    free(pt->syn);
    free(pt->trow);
    free(pt->tsyn);
    free(pt->tpre);
    free(pt->tpre16);
    free(pt->delay);
}

void network_free(network *n)
{
    if (!n)
        return;
    learn_free(n);
    homeo_free(n);
    for (size_t j = 0; n->projs && j < n->n_projs; j++) {
        if (!n->projs[j].part)
            continue;
        for (int t = 0; t < n->n_threads; t++)
            free_part(&n->projs[j].part[t]);
        free(n->projs[j].part);
    }
    for (size_t k = 0; n->pops && k < n->n_pops; k++) {
        net_pop *p = &n->pops[k];
        neuron_pop_free(&p->state, p->type);
        for (size_t r = 0; r < NEURON_MAX_RECEPTORS; r++)
            free(p->ring[r]);
        free(p->plan);
        free(p->lo);
        free(p->hi);
        free(p->out);
    }
    free(n->pops);
    free(n->projs);
    free(n);
}

