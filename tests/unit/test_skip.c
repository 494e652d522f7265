/* Event-driven skipping of quiet neurons against the plain step loop (a
 * second code path): closed-form advance equals stepping, quiet() never
 * lets a dormant neuron miss a threshold crossing, and whole runs give
 * the same spikes with skipping on and off, for any thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "../../base/rng.h"
#include "suites.h"
#include "../lib/testutil.h"

/* 8 neurons of model, with one parameter set (key may be NULL). */
static void one_init(cell *c, const char *model, const char *key, double value)
{
    cell_init(c, model, 8, &key, &value, key ? 1 : 0);
}

/* Random state for 8 neurons: V in [-80, -50], currents or conductances. */
static void randomize(cell *c, gsl_rng *r, double g_scale)
{
    for (size_t i = 0; i < 8; i++) {
        c->pop.var[0][i] = -80 + 30 * gsl_rng_uniform(r);
        c->pop.var[1][i] = g_scale * (gsl_rng_uniform(r) - 0.3);
        c->pop.var[2][i] = g_scale * (gsl_rng_uniform(r) - 0.7);
        c->pop.refr[i] = 0;
    }
}

/* For lif_cuba, advance(n) equals n input-free steps; whenever quiet()
 * accepts a state, stepping it 3000 steps without input never spikes. */
START_TEST(test_lif_cuba_advance_and_quiet)
{
    cell c, d;
    one_init(&c, "lif_cuba", "I_e", 200);
    one_init(&d, "lif_cuba", "I_e", 200);
    rng_state st;
    rng_stream_init(&st, 9, RNG_KIND_TEST, 0, 0);
    gsl_rng r = rng_view(&st);
    int accepted = 0, refused = 0;
    double worst = 0;
    for (int trial = 0; trial < 400; trial++) {
        randomize(&c, &r, 400);
        for (size_t v = 0; v < 3; v++)
            memcpy(d.pop.var[v], c.pop.var[v], 8 * sizeof(double));
        int quiet = c.t->quiet(c.plan, &c.pop, 0, 8);
        uint64_t n = 1 + gsl_rng_uniform_int(&r, 3000);
        size_t spikes = 0;
        for (uint64_t s = 0; s < n; s++)
            spikes += d.t->update(d.plan, &d.pop, 0, 8, s, d.rx, d.spikes);
        if (quiet) {
            accepted++;
            ck_assert_uint_eq(spikes, 0);
            c.t->advance(c.plan, &c.pop, 0, 8, n);
            for (size_t i = 0; i < 8; i++)
                worst = fmax(worst, fabs(c.pop.var[0][i] - d.pop.var[0][i]));
        } else {
            refused++;
        }
    }
    ck_assert_int_gt(accepted, 50);
    ck_assert_int_gt(refused, 50);
    ck_assert_double_lt(worst, 1e-9);
    cell_free(&c);
    cell_free(&d);
}
END_TEST

/* lif_coba: quiet only with (flushed) conductances; advance equals steps. */
START_TEST(test_lif_coba_advance)
{
    cell c, d;
    one_init(&c, "lif_coba", "I_e", 50);
    one_init(&d, "lif_coba", "I_e", 50);
    for (size_t i = 0; i < 8; i++) {
        c.pop.var[0][i] = d.pop.var[0][i] = -75 + 3.0 * (double)i;
        c.pop.var[1][i] = d.pop.var[1][i] = 1e-12;
    }
    ck_assert(c.t->quiet(c.plan, &c.pop, 0, 8));
    ck_assert_double_eq(c.pop.var[1][0], 0.0);
    d.pop.var[1][0] = 0;
    for (size_t i = 0; i < 8; i++)
        d.pop.var[1][i] = 0;
    for (uint64_t s = 0; s < 1234; s++)
        ck_assert_uint_eq(d.t->update(d.plan, &d.pop, 0, 8, s, d.rx, d.spikes), 0);
    c.t->advance(c.plan, &c.pop, 0, 8, 1234);
    for (size_t i = 0; i < 8; i++)
        ck_assert_double_lt(fabs(c.pop.var[0][i] - d.pop.var[0][i]), 1e-9);
    /* any live conductance (g_ex, g_in, g_a, g_adp) keeps the block active;
     * below the flush level each is zeroed */
    for (size_t k = 1; k < c.t->n_state; k++) {
        c.pop.var[k][3] = 1.0;
        ck_assert_msg(!c.t->quiet(c.plan, &c.pop, 0, 8), "%s", c.t->state_names[k]);
        c.pop.var[k][3] = 1e-12;
        ck_assert_msg(c.t->quiet(c.plan, &c.pop, 0, 8), "%s", c.t->state_names[k]);
        ck_assert_double_eq(c.pop.var[k][3], 0.0);
    }
    cell_free(&c);
    cell_free(&d);
}
END_TEST

static void compare_skip(const char *path, int threads_b)
{
    const char *on[] = {"simulation.duration_ms=500", "simulation.skip_quiet=true"};
    const char *off[] = {"simulation.duration_ms=500", "simulation.skip_quiet=false"};
    hs_config *con = tu_config_file(path, on, 2), *coff = tu_config_file(path, off, 2);
    network *na, *nb;
    tu_spikes *a = tu_run(coff, 1, &na), *b = tu_run(con, threads_b, &nb);
    ck_assert_uint_gt(a->n, 100);
    ck_assert_uint_eq(a->n, b->n);
    ck_assert_int_eq(memcmp(a->id, b->id, a->n * sizeof *a->id), 0);
    ck_assert_int_eq(memcmp(a->t_ms, b->t_ms, a->n * sizeof *a->t_ms), 0);
    for (size_t p = 0; p < na->n_pops; p++)
        for (size_t i = 0; na->pops[p].type->n_state && i < na->pops[p].state.n; i++)
            ck_assert_double_lt(fabs(na->pops[p].state.var[0][i] - nb->pops[p].state.var[0][i]),
                                1e-9);
    tu_spikes_free(a);
    tu_spikes_free(b);
    tu_network_free(na);
    tu_network_free(nb);
    experiment_free(con);
    experiment_free(coff);
}

START_TEST(test_sparse_same_spikes)
{
    compare_skip("bench/sparse.yaml", 1);
    compare_skip("bench/sparse.yaml", 2);
}
END_TEST

START_TEST(test_sparse_threads_bitwise)
{
    tu_assert_threads_bitwise("bench/sparse.yaml", "simulation.duration_ms=300", 1000);
}
END_TEST

/* A long dormancy with tau_syn > tau_m: the closed form stays finite (no
 * 0 * inf) and relaxes to V_inf. */
START_TEST(test_lif_cuba_long_dormancy)
{
    cell c;
    one_init(&c, "lif_cuba", "tau_syn_in", 20);   /* tau_m = 10 ms */
    for (size_t i = 0; i < 8; i++) {
        c.pop.var[0][i] = -72;
        c.pop.var[2][i] = -50;
    }
    c.t->advance(c.plan, &c.pop, 0, 8, 2000000);   /* 200 s */
    for (size_t i = 0; i < 8; i++) {
        ck_assert(isfinite(c.pop.var[0][i]));
        ck_assert_double_lt(fabs(c.pop.var[0][i] - (-70.0)), 1e-9);
    }
    cell_free(&c);
}
END_TEST

Suite *skip_suite(void)
{
    Suite *s = suite_create("skip");
    TCase *tc = tcase_create("quiet");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_lif_cuba_advance_and_quiet);
    tcase_add_test(tc, test_lif_coba_advance);
    tcase_add_test(tc, test_lif_cuba_long_dormancy);
    tcase_add_test(tc, test_sparse_same_spikes);
    tcase_add_test(tc, test_sparse_threads_bitwise);
    suite_add_tcase(s, tc);
    return s;
}
