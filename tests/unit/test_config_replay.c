/* test_config_replay.c: the replay section of the experiment file. Known
 * answers and defaults from tests/configs/good/replay.yaml (the section
 * before the recording and task it needs), no replay without the section,
 * the print round trip, and overrides, good and bad. The bad files
 * (tests/configs/bad/replay_*.yaml) are checked with the others by
 * test_config.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config_testutil.h"

static hs_config *replay_load(const char *const *sets, size_t n)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/replay.yaml");
    return ct_load_ok(path, sets, n);
}

START_TEST(test_replay_values_and_defaults)
{
    hs_config *c = replay_load(NULL, 0);
    const hs_replay_config *r = &c->replay;
    ck_assert_int_eq(r->present, 1);
    ck_assert_uint_eq(r->pop, 1);
    ck_assert_uint_eq(r->n_perm, 2000);
    ck_assert_double_eq(r->bin_cm, 4);
    ck_assert_uint_eq(r->n_shuffle, 500);        /* defaults */
    ck_assert_double_eq(r->tbin_ms, 15);
    ck_assert_double_eq(r->alpha, 0.05);
    ck_assert_double_eq(r->template_bin_ms, 250);
    ck_assert_uint_eq(r->template_shuffles, 200);
    ck_assert_int_eq(r->loc.line, 5);
    ck_assert_int_eq(r->loc.col, 1);
    experiment_free(c);
    /* the other populations' configs know nothing of it */
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/task.yaml");
    c = ct_load_ok(path, NULL, 0);
    ck_assert_int_eq(c->replay.present, 0);
    experiment_free(c);
}
END_TEST

START_TEST(test_replay_overrides)
{
    const char *sets[] = {"replay.alpha=0.01", "replay.tbin_ms=10", "replay.n_shuffle=1000",
                          "recording.spikes=[place, pc]", "replay.population=place",
                          "replay.template_shuffles=180", "replay.template_bin_ms=1000"};
    hs_config *c = replay_load(sets, 7);
    ck_assert_uint_eq(c->replay.template_shuffles, 180);
    ck_assert_double_eq(c->replay.template_bin_ms, 1000);
    ck_assert_double_eq(c->replay.alpha, 0.01);
    ck_assert_double_eq(c->replay.tbin_ms, 10);
    ck_assert_uint_eq(c->replay.n_shuffle, 1000);
    ck_assert_uint_eq(c->replay.pop, 0);
    experiment_free(c);
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/replay.yaml");
    const char *bad[] = {"replay.bin_cm=200"};
    ct_assert_msg_is(ct_load_fail(path, bad, 1),
                     "--set replay.bin_cm=200: replay.bin_cm: 200 cm is longer than the track "
                     "(task.length_cm = 180 cm)");
    const char *bad2[] = {"replay.population=place"};
    ct_assert_has(ct_load_fail(path, bad2, 1), "the spikes of place are not recorded");
    const char *bad3[] = {"task={track: tmaze}"};
    ct_assert_has(ct_load_fail(path, bad3, 1),
                  "replay.yaml:5:1: replay: replay detection needs a linear track, not "
                  "task.track tmaze");
    /* the corrected p of the best of 9 factors needs >= 20 x 9 shuffles */
    const char *bad4[] = {"replay.template_shuffles=179"};
    ct_assert_has(ct_load_fail(path, bad4, 1),
                  "replay.template_shuffles: 179 is outside the allowed range [180, 1000000]");
}
END_TEST

START_TEST(test_replay_print_round_trip)
{
    hs_config *c = replay_load(NULL, 0);
    char out[600];
    snprintf(out, sizeof out, "%s/printed.yaml", ct_tmp_dir);
    FILE *f = fopen(out, "w");
    ck_assert_ptr_nonnull(f);
    config_print(c, f);
    ck_assert_int_eq(fclose(f), 0);
    size_t len;
    char *text = ct_file_slurp(out, &len);
    ct_assert_has(text, "replay:\n  population: pc\n  n_perm: 2000\n  n_shuffle: 500\n"
                        "  bin_cm: 4\n  tbin_ms: 15\n  alpha: 0.05\n  template_bin_ms: 250\n"
                        "  template_shuffles: 200\n");
    hs_config *back = ct_load_ok(out, NULL, 0);
    ck_assert_int_eq(back->replay.present, 1);
    ck_assert_uint_eq(back->replay.pop, c->replay.pop);
    ck_assert_uint_eq(back->replay.n_perm, c->replay.n_perm);
    ck_assert_uint_eq(back->replay.n_shuffle, c->replay.n_shuffle);
    ck_assert_double_eq(back->replay.bin_cm, c->replay.bin_cm);
    ck_assert_double_eq(back->replay.tbin_ms, c->replay.tbin_ms);
    ck_assert_double_eq(back->replay.alpha, c->replay.alpha);
    ck_assert_double_eq(back->replay.template_bin_ms, c->replay.template_bin_ms);
    ck_assert_uint_eq(back->replay.template_shuffles, c->replay.template_shuffles);
    /* printing again gives the same text */
    snprintf(out, sizeof out, "%s/again.yaml", ct_tmp_dir);
    f = fopen(out, "w");
    ck_assert_ptr_nonnull(f);
    config_print(back, f);
    ck_assert_int_eq(fclose(f), 0);
    char *again = ct_file_slurp(out, &len);
    ck_assert_str_eq(text, again);
    free(text);
    free(again);
    experiment_free(back);
    experiment_free(c);
}
END_TEST

void config_replay_tests_add(Suite *s)
{
    TCase *tc = tcase_create("replay");
    tcase_add_checked_fixture(tc, ct_tmp_setup, ct_tmp_teardown);
    tcase_add_test(tc, test_replay_values_and_defaults);
    tcase_add_test(tc, test_replay_overrides);
    tcase_add_test(tc, test_replay_print_round_trip);
    suite_add_tcase(s, tc);
}
