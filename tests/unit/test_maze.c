/* Mazes (task/maze.h): the route's order of segments, T-maze left/right
 * alternation, positions within their segments, pauses at the reward
 * sites, the drawn (x, y) on the drawn segments, the circular track's
 * wrap, the same trajectory for the same seed, and bad parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../task/maze.h"
#include "suites.h"

/* Checks that sample i lies on its segment: linearized position within
 * it, and (x, y) where track_segment_point draws it, on the segment's
 * line (or circle). */
static void on_segment(const track_traj *t, size_t i)
{
    ck_assert_uint_lt(t->segment[i], t->n_segments);
    const track_segment *s = &t->segments[t->segment[i]];
    double x = t->x_cm[i];
    ck_assert(x >= s->offset_cm - 1e-9 && x <= s->offset_cm + s->length_cm + 1e-9);
    double dx = t->x[i], dy = t->y[i];
    if (s->radius_cm > 0) {
        double r = hypot(dx - s->x0_cm, dy - s->y0_cm - s->radius_cm);
        ck_assert_double_lt(fabs(r - s->radius_cm), 1e-3);
        return;
    }
    /* on the line between the end points, at the fraction of the position */
    double f = (x - s->offset_cm) / s->length_cm;
    ck_assert_double_lt(fabs(dx - (s->x0_cm + f * (s->x1_cm - s->x0_cm))), 1e-3);
    ck_assert_double_lt(fabs(dy - (s->y0_cm + f * (s->y1_cm - s->y0_cm))), 1e-3);
}

/* The lap's segments in the order visited, repeats collapsed; pauses (the
 * positions where dir is 0, once per pause) into pause_at. */
static size_t lap_walk(const track_traj *t, size_t *at, uint32_t lap, uint8_t *seq,
                       size_t max, double *pause_at, size_t *n_pause, size_t *pause_len)
{
    size_t n = 0, i = *at, run = 0;
    *n_pause = 0;
    for (; i < t->n && t->lap[i] == lap; i++) {
        on_segment(t, i);
        if (n == 0 || seq[n - 1] != t->segment[i]) {
            ck_assert_uint_lt(n, max);
            seq[n++] = t->segment[i];
        }
        if (t->dir[i] == 0) {
            if (run == 0)
                pause_at[(*n_pause)++] = t->x_cm[i];
            run++;
        } else {
            if (run)
                *pause_len = run;
            run = 0;
        }
        /* direction: the sign of the linearized position's change within a segment */
        if (t->dir[i] != 0 && i + 1 < t->n && t->segment[i + 1] == t->segment[i] &&
            t->dir[i + 1] == t->dir[i])
            ck_assert_int_eq(t->x_cm[i + 1] > t->x_cm[i] ? 1 : -1, t->dir[i]);
    }
    if (run)
        *pause_len = run;
    *at = i;
    return n;
}

START_TEST(test_tmaze_alternation)
{
    maze_params p;
    maze_params_default(&p, TRACK_TMAZE);
    ck_assert_double_eq(p.stem_cm, 100);
    ck_assert_double_eq(p.arm_cm, 50);
    p.laps = 6;
    hs_error err;
    track_traj t;
    ck_assert_int_eq(maze_generate(&p, 1.0, 3, &t, &err), HS_OK);
    ck_assert_double_eq(t.length_cm, 200);
    ck_assert_uint_eq(t.n_segments, 3);
    ck_assert_str_eq(t.segments[0].name, "stem");
    ck_assert_str_eq(t.segments[1].name, "left");
    ck_assert_str_eq(t.segments[2].name, "right");
    size_t at = 0;
    for (uint32_t lap = 0; lap < 6; lap++) {
        uint8_t seq[8];
        double pause_at[4];
        size_t np, plen = 0;
        ck_assert_double_eq(t.x_cm[at], 0.0);                /* carried back to the stem */
        ck_assert_int_eq(t.dir[at], 1);
        size_t n = lap_walk(&t, &at, lap, seq, 8, pause_at, &np, &plen);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(seq[0], 0);
        ck_assert_uint_eq(seq[1], lap % 2 ? 2 : 1);           /* left, right, left, ... */
        ck_assert_uint_eq(np, 1);
        ck_assert_double_eq(pause_at[0], lap % 2 ? 200 : 150); /* the arm's end */
        ck_assert_uint_eq(plen, 2001);
        ck_assert_float_eq(t.x[at - 1], lap % 2 ? 50.0f : -50.0f);
        ck_assert_float_eq(t.y[at - 1], 100.0f);
    }
    ck_assert_uint_eq(at, t.n);
    track_traj u;
    ck_assert_int_eq(maze_generate(&p, 1.0, 3, &u, &err), HS_OK);
    ck_assert_uint_eq(u.n, t.n);
    ck_assert_int_eq(memcmp(u.x_cm, t.x_cm, t.n * sizeof *t.x_cm), 0);
    track_free(&u);
    track_free(&t);
}
END_TEST

START_TEST(test_wmaze_route)
{
    maze_params p;
    maze_params_default(&p, TRACK_WMAZE);
    p.laps = 3;
    hs_error err;
    track_traj t;
    ck_assert_int_eq(maze_generate(&p, 1.0, 5, &t, &err), HS_OK);
    ck_assert_double_eq(t.length_cm, 3 * 80 + 2 * 40);
    static const char *const names[5] = {"center", "top_left", "left", "top_right", "right"};
    ck_assert_uint_eq(t.n_segments, 5);
    for (size_t k = 0; k < 5; k++)
        ck_assert_str_eq(t.segments[k].name, names[k]);
    /* center -> left -> center -> right -> center */
    static const uint8_t route[] = {0, 1, 2, 1, 0, 3, 4, 3, 0};
    static const double wells[] = {200, 0, 320, 0};          /* left, center, right, center */
    size_t at = 0;
    for (uint32_t lap = 0; lap < 3; lap++) {
        uint8_t seq[16];
        double pause_at[8];
        size_t np, plen = 0;
        ck_assert_double_eq(t.x_cm[at], 0.0);
        size_t n = lap_walk(&t, &at, lap, seq, 16, pause_at, &np, &plen);
        ck_assert_uint_eq(n, sizeof route);
        ck_assert_int_eq(memcmp(seq, route, sizeof route), 0);
        ck_assert_uint_eq(np, 4);
        for (size_t k = 0; k < 4; k++)
            ck_assert_double_eq(pause_at[k], wells[k]);
        ck_assert_uint_eq(plen, 2001);
    }
    ck_assert_uint_eq(at, t.n);
    /* outbound +1, inbound -1, both present */
    size_t up = 0, down = 0;
    for (size_t i = 0; i < t.n; i++) {
        up += t.dir[i] > 0;
        down += t.dir[i] < 0;
    }
    ck_assert(up > 1000 && down > 1000);
    track_free(&t);
}
END_TEST

START_TEST(test_circular_wrap)
{
    maze_params p;
    maze_params_default(&p, TRACK_CIRCULAR);
    ck_assert_double_eq(p.pause_s, 0.0);
    p.laps = 4;
    hs_error err;
    track_traj t;
    ck_assert_int_eq(maze_generate(&p, 1.0, 9, &t, &err), HS_OK);
    ck_assert_uint_eq(t.n_segments, 1);
    ck_assert_double_eq(t.length_cm, 200);
    size_t wraps = 0;
    for (size_t i = 0; i < t.n; i++) {
        on_segment(&t, i);
        ck_assert(t.x_cm[i] >= 0 && t.x_cm[i] < 200);
        ck_assert_int_eq(t.dir[i], 1);
        if (i && t.x_cm[i] < t.x_cm[i - 1]) {
            wraps++;
            ck_assert_uint_eq(t.lap[i], t.lap[i - 1] + 1);
        }
    }
    ck_assert_uint_eq(wraps, 3);
    track_free(&t);

    /* a reward site at 0: the rat pauses there after each lap */
    p.pause_s = 1;
    ck_assert_int_eq(maze_generate(&p, 1.0, 9, &t, &err), HS_OK);
    size_t paused = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.dir[i] == 0) {
            paused++;
            ck_assert_double_eq(t.x_cm[i], 0.0);
        }
    ck_assert_uint_eq(paused, 4 * 1001);
    track_free(&t);
}
END_TEST

START_TEST(test_linear_drawn)
{
    track_linear_params p;
    track_linear_params_default(&p);
    p.laps = 2;
    hs_error err;
    track_traj t;
    ck_assert_int_eq(track_linear_generate(&p, 1.0, 1, &t, &err), HS_OK);
    ck_assert_uint_eq(t.n_segments, 1);
    ck_assert_str_eq(t.segments[0].name, "track");
    for (size_t i = 0; i < t.n; i++) {
        on_segment(&t, i);
        ck_assert_uint_eq(t.segment[i], 0);
    }
    track_free(&t);
}
END_TEST

START_TEST(test_maze_bad)
{
    maze_params p;
    hs_error err;
    track_traj t;
    maze_params_default(&p, TRACK_TMAZE);
    p.ramp_cm = 80;                                           /* run: 150 cm */
    ck_assert_int_eq(maze_generate(&p, 1.0, 1, &t, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "ramp_cm"));
    ck_assert_ptr_null(t.x_cm);
    maze_params_default(&p, TRACK_WMAZE);
    p.laps = 2.5;
    ck_assert_int_eq(maze_generate(&p, 1.0, 1, &t, &err), HS_EINPUT);
    maze_params_default(&p, TRACK_WMAZE);
    p.width_cm = 0;
    ck_assert_int_eq(maze_generate(&p, 1.0, 1, &t, &err), HS_EINPUT);
    maze_params_default(&p, TRACK_LINEAR);
    ck_assert_int_eq(maze_generate(&p, 1.0, 1, &t, &err), HS_EINPUT);
    track_free(&t);
}
END_TEST

Suite *maze_suite(void)
{
    Suite *s = suite_create("maze");
    TCase *tc = tcase_create("maze");
    tcase_add_test(tc, test_tmaze_alternation);
    tcase_add_test(tc, test_wmaze_route);
    tcase_add_test(tc, test_circular_wrap);
    tcase_add_test(tc, test_linear_drawn);
    tcase_add_test(tc, test_maze_bad);
    suite_add_tcase(s, tc);
    return s;
}
