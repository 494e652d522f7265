/* test_config_h5inputs.c: hostile HDF5 files named by an experiment, as
 * spike times (spikes: {file, times, ids}) and as a tracked trajectory
 * (task.trajectory: {h5, t, x}). One file of datasets of every wrong kind
 * (strings, int8 with negatives, compound, enum, 2-D, scalar, empty, 2^40
 * elements declared, NaN, infinities, unsorted, ids past the population),
 * and files that are not HDF5 or are cut short. Each load fails with
 * HS_EINPUT and a message placed at the YAML key naming the dataset, the
 * file and what is wrong. Part of config_suite. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/config_testutil.h"
#include "../lib/h5sample.h"

static void put3(hid_t f, const char *name, double a, double b, double c)
{
    double v[3] = {a, b, c};
    hsize_t n = 3;
    h5sample_put(f, name, H5T_NATIVE_DOUBLE, 1, &n, v);
}

/* in.h5: good datasets /t (ms or s), /x (cm), /ids, and the hostile ones. */
static void write_hostile(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hsize_t three = 3, zero = 0, grid[2] = {3, 2}, huge = (hsize_t)1 << 40, chunk = 1024;
    put3(f, "t", 1, 2, 3);
    put3(f, "x", 10, 20, 30);
    uint64_t ids[3] = {0, 1, 2};
    h5sample_put(f, "ids", H5T_NATIVE_UINT64, 1, &three, ids);
    hid_t s4 = H5Tcopy(H5T_C_S1);
    H5Tset_size(s4, 4);
    h5sample_put(f, "str", s4, 1, &three, "1.0\0002.0\0003.0");
    H5Tclose(s4);
    int8_t neg[3] = {0, -1, 2};
    h5sample_put(f, "neg_i8", H5T_NATIVE_INT8, 1, &three, neg);
    hid_t comp = H5Tcreate(H5T_COMPOUND, 2 * sizeof(double));
    H5Tinsert(comp, "a", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(comp, "b", sizeof(double), H5T_NATIVE_DOUBLE);
    double pairs[6] = {1, 2, 3, 4, 5, 6};
    h5sample_put(f, "comp", comp, 1, &three, pairs);
    H5Tclose(comp);
    hid_t en = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t no = 0, yes = 1, flags[3] = {0, 1, 1};
    H5Tenum_insert(en, "FALSE", &no);
    H5Tenum_insert(en, "TRUE", &yes);
    h5sample_put(f, "bool", en, 1, &three, flags);
    H5Tclose(en);
    h5sample_put(f, "grid", H5T_NATIVE_DOUBLE, 2, grid, pairs);
    h5sample_put(f, "scalar", H5T_NATIVE_DOUBLE, 0, NULL, pairs);
    h5sample_put(f, "empty", H5T_NATIVE_DOUBLE, 1, &zero, pairs);
    hid_t sp = H5Screate_simple(1, &huge, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    hid_t ds = H5Dcreate2(f, "huge", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    put3(f, "nan0", NAN, 2, 3);
    put3(f, "nan1", 1, NAN, 3);
    put3(f, "inf2", 1, 2, INFINITY);
    put3(f, "neginf0", -INFINITY, 2, 3);
    put3(f, "unsorted", 1, 3, 2);
    put3(f, "long", 0, 1, 2e5);
    put3(f, "far", 1, 2, 1e300);
    put3(f, "frac", 0, 1.5, 2);
    uint64_t big[3] = {0, 1, 4};
    h5sample_put(f, "big_ids", H5T_NATIVE_UINT64, 1, &three, big);
    H5Gclose(H5Gcreate2(f, "group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
}

static const char *spikes_yaml =
    "simulation: {duration_ms: 10}\n"
    "populations:\n"
    "  stim:\n"
    "    model: spike_times\n"
    "    size: 4\n"
    "    spikes: {file: %s, times: %s, ids: %s}\n";

static const char *traj_yaml =
    "simulation: {duration_ms: 10}\n"
    "populations:\n"
    "  place: {model: place_cells, size: 4}\n"
    "task:\n"
    "  track: linear\n"
    "  length_cm: 100\n"
    "  trajectory: {h5: %s, t: %s, x: %s}\n";

/* One hostile input: the yaml (0 spikes, 1 trajectory), its file and two
 * datasets, and what the message must hold. */
typedef struct hostile {
    int traj;
    const char *file, *a, *b, *want;
} hostile;

static const hostile cases[] = {
    /* spike times */
    {0, "in.h5", "/str", "/ids", "populations.stim.spikes.times: %s/in.h5: dataset /str is "
                                 "not numeric (it holds strings)"},
    {0, "in.h5", "/comp", "/ids", "dataset /comp is not numeric (it holds compound records)"},
    {0, "in.h5", "/bool", "/ids", "dataset /bool is not numeric (it holds enum values, such as booleans)"},
    {0, "in.h5", "/grid", "/ids", "dataset /grid is not 1-D (rank 2)"},
    {0, "in.h5", "/scalar", "/ids", "dataset /scalar is not 1-D (rank 0)"},
    /* the memory estimate refuses it before the reader would */
    {0, "in.h5", "/huge", "/ids", "populations.stim.spikes.times: /huge holds 1099511627776 "
                                  "values: as spikes"},
    {0, "in.h5", "/group", "/ids", "cannot open dataset /group: not a dataset"},
    {0, "in.h5", "/nope", "/ids", "cannot open dataset /nope"},
    {0, "in.h5", "/empty", "/ids", "populations.stim.spikes.ids: /ids has 3 ids but /empty "
                                   "has 0 times"},
    {0, "in.h5", "/nan1", "/ids", "populations.stim.spikes.times: entry 1 of /nan1 is nan"},
    {0, "in.h5", "/inf2", "/ids", "entry 2 of /inf2 is inf; spike times must be finite"},
    {0, "in.h5", "/far", "/ids", "entry 2 of /far is 1e+300; spike times must be finite and "
                                 "at least one step (dt_ms = 0.1), and at most 9e+17 ms"},
    {0, "in.h5", "/t", "/neg_i8", "populations.stim.spikes.ids: %s/in.h5: dataset /neg_i8 "
                                  "holds values that are not non-negative integers"},
    {0, "in.h5", "/t", "/frac", "dataset /frac holds values that are not non-negative "
                                "integers"},
    {0, "in.h5", "/t", "/big_ids", "entry 2 of /big_ids is id 4, not below the size of stim "
                                   "(4)"},
    {0, "in.h5", "/t", "/str", "dataset /str is not numeric (it holds strings)"},
    /* the trajectory */
    {1, "in.h5", "/str", "/x", "task.trajectory.t: %s/in.h5: dataset /str is not numeric "
                               "(it holds strings)"},
    {1, "in.h5", "/t", "/comp", "task.trajectory.x: %s/in.h5: dataset /comp is not numeric"},
    /* the memory estimate refuses it before the reader would */
    {1, "in.h5", "/huge", "/x", "task.trajectory.t: /huge holds 1099511627776 values: as "
                                "trajectory samples"},
    {1, "in.h5", "/grid", "/x", "dataset /grid is not 1-D (rank 2)"},
    {1, "in.h5", "/nan0", "/x", "task.trajectory.t: sample 0: time nan s is not finite"},
    {1, "in.h5", "/inf2", "/x", "task.trajectory.t: sample 2: time inf s is not finite"},
    {1, "in.h5", "/neginf0", "/x", "task.trajectory.t: sample 0: time -inf s is not finite"},
    {1, "in.h5", "/unsorted", "/x", "task.trajectory.t: sample 2: time 2 s does not increase "
                                    "(previous 3 s)"},
    {1, "in.h5", "/t", "/nan1", "task.trajectory.x: sample 1: position nan cm is not finite"},
    {1, "in.h5", "/t", "/inf2", "task.trajectory.x: sample 2: position inf cm is not finite"},
    {1, "in.h5", "/long", "/x", "task.trajectory.t: the trajectory spans 200000 s (from 0 to "
                                "200000 s), more than the 100000 s hebbsleep takes"},
    {1, "in.h5", "/empty", "/x", "task.trajectory.x: 3 positions for 0 times"},
    /* not HDF5, or cut short */
    {0, "junk.h5", "/t", "/ids", "populations.stim.spikes.times: %s/junk.h5: not an HDF5 "
                                 "file"},
    {1, "text.h5", "/t", "/x", "task.trajectory.t: %s/text.h5: not an HDF5 file"},
    {0, "cut.h5", "/t", "/ids", "%s/cut.h5: cannot open HDF5 file (truncated or corrupt?)"},
    {1, "cut.h5", "/t", "/x", "%s/cut.h5: cannot open HDF5 file (truncated or corrupt?)"},
};

enum { N_CASES = sizeof cases / sizeof cases[0] };

START_TEST(test_hostile_h5_input)
{
    const hostile *h = &cases[_i];
    char path[600], yaml[1200], want[600];
    snprintf(path, sizeof path, "%s/in.h5", ct_tmp_dir);
    write_hostile(path);
    size_t len;
    char *bytes = ct_file_slurp(path, &len);
    ct_tmp_write("cut.h5", bytes, len / 2, yaml, sizeof yaml);
    free(bytes);
    ct_tmp_write("junk.h5", "\x89HDx\x01\x02\x03\x04 not hdf5", 17, yaml, sizeof yaml);
    ct_tmp_write("text.h5", "t,x\n0,1\n", 8, yaml, sizeof yaml);
    char text[600];
    int n = snprintf(text, sizeof text, h->traj ? traj_yaml : spikes_yaml, h->file, h->a,
                     h->b);
    ct_tmp_write("e.yaml", text, (size_t)n, yaml, sizeof yaml);
    snprintf(want, sizeof want, h->want, ct_tmp_dir);
    const char *msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, yaml);  /* placed in the experiment file */
    ct_assert_has(msg, want);
}
END_TEST

void config_h5inputs_tests_add(Suite *s)
{
    TCase *tc = tcase_create("hostile HDF5 inputs");
    tcase_add_checked_fixture(tc, ct_tmp_setup, ct_tmp_teardown);
    tcase_add_loop_test(tc, test_hostile_h5_input, 0, N_CASES);
    suite_add_tcase(s, tc);
}
