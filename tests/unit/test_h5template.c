/* Tests of REM template matching in the run file (/replay/template): the
 * rows and [n, n_factors] tables as written, read back through the HDF5 C
 * API (types, shapes, units, attributes), the layout check and the
 * template lines of h5out_info; a run without a template keeps its note;
 * writer errors each with its message and nothing left behind. */
#include <math.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

#define TP_N 2
#define TP_NF 3

/* Phases "sleep" (nrem, nothing fits at 0.5x) and "dream" (rem, best at 1x). */
typedef struct tp_sample {
    const char *phase[TP_N];
    double best[TP_N], p_best[TP_N];
    double factor[TP_N * TP_NF], r_max[TP_N * TP_NF], z[TP_N * TP_NF], p[TP_N * TP_NF],
        t_best[TP_N * TP_NF];
    h5out_template t;
} tp_sample;

static void tp_fill(tp_sample *s)
{
    *s = (tp_sample){
        .phase = {"sleep", "dream"},
        .best = {2, 1},
        .p_best = {0.6, 0.015},
        .factor = {0.5, 1, 2, 0.5, 1, 2},
        .r_max = {NAN, 0.1, 0.12, NAN, 0.6, 0.3},
        .z = {NAN, 0.5, 1.1, NAN, 6.2, 2.5},
        .p = {1, 0.4, 0.2, 1, 0.005, 0.05},
        .t_best = {NAN, 1100, 1500, NAN, 2200, 2400},
    };
    s->t = (h5out_template){.n = TP_N, .n_factors = TP_NF, .phase = s->phase,
                            .best_factor = s->best, .p_best = s->p_best, .factor = s->factor,
                            .r_max = s->r_max, .z = s->z, .p = s->p, .t_best_ms = s->t_best,
                            .population = "exc", .bin_ms = 500, .lap_ms = 8000,
                            .n_shuffle = 200, .n_cells = 60, .n_bins = 16, .n_laps = 12,
                            .note = ""};
}

static h5out *tp_file(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    const char *names[3] = {"explore", "sleep", "dream"}, *stages[3] = {"wake", "nrem", "rem"};
    const double start[3] = {0, 1000, 2000}, stop[3] = {1000, 2000, 3000};
    ck_assert_int_eq(h5out_phases_write(f, names, stages, start, stop, 3, &err), HS_OK);
    return f;
}

static void table_check(hid_t g, const char *name, const double *want, const char *units)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    ck_assert_msg(ds >= 0, "/replay/template/%s missing", name);
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    ck_assert_int_eq(H5Sget_simple_extent_dims(sp, dims, NULL), 2);
    ck_assert_uint_eq(dims[0], TP_N);
    ck_assert_uint_eq(dims[1], TP_NF);
    double got[TP_N * TP_NF];
    ck_assert_int_ge(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
    for (size_t i = 0; i < TP_N * TP_NF; i++)
        ck_assert_msg((isnan(got[i]) && isnan(want[i])) || got[i] == want[i],
                      "%s[%zu] = %g, want %g", name, i, got[i], want[i]);
    h5sample_assert_units(ds, name, units);
    H5Sclose(sp);
    H5Dclose(ds);
}

START_TEST(test_template_round_trip)
{
    const char *path = h5sample_path("template.h5");
    tp_sample s;
    tp_fill(&s);
    hs_error err;
    h5out *f = tp_file(path);
    ck_assert_int_eq(h5out_template_write(f, &s.t, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    hid_t g = H5Gopen2(file, "/replay/template", H5P_DEFAULT);
    ck_assert_int_ge(g, 0);
    table_check(g, "factor", s.factor, "");
    table_check(g, "r_max", s.r_max, "");
    table_check(g, "z", s.z, "");
    table_check(g, "p", s.p, "");
    table_check(g, "t_best_ms", s.t_best, "ms");
    h5sample_assert_attr_str(g, "population", "exc");
    h5sample_assert_attr_u64(g, "n_laps", 12);
    H5Gclose(g);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
    h5sample_assert_layout_ok(path);
    const char *want[] = {
        "template:    60 place cells of exc, 12 laps of 8.0 s in 500 ms bins, 200 shuffles",
        "  sleep            best factor 2.00x, p 0.6 (Bonferroni over 3 factors)\n",
        "  dream            best factor 1.00x, p 0.015 (Bonferroni over 3 factors)\n"};
    h5sample_assert_info_has(path, want, 3);
}
END_TEST

START_TEST(test_template_none)
{
    const char *path = h5sample_path("none.h5");
    tp_sample s;
    tp_fill(&s);
    s.t.n = 0;
    s.t.n_laps = 0;
    s.t.lap_ms = NAN;
    s.t.note = "no complete lap";
    hs_error err;
    h5out *f = tp_file(path);
    ck_assert_int_eq(h5out_template_write(f, &s.t, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    h5sample_assert_layout_ok(path);
    const char *want[] = {"template:    none for exc (no complete lap)\n"};
    h5sample_assert_info_has(path, want, 1);
}
END_TEST

/* Writing the bad rows of s fails with msg and leaves no /replay behind;
 * then s is the good sample again, ready for the next fault. */
static void tp_write_fails(const char *path, tp_sample *s, int code, const char *msg)
{
    hs_error err;
    hs_error_clear(&err);
    h5out *f = tp_file(path);
    ck_assert_int_eq(h5out_template_write(f, &s->t, &err), code);
    ck_assert_msg(strstr(err.msg, msg), "got '%s', want '%s'", err.msg, msg);
    h5sample_close_without(f, path, "replay");
    tp_fill(s);
}

START_TEST(test_template_write_errors)
{
    const char *path = h5sample_path("bad.h5");
    tp_sample s;
    tp_fill(&s);
    s.p_best[1] = 1.5;
    tp_write_fails(path, &s, HS_EINPUT, "p_best[1] = 1.5 is not in [0, 1]");
    s.t.n_factors = 0;
    tp_write_fails(path, &s, HS_EINPUT, "0 factors, want 1 to 33");
    s.t.population = NULL;
    tp_write_fails(path, &s, HS_EINPUT, "no population named");
    s.t.z = NULL;
    tp_write_fails(path, &s, HS_EINTERNAL, "NULL template arrays");
    hs_error err;
    h5out *f = tp_file(path);
    ck_assert_int_eq(h5out_template_write(f, &s.t, &err), HS_OK);
    ck_assert_int_eq(h5out_template_write(f, &s.t, &err), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "written twice"));
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    ck_assert_int_eq(h5out_template_write(NULL, &s.t, &err), HS_EINTERNAL);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

Suite *h5template_suite(void)
{
    Suite *s = suite_create("h5template");
    TCase *tc = h5sample_tcase("h5template");
    tcase_add_test(tc, test_template_round_trip);
    tcase_add_test(tc, test_template_none);
    tcase_add_test(tc, test_template_write_errors);
    suite_add_tcase(s, tc);
    return s;
}
