/* REM template matching over a run (replay/template_run.h) on a synthetic
 * run: a rat runs ten laps of a one-way 200 cm track at 25 cm/s past 60
 * Gaussian place fields (8 s running, 2 s paused each), then an NREM phase
 * of background, a REM phase holding two laps replayed at behavioural
 * speed (factor 1) and a REM phase of background. The laps are found with
 * their running time, the planted REM phase matches at factor 1 with a
 * corrected p < 0.05 where the planted laps are, the others are scanned
 * too, and 1 and 2 threads give the same results, bit for bit. */
#include <math.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "../../replay/template_run.h"
#include "../lib/synth_run.h"
#include "suites.h"

#define SLEEP_MS 40000.0
#define PLANT1_MS (SYNTH_WAKE_MS + SLEEP_MS + 8000.0)   /* the planted laps, in the REM phase */
#define PLANT2_MS (SYNTH_WAKE_MS + SLEEP_MS + 24000.0)

typedef struct run_synth {
    synth_run run;
    replay_phase ph[4];      /* wake, nrem, rem (planted), rem (background) */
    uint8_t is_place[SYNTH_N_CELLS];
} run_synth;

/* Background over [t0, t1), and a lap at behavioural speed from each
 * plant[j] (the cells at their field rates). */
static void sleep_phase(run_synth *y, gsl_rng *r, double t0, double t1, const double *plant,
                        size_t n_plant)
{
    const double dt = 1.0;
    for (double t = t0; t < t1; t += dt)
        for (size_t i = 0; i < SYNTH_N_CELLS; i++)
            synth_spike_maybe(r, &y->run.s, t, dt, i, SYNTH_BACKGROUND_HZ);
    for (size_t j = 0; j < n_plant; j++)
        for (double u = 0; u < SYNTH_RUN_MS; u += dt)
            for (size_t i = 0; i < SYNTH_N_CELLS; i++) {
                double hz = synth_field_hz(i, SYNTH_RUN_CM_S * 1e-3 * u);
                synth_spike_maybe(r, &y->run.s, plant[j] + u, dt, i, hz);
            }
}

static void synth_make(run_synth *y, unsigned long seed)
{
    memset(y, 0, sizeof *y);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    synth_run_one_way(&y->run, r);
    double a = SYNTH_WAKE_MS, b = a + SLEEP_MS, c = b + SLEEP_MS, d = c + SLEEP_MS;
    y->ph[0] = (replay_phase){"wake", 0, a, 0};
    y->ph[1] = (replay_phase){"nrem", a, b, 0};
    y->ph[2] = (replay_phase){"rem", b, c, 0};
    y->ph[3] = (replay_phase){"rem", c, d, 0};
    const double plant[2] = {PLANT1_MS, PLANT2_MS};
    sleep_phase(y, r, a, b, NULL, 0);
    sleep_phase(y, r, b, c, plant, 2);
    sleep_phase(y, r, c, d, NULL, 0);
    for (size_t i = 0; i < SYNTH_N_CELLS; i++)
        y->is_place[i] = i < SYNTH_N_FIELD;
    gsl_rng_free(r);
}

static void scan(const run_synth *y, int n_threads, const uint8_t *is_place,
                 replay_template_run *out)
{
    replay_template_run_params p;
    replay_template_run_params_default(&p);
    p.seed = 5;
    p.n_threads = n_threads;
    replay_spikes s = synth_run_spikes(&y->run, SYNTH_N_CELLS);
    replay_traj tr = synth_run_traj(&y->run);
    hs_error err;
    hs_error_clear(&err);
    int rc = replay_template_run_phases(&p, &s, is_place, y->ph, 4, &tr, out, &err);
    ck_assert_msg(rc == HS_OK, "replay_template_run_phases: %s", err.msg);
}

START_TEST(test_run_planted_rem_at_behavioural_speed)
{
    run_synth y;
    synth_make(&y, 3);
    replay_template_run r;
    scan(&y, 1, y.is_place, &r);
    ck_assert_ptr_null(r.why);
    ck_assert_uint_eq(r.n_cells, SYNTH_N_FIELD);
    ck_assert_uint_eq(r.n_laps, SYNTH_LAPS);
    ck_assert_double_eq(r.lap_ms, SYNTH_RUN_MS);       /* the pauses left out */
    ck_assert_uint_eq(r.n_bins, 16);
    ck_assert_uint_eq(r.n, 3);                   /* nrem and both rem, not wake */
    ck_assert_uint_eq(r.phase[0], 1);
    ck_assert_uint_eq(r.phase[1], 2);
    ck_assert_uint_eq(r.phase[2], 3);
    const replay_template_result *rem = &r.res[1];
    ck_assert_uint_lt(rem->best, rem->n_factors);
    ck_assert_double_eq_tol(rem->factor[rem->best], 1.0, 1e-9);
    ck_assert_double_lt(rem->p_best, 0.05);
    double at = rem->t_best_ms[rem->best];
    ck_assert_msg(fabs(at - PLANT1_MS) <= 500 || fabs(at - PLANT2_MS) <= 500,
                  "best window at %g ms", at);
    /* background alone: no match */
    ck_assert_double_ge(r.res[0].p_best, 0.05);
    ck_assert_double_ge(r.res[2].p_best, 0.05);
    /* threads do not change a bit */
    replay_template_run two;
    scan(&y, 2, y.is_place, &two);
    ck_assert_uint_eq(two.n, r.n);
    ck_assert_mem_eq(two.phase, r.phase, r.n * sizeof *r.phase);
    ck_assert_mem_eq(two.res, r.res, r.n * sizeof *r.res);
    replay_template_run_free(&two);
    replay_template_run_free(&r);
    synth_run_free(&y.run);
}
END_TEST

START_TEST(test_run_without_template)
{
    run_synth y;
    synth_make(&y, 4);
    replay_template_run r;
    scan(&y, 1, NULL, &r);
    ck_assert_str_eq(r.why, "no place cell");
    ck_assert_uint_eq(r.n, 0);
    ck_assert_ptr_null(r.res);
    replay_template_run_free(&r);
    /* a template bin longer than half a lap */
    replay_template_run_params p;
    replay_template_run_params_default(&p);
    p.tp.bin_ms = 5000;
    replay_spikes s = synth_run_spikes(&y.run, SYNTH_N_CELLS);
    replay_traj tr = synth_run_traj(&y.run);
    hs_error err;
    ck_assert_int_eq(replay_template_run_phases(&p, &s, y.is_place, y.ph, 4, &tr, &r, &err),
                     HS_OK);
    ck_assert_str_eq(r.why, "a lap is shorter than two bins");
    ck_assert_uint_eq(r.n_laps, SYNTH_LAPS);
    ck_assert_uint_eq(r.n, 0);
    replay_template_run_free(&r);
    /* sleep only: no lap */
    replay_traj none = {NULL, NULL, NULL, NULL, 0};
    replay_template_run_params_default(&p);
    ck_assert_int_eq(replay_template_run_phases(&p, &s, y.is_place, y.ph, 4, &none, &r, &err),
                     HS_OK);
    ck_assert_str_eq(r.why, "no complete lap");
    replay_template_run_free(&r);
    /* bad input */
    p.tp.n_shuffle = 179;
    ck_assert_int_eq(replay_template_run_phases(&p, &s, y.is_place, y.ph, 4, &tr, &r, &err),
                     HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "n_shuffle"));
    replay_template_run_params_default(&p);
    s.n_cells = SYNTH_N_CELLS - 1;
    ck_assert_int_eq(replay_template_run_phases(&p, &s, y.is_place, y.ph, 4, &tr, &r, &err),
                     HS_EINPUT);
    ck_assert_uint_eq(r.n, 0);
    synth_run_free(&y.run);
}
END_TEST

/* Laps by hand, samples every 100 ms: wake [0, 1000), nrem [1000, 2000),
 * wake [2000, 3000). Lap 0 runs 0-500 and pauses (complete, 600 ms of
 * running to its first paused sample); lap 1 runs from 800 ms into the end
 * of the phase (cut) and on after the sleep (not a new start); lap 2 runs
 * 2500-2900 and the trajectory ends (cut); lap 3, sampled in the sleep
 * only, does not count. */
START_TEST(test_run_laps_by_hand)
{
    double t[40];
    int8_t dir[40];
    uint32_t lap[40];
    double x[40] = {0};
    size_t n = 0;
    for (int k = 0; k < 10; k++, n++) {
        t[n] = 100.0 * k;
        dir[n] = (int8_t)(k <= 5 || k >= 8);
        lap[n] = k < 8 ? 0 : 1;
    }
    for (int k = 0; k < 3; k++, n++) {     /* in the sleep: ignored */
        t[n] = 1200.0 + 100.0 * k;
        dir[n] = 1;
        lap[n] = 3;
    }
    for (int k = 0; k < 10; k++, n++) {
        t[n] = 2000.0 + 100.0 * k;
        dir[n] = (int8_t)(k != 4);
        lap[n] = k < 5 ? 1 : 2;
    }
    replay_phase ph[3] = {{"wake", 0, 1000, 0}, {"nrem", 1000, 2000, 0}, {"wake", 2000, 3000, 0}};
    replay_traj tr = {t, x, dir, lap, n};
    replay_lap laps[40];
    ck_assert_uint_eq(replay_template_run_laps(&tr, ph, 3, laps), 1);
    ck_assert_double_eq(laps[0].start_ms, 0);
    ck_assert_double_eq(laps[0].run_ms, 600);
    ck_assert_double_eq(laps[0].phase_stop_ms, 1000);
    /* lap 1 ending in a pause after the sleep does not start a lap there */
    lap[17] = lap[18] = lap[19] = lap[20] = lap[21] = lap[22] = 1;
    dir[22] = 0;
    ck_assert_uint_eq(replay_template_run_laps(&tr, ph, 3, laps), 1);
    /* no lap array: one lap, cut by the sleep */
    tr.lap = NULL;
    ck_assert_uint_eq(replay_template_run_laps(&tr, ph, 3, laps), 0);
    /* a lap begun in a wake phase elsewhere and finished on the track is
     * not whole; the next one is */
    n = 0;
    for (int k = 0; k < 20; k++, n++) {
        t[n] = 500.0 + 100.0 * k;
        dir[n] = (int8_t)(k != 9 && k != 19);
        lap[n] = k < 10 ? 0 : 1;
    }
    replay_phase away[2] = {{"wake", 0, 1000, 1}, {"wake", 1000, 3000, 0}};
    replay_traj tw = {t, x, dir, lap, n};
    ck_assert_uint_eq(replay_template_run_laps(&tw, away, 2, laps), 1);
    ck_assert_double_eq(laps[0].start_ms, 1500);
}
END_TEST

Suite *template_run_suite(void)
{
    Suite *s = suite_create("template_run");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_run_planted_rem_at_behavioural_speed);
    tcase_add_test(tc, test_run_without_template);
    tcase_add_test(tc, test_run_laps_by_hand);
    suite_add_tcase(s, tc);
    return s;
}
