/* The command line, driven as a user would: exit codes, messages, `check`
 * on every shipped experiment, and a run file read back through HDF5
 * against the same run done in memory (a second code path), the h5py
 * layout check and h5dump. HS_BIN names the binary. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../io/h5out.h"
#include "shell.h"
#include "suites.h"
#include "testutil.h"

static char out_dir[64];

static void setup(void)
{
    strcpy(out_dir, "/tmp/hebbsleep-cli-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(out_dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", out_dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* tests/check_h5_layout.py accepts the run file h5 with its complete flag
 * complete; what names the run in the message. out (cap bytes) receives
 * what the checker printed. */
static void assert_layout_ok(char *out, size_t cap, const char *h5, int complete,
                             const char *what)
{
    int rc = sh_run(out, cap, "/usr/bin/python3 tests/check_h5_layout.py %s --expect-complete %d",
                 h5, complete);
    ck_assert_msg(rc == 0, "layout check of %s: %s", what, out);
}

/* Writes an experiment with write_yaml to <out_dir>/<name>.yaml and runs it
 * quietly with n_threads threads into h5 = <out_dir>/<name>.h5 (h5 holds
 * 128 bytes); the run succeeds and out (cap bytes) receives what it
 * printed. */
static void run_written(void (*write_yaml)(const char *), const char *name, int n_threads,
                        char *h5, char *out, size_t cap)
{
    char yaml[128];
    snprintf(yaml, sizeof yaml, "%s/%s.yaml", out_dir, name);
    snprintf(h5, 128, "%s/%s.h5", out_dir, name);
    write_yaml(yaml);
    ck_assert_int_eq(sh_run(out, cap, "%s run %s -o %s --quiet --threads %d", sh_bin(), yaml, h5,
                         n_threads), 0);
}

START_TEST(test_usage_and_exit_codes)
{
    static char out[65536];
    ck_assert_int_eq(sh_run(out, sizeof out, "%s --help", sh_bin()), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: hebbsleep run"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s --version", sh_bin()), 0);
    ck_assert_ptr_nonnull(strstr(out, "hebbsleep 0."));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "no command given"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s fly bench/coba.yaml", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown command 'fly'"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml --frobnicate", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown option '--frobnicate'"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml --threads 0", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "--threads needs a whole number"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run %s/missing.yaml", sh_bin(), out_dir), 2);
    ck_assert_ptr_nonnull(strstr(out, "missing.yaml"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s check bench/coba.yaml --set simulation.dt_ms=abc",
                         sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "--set simulation.dt_ms=abc"));
    ck_assert_int_eq(sh_run(out, sizeof out, "OMP_THREAD_LIMIT=1 %s run bench/cuba.yaml -o %s/t.h5 "
                         "--threads 2 --quiet", sh_bin(), out_dir), 1);
    ck_assert_ptr_nonnull(strstr(out, "OpenMP ran fewer threads than the 2 asked for"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s/none.h5", sh_bin(), out_dir), 2);
    ck_assert_ptr_nonnull(strstr(out, "none.h5"));
    /* an output directory that is missing, or a file, is named before the build */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s/no/such/t.h5", sh_bin(),
                         out_dir), 2);
    ck_assert_ptr_nonnull(strstr(out, "/no/such does not exist"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o README.md/t.h5", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "README.md is not a directory"));
    /* a network larger than the machine's memory is refused before it is built */
    char yaml[128], want[256];
    snprintf(yaml, sizeof yaml, "%s/huge.yaml", out_dir);
    FILE *f = fopen(yaml, "w");
    ck_assert_ptr_nonnull(f);
    fputs("simulation: {duration_ms: 10}\npopulations: {a: {model: lif_cuba, size: 4000000}}\n"
          "projections:\n  aa: {pre: a, post: a, receptor: ex, weight: 1,\n"
          "       connect: {rule: all_to_all}}\n", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run %s -o %s/huge.h5", sh_bin(), yaml, out_dir), 2);
    snprintf(want, sizeof want, "hebbsleep: %s:4:3: projections.aa: the run would need about "
             "416 TB of memory, more than the ", yaml);
    ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "projections.aa alone: 1.6e+13 synapses, 128 TB"));
}
END_TEST

static void check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    static char out[1 << 16];
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        int rc = sh_run(out, sizeof out, "%s check %s/%s", sh_bin(), dir, e->d_name);
        ck_assert_msg(rc == 0, "hebbsleep check %s/%s: exit %d: %s", dir, e->d_name, rc, out);
    }
    closedir(d);
}

START_TEST(test_check_every_experiment)
{
    check_dir("bench");
    check_dir("experiments");
}
END_TEST

/* Reads a 1-D dataset of n values of type mem into buf (malloc'd). */
static void *read_1d(hid_t f, const char *name, hid_t mem, size_t size, size_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_int_ge(d, 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[1];
    ck_assert_int_eq(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    void *buf = malloc(dims[0] ? dims[0] * size : 1);
    ck_assert_int_ge(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Sclose(sp);
    H5Dclose(d);
    *n = (size_t)dims[0];
    return buf;
}

START_TEST(test_run_file_matches_memory)
{
    static char out[1 << 16];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/coba.h5", out_dir);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml -o %s --threads 2 --quiet "
                         "--set simulation.duration_ms=300", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "stats: rtf="));
    /* the same run in memory, one thread */
    const char *sets[] = {"simulation.duration_ms=300"};
    hs_config *c = tu_config_file("bench/coba.yaml", sets, 1);
    tu_spikes *m = tu_run(c, 1, NULL);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    size_t k = 0;
    for (uint32_t p = 0; p < 2; p++) {
        char name[128];
        size_t nt, ni;
        snprintf(name, sizeof name, "/spikes/%s/timestamps", c->pops[p].name);
        double *t = read_1d(f, name, H5T_NATIVE_DOUBLE, sizeof(double), &nt);
        snprintf(name, sizeof name, "/spikes/%s/node_ids", c->pops[p].name);
        uint64_t *id = read_1d(f, name, H5T_NATIVE_UINT64, sizeof(uint64_t), &ni);
        ck_assert_uint_eq(nt, ni);
        ck_assert_uint_gt(nt, 100);
        size_t q = 0;
        for (size_t j = 0; j < m->n; j++) {
            if (m->pop[j] != p)
                continue;
            ck_assert_uint_lt(q, nt);
            ck_assert_double_eq(t[q], m->t_ms[j]);
            ck_assert_uint_eq(id[q], m->id[j]);
            q++;
        }
        ck_assert_uint_eq(q, nt);
        k += nt;
        free(t);
        free(id);
    }
    ck_assert_uint_eq(k, m->n);
    /* the trace: /report/exc/data [rows, 4] */
    hid_t d = H5Dopen2(f, "/report/exc/data", H5P_DEFAULT);
    ck_assert_int_ge(d, 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2];
    H5Sget_simple_extent_dims(sp, dims, NULL);
    ck_assert_uint_eq(dims[0] * dims[1], m->n_trace);
    float *rows = malloc(m->n_trace * sizeof *rows);
    ck_assert_int_ge(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), 0);
    ck_assert_int_eq(memcmp(rows, m->trace, m->n_trace * sizeof *rows), 0);
    free(rows);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    tu_spikes_free(m);
    experiment_free(c);
    /* the layout as h5py and h5dump see it, and info */
    assert_layout_ok(out, sizeof out, h5, 1, "the coba run");
    ck_assert_int_eq(sh_run(out, sizeof out, "h5dump -H %s", h5), 0);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "exc"));
    /* an existing file is not overwritten without --overwrite */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml -o %s --quiet", sh_bin(), h5), 2);
    ck_assert_ptr_nonnull(strstr(out, "--overwrite"));
}
END_TEST

/* Starts a 1000 s run of bench/EXP.yaml writing h5, its output to log,
 * and returns once its first chunk of spikes is in the file. */
static pid_t start_long_run(const char *exp, const char *h5, const char *log)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execl(sh_bin(), sh_bin(), "run", exp, "-o", h5, "--quiet", "--threads", "2", "--set",
              "simulation.duration_ms=1000000", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 600; i++) {
        struct stat st;
        if (stat(h5, &st) == 0 && st.st_size > 200000)
            break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    return pid;
}

/* A run killed with SIGKILL leaves a readable file with complete = 0. */
START_TEST(test_killed_run_leaves_readable_file)
{
    static char out[1 << 16];
    char h5[128], log[160];
    snprintf(h5, sizeof h5, "%s/killed.h5", out_dir);
    snprintf(log, sizeof log, "%s/killed.log", out_dir);
    pid_t pid = start_long_run("bench/coba.yaml", h5, log);
    nanosleep(&(struct timespec){0, 300000000}, NULL);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    assert_layout_ok(out, sizeof out, h5, 0, "the killed run");
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "complete"));
}
END_TEST

/* SIGINT and SIGTERM stop a run at the next window's end: exit 130 and
 * 143, the recorders flushed, the file closed with complete = 0 and its
 * spikes all before the reported stop. */
static void interrupt_run(int sig, int want_status)
{
    static char out[1 << 16];
    char h5[128], log[160];
    snprintf(h5, sizeof h5, "%s/interrupted_%d.h5", out_dir, sig);
    snprintf(log, sizeof log, "%s/interrupted_%d.log", out_dir, sig);
    pid_t pid = start_long_run("bench/cuba.yaml", h5, log);
    ck_assert_int_eq(kill(pid, sig), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), want_status);
    ck_assert_int_eq(sh_run(out, sizeof out, "cat %s", log), 0);
    const char *at = strstr(out, "interrupted at ");
    ck_assert_ptr_nonnull(at);
    double stop_ms = atof(at + strlen("interrupted at "));
    ck_assert_double_gt(stop_ms, 0);
    ck_assert_double_lt(stop_ms, 1000000);
    assert_layout_ok(out, sizeof out, h5, 0, "the interrupted run");
    /* -o: the data values alone, no header numbers */
    ck_assert_int_eq(sh_run(out, sizeof out, "h5dump -y -d /spikes/exc/timestamps -o %s.txt %s "
                         ">/dev/null && tr ', ' '\\n\\n' < %s.txt | sort -g | tail -1",
                         h5, h5, h5), 0);
    double last = atof(out);
    ck_assert_double_gt(last, 0);
    ck_assert_double_le(last, stop_ms);
}

START_TEST(test_signals_stop_cleanly)
{
    interrupt_run(SIGINT, 130);
    interrupt_run(SIGTERM, 143);
}
END_TEST

/* On a terminal a run shows its progress: biological time, speed, ETA. */
START_TEST(test_progress_line_on_terminal)
{
    static char out[1 << 16];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/progress.h5", out_dir);
    /* script(1) gives the run a pseudo-terminal */
    int rc = sh_run(out, sizeof out, "script -qec '%s run bench/cuba.yaml -o %s "
                 "--set simulation.duration_ms=3000' /dev/null", sh_bin(), h5);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(out, "[run] 3.0 / 3.0 s biological"));
    ck_assert_ptr_nonnull(strstr(out, "x real time"));
    ck_assert_ptr_nonnull(strstr(out, "ETA"));
    /* not on a pipe, and not with --quiet */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --overwrite "
                         "--set simulation.duration_ms=300", sh_bin(), h5), 0);
    ck_assert_ptr_null(strstr(out, "real time"));
    /* on a pipe when asked for (the Python package relays it) */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --overwrite --progress "
                         "--set simulation.duration_ms=300", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "[run] 0.3 / 0.3 s biological"));
}
END_TEST

/* A tracked rat from CSV (tests/configs/good/rat.csv: rows every 0.5 s)
 * lands in /behavior: at the rows' times exactly the rows' positions (the
 * run is made long enough to reach them: /behavior holds only the samples
 * the wake phases reach). */
START_TEST(test_csv_trajectory_in_behavior)
{
    static char out[1 << 16];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/csv.h5", out_dir);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run tests/configs/good/task_csv.yaml -o %s "
                         "--quiet --set simulation.duration_ms=2500", sh_bin(), h5), 0);
    double *t, *x;
    uint32_t *lap;
    int8_t *dir;
    size_t n;
    hs_error err;
    ck_assert_int_eq(h5in_behavior_read(h5, &t, &x, &lap, &dir, &n, &err), HS_OK);
    const double row_t[] = {0, 0.5, 1.0, 1.5, 2.0}, row_x[] = {0, 12.5, 25, 37.5, 50};
    ck_assert_uint_ge(n, 2001);
    for (int k = 0; k < 5; k++) {
        size_t i = (size_t)(row_t[k] * 1000.0);   /* 1 ms samples */
        ck_assert_double_eq(t[i], row_t[k] * 1000.0);
        ck_assert_double_eq(x[i], row_x[k]);
        ck_assert_int_eq(dir[i], 1);
    }
    free(t);
    free(x);
    free(lap);
    free(dir);
}
END_TEST

/* A W-maze run writes its geometry under /behavior: the layout check
 * passes and info names the segments. */
START_TEST(test_wmaze_geometry_in_behavior)
{
    static char out[1 << 16];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/wmaze.h5", out_dir);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run experiments/wmaze_wake.yaml --set "
                         "task.laps=1 --set 'schedule=[{name: run, stage: wake, "
                         "duration_ms: 20000}]' -o %s --quiet", sh_bin(), h5), 0);
    assert_layout_ok(out, sizeof out, h5, 1, "the W-maze run");
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_msg(strstr(out, "  maze       5 segments: center "), "info: %s", out);
    h5in_geometry g;
    hs_error err;
    ck_assert_int_eq(h5in_behavior_geometry_read(h5, &g, &err), HS_OK);
    ck_assert_uint_eq(g.n_segments, 5);
    ck_assert_uint_gt(g.n, 0);
    h5in_geometry_free(&g);
}
END_TEST

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
    assert_layout_ok(out, sizeof out, h5, 1, "the replay run");
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
    double *start = read_1d(f, "/replay/events/start_ms", H5T_NATIVE_DOUBLE, sizeof(double), &n);
    int8_t *dir = read_1d(f, "/replay/events/direction", H5T_NATIVE_INT8, 1, &n);
    uint8_t *sig = read_1d(f, "/replay/events/significant", H5T_NATIVE_UINT8, 1, &n);
    double *bt = read_1d(f, "/behavior/time", H5T_NATIVE_DOUBLE, sizeof(double), &nb);
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
    double *best = read_1d(f, "/replay/template/best_factor", H5T_NATIVE_DOUBLE,
                           sizeof(double), &n);
    double *p = read_1d(f, "/replay/template/p_best", H5T_NATIVE_DOUBLE, sizeof(double), &nb);
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
    double *a = read_1d(f, "/sleep/up_states/start_ms", H5T_NATIVE_DOUBLE, sizeof(double), &nu);
    double *b = read_1d(f, "/sleep/up_states/stop_ms", H5T_NATIVE_DOUBLE, sizeof(double), &nv);
    ck_assert_uint_eq(nu, nv);
    size_t n_pre = 0, n_post = 0;
    for (size_t k = 0; k < nu; k++) {
        n_pre += a[k] < SLOW_PRE;
        n_post += a[k] >= SLOW_POST0 && a[k] < SLOW_REM0;
    }
    ck_assert_uint_ge(n_pre, 1);
    ck_assert_uint_ge(n_post, 5);                /* ~1 s a cycle over 10 s */
    ck_assert_uint_eq(n_pre + n_post, nu);
    double *peak = read_1d(f, "/replay/events/peak_ms", H5T_NATIVE_DOUBLE, sizeof(double), &ne);
    int8_t *up = read_1d(f, "/replay/events/in_up_state", H5T_NATIVE_INT8, 1, &np);
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
    assert_layout_ok(out, sizeof out, h5, 1, "the slow run");
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

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_usage_and_exit_codes);
    tcase_add_test(tc, test_check_every_experiment);
    tcase_add_test(tc, test_run_file_matches_memory);
    tcase_add_test(tc, test_killed_run_leaves_readable_file);
    tcase_add_test(tc, test_signals_stop_cleanly);
    tcase_add_test(tc, test_progress_line_on_terminal);
    tcase_add_test(tc, test_csv_trajectory_in_behavior);
    tcase_add_test(tc, test_wmaze_geometry_in_behavior);
    tcase_add_test(tc, test_replay_events_in_file_and_info);
    tcase_add_test(tc, test_rem_template_and_up_states_in_file);
    suite_add_tcase(s, tc);
    cli_io_tests_add(s);
    return s;
}
