/* Connection rules (sim/connect.h) against their definitions: in-degrees
 * of fixed_probability binomial, fixed_indegree exactly K distinct sources
 * drawn uniformly (out-degrees binomial), one_to_one the source of the
 * same id, all_to_all every source, autapses left out when asked, the
 * edge cases p = 0, p = 1 and K = n - 1; drawn weights and delays (rounded
 * to whole steps) against their distributions; the same synapses for 1,
 * 2, 3 and 4 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../lib/testutil.h"
#include "suites.h"

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

enum { N_SRC = 1000, N_DST = 2000 };

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

/* Out-degree of every source of projection j. */
static uint64_t *outdegrees(const network *n, size_t j)
{
    const net_proj *pj = &n->projs[j];
    size_t n_pre = n->pops[pj->pre].state.n;
    uint64_t *k = calloc(n_pre, sizeof *k);
    for (int t = 0; t < n->n_threads; t++)
        for (size_t i = 0; i < n_pre; i++)
            k[i] += pj->part[t].row[i + 1] - pj->part[t].row[i];
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

/* Binomial(m, p) counts: the sample mean within 3 standard errors, and
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
    check_binomial(k, N_DST, N_SRC, 0.1);
    ck_assert_uint_eq(dup, 0);
    free(k);
    k = indegrees(n, 1, &self, &dup);
    check_binomial(k, N_DST, N_DST - 1, 0.05);
    ck_assert_uint_eq(self, 0);
    free(k);
    k = indegrees(n, 2, &self, &dup);
    for (size_t i = 0; i < N_DST; i++)
        ck_assert_uint_eq(k[i], 37);
    ck_assert_uint_eq(dup, 0);
    free(k);
    k = indegrees(n, 3, &self, &dup);
    for (size_t i = 0; i < N_DST; i++)
        ck_assert_uint_eq(k[i], 50);
    ck_assert_uint_eq(self + dup, 0);
    free(k);
    k = indegrees(n, 4, &self, &dup);
    for (size_t i = 0; i < N_DST; i++)
        ck_assert_uint_eq(k[i], 1);
    ck_assert_uint_eq(self, N_DST);
    free(k);
    k = indegrees(n, 5, &self, &dup);
    for (size_t i = 0; i < N_DST; i++)
        ck_assert_uint_eq(k[i], N_SRC);
    free(k);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* Each target's sources as a set: no source twice (not only in
 * neighbouring entries), one_to_one's the target's own id, and no
 * autapse where they are off. */
START_TEST(test_sources_distinct)
{
    hs_config *c = tu_config(conn_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 3, &err);
    ck_assert_ptr_nonnull(n);
    uint8_t *seen = calloc((size_t)N_DST * N_DST, 1);   /* [post][pre] */
    for (size_t j = 0; j < n->n_projs; j++) {
        const net_proj *pj = &n->projs[j];
        size_t n_pre = n->pops[pj->pre].state.n;
        memset(seen, 0, (size_t)N_DST * N_DST);
        for (int t = 0; t < n->n_threads; t++)
            for (size_t i = 0; i < n_pre; i++)
                for (uint64_t q = pj->part[t].row[i]; q < pj->part[t].row[i + 1]; q++) {
                    uint32_t post = net_part_post(&pj->part[t], q);
                    ck_assert_msg(!seen[(size_t)post * N_DST + i], "%s: %zu -> %u twice",
                                  c->projs[j].name, i, post);
                    seen[(size_t)post * N_DST + i] = 1;
                    if (c->projs[j].rule == HS_CONN_ONE_TO_ONE)
                        ck_assert_uint_eq(post, i);
                    if (pj->pre == pj->post && !c->projs[j].autapses)
                        ck_assert_uint_ne(post, i);
                }
    }
    free(seen);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* fixed_indegree picks its K sources uniformly among the candidates, and
 * fixed_probability each source alike: a source's out-degree over the 2000
 * targets is Binomial(2000, K / 1000), resp. Binomial(2000, p), whatever
 * its id (a biased sampler would widen the spread of out-degrees). */
START_TEST(test_sources_uniform)
{
    hs_config *c = tu_config(conn_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    uint64_t *k = outdegrees(n, 2);
    check_binomial(k, N_SRC, N_DST, 37.0 / N_SRC);
    free(k);
    k = outdegrees(n, 0);
    check_binomial(k, N_SRC, N_DST, 0.1);
    /* and the first and last hundred sources alike: means within 4 SE */
    double lo = 0, hi = 0;
    for (size_t i = 0; i < 100; i++) {
        lo += (double)k[i];
        hi += (double)k[N_SRC - 1 - i];
    }
    double se = sqrt(2 * 100 * N_DST * 0.1 * 0.9);
    ck_assert_double_lt(fabs(lo - hi), 4 * se);
    free(k);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* p = 0 draws nothing, p = 1 every source (but the target itself without
 * autapses), and K = n - 1 without autapses every other neuron. */
START_TEST(test_rule_edges)
{
    const char yaml[] =
        "simulation: {dt_ms: 0.1, duration_ms: 1, seed: 8}\n"
        "populations:\n"
        "  a: {model: lif_cuba, size: 150}\n"
        "projections:\n"
        "  none: {pre: a, post: a, receptor: ex, weight: 1,\n"
        "         connect: {rule: fixed_probability, p: 0}}\n"
        "  full: {pre: a, post: a, receptor: ex, weight: 1,\n"
        "         connect: {rule: fixed_probability, p: 1, autapses: false}}\n"
        "  most: {pre: a, post: a, receptor: in, weight: 1,\n"
        "         connect: {rule: fixed_indegree, indegree: 149, autapses: false}}\n"
        "  every: {pre: a, post: a, receptor: in, weight: 1,\n"
        "          connect: {rule: all_to_all, autapses: false}}\n"
        "  selfish: {pre: a, post: a, receptor: in, weight: 1,\n"
        "            connect: {rule: all_to_all}}\n";
    hs_config *c = tu_config(yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    const uint64_t want[] = {0, 149, 149, 149, 150};
    const uint64_t want_self[] = {0, 0, 0, 0, 150};
    for (size_t j = 0; j < 5; j++) {
        uint64_t self, dup;
        uint64_t *k = indegrees(n, j, &self, &dup);
        for (size_t i = 0; i < 150; i++)
            ck_assert_msg(k[i] == want[j], "%s: in-degree of %zu is %llu, want %llu",
                          c->projs[j].name, i, (unsigned long long)k[i],
                          (unsigned long long)want[j]);
        ck_assert_uint_eq(self, want_self[j]);
        ck_assert_uint_eq(dup, 0);
        free(k);
    }
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* The all_to_all projection draws its weights uniform on [0, 1] and its
 * delays uniform on [0.1, 2] ms rounded to whole 0.1 ms steps: the mean
 * weight within 3 SE of 1/2, every delay in [1, 20] steps, and each step
 * as often as the length of the delays that round to it says (half a
 * step for 1 and 20, a whole one for the others, of 19), within 4 SD. */
START_TEST(test_drawn_weights_and_delays)
{
    hs_config *c = tu_config(conn_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    const net_proj *pj = &n->projs[5];
    ck_assert_uint_eq(pj->const_delay, 0);
    ck_assert_uint_eq(pj->min_delay, 1);
    ck_assert_uint_eq(pj->max_delay, 20);
    double sum = 0, m = 0;
    uint64_t count[21] = {0};
    for (int t = 0; t < n->n_threads; t++) {
        const net_part *pt = &pj->part[t];
        ck_assert_ptr_nonnull(pt->delay);
        for (size_t q = 0; q < pt->n_syn; q++) {
            double w = net_part_weight(pt, q);
            ck_assert(w >= 0 && w <= 1);
            sum += w;
            m++;
            ck_assert(pt->delay[q] >= 1 && pt->delay[q] <= 20);
            count[pt->delay[q]]++;
        }
    }
    ck_assert_double_eq(m, (double)N_SRC * N_DST);
    ck_assert_double_lt(fabs(sum / m - 0.5), 3 * sqrt(1.0 / 12 / m));
    for (int d = 1; d <= 20; d++) {
        double p = (d == 1 || d == 20 ? 0.5 : 1.0) / 19.0;
        double sd = sqrt(m * p * (1 - p));
        ck_assert_msg(fabs((double)count[d] - m * p) < 4 * sd, "delay %d steps: %llu of %g",
                      d, (unsigned long long)count[d], m);
    }
    /* a constant delay is kept once, not per synapse */
    ck_assert_ptr_null(n->projs[0].part[0].delay);
    ck_assert_uint_eq(n->projs[0].const_delay, 1);
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

/* Connections are drawn per target from its own stream: 1, 2, 3 and 4
 * threads build the same synapses, weights and delays, bit for bit. */
START_TEST(test_network_independent_of_threads)
{
    hs_config *c = tu_config(conn_yaml, NULL, 0);
    hs_error err;
    network *a = tu_network_build(c, 1, &err);
    ck_assert_ptr_nonnull(a);
    size_t na;
    syn *sa = all_synapses(a, &na);
    for (int th = 2; th <= 4; th++) {
        network *b = tu_network_build(c, th, &err);
        ck_assert_ptr_nonnull(b);
        ck_assert_uint_eq(a->n_syn, b->n_syn);
        size_t nb;
        syn *sb = all_synapses(b, &nb);
        ck_assert_uint_eq(na, nb);
        ck_assert_msg(memcmp(sa, sb, na * sizeof *sa) == 0, "%d threads differ", th);
        free(sb);
        tu_network_free(b);
    }
    free(sa);
    tu_network_free(a);
    experiment_free(c);
}
END_TEST

Suite *connect_suite(void)
{
    Suite *s = suite_create("connect");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_connection_rules);
    tcase_add_test(tc, test_sources_distinct);
    tcase_add_test(tc, test_sources_uniform);
    tcase_add_test(tc, test_rule_edges);
    tcase_add_test(tc, test_drawn_weights_and_delays);
    tcase_add_test(tc, test_network_independent_of_threads);
    suite_add_tcase(s, tc);
    return s;
}
