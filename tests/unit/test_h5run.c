/* Tests of the readers behind `hebbsleep info` (io/h5run.h and each part's
 * reader): the structs they fill from the sample run (known answers for
 * its identity, phases, members, spikes, report, behaviour, place fields
 * and weights), from a file of replay events and up states (each event's
 * and up state's phase as a row of /phases), what a file without the
 * optional parts gives, and errors with nothing leaked. The printed text
 * is tested through info_print (test_h5in.c and the part's tests). Run
 * from the repo root. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../../io/h5behavior.h"
#include "../../io/h5maze.h"
#include "../../io/h5replay.h"
#include "../../io/h5run.h"
#include "../../io/h5sleep.h"
#include "../../io/h5template.h"
#include "../../io/h5weights.h"
#include "../lib/h5sample.h"
#include "suites.h"

static h5run *open_ok(const char *path)
{
    hs_error err;
    h5run *r = h5run_open(path, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    ck_assert_str_eq(h5run_path(r), path);
    return r;
}

static void close_ok(h5run *r)
{
    hs_error err;
    ck_assert_int_eq(h5run_close(r, &err), HS_OK);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}

START_TEST(test_meta_and_phases)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    h5run *r = open_ok(path);
    hs_error err;
    h5run_meta m;
    ck_assert_int_eq(h5run_meta_read(r, &m, &err), HS_OK);
    ck_assert_uint_eq(m.format[0], 0);
    ck_assert_uint_eq(m.format[1], 1);
    ck_assert_str_eq(m.version, "0.1.0");
    ck_assert_str_eq(m.git_commit, "abc1234");
    ck_assert_str_eq(m.config, h5sample_meta.config_text);
    ck_assert_uint_eq(m.seed, 12345678901234ULL);
    ck_assert_int_eq(m.threads, 2);
    ck_assert_int_eq(m.complete, 1);
    ck_assert_double_eq(m.wall_s, 3.25);
    ck_assert_int_ge((int)strlen(m.created), 20);
    h5run_meta_free(&m);
    h5run_phases p;
    ck_assert_int_eq(h5run_phases_read(r, &p, &err), HS_OK);
    ck_assert_uint_eq(p.n, 2);
    ck_assert_str_eq(p.name[1], "sleep");
    ck_assert_str_eq(p.stage[0], "awake");
    ck_assert_double_eq(p.start_ms[1], 1000.0);
    ck_assert_double_eq(p.stop_ms[1], 2000.0);
    h5run_phases_free(&p);
    close_ok(r);

    h5sample_write_run(path, 0);
    r = open_ok(path);
    ck_assert_int_eq(h5run_meta_read(r, &m, &err), HS_OK);
    ck_assert_int_eq(m.complete, 0);
    h5run_meta_free(&m);
    close_ok(r);
}
END_TEST

START_TEST(test_members_spikes_report)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    h5run *r = open_ok(path);
    hs_error err;
    int found = -1;
    size_t n = 9;
    ck_assert_int_eq(h5run_members_count(r, "spikes", &found, &n, &err), HS_OK);
    ck_assert_int_eq(found, 1);
    ck_assert_uint_eq(n, 2);
    char *name = NULL;
    ck_assert_int_eq(h5run_member_name(r, "spikes", 1, &name, &err), HS_OK);
    ck_assert_str_eq(name, "inh");
    free(name);
    ck_assert_int_eq(h5run_member_name(r, "spikes", 2, &name, &err), HS_EINPUT);
    ck_assert_ptr_null(name);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot list group /spikes"));
    ck_assert_int_eq(h5run_members_count(r, "nowhere", &found, &n, &err), HS_OK);
    ck_assert_int_eq(found, 0);
    ck_assert_uint_eq(n, 0);

    h5run_spikes s;
    ck_assert_int_eq(h5run_spikes_read(r, "exc", &s, &err), HS_OK);
    ck_assert_uint_eq(s.count, SAMPLE_BATCHES * SAMPLE_EXC_PER_BATCH);
    ck_assert_uint_eq(s.n_nodes, 400);
    ck_assert_int_eq(h5run_spikes_read(r, "inh", &s, &err), HS_OK);
    ck_assert_uint_eq(s.count, SAMPLE_BATCHES * SAMPLE_INH_PER_BATCH);
    ck_assert_uint_eq(s.n_nodes, 0);
    ck_assert_int_eq(h5run_spikes_read(r, "none", &s, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot open spike population /spikes/none"));

    h5run_report rep;
    ck_assert_int_eq(h5run_report_read(r, "exc", &rep, &err), HS_OK);
    ck_assert_str_eq(rep.variable, "V_m");
    ck_assert_str_eq(rep.units, "mV");
    ck_assert_uint_eq(rep.n_times, SAMPLE_BATCHES * SAMPLE_REP_ROWS_PER_BATCH);
    ck_assert_uint_eq(rep.n_values, SAMPLE_REP_NODES);
    ck_assert_double_eq(rep.start_ms, 10.0);
    ck_assert_double_eq(rep.dt_ms, 0.5);
    h5run_report_free(&rep);
    close_ok(r);
}
END_TEST

START_TEST(test_behavior_and_fields)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    h5run *r = open_ok(path);
    hs_error err;
    h5behavior_summary b;
    ck_assert_int_eq(h5behavior_summary_read(r, &b, &err), HS_OK);
    ck_assert_int_eq(b.found, 1);
    ck_assert_uint_eq(b.n, SAMPLE_BEH_N);
    ck_assert_double_eq(b.t_first_ms, 0.0);
    ck_assert_double_eq(b.t_last_ms, 6990.0);
    ck_assert_double_eq(b.lap_min, 0.0);
    ck_assert_double_eq(b.lap_max, 1.0);
    ck_assert_uint_eq(b.steps, 600);
    ck_assert_double_eq_tol(b.run_ms, 6000.0, 1e-9);
    ck_assert_double_eq_tol(b.run_cm, 200.0, 1e-9);

    double *c = NULL;
    size_t n = 0;
    ck_assert_int_eq(h5behavior_fields_centers_read(r, "exc", &c, &n, &err), HS_OK);
    ck_assert_uint_eq(n, h5sample_field_cells[0]);
    size_t with = 0;
    for (size_t i = 0; i < n; i++)
        with += !isnan(c[i]);
    ck_assert_uint_eq(with, 6);
    ck_assert_double_eq(c[0], 10.0);
    free(c);
    ck_assert_int_eq(h5behavior_fields_centers_read(r, "none", &c, &n, &err), HS_EINPUT);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(n, 0);

    /* the sample run has no maze, replay events, template or up states */
    h5maze_table t;
    ck_assert_int_eq(h5maze_table_read(r, &t, &err), HS_OK);
    ck_assert_int_eq(t.found, 0);
    h5replay_events e;
    ck_assert_int_eq(h5replay_events_read(r, &e, &err), HS_OK);
    ck_assert_int_eq(e.found, 0);
    h5template_table tp;
    ck_assert_int_eq(h5template_table_read(r, &tp, &err), HS_OK);
    ck_assert_int_eq(tp.found, 0);
    h5sleep_up_read u;
    ck_assert_int_eq(h5sleep_up_states_read(r, &u, &err), HS_OK);
    ck_assert_uint_eq(u.n, 0);
    close_ok(r);
}
END_TEST

START_TEST(test_weights)
{
    const char *path = h5sample_path("run.h5");
    h5sample_write_run(path, 1);
    h5run *r = open_ok(path);
    hs_error err;
    const h5sample_proj *j = &h5sample_projs[1];
    h5weights_desc d;
    ck_assert_int_eq(h5weights_desc_read(r, j->name, &d, &err), HS_OK);
    ck_assert_str_eq(d.pre, j->pre);
    ck_assert_str_eq(d.post, j->post);
    ck_assert_str_eq(d.units, j->units);
    ck_assert_uint_eq(d.n_snapshots, j->n_snap);
    h5weights_desc_free(&d);
    size_t last = j->n_snap - 1;
    h5weights_stats s;
    ck_assert_int_eq(h5weights_stats_read(r, j->name, last, &s, &err), HS_OK);
    ck_assert_str_eq(s.name, "000001");
    ck_assert_double_eq(s.t_ms, h5sample_w_time(1, last));
    ck_assert_str_eq(s.phase, h5sample_w_phase(1, last));
    ck_assert_uint_eq(s.n, j->n_syn);
    double sum = 0;
    for (size_t i = 0; i < j->n_syn; i++)
        sum += h5sample_w_value(1, last, i);
    ck_assert_double_eq_tol(s.weight_sum, sum, 1e-12);
    h5weights_stats_free(&s);
    ck_assert_int_eq(h5weights_stats_read(r, j->name, j->n_snap, &s, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "/weights/ie/snapshot 2: cannot open it"));
    ck_assert_ptr_null(s.name);
    ck_assert_int_eq(h5weights_desc_read(r, "none", &d, &err), HS_EINPUT);
    ck_assert_ptr_null(d.units);
    close_ok(r);
}
END_TEST

/* Two events in "sleep", one in "explore"; up states in "sleep" and in
 * "nap", a phase the file does not have. */
static void replay_run_write(const char *path)
{
    static const double start[3] = {400, 1200, 1500}, stop[3] = {480, 1400, 1620};
    static const double rho[3] = {NAN, 0.9, -0.2}, p[3] = {1, 0.001, 0.4};
    static const double score[3] = {0.3, 0.8, 0.35}, slope[3] = {50, 300, -250};
    static const double comp[3] = {2, 12, 10}, peak[3] = {440, 1300, 1560};
    static const char *const phase[3] = {"explore", "sleep", "sleep"};
    static const uint32_t cells[3] = {5, 12, 7};
    static const int8_t dir[3] = {0, 1, -1}, up[3] = {-1, 1, 0};
    static const uint8_t sig[3] = {0, 1, 0};
    const h5out_replay ev = {3,     start, stop,  phase, cells, rho,  p,     score,
                             dir,   slope, comp,  sig,   p,     p,    peak,  up,
                             "exc", 0.05,  1000,  500,   2.5,   15};
    const char *names[2] = {"explore", "sleep"}, *stages[2] = {"wake", "nrem"};
    const double ph0[2] = {0, 1000}, ph1[2] = {1000, 2000};
    const double u0[2] = {1000, 1500}, u1[2] = {1400, 1900}, v0[1] = {0}, v1[1] = {5};
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(h5out_phases_write(f, names, stages, ph0, ph1, 2, &err), HS_OK);
    ck_assert_int_eq(h5out_up_states_append(f, "sleep", "drive", u0, u1, 2, &err), HS_OK);
    ck_assert_int_eq(h5out_up_states_append(f, "nap", "drive", v0, v1, 1, &err), HS_OK);
    ck_assert_int_eq(h5out_replay_write(f, &ev, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
}

START_TEST(test_replay_events)
{
    const char *path = h5sample_path("replay.h5");
    replay_run_write(path);
    h5run *r = open_ok(path);
    hs_error err;
    h5replay_events e;
    ck_assert_int_eq(h5replay_events_read(r, &e, &err), HS_OK);
    ck_assert_int_eq(e.found, 1);
    ck_assert_str_eq(e.population, "exc");
    ck_assert_double_eq(e.alpha, 0.05);
    ck_assert_uint_eq(e.n, 3);
    ck_assert_uint_eq(e.n_phases, 2);
    ck_assert_str_eq(e.phases[1], "sleep");
    ck_assert_uint_eq(e.phase[0], 0);
    ck_assert_uint_eq(e.phase[2], 1);
    ck_assert_int_eq(e.direction[2], -1);
    ck_assert_uint_eq(e.significant[1], 1);
    ck_assert_double_eq(e.compression[1], 12);
    ck_assert_ptr_nonnull(e.in_up_state);
    ck_assert_int_eq(e.in_up_state[0], -1);
    ck_assert_double_eq(e.phase_stop_ms[1], 2000);
    ck_assert_uint_eq(e.up.n, 3);
    ck_assert_uint_eq(e.up_phase[0], 1);
    ck_assert_uint_eq(e.up_phase[2], UINT32_MAX);
    h5replay_events_free(&e);
    h5sleep_up_read u;
    ck_assert_int_eq(h5sleep_up_states_read(r, &u, &err), HS_OK);
    ck_assert_uint_eq(u.n, 3);
    ck_assert_str_eq(u.phase[2], "nap");
    ck_assert_str_eq(u.population[0], "drive");
    ck_assert_double_eq(u.stop_ms[1], 1900);
    h5sleep_up_read_free(&u);
    close_ok(r);
}
END_TEST

START_TEST(test_open_refuses)
{
    hs_error err;
    const char *missing = h5sample_path("missing.h5");
    ck_assert_ptr_null(h5run_open(missing, &err));
    ck_assert_int_eq(err.code, HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, missing));
    const char *plain = h5sample_path("plain.h5");
    hid_t f = H5Fcreate(plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    H5Fclose(f);
    ck_assert_ptr_null(h5run_open(plain, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "not a hebbsleep run file"));
    ck_assert_int_eq(h5sample_open_ids(), 0);
    ck_assert_int_eq(h5run_close(NULL, &err), HS_OK);
}
END_TEST

Suite *h5run_suite(void)
{
    Suite *s = suite_create("h5run");
    TCase *tc = tcase_create("h5run");
    tcase_add_checked_fixture(tc, h5sample_dir_make, h5sample_dir_remove);
    tcase_add_test(tc, test_meta_and_phases);
    tcase_add_test(tc, test_members_spikes_report);
    tcase_add_test(tc, test_behavior_and_fields);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_replay_events);
    tcase_add_test(tc, test_open_refuses);
    suite_add_tcase(s, tc);
    return s;
}
