/* The run's recorders (sim/record.h). By hand: record_full says a window
 * more could overflow exactly when n + (neurons x window) passes the
 * buffer, for recorded populations only; spikes put in a chunk reach the
 * sink population by population as put, and the buffers empty; traces
 * sampled every `every` steps land in the row of their step, each thread
 * writing its own neurons' columns, chunks that do not start on the
 * sampling grid included. In runs: spike buffers that fill before the end
 * of a chunk are flushed early, in time order, losing nothing (the total
 * is the engine's spike count), the same for 1 and 3 threads; a lif_cuba
 * trace over two runs is the analytic V(t) at every sample. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../sim/record.h"
#include "../lib/testutil.h"
#include "suites.h"

static const char small_yaml[] =
    "simulation: {dt_ms: 0.1, duration_ms: 1, seed: 1}\n"
    "populations:\n"
    "  a: {model: lif_cuba, size: 100}\n"
    "  b: {model: lif_cuba, size: 30000}\n"
    "  c: {model: lif_cuba, size: 50}\n"
    "projections:\n"
    "  ab: {pre: a, post: b, receptor: ex, weight: 1, delay_ms: 1,\n"
    "       connect: {rule: fixed_indegree, indegree: 1}}\n"
    "recording:\n"
    "  spikes: [a, b]\n"
    "  traces: {a: {variable: V_m, ids: [2, 70, 99], interval_ms: 0.3}}\n";

/* What a sink was handed: spikes and trace rows, call by call. */
typedef struct got {
    size_t calls, n;
    size_t pop[64], len[64];
    double t[64];
    uint64_t id[64];
    float rows[64];
    size_t n_rows, trace_calls;
} got;

static int got_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids, size_t n,
                      hs_error *err)
{
    (void)err;
    got *g = ctx;
    g->pop[g->calls] = pop;
    g->len[g->calls++] = n;
    for (size_t k = 0; k < n; k++) {
        g->t[g->n] = t[k];
        g->id[g->n++] = ids[k];
    }
    return HS_OK;
}

static int got_trace(void *ctx, size_t k, const float *rows, size_t n_rows, hs_error *err)
{
    (void)err;
    (void)k;
    got *g = ctx;
    memcpy(g->rows + 3 * g->n_rows, rows, 3 * n_rows * sizeof *rows);
    g->n_rows += n_rows;
    g->trace_calls++;
    return HS_OK;
}

START_TEST(test_full_and_flush_by_hand)
{
    hs_config *c = tu_config(small_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->window, 10);
    record r;
    ck_assert_int_eq(record_alloc(&r, n, c, 2000), HS_OK);
    /* the buffers hold 4 windows of every neuron firing, at least 2^16 */
    ck_assert_uint_eq(r.cap[0], 65536);
    ck_assert_uint_eq(r.cap[1], 4 * 30000 * 10);
    ck_assert_uint_eq(r.cap[2], 0);
    size_t fill[3] = {65536 - 100 * 10, 0, 1u << 30};
    ck_assert_int_eq(record_full(&r, n, fill), 0);   /* c is not recorded */
    fill[0]++;
    ck_assert_int_eq(record_full(&r, n, fill), 1);
    fill[0]--;
    fill[1] = 4 * 30000 * 10 - 30000 * 10 + 1;
    ck_assert_int_eq(record_full(&r, n, fill), 1);
    /* spikes put into a chunk reach the sink as put, population by population */
    const uint32_t a1[] = {3, 5}, a2[] = {1}, b1[] = {29999};
    record_spikes_put(&r, 0, 0, a1, 2, 0.1);
    record_spikes_put(&r, 0, 2, a2, 1, 0.4);
    record_spikes_put(&r, 1, 0, b1, 1, 0.2);
    r.n[0] = 3;
    r.n[1] = 1;
    static got g;
    memset(&g, 0, sizeof g);
    sim_sink sink = {&g, got_spikes, got_trace, NULL};
    ck_assert_int_eq(record_flush(&r, n, 0, 5, &sink, &err), HS_OK);
    ck_assert_uint_eq(g.calls, 2);
    ck_assert(g.pop[0] == 0 && g.len[0] == 3 && g.pop[1] == 1 && g.len[1] == 1);
    const double t_want[] = {0.1, 0.1, 0.4, 0.2};
    const uint64_t id_want[] = {3, 5, 1, 29999};
    for (int k = 0; k < 4; k++) {
        ck_assert_double_eq(g.t[k], t_want[k]);
        ck_assert_uint_eq(g.id[k], id_want[k]);
    }
    ck_assert(r.n[0] == 0 && r.n[1] == 0);
    /* nothing recorded: no spike calls; no sink: dropped */
    ck_assert_int_eq(record_flush(&r, n, 5, 10, &sink, &err), HS_OK);
    ck_assert_uint_eq(g.calls, 2);
    r.n[0] = 1;
    ck_assert_int_eq(record_flush(&r, n, 10, 20, NULL, &err), HS_OK);
    ck_assert_uint_eq(r.n[0], 0);
    record_free(&r);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* Traces every 3 steps of neurons 2 (thread 0), 70 and 99 (thread 1):
 * sample (step + 1) % 3 == 0 lands in row (step + 1) / 3 - chunk0 / 3 - 1;
 * a chunk [10, 20) starts off the grid. */
START_TEST(test_trace_rows_by_hand)
{
    hs_config *c = tu_config(small_yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    record r;
    ck_assert_int_eq(record_alloc(&r, n, c, 2000), HS_OK);
    ck_assert_uint_eq(r.n_tr, 1);
    ck_assert(r.tr[0].klo[0] == 0 && r.tr[0].khi[0] == 1 && r.tr[0].klo[1] == 1 &&
              r.tr[0].khi[1] == 3);
    double *V = n->pops[0].state.var[r.tr[0].var];
    static got g;
    memset(&g, 0, sizeof g);
    sim_sink sink = {&g, got_spikes, got_trace, NULL};
    for (uint64_t chunk0 = 0; chunk0 < 20; chunk0 += 10) {
        for (uint64_t step = chunk0; step < chunk0 + 10; step++) {
            V[2] = (double)step;
            V[70] = 1000.0 + (double)step;
            V[99] = 2000.0 + (double)step;
            record_traces_sample(&r, n, 1, 0, step, chunk0);   /* thread 1 first */
            record_traces_sample(&r, n, 0, 0, step, chunk0);
        }
        ck_assert_int_eq(record_flush(&r, n, chunk0, chunk0 + 10, &sink, &err), HS_OK);
    }
    /* rows at steps 2, 5, 8 | 11, 14, 17 */
    ck_assert_uint_eq(g.trace_calls, 2);
    ck_assert_uint_eq(g.n_rows, 6);
    const double steps[] = {2, 5, 8, 11, 14, 17};
    for (int k = 0; k < 6; k++) {
        ck_assert_float_eq(g.rows[3 * k], (float)steps[k]);
        ck_assert_float_eq(g.rows[3 * k + 1], (float)(1000 + steps[k]));
        ck_assert_float_eq(g.rows[3 * k + 2], (float)(2000 + steps[k]));
    }
    record_free(&r);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

/* 20000 Poisson sources at 5000 Hz (p = 0.39 a step): a chunk's spikes
 * overflow the buffers after a few windows, which are then flushed early. */
static const char busy_yaml[] =
    "simulation: {dt_ms: 0.1, duration_ms: 40, seed: 2}\n"
    "populations:\n"
    "  src: {model: poisson, size: 20000, params: {rate: 5000}}\n"
    "  few: {model: poisson, size: 10, params: {rate: 100}}\n";

typedef struct counted {
    tu_spikes s;
    size_t calls;
} counted;

static int count_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids, size_t n,
                        hs_error *err)
{
    counted *c = ctx;
    c->calls++;
    return tu_sink_spikes(&c->s, pop, t, ids, n, err);
}

static counted *busy_run(const hs_config *c, int threads, uint64_t *n_src, uint64_t *n_few)
{
    hs_error err;
    network *n = tu_network_build(c, threads, &err);
    ck_assert_ptr_nonnull(n);
    sim *s = sim_alloc(n, c, &err);
    ck_assert_ptr_nonnull(s);
    counted *k = calloc(1, sizeof *k);
    sim_sink sink = {k, count_spikes, NULL, NULL};
    ck_assert_int_eq(sim_run(s, 400, &sink, &err), HS_OK);
    *n_src = sim_spike_count(s, 0);
    *n_few = sim_spike_count(s, 1);
    sim_free(s);
    tu_network_free(n);
    return k;
}

START_TEST(test_early_flushes_keep_order)
{
    hs_config *c = tu_config(busy_yaml, NULL, 0);
    uint64_t n_src, n_few, m_src, m_few;
    counted *a = busy_run(c, 1, &n_src, &n_few), *b = busy_run(c, 3, &m_src, &m_few);
    /* 400 steps are one chunk; the buffers (8e5) fill in ~8 windows */
    ck_assert_uint_gt(a->calls, 6);
    ck_assert_uint_eq(n_src + n_few, a->s.n);
    ck_assert_uint_gt(n_few, 0);
    /* per population in time order, ids ascending within a step */
    for (uint32_t p = 0; p < 2; p++) {
        double last_t = -1;
        uint64_t last_id = 0;
        for (size_t k = 0; k < a->s.n; k++) {
            if (a->s.pop[k] != p)
                continue;
            ck_assert(a->s.t_ms[k] > last_t || (a->s.t_ms[k] == last_t && a->s.id[k] > last_id));
            last_t = a->s.t_ms[k];
            last_id = a->s.id[k];
        }
    }
    ck_assert_uint_eq(n_src, m_src);
    ck_assert(tu_spikes_equal(&a->s, &b->s));
    free(a->s.pop);
    free(a->s.id);
    free(a->s.t_ms);
    free(a);
    free(b->s.pop);
    free(b->s.id);
    free(b->s.t_ms);
    free(b);
    experiment_free(c);
}
END_TEST

/* Trace rows of two ids, appended call by call. */
typedef struct rows2 {
    float *v;
    size_t n;
} rows2;

static int rows2_trace(void *ctx, size_t k, const float *rows, size_t n_rows, hs_error *err)
{
    (void)k;
    (void)err;
    rows2 *r = ctx;
    r->v = realloc(r->v, 2 * (r->n + n_rows) * sizeof *r->v);
    ck_assert_ptr_nonnull(r->v);
    memcpy(r->v + 2 * r->n, rows, 2 * n_rows * sizeof *rows);
    r->n += n_rows;
    return HS_OK;
}

/* Two lif_cuba cells (one per thread) under I_e = 100 pA (tau_m 10 ms,
 * C_m 250 pF) from rest: V = E_L + I_e R (1 - e^{-t/tau_m}), below
 * threshold. Sampled every 0.3 ms over runs of 1000 and 1001 steps (the
 * second starting off the sampling grid): 667 rows, row i at
 * t = 0.3 (i + 1) ms. */
START_TEST(test_trace_is_analytic_over_two_runs)
{
    const char yaml[] =
        "simulation: {dt_ms: 0.1, duration_ms: 1, seed: 1}\n"
        "populations:\n"
        "  a: {model: lif_cuba, size: 80, params: {C_m: 250, tau_m: 10, E_L: -70, I_e: 100}}\n"
        "recording:\n"
        "  traces: {a: {variable: V_m, ids: [5, 70], interval_ms: 0.3}}\n";
    hs_config *c = tu_config(yaml, NULL, 0);
    hs_error err;
    network *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(n);
    sim *s = sim_alloc(n, c, &err);
    ck_assert_ptr_nonnull(s);
    rows2 r = {0};
    sim_sink sink = {&r, NULL, rows2_trace, NULL};
    ck_assert_int_eq(sim_run(s, 1000, &sink, &err), HS_OK);
    ck_assert_uint_eq(r.n, 333);
    ck_assert_int_eq(sim_run(s, 1001, &sink, &err), HS_OK);
    ck_assert_uint_eq(r.n, 667);
    for (size_t i = 0; i < r.n; i++) {
        double t = 0.3 * (double)(i + 1), V = -70 + 100 * 10.0 / 250 * (1 - exp(-t / 10));
        ck_assert_msg(fabs(r.v[2 * i] - V) < 1e-4 && fabs(r.v[2 * i + 1] - V) < 1e-4,
                      "row %zu: %g %g, V(%g ms) = %g", i, r.v[2 * i], r.v[2 * i + 1], t, V);
    }
    free(r.v);
    sim_free(s);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

Suite *record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("buffers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_full_and_flush_by_hand);
    tcase_add_test(tc, test_trace_rows_by_hand);
    tcase_add_test(tc, test_early_flushes_keep_order);
    tcase_add_test(tc, test_trace_is_analytic_over_two_runs);
    suite_add_tcase(s, tc);
    return s;
}
