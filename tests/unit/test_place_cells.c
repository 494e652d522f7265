/* Place cells (neurons/place_cells.h) against their definition, driven
 * by hand along generated laps: rate-map peaks at the field centres with
 * the set rate, silence outside fields, direction selectivity, and theta
 * phase precession (the spikes' mean phase falls across the field as the
 * rate and the preferred phase say: by 145 degrees from the field's first
 * sixth to its last for 180 degrees of precession). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../../neurons/place_cells.h"
#include "../../task/track.h"
#include "../lib/testutil.h"
#include "suites.h"

/* 100 place cells (50 with fields) on 40 one-way laps of a 2 m track at
 * a constant 25 cm/s, driven by hand; spike times and cells out. */
typedef struct place_run {
    track_traj t;
    double *spike_ms;
    uint32_t *cell;
    size_t n;
} place_run;

static place_run run_place_cells(double directional, int alternate)
{
    place_run out = {0};
    track_linear_params p;
    track_linear_params_default(&p);
    p.laps = 40;
    p.speed_sd_cm_s = 0;
    p.ramp_cm = 0;
    p.pause_s = 0;
    p.one_way = alternate ? 0 : 1;
    hs_error err;
    ck_assert_int_eq(track_linear_generate(&p, 1.0, 1, &out.t, &err), HS_OK);
    const neuron_type *ty = &neuron_place_cells;
    double params[HS_MAX_PARAMS];
    hs_params_set_defaults(ty->params, ty->n_params, params);
    *hs_param_ptr(&ty->params[hs_params_find(ty->params, ty->n_params, "directional")],
                  params) = directional;
    _Alignas(64) unsigned char plan[4096];
    ck_assert_int_eq(ty->plan_init(plan, params, 0.1, &err), HS_OK);
    neuron_pop pop;
    ck_assert_int_eq(neuron_pop_alloc(&pop, ty, plan, 100, &err), HS_OK);
    neuron_path path = {out.t.n, out.t.sample_ms, out.t.length_cm, out.t.x_cm, out.t.dir};
    neuron_source_data data = {.path = &path};
    ck_assert_int_eq(ty->ext_alloc(&pop, plan, &data, 5, 0, &err), HS_OK);
    uint64_t steps = (uint64_t)(track_duration_ms(&out.t) / 0.1);
    size_t cap = 1 << 20;
    out.spike_ms = malloc(cap * sizeof *out.spike_ms);
    out.cell = malloc(cap * sizeof *out.cell);
    uint32_t ids[128];
    for (uint64_t s = 0; s < steps; s++) {
        /* two ranges, as two threads would own them */
        size_t m = ty->update(plan, &pop, 0, 64, s, NULL, ids);
        m += ty->update(plan, &pop, 64, 100, s, NULL, ids + m);
        for (size_t q = 0; q < m && out.n < cap; q++) {
            out.spike_ms[out.n] = (double)(s + 1) * 0.1;
            out.cell[out.n++] = ids[q];
        }
    }
    neuron_pop_free(&pop, ty);
    return out;
}

static void free_run(place_run *r)
{
    track_free(&r->t);
    free(r->spike_ms);
    free(r->cell);
}

START_TEST(test_place_fields)
{
    place_run r = run_place_cells(1, 0);
    /* rate maps in 4 cm bins: spikes / time spent in the bin */
    static double count[100][50], occ[50];
    for (size_t k = 0; k < r.t.n; k++)
        occ[(size_t)fmin(r.t.x_cm[k] / 4.0, 49)] += 1e-3;
    for (size_t q = 0; q < r.n; q++) {
        size_t k = track_index(&r.t, r.spike_ms[q]);
        count[r.cell[q]][(size_t)fmin(r.t.x_cm[k] / 4.0, 49)] += 1;
    }
    /* the field centre from the rate map: centroid of the bins above half
     * the maximum, for fields 2 sigma clear of the track's ends; the rate
     * in the bin holding the centre, averaged over the fields */
    double at_centre = 0, out_spikes = 0;
    for (int i = 0; i < 100; i++) {
        if (i >= 50) {
            for (int b = 0; b < 50; b++)
                out_spikes += count[i][b];
            continue;
        }
        double top = 0, m = 0, mx = 0;
        for (int b = 0; b < 50; b++)
            top = fmax(top, count[i][b] / occ[b]);
        for (int b = 0; b < 50; b++) {
            double rb = count[i][b] / occ[b];
            if (rb > top / 2) {
                m += rb;
                mx += rb * (b + 0.5) * 4.0;
            }
        }
        double c = (i + 0.5) * 4.0;
        if (c > 14 && c < 186)
            ck_assert_double_lt(fabs(mx / m - c), 2.0);
        at_centre += count[i][i] / occ[i];
    }
    /* mean of G over a 4 cm bin at the centre, sigma 7: 0.9893 */
    ck_assert_double_lt(fabs(at_centre / 50 - 20.0 * 0.9893), 0.05 * 20.0);
    double out_rate = out_spikes / 50 / (track_duration_ms(&r.t) * 1e-3);
    ck_assert_double_lt(fabs(out_rate - 0.1), 0.03);
    free_run(&r);
}
END_TEST

START_TEST(test_phase_precession)
{
    place_run r = run_place_cells(1, 0);
    /* circular mean spike phase in the first and last sixth of the fields
     * (u from -2 sigma to +2 sigma). With rate G(p) (1 + cos(theta - phi(p)))
     * the spikes' mean phase over a stretch is the G-weighted circular mean
     * of phi(p) = 90 deg (1 - 2p): computed here by quadrature. */
    double want = 0;
    {
        double ce = 0, se = 0, cl = 0, sl = 0;
        for (int k = 0; k < 1000; k++) {
            double pe = (k + 0.5) / 6000.0, pl = 5.0 / 6 + pe;
            double ge = exp(-pow(4 * pe - 2, 2) / 2), gl = exp(-pow(4 * pl - 2, 2) / 2);
            double fe = (90 * (1 - 2 * pe)) * 3.14159265358979 / 180;
            double fl = (90 * (1 - 2 * pl)) * 3.14159265358979 / 180;
            ce += ge * cos(fe);
            se += ge * sin(fe);
            cl += gl * cos(fl);
            sl += gl * sin(fl);
        }
        want = (atan2(sl, cl) - atan2(se, ce)) * 180 / 3.14159265358979;   /* -144.6 */
    }
    double c[2] = {0, 0}, s[2] = {0, 0};
    for (size_t q = 0; q < r.n; q++) {
        if (r.cell[q] >= 50)
            continue;
        double x = r.t.x_cm[track_index(&r.t, r.spike_ms[q])];
        double u = x - (r.cell[q] + 0.5) * 4.0, prog = (u + 14.0) / 28.0;
        int part = prog >= 0 && prog < 1.0 / 6 ? 0 : prog > 5.0 / 6 && prog <= 1 ? 1 : -1;
        if (part < 0)
            continue;
        double ph = 2 * 3.14159265358979 * 7.0 * r.spike_ms[q] * 1e-3;
        c[part] += cos(ph);
        s[part] += sin(ph);
    }
    double early = atan2(s[0], c[0]), late = atan2(s[1], c[1]);
    double diff = remainder(late - early, 2 * 3.14159265358979) * 180 / 3.14159265358979;
    ck_assert_double_lt(want, -140.0);
    ck_assert_double_lt(fabs(diff - want), 8.0);
    free_run(&r);
}
END_TEST

START_TEST(test_direction_selective)
{
    place_run r = run_place_cells(1, 1);   /* laps alternate, fields fire toward the end */
    double in_dir[2] = {0, 0}, time_dir[2] = {0, 0};
    for (size_t k = 0; k < r.t.n; k++)
        if (r.t.dir[k])
            time_dir[r.t.dir[k] > 0] += 1e-3;
    for (size_t q = 0; q < r.n; q++) {
        int d = r.t.dir[track_index(&r.t, r.spike_ms[q])];
        if (r.cell[q] < 50 && d)
            in_dir[d > 0] += 1;
    }
    /* backward runs: out_hz only; forward: each field's share of 20 Hz */
    ck_assert_double_lt(in_dir[0] / 50 / time_dir[0], 0.2);
    ck_assert_double_gt(in_dir[1] / 50 / time_dir[1], 1.0);
    free_run(&r);
}
END_TEST

Suite *place_cells_suite(void)
{
    Suite *s = suite_create("place_cells");
    TCase *tc = tcase_create("fields");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_place_fields);
    tcase_add_test(tc, test_phase_precession);
    tcase_add_test(tc, test_direction_selective);
    suite_add_tcase(s, tc);
    return s;
}
