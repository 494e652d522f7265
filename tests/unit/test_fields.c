/* A run's place fields (replay/fields.h) on planted fields. A rat runs
 * 40 laps of a 200 cm track at 25 cm/s past cells with Gaussian fields
 * (sigma 8 cm, 15 Hz); their spikes are laid down deterministically (a
 * spike each time the expected count crosses a whole number), so a rate
 * map is its field, smoothed and binned, up to one spike a pass. One way:
 * every field's centre lies within a bin of where it was planted, cells
 * without a field are no place cells, a cell whose peak falls short of
 * min_peak_hz neither; the decoding maps are the place cells' rows, in
 * place-cell order, of the direction's map, as replay_rate_maps gives it
 * (a second code path). Both ways with direction-selective fields: one map
 * per direction (+1, then -1), each cell's centre in its own direction
 * and none in the other; decoding maps from every running sample. Bad
 * arguments are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../replay/decode.h"
#include "../../replay/fields.h"
#include "../lib/testutil.h"
#include "suites.h"

#define TRACK 200.0
#define SPEED 25.0          /* cm/s */
#define LAPS 40
#define LAP_MS 10000.0      /* 8 s running, 2 s paused at the end */
#define SIGMA 8.0
#define PEAK 15.0
enum { N_FIELD = 30, N_CELLS = 36 };   /* cells 30..35 never fire running */

/* Planted centre of field cell i of n: tiling the track. */
static double centre_of(size_t i, size_t n)
{
    return ((double)i + 0.5) * TRACK / (double)n;
}

typedef struct run {
    double *t, *x;
    int8_t *dir;
    size_t n;
    tu_train s;
} run;

/* rate(i, x, dir) for the planted cells; two_way: laps alternate and cells
 * 0..29 fire running +1 only, 30..59 (fields at the same centres) running
 * -1 only. */
static double rate(size_t i, double x, int dir, int two_way)
{
    size_t k = two_way ? i % N_FIELD : i;
    if (k >= N_FIELD || i >= (two_way ? 2 * N_FIELD : N_FIELD) || dir == 0)
        return 0;
    if (two_way && (dir > 0) != (i < N_FIELD))
        return 0;
    double z = (x - centre_of(k, N_FIELD)) / SIGMA;
    return PEAK * exp(-0.5 * z * z);
}

static run make_run(int two_way, size_t n_cells)
{
    run r = {0};
    r.n = (size_t)(LAPS * LAP_MS);
    r.t = malloc(r.n * sizeof *r.t);
    r.x = malloc(r.n * sizeof *r.x);
    r.dir = malloc(r.n);
    double *acc = calloc(n_cells, sizeof *acc);
    for (size_t k = 0; k < r.n; k++) {
        size_t lap = k / (size_t)LAP_MS;
        double in_lap = (double)(k % (size_t)LAP_MS);
        int running = in_lap < 8000.0, back = two_way && lap % 2;
        double d = running ? SPEED * 1e-3 * in_lap : TRACK;
        r.t[k] = (double)k;
        r.x[k] = back ? TRACK - d : d;
        r.dir[k] = (int8_t)(running ? (back ? -1 : 1) : 0);
        for (size_t i = 0; i < n_cells; i++) {
            acc[i] += rate(i, r.x[k], r.dir[k], two_way) * 1e-3;
            if (acc[i] >= 1.0) {
                acc[i] -= 1.0;
                tu_train_add(&r.s, r.t[k] + 0.5, (uint32_t)i);
            }
        }
    }
    free(acc);
    return r;
}

static void run_free(run *r)
{
    free(r->t);
    free(r->x);
    free(r->dir);
    tu_train_free(&r->s);
}

static int fields_of(const run *r, size_t n_cells, int run_dir, double min_peak,
                     replay_fields *f)
{
    hs_error err;
    return replay_fields_make(r->s.t, r->s.id, r->s.n, n_cells, r->t, r->x, r->dir, r->n, TRACK,
                              2.5, run_dir, min_peak, f, &err);
}

/* The highest bin of a map row (the first on ties). */
static size_t peak_bin(const double *row, size_t nb)
{
    size_t best = 0;
    for (size_t b = 1; b < nb; b++)
        best = row[b] > row[best] ? b : best;
    return best;
}

START_TEST(test_one_way)
{
    run r = make_run(0, N_CELLS);
    replay_fields f;
    ck_assert_int_eq(fields_of(&r, N_CELLS, 1, 1.0, &f), HS_OK);
    ck_assert_uint_eq(f.n_bins, 80);
    ck_assert_uint_eq(f.n_dirs, 1);
    ck_assert_int_eq(f.dirs[0], 1);
    ck_assert_uint_eq(f.n_place, N_FIELD);
    for (size_t i = 0; i < N_CELLS; i++) {
        if (i >= N_FIELD) {
            ck_assert(!f.is_place[i] && isnan(f.centre[0][i]));
            ck_assert_uint_eq(f.place_index[i], REPLAY_NO_PLACE);
            continue;
        }
        ck_assert(f.is_place[i]);
        ck_assert_uint_eq(f.place_index[i], i);
        /* the centre of the highest bin, within a bin of the planted one */
        const double *row = f.maps[0] + i * f.n_bins;
        ck_assert_double_eq(f.centre[0][i], ((double)peak_bin(row, f.n_bins) + 0.5) * 2.5);
        ck_assert_msg(fabs(f.centre[0][i] - centre_of(i, N_FIELD)) <= 2.5,
                      "cell %zu: centre %g, planted %g", i, f.centre[0][i],
                      centre_of(i, N_FIELD));
        ck_assert_int_eq(memcmp(f.decode + i * f.n_bins, row, f.n_bins * sizeof *row), 0);
    }
    /* the same maps as replay_rate_maps running +1 */
    replay_maps_params p;
    replay_maps_params_default(&p);
    p.dir = 1;
    double *m = malloc(N_CELLS * p.n_bins * sizeof *m);
    hs_error err;
    ck_assert_int_eq(replay_rate_maps(r.s.t, r.s.id, r.s.n, N_CELLS, r.t, r.x, r.dir, r.n, &p, m,
                                      &err), HS_OK);
    ck_assert_int_eq(memcmp(m, f.maps[0], N_CELLS * p.n_bins * sizeof *m), 0);
    /* a threshold just above cell 3's peak: it is no place cell, the
     * others move up a row */
    double top = f.maps[0][3 * f.n_bins + peak_bin(f.maps[0] + 3 * f.n_bins, f.n_bins)];
    replay_fields g;
    ck_assert_int_eq(fields_of(&r, N_CELLS, 1, top * (1 + 1e-9), &g), HS_OK);
    ck_assert(!g.is_place[3] && isnan(g.centre[0][3]));
    ck_assert_uint_eq(g.place_index[3], REPLAY_NO_PLACE);
    for (size_t i = 0; i < N_FIELD; i++) {
        double top_i = f.maps[0][i * f.n_bins + peak_bin(f.maps[0] + i * f.n_bins, f.n_bins)];
        ck_assert_int_eq(g.is_place[i], top_i >= top * (1 + 1e-9));
    }
    size_t row = 0;
    for (size_t i = 0; i < N_CELLS; i++)
        if (g.is_place[i])
            ck_assert_uint_eq(g.place_index[i], row++);
    ck_assert_uint_eq(row, g.n_place);
    free(m);
    replay_fields_free(&g);
    replay_fields_free(&f);
    run_free(&r);
}
END_TEST

START_TEST(test_two_way)
{
    const size_t n_cells = 2 * N_FIELD + 4;
    run r = make_run(1, n_cells);
    replay_fields f;
    ck_assert_int_eq(fields_of(&r, n_cells, 0, 1.0, &f), HS_OK);
    ck_assert_uint_eq(f.n_dirs, 2);
    ck_assert(f.dirs[0] == 1 && f.dirs[1] == -1);
    ck_assert_uint_eq(f.n_place, 2 * N_FIELD);
    for (size_t i = 0; i < n_cells; i++) {
        int fwd = i < N_FIELD, bwd = i >= N_FIELD && i < 2 * N_FIELD;
        ck_assert_int_eq(f.is_place[i], fwd || bwd);
        ck_assert_int_eq(isnan(f.centre[0][i]), !fwd);
        ck_assert_int_eq(isnan(f.centre[1][i]), !bwd);
        if (fwd || bwd) {
            double c = f.centre[fwd ? 0 : 1][i];
            ck_assert_double_le(fabs(c - centre_of(i % N_FIELD, N_FIELD)), 2.5);
        }
    }
    /* decoding: every running sample's map */
    replay_maps_params p;
    replay_maps_params_default(&p);
    p.dir = 0;
    double *m = malloc(n_cells * p.n_bins * sizeof *m);
    hs_error err;
    ck_assert_int_eq(replay_rate_maps(r.s.t, r.s.id, r.s.n, n_cells, r.t, r.x, r.dir, r.n, &p, m,
                                      &err), HS_OK);
    for (size_t i = 0; i < 2 * N_FIELD; i++)
        ck_assert_int_eq(memcmp(f.decode + f.place_index[i] * p.n_bins, m + i * p.n_bins,
                                p.n_bins * sizeof *m), 0);
    free(m);
    replay_fields_free(&f);
    run_free(&r);
}
END_TEST

START_TEST(test_bad_arguments)
{
    run r = make_run(0, 2);
    replay_fields f;
    hs_error err;
    ck_assert_int_eq(fields_of(&r, 2, 2, 1.0, &f), HS_EINPUT);
    replay_fields_free(&f);
    ck_assert_int_eq(replay_fields_make(r.s.t, r.s.id, r.s.n, 2, r.t, r.x, r.dir, r.n, -1, 2.5,
                                        1, 1.0, &f, &err), HS_EINPUT);
    replay_fields_free(&f);
    ck_assert_int_eq(replay_fields_make(r.s.t, r.s.id, r.s.n, 1, r.t, r.x, r.dir, r.n, TRACK,
                                        2.5, 1, 1.0, &f, &err), HS_EINPUT);   /* id 1 */
    replay_fields_free(&f);
    replay_fields_free(NULL);
    run_free(&r);
}
END_TEST

Suite *fields_suite(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("planted");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_one_way);
    tcase_add_test(tc, test_two_way);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
