/* The run's progress line (app/run_sink.c): on a terminal a run shows its
 * biological time, speed and ETA; not on a pipe, nor with --quiet; on a
 * pipe when asked for with --progress. HS_BIN names the binary. */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "../lib/shell.h"
#include "suites.h"

/* On a terminal a run shows its progress: biological time, speed, ETA. */
START_TEST(test_progress_line_on_terminal)
{
    static char out[1 << 16];
    char h5[128];
    snprintf(h5, sizeof h5, "%s/progress.h5", sh_dir);
    /* script(1) gives the run a pseudo-terminal */
    int rc = sh_run(out, sizeof out, "script -qec '%s run bench/cuba.yaml -o %s "
                 "--set simulation.duration_ms=3000' /dev/null", sh_bin(), h5);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(out, "[run] 3.0 / 3.0 s biological"));
    ck_assert_ptr_nonnull(strstr(out, "x real time"));
    ck_assert_ptr_nonnull(strstr(out, "ETA"));
    /* not on a pipe, and not with --quiet */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --overwrite "
                         "--set simulation.duration_ms=300", sh_bin(), h5), 0);
    ck_assert_ptr_null(strstr(out, "real time"));
    /* on a pipe when asked for (the Python package relays it) */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s --overwrite --progress "
                         "--set simulation.duration_ms=300", sh_bin(), h5), 0);
    ck_assert_ptr_nonnull(strstr(out, "[run] 0.3 / 0.3 s biological"));
}
END_TEST

Suite *run_sink_suite(void)
{
    Suite *s = suite_create("run_sink");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, sh_dir_make, sh_dir_remove);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_progress_line_on_terminal);
    suite_add_tcase(s, tc);
    return s;
}
