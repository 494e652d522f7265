/* The experiment model (model/experiment.h): experiment_free(NULL) does
 * nothing; populations and projections found by their exact names, at
 * their place in the file, -1 for any other name; the rat's trajectory of
 * a config is its task's (task_trajectory_build with the config's seed,
 * laps on a track or a tracked rat's samples), empty without a task, and
 * a task that cannot be built is an error located at the task section
 * ("file:line:col: task: ..."). */
#include <string.h>

#include <check.h>

#include "../lib/config_testutil.h"
#include "../lib/testutil.h"
#include "suites.h"

START_TEST(test_free_null)
{
    experiment_free(NULL);
}
END_TEST

START_TEST(test_lookups)
{
    hs_config *c = tu_config_file("bench/coba.yaml", NULL, 0);
    ck_assert_uint_eq(c->n_pops, 2);
    for (size_t i = 0; i < c->n_pops; i++)
        ck_assert_int_eq(experiment_pop_find(c, c->pops[i].name), (int)i);
    for (size_t j = 0; j < c->n_projs; j++)
        ck_assert_int_eq(experiment_proj_find(c, c->projs[j].name), (int)j);
    ck_assert_int_eq(experiment_pop_find(c, "exc"), 0);
    ck_assert_int_eq(experiment_pop_find(c, "ex"), -1);     /* a prefix */
    ck_assert_int_eq(experiment_pop_find(c, "excx"), -1);
    ck_assert_int_eq(experiment_pop_find(c, "EXC"), -1);    /* case counts */
    ck_assert_int_eq(experiment_pop_find(c, ""), -1);
    ck_assert_int_eq(experiment_proj_find(c, "exc"), -1);   /* a population, not a projection */
    ck_assert_int_eq(experiment_pop_find(c, c->projs[0].name), -1);
    experiment_free(c);
}
END_TEST

static int same_traj(const track_traj *a, const track_traj *b)
{
    return a->n == b->n && a->sample_ms == b->sample_ms &&
           memcmp(a->x_cm, b->x_cm, a->n * sizeof *a->x_cm) == 0 &&
           memcmp(a->dir, b->dir, a->n) == 0 && memcmp(a->lap, b->lap, a->n * sizeof *a->lap) == 0;
}

/* The task's trajectory, drawn from the config's seed. */
static void check_task(const char *rel)
{
    char path[512];
    ct_data_path(path, sizeof path, rel);
    hs_config *c = ct_load_ok(path, NULL, 0);
    ck_assert(c->task.present);
    track_traj t, want;
    hs_error err;
    ck_assert_int_eq(experiment_trajectory(c, &t, &err), HS_OK);
    const hs_task_config *k = &c->task;
    task_desc d = {k->kind, &k->linear, &k->maze, k->csv_t_s, k->csv_x_cm, k->csv_n};
    ck_assert_int_eq(task_trajectory_build(&d, c->seed, &want, &err), HS_OK);
    ck_assert_uint_gt(t.n, 1000);
    ck_assert(same_traj(&t, &want));
    track_free(&t);
    track_free(&want);
    experiment_free(c);
}

START_TEST(test_trajectory_of_the_task)
{
    check_task("configs/good/task.yaml");
    check_task("configs/good/task_csv.yaml");
    /* no task: an empty trajectory */
    hs_config *c = tu_config_file("bench/coba.yaml", NULL, 0);
    track_traj t;
    hs_error err;
    ck_assert_int_eq(experiment_trajectory(c, &t, &err), HS_OK);
    ck_assert_uint_eq(t.n, 0);
    track_free(&t);
    experiment_free(c);
}
END_TEST

/* The loader checks what it can; a task the generator refuses all the
 * same (here, parameters changed after loading) is reported at the task
 * section of the file. */
START_TEST(test_trajectory_error_located)
{
    char path[512], want[600];
    ct_data_path(path, sizeof path, "configs/good/task.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    ck_assert_int_gt(c->task.loc.line, 0);
    c->task.linear.speed_cm_s = 0;
    track_traj t;
    hs_error err;
    ck_assert_int_eq(experiment_trajectory(c, &t, &err), HS_EINPUT);
    snprintf(want, sizeof want, "%s:%d:%d: task: ", path, c->task.loc.line, c->task.loc.col);
    ct_assert_msg_is(err.msg, strcat(want, "speed_cm_s must be > 0*"));
    ck_assert_uint_eq(t.n, 0);
    track_free(&t);
    experiment_free(c);
}
END_TEST

Suite *experiment_suite(void)
{
    Suite *s = suite_create("experiment");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, test_free_null);
    tcase_add_test(tc, test_lookups);
    tcase_add_test(tc, test_trajectory_of_the_task);
    tcase_add_test(tc, test_trajectory_error_located);
    suite_add_tcase(s, tc);
    return s;
}
