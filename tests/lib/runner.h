/* runner.h: the main of a test binary (tests/unit, tests/e2e): runs its
 * suites with Check and prints Check's summary line. HS_SUITE=name runs
 * the suite of that name only; HS_BIN names the hebbsleep binary for the
 * tests that drive it (shell.h). */
#ifndef HS_TEST_RUNNER_H
#define HS_TEST_RUNNER_H

#include <stddef.h>

#include <check.h>

/* One entry of a binary's suite list. */
typedef struct runner_suite {
    const char *name;
    Suite *(*make)(void);
} runner_suite;

/* Runs the n suites of list (or the one HS_SUITE names); returns the exit
 * status: 0 when every test passed, 1 on a failure or when HS_SUITE names
 * no suite of list (the names are then printed). */
int runner_main(const char *binary, const runner_suite *list, size_t n);

#endif
