/* The spike_times source (neurons/spike_times.c): each spike in the step
 * its time rounds into, unsorted input and several spikes of a step, a
 * thread sees only its own neurons, and a spike before the end of the
 * first step is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../lib/neuron_ref.h"
#include "suites.h"

START_TEST(test_spike_times_source)
{
    cell c;
    cell_init(&c, "spike_times", 5, NULL, NULL, 0);
    const double t[] = {0.3, 0.1, 0.3, 0.32, 1.0};
    const uint64_t ids[] = {2, 4, 1, 2, 0};
    neuron_source_data d = {t, ids, 5, NULL};
    hs_error err;
    ck_assert_int_eq(c.t->ext_alloc(&c.pop, c.plan, &d, 1, 0, &err), HS_OK);
    /* step round(t/dt) - 1: 0.1 -> 0; 0.3, 0.32 -> 2; 1.0 -> 9 */
    ck_assert_uint_eq(c.t->update(c.plan, &c.pop, 0, 5, 0, NULL, c.spikes), 1);
    ck_assert_uint_eq(c.spikes[0], 4);
    ck_assert_uint_eq(c.t->update(c.plan, &c.pop, 0, 5, 1, NULL, c.spikes), 0);
    ck_assert_uint_eq(c.t->update(c.plan, &c.pop, 0, 5, 2, NULL, c.spikes), 2);
    ck_assert_uint_eq(c.spikes[0], 1);
    ck_assert_uint_eq(c.spikes[1], 2);
    /* a thread owning [2, 5) sees only neuron 2 */
    ck_assert_uint_eq(c.t->update(c.plan, &c.pop, 2, 5, 2, NULL, c.spikes), 1);
    ck_assert_uint_eq(c.t->update(c.plan, &c.pop, 0, 5, 9, NULL, c.spikes), 1);
    cell_free(&c);
    const double early[] = {0.04};
    const uint64_t id0[] = {0};
    neuron_source_data bad = {early, id0, 1, NULL};
    cell_init(&c, "spike_times", 1, NULL, NULL, 0);
    ck_assert_int_eq(c.t->ext_alloc(&c.pop, c.plan, &bad, 1, 0, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "before the end of the first step"));
    cell_free(&c);
}
END_TEST

Suite *spike_times_suite(void)
{
    Suite *s = suite_create("spike_times");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_spike_times_source);
    suite_add_tcase(s, tc);
    return s;
}
