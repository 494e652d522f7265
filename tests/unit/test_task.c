/* The trajectory of a task (task/task.h): whatever the kind, sampled
 * every TASK_SAMPLE_MS and a path a rat can take (positions on the track
 * or maze, steps no longer than its fastest speed allows, the direction
 * the sign of the motion and 0 in pauses); generated laps and mazes the
 * same for the same seed (a function of the seed and nothing else) and
 * the same as their generators give (track_linear_generate, maze_generate);
 * a tracked rat's samples resampled as track_from_samples does, through
 * the rows; bad parameters refused with an empty trajectory. */
#include <math.h>
#include <string.h>

#include <check.h>

#include "../../task/task.h"
#include "suites.h"

/* The invariants of a trajectory of a task of length L whose fastest
 * speed is v_max cm/s. On a linear track the position itself moves at
 * most v_max, in the direction dir says; on a maze the linearized
 * position jumps between arms, so the drawn one (x, y) is checked. */
static void assert_path(const track_traj *t, double L, double v_max, int linear)
{
    ck_assert_uint_gt(t->n, 1);
    ck_assert_double_eq(t->sample_ms, TASK_SAMPLE_MS);
    ck_assert_double_eq(t->length_cm, L);
    double step_max = v_max * TASK_SAMPLE_MS * 1e-3;
    size_t moving = 0;
    for (size_t k = 0; k < t->n; k++) {
        ck_assert(t->x_cm[k] >= 0 && t->x_cm[k] <= L);
        ck_assert(t->dir[k] >= -1 && t->dir[k] <= 1);
        moving += t->dir[k] != 0;
        if (k + 1 == t->n || t->lap[k + 1] != t->lap[k])
            continue;   /* a new lap may start elsewhere (carried back) */
        double dx = t->x_cm[k + 1] - t->x_cm[k];
        double drawn = hypot((double)t->x[k + 1] - t->x[k], (double)t->y[k + 1] - t->y[k]);
        if (linear) {
            ck_assert_msg(fabs(dx) <= step_max + 1e-9, "sample %zu: %g cm in one step", k, dx);
            ck_assert(t->dir[k] == 0 ? dx == 0 : dx * t->dir[k] >= 0);
        } else {
            ck_assert_msg(drawn <= step_max + 1e-4, "sample %zu: drawn %g cm in one step", k,
                          drawn);
            ck_assert(t->dir[k] != 0 || drawn == 0);
        }
    }
    ck_assert_uint_gt(moving, t->n / 4);
}

static int same_traj(const track_traj *a, const track_traj *b)
{
    return a->n == b->n && memcmp(a->x_cm, b->x_cm, a->n * sizeof *a->x_cm) == 0 &&
           memcmp(a->dir, b->dir, a->n) == 0 && memcmp(a->lap, b->lap, a->n * sizeof *a->lap) == 0;
}

START_TEST(test_linear_laps)
{
    track_linear_params p;
    track_linear_params_default(&p);
    p.laps = 6;
    task_desc d = {.kind = TRACK_LINEAR, .linear = &p};
    track_traj t, u, v, g;
    hs_error err;
    ck_assert_int_eq(task_trajectory_build(&d, 3, &t, &err), HS_OK);
    /* the lap speed is clipped to 1.5 x the mean */
    assert_path(&t, p.length_cm, 1.5 * p.speed_cm_s, 1);
    ck_assert_uint_eq(t.lap[t.n - 1], 5);
    ck_assert_int_eq(task_trajectory_build(&d, 3, &u, &err), HS_OK);
    ck_assert(same_traj(&t, &u));
    ck_assert_int_eq(task_trajectory_build(&d, 4, &v, &err), HS_OK);
    ck_assert(!same_traj(&t, &v));   /* lap speeds are drawn */
    ck_assert_int_eq(track_linear_generate(&p, TASK_SAMPLE_MS, 3, &g, &err), HS_OK);
    ck_assert(same_traj(&t, &g));
    track_free(&t);
    track_free(&u);
    track_free(&v);
    track_free(&g);
}
END_TEST

START_TEST(test_mazes)
{
    const track_kind kinds[] = {TRACK_CIRCULAR, TRACK_TMAZE, TRACK_WMAZE};
    for (int k = 0; k < 3; k++) {
        maze_params m;
        maze_params_default(&m, kinds[k]);
        m.laps = 3;
        task_desc d = {.kind = kinds[k], .maze = &m};
        track_traj t, g;
        hs_error err;
        ck_assert_int_eq(task_trajectory_build(&d, 2, &t, &err), HS_OK);
        assert_path(&t, maze_length(&m), 1.5 * m.speed_cm_s, 0);
        ck_assert_int_eq(maze_generate(&m, TASK_SAMPLE_MS, 2, &g, &err), HS_OK);
        ck_assert(same_traj(&t, &g));
        track_free(&t);
        track_free(&g);
    }
}
END_TEST

/* Tracked samples every 0.5 s: the trajectory passes through them and is
 * linear in between; a seed changes nothing. */
START_TEST(test_tracked_samples)
{
    const double t_s[] = {0, 0.5, 1.0, 1.5, 2.0, 2.5}, x[] = {10, 20, 30, 30, 25, 20};
    track_linear_params p;
    track_linear_params_default(&p);
    task_desc d = {.kind = TRACK_LINEAR, .linear = &p, .t_s = t_s, .x_cm = x, .n = 6};
    track_traj t, u, g;
    hs_error err;
    ck_assert_int_eq(task_trajectory_build(&d, 1, &t, &err), HS_OK);
    assert_path(&t, p.length_cm, 20.0, 1);
    ck_assert_uint_eq(t.n, 2501);
    for (int k = 0; k < 6; k++)
        ck_assert_double_lt(fabs(t.x_cm[500 * k] - x[k]), 1e-9);
    ck_assert_double_lt(fabs(t.x_cm[250] - 15), 1e-9);
    ck_assert_int_eq(t.dir[250], 1);
    ck_assert_int_eq(t.dir[2250], -1);
    ck_assert_int_eq(task_trajectory_build(&d, 99, &u, &err), HS_OK);
    ck_assert(same_traj(&t, &u));
    ck_assert_int_eq(track_from_samples(t_s, x, 6, p.length_cm, TASK_SAMPLE_MS, &g, &err),
                     HS_OK);
    ck_assert(same_traj(&t, &g));
    track_free(&t);
    track_free(&u);
    track_free(&g);
}
END_TEST

START_TEST(test_bad_parameters)
{
    track_linear_params p;
    track_linear_params_default(&p);
    p.speed_cm_s = -5;
    task_desc d = {.kind = TRACK_LINEAR, .linear = &p};
    track_traj t;
    hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(task_trajectory_build(&d, 1, &t, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "speed"));
    ck_assert_uint_eq(t.n, 0);
    track_free(&t);
    maze_params m;
    maze_params_default(&m, TRACK_TMAZE);
    m.stem_cm = 0;
    task_desc e = {.kind = TRACK_TMAZE, .maze = &m};
    ck_assert_int_eq(task_trajectory_build(&e, 1, &t, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "tmaze's lengths"));
    ck_assert_uint_eq(t.n, 0);
    track_free(&t);
    /* one tracked sample is no trajectory */
    const double t_s[] = {0}, x[] = {10};
    track_linear_params_default(&p);
    task_desc f = {.kind = TRACK_LINEAR, .linear = &p, .t_s = t_s, .x_cm = x, .n = 1};
    ck_assert_int_eq(task_trajectory_build(&f, 1, &t, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "two samples"));
    ck_assert_uint_eq(t.n, 0);
    track_free(&t);
}
END_TEST

Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("trajectory");
    tcase_add_test(tc, test_linear_laps);
    tcase_add_test(tc, test_mazes);
    tcase_add_test(tc, test_tracked_samples);
    tcase_add_test(tc, test_bad_parameters);
    suite_add_tcase(s, tc);
    return s;
}
