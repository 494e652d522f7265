/* The default experiment, shortened to its learning and one NREM or REM
 * phase: after 142 s on the track, NREM bursts replay the track (rank order
 * and decoding) and REM replays it at about the speed of running (template
 * matching), and with the learned weights shuffled among the synapses
 * before sleep (experiments/linear_track_shuffled.yaml's control) replay
 * is at chance: the learned structure, not the weights' distribution,
 * makes it. Runs the binary, reads /replay/events and /replay/template. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../lib/shell.h"
#include "suites.h"

typedef struct replay_counts {
    size_t events, rank_sig, decoded, forward;
} replay_counts;

static double *column(hid_t f, const char *name, size_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_int_ge(d, 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(sp, dims, NULL);
    double *v = malloc((dims[0] ? dims[0] : 1) * sizeof *v);
    ck_assert_int_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Sclose(sp);
    H5Dclose(d);
    *n = (size_t)dims[0];
    return v;
}

/* The default experiment's learning (142 s on the track) followed by one
 * sleep phase (YAML, with its own settings), run by the binary; returns the
 * file opened read-only (already unlinked, gone when closed). tag names
 * the run. */
static hid_t after_track(const char *tag, const char *sleep_phase)
{
    char out[256], cmd[4096];
    snprintf(out, sizeof out, "/tmp/hs_sleep_%d_%s.h5", (int)getpid(), tag);
    snprintf(cmd, sizeof cmd,
             "%s run experiments/linear_track.yaml -o %s --overwrite --quiet --threads 1 "
             "--set 'schedule=[{name: run, stage: wake, duration_ms: 142000, "
             "gains: {ee: {transmission: 0.1, downscale: 0}}}, %s]' >/dev/null 2>&1",
             sh_bin(), out, sleep_phase);
    ck_assert_int_eq(system(cmd), 0);
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    unlink(out);
    return f;
}

/* One NREM phase after the track, shuffling the recurrent weights first
 * when shuffle is set. Keep the phase in step with
 * experiments/linear_track.yaml. */
static replay_counts short_run(int shuffle)
{
    char phase[1024];
    snprintf(phase, sizeof phase,
             "{name: nrem, stage: nrem, duration_ms: 20000, %s"
             "gains: {ee: {stdp: 0, transmission: 1.9}, pb: {transmission: 0.7}}, "
             "set: {noise: {rate: 12}, pc: {b_g: 3, tau_syn_in: 15}}, "
             "drive: {noise: {pattern: slow_oscillation, up_ms: 800, down_ms: 250}}}",
             shuffle ? "shuffle: [ee], " : "");
    hid_t f = after_track(shuffle ? "nrem_shuffled" : "nrem", phase);
    size_t n, n2, n3;
    double *p = column(f, "/replay/events/p_value", &n);
    double *sig = column(f, "/replay/events/significant", &n2);
    double *dir = column(f, "/replay/events/direction", &n3);
    ck_assert_uint_eq(n, n2);
    ck_assert_uint_eq(n, n3);
    replay_counts c = {.events = n};
    for (size_t i = 0; i < n; i++) {
        c.rank_sig += p[i] < 0.05;
        c.decoded += sig[i] > 0;
        c.forward += p[i] < 0.05 && dir[i] > 0;
    }
    free(p);
    free(sig);
    free(dir);
    H5Fclose(f);
    return c;
}

/* One REM phase after the track (shuffled weights, or without the
 * afterdepolarization, on request); the best time-scale factor of its
 * template match and the factor's corrected p. Keep the phase in step with
 * experiments/linear_track.yaml. */
static void short_rem(int shuffle, int adp, double *factor, double *p_best)
{
    char phase[1024], tag[32];
    snprintf(phase, sizeof phase,
             "{name: rem, stage: rem, duration_ms: 45000, %s"
             "gains: {ee: {stdp: 0, downscale: 0, transmission: 1.0}, pb: {transmission: 1.0}, "
             "bp: {transmission: 3.0}}, "
             "set: {noise: {rate: 15}, pc: {b_adp: %g, tau_adp: 150, b_g: 0.5, tau_a: 800}}, "
             "drive: {noise: {pattern: theta, freq_hz: 7, depth: 1}}}",
             shuffle ? "shuffle: [ee], " : "", adp ? 1.5 : 0.0);
    snprintf(tag, sizeof tag, "rem_%d%d", shuffle, adp);
    hid_t f = after_track(tag, phase);
    size_t n, n2;
    double *fb = column(f, "/replay/template/best_factor", &n);
    double *p = column(f, "/replay/template/p_best", &n2);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(n2, 1);
    *factor = fb[0];
    *p_best = p[0];
    free(fb);
    free(p);
    H5Fclose(f);
}

/* Louie & Wilson 2001: REM replay at about the speed of behaviour
 * (SCIENCE.md: 0.5-2x); with shuffled weights no factor matches, and
 * without the afterdepolarization that holds the moving bump REM has only
 * compressed bursts, which match best above 2x. */
START_TEST(test_rem_replay_at_running_speed)
{
    double f, p, fs, ps, f0, p0;
    short_rem(0, 1, &f, &p);
    short_rem(1, 1, &fs, &ps);
    short_rem(0, 0, &f0, &p0);
    ck_assert_double_ge(f, 0.5);
    ck_assert_double_le(f, 2.0);
    ck_assert_double_lt(p, 0.05);
    ck_assert_double_ge(ps, 0.05);
    ck_assert_double_gt(f0, 2.0);
}
END_TEST

START_TEST(test_replay_beats_shuffled_control)
{
    replay_counts learned = short_run(0), shuffled = short_run(1);
    /* most bursts replay the track forward */
    ck_assert_uint_ge(learned.events, 8);
    ck_assert_uint_ge(learned.rank_sig, learned.events / 2);
    ck_assert_uint_ge(learned.forward, learned.rank_sig * 9 / 10);
    ck_assert_uint_ge(learned.decoded, 2);
    /* chance: at most 5 % + 3 SE of the control's events, if it has any */
    double n = (double)shuffled.events;
    ck_assert_double_le((double)shuffled.rank_sig, 0.05 * n + 3 * sqrt(0.05 * 0.95 * n) + 1);
    ck_assert_uint_gt(learned.rank_sig, shuffled.rank_sig);
    ck_assert_uint_gt(learned.decoded, shuffled.decoded);
}
END_TEST

Suite *sleep_suite(void)
{
    Suite *s = suite_create("sleep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_replay_beats_shuffled_control);
    tcase_add_test(tc, test_rem_replay_at_running_speed);
    suite_add_tcase(s, tc);
    return s;
}
