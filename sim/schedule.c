#include "schedule.h"

#include <stdlib.h>

#include "homeo.h"
#include "learn.h"

size_t schedule_weights(const network *n, size_t j, uint64_t *pre, uint64_t *post, double *w)
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

static size_t proj_synapses(const network *n, size_t j)
{
    size_t total = 0;
    for (int t = 0; t < n->n_threads; t++)
        total += n->projs[j].part[t].n_syn;
    return total;
}

typedef struct snap_buf {
    uint64_t *pre, *post;
    double *w;
} snap_buf;

static int snapshot(const network *n, const hs_config *c, size_t wi, snap_buf *b,
                    uint64_t step, size_t phase, const schedule_sink *ss, hs_error *err)
{
    size_t j = c->weights[wi].proj;
    size_t m = schedule_weights(n, j, b->pre, b->post, b->w);
    return ss->weights(ss->ctx, wi, b->pre, b->post, b->w, m, (double)step * c->dt_ms, phase,
                       err);
}

static int snapshot_all(const network *n, const hs_config *c, snap_buf *bufs, uint64_t step,
                        size_t phase, const schedule_sink *ss, hs_error *err)
{
    for (size_t wi = 0; ss && ss->weights && wi < c->n_weights; wi++) {
        int rc = snapshot(n, c, wi, &bufs[wi], step, phase, ss, err);
        if (rc != HS_OK)
            return rc;
    }
    return HS_OK;
}

static uint64_t steps_of(double ms, double dt)
{
    return (uint64_t)(ms / dt + 0.5);
}

/* The next step after `now` at which an interval snapshot falls, or `end`. */
static uint64_t next_stop(const hs_config *c, uint64_t now, uint64_t end)
{
    uint64_t next = end;
    for (size_t wi = 0; wi < c->n_weights; wi++) {
        uint64_t every = steps_of(c->weights[wi].interval_ms, c->dt_ms);
        if (every == 0)
            continue;
        uint64_t at = (now / every + 1) * every;
        if (at < next)
            next = at;
    }
    return next;
}

static int run_phase(sim *s, network *n, const hs_config *c, size_t k, snap_buf *bufs,
                     const sim_sink *sink, const schedule_sink *ss, hs_error *err)
{
    for (size_t j = 0; j < n->n_projs; j++)
        if (n->projs[j].learn)
            n->projs[j].learn->gain = c->phases[k].stdp_gain[j];
    int rc = homeo_phase(n, c, k, err);
    if (rc != HS_OK)
        return rc;
    if (ss && ss->phase)
        ss->phase(ss->ctx, k);
    uint64_t end = sim_step(s) + steps_of(c->phases[k].duration_ms, c->dt_ms);
    while (sim_step(s) < end) {
        uint64_t stop = next_stop(c, sim_step(s), end);
        rc = sim_run(s, stop - sim_step(s), sink, err);
        if (rc != HS_OK)
            return rc;
        for (size_t wi = 0; ss && ss->weights && wi < c->n_weights && stop < end; wi++) {
            uint64_t every = steps_of(c->weights[wi].interval_ms, c->dt_ms);
            if (every && stop % every == 0 &&
                (rc = snapshot(n, c, wi, &bufs[wi], stop, k, ss, err)) != HS_OK)
                return rc;
        }
    }
    homeo_flush(n, end);
    return snapshot_all(n, c, bufs, end, k, ss, err);
}

int schedule_run(sim *s, network *n, const hs_config *c, const sim_sink *sink,
                 const schedule_sink *ss, hs_error *err)
{
    snap_buf *bufs = calloc(c->n_weights ? c->n_weights : 1, sizeof *bufs);
    int rc = bufs ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t wi = 0; rc == HS_OK && wi < c->n_weights; wi++) {
        size_t m = proj_synapses(n, c->weights[wi].proj);
        bufs[wi].pre = malloc((m ? m : 1) * sizeof *bufs[wi].pre);
        bufs[wi].post = malloc((m ? m : 1) * sizeof *bufs[wi].post);
        bufs[wi].w = malloc((m ? m : 1) * sizeof *bufs[wi].w);
        if (!bufs[wi].pre || !bufs[wi].post || !bufs[wi].w)
            rc = hs_error_set(err, HS_ENOMEM, "out of memory for weight snapshots");
    }
    if (rc == HS_OK)
        rc = snapshot_all(n, c, bufs, sim_step(s), 0, ss, err);
    for (size_t k = 0; rc == HS_OK && k < c->n_phases; k++)
        rc = run_phase(s, n, c, k, bufs, sink, ss, err);
    for (size_t wi = 0; bufs && wi < c->n_weights; wi++) {
        free(bufs[wi].pre);
        free(bufs[wi].post);
        free(bufs[wi].w);
    }
    free(bufs);
    return rc;
}
