/* Replay detection at the end of a run (app/detect.c), end to end on tiny
 * runs of the binary: sequences played into a small network are found in
 * /replay/events with every column and its units, forward and significant,
 * and in the run's and info's replay lines; a REM phase playing the lap at
 * the rat's speed matches the template at factor 1 in /replay/template;
 * the slow oscillation's up states land in /sleep/up_states and label each
 * event's peak (in_up_state). HS_BIN names the binary. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/shell.h"
#include "suites.h"

/* Writes an experiment with write_yaml to <sh_dir>/<name>.yaml and runs it
 * quietly with n_threads threads into h5 = <sh_dir>/<name>.h5 (h5 holds
 * 128 bytes); the run succeeds and out (cap bytes) receives what it
 * printed. */
static void run_written(void (*write_yaml)(const char *), const char *name, int n_threads,
                        char *h5, char *out, size_t cap)
{
    char yaml[128];
    snprintf(yaml, sizeof yaml, "%s/%s.yaml", sh_dir, name);
    snprintf(h5, 128, "%s/%s.h5", sh_dir, name);
    write_yaml(yaml);
    ck_assert_int_eq(sh_run(out, cap, "%s run %s -o %s --quiet --threads %d", sh_bin(), yaml, h5,
                         n_threads), 0);
}

/* A tiny run with replay detection: place cells drive pc one to one on a
 * one-way 100 cm track (wake after a first sleep), then in the last sleep
 * a spike_times population plays the fields' order three times, 4 ms per
 * cell, into pc. /replay/events holds the three events, forward and
 * significant, with every column and its units; /behavior starts with the
 * wake phase; run and info print the replay lines. */
static void replay_yaml(const char *path)
{
    static char y[1 << 16];
    int n = snprintf(y, sizeof y,
        "simulation: {dt_ms: 0.1, seed: 1}\n"
        "task: {track: linear, length_cm: 100, laps: 3, speed_cm_s: 25, pause_s: 2,"
        " one_way: true}\n"
        "populations:\n"
        "  place: {model: place_cells, size: 60, params: {field_fraction: 1, sigma_cm: 7,"
        " peak_hz: 20, out_hz: 0.1, directional: 1}}\n"
        "  pc: {model: lif_coba, size: 60}\n"
        "  seq:\n    model: spike_times\n    size: 60\n    spikes:\n      times_ms: [");
    for (int e = 0; e < 3; e++)
        for (int i = 0; i < 60; i++)
            n += snprintf(y + n, sizeof y - (size_t)n, "%s%d", e || i ? ", " : "",
                          25500 + 4000 * e + 4 * i);
    n += snprintf(y + n, sizeof y - (size_t)n, "]\n      ids: [");
    for (int e = 0; e < 3; e++)
        for (int i = 0; i < 60; i++)
            n += snprintf(y + n, sizeof y - (size_t)n, "%s%d", e || i ? ", " : "", i);
    snprintf(y + n, sizeof y - (size_t)n, "]\n"
        "projections:\n"
        "  mf: {pre: place, post: pc, receptor: ex, weight: 25, delay_ms: 0.1,"
        " connect: {rule: one_to_one}}\n"
        "  sp: {pre: seq, post: pc, receptor: ex, weight: 25, delay_ms: 0.1,"
        " connect: {rule: one_to_one}}\n"
        "recording: {spikes: [pc]}\n"
        "schedule:\n"
        "  - {name: pre, stage: nrem, duration_ms: 2000}\n"
        "  - {name: run, stage: wake, duration_ms: 20000}\n"
        "  - {name: post, stage: nrem, duration_ms: 13000}\n"
        "replay: {population: pc, bin_cm: 5}\n");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(y, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void check_units(hid_t g, const char *name, const char *want)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    ck_assert_msg(d >= 0, "/replay/events/%s missing", name);
    hid_t a = H5Aopen(d, "units", H5P_DEFAULT);
    ck_assert_msg(a >= 0, "/replay/events/%s: no units", name);
    hid_t t = H5Aget_type(a);
    char *s = NULL;
    ck_assert_int_ge(H5Aread(a, t, &s), 0);
    ck_assert_msg(strcmp(s, want) == 0, "/replay/events/%s units '%s', want '%s'", name, s,
                  want);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    H5Dclose(d);
}

START_TEST(test_replay_events_in_file_and_info)
{
    static char out[1 << 16];
    char h5[128];
    run_written(replay_yaml, "replay", 1, h5, out, sizeof out);
    ck_assert_msg(strstr(out, "replay pc: 60 place cells"), "run: %s", out);
    ck_assert_msg(strstr(out, "  nrem       3 events in 2 phases, significant 100% (decoding), "
                              "100% (rank order), forward 100%"), "run: %s", out);
    ck_assert_msg(strstr(out, "  wake       0 events in 1 phase\n"), "run: %s", out);
    sh_assert_layout_ok(out, sizeof out, h5, 1, "the replay run");
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hid_t g = H5Gopen2(f, "/replay/events", H5P_DEFAULT);
    ck_assert_int_ge(g, 0);
    static const char *const cols[][2] = {
        {"start_ms", "ms"}, {"stop_ms", "ms"}, {"phase", ""}, {"n_cells", ""},
        {"rank_corr", ""}, {"p_value", ""}, {"score", ""}, {"direction", ""},
        {"slope_cm_per_s", "cm/s"}, {"compression", ""}, {"significant", ""},
        {"p_shift", ""}, {"p_perm", ""}};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        check_units(g, cols[k][0], cols[k][1]);
    H5Gclose(g);
    size_t n, nb;
    double *start =
        sh_h5_read_1d(f, "/replay/events/start_ms", H5T_NATIVE_DOUBLE, sizeof(double), &n);
    int8_t *dir = sh_h5_read_1d(f, "/replay/events/direction", H5T_NATIVE_INT8, 1, &n);
    uint8_t *sig = sh_h5_read_1d(f, "/replay/events/significant", H5T_NATIVE_UINT8, 1, &n);
    double *bt = sh_h5_read_1d(f, "/behavior/time", H5T_NATIVE_DOUBLE, sizeof(double), &nb);
    H5Fclose(f);
    ck_assert_uint_eq(n, 3);
    for (size_t k = 0; k < n; k++) {
        ck_assert_double_le(fabs(start[k] - (25500 + 4000.0 * (double)k)), 50);
        ck_assert_int_eq(dir[k], 1);
        ck_assert_int_eq(sig[k], 1);
    }
    /* the trajectory's clock starts with the wake phase, after the first sleep */
    ck_assert_double_eq(bt[0], 2000);
    ck_assert_double_lt(bt[nb - 1], 22000);
    free(start);
    free(dir);
    free(sig);
    free(bt);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_msg(strstr(out, "replay:      3 candidate events of pc"), "info: %s", out);
    ck_assert_msg(strstr(out, "  post                 3 events, significant: 3 rank order, "
                              "3 decoding; forward 100%, median |compression| "), "info: %s",
                  out);
    ck_assert_msg(strstr(out, "  pre                  0 events\n"), "info: %s", out);
}
END_TEST

/* A run with a slow oscillation and REM replay at behavioural speed: the
 * rat runs four laps of a one-way 100 cm track at a steady 25 cm/s (4 s a
 * lap, 1 s paused), NREM phases "pre" and "post" drive a (silent) Poisson
 * population with a slow oscillation, "post" holds the three fast
 * sequences of replay_yaml, and the REM phase "dream" plays the lap twice
 * at 25 cm/s: cell i three times around (i + 0.5) 100 / 60 cm / 25 cm/s
 * after each start. /replay/template finds factor 1 in "dream" with a
 * corrected p < 0.05; /sleep/up_states holds the up states of "pre" and
 * "post"; in_up_state says where each event's peak falls; run and info
 * print the template and up-state lines. */
enum { SLOW_PRE = 2000, SLOW_RUN = 21000, SLOW_POST = 10000, SLOW_REM = 12000 };
#define SLOW_POST0 (SLOW_PRE + SLOW_RUN)
#define SLOW_REM0 (SLOW_POST0 + SLOW_POST)

static void slow_yaml(const char *path)
{
    static char y[1 << 17];
    int n = snprintf(y, sizeof y,
        "simulation: {dt_ms: 0.1, seed: 3}\n"
        "task: {track: linear, length_cm: 100, laps: 4, speed_cm_s: 25, speed_sd_cm_s: 0,"
        " ramp_cm: 0, pause_s: 1, one_way: true}\n"
        "populations:\n"
        "  place: {model: place_cells, size: 60, params: {field_fraction: 1, sigma_cm: 7,"
        " peak_hz: 20, out_hz: 0.1, directional: 1}}\n"
        "  pc: {model: lif_coba, size: 60}\n"
        "  noise: {model: poisson, size: 1, params: {rate: 0}}\n"
        "  seq:\n    model: spike_times\n    size: 60\n    spikes:\n      times_ms: [");
    const char *sep = "";
    for (int e = 0; e < 3; e++, sep = ", ")       /* fast, in post */
        for (int i = 0; i < 60; i++)
            n += snprintf(y + n, sizeof y - (size_t)n, "%s%d", i ? ", " : sep,
                          SLOW_POST0 + 2500 + 3000 * e + 4 * i);
    for (int e = 0; e < 2; e++)                    /* at 25 cm/s, in dream */
        for (int i = 0; i < 60; i++)
            for (int k = -1; k <= 1; k++)
                n += snprintf(y + n, sizeof y - (size_t)n, ", %.1f",
                              SLOW_REM0 + 2000 + 5000 * e + (i + 0.5) * 100.0 / 60 / 25 * 1e3 +
                                  80.0 * k);
    n += snprintf(y + n, sizeof y - (size_t)n, "]\n      ids: [");
    sep = "";
    for (int e = 0; e < 3; e++, sep = ", ")
        for (int i = 0; i < 60; i++)
            n += snprintf(y + n, sizeof y - (size_t)n, "%s%d", i ? ", " : sep, i);
    for (int e = 0; e < 2; e++)
        for (int i = 0; i < 60; i++)
            n += snprintf(y + n, sizeof y - (size_t)n, ", %d, %d, %d", i, i, i);
    snprintf(y + n, sizeof y - (size_t)n, "]\n"
        "projections:\n"
        "  mf: {pre: place, post: pc, receptor: ex, weight: 25, delay_ms: 0.1,"
        " connect: {rule: one_to_one}}\n"
        "  sp: {pre: seq, post: pc, receptor: ex, weight: 25, delay_ms: 0.1,"
        " connect: {rule: one_to_one}}\n"
        "recording: {spikes: [pc]}\n"
        "schedule:\n"
        "  - {name: pre, stage: nrem, duration_ms: %d,"
        " drive: {noise: {pattern: slow_oscillation, up_ms: 800, down_ms: 250}}}\n"
        "  - {name: run, stage: wake, duration_ms: %d}\n"
        "  - {name: post, stage: nrem, duration_ms: %d,"
        " drive: {noise: {pattern: slow_oscillation, up_ms: 800, down_ms: 250}}}\n"
        "  - {name: dream, stage: rem, duration_ms: %d}\n"
        "replay: {population: pc, bin_cm: 5}\n", SLOW_PRE, SLOW_RUN, SLOW_POST, SLOW_REM);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(y, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* 1 when t lies in one of the n up states [a, b) that start in [t0, t1). */
static int in_up(double t, const double *a, const double *b, size_t n, double t0, double t1)
{
    for (size_t k = 0; k < n; k++)
        if (a[k] >= t0 && a[k] < t1 && t >= a[k] && t < b[k])
            return 1;
    return 0;
}

static void template_row_check(hid_t f)
{
    size_t n, nb;
    double *best = sh_h5_read_1d(f, "/replay/template/best_factor", H5T_NATIVE_DOUBLE,
                           sizeof(double), &n);
    double *p = sh_h5_read_1d(f, "/replay/template/p_best", H5T_NATIVE_DOUBLE, sizeof(double), &nb);
    ck_assert_uint_eq(n, 3);                     /* pre, post, dream */
    ck_assert_uint_eq(nb, 3);
    ck_assert_double_eq_tol(best[2], 1.0, 1e-9);
    ck_assert_double_lt(p[2], 0.05);
    free(best);
    free(p);
}

static void up_states_check(hid_t f)
{
    size_t nu, nv, ne, np;
    double *a =
        sh_h5_read_1d(f, "/sleep/up_states/start_ms", H5T_NATIVE_DOUBLE, sizeof(double), &nu);
    double *b =
        sh_h5_read_1d(f, "/sleep/up_states/stop_ms", H5T_NATIVE_DOUBLE, sizeof(double), &nv);
    ck_assert_uint_eq(nu, nv);
    size_t n_pre = 0, n_post = 0;
    for (size_t k = 0; k < nu; k++) {
        n_pre += a[k] < SLOW_PRE;
        n_post += a[k] >= SLOW_POST0 && a[k] < SLOW_REM0;
    }
    ck_assert_uint_ge(n_pre, 1);
    ck_assert_uint_ge(n_post, 5);                /* ~1 s a cycle over 10 s */
    ck_assert_uint_eq(n_pre + n_post, nu);
    double *peak =
        sh_h5_read_1d(f, "/replay/events/peak_ms", H5T_NATIVE_DOUBLE, sizeof(double), &ne);
    int8_t *up = sh_h5_read_1d(f, "/replay/events/in_up_state", H5T_NATIVE_INT8, 1, &np);
    ck_assert_uint_eq(ne, np);
    size_t in_post = 0;
    for (size_t k = 0; k < ne; k++) {
        if (peak[k] >= SLOW_POST0 && peak[k] < SLOW_REM0) {
            in_post++;
            ck_assert_int_eq(up[k], in_up(peak[k], a, b, nu, SLOW_POST0, SLOW_REM0));
        } else {
            ck_assert_int_eq(up[k], -1);         /* run, dream: no slow oscillation */
        }
    }
    ck_assert_uint_ge(in_post, 3);
    free(a);
    free(b);
    free(peak);
    free(up);
}

START_TEST(test_rem_template_and_up_states_in_file)
{
    static char out[1 << 16];
    char h5[128];
    run_written(slow_yaml, "slow", 2, h5, out, sizeof out);
    ck_assert_msg(strstr(out, "  rem template (Louie & Wilson 2001): dream best factor 1.00x "
                              "(p 0.0448)"), "run: %s", out);
    sh_assert_layout_ok(out, sizeof out, h5, 1, "the slow run");
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    template_row_check(f);
    up_states_check(f);
    H5Fclose(f);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_msg(strstr(out, "template:    60 place cells of pc, 4 laps of 4.0 s in 500 ms "
                              "bins, 200 shuffles"), "info: %s", out);
    ck_assert_msg(strstr(out, "  dream            best factor 1.00x, p 0.0448 (Bonferroni "
                              "over 9 factors)\n"), "info: %s", out);
    ck_assert_msg(strstr(out, "up states:   "), "info: %s", out);
    ck_assert_msg(strstr(out, " of events, "), "info: %s", out);
}
END_TEST

Suite *detect_suite(void)
{
    Suite *s = suite_create("detect");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, sh_dir_make, sh_dir_remove);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_replay_events_in_file_and_info);
    tcase_add_test(tc, test_rem_template_and_up_states_in_file);
    suite_add_tcase(s, tc);
    return s;
}
