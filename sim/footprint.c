/* footprint.c: the memory estimate of footprint.h, mirroring the
 * allocations of network_build (network.c, connect.c, learn.c, homeo.c)
 * and sim_alloc (engine.c). */
#include "footprint.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../task/maze.h"
#include "../base/rng.h"
#include "skip.h"

#define BYTES_PER_SAMPLE 46.0   /* track_traj (22), run times (8), /behavior x, y (16) */
#define BUILD_BYTES_PER_SYN 18.0 /* connect.c's syn_list: pre, post, weight, delay */
#define TRACE_CHUNK_STEPS 2000.0 /* engine.c's CHUNK_STEPS */

/* The delay steps a distribution can draw, as connect.c rounds them. */
static double delay_steps(double ms, double dt)
{
    double s = round(ms / dt);
    return s < 1 ? 1 : s > HS_MAX_DELAY_STEPS ? HS_MAX_DELAY_STEPS : s;
}

static void delay_bounds(const hs_dist *d, double dt, double *lo, double *hi)
{
    if (d->kind == HS_DIST_CONSTANT) {
        *lo = *hi = delay_steps(d->value, dt);
        return;
    }
    *lo = delay_steps(d->low, dt);
    *hi = delay_steps(d->high, dt);
}

/* 1 when population k's spikes are read a window ahead (connect_all). */
static int pop_ahead(const hs_config *c, size_t k)
{
    if (!c->pops[k].model->is_source)
        return 0;
    for (size_t j = 0; j < c->n_projs; j++)
        if (c->projs[j].pre == k && (c->projs[j].plast.rule || c->projs[j].n_homeo))
            return 0;
    return 1;
}

/* The exchange window and the ring's slots, in steps. */
static void window_slots(const hs_config *c, double *window, double *slots)
{
    double wmin = INFINITY, dmax = 1, dmax_ahead = 0;
    for (size_t j = 0; j < c->n_projs; j++) {
        const hs_proj_config *pc = &c->projs[j];
        double lo, hi;
        delay_bounds(&pc->delay_ms, c->dt_ms, &lo, &hi);
        if (pop_ahead(c, pc->pre)) {
            dmax_ahead = fmax(dmax_ahead, hi);
        } else {
            wmin = fmin(wmin, lo);
            dmax = fmax(dmax, hi);
        }
    }
    *window = isinf(wmin) ? 10 : wmin;
    *slots = fmax(dmax, *window + dmax_ahead);
}

static double expected_synapses(const hs_proj_config *pc, double n_pre, double n_post)
{
    double self = pc->pre == pc->post && !pc->autapses ? 1 : 0;
    switch (pc->rule) {
    case HS_CONN_FIXED_PROBABILITY:
        return pc->p * (n_pre - self) * n_post;
    case HS_CONN_FIXED_INDEGREE:
        return (double)pc->indegree * n_post;
    case HS_CONN_ONE_TO_ONE:
        return n_post;
    case HS_CONN_ALL_TO_ALL:
    default:
        return (n_pre - self) * n_post;
    }
}

static void part_take(footprint *f, const footprint_part *p)
{
    f->bytes += p->bytes;
    if (p->bytes > f->top.bytes)
        f->top = *p;
}

static double pop_bytes(const hs_config *c, size_t k, int n_threads, double window,
                        double slots)
{
    const hs_pop_config *pc = &c->pops[k];
    const neuron_type *t = pc->model;
    double n = (double)pc->size;
    double n_alloc = ceil(n / NEURON_BLOCK) * NEURON_BLOCK;
    double b = n_alloc * ((double)t->n_state * 8 + 4);               /* state, refr */
    b += (double)t->n_receptors * slots * n_alloc * 8;                /* rings */
    if (t->is_source)                                                 /* generators */
        b += n_alloc * (sizeof(rng_state) + 17) + (double)pc->n_spikes * 32;
    b += 2 * n * window * 4 + (double)n_threads * 2 * window * 8;     /* spike buffers */
    if (pc->record_spikes)
        b += fmax(65536, 4 * n * window) * 16;                       /* recorder */
    if (c->skip_quiet)
        b += n_alloc / SKIP_BLOCK * (slots + 11);
    return b;
}

static double proj_bytes(const hs_config *c, const hs_proj_config *pc, int n_threads,
                         double *n_syn)
{
    double n_pre = (double)c->pops[pc->pre].size, n_post = (double)c->pops[pc->post].size;
    double per = 8;
    if (pc->delay_ms.kind != HS_DIST_CONSTANT)
        per += 2;
    if (pc->plast.rule)
        per += 4 + (n_pre <= 65536 ? 2 : 4);
    else if (pc->n_homeo)
        per += 4;
    *n_syn = expected_synapses(pc, n_pre, n_post);
    double b = *n_syn * per + (double)n_threads * (n_pre + 1) * 4;
    if (pc->plast.rule || pc->n_homeo)
        b += (n_post + n_threads) * 4;
    if (pc->plast.rule)
        b += ((double)n_threads * n_pre * (double)(pc->plast.rule->n_pre + 1) +
              n_post * (double)(pc->plast.rule->n_post + 1)) * 8;
    b += (double)pc->n_homeo * n_post * 24;
    return b;
}

/* Trajectory samples at 1 ms: a lap takes its length at the running speed,
 * the slowing zones at its ends ln(5)/0.8 times longer (track_gait_speed),
 * then its pause. */
static double task_samples(const hs_task_config *t)
{
    if (!t->present)
        return 0;
    if (t->csv_n)
        return (t->csv_t_s[t->csv_n - 1] - t->csv_t_s[0]) * 1e3 + 1;
    int linear = t->kind == TRACK_LINEAR;
    double len = linear ? t->linear.length_cm : maze_length(&t->maze);
    double laps = linear ? t->linear.laps : t->maze.laps;
    double speed = linear ? t->linear.speed_cm_s : t->maze.speed_cm_s;
    double ramp = fmin(linear ? t->linear.ramp_cm : t->maze.ramp_cm, len / 2);
    double pause = linear ? t->linear.pause_s : t->maze.pause_s;
    double run_s = (len - 2 * ramp + 2 * ramp * log(5.0) / 0.8) / speed;
    return laps * ((run_s + pause) * 1e3 + 1);
}

void footprint_estimate(const hs_config *c, int n_threads, footprint *f)
{
    memset(f, 0, sizeof *f);
    double window, slots;
    window_slots(c, &window, &slots);
    for (size_t k = 0; k < c->n_pops; k++) {
        footprint_part p = {.loc = c->pops[k].loc, .count = (double)c->pops[k].size,
                            .noun = "neurons",
                            .bytes = pop_bytes(c, k, n_threads, window, slots)};
        snprintf(p.path, sizeof p.path, "populations.%s", c->pops[k].name);
        part_take(f, &p);
    }
    double build = 0;
    for (size_t j = 0; j < c->n_projs; j++) {
        const hs_proj_config *pc = &c->projs[j];
        footprint_part p = {.loc = pc->loc, .noun = "synapses"};
        p.bytes = proj_bytes(c, pc, n_threads, &p.count);
        snprintf(p.path, sizeof p.path, "projections.%s", pc->name);
        part_take(f, &p);
        double n_pre = (double)c->pops[pc->pre].size;
        build = fmax(build, p.count * BUILD_BYTES_PER_SYN + n_threads * n_pre * 5);
    }
    f->build = build;
    f->bytes += build;
    for (size_t k = 0; k < c->n_traces; k++) {
        const hs_trace_config *tc = &c->traces[k];
        double every = fmax(1, round(tc->interval_ms / c->dt_ms));
        footprint_part p = {.loc = tc->loc, .count = (double)tc->n_ids, .noun = "recorded ids"};
        p.bytes = (floor(TRACE_CHUNK_STEPS / every) + 2) * (double)tc->n_ids * 4;
        snprintf(p.path, sizeof p.path, "recording.traces.%s", c->pops[tc->pop].name);
        part_take(f, &p);
    }
    footprint_part task = {.path = "task", .loc = c->task.loc, .noun = "trajectory samples"};
    task.count = task_samples(&c->task);
    task.bytes = task.count * BYTES_PER_SAMPLE;
    part_take(f, &task);
}

/* "1.5 GB": powers of 1000, as free -h and the kernel's MemTotal read. */
static const char *bytes_text(double b, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    if (b >= 1e21) {               /* past EB, plain bytes read better than 1e+286 EB */
        snprintf(buf, size, "%.3g bytes", fmin(b, DBL_MAX));
        return buf;
    }
    size_t u = 0;
    while (b >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
        b /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%.0f %s", b, units[u]);
    else
        snprintf(buf, size, "%.3g %s", b, units[u]);
    return buf;
}

int footprint_check(const footprint *f, const hs_config *c, double limit, hs_error *err)
{
    if (limit <= 0 || f->bytes <= limit)
        return HS_OK;
    char need[32], have[32], part[32];
    const footprint_part *p = &f->top;
    return hs_error_at(err, HS_EINPUT, c->path, p->loc.line, p->loc.col,
                       "%s: the run would need about %s of memory, more than the %s this "
                       "machine has; %s alone: %.3g %s, %s", p->path,
                       bytes_text(f->bytes, need, sizeof need),
                       bytes_text(limit, have, sizeof have), p->path, p->count, p->noun,
                       bytes_text(p->bytes, part, sizeof part));
}
