/* The kernel: connection rules against their distributions, the network
 * independent of the thread count, exact delays, and bitwise identical runs
 * for 1, 2 and 4 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "suites.h"
#include "testutil.h"

static const char conn_yaml[] =
    "simulation: {dt_ms: 0.1, duration_ms: 1, seed: 3}\n"
    "populations:\n"
    "  src: {model: poisson, size: 1000, params: {rate: 0}}\n"
    "  dst: {model: lif_cuba, size: 2000}\n"
    "projections:\n"
    "  fp: {pre: src, post: dst, receptor: ex, weight: 1, delay_ms: 0.1,\n"
    "       connect: {rule: fixed_probability, p: 0.1}}\n"
    "  fpself: {pre: dst, post: dst, receptor: ex, weight: 1, delay_ms: 0.1,\n"
    "           connect: {rule: fixed_probability, p: 0.05, autapses: false}}\n"
    "  fi: {pre: src, post: dst, receptor: in, weight: 1, delay_ms: 0.1,\n"
    "       connect: {rule: fixed_indegree, indegree: 37}}\n"
    "  fiself: {pre: dst, post: dst, receptor: in, weight: 1, delay_ms: 0.1,\n"
    "           connect: {rule: fixed_indegree, indegree: 50, autapses: false}}\n"
    "  oo: {pre: dst, post: dst, receptor: ex, weight: 1, delay_ms: 0.1,\n"
    "       connect: {rule: one_to_one}}\n"
    "  aa: {pre: src, post: dst, receptor: ex, weight: {dist: uniform, low: 0, high: 1},\n"
    "       delay_ms: {dist: uniform, low: 0.1, high: 2}, connect: {rule: all_to_all}}\n";

/* In-degree of every target of projection j; *self counts autapses and
 * *dup repeated (pre, post) pairs. */
static uint64_t *indegrees(const network *n, size_t j, uint64_t *self, uint64_t *dup)
{
    const net_proj *pj = &n->projs[j];
    size_t n_post = n->pops[pj->post].state.n, n_pre = n->pops[pj->pre].state.n;
    uint64_t *k = calloc(n_post, sizeof *k);
    *self = *dup = 0;
    for (int t = 0; t < n->n_threads; t++) {
        const net_part *pt = &pj->part[t];
        for (size_t i = 0; i < n_pre; i++)
            for (uint64_t q = pt->row[i]; q < pt->row[i + 1]; q++) {
                k[net_part_post(pt, q)]++;
                *self += pj->pre == pj->post && net_part_post(pt, q) == i;
                *dup += q > pt->row[i] && net_part_post(pt, q) == net_part_post(pt, q - 1);
            }
    }
    return k;
}

static void moments(const uint64_t *k, size_t n, double *mean, double *var)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        s += (double)k[i];
        s2 += (double)k[i] * (double)k[i];
    }
    *mean = s / (double)n;
    *var = s2 / (double)n - *mean * *mean;
}

/* Binomial(m, p) in-degrees: the sample mean within 3 standard errors, and
 * the sample variance within 3 standard errors (Var s^2 ~ (mu4 - s^4)/n). */
static void check_binomial(const uint64_t *k, size_t n, double m, double p)
{
    double mean, var;
    moments(k, n, &mean, &var);
    double mu = m * p, s2 = m * p * (1 - p);
    double mu4 = s2 * (1 + 3 * (m - 2) * p * (1 - p));   /* binomial 4th central moment */
    ck_assert_double_lt(fabs(mean - mu), 3 * sqrt(s2 / (double)n));
    ck_assert_double_lt(fabs(var - s2), 3 * sqrt((mu4 - s2 * s2) / (double)n));
}

START_TEST(test_connection_rules)
{
    hs_config *c = tu_config(conn_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    uint64_t self, dup;
    uint64_t *k = indegrees(n, 0, &self, &dup);
    check_binomial(k, 2000, 1000, 0.1);
    ck_assert_uint_eq(dup, 0);
    free(k);
    k = indegrees(n, 1, &self, &dup);
    check_binomial(k, 2000, 1999, 0.05);
    ck_assert_uint_eq(self, 0);
    free(k);
    k = indegrees(n, 2, &self, &dup);
    for (size_t i = 0; i < 2000; i++)
        ck_assert_uint_eq(k[i], 37);
    ck_assert_uint_eq(dup, 0);
    free(k);
    k = indegrees(n, 3, &self, &dup);
    for (size_t i = 0; i < 2000; i++)
        ck_assert_uint_eq(k[i], 50);
    ck_assert_uint_eq(self + dup, 0);
    free(k);
    k = indegrees(n, 4, &self, &dup);
    for (size_t i = 0; i < 2000; i++)
        ck_assert_uint_eq(k[i], 1);
    ck_assert_uint_eq(self, 2000);
    free(k);
    k = indegrees(n, 5, &self, &dup);
    for (size_t i = 0; i < 2000; i++)
        ck_assert_uint_eq(k[i], 1000);
    free(k);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* Every synapse as (projection, pre, post, weight bits, delay), sorted. */
typedef struct syn { uint64_t j, pre, post; float w; uint32_t d; } syn;

static int cmp_syn(const void *a, const void *b)
{
    const syn *x = a, *y = b;
    if (x->j != y->j)
        return x->j < y->j ? -1 : 1;
    if (x->pre != y->pre)
        return x->pre < y->pre ? -1 : 1;
    if (x->post != y->post)
        return x->post < y->post ? -1 : 1;
    return memcmp(&x->w, &y->w, sizeof x->w);
}

static syn *all_synapses(const network *n, size_t *count)
{
    syn *s = malloc(n->n_syn * sizeof *s);
    size_t m = 0;
    for (size_t j = 0; j < n->n_projs; j++) {
        const net_proj *pj = &n->projs[j];
        for (int t = 0; t < n->n_threads; t++) {
            const net_part *pt = &pj->part[t];
            for (size_t i = 0; i < n->pops[pj->pre].state.n; i++)
                for (uint64_t q = pt->row[i]; q < pt->row[i + 1]; q++)
                    s[m++] = (syn){j, i, net_part_post(pt, q), (float)net_part_weight(pt, q),
                                   pt->delay ? pt->delay[q] : pj->const_delay};
        }
    }
    qsort(s, m, sizeof *s, cmp_syn);
    *count = m;
    return s;
}

START_TEST(test_network_independent_of_threads)
{
    hs_config *c = tu_config(conn_yaml, NULL, 0);
    hs_error err;
    network *a = tu_network_build(c, 1, &err), *b = tu_network_build(c, 3, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->n_syn, b->n_syn);
    size_t na, nb;
    syn *sa = all_synapses(a, &na), *sb = all_synapses(b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(sa, sb, na * sizeof *sa), 0);
    free(sa);
    free(sb);
    tu_network_free(a);
    tu_network_free(b);
    experiment_free(c);
}
END_TEST

/* A spike stamped 1.0 ms (emitted in step 9) with a delay of d steps must
 * show in the target's I_ex exactly at the end of step 9 + d. */
static void check_delay(const char *delay, uint64_t d_steps, const char *duration)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "simulation: {dt_ms: 0.1, duration_ms: %s, seed: 1}\n"
             "populations:\n"
             "  src: {model: spike_times, size: 1, spikes: {times_ms: [1.0], ids: [0]}}\n"
             "  dst: {model: lif_cuba, size: 1, params: {tau_syn_ex: 1000000}}\n"
             "projections:\n"
             "  p: {pre: src, post: dst, receptor: ex, weight: 2.5, delay_ms: %s,\n"
             "      connect: {rule: one_to_one}}\n"
             "recording:\n"
             "  traces:\n"
             "    dst: {variable: I_ex, ids: [0], interval_ms: 0.1}\n",
             duration, delay);
    hs_config *c = tu_config(yaml, NULL, 0);
    tu_spikes *s = tu_run(c, 2, NULL);
    uint64_t arrive = 9 + d_steps;
    ck_assert_uint_gt(s->n_trace, arrive);
    ck_assert_float_eq(s->trace[arrive - 1], 0.0f);
    ck_assert_float_eq(s->trace[arrive], 2.5f);
    tu_spikes_free(s);
    experiment_free(c);
}

START_TEST(test_delay_exact)
{
    check_delay("0.1", 1, "2");
    check_delay("3.7", 37, "5");
    check_delay("6553.5", 65535, "6555");
}
END_TEST

/* Per-synapse delays: each target's input arrives after its own delay. */
START_TEST(test_delay_per_synapse)
{
    char buf[4096];
    int n = snprintf(buf, sizeof buf,
                     "simulation: {dt_ms: 0.1, duration_ms: 8, seed: 5}\n"
                     "populations:\n"
                     "  src: {model: spike_times, size: 40, spikes: {times_ms: [");
    for (int i = 0; i < 40; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s1.0", i ? ", " : "");
    n += snprintf(buf + n, sizeof buf - (size_t)n, "], ids: [");
    for (int i = 0; i < 40; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%d", i ? ", " : "", i);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "]}}\n  dst: {model: lif_cuba, size: 40, "
                  "params: {tau_syn_ex: 1000000}}\n"
                  "projections:\n"
                  "  p: {pre: src, post: dst, receptor: ex, weight: 1,\n"
                  "      delay_ms: {dist: uniform, low: 0.1, high: 6},\n"
                  "      connect: {rule: one_to_one}}\n"
                  "recording:\n  traces:\n    dst: {variable: I_ex, ids: [");
    for (int i = 0; i < 40; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%d", i ? ", " : "", i);
    snprintf(buf + n, sizeof buf - (size_t)n, "], interval_ms: 0.1}\n");
    hs_config *c = tu_config(buf, NULL, 0);
    network *net;
    tu_spikes *s = tu_run(c, 2, &net);
    const net_proj *pj = &net->projs[0];
    ck_assert_ptr_nonnull(pj->part[0].delay);
    int distinct = 0;
    for (int t = 0; t < net->n_threads; t++) {
        const net_part *pt = &pj->part[t];
        for (size_t q = 0; q < pt->n_syn; q++) {
            uint64_t arrive = 9 + pt->delay[q];
            uint32_t j = net_part_post(pt, q);
            ck_assert_float_eq(s->trace[(arrive - 1) * 40 + j], 0.0f);
            ck_assert_float_eq(s->trace[arrive * 40 + j], 1.0f);
            distinct += pt->delay[q] != pj->min_delay;
        }
    }
    ck_assert_int_gt(distinct, 0);
    tu_spikes_free(s);
    tu_network_free(net);
    experiment_free(c);
}
END_TEST

START_TEST(test_threads_bitwise)
{
    tu_assert_threads_bitwise("bench/coba.yaml", "simulation.duration_ms=200", 1000);
    /* two projections onto one receptor, one of them with drawn delays */
    tu_assert_threads_bitwise("tests/configs/good/shared_receptor.yaml", "simulation.seed=4",
                              1000);
}
END_TEST

/* Sources with static projections are read a window ahead: the window is
 * the min delay of the other projections (1 ms here, not the sources'
 * 0.1 ms). The same network with the source's projection made plastic at
 * gain 0 (so read step by step, window 0.1 ms) records the same spikes and
 * traces bit for bit, for 1 and 2 threads. Phases of 703 and 297 ms end
 * inside windows. The weights (6, 2, 4; 3 at gain 1.5) add exactly in any
 * order: the read-ahead sums a ring slot's inputs in another order than
 * the step-by-step run (the same for any thread count). */
static const char ahead_yaml[] =
    "simulation: {dt_ms: 0.1, seed: 9}\n"
    "populations:\n"
    "  drive: {model: poisson, size: 400, params: {rate: 12}}\n"
    "  exc: {model: lif_coba, size: 160, params: {tau_syn_ex: 5, tau_syn_in: 10}}\n"
    "  inh: {model: lif_coba, size: 40, params: {tau_syn_ex: 5, tau_syn_in: 10}}\n"
    "projections:\n"
    "  de: {pre: drive, post: exc, receptor: ex, weight: 6, delay_ms: 0.1,\n"
    "       connect: {rule: fixed_indegree, indegree: 20}%s}\n"
    "  di: {pre: drive, post: inh, receptor: ex, weight: 2, delay_ms: 0.3,\n"
    "       connect: {rule: fixed_indegree, indegree: 20}}\n"
    "  ee: {pre: exc, post: exc, receptor: ex, weight: 2, delay_ms: 1.5,\n"
    "       connect: {rule: fixed_probability, p: 0.1}}\n"
    "  ei: {pre: exc, post: inh, receptor: ex, weight: 2, delay_ms: 1.0,\n"
    "       connect: {rule: fixed_probability, p: 0.1}}\n"
    "  ie: {pre: inh, post: exc, receptor: in, weight: 4, delay_ms: 1.0,\n"
    "       connect: {rule: fixed_probability, p: 0.2}}\n"
    "recording:\n"
    "  spikes: [drive, exc, inh]\n"
    "  traces: {exc: {variable: V_m, ids: [0, 7, 150]}}\n"
    "schedule:\n"
    "  - {name: a, stage: wake, duration_ms: 703, gains: {%s}}\n"
    "  - {name: b, stage: nrem, duration_ms: 297, gains: {%s}}\n";

START_TEST(test_sources_read_ahead)
{
    char y_ahead[4096], y_step[4096];
    snprintf(y_ahead, sizeof y_ahead, ahead_yaml, "", "ee: {transmission: 1}",
             "ee: {transmission: 1.5}");
    snprintf(y_step, sizeof y_step, ahead_yaml,
             ",\n       plasticity: {rule: stdp_pair, params: {w_max: 10}}", "de: {stdp: 0}",
             "de: {stdp: 0}, ee: {transmission: 1.5}");
    hs_config *ca = tu_config(y_ahead, NULL, 0), *cs = tu_config(y_step, NULL, 0);
    tu_spikes *ref = NULL;
    for (int th = 1; th <= 2; th++) {
        network *na, *ns;
        tu_spikes *a = tu_run_schedule(ca, th, &na), *b = tu_run_schedule(cs, th, &ns);
        ck_assert_int_eq(na->has_ahead, 1);
        ck_assert_int_eq(na->pops[0].ahead, 1);
        ck_assert_uint_eq(na->window, 10);
        ck_assert_int_eq(ns->pops[0].ahead, 0);
        ck_assert_uint_eq(ns->window, 1);
        size_t n_pop[3] = {0, 0, 0};
        for (size_t k = 0; k < a->n; k++)
            n_pop[a->pop[k]]++;
        ck_assert_uint_gt(n_pop[1], 500);   /* exc and inh fire, not only the drive */
        ck_assert_uint_gt(n_pop[2], 100);
        ck_assert(tu_spikes_equal(a, b));
        if (!ref)
            ref = a;
        else {
            ck_assert(tu_spikes_equal(a, ref));
            tu_spikes_free(a);
        }
        tu_spikes_free(b);
        tu_network_free(na);
        tu_network_free(ns);
    }
    tu_spikes_free(ref);
    experiment_free(ca);
    experiment_free(cs);
}
END_TEST

/* The clock is a 64-bit step counter: past 2^32 steps, stamps, delays and
 * Poisson sources still work. The run starts at step 2^32 (sim_seek). */
START_TEST(test_past_2_32_steps)
{
    const uint64_t start = (uint64_t)1 << 32, emit = start + 5;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "simulation: {dt_ms: 0.1, duration_ms: 10, seed: 1}\n"
             "populations:\n"
             "  src: {model: spike_times, size: 1, spikes: {times_ms: [%.1f], ids: [0]}}\n"
             "  dst: {model: lif_cuba, size: 1}\n"
             "  noise: {model: poisson, size: 100, params: {rate: 1000}}\n"
             "projections:\n"
             "  p: {pre: src, post: dst, receptor: ex, weight: 1000000, delay_ms: 0.3,\n"
             "      connect: {rule: one_to_one}}\n",
             (double)(emit + 1) * 0.1);
    hs_config *c = tu_config(yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    sim *s = sim_alloc(n, c, &err);
    ck_assert_ptr_nonnull(s);
    tu_spikes *rec = calloc(1, sizeof *rec);
    sim_sink sink = {rec, tu_sink_spikes, NULL, NULL};
    sim_seek(s, start);
    ck_assert_int_eq(sim_run(s, 100, &sink, &err), HS_OK);
    ck_assert_uint_eq(sim_step(s), start + 100);
    /* src fires in step emit (stamp (emit+1) dt); the input arrives in step
     * emit + 3 and drives dst over threshold in step emit + 4 */
    double src_t = -1, dst_t = -1;
    size_t noise = 0;
    for (size_t k = 0; k < rec->n; k++) {
        if (rec->pop[k] == 0)
            src_t = rec->t_ms[k];
        else if (rec->pop[k] == 1 && dst_t < 0)
            dst_t = rec->t_ms[k];
        else if (rec->pop[k] == 2) {
            ck_assert_double_gt(rec->t_ms[k], (double)start * 0.1);
            noise++;
        }
    }
    ck_assert_double_eq(src_t, (double)(emit + 1) * 0.1);
    ck_assert_double_eq(dst_t, (double)(emit + 5) * 0.1);
    /* 100 sources x 100 steps x p = 1 - exp(-0.1): binomial, 3 sigma */
    double p = -expm1(-0.1), mean = 1e4 * p, sd = sqrt(mean * (1 - p));
    ck_assert_double_lt(fabs((double)noise - mean), 3 * sd);
    tu_spikes_free(rec);
    sim_free(s);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

Suite *network_suite(void)
{
    Suite *s = suite_create("network");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_connection_rules);
    tcase_add_test(tc, test_network_independent_of_threads);
    tcase_add_test(tc, test_delay_exact);
    tcase_add_test(tc, test_delay_per_synapse);
    tcase_add_test(tc, test_threads_bitwise);
    tcase_add_test(tc, test_sources_read_ahead);
    tcase_add_test(tc, test_past_2_32_steps);
    suite_add_tcase(s, tc);
    return s;
}
