/* test_config_plast.c: the learning sections of the experiment file:
 * projections' plasticity and homeostasis, recording.weights and the
 * schedule. Known answers and defaults from tests/configs/good/plastic.yaml
 * (its schedule comes before the projections its gains name), the one
 * default phase without a schedule, and overrides, good and bad. The bad
 * files are checked with the others by test_config.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../lib/config_testutil.h"

static hs_config *plastic_load(const char *const *sets, size_t n)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/plastic.yaml");
    return ct_load_ok(path, sets, n);
}

/* ---- plasticity and homeostasis ---- */

START_TEST(test_plasticity)
{
    hs_config *c = plastic_load(NULL, 0);
    ck_assert_uint_eq(c->n_projs, 4);
    const hs_proj_config *ee = &c->projs[0], *ei = &c->projs[1], *ie = &c->projs[2],
                         *ne = &c->projs[3];
    const hs_plast_config *pl = &ee->plast;
    ck_assert_ptr_eq(pl->rule, stdp_type_find("stdp_pair"));
    ck_assert_int_eq(pl->nearest, 1);
    ck_assert_double_eq(ct_rule_param(pl->rule->params, pl->rule->n_params, pl->params,
                                      "A_plus"), 0.01);
    ck_assert_double_eq(ct_rule_param(pl->rule->params, pl->rule->n_params, pl->params,
                                      "w_max"), 2);
    ck_assert_double_eq(ct_rule_param(pl->rule->params, pl->rule->n_params, pl->params,
                                      "mu_plus"), 1);
    ck_assert_double_eq(ct_rule_param(pl->rule->params, pl->rule->n_params, pl->params,
                                      "A_minus"), 0.00525);           /* default */
    ck_assert_int_eq(pl->loc.line, 37);
    ck_assert_int_eq(pl->loc.col, 5);
    ck_assert_int_eq(ee->delay_ms.kind, HS_DIST_CONSTANT);

    const hs_plast_config *tp = &ei->plast;
    ck_assert_ptr_eq(tp->rule, stdp_type_find("stdp_triplet"));
    ck_assert_int_eq(tp->nearest, 0);                                /* all_to_all */
    ck_assert_double_eq(ct_rule_param(tp->rule->params, tp->rule->n_params, tp->params,
                                      "w_min"), -5);                 /* pA: may be < 0 */
    ck_assert_double_eq(ct_rule_param(tp->rule->params, tp->rule->n_params, tp->params,
                                      "tau_y"), 114);
    ck_assert_uint_eq(ei->n_homeo, 0);
    ck_assert_ptr_null(ie->plast.rule);                               /* static */
    ck_assert_ptr_null(ne->plast.rule);
    ck_assert_uint_eq(ne->n_homeo, 0);
    experiment_free(c);
}
END_TEST

START_TEST(test_homeostasis)
{
    hs_config *c = plastic_load(NULL, 0);
    const hs_proj_config *ee = &c->projs[0], *ie = &c->projs[2];
    ck_assert_uint_eq(ee->n_homeo, 2);                                /* list order */
    const hs_homeo_config *r = &ee->homeo[0], *d = &ee->homeo[1];
    ck_assert_ptr_eq(r->rule, &scaling_rate);
    ck_assert_ptr_eq(d->rule, &scaling_downscale);
    const scaling_rate_params *rp = (const scaling_rate_params *)r->params;
    ck_assert_double_eq(rp->target_hz, 8);
    ck_assert_double_eq(rp->interval_ms, 500 * 0.1);                  /* whole steps */
    ck_assert_double_eq(rp->tau_ms, 10000);                           /* default */
    const downscale_params *dp = (const downscale_params *)d->params;
    ck_assert_double_eq(dp->rate_per_s, 0.05);
    ck_assert_double_eq(dp->spare_fraction, 0.1);
    ck_assert_double_eq(dp->target_total, 0);
    ck_assert_double_eq(dp->interval_ms, 1000 * 0.1);
    ck_assert_int_eq(r->loc.line, 42);
    ck_assert_int_eq(d->loc.line, 44);
    /* On a static projection, with every parameter a default. */
    ck_assert_uint_eq(ie->n_homeo, 1);
    ck_assert_ptr_eq(ie->homeo[0].rule, &scaling_downscale);
    const downscale_params *ip = (const downscale_params *)ie->homeo[0].params;
    ck_assert_double_eq(ip->rate_per_s, 0.01);
    ck_assert_double_eq(ip->interval_ms, 100);
    experiment_free(c);
}
END_TEST

START_TEST(test_weight_recording)
{
    hs_config *c = plastic_load(NULL, 0);
    ck_assert_uint_eq(c->n_weights, 2);
    ck_assert_uint_eq(c->weights[0].proj, 0);
    ck_assert_double_eq(c->weights[0].interval_ms, 100 * 0.1);
    ck_assert_int_eq(c->weights[0].loc.line, 69);
    ck_assert_uint_eq(c->weights[1].proj, 2);                         /* ie: null value */
    ck_assert_double_eq(c->weights[1].interval_ms, 0);
    ck_assert_int_eq(experiment_proj_find(c, "ie"), 2);
    ck_assert_int_eq(experiment_proj_find(c, "exc"), -1);
    experiment_free(c);
}
END_TEST

/* ---- the schedule ---- */

START_TEST(test_schedule)
{
    hs_config *c = plastic_load(NULL, 0);
    ck_assert_uint_eq(c->n_phases, 4);
    const char *names[] = {"learn", "rest_1", "sleep", "dream"};
    const char *stages[] = {"wake", "rest", "nrem", "rem"};
    const double steps[] = {2000, 500, 1000, 3};                      /* 200.04 -> 2000 */
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(c->phases[i].name, names[i]);
        ck_assert_str_eq(c->phases[i].stage, stages[i]);
        ck_assert_double_eq(c->phases[i].duration_ms, steps[i] * 0.1);
    }
    ck_assert_double_eq(c->duration_ms, 3503 * 0.1);                  /* the phases' sum */
    ck_assert_int_eq(c->phases[0].loc.line, 9);
    ck_assert_int_eq(c->phases[3].loc.line, 22);
    experiment_free(c);
}
END_TEST

/* Schedules that repeat to many phases; not files in configs/bad, which
 * seed the fuzzer, each of whose mutations would expand them again. */
START_TEST(test_schedule_huge)
{
    /* 200000 phases: each name is checked against the others in O(1) */
    const char *dup = "simulation: {}\npopulations: {a: {model: lif_cuba, size: 1}}\n"
                      "schedule:\n  - {repeat: 100000, phases: [{name: a, stage: wake, "
                      "duration_ms: 1}, {name: b, stage: nrem, duration_ms: 1}]}\n"
                      "  - {name: a_99999, stage: rem, duration_ms: 1}\n";
    char path[600], want[1024];
    ct_tmp_write("dup.yaml", dup, strlen(dup), path, sizeof path);
    snprintf(want, sizeof want, "%s:5:12: schedule[1].name: phase 'a_99999' is already in "
             "the schedule (schedule[199996])", path);
    ct_assert_msg_is(ct_load_fail(path, NULL, 0), want);
    /* 10^6 phases, each holding 5 populations' parameters: refused unexpanded */
    char big[1024];
    int n = snprintf(big, sizeof big, "simulation: {}\npopulations:\n");
    for (char p = 'a'; p <= 'e'; p++)
        n += snprintf(big + n, sizeof big - (size_t)n, "  %c: {model: lif_cuba, size: 1}\n", p);
    n += snprintf(big + n, sizeof big - (size_t)n, "schedule:\n  - repeat: 100000\n"
                  "    phases:\n");
    for (char p = 'a'; p <= 'j'; p++)
        n += snprintf(big + n, sizeof big - (size_t)n,
                      "      - {name: %c, stage: wake, duration_ms: 1}\n", p);
    ct_tmp_write("big.yaml", big, (size_t)n, path, sizeof path);
    snprintf(want, sizeof want, "%s:8:1: schedule: 1000000 phases of 5 populations and 0 "
             "projections hold 1.66 GB of settings, more than 1 GB", path);
    ct_assert_msg_is(ct_load_fail(path, NULL, 0), want);
}
END_TEST

START_TEST(test_gains)
{
    hs_config *c = plastic_load(NULL, 0);
    const size_t H = HS_MAX_HOMEOSTASIS, ee = 0, ei = 1, ie = 2, ne = 3;
    for (size_t p = 0; p < c->n_projs; p++)                           /* learn: all 1 */
        ck_assert_double_eq(c->phases[0].stdp_gain[p], 1);
    for (size_t k = 0; k < c->n_projs * H; k++)
        ck_assert_double_eq(c->phases[0].homeo_gain[k], 1);
    const hs_phase_config *rest = &c->phases[1], *sleep = &c->phases[2];
    ck_assert_double_eq(rest->stdp_gain[ee], 0.5);
    ck_assert_double_eq(rest->homeo_gain[ee * H + 1], 1);
    ck_assert_double_eq(sleep->stdp_gain[ee], 0);
    ck_assert_double_eq(sleep->homeo_gain[ee * H + 0], 1);            /* scaling_rate */
    ck_assert_double_eq(sleep->homeo_gain[ee * H + 1], 2);            /* downscale */
    ck_assert_double_eq(sleep->homeo_gain[ie * H + 0], 0);            /* downscale */
    ck_assert_double_eq(sleep->stdp_gain[ei], 1);
    ck_assert_double_eq(sleep->stdp_gain[ne], 1);
    experiment_free(c);
}
END_TEST

/* Without a schedule: one phase "run" (wake) of simulation.duration_ms. */
START_TEST(test_default_phase)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    ck_assert_uint_eq(c->n_phases, 1);
    ck_assert_str_eq(c->phases[0].name, "run");
    ck_assert_str_eq(c->phases[0].stage, "wake");
    ck_assert_double_eq(c->phases[0].duration_ms, c->duration_ms);
    for (size_t p = 0; p < c->n_projs; p++) {
        ck_assert_ptr_null(c->projs[p].plast.rule);
        ck_assert_uint_eq(c->projs[p].n_homeo, 0);
        ck_assert_double_eq(c->phases[0].stdp_gain[p], 1);
        for (size_t k = 0; k < HS_MAX_HOMEOSTASIS; k++)
            ck_assert_double_eq(c->phases[0].homeo_gain[p * HS_MAX_HOMEOSTASIS + k], 1);
    }
    ck_assert_uint_eq(c->n_weights, 0);
    ck_assert_ptr_null(c->weights);
    experiment_free(c);
}
END_TEST

/* A schedule without projections still gets gain arrays (one slot). */
START_TEST(test_schedule_without_projections)
{
    const char *yaml = "simulation: {dt_ms: 0.25}\n"
                       "populations: {a: {model: lif_cuba, size: 1}}\n"
                       "schedule:\n  - {name: a, stage: rem, duration_ms: 1}\n"
                       "  - {name: b, stage: wake, duration_ms: 0.2}\n";
    char path[600];
    ct_tmp_write("nop.yaml", yaml, strlen(yaml), path, sizeof path);
    hs_config *c = ct_load_ok(path, NULL, 0);
    ck_assert_uint_eq(c->n_phases, 2);
    ck_assert_ptr_nonnull(c->phases[1].stdp_gain);
    ck_assert_ptr_nonnull(c->phases[1].homeo_gain);
    ck_assert_double_eq(c->phases[1].duration_ms, 0.25);              /* 0.8 -> 1 step */
    ck_assert_double_eq(c->duration_ms, 5 * 0.25);
    experiment_free(c);
}
END_TEST

/* ---- overrides ---- */

START_TEST(test_override_good)
{
    const char *sets[] = {
        "projections.ee.plasticity.params.A_plus=0.02",
        "projections.ie.plasticity={rule: stdp_symmetric, interaction: nearest}",
        "projections.ee.homeostasis=[{rule: downscale, params: {target_total: 30}}]",
        "recording.weights.ne.interval_ms=0.5",
    };
    hs_config *c = plastic_load(sets, sizeof sets / sizeof sets[0]);
    const hs_plast_config *pl = &c->projs[0].plast;
    ck_assert_double_eq(ct_rule_param(pl->rule->params, pl->rule->n_params, pl->params,
                                      "A_plus"), 0.02);
    ck_assert_double_eq(ct_rule_param(pl->rule->params, pl->rule->n_params, pl->params,
                                      "w_max"), 2);                   /* kept */
    ck_assert_ptr_eq(c->projs[2].plast.rule, stdp_type_find("stdp_symmetric"));
    ck_assert_int_eq(c->projs[2].plast.nearest, 1);
    ck_assert_int_eq(c->projs[2].plast.loc.line, 0);                 /* made by an override */
    ck_assert_uint_eq(c->projs[0].n_homeo, 1);
    ck_assert_ptr_eq(c->projs[0].homeo[0].rule, &scaling_downscale);
    ck_assert_uint_eq(c->n_weights, 3);
    ck_assert_uint_eq(c->weights[2].proj, 3);
    ck_assert_double_eq(c->weights[2].interval_ms, 5 * 0.1);
    experiment_free(c);
}
END_TEST

static const struct {
    const char *set;
    const char *msg;
} bad_sets[] = {
    {"projections.ee.plasticity.params.A_plus=2",
     "--set projections.ee.plasticity.params.A_plus=2: projections.ee.plasticity.params."
     "A_plus: 2 is outside the allowed range [0, 1]"},
    {"projections.ee.plasticity.params.w_min=3",
     "--set projections.ee.plasticity.params.w_min=3: projections.ee.plasticity.params: "
     "w_min (3) must be below w_max (2)"},
    {"projections.ee.plasticity.interaction=closest",
     "--set projections.ee.plasticity.interaction=closest: projections.ee.plasticity."
     "interaction: unknown interaction 'closest'; known: all_to_all, nearest"},
    {"projections.ee.plasticity.rule=stdp",
     "--set projections.ee.plasticity.rule=stdp: projections.ee.plasticity.rule: unknown "
     "rule 'stdp'; known rules: stdp_pair, stdp_symmetric, stdp_triplet"},
    /* Errors found at a value from the file, caused by an override, name it. */
    {"projections.ee.plasticity.params.w_max=1",
     "--set projections.ee.plasticity.params.w_max=1: projections.ee.weight: [low, high] = "
     "[0.5, 1.5] nS is not within the rule's bounds [w_min, w_max] = [0, 1]"},
    {"projections.ne.plasticity.rule=stdp_pair",
     "--set projections.ne.plasticity.rule=stdp_pair: projections.ne.weight: [low, high] = "
     "[0, inf] nS is not within the rule's bounds [w_min, w_max] = [0, 1]"},
    {"projections.ee.delay_ms={dist: uniform, low: 1, high: 2}",
     "--set projections.ee.delay_ms={dist: uniform, low: 1, high: 2}: projections.ee."
     "delay_ms: a plastic projection needs one constant delay"},
    {"projections.ee.homeostasis=[{rule: downscale}, {rule: downscale}]",
     "--set projections.ee.homeostasis=[{rule: downscale}, {rule: downscale}]: "
     "projections.ee.homeostasis[1].rule: downscale is already on this projection "
     "(homeostasis[0])"},
    {"simulation.duration_ms=100",
     "--set simulation.duration_ms=100: schedule: give either simulation.duration_ms or a "
     "schedule"},
    {"recording.weights.nope.interval_ms=1",
     "--set recording.weights.nope.interval_ms=1: recording.weights.nope: unknown "
     "projection 'nope'; projections: ee, ei, ie, ne"},
    {"recording.weights.ee.interval_ms=0.05",
     "--set recording.weights.ee.interval_ms=0.05: recording.weights.ee.interval_ms: 0.05 "
     "ms is not a whole multiple of dt_ms (0.1 ms)"},
};

START_TEST(test_override_bad)
{
    const char *sets[] = {bad_sets[_i].set};
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/plastic.yaml");
    const char *msg = ct_load_fail(path, sets, 1);
    ck_assert_msg(strcmp(msg, bad_sets[_i].msg) == 0, "want %s\ngot  %s", bad_sets[_i].msg,
                  msg);
}
END_TEST

void config_plast_tests_add(Suite *s)
{
    TCase *tc = tcase_create("learning");
    tcase_add_checked_fixture(tc, ct_tmp_setup, ct_tmp_teardown);
    tcase_add_test(tc, test_plasticity);
    tcase_add_test(tc, test_homeostasis);
    tcase_add_test(tc, test_weight_recording);
    tcase_add_test(tc, test_schedule);
    tcase_add_test(tc, test_schedule_huge);
    tcase_add_test(tc, test_gains);
    tcase_add_test(tc, test_default_phase);
    tcase_add_test(tc, test_schedule_without_projections);
    tcase_add_test(tc, test_override_good);
    tcase_add_loop_test(tc, test_override_bad, 0, (int)(sizeof bad_sets / sizeof bad_sets[0]));
    suite_add_tcase(s, tc);
}
