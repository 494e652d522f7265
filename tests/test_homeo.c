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

#include "../sim/homeo.h"
#include "suites.h"
#include "testutil.h"

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

static weights get_weights(const network *n)
{
    weights r;
    r.pre = malloc(1000 * sizeof *r.pre);
    r.post = malloc(1000 * sizeof *r.post);
    r.w = malloc(1000 * sizeof *r.w);
    r.n = schedule_weights(n, 0, r.pre, r.post, r.w);
    return r;
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
    network *n = network_build(c, threads, &err);
    ck_assert_ptr_nonnull(n);
    sim *s = sim_alloc(n, c, &err);
    ck_assert_ptr_nonnull(s);
    *before = get_weights(n);
    ck_assert_int_eq(schedule_run(s, n, c, NULL, NULL, &err), HS_OK);
    *after = get_weights(n);
    sim_free(s);
    network_free(n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(test_downscale_exact)
{
    /* 3 intervals of 10 ms at 5/s: a = exp(-5 * 0.01) per interval */
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
    const double f = exp(-5 * 0.01);
    size_t spared = 0;
    for (size_t k = 0; k < b.n; k++) {
        float w = (float)b.w[k];
        if (b.w[k] >= thr) {
            ck_assert_float_eq((float)a.w[k], w);
            spared++;
            continue;
        }
        for (int i = 0; i < 3; i++)
            w = (float)(w * f);
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
    config_free(c);
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
    config_free(c);
    /* the same with the sleep phase at gain 0 too: weights untouched */
    c = homeo_config(
        "{rule: downscale, params: {rate_per_s: 0, target_total: 30, interval_ms: 10}}",
        "  - {name: awake, stage: wake, duration_ms: 20, gains: {p: {downscale: 0}}}\n");
    run_schedule_of(c, 1, &b, &a);
    for (size_t k = 0; k < a.n; k++)
        ck_assert_float_eq((float)a.w[k], (float)b.w[k]);
    free_weights(&a);
    free_weights(&b);
    config_free(c);
}
END_TEST

/* One neuron driven far above 5 Hz by 200 Poisson inputs; scaling_rate
 * (target 5 Hz) brings it there. Rate over the last 10 s within 10 %;
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
        "      homeostasis: [{rule: scaling_rate, params: {target_hz: 5, tau_ms: 2000,\n"
        "                     avg_tau_ms: 1000, interval_ms: 100}}]}\n"
        "recording: {spikes: [dst]}\n"
        "schedule:\n"
        "  - {name: settle, stage: wake, duration_ms: 40000}\n"
        "  - {name: measure, stage: wake, duration_ms: 10000}\n";
    hs_config *c = tu_config(yaml, NULL, 0);
    hs_error err;
    network *n = network_build(c, 2, &err);
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
    network_free(n);
    config_free(c);
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
    suite_add_tcase(s, tc);
    return s;
}
