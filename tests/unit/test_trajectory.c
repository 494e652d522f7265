/* A tracked rat (task/trajectory.h): a CSV trajectory read and resampled
 * (track_from_samples) to the rows' positions at their times and linear in
 * between; bad rows and times that do not increase are refused naming
 * their line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../../task/track.h"
#include "../../task/trajectory.h"
#include "suites.h"

START_TEST(test_csv_trajectory)
{
    char dir[] = "/tmp/hebbsleep-track-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/rat.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("t,x,y\n# a tracked rat\n0.000, 10.0, 5\n0.010,10.5,5\n0.020,11.5,5\n"
          "0.030,13.0,5\n0.040,12.0,5\n", f);
    fclose(f);
    double *ts, *xs;
    size_t n;
    hs_error err;
    ck_assert_int_eq(trajectory_read_csv(path, &ts, &xs, &n, &err), HS_OK);
    ck_assert_uint_eq(n, 5);
    track_traj t;
    ck_assert_int_eq(track_from_samples(ts, xs, n, 200.0, 1.0, &t, &err), HS_OK);
    ck_assert_uint_eq(t.n, 41);
    /* the samples at the rows' times are the rows; in between, linear */
    const double want[] = {10.0, 10.5, 11.5, 13.0, 12.0};
    for (int k = 0; k < 5; k++)
        ck_assert_double_lt(fabs(t.x_cm[10 * k] - want[k]), 1e-12);
    ck_assert_double_lt(fabs(t.x_cm[25] - 12.25), 1e-12);
    track_free(&t);
    free(ts);
    free(xs);
    /* bad rows name their line */
    f = fopen(path, "w");
    fputs("t,x,y\n0,1,2\n0.1,abc,2\n", f);
    fclose(f);
    ck_assert_int_eq(trajectory_read_csv(path, &ts, &xs, &n, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "rat.csv:3: expected three numbers"));
    f = fopen(path, "w");
    fputs("0,1,2\n0.2,1,2\n0.1,1,2\n", f);
    fclose(f);
    ck_assert_int_eq(trajectory_read_csv(path, &ts, &xs, &n, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "rat.csv:3: time 0.1 s does not increase"));
    ck_assert_ptr_null(ts);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *trajectory_suite(void)
{
    Suite *s = suite_create("trajectory");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_csv_trajectory);
    suite_add_tcase(s, tc);
    return s;
}
