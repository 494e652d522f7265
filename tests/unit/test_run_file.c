/* The run file as `hebbsleep run` writes it (app/run_file.c): read back
 * through HDF5 against the same run done in memory (a second code path),
 * the h5py layout check, h5dump and info; not overwritten without
 * --overwrite; a run killed with SIGKILL leaves a readable file with
 * complete = 0; a tracked rat from CSV and a W-maze's geometry land in
 * /behavior. The disk filling up is in test_run_file_full.c. HS_BIN names
 * the binary. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <check.h>
#include <hdf5.h>

#include "../../io/h5out.h"
#include "../lib/shell.h"
#include "../lib/testutil.h"
#include "suites.h"

START_TEST(test_run_file_matches_memory)
{
    static char out[1 << 16];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/coba.h5", sh_dir);
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
        double *t = sh_h5_read_1d(f, name, H5T_NATIVE_DOUBLE, sizeof(double), &nt);
        snprintf(name, sizeof name, "/spikes/%s/node_ids", c->pops[p].name);
        uint64_t *id = sh_h5_read_1d(f, name, H5T_NATIVE_UINT64, sizeof(uint64_t), &ni);
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
    sh_assert_layout_ok(out, sizeof out, h5, 1, "the coba run");
    ck_assert_int_eq(sh_run(out, sizeof out, "h5dump -H %s", h5), 0);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "exc"));
    /* an existing file is not overwritten without --overwrite */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml -o %s --quiet", sh_bin(), h5), 2);
    ck_assert_ptr_nonnull(strstr(out, "--overwrite"));
}
END_TEST

/* A run killed with SIGKILL leaves a readable file with complete = 0. */
START_TEST(test_killed_run_leaves_readable_file)
{
    static char out[1 << 16];
    char h5[128], log[160];
    snprintf(h5, sizeof h5, "%s/killed.h5", sh_dir);
    snprintf(log, sizeof log, "%s/killed.log", sh_dir);
    pid_t pid = sh_start_long_run("bench/coba.yaml", h5, log);
    nanosleep(&(struct timespec){0, 300000000}, NULL);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    sh_assert_layout_ok(out, sizeof out, h5, 0, "the killed run");
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "complete"));
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
    snprintf(h5, sizeof h5, "%s/csv.h5", sh_dir);
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
    snprintf(h5, sizeof h5, "%s/wmaze.h5", sh_dir);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run experiments/wmaze_wake.yaml --set "
                         "task.laps=1 --set 'schedule=[{name: run, stage: wake, "
                         "duration_ms: 20000}]' -o %s --quiet", sh_bin(), h5), 0);
    sh_assert_layout_ok(out, sizeof out, h5, 1, "the W-maze run");
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

void run_file_full_tests_add(Suite *s);   /* test_run_file_full.c */

Suite *run_file_suite(void)
{
    Suite *s = suite_create("run_file");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, sh_dir_make, sh_dir_remove);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_run_file_matches_memory);
    tcase_add_test(tc, test_killed_run_leaves_readable_file);
    tcase_add_test(tc, test_csv_trajectory_in_behavior);
    tcase_add_test(tc, test_wmaze_geometry_in_behavior);
    suite_add_tcase(s, tc);
    run_file_full_tests_add(s);
    return s;
}
