#include "engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../base/alloc.h"
#include "homeo.h"
#include "exchange.h"
#include "guard.h"
#include "learn.h"
#include "../base/mpi.h"
#include "../base/param.h"
#include "network_state.h"
#include "skip.h"

/* Steps per parallel region; recorders are flushed between regions. */
#define CHUNK_STEPS 2000
/* Spikes one thread emitted in a window, by (step, population); two of
 * them so a thread can fill the next window while others still read this. */
typedef struct __attribute__((aligned(64))) thread_buf {
    uint32_t *ids[2];
    size_t *off[2];         /* [window * n_pops + 1] */
    uint32_t *ahead_ids[2]; /* the same for the ahead sources, a window early */
    size_t *ahead_off[2];
    char pad0[64];          /* the counters below are written by this thread only */
    uint64_t events;        /* synaptic events this thread delivered */
    size_t *rec_n;          /* [n_pops] recorded spikes this chunk, as counted here */
    skip_count *skip;       /* [n_pops] this thread's quiet-neuron counts */
    char pad[64];           /* keeps threads' counters off one cache line */
} thread_buf;

struct sim {
    network *net;
    size_t n_pops;
    thread_buf *tb;
    int n_vps, vp0;         /* virtual processes in all, this rank's first */
    xchg x[2];              /* n_ranks > 1: the other ranks' spikes [regular, ahead] */
    hs_error xerr;          /* an exchange's failure */
    uint64_t step;
    uint64_t *spike_count;  /* [n_pops] */
    /* recorded spikes of the current chunk, per population */
    record rec;
    skip_pop *skip;         /* [n_pops] */
    const volatile sig_atomic_t *stop_flag;
    /* the flag as thread 0 saw it before a window's barrier, by parity: all
     * threads read it after that barrier and so stop after the same window */
    int stop_seen[2];
    int stopped;
    uint64_t chunk;         /* steps per parallel region: whole windows */
    sim_pause_fn pause;     /* called between regions inside a run */
    void *pause_ctx;
    /* numerical safety: the population names, and the rate ceiling's
     * window: its first step and the spike counts then */
    const hs_config *c;
    guard_rate rate;        /* the rate ceiling */
};

static int alloc_threads(sim *s)
{
    network *n = s->net;
    s->tb = aligned_alloc(64, (size_t)n->n_threads * sizeof *s->tb);
    if (!s->tb)
        return HS_ENOMEM;
    memset(s->tb, 0, (size_t)n->n_threads * sizeof *s->tb);
    for (int t = 0; t < n->n_threads; t++) {
        /* room for every own neuron firing in every step of a window, for
         * the ahead populations and the others apart */
        size_t cap[2] = {1, 1};
        for (size_t p = 0; p < n->n_pops; p++)
            cap[n->pops[p].ahead != 0] += (n->pops[p].hi[t] - n->pops[p].lo[t]) * n->window;
        s->tb[t].rec_n = hs_alloc_lines(n->n_pops * sizeof(size_t));
        s->tb[t].skip = hs_alloc_lines(n->n_pops * sizeof(skip_count));
        if (!s->tb[t].rec_n || !s->tb[t].skip)
            return HS_ENOMEM;
        size_t n_off = (size_t)n->window * n->n_pops + 1;
        for (int b = 0; b < 2; b++) {
            s->tb[t].ids[b] = hs_alloc_lines(cap[0] * sizeof(uint32_t));
            s->tb[t].off[b] = hs_alloc_lines(n_off * sizeof(size_t));
            if (!s->tb[t].ids[b] || !s->tb[t].off[b])
                return HS_ENOMEM;
            if (!n->has_ahead)
                continue;
            s->tb[t].ahead_ids[b] = hs_alloc_lines(cap[1] * sizeof(uint32_t));
            s->tb[t].ahead_off[b] = hs_alloc_lines(n_off * sizeof(size_t));
            if (!s->tb[t].ahead_ids[b] || !s->tb[t].ahead_off[b])
                return HS_ENOMEM;
        }
    }
    return HS_OK;
}

static void free_skip(sim *s)
{
    for (size_t p = 0; s->skip && p < s->n_pops; p++)
        skip_pop_free(&s->skip[p]);
    free(s->skip);
}

static int alloc_skip(sim *s)
{
    for (size_t p = 0; p < s->n_pops; p++)
        if (skip_pop_alloc(&s->skip[p], &s->net->pops[p], s->net->n_slots) != HS_OK)
            return HS_ENOMEM;
    for (size_t k = 0; k < s->rec.n_tr; k++)
        for (size_t q = 0; q < s->rec.tr[k].n_ids; q++)
            skip_pop_pin(&s->skip[s->rec.tr[k].pop], s->rec.tr[k].ids[q]);
    return HS_OK;
}

sim *sim_alloc(network *net, const hs_config *c, hs_error *err)
{
    sim *s = calloc(1, sizeof *s);
    if (!s) {
        hs_error_set(err, HS_ENOMEM, "out of memory");
        return NULL;
    }
    s->net = net;
    s->n_pops = net->n_pops;
    s->n_vps = net->n_ranks * net->n_threads;
    s->vp0 = net->rank * net->n_threads;
    /* Regions end on the window grid, so where they end (and so where a
     * run may pause for a checkpoint) never changes which spikes a window
     * delivers together. */
    s->chunk = CHUNK_STEPS < net->window ? net->window
                                         : CHUNK_STEPS / net->window * net->window;
    s->c = c;
    s->skip = calloc(net->n_pops, sizeof *s->skip);
    s->spike_count = calloc(net->n_pops, sizeof *s->spike_count);
    if (!s->skip || guard_rate_init(&s->rate, c) != HS_OK || !s->spike_count ||
        alloc_threads(s) != HS_OK ||
        record_alloc(&s->rec, net, c, s->chunk) != HS_OK ||
        (c->skip_quiet && alloc_skip(s) != HS_OK) ||
        (net->n_ranks > 1 && (xchg_alloc(&s->x[0], net, 0) != HS_OK ||
                              (net->has_ahead && xchg_alloc(&s->x[1], net, 1) != HS_OK)))) {
        sim_free(s);
        hs_error_set(err, HS_ENOMEM, "out of memory for the run buffers");
        return NULL;
    }
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    for (int t = 0; s->tb && t < s->net->n_threads; t++) {
        for (int b = 0; b < 2; b++) {
            free(s->tb[t].ids[b]);
            free(s->tb[t].off[b]);
            free(s->tb[t].ahead_ids[b]);
            free(s->tb[t].ahead_off[b]);
        }
        free(s->tb[t].rec_n);
        free(s->tb[t].skip);
    }
    free(s->tb);
    xchg_free(&s->x[0]);
    xchg_free(&s->x[1]);
    record_free(&s->rec);
    free(s->spike_count);
    free_skip(s);
    guard_rate_free(&s->rate);
    free(s);
}

/* Brings dormant blocks up to the current step, so the state is current
 * between runs. */
static void sync_dormant(sim *s)
{
    for (size_t p = 0; p < s->n_pops; p++)
        skip_pop_sync(&s->skip[p], &s->net->pops[p], s->step);
}

/* Thread t advances its neurons of the populations with ahead == which
 * through steps [t0, t0 + w); their spikes go to ids/off. */
static void update_pops(sim *s, int t, uint64_t t0, uint32_t w, uint64_t chunk0, int which,
                        uint32_t *ids, size_t *off)
{
    network *n = s->net;
    thread_buf *b = &s->tb[t];
    size_t at = 0;
    for (uint32_t k = 0; k < w; k++) {
        uint64_t step = t0 + k;
        size_t slot = (size_t)(step % n->n_slots);
        for (size_t p = 0; p < n->n_pops; p++) {
            net_pop *pp = &n->pops[p];
            off[k * n->n_pops + p] = at;
            if (pp->ahead != which)
                continue;
            double *rx[NEURON_MAX_RECEPTORS];
            for (size_t r = 0; r < pp->type->n_receptors; r++)
                rx[r] = pp->ring[r] + slot * pp->state.n_alloc;
            at += skip_pop_update(&s->skip[p], pp, pp->lo[t], pp->hi[t], step, slot, rx,
                                  ids + at, &b->skip[p]);
            record_traces_sample(&s->rec, n, t, p, step, chunk0);
        }
    }
    off[(size_t)w * n->n_pops] = at;
}

/* Rows of a step's spikes sit at random places: fetch the next spikes'
 * rows and first synapses while this one is delivered. */
#define PREFETCH_AHEAD 4

/* Marks the blocks that the synapses [a, e) reach as having input then,
 * dormant or not: a block may go dormant before the input arrives. */
static void mark_pending(skip_pop *k, size_t sl, const net_syn *syn, uint64_t a, uint64_t e)
{
    for (uint64_t q = a; q < e; q++)
        skip_pop_mark(k, sl, syn[q].post);
}

static uint64_t deliver_spikes(const sim *s, const net_proj *pj, int t,
                               const uint32_t *ids, size_t m, uint64_t step)
{
    const network *n = s->net;
    /* Only dormant blocks take marks, and only this thread activates or idles
     * its blocks: with none dormant there is nothing to mark. */
    skip_pop *kp = s->tb[t].skip[pj->post].dormant ? &s->skip[pj->post] : NULL;
    const net_part *pt = &pj->part[t];
    const net_pop *post = &n->pops[pj->post];
    double *ring = post->ring[pj->receptor];
    size_t stride = post->state.n_alloc;
    double g = pj->gain;
    uint64_t events = 0;
    for (size_t q = 0; q < m && q < PREFETCH_AHEAD; q++)
        __builtin_prefetch(&pt->row[ids[q]]);
    for (size_t q = 0; q < m; q++) {
        if (q + PREFETCH_AHEAD < m)
            __builtin_prefetch(&pt->row[ids[q + PREFETCH_AHEAD]]);
        if (q + 1 < m)
            __builtin_prefetch(&pt->syn[pt->row[ids[q + 1]]]);
        uint64_t a = pt->row[ids[q]], e = pt->row[ids[q] + 1];
        const net_syn *syn = pt->syn;
        events += e - a;
        if (pj->const_delay) {
            size_t sl = (size_t)((step + pj->const_delay) % n->n_slots);
            double *slot = ring + sl * stride;
            for (uint64_t k = a; k < e; k++)
                slot[syn[k].post] += g * syn[k].weight;
            if (kp)
                mark_pending(kp, sl, syn, a, e);
        } else {
            for (uint64_t k = a; k < e; k++) {
                size_t sl = (size_t)((step + pt->delay[k]) % n->n_slots);
                ring[sl * stride + syn[k].post] += g * syn[k].weight;
                if (kp)
                    skip_pop_mark(kp, sl, syn[k].post);
            }
        }
    }
    return events;
}

/* Transmission of m spikes through projection pj, learning if it is plastic. */
static uint64_t deliver(const sim *s, net_proj *pj, int t, const uint32_t *ids, size_t m,
                        uint64_t step)
{
    if (!pj->learn)
        return deliver_spikes(s, pj, t, ids, m, step);
    skip_pop *kp = s->tb[t].skip[pj->post].dormant ? &s->skip[pj->post] : NULL;
    return learn_deliver(s->net, pj, t, ids, m, step, kp);
}

/* The spikes virtual process u emitted in window step k from population p:
 * this rank's threads' from their buffers, the others' as exchanged. */
static const uint32_t *spikes_of(const sim *s, int u, int par, uint32_t k, size_t p,
                                 size_t *m)
{
    size_t at = (size_t)k * s->n_pops + p;
    if (u < s->vp0 || u >= s->vp0 + s->net->n_threads)
        return xchg_spikes(&s->x[s->net->pops[p].ahead != 0], s->net, u, at, m);
    const thread_buf *b = &s->tb[u - s->vp0];
    const size_t *off = s->net->pops[p].ahead ? b->ahead_off[par] : b->off[par];
    const uint32_t *ids = s->net->pops[p].ahead ? b->ahead_ids[par] : b->ids[par];
    *m = off[at + 1] - off[at];
    return ids + off[at];
}

/* After a step's spikes are delivered, the postsynaptic side of learning:
 * thread t's own neurons that spiked in it potentiate their plastic inputs
 * and count for homeostasis; then the homeostatic turns of the step. */
static void learn_own_spikes(sim *s, int t, int par, uint32_t k, uint64_t step)
{
    network *n = s->net;
    for (size_t j = 0; j < n->n_projs; j++) {
        net_proj *pj = &n->projs[j];
        if (!pj->learn && !pj->homeo)
            continue;
        size_t m;
        const uint32_t *ids = spikes_of(s, s->vp0 + t, par, k, pj->post, &m);
        if (m && pj->learn)
            learn_post(n, pj, t, ids, m, step);
        if (m && pj->homeo)
            homeo_count(pj, ids, m);
    }
    homeo_step(n, t, step);
}

/* Thread t reads every virtual process's spikes of the window of the populations
 * with ahead == which in canonical order (step, population, id) and
 * delivers those that reach its own targets, projection by projection: two
 * projections onto the same receptor then add up in the same order for any
 * thread count. A window's ahead spikes are added before its others, so a
 * ring slot may sum them in another order than a step-by-step run would
 * (the same for any thread count). Thread 0 also records. Every thread
 * counts the recorded spikes, so all agree on when a chunk is full. */
static void deliver_pops(sim *s, int t, uint64_t t0, uint32_t w, int par, size_t *rec_n,
                         int which)
{
    network *n = s->net;
    for (uint32_t k = 0; k < w; k++) {
        for (size_t p = 0; p < n->n_pops; p++) {
            const net_pop *pp = &n->pops[p];
            if (pp->ahead != which)
                continue;
            for (size_t o = 0; o < pp->n_out; o++)
                for (int u = 0; u < s->n_vps; u++) {
                    size_t m;
                    const uint32_t *ids = spikes_of(s, u, par, k, p, &m);
                    if (m)
                        s->tb[t].events += deliver(s, &n->projs[pp->out[o]], t, ids, m,
                                                   t0 + k);
                }
            for (int u = 0; u < s->n_vps; u++) {
                size_t m;
                const uint32_t *ids = spikes_of(s, u, par, k, p, &m);
                if (t == 0) {
                    s->spike_count[p] += m;
                    if (pp->record)
                        record_spikes_put(&s->rec, p, rec_n[p], ids, m,
                                          (double)(t0 + k + 1) * n->dt);
                }
                if (pp->record)
                    rec_n[p] += m;
            }
        }
        if (!which)
            learn_own_spikes(s, t, par, k, t0 + k);
    }
}

/* Thread 0, between two barriers: every rank's spikes of the window (one
 * Allgatherv), so that each thread then reads all virtual processes in
 * order. Returns the ranks' stop flags ORed; a failure (the same on every
 * rank: the counts are shared) stops the run with s->xerr. */
static int exchange(sim *s, int par, uint32_t w, int which, int stop)
{
    xchg *x = &s->x[which];
    for (int t = 0; t < s->net->n_threads; t++) {
        x->loc_off[t] = which ? s->tb[t].ahead_off[par] : s->tb[t].off[par];
        x->loc_ids[t] = which ? s->tb[t].ahead_ids[par] : s->tb[t].ids[par];
    }
    stop = stop || s->xerr.code;
    return xchg_run(x, s->net, w, &stop, &s->xerr) != HS_OK || stop;
}

/* One parallel region: windows from s->step until end or until a record
 * buffer could overflow. Returns HS_EINTERNAL if OpenMP gave a smaller
 * team than the network was built for (OMP_THREAD_LIMIT, nesting): every
 * thread then sees it and does nothing. */
static int run_chunk(sim *s, uint64_t end)
{
    network *n = s->net;
    uint64_t start = s->step;
    int team = n->n_threads;
#pragma omp parallel num_threads(n->n_threads)
    {
        int t = omp_get_thread_num();
        if (omp_get_num_threads() != n->n_threads) {
#pragma omp single
            team = omp_get_num_threads();
        }
        if (team != n->n_threads)
            goto done;
        size_t *rec_n = s->tb[t].rec_n;
        memset(rec_n, 0, s->n_pops * sizeof *rec_n);
        uint64_t t0 = start;
        int par = 0, stop = 0;
        while (t0 < end && !stop) {
            uint32_t w = end - t0 < n->window ? (uint32_t)(end - t0) : n->window;
            if (n->has_ahead) {
                /* the sources first: their spikes reach the window's targets in time */
                update_pops(s, t, t0, w, start, 1, s->tb[t].ahead_ids[par],
                            s->tb[t].ahead_off[par]);
#pragma omp barrier
                if (n->n_ranks > 1) {
                    if (t == 0)
                        exchange(s, par, w, 1, 0);
#pragma omp barrier
                }
                deliver_pops(s, t, t0, w, par, rec_n, 1);
            }
            update_pops(s, t, t0, w, start, 0, s->tb[t].ids[par], s->tb[t].off[par]);
            if (t == 0)
                s->stop_seen[par] = s->stop_flag && *s->stop_flag;
#pragma omp barrier
            if (n->n_ranks > 1) {
                if (t == 0)
                    s->stop_seen[par] = exchange(s, par, w, 0, s->stop_seen[par]);
#pragma omp barrier
            }
            stop = s->stop_seen[par];
            deliver_pops(s, t, t0, w, par, rec_n, 0);
            t0 += w;
            par ^= 1;
            if (record_full(&s->rec, n, rec_n))
                break;
        }
        if (t == 0) {
            s->step = t0;
            s->stopped = stop;
            memcpy(s->rec.n, rec_n, s->n_pops * sizeof *rec_n);
        }
    done:;
    }
    return team == n->n_threads ? HS_OK : HS_EINTERNAL;
}

int sim_run(sim *s, uint64_t n_steps, const sim_sink *sink, hs_error *err)
{
    uint64_t end = s->step + n_steps;
    double end_ms = (double)end * s->net->dt;
    while (s->step < end) {
        uint64_t chunk0 = s->step;
        uint64_t stop = end - chunk0 < s->chunk ? end : chunk0 + s->chunk;
        int rc = run_chunk(s, stop);
        if (rc != HS_OK)
            hs_error_set(err, rc, "OpenMP ran fewer threads than the %d asked for "
                         "(OMP_THREAD_LIMIT or nested parallelism?)", s->net->n_threads);
        if (rc == HS_OK && s->xerr.code)
            *err = s->xerr;
        rc = rc == HS_OK ? s->xerr.code : rc;
        if (rc == HS_OK)
            rc = record_flush(&s->rec, s->net, chunk0, s->step, sink, err);
        if (rc == HS_OK)
            rc = guard_finite(s->net, s->c, chunk0, s->step, err);
        if (rc == HS_OK)
            rc = guard_rate_check(&s->rate, s->net, s->c, s->spike_count, s->step, err);
        /* a rank that fails alone would leave the others waiting */
        if ((rc = hs_mpi_agree(rc, err)) != HS_OK)
            return rc;
        /* Dormant blocks are not brought up to date: the state stays
         * exactly as an uninterrupted run has it, for a checkpoint. */
        if (s->stopped)
            return hs_error_set(err, HS_EINTERRUPTED, "interrupted at %.1f ms",
                                (double)s->step * s->net->dt);
        if (sink && sink->progress)
            sink->progress(sink->ctx, (double)s->step * s->net->dt, end_ms);
        if (s->pause && s->step < end && (rc = s->pause(s->pause_ctx, err)) != HS_OK)
            return rc;
    }
    sync_dormant(s);
    return HS_OK;
}

void sim_set_pause(sim *s, sim_pause_fn fn, void *ctx)
{
    s->pause = fn;
    s->pause_ctx = ctx;
}

void sim_set_stop_flag(sim *s, const volatile sig_atomic_t *flag)
{
    s->stop_flag = flag;
}

void sim_skip_stats(const sim *s, uint64_t *skipped, uint64_t *total)
{
    *skipped = *total = 0;
    for (int t = 0; t < s->net->n_threads; t++)
        for (size_t p = 0; p < s->n_pops; p++) {
            *skipped += s->tb[t].skip[p].skipped;
            *total += s->tb[t].skip[p].blocks;
        }
}

void sim_seek(sim *s, uint64_t step)
{
    /* Before the first run every block is active and the rings are empty,
     * so only the clock moves. */
    s->step = step;
    s->rate.t0 = step;
}

void sim_pop_replanned(sim *s, size_t p)
{
    skip_pop_sync(&s->skip[p], &s->net->pops[p], s->step);
    skip_pop_wake_all(&s->skip[p]);
    for (int t = 0; t < s->net->n_threads; t++)
        s->tb[t].skip[p].dormant = 0;
}

uint64_t sim_step(const sim *s)
{
    return s->step;
}

uint64_t sim_events(const sim *s)
{
    uint64_t e = 0;
    for (int t = 0; t < s->net->n_threads; t++)
        e += s->tb[t].events;
    return e;
}

void sim_exchange_stats(const sim *s, uint64_t *calls, uint64_t *bytes, double *seconds)
{
    *calls = s->x[0].calls + s->x[1].calls;
    *bytes = 4 * (s->x[0].sent + s->x[1].sent);
    *seconds = s->x[0].secs + s->x[1].secs;
}

uint64_t sim_spike_count(const sim *s, size_t pop)
{
    return s->spike_count[pop];
}

int sim_state_visit(sim *s, const state_io *io, hs_error *err)
{
    uint64_t events = sim_events(s);
    int rc = state_array(io, STATE_U64, &s->step, 1, err, "sim/step");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, s->spike_count, s->n_pops, err, "sim/spike_count");
    state_part sum = {.spread = STATE_SUM};
    if (rc == HS_OK)
        rc = state_array_part(io, &sum, STATE_U64, &events, 1, err, "sim/events");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, &s->rate.t0, 1, err, "sim/rate_t0");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, s->rate.count0, s->n_pops, err, "sim/rate_count0");
    for (size_t p = 0; rc == HS_OK && p < s->n_pops; p++) {
        skip_pop *k = &s->skip[p];
        if (!k->active)
            continue;
        state_part part = network_state_part_blocks(s->net, p, SKIP_BLOCK, k->n_blocks);
        rc = state_array_part(io, &part, STATE_U8, k->active, k->n_blocks, err,
                              "sim/skip%zu/active", p);
        if (rc == HS_OK)
            rc = state_array_part(io, &part, STATE_U64, k->since, k->n_blocks, err,
                                  "sim/skip%zu/since", p);
        if (rc == HS_OK)
            rc = state_array_part(io, &part, STATE_U8, k->pending,
                                  (size_t)k->n_slots * k->n_blocks, err, "sim/skip%zu/pending", p);
        if (rc == HS_OK)
            rc = state_array_part(io, &part, STATE_U8, k->activated, k->n_blocks, err,
                                  "sim/skip%zu/activated", p);
    }
    if (rc != HS_OK || !io->loading)
        return rc;
    /* Loaded: each thread's counts of its own dormant blocks, anew. */
    for (int t = 0; t < s->net->n_threads; t++) {
        s->tb[t].events = t == 0 ? events : 0;
        for (size_t p = 0; p < s->n_pops; p++) {
            const skip_pop *k = &s->skip[p];
            const net_pop *pp = &s->net->pops[p];
            s->tb[t].skip[p].dormant = 0;
            for (size_t b = pp->lo[t] / SKIP_BLOCK; k->active && b * SKIP_BLOCK < pp->hi[t]; b++)
                s->tb[t].skip[p].dormant += !k->active[b];
        }
    }
    return HS_OK;
}
