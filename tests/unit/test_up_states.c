/* Events and time in the slow oscillation's up states (replay/up_states.h):
 * labels by hand, in, out, at the edges and in a phase without a slow
 * oscillation; the covered fraction of a phase with overlapping up states
 * of two populations and up states running past the phase. */
#include <math.h>

#include <check.h>

#include "../../replay/up_states.h"
#include "suites.h"

/* Phase 0 [0, 1000): up states of population a [0, 300), [500, 800) and of
 * b [200, 400) (overlapping); phase 1 [1000, 2000): [1500, 2500) running
 * past its end; phase 2 has none. */
static const double UP_START[] = {0, 500, 200, 1500};
static const double UP_STOP[] = {300, 800, 400, 2500};
static const uint32_t UP_PHASE[] = {0, 0, 0, 1};

START_TEST(test_up_states_label)
{
    replay_up_states u = {4, UP_START, UP_STOP, UP_PHASE};
    const double t[] = {0, 299.9, 300, 350, 450, 800, 1500, 1499, 1500};
    const uint32_t phase[] = {0, 0, 0, 0, 0, 0, 1, 1, 2};
    const int8_t want[] = {1, 1, 1, 1, 0, 0, 1, 0, -1};
    int8_t got[9];
    replay_up_states_label(&u, t, phase, 9, got);
    for (size_t j = 0; j < 9; j++)
        ck_assert_msg(got[j] == want[j], "event %zu at %g ms: %d, want %d", j, t[j], got[j],
                      want[j]);
    replay_up_states_label(NULL, t, phase, 9, got);
    for (size_t j = 0; j < 9; j++)
        ck_assert_int_eq(got[j], -1);
}
END_TEST

START_TEST(test_up_states_cover)
{
    replay_up_states u = {4, UP_START, UP_STOP, UP_PHASE};
    /* [0, 400) and [500, 800): 700 of 1000 ms */
    ck_assert_double_eq_tol(replay_up_states_cover(&u, 0, 0, 1000), 0.7, 1e-12);
    /* [1500, 2000) of [1000, 2000) */
    ck_assert_double_eq_tol(replay_up_states_cover(&u, 1, 1000, 2000), 0.5, 1e-12);
    ck_assert(isnan(replay_up_states_cover(&u, 2, 2000, 3000)));
    ck_assert(isnan(replay_up_states_cover(&u, 0, 1000, 1000)));
    ck_assert(isnan(replay_up_states_cover(NULL, 0, 0, 1000)));
}
END_TEST

Suite *up_states_suite(void)
{
    Suite *s = suite_create("up_states");
    TCase *tc = tcase_create("up_states");
    tcase_add_test(tc, test_up_states_label);
    tcase_add_test(tc, test_up_states_cover);
    suite_add_tcase(s, tc);
    return s;
}
