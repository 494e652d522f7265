/* test_config_task.c: the task section of the experiment file (where the
 * rat runs, for place_cells). Known answers and track_linear_params_default's
 * defaults from tests/configs/good/task.yaml, a tracked trajectory from
 * tests/configs/good/task_csv.yaml and its rat.csv (read relative to the
 * YAML), no task without the section, and overrides, good and bad. The bad
 * files are checked with the others by test_config.c; the print round trip
 * is in test_config_files.c.
 */
#include <stdio.h>
#include <string.h>

#include <hdf5.h>

#include "../lib/config_testutil.h"

static hs_config *good_load(const char *rel, const char *const *sets, size_t n)
{
    char path[600];
    ct_data_path(path, sizeof path, rel);
    return ct_load_ok(path, sets, n);
}

START_TEST(test_task_values_and_defaults)
{
    hs_config *c = good_load("configs/good/task.yaml", NULL, 0);
    const hs_task_config *t = &c->task;
    track_linear_params d;
    track_linear_params_default(&d);
    ck_assert_int_eq(t->present, 1);
    ck_assert_double_eq(t->linear.length_cm, 150);
    ck_assert_double_eq(t->linear.laps, 8);
    ck_assert_double_eq(t->linear.speed_cm_s, 30.5);
    ck_assert_double_eq(t->linear.one_way, 1.0);
    ck_assert_double_eq(t->linear.speed_sd_cm_s, d.speed_sd_cm_s);      /* defaults */
    ck_assert_double_eq(t->linear.ramp_cm, d.ramp_cm);
    ck_assert_double_eq(t->linear.pause_s, d.pause_s);
    ck_assert_ptr_null(t->csv_t_s);
    ck_assert_ptr_null(t->csv_x_cm);
    ck_assert_ptr_null(t->csv_path);
    ck_assert_uint_eq(t->csv_n, 0);
    ck_assert_int_eq(t->loc.line, 13);
    ck_assert_int_eq(t->loc.col, 1);
    ck_assert_ptr_eq(c->pops[0].model, neuron_type_find("place_cells"));
    ck_assert_double_eq(ct_param(&c->pops[0], "sigma_cm"), 10);
    experiment_free(c);
}
END_TEST

/* Every number left out is track_linear_params_default's. */
START_TEST(test_task_all_defaults)
{
    const char *sets[] = {"task={track: linear}"};
    hs_config *c = good_load("configs/good/task.yaml", sets, 1);
    track_linear_params d;
    track_linear_params_default(&d);
    ck_assert_int_eq(c->task.present, 1);
    ck_assert_int_eq(memcmp(&c->task.linear, &d, sizeof d), 0);
    ck_assert_int_eq(c->task.loc.line, 13);                 /* the file's key, new value */
    experiment_free(c);
}
END_TEST

START_TEST(test_task_absent)
{
    hs_config *c = good_load("configs/good/full.yaml", NULL, 0);
    ck_assert_int_eq(c->task.present, 0);
    ck_assert_ptr_null(c->task.csv_t_s);
    ck_assert_ptr_null(c->task.csv_path);
    experiment_free(c);
}
END_TEST

/* rat.csv: a comment, a header, a blank line; t in s, x in cm (y dropped). */
static void rat_check(const hs_task_config *t)
{
    const double ts[] = {0, 0.5, 1.0, 1.5, 2.0}, xs[] = {0, 12.5, 25, 37.5, 50};
    ck_assert_uint_eq(t->csv_n, 5);
    for (size_t k = 0; k < 5; k++) {
        ck_assert_double_eq(t->csv_t_s[k], ts[k]);
        ck_assert_double_eq(t->csv_x_cm[k], xs[k]);
    }
}

START_TEST(test_task_csv)
{
    hs_config *c = good_load("configs/good/task_csv.yaml", NULL, 0);
    const hs_task_config *t = &c->task;
    ck_assert_int_eq(t->present, 1);
    ck_assert_double_eq(t->linear.length_cm, 100);
    ck_assert_double_eq(t->linear.laps, 20);                /* default, unused */
    ck_assert_str_eq(t->csv_path, "rat.csv");               /* as written */
    rat_check(t);
    experiment_free(c);
}
END_TEST

START_TEST(test_task_override_good)
{
    const char *sets[] = {"task.laps=5", "task.one_way=false", "task.ramp_cm=75",
                          "task.length_cm=1e6"};
    hs_config *c = good_load("configs/good/task.yaml", sets, 4);
    ck_assert_double_eq(c->task.linear.laps, 5);
    ck_assert_double_eq(c->task.linear.one_way, 0.0);
    ck_assert_double_eq(c->task.linear.ramp_cm, 75);
    ck_assert_double_eq(c->task.linear.length_cm, 1e6);
    ck_assert_int_eq(c->task.loc.line, 13);                 /* the file's task key */
    experiment_free(c);
    /* A trajectory by override is relative to the YAML, not the working dir. */
    const char *csv[] = {"task.trajectory.csv=rat.csv"};
    c = good_load("configs/good/task.yaml", csv, 1);
    ck_assert_str_eq(c->task.csv_path, "rat.csv");
    rat_check(&c->task);
    experiment_free(c);
    /* A task added to a config without one. */
    const char *add[] = {"task={track: linear, laps: 3}"};
    c = good_load("configs/good/full.yaml", add, 1);
    ck_assert_int_eq(c->task.present, 1);
    ck_assert_double_eq(c->task.linear.laps, 3);
    ck_assert_int_eq(c->task.loc.line, 0);                  /* made by an override */
    experiment_free(c);
}
END_TEST

static const struct {
    const char *base;      /* under tests/configs/good */
    const char *set;
    const char *msg;       /* exact, or a prefix when it ends in '*' */
    const char *part;      /* NULL, or a further part of the message */
} bad_sets[] = {
    {"task.yaml", "task.laps=2.5",
     "--set task.laps=2.5: task.laps: 2.5 is not a whole number of laps", NULL},
    {"task.yaml", "task.laps=abc", "--set task.laps=abc: task.laps: expected a number", NULL},
    {"task.yaml", "task.laps=0",
     "--set task.laps=0: task.laps: 0 is outside the allowed range [1, 1000000]", NULL},
    {"task.yaml", "task.speed_cm_s=-1",
     "--set task.speed_cm_s=-1: task.speed_cm_s: -1 is outside the allowed range "
     "(0, 1000] cm/s", NULL},
    /* A relation between values still names the override. */
    {"task.yaml", "task.ramp_cm=76",
     "--set task.ramp_cm=76: task: ramp_cm (76 cm) is more than half of length_cm (150 cm): "
     "the rat slows at both ends", NULL},
    {"task.yaml", "task.length_cm=39",
     "--set task.length_cm=39: task: ramp_cm (20 cm) is more than half of length_cm (39 cm): "
     "the rat slows at both ends", NULL},
    {"task.yaml", "task.track=oval",
     "--set task.track=oval: task.track: unknown track 'oval'; known tracks: linear, "
     "circular, tmaze, wmaze", NULL},
    /* task.yaml has one_way: a linear track's parameter */
    {"task.yaml", "task.track=circular",
     "*", "task.yaml:18:3: task.one_way: one_way is not a parameter of a circular track"},
    {"task.yaml", "task={track: tmaze, width_cm: 3}",
     "--set task={track: tmaze, width_cm: 3}: task.width_cm: width_cm is not a parameter "
     "of a tmaze track", NULL},
    {"task.yaml", "task={track: tmaze, stem_cm: 0}",
     "--set task={track: tmaze, stem_cm: 0}: task.stem_cm: 0 is outside the allowed range "
     "(0, 1000000] cm", NULL},
    {"task.yaml", "task.speed=3",
     "--set task.speed=3: task.speed: unknown key; allowed: track, length_cm, laps, "
     "speed_cm_s, speed_sd_cm_s, ramp_cm, pause_s, one_way, reverse, trajectory, stem_cm, "
     "arm_cm, width_cm", NULL},
    {"task.yaml", "task=linear", "--set task=linear: task: expected a mapping", NULL},
    {"task.yaml", "task={laps: 3}", "--set task={laps: 3}: task: missing required key 'track'",
     NULL},
    {"task.yaml", "task.trajectory.csv=none.csv",
     "--set task.trajectory.csv=none.csv: task.trajectory.csv: *",
     "configs/good/none.csv: cannot open: No such file or directory"},
    {"task.yaml", "task.trajectory={}",
     "--set task.trajectory={}: task.trajectory: give either csv or h5 (with t and x)", NULL},
    {"full.yaml", "populations.exc.model=place_cells",
     "--set populations.exc.model=place_cells: populations.exc.model: place_cells need a "
     "task: the rat's trajectory drives them", NULL},
};

/* Mazes: given values, each kind's defaults, and config_task_print read
 * back to the same values. */
START_TEST(test_task_mazes)
{
    const char *w[] = {"task={track: wmaze, arm_cm: 60, laps: 4, pause_s: 1.5}"};
    hs_config *c = good_load("configs/good/task.yaml", w, 1);
    const maze_params *m = &c->task.maze;
    ck_assert_int_eq(c->task.kind, TRACK_WMAZE);
    ck_assert_int_eq(m->kind, TRACK_WMAZE);
    ck_assert_double_eq(m->arm_cm, 60);
    ck_assert_double_eq(m->width_cm, 40);                    /* default */
    ck_assert_double_eq(m->laps, 4);
    ck_assert_double_eq(m->pause_s, 1.5);
    ck_assert_double_eq(m->speed_cm_s, 25);
    char buf[1024];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    config_task_print(&c->task, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "track: wmaze\n"));
    ck_assert_ptr_null(strstr(buf, "one_way"));
    char set[1100];
    snprintf(set, sizeof set, "task={%s}", buf + strlen("task:\n"));
    for (char *q = set; *q; q++)                         /* block to flow mapping */
        if (*q == '\n')
            *q = q[1] ? ',' : ' ';
    const char *back[] = {set};
    hs_config *d = good_load("configs/good/task.yaml", back, 1);
    ck_assert_int_eq(memcmp(&d->task.maze, m, sizeof *m), 0);
    experiment_free(d);
    experiment_free(c);

    const char *t[] = {"task={track: tmaze}"};
    c = good_load("configs/good/task.yaml", t, 1);
    maze_params want;
    maze_params_default(&want, TRACK_TMAZE);
    ck_assert_int_eq(memcmp(&c->task.maze, &want, sizeof want), 0);
    ck_assert_double_eq(c->task.maze.stem_cm, 100);
    ck_assert_double_eq(c->task.maze.arm_cm, 50);
    experiment_free(c);

    const char *o[] = {"task={track: circular, length_cm: 300}"};
    c = good_load("configs/good/task.yaml", o, 1);
    ck_assert_double_eq(c->task.maze.length_cm, 300);
    ck_assert_double_eq(c->task.maze.pause_s, 0);
    experiment_free(c);
}
END_TEST

START_TEST(test_task_override_bad)
{
    char rel[256], path[600];
    snprintf(rel, sizeof rel, "configs/good/%s", bad_sets[_i].base);
    ct_data_path(path, sizeof path, rel);
    const char *sets[] = {bad_sets[_i].set};
    const char *msg = ct_load_fail(path, sets, 1);
    ct_assert_msg_is(msg, bad_sets[_i].msg);
    if (bad_sets[_i].part)
        ct_assert_has(msg, bad_sets[_i].part);
}
END_TEST

/* ---- a tracked trajectory from HDF5 ---- */

static void write_rat(const char *path, const double *t, size_t nt, const double *x, size_t nx)
{
    ct_h5_write_two(path, "rat", "t", t, nt, "x", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, x, nx);
}

static const char *rat_h5_yaml =
    "simulation: {duration_ms: 10}\n"
    "populations:\n"
    "  place: {model: place_cells, size: 4}\n"
    "task:\n"
    "  track: linear\n"
    "  length_cm: 100\n"
    "  trajectory: {h5: rat.h5, t: /rat/t, x: /rat/x}\n";

START_TEST(test_task_hdf5)
{
    const double t[] = {0, 0.5, 1.0}, x[] = {10, 20, 15};
    char h5[600], yaml[600];
    snprintf(h5, sizeof h5, "%s/rat.h5", ct_tmp_dir);
    write_rat(h5, t, 3, x, 3);
    ct_tmp_write("r.yaml", rat_h5_yaml, strlen(rat_h5_yaml), yaml, sizeof yaml);
    hs_config *c = ct_load_ok(yaml, NULL, 0);
    ck_assert_uint_eq(c->task.csv_n, 3);
    for (int k = 0; k < 3; k++) {
        ck_assert_double_eq(c->task.csv_t_s[k], t[k]);
        ck_assert_double_eq(c->task.csv_x_cm[k], x[k]);
    }
    ck_assert_str_eq(c->task.h5_x, "/rat/x");
    experiment_free(c);
    /* positions and times of unequal length: named at x */
    write_rat(h5, t, 3, x, 2);
    const char *msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, ":7:42: task.trajectory.x: 2 positions for 3 times");
    /* a time going back: named at t */
    const double back[] = {0, 1.0, 0.5};
    write_rat(h5, back, 3, x, 3);
    msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, ":7:31: task.trajectory.t: sample 2: time 0.5 s does not increase "
                       "(previous 1 s)");
}
END_TEST

void config_task_tests_add(Suite *s)
{
    TCase *task = tcase_create("task");
    tcase_add_checked_fixture(task, ct_tmp_setup, ct_tmp_teardown);
    tcase_add_test(task, test_task_hdf5);
    tcase_add_test(task, test_task_values_and_defaults);
    tcase_add_test(task, test_task_all_defaults);
    tcase_add_test(task, test_task_absent);
    tcase_add_test(task, test_task_csv);
    tcase_add_test(task, test_task_override_good);
    tcase_add_test(task, test_task_mazes);
    tcase_add_loop_test(task, test_task_override_bad, 0,
                        (int)(sizeof bad_sets / sizeof bad_sets[0]));
    suite_add_tcase(s, task);
}
