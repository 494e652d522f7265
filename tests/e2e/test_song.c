/* Song, Miller & Abbott 2000 (Fig. 2), experiments/song2000.yaml: one
 * neuron, 1000 plastic excitatory Poisson inputs under additive STDP.
 * Published: the weights become bimodal, crowding at 0 and g_max, with
 * fewer at g_max the higher the input rate, and the output rate hardly
 * follows the input rate (it is held in a narrow band while the inputs go
 * from 10 to 40 Hz). Measured here (seed 1, from all weights at g_max):
 * 10 Hz inputs for 2000 s: 31.7 % of weights within 10 % of 0, 40.6 %
 * within 10 % of g_max, output 12.2 Hz over the last 500 s; 40 Hz inputs
 * for 600 s: 74.8 % and 6.5 %, output 15.8 Hz over the last 200 s: 1.3
 * times the output for 4 times the input. */
#include <stdio.h>

#include <check.h>

#include "suites.h"
#include "../lib/testutil.h"

typedef struct song_result {
    double low, high, rate;   /* fractions within 10 % of 0 and of g_max; late output Hz */
} song_result;

static song_result song(const char *rate, const char *duration_ms, double late_from_ms)
{
    char set_rate[64], set_sched[128];
    snprintf(set_rate, sizeof set_rate, "populations.exc_in.params.rate=%s", rate);
    snprintf(set_sched, sizeof set_sched,
             "schedule=[{name: learn, stage: wake, duration_ms: %s}]", duration_ms);
    const char *sets[] = {set_rate, set_sched, "projections.exc.weight=0.15",
                          "recording.weights={}"};
    hs_config *c = tu_config_file("experiments/song2000.yaml", sets, 4);
    network *n;
    tu_spikes *s = tu_run(c, 1, &n);
    song_result r = {0, 0, 0};
    size_t m = 0;
    for (int t = 0; t < n->n_threads; t++)
        for (size_t k = 0; k < n->projs[0].part[t].n_syn; k++, m++) {
            double w = n->projs[0].part[t].syn[k].weight;
            r.low += w < 0.015;
            r.high += w > 0.135;
        }
    ck_assert_uint_eq(m, 1000);
    r.low /= (double)m;
    r.high /= (double)m;
    size_t late = 0;
    for (size_t k = 0; k < s->n; k++)
        late += s->pop[k] == 2 && s->t_ms[k] > late_from_ms;
    r.rate = (double)late / ((c->duration_ms - late_from_ms) * 1e-3);
    tu_spikes_free(s);
    tu_network_free(n);
    experiment_free(c);
    return r;
}

START_TEST(test_song2000)
{
    song_result r10 = song("10", "2000000", 1500000.0);
    song_result r40 = song("40", "600000", 400000.0);
    /* bimodal: most weights near a bound, both ends populated */
    ck_assert_double_gt(r10.low + r10.high, 0.6);
    ck_assert_double_gt(r10.low, 0.2);
    ck_assert_double_gt(r10.high, 0.2);
    ck_assert_double_gt(r40.low + r40.high, 0.6);
    ck_assert_double_gt(r40.high, 0.02);
    ck_assert_double_lt(r40.high, r10.high);
    /* the output rate: in a band, far from following the input's factor 4 */
    ck_assert_double_gt(r10.rate, 5.0);
    ck_assert_double_lt(r40.rate, 30.0);
    ck_assert_double_lt(r40.rate / r10.rate, 1.6);
}
END_TEST

Suite *song_suite(void)
{
    Suite *s = suite_create("song");
    TCase *tc = tcase_create("song2000");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_song2000);
    suite_add_tcase(s, tc);
    return s;
}
