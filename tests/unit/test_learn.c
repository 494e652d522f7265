/* STDP at run time (sim/learn.h), driven through learn_deliver and
 * learn_post by hand, step by step, against stdp.h's formulas:
 * a potentiation reads the pre trace as the sum of e^{-(t - t_k)/tau_plus}
 * over the pre spikes so far (all-to-all) or of the last one (nearest),
 * also across gaps longer than the decay table; a depression reads the
 * post trace alike, and the weight transmitted is the depressed one; a
 * pre/post pair at offsets from -20 to +20 ms changes the weight by the
 * rule's window (stdp_pair, stdp_symmetric); the phase's gain scales the
 * change and the bounds clip it; and whole plastic runs give bitwise the
 * same weights for 1, 2 and 4 threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../sim/learn.h"
#include "../lib/testutil.h"
#include "suites.h"

#define DT 0.1

/* n_pre sources onto n_post lif_cuba cells through one plastic projection
 * `syn` (connect: rule), initial weight w0, delay 1 ms, one thread. The
 * sources are silent: the tests hand learn_* the spikes. */
static network *learn_net(const char *rule, const char *interaction, const char *params,
                          const char *connect, size_t n_pre, size_t n_post, double w0,
                          hs_config **c)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "simulation: {dt_ms: 0.1, duration_ms: 1, seed: 1}\n"
             "populations:\n"
             "  pre: {model: poisson, size: %zu, params: {rate: 0}}\n"
             "  post: {model: lif_cuba, size: %zu}\n"
             "projections:\n"
             "  syn: {pre: pre, post: post, receptor: ex, weight: %g, delay_ms: 1.0,\n"
             "        connect: {rule: %s},\n"
             "        plasticity: {rule: %s, interaction: %s, params: {%s}}}\n",
             n_pre, n_post, w0, connect, rule, interaction, params);
    *c = tu_config(yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(*c, 1, &err);
    ck_assert_msg(n != NULL, "%s", err.msg);
    ck_assert_ptr_nonnull(n->projs[0].learn);
    return n;
}

/* The weight of synapse pre -> post (one thread's part). */
static double weight(const network *n, uint32_t pre, uint32_t post)
{
    const net_part *pt = &n->projs[0].part[0];
    for (uint64_t k = pt->row[pre]; k < pt->row[pre + 1]; k++)
        if (pt->syn[k].post == post)
            return pt->syn[k].weight;
    ck_abort_msg("no synapse %u -> %u", pre, post);
    return NAN;
}

static void pre_spike(network *n, uint32_t i, uint64_t step)
{
    learn_deliver(n, &n->projs[0], 0, &i, 1, step, NULL);
}

static void post_spike(network *n, uint32_t j, uint64_t step)
{
    learn_post(n, &n->projs[0], 0, &j, 1, step);
}

static void assert_rel(double got, double want, const char *what)
{
    ck_assert_msg(fabs(got - want) <= 1e-6 * fabs(want), "%s: %.12g, formula %.12g", what, got,
                  want);
}

static const char pair_params[] =
    "A_plus: 0.01, A_minus: 0.012, tau_plus: 16.8, tau_minus: 33.7, w_max: 1, w_min: -1";

/* Pre spikes at steps s_k, then a post spike at S: the change is
 * A_plus w_max x(S), x the sum of e^{-(S - s_k) dt / tau_plus} over the
 * spikes (all-to-all) or the last term (nearest). The post traces are 0
 * before the post spike, so the pre spikes depress nothing. */
START_TEST(test_pre_trace_is_exponential_sum)
{
    const uint64_t s[] = {100, 107, 300, 1000, 5000}, S = 5500;
    for (int nearest = 0; nearest <= 1; nearest++) {
        hs_config *c;
        network *n = learn_net("stdp_pair", nearest ? "nearest" : "all_to_all", pair_params,
                               "all_to_all", 1, 2, 0.0, &c);
        for (size_t k = 0; k < 5; k++)
            pre_spike(n, 0, s[k]);
        ck_assert_double_eq(weight(n, 0, 1), 0.0);
        post_spike(n, 1, S);
        double x = 0;
        for (size_t k = nearest ? 4 : 0; k < 5; k++)
            x += exp(-(double)(S - s[k]) * DT / 16.8);
        assert_rel(weight(n, 0, 1), 0.01 * x, nearest ? "nearest" : "all-to-all");
        ck_assert_double_eq(weight(n, 0, 0), 0.0);   /* its target did not spike */
        tu_network_free(n);
        experiment_free(c);
    }
}
END_TEST

/* Traces decay through a table of e^{-n dt/tau} for short gaps and exp()
 * beyond it (65536 steps at most): with tau_plus 100 ms (a table of 65536
 * steps) post spikes 65535, 65536 and 70000 steps after the pre spike see
 * e^{-gap dt / tau} on both sides of the table's end. */
START_TEST(test_trace_across_the_decay_table)
{
    hs_config *c;
    network *n = learn_net("stdp_pair", "all_to_all",
                           "A_plus: 0.01, tau_plus: 100, w_max: 1, w_min: -1", "all_to_all", 1,
                           3, 0.0, &c);
    ck_assert_uint_eq(n->projs[0].learn->pre_decay[0].len, 65536);
    const uint64_t gap[] = {65535, 65536, 70000};
    pre_spike(n, 0, 10);
    for (uint32_t j = 0; j < 3; j++)
        post_spike(n, j, 10 + gap[j]);
    for (uint32_t j = 0; j < 3; j++)
        assert_rel(weight(n, 0, j), 0.01 * exp(-(double)gap[j] * DT / 100.0), "long gap");
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* Post spikes at steps 100 and 250, then a pre spike at 400: the change
 * is -A_minus w_max y(400) with y the post trace (both spikes, or the
 * last), and the weight added to the delay ring for step 400 + 10 is the
 * depressed one. */
START_TEST(test_depression_and_transmitted_weight)
{
    for (int nearest = 0; nearest <= 1; nearest++) {
        hs_config *c;
        network *n = learn_net("stdp_pair", nearest ? "nearest" : "all_to_all", pair_params,
                               "all_to_all", 1, 2, 0.0, &c);
        post_spike(n, 1, 100);
        post_spike(n, 1, 250);
        ck_assert_double_eq(weight(n, 0, 1), 0.0);   /* no pre spike yet: x = 0 */
        pre_spike(n, 0, 400);
        double y = exp(-150 * DT / 33.7) + (nearest ? 0.0 : exp(-300 * DT / 33.7));
        double w = weight(n, 0, 1);
        assert_rel(w, -0.012 * y, nearest ? "nearest" : "all-to-all");
        const net_pop *post = &n->pops[1];
        const double *slot = post->ring[0] + ((400 + 10) % n->n_slots) * post->state.n_alloc;
        ck_assert_double_eq(slot[1], w);
        ck_assert_double_eq(slot[0], 0.0);
        tu_network_free(n);
        experiment_free(c);
    }
}
END_TEST

/* One pair per synapse i -> i (one_to_one), pre at step 1000 and post
 * d_i = 10 (i - 20) steps later (-20 .. +20 ms), handed over in time
 * order (a pre and a post spike in one step: pre first). */
static void pair_window(const char *rule, const char *params,
                        double (*formula)(double dt_ms))
{
    enum { N = 41 };
    hs_config *c;
    network *n = learn_net(rule, "all_to_all", params, "one_to_one", N, N, 0.0, &c);
    for (uint64_t step = 700; step <= 1300; step++) {
        for (uint32_t i = 0; i < N; i++)
            if (step == 1000)
                pre_spike(n, i, step);
        for (uint32_t i = 0; i < N; i++)
            if ((int64_t)step == 1000 + 10 * ((int64_t)i - 20))
                post_spike(n, i, step);
    }
    for (uint32_t i = 0; i < N; i++) {
        double dt_ms = (double)((int)i - 20);
        char what[64];
        snprintf(what, sizeof what, "%s at %+g ms", rule, dt_ms);
        assert_rel(weight(n, i, i), formula(dt_ms), what);
    }
    tu_network_free(n);
    experiment_free(c);
}

static double pair_formula(double dt)
{
    return dt >= 0 ? 0.01 * exp(-dt / 16.8) : -0.012 * exp(dt / 33.7);
}

static double symmetric_formula(double dt)
{
    return 0.004 * exp(-fabs(dt) / 62.5);
}

START_TEST(test_pair_windows)
{
    pair_window("stdp_pair", pair_params, pair_formula);
    pair_window("stdp_symmetric", "A: 0.004, tau: 62.5, w_max: 1, w_min: -1",
                symmetric_formula);
}
END_TEST

/* The phase's gain g scales a change: w <- w + g (w' - w); the result is
 * clipped to [w_min, w_max]. */
START_TEST(test_gain_and_bounds)
{
    hs_config *c;
    network *n = learn_net("stdp_pair", "all_to_all",
                           "A_plus: 0.5, A_minus: 1.0, tau_plus: 20, tau_minus: 20, w_max: 1, "
                           "w_min: 0", "all_to_all", 1, 3, 0.5, &c);
    n->projs[0].learn->gain = 0.25;
    pre_spike(n, 0, 100);
    post_spike(n, 0, 100);   /* x = 1: w' = 0.5 + 0.5 */
    assert_rel(weight(n, 0, 0), 0.5 + 0.25 * 0.5, "gain 0.25");
    n->projs[0].learn->gain = 1.0;
    post_spike(n, 1, 101);   /* 0.5 + 0.5 e^{-0.005}, then + 0.5 e^{-0.01}: clipped */
    post_spike(n, 1, 102);
    ck_assert_double_eq(weight(n, 0, 1), 1.0);
    pre_spike(n, 0, 103);    /* 1 - (e^{-0.005} + e^{-0.01}): clipped at 0 */
    ck_assert_double_eq(weight(n, 0, 1), 0.0);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* COBA with STDP on E->E: spikes, state and weights bitwise equal for 1, 2
 * and 4 threads (each synapse changed by its target's thread, in the same
 * order), and the weights did move. */
START_TEST(test_threads_bitwise_plastic)
{
    tu_assert_threads_bitwise("bench/coba_stdp.yaml", "simulation.duration_ms=300", 1000);
    const char *sets[] = {"simulation.duration_ms=300"};
    hs_config *c = tu_config_file("bench/coba_stdp.yaml", sets, 1);
    network *n;
    tu_spikes *s = tu_run(c, 2, &n);
    int moved = 0;
    for (int t = 0; t < n->n_threads; t++)
        for (size_t k = 0; k < n->projs[0].part[t].n_syn; k++)
            moved += n->projs[0].part[t].syn[k].weight != 6.0f;
    ck_assert_int_gt(moved, 1000);
    tu_spikes_free(s);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

Suite *learn_suite(void)
{
    Suite *s = suite_create("learn");
    TCase *tc = tcase_create("traces");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pre_trace_is_exponential_sum);
    tcase_add_test(tc, test_trace_across_the_decay_table);
    tcase_add_test(tc, test_depression_and_transmitted_weight);
    tcase_add_test(tc, test_pair_windows);
    tcase_add_test(tc, test_gain_and_bounds);
    tcase_add_test(tc, test_threads_bitwise_plastic);
    suite_add_tcase(s, tc);
    return s;
}
