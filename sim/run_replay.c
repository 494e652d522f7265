/* run_replay.c: replay detection at the end of a run (run_replay.h). */
#include "run_replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct run_replay {
    size_t pop;            /* the analysed population */
    double *t_ms;
    uint32_t *ids;
    size_t n, cap;
};

run_replay *run_replay_alloc(const hs_config *c, hs_error *err)
{
    run_replay *r = calloc(1, sizeof *r);
    if (!r) {
        hs_error_set(err, HS_ENOMEM, "out of memory");
        return NULL;
    }
    r->pop = c->replay.pop;
    return r;
}

void run_replay_free(run_replay *r)
{
    if (!r)
        return;
    free(r->t_ms);
    free(r->ids);
    free(r);
}

static int grow(run_replay *r, size_t more)
{
    if (r->n + more <= r->cap)
        return HS_OK;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < r->n + more)
        cap *= 2;
    double *t = realloc(r->t_ms, cap * sizeof *t);
    if (t)
        r->t_ms = t;
    uint32_t *id = t ? realloc(r->ids, cap * sizeof *id) : NULL;
    if (id)
        r->ids = id;
    if (!t || !id)
        return HS_ENOMEM;
    r->cap = cap;
    return HS_OK;
}

int run_replay_spikes(run_replay *r, size_t pop, const double *t_ms, const uint64_t *ids,
                      size_t n, hs_error *err)
{
    if (pop != r->pop || n == 0)
        return HS_OK;
    if (grow(r, n) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "out of memory keeping %zu spikes for replay "
                            "detection", r->n + n);
    memcpy(r->t_ms + r->n, t_ms, n * sizeof *t_ms);
    for (size_t k = 0; k < n; k++)
        r->ids[r->n + k] = (uint32_t)ids[k];
    r->n += n;
    return HS_OK;
}

/* The direction a one-way rat runs; 0 when it runs both ways (alternating
 * laps or a tracked rat). */
static int run_direction(const hs_task_config *t)
{
    const track_linear_params *p = &t->linear;
    if (t->csv_t_s || t->h5_path || p->one_way == 0)
        return 0;
    return p->reverse != 0 ? -1 : 1;
}

int run_replay_analyse(run_replay *r, const hs_config *c, const double *start_ms,
                       const double *stop_ms, const track_traj *traj, const double *run_ms,
                       size_t n_run, int n_threads, replay_result *out, hs_error *err)
{
    const hs_replay_config *rc = &c->replay;
    replay_analysis_params p;
    replay_analysis_params_default(&p);
    p.n_perm = (size_t)rc->n_perm;
    p.n_shuffle = (size_t)rc->n_shuffle;
    p.bin_cm = rc->bin_cm;
    p.tbin_ms = rc->tbin_ms;
    p.alpha = rc->alpha;
    p.track_cm = c->task.linear.length_cm;
    p.run_dir = run_direction(&c->task);
    p.seed = c->seed;
    p.n_threads = n_threads;
    replay_phase *ph = malloc((c->n_phases ? c->n_phases : 1) * sizeof *ph);
    if (!ph)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t k = 0; k < c->n_phases; k++)
        ph[k] = (replay_phase){c->phases[k].stage, start_ms[k], stop_ms[k]};
    replay_spikes s = {r->t_ms, r->ids, r->n, (size_t)c->pops[r->pop].size};
    replay_traj tr = {run_ms, traj->x_cm, traj->dir, traj->lap, n_run};
    int st = replay_analysis_run(&p, &s, ph, c->n_phases, &tr, out, err);
    free(ph);
    return st;
}

static void percent_print(FILE *f, double x)
{
    if (isnan(x))
        fputs("n/a", f);
    else
        fprintf(f, "%.0f%%", 100 * x);
}

static void stage_print(const hs_config *c, const replay_result *res, const char *stage,
                        uint8_t *keep, FILE *f)
{
    size_t n_phases = 0;
    for (size_t k = 0; k < c->n_phases; k++) {
        keep[k] = strcmp(c->phases[k].stage, stage) == 0;
        n_phases += keep[k];
    }
    replay_summary s;
    replay_summarize(res, keep, c->replay.alpha, &s);
    fprintf(f, "  %-5s %6zu events in %zu phase%s", stage, s.n_events, n_phases,
            n_phases == 1 ? "" : "s");
    if (s.n_events) {
        fputs(", significant ", f);
        percent_print(f, (double)s.n_sig / (double)s.n_events);
        fputs(" (decoding), ", f);
        percent_print(f, (double)s.n_rank_sig / (double)s.n_events);
        fputs(" (rank order), forward ", f);
        percent_print(f, s.forward);
        if (isnan(s.median_compression))
            fputs(", median compression n/a", f);
        else
            fprintf(f, ", median compression %.1fx", s.median_compression);
    }
    fputc('\n', f);
}

void run_replay_print(const hs_config *c, const replay_result *res, double wall_s, FILE *f)
{
    fprintf(f, "replay %s: %zu place cells, mean running speed %.1f cm/s, %zu candidate "
               "events (%.3f s wall)\n",
            c->pops[c->replay.pop].name, res->n_place, res->mean_speed_cm_s, res->n, wall_s);
    uint8_t *keep = malloc(c->n_phases ? c->n_phases : 1);
    if (!keep)
        return;
    for (size_t k = 0; k < c->n_phases; k++) {
        size_t first = 0;
        while (strcmp(c->phases[first].stage, c->phases[k].stage) != 0)
            first++;
        if (first == k)
            stage_print(c, res, c->phases[k].stage, keep, f);
    }
    free(keep);
}
