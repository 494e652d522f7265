#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <gsl/gsl_randist.h>

#include "../../base/rng.h"

hs_config *tu_config(const char *yaml, const char *const *sets, size_t n_sets)
{
    char dir[] = "/tmp/hebbsleep-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/test.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(yaml, f);
    fclose(f);
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, sets, n_sets, &err);
    unlink(path);
    rmdir(dir);
    if (!c)
        ck_abort_msg("config_load: %s", err.msg);
    return c;
}

hs_config *tu_config_file(const char *path, const char *const *sets, size_t n_sets)
{
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, sets, n_sets, &err);
    if (!c)
        ck_abort_msg("config_load: %s", err.msg);
    return c;
}

static int grow(tu_spikes *s, size_t more)
{
    if (s->n + more <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < s->n + more)
        cap *= 2;
    s->pop = realloc(s->pop, cap * sizeof *s->pop);
    s->id = realloc(s->id, cap * sizeof *s->id);
    s->t_ms = realloc(s->t_ms, cap * sizeof *s->t_ms);
    s->cap = cap;
    return !s->pop || !s->id || !s->t_ms;
}

int tu_sink_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids, size_t n,
                     hs_error *err)
{
    (void)err;
    tu_spikes *s = ctx;
    ck_assert_int_eq(grow(s, n), 0);
    for (size_t k = 0; k < n; k++) {
        s->pop[s->n] = (uint32_t)pop;
        s->id[s->n] = ids[k];
        s->t_ms[s->n] = t[k];
        s->n++;
    }
    return HS_OK;
}

static const hs_config *trace_cfg;

static int on_trace(void *ctx, size_t k, const float *rows, size_t n_rows, hs_error *err)
{
    (void)err;
    tu_spikes *s = ctx;
    size_t m = n_rows * trace_cfg->traces[k].n_ids;
    s->trace = realloc(s->trace, (s->n_trace + m) * sizeof *s->trace);
    ck_assert_ptr_nonnull(s->trace);
    memcpy(s->trace + s->n_trace, rows, m * sizeof *rows);
    s->n_trace += m;
    return HS_OK;
}

network *tu_network_build(const hs_config *c, int n_threads, hs_error *err)
{
    if (network_check_size(c, n_threads, err) != HS_OK)
        return NULL;
    track_traj *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    if (experiment_trajectory(c, t, err) != HS_OK) {
        free(t);
        return NULL;
    }
    network *n = network_build(c, t, n_threads, err);
    if (!n || !n->traj) {
        track_free(t);
        free(t);
    }
    return n;
}

void tu_network_free(network *n)
{
    track_traj *t = n ? (track_traj *)n->traj : NULL;  /* tu_network_build's */
    network_free(n);
    if (t) {
        track_free(t);
        free(t);
    }
}

/* Builds c and runs it (its schedule when schedule is set, else
 * duration_ms in one go), recording spikes and traces. */
static tu_spikes *run_config(const hs_config *c, int n_threads, network **net_out,
                             int schedule)
{
    hs_error err;
    hs_error_clear(&err);
    network *net = tu_network_build(c, n_threads, &err);
    if (!net)
        ck_abort_msg("network_build: %s", err.msg);
    sim *s = sim_alloc(net, c, &err);
    ck_assert_ptr_nonnull(s);
    tu_spikes *out = calloc(1, sizeof *out);
    trace_cfg = c;
    sim_sink sink = {out, tu_sink_spikes, on_trace, NULL};
    uint64_t steps = (uint64_t)(c->duration_ms / c->dt_ms + 0.5);
    int rc = schedule ? schedule_run(s, net, c, &sink, NULL, &err)
                      : sim_run(s, steps, &sink, &err);
    ck_assert_msg(rc == HS_OK, "run: %s", err.msg);
    sim_free(s);
    if (net_out)
        *net_out = net;
    else
        tu_network_free(net);
    return out;
}

tu_spikes *tu_run(const hs_config *c, int n_threads, network **net_out)
{
    return run_config(c, n_threads, net_out, 0);
}

tu_spikes *tu_run_schedule(const hs_config *c, int n_threads, network **net_out)
{
    return run_config(c, n_threads, net_out, 1);
}

void tu_spikes_free(tu_spikes *s)
{
    if (!s)
        return;
    free(s->pop);
    free(s->id);
    free(s->t_ms);
    free(s->trace);
    free(s);
}

int tu_spikes_equal(const tu_spikes *a, const tu_spikes *b)
{
    return a->n == b->n && a->n_trace == b->n_trace &&
           memcmp(a->pop, b->pop, a->n * sizeof *a->pop) == 0 &&
           memcmp(a->id, b->id, a->n * sizeof *a->id) == 0 &&
           memcmp(a->t_ms, b->t_ms, a->n * sizeof *a->t_ms) == 0 &&
           (a->n_trace == 0 || memcmp(a->trace, b->trace, a->n_trace * sizeof *a->trace) == 0);
}

/* Every state variable and every weight, the weights in (pre, post) order. */
static void assert_same_state(const network *a, const network *b)
{
    for (size_t p = 0; p < a->n_pops; p++)
        for (size_t v = 0; v < a->pops[p].type->n_state; v++) {
            size_t bytes = a->pops[p].state.n * sizeof(double);
            ck_assert_int_eq(memcmp(a->pops[p].state.var[v], b->pops[p].state.var[v], bytes), 0);
        }
    for (size_t j = 0; j < a->n_projs; j++) {
        size_t n = 0;
        for (int t = 0; t < a->n_threads; t++)
            n += a->projs[j].part[t].n_syn;
        uint64_t *pre = malloc((n + 1) * sizeof *pre), *post = malloc((n + 1) * sizeof *post);
        double *wa = malloc((n + 1) * sizeof *wa), *wb = malloc((n + 1) * sizeof *wb);
        ck_assert_uint_eq(weights_local(a, j, pre, post, wa), n);
        ck_assert_uint_eq(weights_local(b, j, pre, post, wb), n);
        ck_assert_int_eq(memcmp(wa, wb, n * sizeof *wa), 0);
        free(pre);
        free(post);
        free(wa);
        free(wb);
    }
}

void tu_assert_threads_bitwise(const char *path, const char *set, size_t min_spikes)
{
    hs_config *c = tu_config_file(path, &set, 1);
    network *n1, *n2, *n4;
    tu_spikes *a = tu_run(c, 1, &n1), *b = tu_run(c, 2, &n2), *d = tu_run(c, 4, &n4);
    ck_assert_uint_ge(a->n, min_spikes);
    ck_assert(tu_spikes_equal(a, b));
    ck_assert(tu_spikes_equal(a, d));
    assert_same_state(n1, n2);
    assert_same_state(n1, n4);
    tu_spikes_free(a);
    tu_spikes_free(b);
    tu_spikes_free(d);
    tu_network_free(n1);
    tu_network_free(n2);
    tu_network_free(n4);
    experiment_free(c);
}

void tu_rate_cv(const tu_spikes *s, uint32_t pop, size_t n, double duration_ms,
                double *rate_hz, double *cv)
{
    double *last = calloc(n, sizeof *last);
    double *m1 = calloc(n, sizeof *m1), *m2 = calloc(n, sizeof *m2);
    size_t *k = calloc(n, sizeof *k), count = 0;
    for (size_t q = 0; q < s->n; q++) {
        if (s->pop[q] != pop)
            continue;
        size_t i = s->id[q];
        count++;
        if (k[i]++) {
            double isi = s->t_ms[q] - last[i];
            m1[i] += isi;
            m2[i] += isi * isi;
        }
        last[i] = s->t_ms[q];
    }
    double cv_sum = 0;
    size_t cv_n = 0;
    for (size_t i = 0; i < n; i++) {
        if (k[i] < 3)
            continue;
        double m = m1[i] / (double)(k[i] - 1);
        double v = m2[i] / (double)(k[i] - 1) - m * m;
        cv_sum += sqrt(v > 0 ? v : 0) / m;
        cv_n++;
    }
    *rate_hz = (double)count / (double)n / (duration_ms * 1e-3);
    *cv = cv_n ? cv_sum / (double)cv_n : NAN;
    free(last);
    free(m1);
    free(m2);
    free(k);
}

void cell_init(cell *c, const char *model, size_t n, const char *const *names,
               const double *vals, size_t n_vals)
{
    memset(c, 0, sizeof *c);
    c->t = neuron_type_find(model);
    ck_assert_ptr_nonnull(c->t);
    ck_assert_uint_le(c->t->plan_size, sizeof c->plan);
    hs_params_set_defaults(c->t->params, c->t->n_params, c->params);
    for (size_t k = 0; k < n_vals; k++) {
        int i = hs_params_find(c->t->params, c->t->n_params, names[k]);
        ck_assert_int_ge(i, 0);
        *hs_param_ptr(&c->t->params[i], c->params) = vals[k];
    }
    hs_error err;
    ck_assert_int_eq(c->t->plan_init(c->plan, c->params, 0.1, &err), HS_OK);
    ck_assert_int_eq(neuron_pop_alloc(&c->pop, c->t, c->plan, n, &err), HS_OK);
    for (size_t r = 0; r < c->t->n_receptors; r++)
        c->rx[r] = calloc(c->pop.n_alloc, sizeof(double));
    c->spikes = calloc(c->pop.n_alloc, sizeof(uint32_t));
}

void cell_free(cell *c)
{
    for (size_t r = 0; r < NEURON_MAX_RECEPTORS; r++)
        free(c->rx[r]);
    free(c->spikes);
    neuron_pop_free(&c->pop, c->t);
}

size_t cell_step(cell *c, uint64_t s, double ex, double in)
{
    c->rx[0][0] = ex;
    c->rx[1][0] = in;
    return c->t->update(c->plan, &c->pop, 0, c->pop.n, s, c->rx, c->spikes);
}

void tu_train_add(tu_train *s, double t, uint32_t id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->t = realloc(s->t, s->cap * sizeof *s->t);
        s->id = realloc(s->id, s->cap * sizeof *s->id);
        ck_assert(s->t && s->id);
    }
    s->t[s->n] = t;
    s->id[s->n++] = id;
}

void tu_train_free(tu_train *s)
{
    free(s->t);
    free(s->id);
    memset(s, 0, sizeof *s);
}

void tu_train_poisson(tu_train *s, size_t n_cells, double rate_hz, double dur_ms,
                      uint64_t seed)
{
    for (size_t c = 0; c < n_cells; c++) {
        rng_state st;
        rng_stream_init(&st, seed, RNG_KIND_TEST + 8, 0, (uint32_t)c);
        gsl_rng r = rng_view(&st);
        for (double t = gsl_ran_exponential(&r, 1000.0 / rate_hz); t < dur_ms;
             t += gsl_ran_exponential(&r, 1000.0 / rate_hz))
            tu_train_add(s, t, (uint32_t)c);
    }
}

void tu_train_sequence(tu_train *s, int reverse, int quiet)
{
    size_t m0 = s->n;
    tu_train_poisson(s, TU_SEQ_CELLS, 1.0, 20000.0, 11);
    size_t m = m0;
    for (size_t i = m0; i < s->n; i++) {
        if (quiet && s->t[i] >= TU_SEQ_T0 - 150 && s->t[i] < TU_SEQ_T0 + 250)
            continue;
        s->t[m] = s->t[i];
        s->id[m++] = s->id[i];
    }
    s->n = m;
    for (uint32_t c = 0; c < TU_SEQ_CELLS; c++) {
        double t = TU_SEQ_T0 + 5.0 * (reverse ? TU_SEQ_CELLS - 1 - c : c);
        for (int k = 0; k < 3; k++)
            tu_train_add(s, t + k, c);
    }
}
