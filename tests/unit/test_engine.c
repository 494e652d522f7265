/* The engine (sim/engine.h): a spike acts on its target exactly d steps
 * after the step it was emitted in (the delay ring), per-synapse delays,
 * sources read a window ahead give the step-by-step run's spikes, the
 * clock past 2^32 steps (sim_seek), bitwise identical runs for 1, 2 and 4
 * threads, and a target's input summed in the canonical order (step,
 * population, projection, id) for any thread count; the stop flag ends a
 * run at a window's end, and the run then goes on as if never stopped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "suites.h"
#include "../lib/testutil.h"

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

/* ---- the canonical order ---- */

/* Sources a and b (200 neurons each, so 4 blocks of 64: spread over the
 * threads) spike at 1.0 ms (step 9), from the ids below, onto the one
 * target dst with a 5 ms delay. The weights, set by hand, mix 1e30 and
 * 1e-3 with both signs: their sum in double depends on the order. */
static const char order_yaml[] =
    "simulation: {dt_ms: 0.1, duration_ms: 10, seed: 1}\n"
    "populations:\n"
    "  a: {model: spike_times, size: 200,\n"
    "      spikes: {times_ms: [1.0, 1.0, 1.0, 1.0, 1.0], ids: [199, 3, 130, 64, 65]}}\n"
    "  b: {model: spike_times, size: 200,\n"
    "      spikes: {times_ms: [1.0, 1.0, 1.0, 1.0, 1.0], ids: [170, 0, 100, 199, 150]}}\n"
    "  dst: {model: lif_cuba, size: 1}\n"
    "projections:\n"
    "  pa: {pre: a, post: dst, receptor: ex, weight: 1, delay_ms: 5,\n"
    "       connect: {rule: all_to_all}}\n"
    "  pb: {pre: b, post: dst, receptor: ex, weight: 1, delay_ms: 5,\n"
    "       connect: {rule: all_to_all}}\n";
static const uint32_t order_ids[2][5] = {{3, 64, 65, 130, 199}, {0, 100, 150, 170, 199}};
static const float order_w[2][5] = {{1e30f, 1.0f, -1e30f, 2.5f, 7e22f},
                                    {-7e22f, 3e-3f, 1e20f, -1e20f, 0.5f}};

/* The weight of source id i of projection j onto dst, wherever it lies. */
static void set_weight(network *n, size_t j, uint32_t i, float w)
{
    int found = 0;
    for (int t = 0; t < n->n_threads; t++) {
        net_part *pt = &n->projs[j].part[t];
        for (uint64_t q = pt->row[i]; q < pt->row[i + 1]; q++) {
            pt->syn[q].weight = w;
            found++;
        }
    }
    ck_assert_int_eq(found, 1);
}

/* Every thread reads the window's spikes in the order (step, population,
 * projection, id): dst's ring slot for step 9 + 50 holds the sum of the
 * weights in that order, bit for bit, for 1, 2, 3 and 4 threads; summed
 * in reverse the same weights give another number. */
START_TEST(test_input_summed_in_canonical_order)
{
    double canonical = 0, reverse = 0;
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < 5; k++)
            canonical += (double)order_w[j][k];
    for (int j = 1; j >= 0; j--)
        for (int k = 4; k >= 0; k--)
            reverse += (double)order_w[j][k];
    ck_assert(canonical != reverse);
    hs_config *c = tu_config(order_yaml, NULL, 0);
    for (int th = 1; th <= 4; th++) {
        hs_error err;
        network *n = tu_network_build(c, th, &err);
        ck_assert_ptr_nonnull(n);
        for (size_t j = 0; j < 2; j++)
            for (int k = 0; k < 5; k++)
                set_weight(n, j, order_ids[j][k], order_w[j][k]);
        sim *s = sim_alloc(n, c, &err);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(sim_run(s, 20, NULL, &err), HS_OK);
        const net_pop *dst = &n->pops[2];
        double got = dst->ring[0][(size_t)((9 + 50) % n->n_slots) * dst->state.n_alloc];
        ck_assert_msg(memcmp(&got, &canonical, sizeof got) == 0,
                      "%d threads: input %.17g, in canonical order %.17g", th, got, canonical);
        sim_free(s);
        tu_network_free(n);
    }
    experiment_free(c);
}
END_TEST

/* ---- the stop flag ---- */

/* A recurrent network with 1 ms delays: windows of 10 steps. */
static const char stop_yaml[] =
    "simulation: {dt_ms: 0.1, duration_ms: 600, seed: 4}\n"
    "populations:\n"
    "  drive: {model: poisson, size: 400, params: {rate: 12}}\n"
    "  exc: {model: lif_coba, size: 160, params: {tau_syn_ex: 5, tau_syn_in: 10}}\n"
    "  inh: {model: lif_coba, size: 40, params: {tau_syn_ex: 5, tau_syn_in: 10}}\n"
    "projections:\n"
    "  de: {pre: drive, post: exc, receptor: ex, weight: 6, delay_ms: 0.1,\n"
    "       connect: {rule: fixed_indegree, indegree: 20}}\n"
    "  di: {pre: drive, post: inh, receptor: ex, weight: 2, delay_ms: 0.3,\n"
    "       connect: {rule: fixed_indegree, indegree: 20}}\n"
    "  ee: {pre: exc, post: exc, receptor: ex, weight: 2, delay_ms: 1.0,\n"
    "       connect: {rule: fixed_probability, p: 0.1}}\n"
    "  ei: {pre: exc, post: inh, receptor: ex, weight: 2, delay_ms: 1.0,\n"
    "       connect: {rule: fixed_probability, p: 0.1}}\n"
    "  ie: {pre: inh, post: exc, receptor: in, weight: 4, delay_ms: 1.0,\n"
    "       connect: {rule: fixed_probability, p: 0.2}}\n"
    "recording: {spikes: [exc, inh]}\n";

enum { STOP_START = 7, STOP_STEPS = 6000 };

static volatile sig_atomic_t stop_flag;
static int stop_armed;          /* the progress callback sets the flag once */
static const sim *stop_sim;
static uint64_t stop_set_at;    /* the step at which it did */

static void stop_on_progress(void *ctx, double t_ms, double end_ms)
{
    (void)ctx;
    (void)t_ms;
    (void)end_ms;
    if (stop_armed && !stop_flag) {
        stop_flag = 1;
        stop_armed = 0;
        stop_set_at = sim_step(stop_sim);
    }
}

/* A sim of stop_yaml from step STOP_START, recording into *rec. */
static sim *stop_sim_new(const hs_config *c, network **n, tu_spikes **rec)
{
    hs_error err;
    *n = tu_network_build(c, 2, &err);
    ck_assert_ptr_nonnull(*n);
    ck_assert_uint_eq((*n)->window, 10);
    sim *s = sim_alloc(*n, c, &err);
    ck_assert_ptr_nonnull(s);
    *rec = calloc(1, sizeof **rec);
    sim_seek(s, STOP_START);
    sim_set_stop_flag(s, &stop_flag);
    return s;
}

/* A recording's spikes up to t_max as (time, population, id), sorted:
 * the sink gets them chunk by chunk, population by population, so runs
 * cut into other chunks hand them over in another order. */
typedef struct stamp { double t; uint32_t pop; uint64_t id; } stamp;

static int cmp_stamp(const void *a, const void *b)
{
    const stamp *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->pop != y->pop)
        return x->pop < y->pop ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static stamp *stamps_upto(const tu_spikes *r, double t_max, size_t *n)
{
    stamp *v = malloc((r->n ? r->n : 1) * sizeof *v);
    *n = 0;
    for (size_t k = 0; k < r->n; k++)
        if (r->t_ms[k] <= t_max)
            v[(*n)++] = (stamp){r->t_ms[k], r->pop[k], r->id[k]};
    qsort(v, *n, sizeof *v, cmp_stamp);
    return v;
}

/* a holds exactly b's spikes up to t_max (and none later). */
static void assert_same_spikes(const tu_spikes *a, const tu_spikes *b, double t_max)
{
    size_t na, nb;
    stamp *x = stamps_upto(a, INFINITY, &na), *y = stamps_upto(b, t_max, &nb);
    ck_assert_uint_eq(na, nb);
    for (size_t k = 0; k < na; k++)
        ck_assert(x[k].t == y[k].t && x[k].pop == y[k].pop && x[k].id == y[k].id);
    free(x);
    free(y);
}

/* The flag stops a run at the end of the window in which it is seen
 * (windows counted from where the run started): set before the run, after
 * its first window; set between two chunks (by the progress callback),
 * one window after. Everything recorded up to there is handed over, and
 * going on from there gives the uninterrupted run's spikes, the same
 * times and ids. */
START_TEST(test_stop_flag_ends_at_window)
{
    hs_config *c = tu_config(stop_yaml, NULL, 0);
    hs_error err;
    network *nr, *n;
    tu_spikes *ref, *rec;
    sim *sr = stop_sim_new(c, &nr, &ref);
    sim_sink ref_sink = {ref, tu_sink_spikes, NULL, NULL};
    stop_flag = 0;
    ck_assert_int_eq(sim_run(sr, STOP_STEPS, &ref_sink, &err), HS_OK);
    ck_assert_uint_gt(ref->n, 1000);
    sim *s = stop_sim_new(c, &n, &rec);
    sim_sink sink = {rec, tu_sink_spikes, NULL, stop_on_progress};
    stop_sim = s;
    /* set before the run */
    stop_flag = 1;
    ck_assert_int_eq(sim_run(s, STOP_STEPS, &sink, &err), HS_EINTERRUPTED);
    ck_assert_uint_eq(sim_step(s), STOP_START + 10);
    /* set by the first progress report, at a chunk's end */
    stop_flag = 0;
    stop_armed = 1;
    ck_assert_int_eq(sim_run(s, STOP_STEPS - 10, &sink, &err), HS_EINTERRUPTED);
    ck_assert_uint_gt(stop_set_at, STOP_START + 10);
    ck_assert_uint_eq(sim_step(s), stop_set_at + 10);
    ck_assert_uint_eq((sim_step(s) - STOP_START) % 10, 0);
    /* what was handed over: the reference's spikes up to there */
    double stop_ms = (double)sim_step(s) * 0.1;
    assert_same_spikes(rec, ref, stop_ms);
    /* and the rest */
    stop_flag = 0;
    uint64_t left = STOP_START + STOP_STEPS - sim_step(s);
    ck_assert_int_eq(sim_run(s, left, &sink, &err), HS_OK);
    assert_same_spikes(rec, ref, INFINITY);
    tu_spikes_free(ref);
    tu_spikes_free(rec);
    sim_free(sr);
    sim_free(s);
    tu_network_free(nr);
    tu_network_free(n);
    experiment_free(c);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_delay_exact);
    tcase_add_test(tc, test_delay_per_synapse);
    tcase_add_test(tc, test_threads_bitwise);
    tcase_add_test(tc, test_sources_read_ahead);
    tcase_add_test(tc, test_past_2_32_steps);
    tcase_add_test(tc, test_input_summed_in_canonical_order);
    tcase_add_test(tc, test_stop_flag_ends_at_window);
    suite_add_tcase(s, tc);
    return s;
}
