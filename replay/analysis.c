/* analysis.c: replay detection over a whole run (analysis.h). */
#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "decode.h"
#include "events.h"
#include "fields.h"
#include "rank.h"

#define RUNNING_CM_S 5.0   /* faster is running (SCIENCE.md's awake-replay limit) */

/* ---- parameters ---- */

void replay_analysis_params_default(replay_analysis_params *p)
{
    *p = (replay_analysis_params){.n_perm = 1000, .n_shuffle = 500, .bin_cm = 2.5,
                                  .tbin_ms = 15, .alpha = 0.05, .track_cm = 200,
                                  .run_dir = 0, .min_peak_hz = 1, .seed = 0, .n_threads = 1};
}

static int finite_positive(double v)
{
    return isfinite(v) && v > 0;
}

int replay_analysis_params_check(const replay_analysis_params *p, hs_error *err)
{
    if (p->n_perm < REPLAY_RANK_MIN_PERM)
        return hs_error_set(err, HS_EINPUT, "replay analysis: n_perm must be >= %d",
                            REPLAY_RANK_MIN_PERM);
    if (p->n_shuffle < 500)
        return hs_error_set(err, HS_EINPUT, "replay analysis: n_shuffle must be >= 500");
    if (!finite_positive(p->bin_cm) || !finite_positive(p->tbin_ms) ||
        !finite_positive(p->track_cm))
        return hs_error_set(err, HS_EINPUT,
                            "replay analysis: bin_cm, tbin_ms and track_cm must be > 0");
    if (!(p->alpha > 0 && p->alpha < 1))
        return hs_error_set(err, HS_EINPUT, "replay analysis: alpha must be in (0, 1)");
    if (p->run_dir < -1 || p->run_dir > 1)
        return hs_error_set(err, HS_EINPUT, "replay analysis: run_dir must be -1, 0 or +1");
    if (!(p->min_peak_hz >= 0) || !isfinite(p->min_peak_hz))
        return hs_error_set(err, HS_EINPUT, "replay analysis: min_peak_hz must be >= 0");
    if (p->n_threads < 1)
        return hs_error_set(err, HS_EINPUT, "replay analysis: n_threads must be >= 1");
    return HS_OK;
}

static int input_check(const replay_spikes *s, const replay_phase *ph, size_t n_phases,
                       const replay_traj *tr, hs_error *err)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->ids[k] >= s->n_cells)
            return hs_error_set(err, HS_EINPUT, "replay analysis: spike %zu: cell %u >= %zu",
                                k, s->ids[k], s->n_cells);
    for (size_t k = 0; k < n_phases; k++)
        if (!(ph[k].stop_ms >= ph[k].start_ms) || (k > 0 && ph[k].start_ms < ph[k - 1].stop_ms))
            return hs_error_set(err, HS_EINPUT,
                                "replay analysis: phase %zu [%g, %g) ms is empty or overlaps",
                                k, ph[k].start_ms, ph[k].stop_ms);
    for (size_t k = 1; k < tr->n; k++)
        if (!(tr->t_ms[k] > tr->t_ms[k - 1]))
            return hs_error_set(err, HS_EINPUT,
                                "replay analysis: trajectory times must increase (sample %zu)",
                                k);
    return HS_OK;
}

/* ---- spikes in time order ---- */

typedef struct spike_list {
    double *t;
    uint32_t *id;
    size_t n;
} spike_list;

static void spike_list_free(spike_list *l)
{
    free(l->t);
    free(l->id);
    *l = (spike_list){0};
}

/* A copy of s sorted by (time, id). */
static int spikes_sort(const replay_spikes *s, spike_list *out)
{
    size_t m = s->n ? s->n : 1;
    replay_spike *pr = malloc(m * sizeof *pr);
    *out = (spike_list){malloc(m * sizeof *out->t), malloc(m * sizeof *out->id), s->n};
    if (!pr || !out->t || !out->id) {
        free(pr);
        spike_list_free(out);
        return HS_ENOMEM;
    }
    for (size_t k = 0; k < s->n; k++)
        pr[k] = (replay_spike){s->t_ms[k], s->ids[k]};
    qsort(pr, s->n, sizeof *pr, replay_spike_cmp);
    for (size_t k = 0; k < s->n; k++) {
        out->t[k] = pr[k].t_ms;
        out->id[k] = pr[k].id;
    }
    free(pr);
    return HS_OK;
}

/* The first k with t[k] >= x. */
static size_t lower_bound(const double *t, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- wake time: the wake phases end to end ---- */

static int is_wake(const replay_phase *ph)
{
    return ph->stage && strcmp(ph->stage, "wake") == 0;
}

/* Wake time of run time t, NAN outside the wake phases on the track (the
 * others left out of the wake time too); *k is a phase
 * index to start looking from (times must not decrease between calls),
 * *offset the wake time at the start of phase *k. */
static double wake_time(const replay_phase *ph, size_t n, size_t *k, double *offset, double t)
{
    while (*k < n && t >= ph[*k].stop_ms) {
        if (replay_phase_on_track(&ph[*k]))
            *offset += ph[*k].stop_ms - ph[*k].start_ms;
        ++*k;
    }
    if (*k == n || t < ph[*k].start_ms || !replay_phase_on_track(&ph[*k]))
        return NAN;
    return *offset + (t - ph[*k].start_ms);
}

/* The samples inside wake phases: run and wake times, position, direction
 * and speed. */
typedef struct wake_traj {
    double *t_run, *t_wake, *x, *speed;
    int8_t *dir;
    size_t n;
} wake_traj;

static void wake_traj_free(wake_traj *w)
{
    free(w->t_run);
    free(w->t_wake);
    free(w->x);
    free(w->speed);
    free(w->dir);
    *w = (wake_traj){0};
}

/* |dx| / dt to the next sample of the same lap, else from the previous
 * one, else 0 (wake time; lap[] of the kept samples). */
static void speeds(wake_traj *w, const uint32_t *lap)
{
    for (size_t k = 0; k < w->n; k++) {
        size_t a = k, b = k;
        if (k + 1 < w->n && lap[k + 1] == lap[k])
            b = k + 1;
        else if (k > 0 && lap[k - 1] == lap[k])
            a = k - 1;
        w->speed[k] = b > a ? fabs(w->x[b] - w->x[a]) / (1e-3 * (w->t_wake[b] - w->t_wake[a]))
                            : 0.0;
    }
}

static int wake_traj_make(const replay_traj *tr, const replay_phase *ph, size_t n_phases,
                          wake_traj *w)
{
    size_t m = tr->n ? tr->n : 1;
    *w = (wake_traj){malloc(m * sizeof(double)), malloc(m * sizeof(double)),
                     malloc(m * sizeof(double)), malloc(m * sizeof(double)), malloc(m), 0};
    uint32_t *lap = malloc(m * sizeof *lap);
    if (!w->t_run || !w->t_wake || !w->x || !w->speed || !w->dir || !lap) {
        free(lap);
        wake_traj_free(w);
        return HS_ENOMEM;
    }
    size_t k = 0, n = 0;
    double offset = 0;
    for (size_t i = 0; i < tr->n; i++) {
        double tw = wake_time(ph, n_phases, &k, &offset, tr->t_ms[i]);
        if (isnan(tw))
            continue;
        w->t_run[n] = tr->t_ms[i];
        w->t_wake[n] = tw;
        w->x[n] = tr->x_cm[i];
        w->dir[n] = tr->dir[i];
        lap[n] = tr->lap ? tr->lap[i] : 0;
        n++;
    }
    w->n = n;
    speeds(w, lap);
    free(lap);
    return HS_OK;
}

/* The wake-phase spikes in wake time. */
static int wake_spikes(const spike_list *sp, const replay_phase *ph, size_t n_phases,
                       spike_list *out)
{
    size_t m = sp->n ? sp->n : 1;
    *out = (spike_list){malloc(m * sizeof *out->t), malloc(m * sizeof *out->id), 0};
    if (!out->t || !out->id) {
        spike_list_free(out);
        return HS_ENOMEM;
    }
    size_t k = 0;
    double offset = 0;
    for (size_t i = 0; i < sp->n; i++) {
        double tw = wake_time(ph, n_phases, &k, &offset, sp->t[i]);
        if (isnan(tw))
            continue;
        out->t[out->n] = tw;
        out->id[out->n++] = sp->id[i];
    }
    return HS_OK;
}

static double mean_running_speed(const wake_traj *w)
{
    double sum = 0;
    size_t n = 0;
    for (size_t k = 0; k < w->n; k++)
        if (w->speed[k] > RUNNING_CM_S) {
            sum += w->speed[k];
            n++;
        }
    return n ? sum / (double)n : 0.0;
}

/* ---- candidate events ---- */

typedef struct event_list {
    replay_event *ev;
    uint32_t *phase;
    size_t n, cap;
} event_list;

static void event_list_free(event_list *l)
{
    free(l->ev);
    free(l->phase);
    *l = (event_list){0};
}

static int events_append(event_list *l, const replay_event *ev, size_t n, uint32_t phase)
{
    if (l->n + n > l->cap) {
        size_t cap = 2 * (l->n + n);
        replay_event *e = realloc(l->ev, cap * sizeof *e);
        if (e)
            l->ev = e;
        uint32_t *p = e ? realloc(l->phase, cap * sizeof *p) : NULL;
        if (p)
            l->phase = p;
        if (!e || !p)
            return HS_ENOMEM;
        l->cap = cap;
    }
    for (size_t k = 0; k < n; k++) {
        l->ev[l->n] = ev[k];
        l->phase[l->n++] = phase;
    }
    return HS_OK;
}

/* The events of phase k, appended to l: awake ones only at rest. */
static int phase_events(const spike_list *sp, const replay_phase *ph, size_t k,
                        const wake_traj *w, const replay_fields *pf, event_list *l,
                        hs_error *err)
{
    replay_event_params ep;
    replay_event_params_default(&ep);
    ep.is_place = pf->is_place;
    if (is_wake(&ph[k]) && w->n > 0) {
        ep.speed_t_ms = w->t_run;
        ep.speed_cm_s = w->speed;
        ep.n_speed = w->n;
    }
    double start = ph[k].start_ms, stop = ph[k].stop_ms;
    if (ph[k].elsewhere || floor((stop - start) / ep.bin_ms) < 3)
        return HS_OK;
    size_t lo = lower_bound(sp->t, sp->n, start), hi = lower_bound(sp->t, sp->n, stop);
    replay_event *ev = NULL;
    size_t n = 0;
    int rc = replay_events_find(sp->t + lo, sp->id + lo, hi - lo, start, stop, pf->n_cells, &ep,
                                &ev, &n, err);
    if (rc == HS_OK && events_append(l, ev, n, (uint32_t)k) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "replay analysis: out of memory for events");
    free(ev);
    return rc;
}

/* ---- scoring ---- */

typedef struct scorer {
    const replay_analysis_params *p;
    const spike_list *sp;
    const replay_fields *pf;
    double mean_speed;
    replay_decode_params dp;
} scorer;

/* Rank order against each direction's fields; the best (smallest p) kept. */
static int rank_score(const scorer *sc, const double *t, const uint32_t *id, size_t m,
                      const replay_event *ev, size_t k, replay_result *r, hs_error *err)
{
    const replay_fields *pf = sc->pf;
    replay_rank best = {.rho = NAN, .p = 1};
    int best_dir = 0, have = 0;
    for (size_t d = 0; d < pf->n_dirs; d++) {
        replay_rank rr;
        int rc = replay_rank_order(t, id, m, ev->start_ms, ev->stop_ms, pf->centre[d],
                                   pf->n_cells, sc->p->n_perm, sc->p->seed, k, &rr, err);
        if (rc != HS_OK)
            return rc;
        if (rr.status == REPLAY_RANK_OK && (!have || rr.p < best.p)) {
            best = rr;
            best_dir = pf->dirs[d];
            have = 1;
        }
    }
    r->rank_corr[k] = have ? best.rho : NAN;
    r->p_value[k] = have ? fmin(1.0, best.p * (double)pf->n_dirs) : 1.0;
    r->direction[k] = (int8_t)(have ? best.direction * best_dir : 0);
    return HS_OK;
}

/* Decoding of the place cells' spikes t, id (m of them, any cells). */
static int decode_score(const scorer *sc, const double *t, const uint32_t *id, size_t m,
                        const replay_event *ev, size_t k, replay_result *r, hs_error *err)
{
    const replay_fields *pf = sc->pf;
    double *pt = malloc((m ? m : 1) * sizeof *pt);
    uint32_t *pid = malloc((m ? m : 1) * sizeof *pid);
    if (!pt || !pid) {
        free(pt);
        free(pid);
        return hs_error_set(err, HS_ENOMEM, "replay analysis: out of memory decoding");
    }
    size_t n = 0;
    for (size_t j = 0; j < m; j++)
        if (pf->place_index[id[j]] != REPLAY_NO_PLACE) {
            pt[n] = t[j];
            pid[n++] = pf->place_index[id[j]];
        }
    replay_decoded dec;
    int rc = replay_score_event(pt, pid, n, ev->start_ms, ev->stop_ms, pf->decode, pf->n_place,
                                pf->n_bins, sc->p->bin_cm, &sc->dp, sc->mean_speed,
                                sc->p->seed, (uint32_t)k, &dec, err);
    free(pt);
    free(pid);
    if (rc != HS_OK)
        return rc;
    r->score[k] = dec.line.score;
    r->slope_cm_per_s[k] = dec.slope_cm_per_s;
    r->compression[k] = dec.compression;
    r->significant[k] = (uint8_t)(dec.significant != 0);
    r->p_shift[k] = dec.p_shift;
    r->p_perm[k] = dec.p_perm;
    return HS_OK;
}

/* Row k of r for event ev (event id k). Thread-safe on distinct k. */
static int score_event(const scorer *sc, size_t k, const replay_event *ev, uint32_t phase,
                       replay_result *r, hs_error *err)
{
    const spike_list *sp = sc->sp;
    size_t lo = lower_bound(sp->t, sp->n, ev->start_ms);
    size_t hi = lower_bound(sp->t, sp->n, ev->stop_ms);
    r->start_ms[k] = ev->start_ms;
    r->stop_ms[k] = ev->stop_ms;
    r->peak_ms[k] = ev->peak_ms;
    r->in_up_state[k] = -1;
    r->phase[k] = phase;
    r->n_cells[k] = (uint32_t)ev->n_cells;
    int rc = rank_score(sc, sp->t + lo, sp->id + lo, hi - lo, ev, k, r, err);
    return rc == HS_OK ? decode_score(sc, sp->t + lo, sp->id + lo, hi - lo, ev, k, r, err) : rc;
}

/* Every event, in parallel; the first error in event order is reported. */
static int score_all(const scorer *sc, const event_list *l, replay_result *r, hs_error *err)
{
    size_t n = l->n, first = n;
    hs_error first_err;
    hs_error_clear(&first_err);
#pragma omp parallel for num_threads(sc->p->n_threads) schedule(dynamic, 1)
    for (size_t k = 0; k < n; k++) {
        hs_error e;
        hs_error_clear(&e);
        if (score_event(sc, k, &l->ev[k], l->phase[k], r, &e) != HS_OK) {
#pragma omp critical(replay_analysis_error)
            if (k < first) {
                first = k;
                first_err = e;
            }
        }
    }
    if (first == n)
        return HS_OK;
    if (err)
        *err = first_err;
    return first_err.code;
}

/* ---- the result ---- */

void replay_result_free(replay_result *r)
{
    if (!r)
        return;
    free(r->start_ms);
    free(r->stop_ms);
    free(r->phase);
    free(r->n_cells);
    free(r->rank_corr);
    free(r->p_value);
    free(r->score);
    free(r->direction);
    free(r->slope_cm_per_s);
    free(r->compression);
    free(r->significant);
    free(r->p_shift);
    free(r->p_perm);
    free(r->peak_ms);
    free(r->in_up_state);
    free(r->is_place);
    *r = (replay_result){0};
}

static int result_alloc(replay_result *r, size_t n)
{
    r->n = n;
    if (n == 0)
        return HS_OK;
    r->start_ms = malloc(n * sizeof(double));
    r->stop_ms = malloc(n * sizeof(double));
    r->phase = malloc(n * sizeof(uint32_t));
    r->n_cells = malloc(n * sizeof(uint32_t));
    r->rank_corr = malloc(n * sizeof(double));
    r->p_value = malloc(n * sizeof(double));
    r->score = malloc(n * sizeof(double));
    r->direction = malloc(n);
    r->slope_cm_per_s = malloc(n * sizeof(double));
    r->compression = malloc(n * sizeof(double));
    r->significant = malloc(n);
    r->p_shift = malloc(n * sizeof(double));
    r->p_perm = malloc(n * sizeof(double));
    r->peak_ms = malloc(n * sizeof(double));
    r->in_up_state = malloc(n);
    int ok = r->start_ms && r->stop_ms && r->phase && r->n_cells && r->rank_corr &&
             r->p_value && r->score && r->direction && r->slope_cm_per_s && r->compression &&
             r->significant && r->p_shift && r->p_perm && r->peak_ms && r->in_up_state;
    return ok ? HS_OK : HS_ENOMEM;
}

/* The place cells of pf into r. */
static int place_copy(const replay_fields *pf, replay_result *r)
{
    r->pop_size = pf->n_cells;
    r->is_place = malloc(pf->n_cells ? pf->n_cells : 1);
    if (!r->is_place)
        return HS_ENOMEM;
    memcpy(r->is_place, pf->is_place, pf->n_cells);
    return HS_OK;
}

/* Place fields from the wake phases, then the events of every phase. */
static int find_events(const replay_analysis_params *p, const spike_list *sp,
                       const replay_phase *ph, size_t n_phases, const wake_traj *w,
                       size_t n_cells, replay_fields *pf, event_list *el, hs_error *err)
{
    if (w->n < 2)
        return HS_OK;    /* no runs, no place fields */
    spike_list ws;
    if (wake_spikes(sp, ph, n_phases, &ws) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "replay analysis: out of memory");
    int rc = replay_fields_make(ws.t, ws.id, ws.n, n_cells, w->t_wake, w->x, w->dir, w->n,
                                p->track_cm, p->bin_cm, p->run_dir, p->min_peak_hz, pf, err);
    spike_list_free(&ws);
    for (size_t k = 0; rc == HS_OK && pf->n_place > 0 && k < n_phases; k++)
        rc = phase_events(sp, ph, k, w, pf, el, err);
    if (rc == HS_OK && el->n > UINT32_MAX)
        rc = hs_error_set(err, HS_EINPUT, "replay analysis: %zu events, more than 2^32", el->n);
    return rc;
}

int replay_analysis_run(const replay_analysis_params *p, const replay_spikes *s,
                        const replay_phase *ph, size_t n_phases, const replay_traj *tr,
                        replay_result *out, hs_error *err)
{
    *out = (replay_result){0};
    int rc = replay_analysis_params_check(p, err);
    if (rc == HS_OK)
        rc = input_check(s, ph, n_phases, tr, err);
    if (rc != HS_OK)
        return rc;
    spike_list sp = {0};
    wake_traj w = {0};
    replay_fields pf = {0};
    event_list el = {0};
    if (spikes_sort(s, &sp) != HS_OK || wake_traj_make(tr, ph, n_phases, &w) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "replay analysis: out of memory");
    if (rc == HS_OK)
        rc = find_events(p, &sp, ph, n_phases, &w, s->n_cells, &pf, &el, err);
    if (rc == HS_OK && result_alloc(out, el.n) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "replay analysis: out of memory for %zu events",
                          el.n);
    out->n_place = pf.n_place;
    out->mean_speed_cm_s = mean_running_speed(&w);
    if (rc == HS_OK && pf.is_place && place_copy(&pf, out) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "replay analysis: out of memory");
    if (rc == HS_OK && el.n > 0) {
        scorer sc = {.p = p, .sp = &sp, .pf = &pf, .mean_speed = out->mean_speed_cm_s};
        replay_decode_params_default(&sc.dp);
        sc.dp.tbin_ms = p->tbin_ms;
        sc.dp.n_shuffle = p->n_shuffle;
        rc = score_all(&sc, &el, out, err);
    }
    spike_list_free(&sp);
    wake_traj_free(&w);
    replay_fields_free(&pf);
    event_list_free(&el);
    if (rc != HS_OK)
        replay_result_free(out);
    return rc;
}

/* ---- summaries ---- */

void replay_summarize(const replay_result *r, const uint8_t *keep, double alpha,
                      replay_summary *s)
{
    *s = (replay_summary){.forward = NAN, .median_compression = NAN};
    double *c = malloc((r->n ? r->n : 1) * sizeof *c);
    size_t n_dir = 0, n_fwd = 0, n_c = 0;
    for (size_t k = 0; k < r->n; k++) {
        if (keep && !keep[r->phase[k]])
            continue;
        s->n_events++;
        if (r->p_value[k] < alpha) {
            s->n_rank_sig++;
            n_dir += r->direction[k] != 0;
            n_fwd += r->direction[k] > 0;
        }
        if (r->significant[k]) {
            s->n_sig++;
            if (c && isfinite(r->compression[k]))
                c[n_c++] = r->compression[k];
        }
    }
    if (n_dir)
        s->forward = (double)n_fwd / (double)n_dir;
    if (n_c) {
        gsl_sort(c, 1, n_c);
        s->median_compression = gsl_stats_median_from_sorted_data(c, 1, n_c);
    }
    free(c);
}
