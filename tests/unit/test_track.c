/* Generated laps on a linear track (task/track.h) against the speed
 * profile's integral: each lap's running time, direction, pause and speed,
 * positions on the track, and the same laps for the same seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../../task/track.h"
#include "suites.h"

START_TEST(test_linear_laps)
{
    track_linear_params p;
    track_linear_params_default(&p);
    hs_error err;
    track_traj t, u;
    ck_assert_int_eq(track_linear_generate(&p, 1.0, 7, &t, &err), HS_OK);
    ck_assert_int_eq(track_linear_generate(&p, 1.0, 7, &u, &err), HS_OK);
    ck_assert_uint_eq(t.n, u.n);
    ck_assert_int_eq(memcmp(t.x_cm, u.x_cm, t.n * sizeof *t.x_cm), 0);
    track_free(&u);
    /* each lap: the rat runs at v_lap (read mid-track) and slows near the
     * ends; its running time is the integral of dx / v:
     *   T = (L - 2 ramp) / v + 2 ramp / (0.8 v) ln(1 / 0.2) */
    size_t start = 0;
    for (uint32_t lap = 0; lap < 20; lap++) {
        size_t end = start, run = 0;
        while (end < t.n && t.lap[end] == lap) {
            run += t.dir[end] != 0;
            ck_assert(t.x_cm[end] >= 0 && t.x_cm[end] <= 200);
            end++;
        }
        size_t mid = start + run / 2;
        double v = fabs(t.x_cm[mid + 1] - t.x_cm[mid]) / 1e-3;
        double T = (200 - 40) / v + 40 / (0.8 * v) * log(5.0);
        ck_assert_double_lt(fabs((double)run * 1e-3 - T), 0.01 * T);
        ck_assert_int_eq(t.dir[start], lap % 2 ? -1 : 1);
        ck_assert_int_eq(t.dir[end - 1], 0);                  /* the pause */
        ck_assert_uint_eq(end - start - run, 2001);           /* 2 s + the arrival */
        ck_assert(v >= 12.5 && v <= 37.5);
        start = end;
    }
    ck_assert_uint_eq(start, t.n);
    track_free(&t);
}
END_TEST

Suite *track_suite(void)
{
    Suite *s = suite_create("track");
    TCase *tc = tcase_create("laps");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_linear_laps);
    suite_add_tcase(s, tc);
    return s;
}
