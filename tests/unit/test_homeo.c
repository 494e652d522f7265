/* Homeostasis against its definitions: downscaling by a gives w -> a w for
 * every unspared synapse and keeps the spared ones and the rank order;
 * target_total holds each neuron's summed input; scaling_rate drives a
 * neuron firing too fast to its target rate while keeping the ratios of
 * its input weights; phase gains switch rules off. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../sim/homeo.h"
#include "suites.h"
#include "../lib/testutil.h"

/* 50 silent sources onto 20 targets, all to all, weights drawn from
 * [0.1, 2] nS, one homeostasis rule given as YAML text. */
static hs_config *homeo_config(const char *rule, const char *schedule)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "simulation: {dt_ms: 0.1, seed: 11}\n"
             "populations:\n"
             "  src: {model: poisson, size: 50, params: {rate: 0}}\n"
             "  dst: {model: lif_coba, size: 20}\n"
             "projections:\n"
             "  p: {pre: src, post: dst, receptor: ex, delay_ms: 1,\n"
             "      weight: {dist: uniform, low: 0.1, high: 2},\n"
             "      connect: {rule: all_to_all},\n"
             "      homeostasis: [%s]}\n"
             "schedule:\n%s",
             rule, schedule);
    return tu_config(yaml, NULL, 0);
}

typedef struct weights {
    uint64_t *pre, *post;
    double *w;
    size_t n;
} weights;

static weights get_weights_of(const network *n, size_t j)
{
    size_t m = 0;
    for (int t = 0; t < n->n_threads; t++)
        m += n->projs[j].part[t].n_syn;
    weights r;
    r.pre = malloc((m + 1) * sizeof *r.pre);
    r.post = malloc((m + 1) * sizeof *r.post);
    r.w = malloc((m + 1) * sizeof *r.w);
    r.n = weights_local(n, j, r.pre, r.post, r.w);
    return r;
}

static weights get_weights(const network *n)
{
    return get_weights_of(n, 0);
}

static void free_weights(weights *w)
{
    free(w->pre);
    free(w->post);
    free(w->w);
}

/* Builds c, returns the weights before, runs the schedule, weights after. */
static void run_schedule_of(hs_config *c, int threads, weights *before, weights *after)
{
    hs_error err;
    network *n = tu_network_build(c, threads, &err);
    ck_assert_ptr_nonnull(n);
    sim *s = sim_alloc(n, c, &err);
    ck_assert_ptr_nonnull(s);
    *before = get_weights(n);
    ck_assert_int_eq(schedule_run(s, n, c, NULL, NULL, &err), HS_OK);
    *after = get_weights(n);
    sim_free(s);
    tu_network_free(n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(test_downscale_exact)
{
    /* 300 steps, clock m = 100 steps, 5/s: target j has turns at the end of
     * the steps with (step + 1) % 100 == j, each covering the steps since
     * its last, and one more at the phase's end: in all a = exp(-5 * 0.03)
     * for every target, applied piece by piece */
    hs_config *c = homeo_config(
        "{rule: downscale, params: {rate_per_s: 5, spare_fraction: 0.2, interval_ms: 10}}",
        "  - {name: sleep, stage: nrem, duration_ms: 30}\n");
    weights b, a;
    run_schedule_of(c, 2, &b, &a);
    ck_assert_uint_eq(b.n, 1000);
    double *sorted = malloc(b.n * sizeof *sorted);
    memcpy(sorted, b.w, b.n * sizeof *sorted);
    qsort(sorted, b.n, sizeof *sorted, cmp_double);
    /* GSL's quantile of the sorted weights, 0.8: linear interpolation */
    double pos = 0.8 * (double)(b.n - 1), thr = sorted[(size_t)pos] +
        (pos - floor(pos)) * (sorted[(size_t)pos + 1] - sorted[(size_t)pos]);
    size_t spared = 0;
    for (size_t k = 0; k < b.n; k++) {
        float w = (float)b.w[k];
        if (b.w[k] >= thr) {
            ck_assert_float_eq((float)a.w[k], w);
            spared++;
            continue;
        }
        uint64_t j = b.post[k], last = 0;
        for (uint64_t end = j ? j : 100; end <= 300; last = end, end += 100)
            w = (float)(w * exp(-5 * 0.1e-3 * (double)(end - last)));
        if (last < 300)
            w = (float)(w * exp(-5 * 0.1e-3 * (double)(300 - last)));
        ck_assert_float_eq((float)a.w[k], w);
    }
    ck_assert_uint_eq(spared, 200);
    /* rank order kept: the same permutation sorts before and after */
    for (size_t k = 0; k + 1 < b.n; k++)
        for (size_t q = k + 1; q < b.n && q < k + 40; q++)
            ck_assert((b.w[k] < b.w[q]) == (a.w[k] < a.w[q]) || b.w[k] == b.w[q]);
    free(sorted);
    free_weights(&a);
    free_weights(&b);
    experiment_free(c);
}
END_TEST

START_TEST(test_downscale_gain_and_total)
{
    /* gain 0 in wake: nothing changes; then target_total in nrem */
    hs_config *c = homeo_config(
        "{rule: downscale, params: {rate_per_s: 0, target_total: 30, interval_ms: 10}}",
        "  - {name: awake, stage: wake, duration_ms: 20, gains: {p: {downscale: 0}}}\n"
        "  - {name: sleep, stage: nrem, duration_ms: 10}\n");
    weights b, a;
    run_schedule_of(c, 1, &b, &a);
    double sum[20] = {0};
    for (size_t k = 0; k < a.n; k++)
        sum[a.post[k]] += a.w[k];
    for (size_t j = 0; j < 20; j++)
        ck_assert_double_lt(fabs(sum[j] - 30.0), 30.0 * 1e-6);
    free_weights(&a);
    free_weights(&b);
    experiment_free(c);
    /* the same with the sleep phase at gain 0 too: weights untouched */
    c = homeo_config(
        "{rule: downscale, params: {rate_per_s: 0, target_total: 30, interval_ms: 10}}",
        "  - {name: awake, stage: wake, duration_ms: 20, gains: {p: {downscale: 0}}}\n");
    run_schedule_of(c, 1, &b, &a);
    for (size_t k = 0; k < a.n; k++)
        ck_assert_float_eq((float)a.w[k], (float)b.w[k]);
    free_weights(&a);
    free_weights(&b);
    experiment_free(c);
}
END_TEST

/* One neuron driven far above 5 Hz by 200 Poisson inputs; scaling_rate
 * (target 5 Hz; STDP present for its bounds, switched off) brings it there. Rate over the last 10 s within 10 %;
 * the ratios of its input weights unchanged (float rounding aside). */
START_TEST(test_scaling_rate_to_target)
{
    const char *yaml =
        "simulation: {dt_ms: 0.1, seed: 3}\n"
        "populations:\n"
        "  src: {model: poisson, size: 200, params: {rate: 10}}\n"
        "  dst: {model: lif_coba, size: 1}\n"
        "projections:\n"
        "  p: {pre: src, post: dst, receptor: ex, delay_ms: 1,\n"
        "      weight: {dist: uniform, low: 0.5, high: 1.5},\n"
        "      connect: {rule: all_to_all},\n"
        "      plasticity: {rule: stdp_pair, params: {w_min: 0, w_max: 10}},\n"
        "      homeostasis: [{rule: scaling_rate, params: {target_hz: 5, tau_ms: 2000,\n"
        "                     avg_tau_ms: 1000, interval_ms: 100}}]}\n"
        "recording: {spikes: [dst]}\n"
        "schedule:\n"
        "  - {name: settle, stage: wake, duration_ms: 40000, gains: {p: {stdp: 0}}}\n"
        "  - {name: measure, stage: wake, duration_ms: 10000, gains: {p: {stdp: 0}}}\n";
    hs_config *c = tu_config(yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    sim *s = sim_alloc(n, c, &err);
    weights b = get_weights(n);
    tu_spikes *rec = calloc(1, sizeof *rec);
    sim_sink sink = {rec, tu_sink_spikes, NULL, NULL};
    ck_assert_int_eq(schedule_run(s, n, c, &sink, NULL, &err), HS_OK);
    weights a = get_weights(n);
    size_t first = 0, late = 0;
    for (size_t k = 0; k < rec->n; k++) {
        first += rec->t_ms[k] <= 2000.0;
        late += rec->t_ms[k] > 40000.0;
    }
    ck_assert_double_gt((double)first / 2.0, 15.0);          /* far above target at first */
    ck_assert_double_lt(fabs((double)late / 10.0 - 5.0), 0.5); /* within 10 % at the end */
    for (size_t k = 1; k < b.n; k++)
        ck_assert_double_lt(fabs(a.w[k] / a.w[0] - b.w[k] / b.w[0]), 1e-5 * b.w[k] / b.w[0]);
    ck_assert_double_lt(a.w[0], 0.8 * b.w[0]);
    free_weights(&a);
    free_weights(&b);
    tu_spikes_free(rec);
    sim_free(s);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* Plastic E->E with both homeostatic rules (clocks of 70 and 30 steps, not
 * dividing the 64-neuron thread blocks) and 1 ms delays (10-step windows):
 * bitwise equal for 1, 2 and 4 threads. */
START_TEST(test_homeo_threads_bitwise)
{
    const char *sets[] = {
        "simulation.duration_ms=300",
        "projections.ee.delay_ms=1", "projections.ei.delay_ms=1",
        "projections.ie.delay_ms=1", "projections.ii.delay_ms=1",
        "projections.ee.homeostasis=[{rule: scaling_rate, params: {target_hz: 10, "
        "interval_ms: 7, avg_tau_ms: 50}}, {rule: downscale, params: {rate_per_s: 1, "
        "interval_ms: 3}}]"};
    hs_config *c = tu_config_file("bench/coba_stdp.yaml", sets, 6);
    network *n1, *n2, *n4;
    tu_spikes *a = tu_run(c, 1, &n1), *b = tu_run(c, 2, &n2), *d = tu_run(c, 4, &n4);
    ck_assert_uint_gt(a->n, 1000);
    ck_assert(tu_spikes_equal(a, b));
    ck_assert(tu_spikes_equal(a, d));
    weights w1 = get_weights_of(n1, 0), w2 = get_weights_of(n2, 0), w4 = get_weights_of(n4, 0);
    ck_assert_int_eq(memcmp(w1.w, w2.w, w1.n * sizeof *w1.w), 0);
    ck_assert_int_eq(memcmp(w1.w, w4.w, w1.n * sizeof *w1.w), 0);
    free_weights(&w1);
    free_weights(&w2);
    free_weights(&w4);
    tu_spikes_free(a);
    tu_spikes_free(b);
    tu_spikes_free(d);
    tu_network_free(n1);
    tu_network_free(n2);
    tu_network_free(n4);
    experiment_free(c);
}
END_TEST

Suite *homeo_suite(void)
{
    Suite *s = suite_create("homeo");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_downscale_exact);
    tcase_add_test(tc, test_downscale_gain_and_total);
    tcase_add_test(tc, test_scaling_rate_to_target);
    tcase_add_test(tc, test_homeo_threads_bitwise);
    suite_add_tcase(s, tc);
    return s;
}
