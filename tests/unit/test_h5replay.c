/* Tests of the replay events in the run file (/replay/events): the columns
 * as written, read back through the HDF5 C API (types, units, contiguous,
 * attributes), writer errors each with its message and
 * nothing left behind, and the replay lines of h5out_info (with the events
 * and the time in up states of a phase with a slow oscillation), also
 * refusing an event of no phase. */
#include <math.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

/* Three events: two in "sleep" (forward, significant, its peak in an up
 * state; reverse, not, in a down state) and one in "explore" (no slow
 * oscillation) with too few cells for rank order. */
#define EV_N 3
typedef struct ev_sample {
    double start[EV_N], stop[EV_N], rho[EV_N], p[EV_N], score[EV_N], slope[EV_N],
        comp[EV_N], p_shift[EV_N], p_perm[EV_N], peak[EV_N];
    const char *phase[EV_N];
    uint32_t cells[EV_N];
    int8_t dir[EV_N];
    uint8_t sig[EV_N];
    int8_t up[EV_N];
    h5out_replay r;
} ev_sample;

static void ev_fill(ev_sample *e)
{
    *e = (ev_sample){
        .start = {400, 1200, 1500}, .stop = {480, 1400, 1620}, .rho = {NAN, 0.9, -0.2},
        .p = {1, 0.001, 0.4}, .score = {0.3, 0.8, 0.35}, .slope = {50, 300, -250},
        .comp = {2, 12, 10}, .p_shift = {0.5, 0.002, 0.3}, .p_perm = {0.6, 0.004, 0.2},
        .phase = {"explore", "sleep", "sleep"}, .cells = {5, 12, 7}, .dir = {0, 1, -1},
        .sig = {0, 1, 0}, .peak = {440, 1300, 1560}, .up = {-1, 1, 0}};
    e->r = (h5out_replay){EV_N,       e->start,  e->stop,  e->phase, e->cells, e->rho,
                          e->p,       e->score,  e->dir,   e->slope, e->comp,  e->sig,
                          e->p_shift, e->p_perm, e->peak,  e->up,    "exc",    0.05,
                          1000,       500,       2.5,      15};
}

static void phases_write(h5out *f)
{
    const char *names[2] = {"explore", "sleep"}, *stages[2] = {"wake", "nrem"};
    const double start[2] = {0, 1000}, stop[2] = {1000, 2000};
    hs_error err;
    ck_assert_int_eq(h5out_phases_write(f, names, stages, start, stop, 2, &err), HS_OK);
}

static h5out *replay_file(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    phases_write(f);
    return f;
}

static void column_check(hid_t g, const char *name, hid_t mem, const void *want, size_t size,
                         const char *units)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    ck_assert_msg(ds >= 0, "/replay/events/%s missing", name);
    hid_t dcpl = H5Dget_create_plist(ds);
    ck_assert_msg(H5Pget_layout(dcpl) == H5D_CONTIGUOUS, "%s: not contiguous", name);
    H5Pclose(dcpl);
    h5sample_assert_units(ds, name, units);
    if (want) {
        unsigned char buf[EV_N * 8];
        ck_assert_int_ge(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
        ck_assert_msg(memcmp(buf, want, EV_N * size) == 0, "%s: values differ", name);
    }
    H5Dclose(ds);
}

START_TEST(test_replay_round_trip)
{
    const char *path = h5sample_path("replay.h5");
    ev_sample e;
    ev_fill(&e);
    hs_error err;
    h5out *f = replay_file(path);
    /* sleep [1000, 2000) has up states [1000, 1200) and [1250, 1450) */
    const double up0[2] = {1000, 1250}, up1[2] = {1200, 1450};
    ck_assert_int_eq(h5out_up_states_append(f, "sleep", "noise", up0, up1, 2, &err), HS_OK);
    ck_assert_int_eq(h5out_replay_write(f, &e.r, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    hid_t g = H5Gopen2(file, "/replay/events", H5P_DEFAULT);
    ck_assert_int_ge(g, 0);
    const hid_t dbl = H5T_NATIVE_DOUBLE;
    column_check(g, "start_ms", dbl, e.start, 8, "ms");
    column_check(g, "stop_ms", dbl, e.stop, 8, "ms");
    column_check(g, "phase", 0, NULL, 0, "");
    column_check(g, "n_cells", H5T_NATIVE_UINT32, e.cells, 4, "");
    column_check(g, "rank_corr", dbl, e.rho, 8, "");
    column_check(g, "p_value", dbl, e.p, 8, "");
    column_check(g, "score", dbl, e.score, 8, "");
    column_check(g, "direction", H5T_NATIVE_INT8, e.dir, 1, "");
    column_check(g, "slope_cm_per_s", dbl, e.slope, 8, "cm/s");
    column_check(g, "compression", dbl, e.comp, 8, "");
    column_check(g, "significant", H5T_NATIVE_UINT8, e.sig, 1, "");
    column_check(g, "p_shift", dbl, e.p_shift, 8, "");
    column_check(g, "p_perm", dbl, e.p_perm, 8, "");
    column_check(g, "peak_ms", dbl, e.peak, 8, "ms");
    column_check(g, "in_up_state", H5T_NATIVE_INT8, e.up, 1, "");
    h5sample_assert_attr_str(g, "population", "exc");
    h5sample_assert_attr_u64(g, "n_perm", 1000);
    H5Gclose(g);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
    const char *want[] = {
        "replay:      3 candidate events of exc (rank order at p < 0.05",
        "  explore              1 events, significant: 0 rank order, 0 decoding; forward n/a, "
        "median |compression| n/a\n",
        "  sleep                2 events, significant: 1 rank order, 1 decoding; forward 100%, "
        "median |compression| 12.0; in up states 50% of events, 40% of the time\n",
        "up states:   2 of noise in 1 phase, mean 200 ms"};
    h5sample_assert_info_has(path, want, 4);
    h5sample_assert_layout_ok(path);
}
END_TEST

START_TEST(test_replay_empty)
{
    const char *path = h5sample_path("empty.h5");
    ev_sample e;
    ev_fill(&e);
    e.r.n = 0;
    hs_error err;
    h5out *f = replay_file(path);
    ck_assert_int_eq(h5out_replay_write(f, &e.r, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    const char *want[] = {"replay:      0 candidate events of exc",
                          "  explore              0 events\n  sleep                0 events\n"};
    h5sample_assert_info_has(path, want, 2);
}
END_TEST

/* Writing the bad rows of e fails with msg and leaves no /replay behind;
 * then e is the good sample again, ready for the next fault. */
static void write_fails(const char *path, ev_sample *e, int code, const char *msg)
{
    hs_error err;
    hs_error_clear(&err);
    h5out *f = replay_file(path);
    ck_assert_int_eq(h5out_replay_write(f, &e->r, &err), code);
    ck_assert_msg(strstr(err.msg, msg), "got '%s', want '%s'", err.msg, msg);
    h5sample_close_without(f, path, "replay");
    ev_fill(e);
}

START_TEST(test_replay_write_errors)
{
    const char *path = h5sample_path("bad.h5");
    ev_sample e;
    ev_fill(&e);
    e.stop[1] = 1100;
    write_fails(path, &e, HS_EINPUT, "start_ms[1] = 1200 and stop_ms[1] = 1100");
    e.start[0] = NAN;
    write_fails(path, &e, HS_EINPUT, "start_ms[0] = nan");
    e.dir[2] = 2;
    write_fails(path, &e, HS_EINPUT, "direction[2] = 2 is not +1, -1 or 0");
    e.sig[0] = 3;
    write_fails(path, &e, HS_EINPUT, "significant[0] = 3 is not 0 or 1");
    e.peak[1] = INFINITY;
    write_fails(path, &e, HS_EINPUT, "peak_ms[1] = inf is not finite");
    e.up[2] = 2;
    write_fails(path, &e, HS_EINPUT, "in_up_state[2] = 2 is not +1, 0 or -1");
    e.r.population = "";
    write_fails(path, &e, HS_EINPUT, "no population named");
    e.r.p_perm = NULL;
    write_fails(path, &e, HS_EINTERNAL, "NULL replay arrays");
    /* twice */
    hs_error err;
    h5out *f = replay_file(path);
    ck_assert_int_eq(h5out_replay_write(f, &e.r, &err), HS_OK);
    ck_assert_int_eq(h5out_replay_write(f, &e.r, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "written twice"));
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    ck_assert_int_eq(h5out_replay_write(NULL, &e.r, &err), HS_EINTERNAL);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

START_TEST(test_replay_info_refuses)
{
    const char *path = h5sample_path("nophase.h5");
    ev_sample e;
    ev_fill(&e);
    e.phase[2] = "dream";
    hs_error err;
    h5out *f = replay_file(path);
    ck_assert_int_eq(h5out_replay_write(f, &e.r, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    h5sample_assert_info_refuses(path, "/replay/events/phase[2] = 'dream' is not a phase of "
                                       "/phases");
    const char *fault[] = {"/replay/events/phase: not a phase of /phases/name (first at [2])"};
    h5sample_assert_layout_faults(path, fault, 1);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

Suite *h5replay_suite(void)
{
    Suite *s = suite_create("h5replay");
    TCase *tc = h5sample_tcase("h5replay");
    tcase_add_test(tc, test_replay_round_trip);
    tcase_add_test(tc, test_replay_empty);
    tcase_add_test(tc, test_replay_write_errors);
    tcase_add_test(tc, test_replay_info_refuses);
    suite_add_tcase(s, tc);
    return s;
}
