/* SIGINT and SIGTERM (app/signals.c) stop a run of the binary at the
 * next window's end: exit 130 and 143, the recorders flushed, the file
 * closed with complete = 0 and its spikes all before the reported stop.
 * HS_BIN names the binary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <check.h>

#include "../lib/shell.h"
#include "suites.h"

/* SIGINT and SIGTERM stop a run at the next window's end: exit 130 and
 * 143, the recorders flushed, the file closed with complete = 0 and its
 * spikes all before the reported stop. */
static void interrupt_run(int sig, int want_status)
{
    static char out[1 << 16];
    char h5[128], log[160];
    snprintf(h5, sizeof h5, "%s/interrupted_%d.h5", sh_dir, sig);
    snprintf(log, sizeof log, "%s/interrupted_%d.log", sh_dir, sig);
    pid_t pid = sh_start_long_run("bench/cuba.yaml", h5, log);
    ck_assert_int_eq(kill(pid, sig), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), want_status);
    ck_assert_int_eq(sh_run(out, sizeof out, "cat %s", log), 0);
    const char *at = strstr(out, "interrupted at ");
    ck_assert_ptr_nonnull(at);
    double stop_ms = atof(at + strlen("interrupted at "));
    ck_assert_double_gt(stop_ms, 0);
    ck_assert_double_lt(stop_ms, 1000000);
    sh_assert_layout_ok(out, sizeof out, h5, 0, "the interrupted run");
    /* -o: the data values alone, no header numbers */
    ck_assert_int_eq(sh_run(out, sizeof out, "h5dump -y -d /spikes/exc/timestamps -o %s.txt %s "
                         ">/dev/null && tr ', ' '\\n\\n' < %s.txt | sort -g | tail -1",
                         h5, h5, h5), 0);
    double last = atof(out);
    ck_assert_double_gt(last, 0);
    ck_assert_double_le(last, stop_ms);
}

START_TEST(test_signals_stop_cleanly)
{
    interrupt_run(SIGINT, 130);
    interrupt_run(SIGTERM, 143);
}
END_TEST

Suite *signals_suite(void)
{
    Suite *s = suite_create("signals");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, sh_dir_make, sh_dir_remove);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_signals_stop_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
