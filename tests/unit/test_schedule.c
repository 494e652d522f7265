/* The schedule's phase settings (sim/schedule.h) against what they
 * promise: a Poisson drive's slow oscillation silences the source in its
 * down states (replay/drive.h draws them: test_drive.c); theta modulates the
 * spikes with the resultant length the envelope predicts; transmission g
 * gives the same run as weights x g (a second code path); set changes a
 * rate for one phase; place cells are silent asleep and back on the track
 * afterwards; shuffled weights keep their multiset and are the same for
 * 1, 2 and 4 threads; repeats number their phases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../replay/drive.h"
#include "suites.h"
#include "../lib/testutil.h"

#define PI 3.14159265358979323846

static size_t count(const tu_spikes *s, uint32_t pop, double t0, double t1)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->pop[i] == pop && s->t_ms[i] > t0 && s->t_ms[i] <= t1;
    return n;
}

/* One Poisson population whose phases set rate and drive. */
static hs_config *source_config(const char *phases)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "simulation: {dt_ms: 0.1, seed: 5}\n"
             "populations:\n"
             "  src: {model: poisson, size: 200, params: {rate: 20}}\n"
             "recording: {spikes: [src]}\n"
             "schedule:\n%s", phases);
    return tu_config(yaml, NULL, 0);
}

START_TEST(test_drive_slow_oscillation_silences_down_states)
{
    hs_config *c = source_config(
        "  - {name: a, stage: nrem, duration_ms: 20000,\n"
        "     drive: {src: {pattern: slow_oscillation, up_ms: 600, down_ms: 300}}}\n");
    tu_spikes *s = tu_run_schedule(c, 2, NULL);
    drive d;
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(drive_init(&d, &c->phases[0].drive[0], 0.1, 0, 200000, 5, 0, 0, &err),
                     HS_OK);
    size_t n = drive_up_states(&d, NULL, NULL, 0);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    drive_up_states(&d, a, b, n);
    size_t in_up = 0;
    double up_ms = 0;
    for (size_t k = 0; k < n; k++) {
        in_up += count(s, 0, a[k], b[k]);
        up_ms += b[k] - a[k];
    }
    /* every spike falls in an up state, at the full rate there */
    ck_assert_uint_eq(in_up, s->n);
    double expect = 200 * 20 * up_ms * 1e-3;
    ck_assert_double_le(fabs((double)in_up - expect), 4 * sqrt(expect));
    free(a);
    free(b);
    drive_free(&d);
    tu_spikes_free(s);
    experiment_free(c);
}
END_TEST

START_TEST(test_drive_theta_resultant)
{
    hs_config *c = source_config(
        "  - {name: a, stage: rem, duration_ms: 20000,\n"
        "     drive: {src: {pattern: theta, freq_hz: 7, depth: 0.6}}}\n");
    tu_spikes *s = tu_run_schedule(c, 2, NULL);
    /* spikes at the rate (1 + d cos phi) / (1 + d): resultant length d / 2
     * and mean rate 20 / (1 + d) */
    double cs = 0, sn = 0;
    for (size_t i = 0; i < s->n; i++) {
        double ph = 2 * PI * 7 * (s->t_ms[i] - 0.1) * 1e-3;
        cs += cos(ph);
        sn += sin(ph);
    }
    double n = (double)s->n, R = sqrt(cs * cs + sn * sn) / n;
    ck_assert_double_le(fabs(R - 0.3), 3 / sqrt(2 * n));
    double expect = 200 * 20 / 1.6 * 20;
    ck_assert_double_le(fabs(n - expect), 4 * sqrt(expect));
    tu_spikes_free(s);
    experiment_free(c);
}
END_TEST

START_TEST(test_set_rate_per_phase)
{
    hs_config *c = source_config("  - {name: a, stage: wake, duration_ms: 5000}\n"
                                 "  - {name: b, stage: nrem, duration_ms: 5000,\n"
                                 "     set: {src: {rate: 5}}}\n"
                                 "  - {name: c, stage: wake, duration_ms: 5000}\n");
    tu_spikes *s = tu_run_schedule(c, 1, NULL);
    const double rate[3] = {20, 5, 20};
    for (int k = 0; k < 3; k++) {
        double n = (double)count(s, 0, 5000.0 * k, 5000.0 * (k + 1));
        double expect = 200 * rate[k] * 5;
        ck_assert_double_le(fabs(n - expect), 4 * sqrt(expect));
    }
    tu_spikes_free(s);
    experiment_free(c);
}
END_TEST

/* src -> dst one to one, with the weight and a phase's transmission. */
static hs_config *relay_config(double weight, double transmission)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "simulation: {dt_ms: 0.1, seed: 9}\n"
             "populations:\n"
             "  src: {model: poisson, size: 100, params: {rate: 400}}\n"
             "  dst: {model: lif_coba, size: 100}\n"
             "projections:\n"
             "  p: {pre: src, post: dst, receptor: ex, weight: %.17g, delay_ms: 1,\n"
             "      connect: {rule: one_to_one}}\n"
             "recording: {spikes: [dst]}\n"
             "schedule:\n"
             "  - {name: a, stage: wake, duration_ms: 2000, gains: {p: {transmission: %.17g}}}\n",
             weight, transmission);
    return tu_config(yaml, NULL, 0);
}

START_TEST(test_transmission_is_weight_factor)
{
    hs_config *a = relay_config(1.5, 2), *b = relay_config(3, 1), *z = relay_config(3, 0);
    tu_spikes *sa = tu_run_schedule(a, 2, NULL), *sb = tu_run_schedule(b, 1, NULL);
    tu_spikes *sz = tu_run_schedule(z, 1, NULL);
    ck_assert_uint_gt(sb->n, 1000);
    ck_assert(tu_spikes_equal(sa, sb));
    ck_assert_uint_eq(count(sz, 1, 0, 2000), 0);
    tu_spikes_free(sa);
    tu_spikes_free(sb);
    tu_spikes_free(sz);
    experiment_free(a);
    experiment_free(b);
    experiment_free(z);
}
END_TEST

START_TEST(test_place_cells_asleep_are_silent)
{
    hs_config *c = tu_config(
        "simulation: {dt_ms: 0.1, seed: 3}\n"
        "task: {track: linear, length_cm: 100, laps: 4, speed_cm_s: 25, pause_s: 1}\n"
        "populations:\n"
        "  place: {model: place_cells, size: 100, params: {field_fraction: 1, out_hz: 1}}\n"
        "recording: {spikes: [place]}\n"
        "schedule:\n"
        "  - {name: pre, stage: nrem, duration_ms: 3000}\n"
        "  - {name: run, stage: wake, duration_ms: 4000}\n"
        "  - {name: rest, stage: rest, duration_ms: 3000}\n"
        "  - {name: run2, stage: wake, duration_ms: 4000}\n",
        NULL, 0);
    tu_spikes *s = tu_run_schedule(c, 2, NULL);
    ck_assert_uint_eq(count(s, 0, 0, 3000), 0);
    /* out_hz alone would give 400 +- 20 spikes in 4 s; running through
     * the fields gives far more */
    double out_only = 100 * 1.0 * 4;
    ck_assert_double_gt((double)count(s, 0, 3000, 7000), out_only + 10 * sqrt(out_only));
    /* rest: the rat holds still, so every cell fires at out_hz */
    double rest = (double)count(s, 0, 7000, 10000), expect = 100 * 1.0 * 3;
    ck_assert_double_le(fabs(rest - expect), 4 * sqrt(expect));
    /* the trajectory resumes where it was: the second run phase covers the
     * laps after the first, so both are place driven */
    ck_assert_double_gt((double)count(s, 0, 10000, 14000), out_only + 10 * sqrt(out_only));
    /* wake phases map run time to the trajectory's clock */
    ck_assert_double_eq(schedule_path_run_ms(c, 0), 3000);
    ck_assert_double_eq(schedule_path_run_ms(c, 4500), 10500);
    ck_assert(isnan(schedule_path_run_ms(c, 8000)));
    tu_spikes_free(s);
    experiment_free(c);
}
END_TEST

START_TEST(test_set_activates_dormant_neurons)
{
    /* Silent cells go dormant (skip_quiet); a phase that raises I_e above
     * threshold must activate them: the same spikes as never dormant. */
    const char *yaml =
        "simulation: {dt_ms: 0.1, seed: 2, skip_quiet: %s}\n"
        "populations:\n"
        "  c: {model: lif_coba, size: 100}\n"
        "recording: {spikes: [c]}\n"
        "schedule:\n"
        "  - {name: a, stage: nrem, duration_ms: 500}\n"
        "  - {name: b, stage: nrem, duration_ms: 500, set: {c: {I_e: 300}}}\n";
    char text[1024];
    tu_spikes *s[2];
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text, yaml, k ? "false" : "true");
        hs_config *c = tu_config(text, NULL, 0);
        s[k] = tu_run_schedule(c, 2, NULL);
        experiment_free(c);
    }
    ck_assert_uint_eq(count(s[0], 0, 0, 500), 0);
    ck_assert_uint_ge(count(s[0], 0, 500, 1000), 100);
    ck_assert(tu_spikes_equal(s[0], s[1]));
    tu_spikes_free(s[0]);
    tu_spikes_free(s[1]);
}
END_TEST

/* Phase a drives the cells with a spike-triggered conductance (state
 * variable var, time constant tau ms) switched on by params; in phase b
 * (no drive, its increment set to 0 by off, no spikes) it must go on
 * decaying as the exact exponential. */
static void check_decays_after_switch_off(const char *params, const char *off, size_t var,
                                          double tau)
{
    char text[1024], phase_b[256];
    snprintf(phase_b, sizeof phase_b,
             "  - {name: b, stage: nrem, duration_ms: 300, set: {c: {%s, I_e: 0}}}\n", off);
    network *net[2];
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text,
                 "simulation: {dt_ms: 0.1, seed: 2}\n"
                 "populations:\n"
                 "  c: {model: lif_coba, size: 64, params: {%s, I_e: 300}}\n"
                 "recording: {spikes: [c]}\n"
                 "schedule:\n"
                 "  - {name: a, stage: nrem, duration_ms: 200}\n"
                 "%s",
                 params, k ? phase_b : "");
        hs_config *c = tu_config(text, NULL, 0);
        tu_spikes *s = tu_run_schedule(c, 2, &net[k]);
        ck_assert_uint_gt(count(s, 0, 0, 200), 64);
        ck_assert_uint_eq(count(s, 0, 200, 500), 0);
        tu_spikes_free(s);
        experiment_free(c);
    }
    const double *g0 = net[0]->pops[0].state.var[var], *g1 = net[1]->pops[0].state.var[var];
    double P = exp(-0.1 / tau);
    for (size_t i = 0; i < 64; i++) {
        double want = g0[i];
        for (int n = 0; n < 3000; n++)
            want *= P;
        ck_assert_double_gt(g0[i], 0.5);
        ck_assert_double_eq_tol(g1[i], want, 1e-12 * g0[i]);
    }
    tu_network_free(net[0]);
    tu_network_free(net[1]);
}

START_TEST(test_adaptation_decays_after_it_is_switched_off)
{
    check_decays_after_switch_off("b_g: 2, tau_a: 150", "b_g: 0", 3, 150);
}
END_TEST

/* b_adp alone marks the population: g_adp too keeps decaying. */
START_TEST(test_afterdepolarization_decays_after_it_is_switched_off)
{
    check_decays_after_switch_off("b_adp: 0.1, tau_adp: 200", "b_adp: 0", 4, 200);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(test_shuffle_keeps_weights_any_threads)
{
    const char *yaml =
        "simulation: {dt_ms: 0.1, seed: 21}\n"
        "populations:\n"
        "  a: {model: poisson, size: 70, params: {rate: 0}}\n"
        "  b: {model: lif_coba, size: 150}\n"
        "projections:\n"
        "  p: {pre: a, post: b, receptor: ex, delay_ms: 1,\n"
        "      weight: {dist: uniform, low: 0, high: 1},\n"
        "      connect: {rule: fixed_probability, p: 0.3}}\n"
        "schedule:\n"
        "  - {name: s, stage: nrem, duration_ms: 1, shuffle: [p]}\n";
    hs_config *c = tu_config(yaml, NULL, 0);
    hs_error err;
    hs_error_clear(&err);
    network *orig = tu_network_build(c, 1, &err), *n[3];
    size_t m = orig->n_syn;
    uint64_t *pre = malloc(m * sizeof *pre), *post = malloc(m * sizeof *post);
    double *w0 = malloc(m * sizeof *w0), *w[3];
    ck_assert_uint_eq(weights_local(orig, 0, pre, post, w0), m);
    const int threads[3] = {1, 2, 4};
    for (int k = 0; k < 3; k++) {
        tu_spikes_free(tu_run_schedule(c, threads[k], &n[k]));
        w[k] = malloc(m * sizeof *w[k]);
        ck_assert_uint_eq(weights_local(n[k], 0, pre, post, w[k]), m);
    }
    ck_assert_mem_eq(w[0], w[1], m * sizeof *w[0]);
    ck_assert_mem_eq(w[0], w[2], m * sizeof *w[0]);
    size_t moved = 0;
    for (size_t i = 0; i < m; i++)
        moved += w[0][i] != w0[i];
    ck_assert_uint_gt(moved, m * 9 / 10);
    qsort(w0, m, sizeof *w0, cmp_double);
    qsort(w[0], m, sizeof *w[0], cmp_double);
    ck_assert_mem_eq(w0, w[0], m * sizeof *w0);
    for (int k = 0; k < 3; k++) {
        free(w[k]);
        tu_network_free(n[k]);
    }
    tu_network_free(orig);
    free(pre);
    free(post);
    free(w0);
    experiment_free(c);
}
END_TEST

START_TEST(test_repeat_names_phases)
{
    hs_config *c = source_config("  - {name: pre, stage: nrem, duration_ms: 10}\n"
                                 "  - repeat: 3\n"
                                 "    phases:\n"
                                 "      - {name: nrem, stage: nrem, duration_ms: 20}\n"
                                 "      - {name: rem, stage: rem, duration_ms: 5,\n"
                                 "         set: {src: {rate: 3}}}\n");
    ck_assert_uint_eq(c->n_phases, 7);
    const char *want[7] = {"pre", "nrem_1", "rem_1", "nrem_2", "rem_2", "nrem_3", "rem_3"};
    for (int k = 0; k < 7; k++)
        ck_assert_str_eq(c->phases[k].name, want[k]);
    ck_assert_double_eq(c->duration_ms, 10 + 3 * 25);
    ck_assert_double_eq(c->phases[6].pop_params[0], 3);
    ck_assert_double_eq(c->phases[5].pop_params[0], 20);
    experiment_free(c);
}
END_TEST

Suite *schedule_suite(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_drive_slow_oscillation_silences_down_states);
    tcase_add_test(tc, test_drive_theta_resultant);
    tcase_add_test(tc, test_set_rate_per_phase);
    tcase_add_test(tc, test_transmission_is_weight_factor);
    tcase_add_test(tc, test_place_cells_asleep_are_silent);
    tcase_add_test(tc, test_shuffle_keeps_weights_any_threads);
    tcase_add_test(tc, test_repeat_names_phases);
    tcase_add_test(tc, test_set_activates_dormant_neurons);
    tcase_add_test(tc, test_adaptation_decays_after_it_is_switched_off);
    tcase_add_test(tc, test_afterdepolarization_decays_after_it_is_switched_off);
    suite_add_tcase(s, tc);
    return s;
}
