/* test_safety.c: a model that diverges stops the run with a message naming
 * the population, the neuron or rate, the time and the likely cause; what
 * was recorded stays, in a file marked incomplete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/shell.h"
#include "suites.h"

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/hebbsleep-safety-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    ck_assert_int_eq(sh_run(NULL, 0, "rm -rf %s", dir), 0);
}

/* The file opens, says complete = 0 and holds spikes of pop, all before
 * t_max_ms. */
static void assert_kept(const char *h5, const char *pop, double t_max_ms)
{
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hid_t meta = H5Gopen2(f, "meta", H5P_DEFAULT);
    hid_t a = H5Aopen(meta, "complete", H5P_DEFAULT);
    int complete = -1;
    ck_assert_int_ge(H5Aread(a, H5T_NATIVE_INT, &complete), 0);
    ck_assert_int_eq(complete, 0);
    char name[128];
    snprintf(name, sizeof name, "spikes/%s/timestamps", pop);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t sp = H5Dget_space(ds);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    ck_assert_int_gt(n, 0);
    double *t = malloc((size_t)n * sizeof *t);
    ck_assert_int_ge(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t), 0);
    ck_assert_double_le(t[n - 1], t_max_ms);
    free(t);
    H5Sclose(sp);
    H5Dclose(ds);
    H5Aclose(a);
    H5Gclose(meta);
    H5Fclose(f);
}

/* The number after `key` in s. */
static double after(const char *s, const char *key)
{
    const char *at = strstr(s, key);
    ck_assert_msg(at != NULL, "no '%s' in: %s", key, s);
    return atof(at + strlen(key));
}

/* Recurrent weights far too strong: RK4 on lif_coba blows up to NaN. */
START_TEST(test_nan_stops_run)
{
    static char out[1 << 14];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/nan.h5", dir);
    int rc = sh_run(out, sizeof out, "%s run bench/coba.yaml -o %s --quiet --set "
                    "simulation.duration_ms=3000 --set projections.ee.weight=60", sh_bin(), h5);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "population exc, neuron ") && strstr(out, "V_m became NaN") &&
                      strstr(out, "dt_ms (0.1) too large for the model, or weights too strong"),
                  "%s", out);
    double t1 = after(out, " and ");
    ck_assert_double_gt(t1, after(out, "between "));
    ck_assert_double_lt(t1, 3000);
    assert_kept(h5, "exc", t1);
}
END_TEST

/* A population driven far above threshold with a short refractory time
 * fires ~1 kHz: stopped after the first window as runaway; the ceiling
 * is the config's, and 0 turns it off. */
START_TEST(test_runaway_rate_stops_run)
{
    static char out[1 << 14];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/runaway.h5", dir);
    const char *drive = "--set simulation.duration_ms=2500 --set populations.exc.params.I_e=2000 "
                        "--set populations.exc.params.t_ref=0.1";
    int rc = sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --quiet %s", sh_bin(), h5,
                    drive);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "population exc: mean rate ") &&
                      strstr(out, "above simulation.max_rate_hz (1000 Hz): runaway excitation"),
                  "%s", out);
    ck_assert_double_gt(after(out, "mean rate "), 1000);
    double t1 = after(out, " to ");
    ck_assert_double_ge(t1, 1000);
    ck_assert_double_lt(t1, 1300);
    assert_kept(h5, "exc", t1);
    rc = sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --overwrite --quiet %s "
                "--set simulation.max_rate_hz=6000", sh_bin(), h5, drive);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    rc = sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --overwrite --quiet %s "
                "--set simulation.max_rate_hz=0", sh_bin(), h5, drive);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
}
END_TEST

Suite *safety_suite(void)
{
    Suite *s = suite_create("safety");
    TCase *tc = tcase_create("diverging");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_nan_stops_run);
    tcase_add_test(tc, test_runaway_rate_stops_run);
    suite_add_tcase(s, tc);
    return s;
}
