/* test_config.c: the experiment-file loader (io/config.h).
 *
 * Known answers: tests/configs/good/full.yaml loads with its values and the
 * defaults. Every file in tests/configs/bad/ fails with exactly the message
 * on its first line, "# expect: line:col: key.path: message" (the part after
 * "file:"; {dir} stands for that directory). Overrides, config_print's round
 * trip, HDF5 spike input, and inputs that must fail cleanly: truncated and
 * mutated files, binary junk, 10 MB strings, deep nesting.
 *
 * Data files are found next to this source (HS_TESTS_DIR overrides).
 */
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../io/config.h"
#include "suites.h"

#define MAX_BAD 256

/* ---- helpers ---- */

static const char *tests_dir(void)
{
    static char dir[512];
    const char *env = getenv("HS_TESTS_DIR");
    if (env) {
        snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return dir;
}

static void data_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", tests_dir(), rel);
}

static hs_config *load_ok(const char *path, const char *const *sets, size_t n_sets)
{
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, sets, n_sets, &err);
    if (!c)
        ck_abort_msg("config_load(%s): %s", path, err.msg);
    return c;
}

/* Loads a file that must fail with HS_EINPUT; returns the message. */
static const char *load_fail(const char *path, const char *const *sets, size_t n_sets)
{
    static hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, sets, n_sets, &err);
    if (c) {
        config_free(c);
        ck_abort_msg("%s: loaded, but should have failed", path);
    }
    ck_assert_int_eq(err.code, HS_EINPUT);
    ck_assert_msg(err.msg[0] != '\0', "%s: empty message", path);
    return err.msg;
}

static char tmp_dir[64];

static void tmp_setup(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/hs_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void tmp_teardown(void)
{
    DIR *d = opendir(tmp_dir);
    struct dirent *e;
    char p[sizeof tmp_dir + 260];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", tmp_dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(tmp_dir);
}

/* Writes len bytes to name in the temporary directory; path gets its path. */
static void tmp_write(const char *name, const void *data, size_t len, char *path,
                      size_t size)
{
    snprintf(path, size, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static char *file_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void assert_has(const char *msg, const char *part)
{
    ck_assert_msg(strstr(msg, part) != NULL, "want '%s' in: %s", part, msg);
}

static double param(const hs_pop_config *p, const char *name)
{
    const neuron_type *t = p->model;
    int i = hs_params_find(t->params, t->n_params, name);
    ck_assert_msg(i >= 0, "%s has no parameter %s", t->name, name);
    return *hs_param_ptr(&t->params[i], (void *)p->params);
}

static double param_default(const hs_pop_config *p, const char *name)
{
    const neuron_type *t = p->model;
    int i = hs_params_find(t->params, t->n_params, name);
    ck_assert_int_ge(i, 0);
    return t->params[i].def;
}

/* ---- the good config ---- */

START_TEST(test_good_simulation_and_populations)
{
    char path[600];
    data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = load_ok(path, NULL, 0);
    ck_assert_double_eq(c->dt_ms, 0.1);
    ck_assert_double_eq_tol(c->duration_ms, 250.0, 1e-9);   /* 250.04 -> 2500 steps */
    ck_assert_uint_eq(c->seed, 42);
    ck_assert_int_eq(c->threads, 1);                        /* default */
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
        ck_assert_int_eq(config_pop_find(c, names[i]), (int)i);
    }
    ck_assert_int_eq(config_pop_find(c, "nope"), -1);
    ck_assert_int_eq(c->pops[0].loc.line, 9);
    ck_assert_int_eq(c->pops[0].loc.col, 3);

    const hs_pop_config *exc = &c->pops[0], *inh = &c->pops[1], *ad = &c->pops[2];
    ck_assert_double_eq(param(exc, "tau_syn_ex"), 5);
    ck_assert_double_eq(param(exc, "V_th"), -50.5);
    ck_assert_double_eq(param(exc, "C_m"), param_default(exc, "C_m"));
    ck_assert_double_eq(param(inh, "tau_m"), 20);
    ck_assert_double_eq(param(inh, "I_e"), 100.5);
    ck_assert_double_eq(param(ad, "tau_w"), param_default(ad, "tau_w"));
    ck_assert_double_eq(param(&c->pops[3], "rate"), 8);

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
    config_free(c);
}
END_TEST

START_TEST(test_good_spikes_sorted)
{
    char path[600];
    data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = load_ok(path, NULL, 0);
    const hs_pop_config *s = &c->pops[4];
    const double t[] = {1.5, 1.5, 2, 5, 10};
    const uint64_t ids[] = {1, 2, 1, 0, 2};
    ck_assert_uint_eq(s->n_spikes, 5);
    for (size_t k = 0; k < 5; k++) {
        ck_assert_double_eq(s->spike_t_ms[k], t[k]);
        ck_assert_uint_eq(s->spike_ids[k], ids[k]);
    }
    ck_assert_ptr_null(c->pops[0].spike_t_ms);
    config_free(c);
}
END_TEST

START_TEST(test_good_projections_and_recording)
{
    char path[600];
    data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = load_ok(path, NULL, 0);
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
    config_free(c);
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
    data_path(dir, sizeof dir, "configs/bad");
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
    char *text = file_slurp(path, &len);
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
    ck_assert_int_ge(n_bad, 22);
}
END_TEST

START_TEST(test_bad_config)
{
    bad_list();
    if (_i >= n_bad)
        return;
    char dir[600], path[900], want[1600];
    data_path(dir, sizeof dir, "configs/bad");
    snprintf(path, sizeof path, "%s/%s", dir, bad_files[_i]);
    expectation(path, dir, want, sizeof want);
    const char *msg = load_fail(path, NULL, 0);
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
    data_path(path, sizeof path, "configs/good/full.yaml");
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
    hs_config *c = load_ok(path, sets, n);
    ck_assert_uint_eq(c->pops[0].size, 40);
    ck_assert_uint_eq(c->seed, 9);
    ck_assert_double_eq(c->projs[0].p, 0.5);
    ck_assert_double_eq(param(&c->pops[1], "tau_m"), 15);
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
    config_free(c);
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
     "seed, threads"},
    {"populations.exc.params.tau=3",
     "--set populations.exc.params.tau=3: populations.exc.params.tau: unknown parameter of "
     "lif_coba; allowed: *"},
    {"simulation.dt_ms.x=1",
     "--set simulation.dt_ms.x=1: simulation.dt_ms: is not a mapping, so it has no key 'x'"},
    {"simulation", "--set simulation: expected key.path=value"},
    {"=3", "--set =3: no key path before '='"},
    {"simulation..seed=3", "--set simulation..seed=3: empty key in the path 'simulation..seed'"},
    {"simulation.seed=[1,", "--set simulation.seed=[1,: value: *"},
    {"simulation.seed=&a 1", "--set simulation.seed=&a 1: value: anchors (&name) are not "
                             "supported"},
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
    data_path(path, sizeof path, "configs/good/full.yaml");
    const char *sets[] = {bad_sets[_i].set};
    const char *msg = load_fail(path, sets, 1);
    const char *want = bad_sets[_i].msg;
    size_t n = strlen(want);
    if (want[n - 1] == '*')
        ck_assert_msg(strncmp(msg, want, n - 1) == 0, "want %s\ngot  %s", want, msg);
    else
        ck_assert_msg(strcmp(msg, want) == 0, "want %s\ngot  %s", want, msg);
}
END_TEST

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
}

static void configs_eq(const hs_config *a, const hs_config *b)
{
    ck_assert_double_eq(a->dt_ms, b->dt_ms);
    ck_assert_double_eq(a->duration_ms, b->duration_ms);
    ck_assert_uint_eq(a->seed, b->seed);
    ck_assert_int_eq(a->threads, b->threads);
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
}

/* Prints c into name in the temporary directory, loads it back, compares. */
static void round_trip(const hs_config *c, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    config_print(c, f);
    ck_assert_int_eq(fclose(f), 0);
    hs_config *back = load_ok(path, NULL, 0);
    configs_eq(c, back);
    /* And printing is a fixed point: the second print is the same text. */
    char again[620];
    snprintf(again, sizeof again, "%s.again", path);
    f = fopen(again, "w");
    ck_assert_ptr_nonnull(f);
    config_print(back, f);
    ck_assert_int_eq(fclose(f), 0);
    size_t n1, n2;
    char *t1 = file_slurp(path, &n1), *t2 = file_slurp(again, &n2);
    ck_assert_str_eq(t1, t2);
    free(t1);
    free(t2);
    config_free(back);
}

START_TEST(test_print_round_trip)
{
    char path[600];
    data_path(path, sizeof path, "configs/good/full.yaml");
    hs_config *c = load_ok(path, NULL, 0);
    round_trip(c, "full.yaml");
    config_free(c);
    /* Awkward numbers, many spikes (wrapped lists), no projections. */
    char yaml[1 << 16];
    int len = snprintf(yaml, sizeof yaml,
                       "simulation: {dt_ms: 0.03, duration_ms: 1e6, seed: 9223372036854775807,"
                       " threads: 1024}\npopulations:\n  s:\n    model: spike_times\n"
                       "    size: 4294967295\n    spikes:\n      times_ms: [");
    for (int k = 0; k < 95; k++)
        len += snprintf(yaml + len, sizeof yaml - (size_t)len, "%s%.17g", k ? ", " : "",
                        k / 3.0 + 1e-7);
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
    tmp_write("odd.yaml", yaml, (size_t)len, in, sizeof in);
    c = load_ok(in, NULL, 0);
    ck_assert_double_eq(c->traces[0].interval_ms, 10 * 0.03);
    round_trip(c, "odd_out.yaml");
    config_free(c);
}
END_TEST

/* ---- spikes from HDF5 ---- */

static void h5_write(const char *path, const double *t, size_t nt, const uint64_t *ids,
                     size_t ni)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hid_t g = H5Gcreate2(f, "in", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dt[1] = {nt}, di[1] = {ni};
    hid_t st = H5Screate_simple(1, dt, NULL), si = H5Screate_simple(1, di, NULL);
    hid_t a = H5Dcreate2(g, "t", H5T_IEEE_F64LE, st, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t b = H5Dcreate2(g, "ids", H5T_STD_U64LE, si, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Dwrite(a, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t), 0);
    ck_assert_int_ge(H5Dwrite(b, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids), 0);
    H5Dclose(a);
    H5Dclose(b);
    H5Sclose(st);
    H5Sclose(si);
    H5Gclose(g);
    H5Fclose(f);
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
    snprintf(h5, sizeof h5, "%s/in.h5", tmp_dir);
    h5_write(h5, t, 4, ids, 4);
    tmp_write("s.yaml", spike_file_yaml, strlen(spike_file_yaml), yaml, sizeof yaml);
    /* The YAML names in.h5 relative to itself, not to the working directory. */
    hs_config *c = load_ok(yaml, NULL, 0);
    const hs_pop_config *p = &c->pops[0];
    const double ts[] = {0.5, 1, 3, 3};
    const uint64_t is[] = {0, 3, 1, 2};
    ck_assert_uint_eq(p->n_spikes, 4);
    for (size_t k = 0; k < 4; k++) {
        ck_assert_double_eq(p->spike_t_ms[k], ts[k]);
        ck_assert_uint_eq(p->spike_ids[k], is[k]);
    }
    round_trip(c, "s_out.yaml");      /* printed inline, read back the same */
    config_free(c);
}
END_TEST

START_TEST(test_spikes_from_hdf5_bad)
{
    const double t[] = {1, 2, -1};
    const uint64_t ids[] = {0, 9, 1};
    char h5[600], yaml[600];
    snprintf(h5, sizeof h5, "%s/in.h5", tmp_dir);
    tmp_write("s.yaml", spike_file_yaml, strlen(spike_file_yaml), yaml, sizeof yaml);

    h5_write(h5, t, 3, ids, 2);
    const char *msg = load_fail(yaml, NULL, 0);
    assert_has(msg, ":6:46: populations.stim.spikes.ids: /in/ids has 2 "
                                      "ids but /in/t has 3 times");
    h5_write(h5, t, 3, ids, 3);
    msg = load_fail(yaml, NULL, 0);
    assert_has(msg, ":6:46: populations.stim.spikes.ids: entry 1 of "
                                      "/in/ids is id 9, not below the size of stim (4)");
    const uint64_t ok_ids[] = {0, 1, 2};
    h5_write(h5, t, 3, ok_ids, 3);
    msg = load_fail(yaml, NULL, 0);
    assert_has(msg, ":6:34: populations.stim.spikes.times: entry 2 of "
                                      "/in/t is -1; spike times must be finite and >= 0");
    const char *other = "simulation: {duration_ms: 10}\npopulations:\n  stim:\n"
                        "    model: spike_times\n    size: 4\n"
                        "    spikes: {file: in.h5, times: /in/nope, ids: /in/ids}\n";
    tmp_write("s.yaml", other, strlen(other), yaml, sizeof yaml);
    msg = load_fail(yaml, NULL, 0);
    assert_has(msg, ":6:34: populations.stim.spikes.times: ");
    assert_has(msg, "/in/nope");
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
    tmp_write("any.yaml", data, len, path, sizeof path);
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, NULL, 0, &err);
    if (c) {
        config_free(c);
        return;
    }
    ck_assert_int_eq(err.code, HS_EINPUT);
    ck_assert(err.msg[0] != '\0');
}

START_TEST(test_truncated_and_mutated)
{
    char path[600];
    data_path(path, sizeof path, "configs/good/full.yaml");
    size_t len;
    char *text = file_slurp(path, &len);
    for (size_t n = 0; n < len; n += 7)
        load_any(text, n);
    uint64_t s = 12345;
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
    tmp_write("big.yaml", yaml, strlen(yaml), path, sizeof path);
    const char *msg = load_fail(path, NULL, 0);
    assert_has(msg, ":3:14: populations.a.model: unknown model 'xxx");
    ck_assert_uint_lt(strlen(msg), 1000);

    head = sprintf(yaml, "simulation: {duration_ms: 10}\n");
    memset(yaml + head, 'k', big);
    strcpy(yaml + head + big, ": 1\n");
    tmp_write("big.yaml", yaml, strlen(yaml), path, sizeof path);
    msg = load_fail(path, NULL, 0);
    assert_has(msg, ":2:10485761: could not find expected ':'");   /* libyaml: keys < 1 KB */
    ck_assert_uint_lt(strlen(msg), 1000);

    memset(yaml + head, 'k', 1000);
    strcpy(yaml + head + 1000, ": 1\n");
    tmp_write("big.yaml", yaml, strlen(yaml), path, sizeof path);
    msg = load_fail(path, NULL, 0);
    assert_has(msg, ":2:1: kkkk");
    assert_has(msg, ": unknown key; allowed: simulation, populations,");
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
    tmp_write("deep.yaml", yaml, strlen(yaml), path, sizeof path);
    const char *msg = load_fail(path, NULL, 0);
    assert_has(msg, ":1:35: nested deeper than 32 levels");
    /* Block mappings, one level per line. */
    size_t len = 0;
    for (size_t i = 0; i < 200; i++)
        len += (size_t)sprintf(yaml + len, "%*sk:\n", (int)i, "");
    tmp_write("deep.yaml", yaml, len, path, sizeof path);
    msg = load_fail(path, NULL, 0);
    assert_has(msg, ":33:33: nested deeper than 32 levels");
    free(yaml);
}
END_TEST

START_TEST(test_missing_file)
{
    char path[600];
    snprintf(path, sizeof path, "%s/none.yaml", tmp_dir);
    const char *msg = load_fail(path, NULL, 0);
    assert_has(msg, "none.yaml: cannot open: ");
    load_fail(tmp_dir, NULL, 0);      /* a directory */
    config_free(NULL);
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

    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
    tcase_set_timeout(files, 120);
    tcase_add_test(files, test_print_round_trip);
    tcase_add_test(files, test_spikes_from_hdf5);
    tcase_add_test(files, test_spikes_from_hdf5_bad);
    tcase_add_test(files, test_truncated_and_mutated);
    tcase_add_test(files, test_binary_junk);
    tcase_add_test(files, test_huge_string);
    tcase_add_test(files, test_deep_nesting);
    tcase_add_test(files, test_missing_file);
    suite_add_tcase(s, files);
    return s;
}
