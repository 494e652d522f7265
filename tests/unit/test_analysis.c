/* Replay detection over a run (replay/analysis.h) on a synthetic run: a rat
 * runs a one-way 200 cm track at 25 cm/s past 60 Gaussian place fields
 * (wake), then a sleep phase holds forward replays of the track compressed
 * 15 times amid Poisson background, and a second one bursts of the same
 * size without order. The planted replays are found, forward, significant
 * and 15 times compressed; the bursts are significant at about the false-
 * positive rate; on a track run both ways with directional fields,
 * forward and reverse replays are told apart; 1 and 2 threads give the same
 * rows, bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "../../replay/analysis.h"
#include "suites.h"
#include "../lib/synth_run.h"


#define EVERY_MS 5000.0         /* one replay or burst per 5 s (a 5 % duty cycle) */
#define REPLAY_CM_S (15 * SYNTH_RUN_CM_S)
#define REPLAY_FROM_CM 50.0
#define REPLAY_TO_CM 150.0
#define REPLAY_MS ((REPLAY_TO_CM - REPLAY_FROM_CM) / REPLAY_CM_S * 1e3)

typedef struct synth {
    synth_run run;            /* trajectory over the wake phase, spikes */
    replay_phase ph[3];       /* wake, the replays, the bursts */
    size_t n_replay, n_burst;
} synth;

/* Background over [t0, t1), and in each 5 s from t0 + 2.5 s either a
 * replay (x from 50 to 150 cm at 375 cm/s, cells at 6 x their field) or,
 * flat, a burst of the same length with every cell at 12 Hz. */
static size_t sleep_phase(synth *y, gsl_rng *r, double t0, double t1, int flat)
{
    const double dt = 0.5;
    size_t n = 0;
    for (double t = t0; t < t1; t += dt)
        for (size_t i = 0; i < SYNTH_N_CELLS; i++)
            synth_spike_maybe(r, &y->run.s, t, dt, i, SYNTH_BACKGROUND_HZ);
    for (double e = t0 + 0.5 * EVERY_MS; e + REPLAY_MS < t1; e += EVERY_MS, n++)
        for (double u = 0; u < REPLAY_MS; u += dt) {
            double x = REPLAY_FROM_CM + REPLAY_CM_S * 1e-3 * u;
            for (size_t i = 0; i < SYNTH_N_CELLS; i++)
                synth_spike_maybe(r, &y->run.s, e + u, dt, i,
                                  flat ? 12.0 : 6.0 * synth_field_hz(i, x));
        }
    return n;
}

static void synth_make(synth *y, size_t n_replay, size_t n_burst, unsigned long seed)
{
    memset(y, 0, sizeof *y);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    synth_run_one_way(&y->run, r);
    double a = SYNTH_WAKE_MS, b = a + (double)n_replay * EVERY_MS;
    double c = b + (double)n_burst * EVERY_MS;
    y->ph[0] = (replay_phase){"wake", 0, a, 0};
    y->ph[1] = (replay_phase){"nrem", a, b, 0};
    y->ph[2] = (replay_phase){"nrem", b, c, 0};
    y->n_replay = sleep_phase(y, r, a, b, 0);
    y->n_burst = sleep_phase(y, r, b, c, 1);
    gsl_rng_free(r);
}

static void analyse_phases(const synth_run *run, const replay_phase *ph, size_t n_phases,
                           int n_threads, replay_result *res)
{
    replay_analysis_params p;
    replay_analysis_params_default(&p);
    p.bin_cm = 5;
    p.run_dir = 1;
    p.seed = 7;
    p.n_threads = n_threads;
    replay_spikes s = synth_run_spikes(run, SYNTH_N_CELLS);
    replay_traj tr = synth_run_traj(run);
    hs_error err;
    hs_error_clear(&err);
    int rc = replay_analysis_run(&p, &s, ph, n_phases, &tr, res, &err);
    ck_assert_msg(rc == HS_OK, "replay_analysis_run: %s", err.msg);
}

static void analyse(const synth *y, int n_threads, replay_result *res)
{
    analyse_phases(&y->run, y->ph, 3, n_threads, res);
}

/* The event of phase 1 overlapping the replay planted at e, or -1. */
static long planted_event(const replay_result *r, double e)
{
    long hit = -1;
    for (size_t k = 0; k < r->n; k++)
        if (r->phase[k] == 1 && r->stop_ms[k] > e && r->start_ms[k] < e + REPLAY_MS) {
            ck_assert_msg(hit < 0, "two events on the replay at %g ms", e);
            hit = (long)k;
        }
    return hit;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(test_planted_replays)
{
    synth y;
    synth_make(&y, 20, 40, 3);
    replay_result r;
    analyse(&y, 1, &r);
    ck_assert_uint_eq(r.n_place, SYNTH_N_FIELD);
    ck_assert_double_lt(fabs(r.mean_speed_cm_s - SYNTH_RUN_CM_S), 0.01 * SYNTH_RUN_CM_S);
    ck_assert_uint_eq(r.pop_size, SYNTH_N_CELLS);
    for (size_t i = 0; i < SYNTH_N_CELLS; i++)
        ck_assert_int_eq(r.is_place[i], i < SYNTH_N_FIELD);
    for (size_t k = 0; k < r.n; k++) {
        ck_assert(r.peak_ms[k] >= r.start_ms[k] && r.peak_ms[k] <= r.stop_ms[k]);
        ck_assert_int_eq(r.in_up_state[k], -1);    /* no up states given */
    }
    size_t found = 0, fwd = 0, sig = 0, rank_sig = 0;
    double comp[64];
    for (size_t j = 0; j < y.n_replay; j++) {
        long k = planted_event(&r, SYNTH_WAKE_MS + (j + 0.5) * EVERY_MS);
        if (k < 0)
            continue;
        comp[found++] = r.compression[k];
        fwd += r.direction[k] == 1;
        sig += r.significant[k];
        rank_sig += r.p_value[k] < 0.05;
        ck_assert_double_gt(r.slope_cm_per_s[k], 0);
    }
    ck_assert_uint_eq(y.n_replay, 20);
    ck_assert_uint_ge(found, 19);
    ck_assert_uint_ge(fwd, found - 1);
    ck_assert_uint_ge(sig, found - 1);
    ck_assert_uint_ge(rank_sig, found - 1);
    qsort(comp, found, sizeof *comp, dbl_cmp);
    double median = comp[found / 2];
    ck_assert_msg(fabs(median - 15) <= 0.2 * 15, "median compression %g", median);
    /* the bursts: candidate events, significant about as often as chance */
    size_t n2 = 0, sig2 = 0, rank2 = 0;
    for (size_t k = 0; k < r.n; k++) {
        if (r.phase[k] != 2)
            continue;
        n2++;
        sig2 += r.significant[k];
        rank2 += r.p_value[k] < 0.05;
    }
    ck_assert_uint_ge(n2, 30);
    double bar = 0.05 + 3 * sqrt(0.05 * 0.95 / (double)n2);
    ck_assert_msg((double)sig2 / (double)n2 <= bar, "decoding: %zu of %zu bursts", sig2, n2);
    ck_assert_msg((double)rank2 / (double)n2 <= bar, "rank order: %zu of %zu bursts", rank2,
                  n2);
    /* the per-phase summary agrees */
    uint8_t keep[3] = {0, 1, 0};
    replay_summary s;
    replay_summarize(&r, keep, 0.05, &s);
    ck_assert_uint_ge(s.n_events, found);
    ck_assert_uint_ge(s.n_sig, sig);
    ck_assert_double_ge(s.forward, 0.9);
    ck_assert_double_lt(fabs(s.median_compression - 15), 0.2 * 15);
    replay_result_free(&r);
    synth_run_free(&y.run);
}
END_TEST

static void columns_equal(const replay_result *a, const replay_result *b)
{
    size_t n = a->n;
    ck_assert_uint_eq(n, b->n);
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(memcmp(a->start_ms, b->start_ms, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->stop_ms, b->stop_ms, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->phase, b->phase, n * sizeof(uint32_t)), 0);
    ck_assert_int_eq(memcmp(a->n_cells, b->n_cells, n * sizeof(uint32_t)), 0);
    ck_assert_int_eq(memcmp(a->rank_corr, b->rank_corr, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->p_value, b->p_value, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->score, b->score, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->direction, b->direction, n), 0);
    ck_assert_int_eq(memcmp(a->slope_cm_per_s, b->slope_cm_per_s, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->compression, b->compression, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->significant, b->significant, n), 0);
    ck_assert_int_eq(memcmp(a->p_shift, b->p_shift, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->p_perm, b->p_perm, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->peak_ms, b->peak_ms, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->in_up_state, b->in_up_state, n), 0);
    ck_assert_uint_eq(a->pop_size, b->pop_size);
    ck_assert_int_eq(memcmp(a->is_place, b->is_place, a->pop_size), 0);
    ck_assert_uint_eq(a->n_place, b->n_place);
    ck_assert_double_eq(a->mean_speed_cm_s, b->mean_speed_cm_s);
}

START_TEST(test_threads_bitwise)
{
    synth y;
    synth_make(&y, 4, 4, 5);
    replay_result one, two;
    analyse(&y, 1, &one);
    analyse(&y, 2, &two);
    columns_equal(&one, &two);
    replay_result_free(&one);
    replay_result_free(&two);
    synth_run_free(&y.run);
}
END_TEST

static size_t rank_significant(const replay_result *r)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n; k++)
        n += r->p_value[k] < 0.05;
    return n;
}

/* The first half of the running in another environment (the fields in
 * reverse order) and marked elsewhere: the results are bitwise those with
 * the track's fields there, no event is sought in it; not marked, its
 * running spoils the fields. */
START_TEST(test_elsewhere_phase)
{
    synth y;
    synth_make(&y, 10, 2, 11);
    double a = y.ph[0].stop_ms, half = 0.5 * a;
    replay_phase ph[4] = {{"wake", 0, half, 1}, {"wake", half, a, 0}, y.ph[1], y.ph[2]};
    replay_result same, other, mixed;
    analyse_phases(&y.run, ph, 4, 1, &same);
    tu_train *sp = &y.run.s;
    for (size_t k = 0; k < sp->n; k++)
        if (sp->t[k] < half && sp->id[k] < SYNTH_N_FIELD)
            sp->id[k] = SYNTH_N_FIELD - 1 - sp->id[k];
    analyse_phases(&y.run, ph, 4, 1, &other);
    columns_equal(&same, &other);
    for (size_t k = 0; k < same.n; k++)
        ck_assert_uint_ge(same.phase[k], 2);
    ck_assert_uint_ge(rank_significant(&same), 8);
    ph[0].elsewhere = 0;
    analyse_phases(&y.run, ph, 4, 1, &mixed);
    ck_assert_uint_lt(rank_significant(&mixed), rank_significant(&same) / 2);
    replay_result_free(&same);
    replay_result_free(&other);
    replay_result_free(&mixed);
    synth_run_free(&y.run);
}
END_TEST

START_TEST(test_no_runs_no_events)
{
    /* sleep only: no trajectory, no place fields, no events */
    synth y;
    synth_make(&y, 2, 0, 9);
    replay_result r;
    replay_analysis_params p;
    replay_analysis_params_default(&p);
    replay_spikes s = synth_run_spikes(&y.run, SYNTH_N_CELLS);
    replay_traj none = {NULL, NULL, NULL, NULL, 0};
    hs_error err;
    ck_assert_int_eq(replay_analysis_run(&p, &s, y.ph + 1, 1, &none, &r, &err), HS_OK);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.n_place, 0);
    ck_assert_ptr_null(r.start_ms);
    replay_result_free(&r);
    /* bad input */
    p.n_perm = 999;
    ck_assert_int_eq(replay_analysis_run(&p, &s, y.ph, 2, &none, &r, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "n_perm"));
    replay_analysis_params_default(&p);
    s.n_cells = SYNTH_N_CELLS - 1;
    ck_assert_int_eq(replay_analysis_run(&p, &s, y.ph, 2, &none, &r, &err), HS_EINPUT);
    s.n_cells = SYNTH_N_CELLS;
    replay_phase back[2] = {y.ph[1], y.ph[0]};
    ck_assert_int_eq(replay_analysis_run(&p, &s, back, 2, &none, &r, &err), HS_EINPUT);
    ck_assert_uint_eq(r.n, 0);
    synth_run_free(&y.run);
}
END_TEST

/* A track run both ways: cells 0..29 have fields running +1, cells 30..59
 * running -1 (directional fields), laps alternate. In sleep, replays run
 * from 150 to 50 cm: of the -1 cells (the order the rat passes their fields
 * running -1: forward) or of the +1 cells (against it: reverse). */
enum { N_HALF = 30 };

static double dir_field_hz(size_t i, int dir, double x_cm)
{
    int own = i < N_HALF ? 1 : -1;
    if (dir != own)
        return 0;
    double c = ((double)(i % N_HALF) + 0.5) * SYNTH_TRACK_CM / N_HALF;
    double z = (x_cm - c) / SYNTH_SIGMA_CM;
    return SYNTH_PEAK_HZ * exp(-0.5 * z * z);
}

static void two_way(synth *y, size_t n_replay)
{
    memset(y, 0, sizeof *y);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 21);
    synth_run *w = &y->run;
    synth_run_init(w, (size_t)SYNTH_WAKE_MS);
    for (size_t k = 0; k < w->n; k++) {
        double in_lap = fmod((double)k, SYNTH_LAP_MS), d = SYNTH_RUN_CM_S * 1e-3 * in_lap;
        size_t lap = k / (size_t)SYNTH_LAP_MS;
        int running = d < SYNTH_TRACK_CM, way = lap % 2 ? -1 : 1;
        w->t[k] = (double)k;
        w->x[k] = way > 0 ? fmin(d, SYNTH_TRACK_CM) : SYNTH_TRACK_CM - fmin(d, SYNTH_TRACK_CM);
        w->dir[k] = (int8_t)(running ? way : 0);
        w->lap[k] = (uint32_t)lap;
        for (size_t i = 0; i < 2 * N_HALF; i++)
            synth_spike_maybe(r, &w->s, w->t[k] + 0.5, 1.0, i,
                              dir_field_hz(i, w->dir[k], w->x[k]));
    }
    double a = SYNTH_WAKE_MS, b = a + (double)n_replay * EVERY_MS;
    y->ph[0] = (replay_phase){"wake", 0, a, 0};
    y->ph[1] = (replay_phase){"nrem", a, b, 0};
    const double dt = 0.5;
    for (double t = a; t < b; t += dt)
        for (size_t i = 0; i < 2 * N_HALF; i++)
            synth_spike_maybe(r, &y->run.s, t, dt, i, SYNTH_BACKGROUND_HZ);
    for (size_t j = 0; j < n_replay; j++) {
        int way = j % 2 ? 1 : -1;      /* the cells of that running direction */
        double e = a + ((double)j + 0.5) * EVERY_MS;
        for (double u = 0; u < REPLAY_MS; u += dt) {
            double x = REPLAY_TO_CM - REPLAY_CM_S * 1e-3 * u;
            for (size_t i = 0; i < 2 * N_HALF; i++)
                synth_spike_maybe(r, &y->run.s, e + u, dt, i, 6.0 * dir_field_hz(i, way, x));
        }
    }
    y->n_replay = n_replay;
    gsl_rng_free(r);
}

START_TEST(test_two_way_directions)
{
    synth y;
    two_way(&y, 8);
    replay_analysis_params p;
    replay_analysis_params_default(&p);
    p.bin_cm = 5;
    p.run_dir = 0;
    p.seed = 11;
    replay_spikes s = synth_run_spikes(&y.run, 2 * N_HALF);
    replay_traj tr = synth_run_traj(&y.run);
    replay_result r;
    hs_error err;
    ck_assert_int_eq(replay_analysis_run(&p, &s, y.ph, 2, &tr, &r, &err), HS_OK);
    ck_assert_uint_eq(r.n_place, 2 * N_HALF);
    size_t rank_sig = 0;
    for (size_t j = 0; j < y.n_replay; j++) {
        long k = planted_event(&r, SYNTH_WAKE_MS + (j + 0.5) * EVERY_MS);
        ck_assert_msg(k >= 0, "replay %zu not found", j);
        /* the -1 cells from 150 to 50 cm: forward; the +1 cells: reverse;
         * 30 cells a direction and background spikes blur the first-spike
         * order of some */
        if (r.p_value[k] < 0.05) {
            rank_sig++;
            ck_assert_int_eq(r.direction[k], j % 2 ? -1 : 1);
        }
        ck_assert_double_ge(r.p_value[k], 2.0 / 1001);    /* Bonferroni over 2 */
        ck_assert_int_eq(r.significant[k], 1);
        ck_assert_double_lt(r.slope_cm_per_s[k], 0);
        ck_assert_double_lt(fabs(r.compression[k] - 15), 0.3 * 15);
    }
    ck_assert_uint_ge(rank_sig, y.n_replay - 2);
    replay_result_free(&r);
    synth_run_free(&y.run);
}
END_TEST

Suite *analysis_suite(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_planted_replays);
    tcase_add_test(tc, test_two_way_directions);
    tcase_add_test(tc, test_threads_bitwise);
    tcase_add_test(tc, test_elsewhere_phase);
    tcase_add_test(tc, test_no_runs_no_events);
    suite_add_tcase(s, tc);
    return s;
}
