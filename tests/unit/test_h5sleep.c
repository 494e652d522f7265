/* Tests of the slow oscillation's up states in the run file
 * (/sleep/up_states): appends of two phases and two populations read back
 * through the HDF5 C API (chunked and extendible, types, units, values in
 * append order), the layout check and the info line; an empty append
 * writes nothing; errors each with its message and no row written; a
 * writer killed after two appends leaves both. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

static const double A0[3] = {1000, 1900, 2800}, A1[3] = {1700, 2600, 3000};
static const double B0[2] = {3000, 3500}, B1[2] = {3300, 3900};

static h5out *up_file(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    const char *names[2] = {"nrem", "nrem_1"}, *stages[2] = {"nrem", "nrem"};
    const double start[2] = {1000, 3000}, stop[2] = {3000, 4000};
    ck_assert_int_eq(h5out_phases_write(f, names, stages, start, stop, 2, &err), HS_OK);
    return f;
}

static void up_append(h5out *f)
{
    hs_error err;
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", A0, A1, 3, &err), HS_OK);
    ck_assert_int_eq(h5out_up_states_append(f, "nrem_1", "drive", B0, B1, 2, &err), HS_OK);
}

/* Reads /sleep/up_states/<name> (strings) and checks want. */
static void strings_check(hid_t file, const char *name, const char *const *want, size_t n)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    hid_t t = H5Dget_type(ds);
    char *got[8];
    ck_assert_int_ge(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
    for (size_t k = 0; k < n; k++) {
        ck_assert_str_eq(got[k], want[k]);
        H5free_memory(got[k]);
    }
    hid_t dcpl = H5Dget_create_plist(ds);
    ck_assert_int_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
    H5Pclose(dcpl);
    H5Tclose(t);
    H5Dclose(ds);
}

static void rows_check(const char *path)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    double *a = h5sample_read_ds(file, "/sleep/up_states/start_ms", H5T_NATIVE_DOUBLE,
                                 H5T_IEEE_F64LE, 5);
    double *b = h5sample_read_ds(file, "/sleep/up_states/stop_ms", H5T_NATIVE_DOUBLE,
                                 H5T_IEEE_F64LE, 5);
    const double wa[5] = {1000, 1900, 2800, 3000, 3500}, wb[5] = {1700, 2600, 3000, 3300, 3900};
    for (size_t k = 0; k < 5; k++) {
        ck_assert_double_eq(a[k], wa[k]);
        ck_assert_double_eq(b[k], wb[k]);
    }
    free(a);
    free(b);
    const char *ph[5] = {"nrem", "nrem", "nrem", "nrem_1", "nrem_1"};
    const char *pop[5] = {"noise", "noise", "noise", "drive", "drive"};
    strings_check(file, "/sleep/up_states/phase", ph, 5);
    strings_check(file, "/sleep/up_states/population", pop, 5);
    hid_t ds = H5Dopen2(file, "/sleep/up_states/start_ms", H5P_DEFAULT);
    char *u = h5sample_attr_str(ds, "units");
    ck_assert_str_eq(u, "ms");
    free(u);
    H5Dclose(ds);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

START_TEST(test_up_states_round_trip)
{
    const char *path = h5sample_path("up.h5");
    hs_error err;
    h5out *f = up_file(path);
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", NULL, NULL, 0, &err), HS_OK);
    up_append(f);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    rows_check(path);
    h5sample_assert_layout_ok(path);
    const char *want[] = {"up states:   5 of noise, drive in 2 phases, mean 460 ms"};
    h5sample_assert_info_has(path, want, 1);
    /* nothing appended: no group */
    path = h5sample_path("none.h5");
    f = up_file(path);
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", NULL, NULL, 0, &err), HS_OK);
    h5sample_close_without(f, path, "sleep");
}
END_TEST

START_TEST(test_up_states_errors)
{
    const char *path = h5sample_path("bad.h5");
    hs_error err;
    h5out *f = up_file(path);
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", A0, A1, 1, &err), HS_OK);
    const double bad0[2] = {1000, 2000}, bad1[2] = {1500, 1900};
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", bad0, bad1, 2, &err),
                     HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "[2000, 1900) ms (row 1) is not finite with start "
                                          "<= stop"));
    const double inf1[1] = {INFINITY};
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", A0, inf1, 1, &err),
                     HS_EINPUT);
    ck_assert_int_eq(h5out_up_states_append(f, "", "noise", A0, A1, 1, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no phase or population named"));
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", NULL, A0, A1, 1, &err), HS_EINPUT);
    ck_assert_int_eq(h5out_up_states_append(f, "nrem", "noise", NULL, A1, 1, &err),
                     HS_EINTERNAL);
    ck_assert_int_eq(h5out_up_states_append(NULL, "nrem", "noise", A0, A1, 1, &err),
                     HS_EINTERNAL);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    for (int c = 0; c < 2; c++) {   /* only the first, good row */
        hid_t ds = H5Dopen2(file, c ? "/sleep/up_states/population" : "/sleep/up_states/stop_ms",
                            H5P_DEFAULT);
        hid_t sp = H5Dget_space(ds);
        ck_assert_int_eq(H5Sget_simple_extent_npoints(sp), 1);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

START_TEST(test_up_states_killed_writer)
{
    const char *path = h5sample_path("killed.h5");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        hs_error err;
        h5out *f = h5out_create(path, &h5sample_meta, &err);
        const char *names[2] = {"nrem", "nrem_1"}, *stages[2] = {"nrem", "nrem"};
        const double start[2] = {1000, 3000}, stop[2] = {3000, 4000};
        if (!f || h5out_phases_write(f, names, stages, start, stop, 2, &err) != HS_OK ||
            h5out_up_states_append(f, "nrem", "noise", A0, A1, 3, &err) != HS_OK ||
            h5out_up_states_append(f, "nrem_1", "drive", B0, B1, 2, &err) != HS_OK)
            _exit(2);
        raise(SIGKILL);
        _exit(3);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    rows_check(path);
}
END_TEST

Suite *h5sleep_suite(void)
{
    Suite *s = suite_create("h5sleep");
    TCase *tc = h5sample_tcase("h5sleep");
    tcase_add_test(tc, test_up_states_round_trip);
    tcase_add_test(tc, test_up_states_errors);
    tcase_add_test(tc, test_up_states_killed_writer);
    suite_add_tcase(s, tc);
    return s;
}
