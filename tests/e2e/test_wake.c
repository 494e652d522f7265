/* Sequence learning awake (experiments/linear_track_wake.yaml, 8 laps):
 * synapses i -> j whose target's field lies ahead of the source's in the
 * running direction (within one field width, 4 sigma) end up stronger
 * than those pointing back: forward/backward mean weight >= 1.5 with the
 * asymmetric rule (Mehta et al. 2000); running the other way reverses it
 * (ratio <= 1/1.5); with the symmetric rule the two grow alike (ratio
 * within 0.8-1.25); in a remapped environment the asymmetry follows the
 * remapped fields, and the id order shows none. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <check.h>

#include "../../neurons/place_cells.h"
#include "suites.h"
#include "../lib/testutil.h"

typedef struct asym { double fwd, bwd; } asym;

/* Forward and backward mean E->E weight with the fields at centre[]. */
static asym asym_of(const network *n, const double *centre)
{
    asym a = {0, 0};
    size_t nf = 0, nb = 0;
    /* pyramidal cell i is driven by place cell i: it has place cell i's field */
    const net_proj *ee = &n->projs[1];
    for (int t = 0; t < n->n_threads; t++) {
        const net_part *pt = &ee->part[t];
        for (size_t i = 0; i < n->pops[ee->pre].state.n; i++)
            for (uint64_t k = pt->row[i]; k < pt->row[i + 1]; k++) {
                double d = centre[pt->syn[k].post] - centre[i];
                if (isnan(d) || d == 0 || fabs(d) > 4 * 7.0)
                    continue;
                if (d > 0) {
                    a.fwd += pt->syn[k].weight;
                    nf++;
                } else {
                    a.bwd += pt->syn[k].weight;
                    nb++;
                }
            }
    }
    ck_assert_uint_gt(nf, 100);
    ck_assert_uint_gt(nb, 100);
    a.fwd /= (double)nf;
    a.bwd /= (double)nb;
    return a;
}

/* The asymmetry against the place cells' fields; with id_order, also
 * against the fields of environment 0 (ids in field order). */
static asym run_wake(const char *const *extra, size_t n_extra, asym *id_order)
{
    const char *sets[8] = {"task.laps=8", "schedule=[{name: run, stage: wake, duration_ms: 95000}]",
                           "recording.spikes=[]", "recording.weights={}"};
    for (size_t k = 0; k < n_extra; k++)
        sets[4 + k] = extra[k];
    hs_config *c = tu_config_file("experiments/linear_track_wake.yaml", sets, 4 + n_extra);
    network *n;
    tu_spikes *s = tu_run_schedule(c, 2, &n);
    const net_pop *place = &n->pops[0];
    double *centre = malloc(place->state.n * sizeof *centre);
    double *width = malloc(place->state.n * sizeof *width);
    double *peak = malloc(place->state.n * sizeof *peak);
    int8_t *dir = malloc(place->state.n * sizeof *dir);
    place_cells_fields(place->plan, &place->state, centre, width, peak, dir);
    asym a = asym_of(n, centre);
    if (id_order) {
        size_t n_place = place->state.n, n_field = 0;
        for (size_t i = 0; i < n_place; i++)
            n_field += !isnan(centre[i]);
        /* a permutation of the fields: as many, over the same track */
        ck_assert_uint_eq(n_field, n_place / 2);
        for (size_t i = 0; i < n_place; i++)
            centre[i] = i < n_field ? ((double)i + 0.5) * c->task.linear.length_cm / (double)n_field
                                    : NAN;
        *id_order = asym_of(n, centre);
    }
    free(centre);
    free(width);
    free(peak);
    free(dir);
    tu_spikes_free(s);
    tu_network_free(n);
    experiment_free(c);
    return a;
}

START_TEST(test_forward_asymmetry)
{
    asym a = run_wake(NULL, 0, NULL);
    ck_assert_double_gt(a.fwd / a.bwd, 1.5);
    ck_assert_double_gt(a.fwd, 0.1);   /* forward synapses grew from 0.1 nS */
}
END_TEST

START_TEST(test_symmetric_rule)
{
    const char *sets[] = {"projections.ee.plasticity={rule: stdp_symmetric, "
                          "params: {A: 0.004, tau: 62.5, w_min: 0, w_max: 4}}"};
    asym a = run_wake(sets, 1, NULL);
    ck_assert_double_gt(a.fwd, 0.1);
    ck_assert_double_gt(a.bwd, 0.1);   /* both directions strengthen */
    ck_assert_double_gt(a.fwd / a.bwd, 0.8);
    ck_assert_double_lt(a.fwd / a.bwd, 1.25);
}
END_TEST

/* Fields firing in both directions: running only right to left instead
 * of only left to right reverses the asymmetry. */
START_TEST(test_reversal)
{
    const char *lr[] = {"populations.place.params.directional=0"};
    const char *rl[] = {"populations.place.params.directional=0", "task.reverse=true"};
    asym a = run_wake(lr, 1, NULL), b = run_wake(rl, 2, NULL);
    ck_assert_double_gt(a.fwd / a.bwd, 1.5);
    ck_assert_double_lt(b.fwd / b.bwd, 1 / 1.5);
}
END_TEST

/* Global remapping: a phase in environment 3 learns the sequence of its
 * remapped fields, not of the id order. */
START_TEST(test_remapped_environment)
{
    const char *sets[] = {"schedule=[{name: run, stage: wake, duration_ms: 95000, "
                          "set: {place: {environment: 3}}}]"};
    asym ids;
    asym a = run_wake(sets, 1, &ids);
    ck_assert_double_gt(a.fwd / a.bwd, 1.5);
    ck_assert_double_gt(ids.fwd / ids.bwd, 0.8);
    ck_assert_double_lt(ids.fwd / ids.bwd, 1.25);
}
END_TEST

Suite *wake_suite(void)
{
    Suite *s = suite_create("wake");
    TCase *tc = tcase_create("sequence");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_forward_asymmetry);
    tcase_add_test(tc, test_symmetric_rule);
    tcase_add_test(tc, test_reversal);
    tcase_add_test(tc, test_remapped_environment);
    suite_add_tcase(s, tc);
    return s;
}
