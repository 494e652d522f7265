/* detect.c: replay detection at the end of a run (detect.h). */
#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../replay/up_states.h"

struct detect {
    size_t pop;            /* the analysed population */
    double *t_ms;
    uint32_t *ids;
    size_t n, cap;
    double *up_start, *up_stop;   /* the up states kept, of phases up_phase */
    uint32_t *up_phase;
    size_t n_up, cap_up;
};

detect *detect_alloc(const hs_config *c, hs_error *err)
{
    detect *r = calloc(1, sizeof *r);
    if (!r) {
        hs_error_set(err, HS_ENOMEM, "out of memory");
        return NULL;
    }
    r->pop = c->replay.pop;
    return r;
}

void detect_free(detect *r)
{
    if (!r)
        return;
    free(r->t_ms);
    free(r->ids);
    free(r->up_start);
    free(r->up_stop);
    free(r->up_phase);
    free(r);
}

/* The capacity for need elements when cap (0: none yet) is too small:
 * cap, or first if 0, doubled until it holds them. */
static size_t cap_doubled(size_t cap, size_t first, size_t need)
{
    size_t c = cap ? cap : first;
    while (c < need)
        c *= 2;
    return c;
}

/* Room for more spikes in t_ms and ids. */
static int grow(detect *r, size_t more)
{
    if (r->n + more <= r->cap)
        return HS_OK;
    size_t cap = cap_doubled(r->cap, 4096, r->n + more);
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

int detect_spikes(detect *r, size_t pop, const double *t_ms, const uint64_t *ids,
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

/* Room for more up states in up_start, up_stop and up_phase. */
static int grow_up(detect *r, size_t more)
{
    if (r->n_up + more <= r->cap_up)
        return HS_OK;
    size_t cap = cap_doubled(r->cap_up, 64, r->n_up + more);
    double *a = realloc(r->up_start, cap * sizeof *a);
    if (a)
        r->up_start = a;
    double *b = a ? realloc(r->up_stop, cap * sizeof *b) : NULL;
    if (b)
        r->up_stop = b;
    uint32_t *p = b ? realloc(r->up_phase, cap * sizeof *p) : NULL;
    if (p)
        r->up_phase = p;
    if (!p)
        return HS_ENOMEM;
    r->cap_up = cap;
    return HS_OK;
}

int detect_up_states(detect *r, size_t k, const double *start_ms,
                         const double *stop_ms, size_t n, hs_error *err)
{
    if (grow_up(r, n) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "out of memory keeping %zu up states",
                            r->n_up + n);
    for (size_t j = 0; j < n; j++, r->n_up++) {
        r->up_start[r->n_up] = start_ms[j];
        r->up_stop[r->n_up] = stop_ms[j];
        r->up_phase[r->n_up] = (uint32_t)k;
    }
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

/* Template matching of the sleep phases (replay/template_run.h). */
static int template_match(const hs_config *c, const replay_spikes *s,
                          const replay_phase *ph, const replay_traj *tr, int n_threads,
                          const replay_result *res, replay_template_run *tmpl, hs_error *err)
{
    replay_template_run_params p;
    replay_template_run_params_default(&p);
    p.tp.bin_ms = c->replay.template_bin_ms;
    p.tp.n_shuffle = (size_t)c->replay.template_shuffles;
    p.seed = c->seed;
    p.n_threads = n_threads;
    return replay_template_run_phases(&p, s, res->is_place, ph, c->n_phases, tr, tmpl, err);
}

int detect_analyse(detect *r, const hs_config *c, const double *start_ms,
                       const double *stop_ms, const track_traj *traj, const double *run_ms,
                       size_t n_run, int n_threads, replay_result *out,
                       replay_template_run *tmpl, hs_error *err)
{
    *tmpl = (replay_template_run){.lap_ms = NAN};
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
        ph[k] = (replay_phase){c->phases[k].stage, start_ms[k], stop_ms[k],
                               c->phases[k].elsewhere};
    replay_spikes s = {r->t_ms, r->ids, r->n, (size_t)c->pops[r->pop].size};
    replay_traj tr = {run_ms, traj->x_cm, traj->dir, traj->lap, n_run};
    int st = replay_analysis_run(&p, &s, ph, c->n_phases, &tr, out, err);
    if (st == HS_OK) {
        replay_up_states u = {r->n_up, r->up_start, r->up_stop, r->up_phase};
        replay_up_states_label(&u, out->peak_ms, out->phase, out->n, out->in_up_state);
        st = template_match(c, &s, ph, &tr, n_threads, out, tmpl, err);
    }
    free(ph);
    return st;
}

/* ---- the run file ---- */

static int events_write(const hs_config *c, const replay_result *res, h5out *file,
                        hs_error *err)
{
    const char **phase = malloc((res->n ? res->n : 1) * sizeof *phase);
    if (!phase)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t k = 0; k < res->n; k++)
        phase[k] = c->phases[res->phase[k]].name;
    const hs_replay_config *rp = &c->replay;
    h5out_replay rows = {
        .n = res->n, .start_ms = res->start_ms, .stop_ms = res->stop_ms, .phase = phase,
        .n_cells = res->n_cells, .rank_corr = res->rank_corr, .p_value = res->p_value,
        .score = res->score, .direction = res->direction,
        .slope_cm_per_s = res->slope_cm_per_s, .compression = res->compression,
        .significant = res->significant, .p_shift = res->p_shift, .p_perm = res->p_perm,
        .peak_ms = res->peak_ms, .in_up_state = res->in_up_state,
        .population = c->pops[rp->pop].name, .alpha = rp->alpha, .n_perm = rp->n_perm,
        .n_shuffle = rp->n_shuffle, .bin_cm = rp->bin_cm, .tbin_ms = rp->tbin_ms};
    int rc = h5out_replay_write(file, &rows, err);
    free(phase);
    return rc;
}

/* The per-phase results as the rows and [n, n_factors] tables of
 * /replay/template. */
typedef struct template_rows {
    const char **phase;
    double *best, *p_best, *tab[5];
} template_rows;

static void template_rows_free(template_rows *t)
{
    free(t->phase);
    free(t->best);
    free(t->p_best);
    for (int i = 0; i < 5; i++)
        free(t->tab[i]);
}

static int template_rows_make(const hs_config *c, const replay_template_run *tm, size_t nf,
                              template_rows *t)
{
    size_t n = tm->n ? tm->n : 1, m = n * (nf ? nf : 1);
    *t = (template_rows){malloc(n * sizeof *t->phase), malloc(n * sizeof(double)),
                         malloc(n * sizeof(double)), {0}};
    int ok = t->phase && t->best && t->p_best;
    for (int i = 0; i < 5; i++)
        ok = (t->tab[i] = malloc(m * sizeof(double))) && ok;
    if (!ok)
        return HS_ENOMEM;
    for (size_t k = 0; k < tm->n; k++) {
        const replay_template_result *r = &tm->res[k];
        t->phase[k] = c->phases[tm->phase[k]].name;
        t->best[k] = r->best < r->n_factors ? r->factor[r->best] : NAN;
        t->p_best[k] = r->p_best;
        const double *src[5] = {r->factor, r->r_max, r->z, r->p, r->t_best_ms};
        for (int i = 0; i < 5; i++)
            memcpy(t->tab[i] + k * nf, src[i], nf * sizeof(double));
    }
    return HS_OK;
}

static int template_write(const hs_config *c, const replay_template_run *tm, h5out *file,
                          hs_error *err)
{
    size_t nf = tm->n ? tm->res[0].n_factors : 0;
    template_rows t;
    int rc = template_rows_make(c, tm, nf, &t);
    if (rc != HS_OK) {
        template_rows_free(&t);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    const hs_replay_config *rp = &c->replay;
    h5out_template rows = {
        .n = tm->n, .n_factors = nf, .phase = t.phase, .best_factor = t.best,
        .p_best = t.p_best, .factor = t.tab[0], .r_max = t.tab[1], .z = t.tab[2],
        .p = t.tab[3], .t_best_ms = t.tab[4], .population = c->pops[rp->pop].name,
        .bin_ms = rp->template_bin_ms, .lap_ms = tm->lap_ms,
        .n_shuffle = rp->template_shuffles, .n_cells = tm->n_cells, .n_bins = tm->n_bins,
        .n_laps = tm->n_laps, .note = tm->why ? tm->why : ""};
    rc = h5out_template_write(file, &rows, err);
    template_rows_free(&t);
    return rc;
}

int detect_write(const hs_config *c, const replay_result *res,
                     const replay_template_run *tmpl, h5out *file, hs_error *err)
{
    int rc = events_write(c, res, file, err);
    return rc == HS_OK ? template_write(c, tmpl, file, err) : rc;
}

/* ---- the summary ---- */

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
        /* a wake phase elsewhere has no events sought: not counted */
        keep[k] = strcmp(c->phases[k].stage, stage) == 0 && !c->phases[k].elsewhere;
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

/* The REM phases' best template factors, on one line. */
static void template_print(const hs_config *c, const replay_template_run *tm, FILE *f)
{
    fprintf(f, "  rem template (Louie & Wilson 2001): ");
    if (tm->why) {
        fprintf(f, "none (%s)\n", tm->why);
        return;
    }
    size_t shown = 0;
    for (size_t k = 0; k < tm->n; k++) {
        const replay_template_result *r = &tm->res[k];
        if (strcmp(c->phases[tm->phase[k]].stage, "rem") != 0)
            continue;
        fprintf(f, "%s%s ", shown++ ? ", " : "", c->phases[tm->phase[k]].name);
        if (r->best < r->n_factors)
            fprintf(f, "best factor %.2fx (p %.3g)", r->factor[r->best], r->p_best);
        else
            fputs("no factor scored", f);
    }
    fputs(shown ? "\n" : "no rem phase\n", f);
}

void detect_print(const hs_config *c, const replay_result *res,
                      const replay_template_run *tmpl, double wall_s, FILE *f)
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
    template_print(c, tmpl, f);
}
