#include "schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../replay/drive.h"
#include "homeo.h"
#include "learn.h"
#include "weights.h"
#include "../base/mpi.h"
#include "../base/rng.h"

static int snapshot(const network *n, const hs_config *c, size_t wi, weights_snap *b,
                    uint64_t step, size_t phase, const schedule_sink *ss, hs_error *err)
{
    size_t j = c->weights[wi].proj, m;
    int rc = weights_snap_take(n, j, b, &m, err);
    if (rc == HS_OK)
        rc = ss->weights(ss->ctx, wi, b->pre, b->post, b->w, m, (double)step * c->dt_ms, phase,
                         err);
    /* rank 0 alone writes: the others must hear of its failure */
    return hs_mpi_agree(rc, err);
}

static int snapshot_all(const network *n, const hs_config *c, weights_snap *bufs, uint64_t step,
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

/* What the running phases carry from one to the next. */
typedef struct sched_state {
    double *params;     /* [n_pops * HS_MAX_PARAMS]: the parameters each plan was built from */
    drive *drives;      /* [n_pops]: this phase's drives */
    double path_ms;     /* trajectory time reached */
    schedule_pos pos;   /* where the run stands, for checkpoints */
    sim *s;
    const schedule_sink *ss;
    uint64_t next_ckpt; /* the step from which the next checkpoint is due */
} sched_state;

static int checkpoint_now(sched_state *st, hs_error *err)
{
    uint64_t every = st->ss->checkpoint_every, now = sim_step(st->s);
    st->next_ckpt = (now / every + 1) * every;
    return st->ss->checkpoint(st->ss->ctx, &st->pos, err);
}

static int pause_hook(void *ctx, hs_error *err)
{
    sched_state *st = ctx;
    return sim_step(st->s) >= st->next_ckpt ? checkpoint_now(st, err) : HS_OK;
}

static neuron_rat rat_of(const char *stage)
{
    return strcmp(stage, "wake") == 0   ? NEURON_RAT_RUNS
           : strcmp(stage, "rest") == 0 ? NEURON_RAT_STILL
                                        : NEURON_RAT_AWAY;
}

typedef int (*up_states_fn)(void *ctx, size_t k, size_t pop, const double *start_ms,
                            const double *stop_ms, size_t n, hs_error *err);

static int up_states_report(const drive *d, size_t k, size_t p, up_states_fn report,
                            void *ctx, hs_error *err)
{
    size_t n = drive_up_states(d, NULL, NULL, 0);
    if (!n || !report)
        return HS_OK;
    double *t0 = malloc(n * sizeof *t0), *t1 = malloc(n * sizeof *t1);
    int rc = t0 && t1 ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory for %zu up "
                                             "states", n);
    if (rc == HS_OK) {
        drive_up_states(d, t0, t1, n);
        rc = report(ctx, k, p, t0, t1, n, err);
    }
    free(t0);
    free(t1);
    return rc;
}

/* Sets phase k's gains, parameters, drives and task on the network. Again
 * (resuming): the weights are not shuffled, for they are loaded later, and
 * the up states go to ss->up_states_past. */
static int phase_begin(sim *s, network *n, const hs_config *c, size_t k, sched_state *st,
                       const schedule_sink *ss, int again, hs_error *err)
{
    const hs_phase_config *ph = &c->phases[k];
    uint64_t step = sim_step(s), steps = steps_of(ph->duration_ms, c->dt_ms);
    st->pos.phase = k;
    st->pos.phase_start = step;
    st->pos.path_ms = st->path_ms;
    for (size_t j = 0; j < n->n_projs; j++) {
        n->projs[j].gain = ph->transmission[j];
        if (n->projs[j].learn)
            n->projs[j].learn->gain = ph->stdp_gain[j];
        int rc = ph->shuffle[j] && !again ? weights_shuffle(n, j, k, err) : HS_OK;
        if (rc != HS_OK)
            return rc;
    }
    int rc = HS_OK;
    for (size_t p = 0; rc == HS_OK && p < n->n_pops; p++) {
        net_pop *pp = &n->pops[p];
        const double *want = ph->pop_params + p * HS_MAX_PARAMS;
        double *have = st->params + p * HS_MAX_PARAMS;
        if (memcmp(want, have, HS_MAX_PARAMS * sizeof *want) != 0) {
            hs_error perr;
            hs_error_clear(&perr);
            rc = pp->type->plan_init(pp->plan, want, c->dt_ms, &perr);
            if (rc != HS_OK) {
                hs_error_set(err, rc, "phase %s, population %s: %s", ph->name, c->pops[p].name,
                             perr.msg);
                break;
            }
            memcpy(have, want, HS_MAX_PARAMS * sizeof *want);
            sim_pop_replanned(s, p);
        }
        drive_free(&st->drives[p]);
        rc = drive_init(&st->drives[p], &ph->drive[p], c->dt_ms, step, steps, n->seed,
                            (uint32_t)k, (uint32_t)p, err);
        if (rc == HS_OK)
            rc = up_states_report(&st->drives[p], k, p,
                                  again && ss ? ss->up_states_past : ss ? ss->up_states : NULL,
                                  ss ? ss->ctx : NULL, err);
        if (rc != HS_OK)
            break;
        if (pp->type->control) {
            neuron_control ctl = {
                .step = step,
                .level = ph->drive[p].kind != DRIVE_NONE ? drive_level : NULL,
                .level_ctx = &st->drives[p],
                .rat = rat_of(ph->stage),
                .path_ms = st->path_ms,
            };
            pp->type->control(pp->plan, &pp->state, &ctl);
        }
    }
    /* rank 0 alone records up states: a failure there stops every rank */
    if ((rc = hs_mpi_agree(rc, err)) != HS_OK)
        return rc;
    if (rat_of(ph->stage) == NEURON_RAT_RUNS)
        st->path_ms += (double)steps * c->dt_ms;
    return homeo_phase(n, c, k, err);
}

/* The run interrupted: a checkpoint where it stopped, if they are on. */
static int interrupted(sched_state *st, hs_error *err)
{
    if (!st->ss || !st->ss->checkpoint || !st->ss->checkpoint_every)
        return HS_EINTERRUPTED;
    hs_error cerr;
    hs_error_clear(&cerr);
    if (checkpoint_now(st, &cerr) == HS_OK)
        return HS_EINTERRUPTED;
    *err = cerr;
    return cerr.code;
}

/* Runs phase k; resumed (resumed_stop > 0) it was set up again and its
 * first stretch goes to resumed_stop. */
static int run_phase(sim *s, network *n, const hs_config *c, size_t k, weights_snap *bufs,
                     sched_state *st, uint64_t resumed_stop, const sim_sink *sink,
                     const schedule_sink *ss, hs_error *err)
{
    int rc = resumed_stop ? HS_OK : phase_begin(s, n, c, k, st, ss, 0, err);
    if (rc != HS_OK)
        return rc;
    if (ss && ss->phase)
        ss->phase(ss->ctx, k);
    uint64_t end = st->pos.phase_start + steps_of(c->phases[k].duration_ms, c->dt_ms);
    while (resumed_stop || sim_step(s) < end) {
        uint64_t stop = resumed_stop ? resumed_stop : next_stop(c, sim_step(s), end);
        resumed_stop = 0;
        st->pos.seg_stop = stop;
        rc = sim_run(s, stop - sim_step(s), sink, err);
        if (rc == HS_EINTERRUPTED)
            return interrupted(st, err);
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

double schedule_path_run_ms(const hs_config *c, double path_ms)
{
    /* counted in steps, as the phases and the place cells' clock are */
    uint64_t run = 0, path = 0;
    for (size_t k = 0; k < c->n_phases; k++) {
        uint64_t d = steps_of(c->phases[k].duration_ms, c->dt_ms);
        if (rat_of(c->phases[k].stage) == NEURON_RAT_RUNS) {
            if (path_ms < (double)(path + d) * c->dt_ms)
                return (double)run * c->dt_ms + (path_ms - (double)path * c->dt_ms);
            path += d;
        }
        run += d;
    }
    return NAN;
}

/* Rebuilds each plan from the parameters of params that differ from the
 * config's (a phase changed them), so that phase k can be set up again. */
static int replan_from(network *n, const hs_config *c, const double *params, hs_error *err)
{
    for (size_t p = 0; p < n->n_pops; p++) {
        const double *want = params + p * HS_MAX_PARAMS;
        if (memcmp(want, c->pops[p].params, HS_MAX_PARAMS * sizeof *want) == 0)
            continue;
        hs_error perr;
        hs_error_clear(&perr);
        if (n->pops[p].type->plan_init(n->pops[p].plan, want, c->dt_ms, &perr) != HS_OK)
            return hs_error_set(err, HS_EINPUT, "population %s: %s", c->pops[p].name,
                                perr.msg);
    }
    return HS_OK;
}

/* The phases before k of a resumed run: their up states told again. */
static int past_up_states(network *n, const hs_config *c, size_t k, const schedule_sink *ss,
                          hs_error *err)
{
    uint64_t step = 0;
    int rc = HS_OK;
    for (size_t q = 0; rc == HS_OK && q < k; q++) {
        const hs_phase_config *ph = &c->phases[q];
        uint64_t steps = steps_of(ph->duration_ms, c->dt_ms);
        for (size_t p = 0; rc == HS_OK && p < n->n_pops && ss && ss->up_states_past; p++) {
            drive d = {0};
            rc = drive_init(&d, &ph->drive[p], c->dt_ms, step, steps, n->seed, (uint32_t)q,
                            (uint32_t)p, err);
            if (rc == HS_OK)
                rc = up_states_report(&d, q, p, ss->up_states_past, ss->ctx, err);
            drive_free(&d);
        }
        step += steps;
    }
    return rc;
}

static int schedule_go(sim *s, network *n, const hs_config *c, const schedule_pos *from,
                       int (*load)(void *ctx, hs_error *err), void *load_ctx,
                       const sim_sink *sink, const schedule_sink *ss, hs_error *err)
{
    weights_snap *bufs = calloc(c->n_weights ? c->n_weights : 1, sizeof *bufs);
    sched_state st = {
        .params = malloc((n->n_pops ? n->n_pops : 1) * HS_MAX_PARAMS * sizeof *st.params),
        .drives = calloc(n->n_pops ? n->n_pops : 1, sizeof *st.drives),
        .s = s,
        .ss = ss,
    };
    st.pos.params = st.params;
    int rc = bufs && st.params && st.drives ? HS_OK : hs_error_set(err, HS_ENOMEM,
                                                                   "out of memory");
    for (size_t p = 0; rc == HS_OK && p < n->n_pops; p++)
        memcpy(st.params + p * HS_MAX_PARAMS,
               from ? from->params + p * HS_MAX_PARAMS : c->pops[p].params,
               sizeof c->pops[p].params);
    for (size_t wi = 0; rc == HS_OK && wi < c->n_weights; wi++)
        rc = weights_snap_alloc(&bufs[wi], n, c->weights[wi].proj, err);
    if (ss && ss->checkpoint && ss->checkpoint_every) {
        st.next_ckpt = ss->checkpoint_every;
        sim_set_pause(s, pause_hook, &st);
    }
    size_t k0 = 0;
    if (rc == HS_OK && from) {
        /* the phase as it started, then the state as it was saved */
        k0 = from->phase;
        st.path_ms = from->path_ms;
        sim_seek(s, from->phase_start);
        rc = replan_from(n, c, from->params, err);
        if (rc == HS_OK)
            rc = hs_mpi_agree(past_up_states(n, c, k0, ss, err), err);
        if (rc == HS_OK)
            rc = phase_begin(s, n, c, k0, &st, ss, 1, err);
        if (rc == HS_OK)
            rc = load(load_ctx, err);
        if (rc == HS_OK)
            rc = schedule_pos_check(c, from, sim_step(s), err);
        if (rc == HS_OK && ss && ss->checkpoint_every)
            st.next_ckpt = (sim_step(s) / ss->checkpoint_every + 1) * ss->checkpoint_every;
    } else if (rc == HS_OK) {
        rc = snapshot_all(n, c, bufs, sim_step(s), 0, ss, err);
    }
    for (size_t k = k0; rc == HS_OK && k < c->n_phases; k++)
        rc = run_phase(s, n, c, k, bufs, &st, from && k == k0 ? from->seg_stop : 0, sink, ss,
                       err);
    sim_set_pause(s, NULL, NULL);
    for (size_t wi = 0; bufs && wi < c->n_weights; wi++)
        weights_snap_free(&bufs[wi]);
    /* The sources must not keep pointers to the drives freed here. */
    for (size_t p = 0; st.drives && p < n->n_pops; p++) {
        net_pop *pp = &n->pops[p];
        if (pp->type->control && st.drives[p].p.kind != DRIVE_NONE) {
            neuron_control ctl = {.step = sim_step(s), .rat = NEURON_RAT_AWAY};
            pp->type->control(pp->plan, &pp->state, &ctl);
        }
        drive_free(&st.drives[p]);
    }
    free(st.params);
    free(st.drives);
    free(bufs);
    return rc;
}

int schedule_run(sim *s, network *n, const hs_config *c, const sim_sink *sink,
                 const schedule_sink *ss, hs_error *err)
{
    return schedule_go(s, n, c, NULL, NULL, NULL, sink, ss, err);
}

int schedule_pos_check(const hs_config *c, const schedule_pos *pos, uint64_t step,
                       hs_error *err)
{
    uint64_t start = 0;
    for (size_t k = 0; k < pos->phase && k < c->n_phases; k++)
        start += steps_of(c->phases[k].duration_ms, c->dt_ms);
    uint64_t end = pos->phase < c->n_phases
                       ? start + steps_of(c->phases[pos->phase].duration_ms, c->dt_ms)
                       : 0;
    if (pos->phase >= c->n_phases || pos->phase_start != start || step < start ||
        pos->seg_stop < step || pos->seg_stop > end)
        return hs_error_set(err, HS_EINPUT, "the checkpoint's position (phase %zu from step "
                            "%llu, at step %llu, going to %llu) does not fit the schedule",
                            pos->phase, (unsigned long long)pos->phase_start,
                            (unsigned long long)step, (unsigned long long)pos->seg_stop);
    return HS_OK;
}

int schedule_resume(sim *s, network *n, const hs_config *c, const schedule_pos *pos,
                    int (*load)(void *ctx, hs_error *err), void *load_ctx,
                    const sim_sink *sink, const schedule_sink *ss, hs_error *err)
{
    if (pos->phase >= c->n_phases)
        return hs_error_set(err, HS_EINPUT, "the checkpoint's phase %zu is past the "
                            "schedule's %zu phases", pos->phase, c->n_phases);
    return schedule_go(s, n, c, pos, load, load_ctx, sink, ss, err);
}
