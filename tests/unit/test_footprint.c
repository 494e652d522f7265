/* The memory estimate (sim/footprint.h): synapse counts of the connection
 * rules from their formulas, the estimate against the bytes network_build
 * and sim_alloc really allocate (glibc's malloc counters), and networks too
 * large for the machine refused before anything is allocated; so are spike
 * and trajectory files declaring more values than fit in memory. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "../../sim/footprint.h"
#include "../lib/config_testutil.h"
#include "suites.h"
#include "../lib/testutil.h"

START_TEST(test_synapse_counts)
{
    static const struct {
        const char *connect;
        double synapses;
    } rules[] = {
        {"{rule: all_to_all}", 1000.0 * 1000},
        {"{rule: all_to_all, autapses: false}", 999.0 * 1000},
        {"{rule: fixed_probability, p: 0.25}", 0.25 * 1000 * 1000},
        {"{rule: fixed_probability, p: 0.25, autapses: false}", 0.25 * 999 * 1000},
        {"{rule: fixed_indegree, indegree: 370}", 370.0 * 1000},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "simulation: {duration_ms: 1}\n"
                 "populations: {a: {model: lif_cuba, size: 1000}}\n"
                 "projections:\n"
                 "  aa: {pre: a, post: a, receptor: ex, weight: 1, connect: %s}\n",
                 rules[i].connect);
        hs_config *c = tu_config(yaml, NULL, 0);
        footprint f;
        footprint_estimate(c, 1, &f);
        ck_assert_str_eq(f.top.path, "projections.aa");
        ck_assert_str_eq(f.top.noun, "synapses");
        ck_assert_double_eq_tol(f.top.count, rules[i].synapses, 1e-6);
        ck_assert_int_eq(f.top.loc.line, 4);
        ck_assert_int_eq(f.top.loc.col, 3);
        experiment_free(c);
    }
}
END_TEST

/* Bytes handed out by malloc (all arenas, mmapped chunks included). */
static double malloc_bytes(void)
{
    struct mallinfo2 m = mallinfo2();
    return (double)m.uordblks + (double)m.hblkhd;
}

/* Static and plastic projections, drawn delays, a Poisson source read
 * ahead, recorders and a trace: the estimate, less the drawing's transient
 * part, is within 5% of what building and allocating the run took. */
START_TEST(test_estimate_matches_allocation)
{
#if defined(__SANITIZE_ADDRESS__)
    return;   /* ASan's allocator keeps no glibc counters */
#endif
    static const char *const yamls[] = {
        "simulation: {duration_ms: 1}\n"
        "populations: {a: {model: lif_cuba, size: 8000}}\n"
        "projections:\n"
        "  aa: {pre: a, post: a, receptor: ex, weight: 1, delay_ms: 1.5,\n"
        "       connect: {rule: fixed_probability, p: 0.05}}\n",

        "simulation: {duration_ms: 1}\n"
        "populations:\n"
        "  src: {model: poisson, size: 3000}\n"
        "  e: {model: lif_coba, size: 6000}\n"
        "projections:\n"
        "  se: {pre: src, post: e, receptor: ex, weight: 1,\n"
        "       delay_ms: {dist: uniform, low: 0.5, high: 3},\n"
        "       connect: {rule: fixed_indegree, indegree: 100}}\n"
        "  ee: {pre: e, post: e, receptor: ex, weight: 0.5, delay_ms: 1,\n"
        "       connect: {rule: fixed_probability, p: 0.02},\n"
        "       plasticity: {rule: stdp_pair, params: {w_max: 2}},\n"
        "       homeostasis: [{rule: downscale}]}\n"
        "recording: {traces: {e: {variable: V_m, ids: [0, 1, 2, 3, 4, 5, 6, 7]}}}\n",
    };
    for (size_t i = 0; i < sizeof yamls / sizeof yamls[0]; i++) {
        hs_config *c = tu_config(yamls[i], NULL, 0);
        footprint f;
        footprint_estimate(c, 1, &f);
        hs_error err;
        double before = malloc_bytes();
        network *n = tu_network_build(c, 1, &err);
        ck_assert_ptr_nonnull(n);
        sim *s = sim_alloc(n, c, &err);
        ck_assert_ptr_nonnull(s);
        double used = malloc_bytes() - before, want = f.bytes - f.build;
        ck_assert_msg(fabs(want - used) < 0.05 * used, "config %zu: estimated %.0f bytes, "
                      "allocated %.0f", i, want, used);
        ck_assert_double_gt(f.build, 0);
        sim_free(s);
        tu_network_free(n);
        experiment_free(c);
    }
}
END_TEST

static const char huge_yaml[] =
    "simulation: {duration_ms: 10}\n"
    "populations:\n"
    "  a: {model: lif_cuba, size: 1000000}\n"
    "projections:\n"
    "  aa: {pre: a, post: a, receptor: ex, weight: 1, connect: {rule: all_to_all}}\n";

START_TEST(test_check_message)
{
    hs_config *c = tu_config(huge_yaml, NULL, 0);
    footprint f;
    footprint_estimate(c, 1, &f);
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(footprint_check(&f, c, 0, &err), HS_OK);      /* unknown: no limit */
    ck_assert_int_eq(footprint_check(&f, c, 1e15, &err), HS_OK);
    ck_assert_int_eq(footprint_check(&f, c, 2e9, &err), HS_EINPUT);
    /* 1e12 synapses of 8 bytes, and 18 each while drawn */
    ck_assert_double_eq_tol(f.top.bytes, 8e12, 1e10);
    ck_assert_double_eq_tol(f.build, 18e12, 1e10);
    char want[1024];
    snprintf(want, sizeof want, "%s:5:3: projections.aa: the run would need about 26 TB of "
             "memory, more than the 2 GB this machine has; projections.aa alone: 1e+12 "
             "synapses, 8 TB", c->path);
    ck_assert_str_eq(err.msg, want);
    experiment_free(c);
}
END_TEST

/* Refused before allocating: the malloc counters barely move. */
START_TEST(test_build_refuses_huge)
{
    static const char *const yamls[] = {
        huge_yaml,
        "simulation: {duration_ms: 10}\n"
        "populations: {a: {model: lif_cuba, size: 4294967295}}\n",
        "simulation: {duration_ms: 10}\n"
        "populations: {p: {model: place_cells, size: 10}}\n"
        "task: {track: linear, length_cm: 1e6, laps: 1e6, speed_cm_s: 1e-3}\n",
        /* once an endless loop counting the samples */
        "simulation: {duration_ms: 10}\n"
        "populations: {p: {model: place_cells, size: 10}}\n"
        "task: {track: linear, speed_cm_s: 1e-300}\n",
    };
    static const char *const where[] = {":5:3: projections.aa: ", ":2:15: populations.a: ",
                                        ":3:1: task: ", ":3:1: task: "};
    for (size_t i = 0; i < sizeof yamls / sizeof yamls[0]; i++) {
        hs_config *c = tu_config(yamls[i], NULL, 0);
        hs_error err;
        hs_error_clear(&err);
        double before = malloc_bytes();
        ck_assert_ptr_null(tu_network_build(c, 2, &err));
        ck_assert_double_lt(fabs(malloc_bytes() - before), 1e6);
        ck_assert_int_eq(err.code, HS_EINPUT);
        char want[256];
        snprintf(want, sizeof want, "%s%s", c->path, where[i]);
        ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "want %s...\ngot %s", want,
                      err.msg);
        ck_assert_ptr_nonnull(strstr(err.msg, "this machine has"));
        experiment_free(c);
    }
}
END_TEST

/* A 1-D dataset of n float64 declared in chunks and never written: the
 * file stays a few kB whatever n. */
static void h5_declare(hid_t f, const char *name, hsize_t n)
{
    hsize_t chunk = 1 << 16;
    hid_t sp = H5Screate_simple(1, &n, NULL), pl = H5Pcreate(H5P_DATASET_CREATE);
    ck_assert_int_ge(H5Pset_chunk(pl, 1, &chunk), 0);
    hid_t ds = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    H5Dclose(ds);
    H5Pclose(pl);
    H5Sclose(sp);
}

START_TEST(test_h5_input_too_long)
{
    char h5[600], yaml[600];
    snprintf(h5, sizeof h5, "%s/bomb.h5", ct_tmp_dir);
    hid_t f = H5Fcreate(h5, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    h5_declare(f, "t", 10000000000ULL);
    h5_declare(f, "ids", 10000000000ULL);
    H5Fclose(f);
    const char *text = "simulation: {duration_ms: 10}\n"
                       "populations:\n"
                       "  s: {model: spike_times, size: 2, spikes: {file: bomb.h5, times: /t, "
                       "ids: /ids}}\n";
    ct_tmp_write("bomb.yaml", text, strlen(text), yaml, sizeof yaml);
    double before = malloc_bytes();
    const char *msg = ct_load_fail(yaml, NULL, 0);
    ck_assert_double_lt(fabs(malloc_bytes() - before), 1e6);
    char want[1024];
    snprintf(want, sizeof want, "%s:3:67: populations.s.spikes.times: /t holds 10000000000 "
             "values: as spikes, about 720 GB of memory, more than the ", yaml);
    ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "want %s...\ngot %s", want, msg);

    /* the same file as a trajectory's times (s) and positions (cm) */
    text = "simulation: {duration_ms: 10}\n"
           "populations: {p: {model: place_cells, size: 2}}\n"
           "task: {track: linear, trajectory: {h5: bomb.h5, t: /t, x: /ids}}\n";
    ct_tmp_write("bomb.yaml", text, strlen(text), yaml, sizeof yaml);
    msg = ct_load_fail(yaml, NULL, 0);
    snprintf(want, sizeof want, "%s:3:52: task.trajectory.t: /t holds 10000000000 values: as "
             "trajectory samples, about 160 GB of memory, more than the ", yaml);
    ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "want %s...\ngot %s", want, msg);
}
END_TEST

Suite *footprint_suite(void)
{
    Suite *s = suite_create("footprint");
    TCase *tc = tcase_create("estimate");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_synapse_counts);
    tcase_add_test(tc, test_estimate_matches_allocation);
    tcase_add_test(tc, test_check_message);
    tcase_add_test(tc, test_build_refuses_huge);
    suite_add_tcase(s, tc);
    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, ct_tmp_setup, ct_tmp_teardown);
    tcase_add_test(files, test_h5_input_too_long);
    suite_add_tcase(s, files);
    return s;
}
