/* test_config.c: the experiment-file loader (io/config.h).
 *
 * Known answers: tests/configs/good/full.yaml loads with its values and the
 * defaults. Every file in tests/configs/bad/ fails with exactly the message
 * on its first line, "# expect: line:col: key.path: message" (the part after
 * "file:"; {dir} stands for that directory). Overrides, good and bad. The
 * file-based tests are in test_config_files.c, the learning sections'
 * (plasticity, homeostasis, schedule, weight recording) in
 * test_config_plast.c, the task's in test_config_task.c.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config_testutil.h"
#include "suites.h"

#define MAX_BAD 256

/* ---- the good config ---- */

START_TEST(test_good_simulation_and_populations)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    ck_assert_double_eq(c->dt_ms, 0.1);
    ck_assert_double_eq_tol(c->duration_ms, 250.0, 1e-9);   /* 250.04 -> 2500 steps */
    ck_assert_uint_eq(c->seed, 42);
    ck_assert_int_eq(c->threads, 1);                        /* default */
    ck_assert_int_eq(c->skip_quiet, 1);                     /* default */
    ck_assert_ptr_null(c->overrides);
    ck_assert_str_eq(c->path, path);
    ck_assert_ptr_nonnull(strstr(c->text, "populations:"));

    ck_assert_uint_eq(c->n_pops, 5);                        /* file order */
    const char *names[] = {"exc", "inh", "ad", "noise", "stim"};
    const char *models[] = {"lif_coba", "lif_cuba", "adex", "poisson", "spike_times"};
    const uint64_t sizes[] = {80, 20, 20, 50, 3};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(c->pops[i].name, names[i]);
        ck_assert_str_eq(c->pops[i].model->name, models[i]);
        ck_assert_uint_eq(c->pops[i].size, sizes[i]);
        ck_assert_int_eq(experiment_pop_find(c, names[i]), (int)i);
    }
    ck_assert_int_eq(experiment_pop_find(c, "nope"), -1);
    ck_assert_int_eq(c->pops[0].loc.line, 9);
    ck_assert_int_eq(c->pops[0].loc.col, 3);

    const hs_pop_config *exc = &c->pops[0], *inh = &c->pops[1], *ad = &c->pops[2];
    ck_assert_double_eq(ct_param(exc, "tau_syn_ex"), 5);
    ck_assert_double_eq(ct_param(exc, "V_th"), -50.5);
    ck_assert_double_eq(ct_param(exc, "C_m"), ct_param_default(exc, "C_m"));
    ck_assert_double_eq(ct_param(inh, "tau_m"), 20);
    ck_assert_double_eq(ct_param(inh, "I_e"), 100.5);
    ck_assert_double_eq(ct_param(ad, "tau_w"), ct_param_default(ad, "tau_w"));
    ck_assert_double_eq(ct_param(&c->pops[3], "rate"), 8);

    ck_assert_int_eq(exc->has_init[0], 1);                  /* V_m uniform */
    ck_assert_int_eq(exc->init[0].kind, HS_DIST_UNIFORM);
    ck_assert_double_eq(exc->init[0].low, -70);
    ck_assert_double_eq(exc->init[0].high, -50);
    ck_assert_int_eq(exc->has_init[1], 1);                  /* g_ex normal, low only */
    ck_assert_int_eq(exc->init[1].kind, HS_DIST_NORMAL);
    ck_assert_double_eq(exc->init[1].mean, 4);
    ck_assert_double_eq(exc->init[1].sd, 1.5);
    ck_assert_double_eq(exc->init[1].low, 0);
    ck_assert(isinf(exc->init[1].high) && exc->init[1].high > 0);
    ck_assert_int_eq(exc->has_init[2], 0);
    ck_assert_int_eq(ad->has_init[1], 1);                   /* w: 3 */
    ck_assert_int_eq(ad->init[1].kind, HS_DIST_CONSTANT);
    ck_assert_double_eq(ad->init[1].value, 3);
    ck_assert_int_eq(inh->has_init[0], 0);

    int rec[] = {1, 0, 0, 0, 1};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(c->pops[i].record_spikes, rec[i]);
    experiment_free(c);
}
END_TEST

START_TEST(test_good_spikes_sorted)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    const hs_pop_config *s = &c->pops[4];
    const double t[] = {1.5, 1.5, 2, 5, 10};
    const uint64_t ids[] = {1, 2, 1, 0, 2};
    ck_assert_uint_eq(s->n_spikes, 5);
    for (size_t k = 0; k < 5; k++) {
        ck_assert_double_eq(s->spike_t_ms[k], t[k]);
        ck_assert_uint_eq(s->spike_ids[k], ids[k]);
    }
    ck_assert_ptr_null(c->pops[0].spike_t_ms);
    experiment_free(c);
}
END_TEST

START_TEST(test_good_projections_and_recording)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    ck_assert_uint_eq(c->n_projs, 5);
    const hs_proj_config *ee = &c->projs[0], *ei = &c->projs[1], *ii = &c->projs[2],
                         *na = &c->projs[3], *sa = &c->projs[4];
    ck_assert_str_eq(ee->name, "ee");
    ck_assert_uint_eq(ee->pre, 0);
    ck_assert_uint_eq(ee->post, 0);
    ck_assert_int_eq(ee->receptor, 0);
    ck_assert_int_eq(ee->rule, HS_CONN_FIXED_PROBABILITY);
    ck_assert_double_eq(ee->p, 0.1);
    ck_assert_int_eq(ee->autapses, 1);                      /* default */
    ck_assert_int_eq(ee->weight.kind, HS_DIST_NORMAL);
    ck_assert_double_eq(ee->weight.high, 12);
    ck_assert_int_eq(ee->delay_ms.kind, HS_DIST_UNIFORM);
    ck_assert_double_eq(ee->delay_ms.low, 0.1);
    ck_assert_int_eq(ee->loc.line, 38);

    ck_assert_uint_eq(ei->post, 1);
    ck_assert_int_eq(ei->rule, HS_CONN_FIXED_INDEGREE);
    ck_assert_uint_eq(ei->indegree, 8);
    ck_assert_int_eq(ei->autapses, 0);
    ck_assert_int_eq(ei->delay_ms.kind, HS_DIST_CONSTANT);  /* default: 1 ms */
    ck_assert_double_eq(ei->delay_ms.value, 1.0);
    ck_assert_double_eq(ii->weight.value, -60);             /* pA: may be negative */
    ck_assert_int_eq(ii->receptor, 1);
    ck_assert_uint_eq(ii->indegree, 19);                    /* size - 1 */
    ck_assert_uint_eq(na->pre, 3);
    ck_assert_int_eq(na->rule, HS_CONN_ALL_TO_ALL);
    ck_assert_int_eq(na->weight.kind, HS_DIST_CONSTANT);
    ck_assert_double_eq(na->weight.value, 1.5);
    ck_assert_int_eq(sa->rule, HS_CONN_ONE_TO_ONE);
    ck_assert_double_eq(sa->delay_ms.value, 1.2);

    ck_assert_uint_eq(c->n_traces, 2);
    const hs_trace_config *t0 = &c->traces[0], *t1 = &c->traces[1];
    ck_assert_uint_eq(t0->pop, 0);
    ck_assert_int_eq(t0->var, 0);
    ck_assert_uint_eq(t0->n_ids, 3);
    ck_assert_uint_eq(t0->ids[0], 0);                       /* sorted */
    ck_assert_uint_eq(t0->ids[1], 1);
    ck_assert_uint_eq(t0->ids[2], 3);
    ck_assert_double_eq(t0->interval_ms, 5 * 0.1);
    ck_assert_uint_eq(t1->pop, 2);
    ck_assert_int_eq(t1->var, 1);                           /* adex w */
    ck_assert_double_eq(t1->interval_ms, 0.1);              /* default: dt */
    experiment_free(c);
}
END_TEST

/* ---- the bad configs ---- */

static char bad_files[MAX_BAD][256];
static int n_bad = -1;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void bad_list(void)
{
    if (n_bad >= 0)
        return;
    n_bad = 0;
    char dir[600];
    ct_data_path(dir, sizeof dir, "configs/bad");
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && n_bad < MAX_BAD) {
        size_t len = strlen(e->d_name);
        if (len > 5 && len < 256 && strcmp(e->d_name + len - 5, ".yaml") == 0)
            memcpy(bad_files[n_bad++], e->d_name, len + 1);
    }
    if (d)
        closedir(d);
    qsort(bad_files, (size_t)n_bad, sizeof bad_files[0], name_cmp);
}

/* The first line's "# expect: ..." with {dir} replaced. */
static void expectation(const char *path, const char *dir, char *out, size_t size)
{
    size_t len;
    char *text = ct_file_slurp(path, &len);
    const char *tag = "# expect: ";
    ck_assert_msg(strncmp(text, tag, strlen(tag)) == 0, "%s: no '# expect: ' line", path);
    char *line = text + strlen(tag), *end = strchr(line, '\n');
    if (end)
        *end = '\0';
    const char *mark = strstr(line, "{dir}");
    if (mark)
        snprintf(out, size, "%.*s%s%s", (int)(mark - line), line, dir, mark + 5);
    else
        snprintf(out, size, "%s", line);
    free(text);
}

START_TEST(test_bad_count)
{
    bad_list();
    ck_assert_int_ge(n_bad, 100);
}
END_TEST

START_TEST(test_bad_config)
{
    bad_list();
    if (_i >= n_bad)
        return;
    char dir[600], path[900], want[1600];
    ct_data_path(dir, sizeof dir, "configs/bad");
    snprintf(path, sizeof path, "%s/%s", dir, bad_files[_i]);
    expectation(path, dir, want, sizeof want);
    const char *msg = ct_load_fail(path, NULL, 0);
    size_t plen = strlen(path);
    ck_assert_msg(strncmp(msg, path, plen) == 0 && msg[plen] == ':',
                  "%s: message does not start with the file: %s", bad_files[_i], msg);
    const char *rest = msg + plen + 1;
    if (*rest == ' ')
        rest++;
    ck_assert_msg(strcmp(rest, want) == 0, "%s:\n  want: %s\n  got:  %s", bad_files[_i],
                  want, rest);
}
END_TEST

/* ---- overrides ---- */

START_TEST(test_override_good)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    const char *sets[] = {
        "populations.exc.size=40",
        "simulation.seed=7",
        "simulation.seed=9",                               /* the later one wins */
        "projections.ee.connect.p=0.5",
        "populations.inh.params.tau_m=15",
        "populations.inh.init.V_m={dist: normal, mean: -60, sd: 2}",   /* creates init */
        "recording.spikes=[inh, ad]",
        "populations.extra={model: poisson, size: 4}",
    };
    size_t n = sizeof sets / sizeof sets[0];
    hs_config *c = ct_load_ok(path, sets, n);
    ck_assert_uint_eq(c->pops[0].size, 40);
    ck_assert_uint_eq(c->seed, 9);
    ck_assert_double_eq(c->projs[0].p, 0.5);
    ck_assert_double_eq(ct_param(&c->pops[1], "tau_m"), 15);
    ck_assert_int_eq(c->pops[1].has_init[0], 1);
    ck_assert_int_eq(c->pops[1].init[0].kind, HS_DIST_NORMAL);
    ck_assert_double_eq(c->pops[1].init[0].sd, 2);
    ck_assert_int_eq(c->pops[0].record_spikes, 0);
    ck_assert_int_eq(c->pops[1].record_spikes, 1);
    ck_assert_int_eq(c->pops[2].record_spikes, 1);
    ck_assert_uint_eq(c->n_pops, 6);
    ck_assert_str_eq(c->pops[5].name, "extra");
    ck_assert_int_eq(c->pops[5].loc.line, 0);               /* made by an override */
    ck_assert_ptr_nonnull(c->overrides);
    ck_assert_str_eq(c->overrides, "populations.exc.size=40\nsimulation.seed=7\n"
                     "simulation.seed=9\nprojections.ee.connect.p=0.5\n"
                     "populations.inh.params.tau_m=15\n"
                     "populations.inh.init.V_m={dist: normal, mean: -60, sd: 2}\n"
                     "recording.spikes=[inh, ad]\n"
                     "populations.extra={model: poisson, size: 4}");
    experiment_free(c);
}
END_TEST

static const struct {
    const char *set;
    const char *msg;       /* exact, or a prefix when it ends in '*' */
} bad_sets[] = {
    {"populations.exc.size=abc",
     "--set populations.exc.size=abc: populations.exc.size: expected an integer"},
    {"populations.exc.size=",
     "--set populations.exc.size=: populations.exc.size: expected an integer"},
    {"simulation.sed=3",
     "--set simulation.sed=3: simulation.sed: unknown key; allowed: dt_ms, duration_ms, "
     "seed, threads, skip_quiet, max_rate_hz, max_rate_window_ms"},
    {"populations.exc.params.tau=3",
     "--set populations.exc.params.tau=3: populations.exc.params.tau: unknown parameter of "
     "lif_coba; allowed: *"},
    {"simulation.dt_ms.x=1",
     "--set simulation.dt_ms.x=1: simulation.dt_ms: is not a mapping, so it has no key 'x'"},
    {"simulation", "--set simulation: expected key.path=value"},
    {"=3", "--set =3: no key path before '='"},
    {"simulation..seed=3", "--set simulation..seed=3: empty key in the path 'simulation..seed'"},
    {"simulation.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a=1",
     "--set simulation.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a=1: "
     "the key path has 33 keys, more than 32"},
    {"simulation.seed=[1,", "--set simulation.seed=[1,: simulation.seed: *"},
    {"populations.exc={a: 1, a: 2}",
     "--set populations.exc={a: 1, a: 2}: populations.exc.a: duplicate key"},
    {"simulation.seed=&a 1", "--set simulation.seed=&a 1: simulation.seed: anchors (&name) "
                             "are not supported"},
    {"populations.more.size=3",
     "--set populations.more.size=3: populations.more: missing required key 'model'"},
    {"projections.ee.connect.p=2",
     "--set projections.ee.connect.p=2: projections.ee.connect.p: 2 is outside the allowed "
     "range [0, 1]"},
    /* Errors found across several values still name the override. */
    {"populations.exc.params.V_th=-70",
     "--set populations.exc.params.V_th=-70: populations.exc.params: V_reset (-60 mV) must "
     "be below V_th (-70 mV)"},
    {"projections.ee.connect={rule: fixed_probability}",
     "--set projections.ee.connect={rule: fixed_probability}: projections.ee.connect: "
     "missing required key 'p'"},
    {"projections.ee.weight.low=13",
     "--set projections.ee.weight.low=13: projections.ee.weight: low (13) is above high "
     "(12)"},
    {"populations={}", "--set populations={}: populations: at least one population is "
                       "needed"},
    {"populations.exc.model=adexx",
     "--set populations.exc.model=adexx: populations.exc.model: unknown model 'adexx'; *"},
};

START_TEST(test_override_bad)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    const char *sets[] = {bad_sets[_i].set};
    const char *msg = ct_load_fail(path, sets, 1);
    ct_assert_msg_is(msg, bad_sets[_i].msg);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *good = tcase_create("good");
    tcase_add_test(good, test_good_simulation_and_populations);
    tcase_add_test(good, test_good_spikes_sorted);
    tcase_add_test(good, test_good_projections_and_recording);
    suite_add_tcase(s, good);

    TCase *bad = tcase_create("bad");
    bad_list();
    tcase_add_test(bad, test_bad_count);
    tcase_add_loop_test(bad, test_bad_config, 0, n_bad);
    suite_add_tcase(s, bad);

    TCase *sets = tcase_create("overrides");
    tcase_add_test(sets, test_override_good);
    tcase_add_loop_test(sets, test_override_bad, 0,
                        (int)(sizeof bad_sets / sizeof bad_sets[0]));
    suite_add_tcase(s, sets);

    config_files_tests_add(s);
    config_plast_tests_add(s);
    config_task_tests_add(s);
    config_replay_tests_add(s);
    config_h5inputs_tests_add(s);
    return s;
}
