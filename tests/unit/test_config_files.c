/* test_config_files.c: config_print's round trip (load, print, load gives
 * the same config, learning rules, schedule and task included; printing
 * again gives the same text), spike_times input
 * from HDF5 (relative to the YAML), and inputs that must fail cleanly:
 * truncated and mutated files, binary junk, 10 MB strings, deep nesting.
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config_testutil.h"

/* ---- config_print ---- */

static void dist_eq(const hs_dist *a, const hs_dist *b)
{
    ck_assert_int_eq(a->kind, b->kind);
    if (a->kind == HS_DIST_CONSTANT)
        ck_assert_double_eq(a->value, b->value);
    if (a->kind != HS_DIST_CONSTANT) {
        ck_assert_double_eq(a->low, b->low);
        ck_assert_double_eq(a->high, b->high);
    }
    if (a->kind == HS_DIST_NORMAL) {
        ck_assert_double_eq(a->mean, b->mean);
        ck_assert_double_eq(a->sd, b->sd);
    }
}

static void pops_eq(const hs_pop_config *a, const hs_pop_config *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_ptr_eq(a->model, b->model);
    ck_assert_uint_eq(a->size, b->size);
    for (size_t k = 0; k < a->model->n_params; k++)
        ck_assert_double_eq(*hs_param_ptr(&a->model->params[k], (void *)a->params),
                            *hs_param_ptr(&b->model->params[k], (void *)b->params));
    for (size_t k = 0; k < a->model->n_state; k++) {
        ck_assert_int_eq(a->has_init[k], b->has_init[k]);
        if (a->has_init[k])
            dist_eq(&a->init[k], &b->init[k]);
    }
    ck_assert_uint_eq(a->n_spikes, b->n_spikes);
    for (size_t k = 0; k < a->n_spikes; k++) {
        ck_assert_double_eq(a->spike_t_ms[k], b->spike_t_ms[k]);
        ck_assert_uint_eq(a->spike_ids[k], b->spike_ids[k]);
    }
    ck_assert_int_eq(a->record_spikes, b->record_spikes);
}

static void projs_eq(const hs_proj_config *a, const hs_proj_config *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_uint_eq(a->pre, b->pre);
    ck_assert_uint_eq(a->post, b->post);
    ck_assert_int_eq(a->receptor, b->receptor);
    ck_assert_int_eq(a->rule, b->rule);
    ck_assert_double_eq(a->p, b->p);
    ck_assert_uint_eq(a->indegree, b->indegree);
    ck_assert_int_eq(a->autapses, b->autapses);
    dist_eq(&a->weight, &b->weight);
    dist_eq(&a->delay_ms, &b->delay_ms);
    const stdp_type *t = a->plast.rule;
    ck_assert_ptr_eq(t, b->plast.rule);
    if (t) {
        ck_assert_int_eq(a->plast.nearest, b->plast.nearest);
        for (size_t k = 0; k < t->n_params; k++)
            ck_assert_double_eq(*hs_param_ptr(&t->params[k], (void *)a->plast.params),
                                *hs_param_ptr(&t->params[k], (void *)b->plast.params));
    }
    ck_assert_uint_eq(a->n_homeo, b->n_homeo);
    for (size_t h = 0; h < a->n_homeo; h++) {
        const scaling_type *s = a->homeo[h].rule;
        ck_assert_ptr_eq(s, b->homeo[h].rule);
        for (size_t k = 0; k < s->n_params; k++)
            ck_assert_double_eq(*hs_param_ptr(&s->params[k], (void *)a->homeo[h].params),
                                *hs_param_ptr(&s->params[k], (void *)b->homeo[h].params));
    }
}

static void phases_eq(const hs_phase_config *a, const hs_phase_config *b, size_t n_projs,
                      size_t n_pops)
{
    ck_assert_int_eq(a->elsewhere, b->elsewhere);
    for (size_t p = 0; p < n_projs; p++) {
        ck_assert_double_eq(a->transmission[p], b->transmission[p]);
        ck_assert_uint_eq(a->shuffle[p], b->shuffle[p]);
    }
    for (size_t k = 0; k < n_pops * HS_MAX_PARAMS; k++)
        ck_assert_double_eq(a->pop_params[k], b->pop_params[k]);
    for (size_t p = 0; p < n_pops; p++) {
        const drive_params *x = &a->drive[p], *y = &b->drive[p];
        ck_assert_int_eq(x->kind, y->kind);
        ck_assert_double_eq(x->up_ms, y->up_ms);
        ck_assert_double_eq(x->down_ms, y->down_ms);
        ck_assert_double_eq(x->down_level, y->down_level);
        ck_assert_double_eq(x->freq_hz, y->freq_hz);
        ck_assert_double_eq(x->depth, y->depth);
    }
    ck_assert_str_eq(a->name, b->name);
    ck_assert_str_eq(a->stage, b->stage);
    ck_assert_double_eq(a->duration_ms, b->duration_ms);
    for (size_t p = 0; p < n_projs; p++)
        ck_assert_double_eq(a->stdp_gain[p], b->stdp_gain[p]);
    for (size_t k = 0; k < n_projs * HS_MAX_HOMEOSTASIS; k++)
        ck_assert_double_eq(a->homeo_gain[k], b->homeo_gain[k]);
}

/* The tracked samples are compared, not the path they came from. */
static void tasks_eq(const hs_task_config *a, const hs_task_config *b)
{
    ck_assert_int_eq(a->present, b->present);
    ck_assert_int_eq(memcmp(&a->linear, &b->linear, sizeof a->linear), 0);
    ck_assert_uint_eq(a->csv_n, b->csv_n);
    for (size_t k = 0; k < a->csv_n; k++) {
        ck_assert_double_eq(a->csv_t_s[k], b->csv_t_s[k]);
        ck_assert_double_eq(a->csv_x_cm[k], b->csv_x_cm[k]);
    }
}

static void configs_eq(const hs_config *a, const hs_config *b)
{
    ck_assert_double_eq(a->dt_ms, b->dt_ms);
    ck_assert_double_eq(a->duration_ms, b->duration_ms);
    ck_assert_uint_eq(a->seed, b->seed);
    ck_assert_int_eq(a->threads, b->threads);
    ck_assert_int_eq(a->skip_quiet, b->skip_quiet);
    ck_assert_uint_eq(a->n_pops, b->n_pops);
    for (size_t i = 0; i < a->n_pops; i++)
        pops_eq(&a->pops[i], &b->pops[i]);
    ck_assert_uint_eq(a->n_projs, b->n_projs);
    for (size_t i = 0; i < a->n_projs; i++)
        projs_eq(&a->projs[i], &b->projs[i]);
    ck_assert_uint_eq(a->n_traces, b->n_traces);
    for (size_t i = 0; i < a->n_traces; i++) {
        const hs_trace_config *x = &a->traces[i], *y = &b->traces[i];
        ck_assert_uint_eq(x->pop, y->pop);
        ck_assert_int_eq(x->var, y->var);
        ck_assert_double_eq(x->interval_ms, y->interval_ms);
        ck_assert_uint_eq(x->n_ids, y->n_ids);
        for (size_t k = 0; k < x->n_ids; k++)
            ck_assert_uint_eq(x->ids[k], y->ids[k]);
    }
    ck_assert_uint_eq(a->n_weights, b->n_weights);
    for (size_t i = 0; i < a->n_weights; i++) {
        ck_assert_uint_eq(a->weights[i].proj, b->weights[i].proj);
        ck_assert_double_eq(a->weights[i].interval_ms, b->weights[i].interval_ms);
    }
    ck_assert_uint_eq(a->n_phases, b->n_phases);
    for (size_t i = 0; i < a->n_phases; i++)
        phases_eq(&a->phases[i], &b->phases[i], a->n_projs, a->n_pops);
    tasks_eq(&a->task, &b->task);
    ck_assert_int_eq(a->replay.present, b->replay.present);
    ck_assert_uint_eq(a->replay.pop, b->replay.pop);
    ck_assert_uint_eq(a->replay.n_perm, b->replay.n_perm);
    ck_assert_uint_eq(a->replay.n_shuffle, b->replay.n_shuffle);
    ck_assert_double_eq(a->replay.bin_cm, b->replay.bin_cm);
    ck_assert_double_eq(a->replay.tbin_ms, b->replay.tbin_ms);
    ck_assert_double_eq(a->replay.alpha, b->replay.alpha);
}

/* Prints c into name in the temporary directory, loads it back, compares. */
static void round_trip(const hs_config *c, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", ct_tmp_dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    config_print(c, f);
    ck_assert_int_eq(fclose(f), 0);
    hs_config *back = ct_load_ok(path, NULL, 0);
    configs_eq(c, back);
    /* And printing is a fixed point: the second print is the same text. */
    char again[620];
    snprintf(again, sizeof again, "%s.again", path);
    f = fopen(again, "w");
    ck_assert_ptr_nonnull(f);
    config_print(back, f);
    ck_assert_int_eq(fclose(f), 0);
    size_t n1, n2;
    char *t1 = ct_file_slurp(path, &n1), *t2 = ct_file_slurp(again, &n2);
    ck_assert_str_eq(t1, t2);
    free(t1);
    free(t2);
    experiment_free(back);
}

START_TEST(test_print_round_trip)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    round_trip(c, "full.yaml");
    experiment_free(c);
    /* The sleep experiments: repeats, transmission, set, drives, shuffle. */
    const char *sleep[] = {"linear_track.yaml", "linear_track_shuffled.yaml"};
    for (int k = 0; k < 2; k++) {
        char rel[128];
        snprintf(rel, sizeof rel, "../experiments/%s", sleep[k]);
        ct_data_path(path, sizeof path, rel);
        c = ct_load_ok(path, NULL, 0);
        round_trip(c, sleep[k]);
        experiment_free(c);
    }
    /* Awkward numbers, many spikes (wrapped lists), no projections. */
    char yaml[1 << 16];
    int len = snprintf(yaml, sizeof yaml,
                       "simulation: {dt_ms: 0.03, duration_ms: 1e6, seed: 9223372036854775807,"
                       " threads: 1024}\npopulations:\n  s:\n    model: spike_times\n"
                       "    size: 4294967295\n    spikes:\n      times_ms: [");
    for (int k = 0; k < 95; k++)
        len += snprintf(yaml + len, sizeof yaml - (size_t)len, "%s%.17g", k ? ", " : "",
                        k / 3.0 + 0.1 + 1e-7);
    len += snprintf(yaml + len, sizeof yaml - (size_t)len, "]\n      ids: [");
    for (int k = 0; k < 95; k++)
        len += snprintf(yaml + len, sizeof yaml - (size_t)len, "%s%d", k ? ", " : "",
                        (k * 7919) % 1000);
    len += snprintf(yaml + len, sizeof yaml - (size_t)len,
                    "]\n  n:\n    model: lif_cuba\n    size: 2\n"
                    "    init: {V_m: {dist: normal, mean: -1e-300, sd: 1e300}}\n"
                    "recording: {spikes: [], traces: {n: {variable: I_in, ids: [1],"
                    " interval_ms: 0.3}}}\n");
    char in[600];
    ct_tmp_write("odd.yaml", yaml, (size_t)len, in, sizeof in);
    c = ct_load_ok(in, NULL, 0);
    ck_assert_double_eq(c->traces[0].interval_ms, 10 * 0.03);
    round_trip(c, "odd_out.yaml");
    experiment_free(c);
}
END_TEST

/* Learning rules, weight recording and a schedule; a schedule whose one
 * phase is the default ("run", wake, gains 1) prints as duration_ms. */
START_TEST(test_print_round_trip_learning)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/plastic.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    round_trip(c, "plastic.yaml");
    experiment_free(c);
    const char *yaml =
        "simulation: {dt_ms: 0.03}\npopulations: {a: {model: lif_cuba, size: 3}}\n"
        "projections:\n  aa:\n    {pre: a, post: a, receptor: in, weight: -1,\n"
        "     connect: {rule: all_to_all},\n"
        "     plasticity: {rule: stdp_pair, params: {w_min: -3, w_max: 0.5}},\n"
        "     homeostasis: [{rule: downscale, params: {interval_ms: 0.09}}]}\n"
        "schedule: [{name: %s, stage: wake, duration_ms: 0.1, gains: {aa: {stdp: %s}}}]\n";
    const char *forms[][2] = {{"run", "1"}, {"run", "0.25"}, {"other", "1"}};
    for (size_t i = 0; i < 3; i++) {
        char text[1024], in[600];
        int len = snprintf(text, sizeof text, yaml, forms[i][0], forms[i][1]);
        ct_tmp_write("one.yaml", text, (size_t)len, in, sizeof in);
        c = ct_load_ok(in, NULL, 0);
        ck_assert_double_eq(c->duration_ms, 3 * 0.03);
        round_trip(c, "one_out.yaml");
        snprintf(in, sizeof in, "%s/one_out.yaml", ct_tmp_dir);
        size_t n;
        char *out = ct_file_slurp(in, &n);
        ck_assert_int_eq(strstr(out, "schedule:") == NULL, i == 0);
        ck_assert_int_eq(strstr(out, "duration_ms: 0.09") != NULL, 1);
        free(out);
        experiment_free(c);
    }
}
END_TEST

/* Copies tests/<rel> into the temporary directory as name. */
static void tmp_copy(const char *rel, const char *name)
{
    char src[600], dst[600];
    ct_data_path(src, sizeof src, rel);
    size_t n;
    char *text = ct_file_slurp(src, &n);
    ct_tmp_write(name, text, n, dst, sizeof dst);
    free(text);
}

/* 1 when the file name in the temporary directory contains part. */
static int tmp_has(const char *name, const char *part)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", ct_tmp_dir, name);
    size_t n;
    char *text = ct_file_slurp(path, &n);
    int has = strstr(text, part) != NULL;
    free(text);
    return has;
}

/* The task's numbers (defaults written out) and a CSV trajectory, whose path
 * is printed as written: the output reads back from the YAML's directory,
 * here the temporary one with a copy of the CSV. */
START_TEST(test_print_round_trip_task)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/task.yaml");
    hs_config *c = ct_load_ok(path, NULL, 0);
    round_trip(c, "task.yaml");
    ck_assert(tmp_has("task.yaml", "task:\n  track: linear\n  length_cm: 150\n  laps: 8\n"
                                   "  speed_cm_s: 30.5\n  speed_sd_cm_s: 5\n  ramp_cm: 20\n"
                                   "  pause_s: 2\n  one_way: true\n"));
    experiment_free(c);

    ct_data_path(path, sizeof path, "configs/good/task_csv.yaml");
    c = ct_load_ok(path, NULL, 0);
    tmp_copy("configs/good/rat.csv", "rat.csv");
    round_trip(c, "task_csv.yaml");
    ck_assert(tmp_has("task_csv.yaml", "  trajectory: {csv: rat.csv}\n"));
    experiment_free(c);

    /* A path that is not a plain YAML scalar is quoted. */
    tmp_copy("configs/good/rat.csv", "my rat, \"1\".csv");
    const char *yaml = "simulation: {duration_ms: 10}\n"
                       "populations: {p: {model: place_cells, size: 2}}\n"
                       "task: {track: linear, trajectory: {csv: 'my rat, \"1\".csv'}}\n";
    char in[600];
    ct_tmp_write("quoted.yaml", yaml, strlen(yaml), in, sizeof in);
    c = ct_load_ok(in, NULL, 0);
    round_trip(c, "quoted_out.yaml");
    ck_assert(tmp_has("quoted_out.yaml", "  trajectory: {csv: \"my rat, \\\"1\\\".csv\"}\n"));
    experiment_free(c);
}
END_TEST

/* ---- spikes from HDF5 ---- */

static void h5_write(const char *path, const double *t, size_t nt, const uint64_t *ids,
                     size_t ni)
{
    ct_h5_write_two(path, "in", "t", t, nt, "ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, ids, ni);
}

static const char *spike_file_yaml =
    "simulation: {duration_ms: 10}\n"
    "populations:\n"
    "  stim:\n"
    "    model: spike_times\n"
    "    size: 4\n"
    "    spikes: {file: in.h5, times: /in/t, ids: /in/ids}\n";

START_TEST(test_spikes_from_hdf5)
{
    const double t[] = {3, 1, 3, 0.5};
    const uint64_t ids[] = {2, 3, 1, 0};
    char h5[600], yaml[600];
    snprintf(h5, sizeof h5, "%s/in.h5", ct_tmp_dir);
    h5_write(h5, t, 4, ids, 4);
    ct_tmp_write("s.yaml", spike_file_yaml, strlen(spike_file_yaml), yaml, sizeof yaml);
    /* The YAML names in.h5 relative to itself, not to the working directory. */
    hs_config *c = ct_load_ok(yaml, NULL, 0);
    const hs_pop_config *p = &c->pops[0];
    const double ts[] = {0.5, 1, 3, 3};
    const uint64_t is[] = {0, 3, 1, 2};
    ck_assert_uint_eq(p->n_spikes, 4);
    for (size_t k = 0; k < 4; k++) {
        ck_assert_double_eq(p->spike_t_ms[k], ts[k]);
        ck_assert_uint_eq(p->spike_ids[k], is[k]);
    }
    round_trip(c, "s_out.yaml");      /* printed inline, read back the same */
    experiment_free(c);
}
END_TEST

START_TEST(test_spikes_from_hdf5_bad)
{
    const double t[] = {1, 2, -1};
    const uint64_t ids[] = {0, 9, 1};
    char h5[600], yaml[600];
    snprintf(h5, sizeof h5, "%s/in.h5", ct_tmp_dir);
    ct_tmp_write("s.yaml", spike_file_yaml, strlen(spike_file_yaml), yaml, sizeof yaml);

    h5_write(h5, t, 3, ids, 2);
    const char *msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, ":6:46: populations.stim.spikes.ids: /in/ids has 2 "
                                      "ids but /in/t has 3 times");
    h5_write(h5, t, 3, ids, 3);
    msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, ":6:46: populations.stim.spikes.ids: entry 1 of "
                                      "/in/ids is id 9, not below the size of stim (4)");
    const uint64_t ok_ids[] = {0, 1, 2};
    h5_write(h5, t, 3, ok_ids, 3);
    msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, ":6:34: populations.stim.spikes.times: entry 2 of "
                                      "/in/t is -1; spike times must be finite and at "
                                      "least one step (dt_ms = 0.1)");
    const char *other = "simulation: {duration_ms: 10}\npopulations:\n  stim:\n"
                        "    model: spike_times\n    size: 4\n"
                        "    spikes: {file: in.h5, times: /in/nope, ids: /in/ids}\n";
    ct_tmp_write("s.yaml", other, strlen(other), yaml, sizeof yaml);
    msg = ct_load_fail(yaml, NULL, 0);
    ct_assert_has(msg, ":6:34: populations.stim.spikes.times: ");
    ct_assert_has(msg, "/in/nope");
}
END_TEST

/* ---- inputs that must fail cleanly ---- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Loads data; it may load or fail, but only with HS_EINPUT and a message. */
static void load_any(const char *data, size_t len)
{
    char path[600];
    ct_tmp_write("any.yaml", data, len, path, sizeof path);
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, NULL, 0, &err);
    if (c) {
        experiment_free(c);
        return;
    }
    ck_assert_int_eq(err.code, HS_EINPUT);
    ck_assert(err.msg[0] != '\0');
}

/* Every prefix (by 7 bytes) and 300 three-byte mutations of a good file. */
static void truncate_and_mutate(const char *rel, uint64_t seed)
{
    char path[600];
    ct_data_path(path, sizeof path, rel);
    size_t len;
    char *text = ct_file_slurp(path, &len);
    for (size_t n = 0; n < len; n += 7)
        load_any(text, n);
    uint64_t s = seed;
    for (int k = 0; k < 300; k++) {
        char *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, text, len);
        for (int m = 0; m < 3; m++)
            copy[lcg(&s) % len] = (char)lcg(&s);
        load_any(copy, len);
        free(copy);
    }
    free(text);
}

START_TEST(test_truncated_and_mutated)
{
    truncate_and_mutate("configs/good/full.yaml", 12345);
    truncate_and_mutate("configs/good/plastic.yaml", 54321);
    truncate_and_mutate("configs/good/task.yaml", 2024);
    tmp_copy("configs/good/rat.csv", "rat.csv");      /* found beside any.yaml */
    truncate_and_mutate("configs/good/task_csv.yaml", 4242);
}
END_TEST

START_TEST(test_binary_junk)
{
    uint64_t s = 777;
    char buf[4096];
    for (int k = 0; k < 100; k++) {
        size_t n = 1 + lcg(&s) % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)lcg(&s);
        load_any(buf, n);
    }
}
END_TEST

/* A 10 MB model name and a 10 MB key fail with short messages. */
START_TEST(test_huge_string)
{
    size_t big = 10u << 20;
    char *yaml = malloc(big + 200);
    ck_assert_ptr_nonnull(yaml);
    int head = sprintf(yaml, "simulation: {duration_ms: 10}\npopulations:\n  a: {model: ");
    memset(yaml + head, 'x', big);
    strcpy(yaml + head + big, ", size: 1}\n");
    char path[600];
    ct_tmp_write("big.yaml", yaml, strlen(yaml), path, sizeof path);
    const char *msg = ct_load_fail(path, NULL, 0);
    ct_assert_has(msg, ":3:14: populations.a.model: unknown model 'xxx");
    ck_assert_uint_lt(strlen(msg), 1000);

    head = sprintf(yaml, "simulation: {duration_ms: 10}\n");
    memset(yaml + head, 'k', big);
    strcpy(yaml + head + big, ": 1\n");
    ct_tmp_write("big.yaml", yaml, strlen(yaml), path, sizeof path);
    msg = ct_load_fail(path, NULL, 0);
    ct_assert_has(msg, ":2:10485761: could not find expected ':'");   /* libyaml: keys < 1 KB */
    ck_assert_uint_lt(strlen(msg), 1000);

    memset(yaml + head, 'k', 1000);
    strcpy(yaml + head + 1000, ": 1\n");
    ct_tmp_write("big.yaml", yaml, strlen(yaml), path, sizeof path);
    msg = ct_load_fail(path, NULL, 0);
    ct_assert_has(msg, ":2:1: kkkk");
    ct_assert_has(msg, ": unknown key; allowed: simulation, populations,");
    ck_assert_uint_lt(strlen(msg), 300);                /* the path cuts keys at 80 */
    free(yaml);
}
END_TEST

START_TEST(test_deep_nesting)
{
    size_t depth = 100000;
    char *yaml = malloc(2 * depth + 64);
    ck_assert_ptr_nonnull(yaml);
    int head = sprintf(yaml, "a: ");
    memset(yaml + head, '[', depth);
    memset(yaml + head + depth, ']', depth);
    yaml[head + 2 * depth] = '\0';
    char path[600];
    ct_tmp_write("deep.yaml", yaml, strlen(yaml), path, sizeof path);
    const char *msg = ct_load_fail(path, NULL, 0);
    ct_assert_has(msg, ":1:35: nested deeper than 32 levels");
    /* Block mappings, one level per line. */
    size_t len = 0;
    for (size_t i = 0; i < 200; i++)
        len += (size_t)sprintf(yaml + len, "%*sk:\n", (int)i, "");
    ct_tmp_write("deep.yaml", yaml, len, path, sizeof path);
    msg = ct_load_fail(path, NULL, 0);
    ct_assert_has(msg, ":33:33: nested deeper than 32 levels");
    free(yaml);
}
END_TEST

/* config_load_text reads as config_load does: same config from the same
 * bytes, relative paths found beside the name given, messages naming it;
 * only len bytes are read. */
START_TEST(test_load_text)
{
    char path[600];
    ct_data_path(path, sizeof path, "configs/good/task_csv.yaml");
    size_t len;
    char *text = ct_file_slurp(path, &len);
    hs_config *a = ct_load_ok(path, NULL, 0);
    hs_error err;
    hs_error_clear(&err);
    hs_config *b = config_load_text(path, text, len, NULL, 0, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    configs_eq(a, b);
    ck_assert_str_eq(b->path, path);
    ck_assert_str_eq(b->text, text);
    experiment_free(a);
    experiment_free(b);
    free(text);

    const char *yaml = "simulation: {duration_ms: 10}\n"
                       "populations: {a: {model: lif_cuba, size: 3}}\nrecording: [";
    size_t n = strlen(yaml) - strlen("recording: [");
    b = config_load_text("virtual/x.yaml", yaml, n, NULL, 0, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    ck_assert_uint_eq(strlen(b->text), n);
    ck_assert_uint_eq(b->pops[0].size, 3);
    experiment_free(b);
    ck_assert_ptr_null(config_load_text("virtual/x.yaml", yaml, strlen(yaml), NULL, 0, &err));
    ck_assert_int_eq(err.code, HS_EINPUT);
    ck_assert_str_eq(err.msg, "virtual/x.yaml:4:1: did not find expected node content "
                              "while parsing a flow node (started at line 4)");
}
END_TEST

START_TEST(test_missing_file)
{
    char path[600];
    snprintf(path, sizeof path, "%s/none.yaml", ct_tmp_dir);
    const char *msg = ct_load_fail(path, NULL, 0);
    ct_assert_has(msg, "none.yaml: cannot open: ");
    ct_load_fail(ct_tmp_dir, NULL, 0);      /* a directory */
    experiment_free(NULL);
}
END_TEST

void config_files_tests_add(Suite *s)
{
    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, ct_tmp_setup, ct_tmp_teardown);
    tcase_set_timeout(files, 120);
    tcase_add_test(files, test_print_round_trip);
    tcase_add_test(files, test_print_round_trip_learning);
    tcase_add_test(files, test_print_round_trip_task);
    tcase_add_test(files, test_spikes_from_hdf5);
    tcase_add_test(files, test_spikes_from_hdf5_bad);
    tcase_add_test(files, test_truncated_and_mutated);
    tcase_add_test(files, test_binary_junk);
    tcase_add_test(files, test_huge_string);
    tcase_add_test(files, test_deep_nesting);
    tcase_add_test(files, test_load_text);
    tcase_add_test(files, test_missing_file);
    suite_add_tcase(s, files);
}
