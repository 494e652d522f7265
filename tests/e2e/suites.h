/* suites.h: the end-to-end suites, run by tests/e2e/suites.c (build/test_e2e):
 * whole experiments and their published or measured outcomes. */
#ifndef HS_TEST_E2E_SUITES_H
#define HS_TEST_E2E_SUITES_H

#include <check.h>

Suite *wake_suite(void);      /* test_wake.c: sequence learning awake */
Suite *sleep_suite(void);     /* test_sleep.c: replay in sleep after the track */
Suite *song_suite(void);      /* test_song.c: Song, Miller & Abbott 2000 */
Suite *bench_suite(void);     /* test_bench.c: Brette et al. 2007 against Brian2 */
Suite *safety_suite(void);    /* test_safety.c: diverging models stop the run */

#endif
