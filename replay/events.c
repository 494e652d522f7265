/* events.c: candidate replay events from the population rate (events.h). */
#include "events.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_filter.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

void replay_event_params_default(replay_event_params *p)
{
    p->bin_ms = 5.0;
    p->smooth_ms = 10.0;
    p->k_sd = 3.0;
    p->min_ms = 50.0;
    p->max_ms = 500.0;
    p->min_cells = 5;
    p->is_place = NULL;
    p->speed_t_ms = NULL;
    p->speed_cm_s = NULL;
    p->n_speed = 0;
    p->max_speed_cm_s = 5.0;
}

static int check_speed(const replay_event_params *p, hs_error *err)
{
    if (!p->speed_t_ms)
        return HS_OK;
    if (!p->speed_cm_s || p->n_speed == 0)
        return hs_error_set(err, HS_EINPUT,
                            "replay events: speed_t_ms given without speed_cm_s samples");
    if (!(p->max_speed_cm_s > 0))
        return hs_error_set(err, HS_EINPUT, "replay events: max_speed_cm_s must be > 0");
    for (size_t i = 0; i < p->n_speed; i++) {
        if (!isfinite(p->speed_t_ms[i]) || !isfinite(p->speed_cm_s[i]))
            return hs_error_set(err, HS_EINPUT, "replay events: speed sample %zu not finite", i);
        if (i > 0 && !(p->speed_t_ms[i] > p->speed_t_ms[i - 1]))
            return hs_error_set(err, HS_EINPUT,
                                "replay events: speed_t_ms not increasing at sample %zu", i);
    }
    return HS_OK;
}

int replay_event_params_check(const replay_event_params *p, hs_error *err)
{
    if (!(p->bin_ms > 0) || !isfinite(p->bin_ms))
        return hs_error_set(err, HS_EINPUT, "replay events: bin_ms must be > 0");
    if (!(p->smooth_ms >= 0) || !isfinite(p->smooth_ms))
        return hs_error_set(err, HS_EINPUT, "replay events: smooth_ms must be >= 0");
    if (!(p->k_sd > 0) || !isfinite(p->k_sd))
        return hs_error_set(err, HS_EINPUT, "replay events: k_sd must be > 0");
    if (!(p->min_ms >= 0) || !(p->max_ms >= p->min_ms) || !isfinite(p->max_ms))
        return hs_error_set(err, HS_EINPUT,
                            "replay events: need 0 <= min_ms <= max_ms (got %g, %g)",
                            p->min_ms, p->max_ms);
    if (p->min_cells < 1)
        return hs_error_set(err, HS_EINPUT, "replay events: min_cells must be >= 1");
    return check_speed(p, err);
}

/* The rate per cell (Hz) in nb bins of bin_ms from t0_ms. */
static void bin_rate(const double *t_ms, size_t n, double t0_ms, double bin_ms, size_t nb,
                     size_t n_cells, double *rate)
{
    for (size_t b = 0; b < nb; b++)
        rate[b] = 0;
    double t1_ms = t0_ms + (double)nb * bin_ms;
    for (size_t i = 0; i < n; i++) {
        if (!(t_ms[i] >= t0_ms && t_ms[i] < t1_ms))
            continue;
        size_t b = (size_t)((t_ms[i] - t0_ms) / bin_ms);
        rate[b < nb ? b : nb - 1] += 1;
    }
    double per = 1000.0 / ((double)n_cells * bin_ms);
    for (size_t b = 0; b < nb; b++)
        rate[b] *= per;
}

/* Smooths rate in place by a Gaussian of sigma bins, kernel +-3 sigma. */
static int smooth(double *rate, size_t nb, double sigma, hs_error *err)
{
    size_t half = (size_t)ceil(3.0 * sigma);
    if (half == 0)
        return HS_OK;
    size_t K = 2 * half + 1;
    gsl_filter_gaussian_workspace *w = gsl_filter_gaussian_alloc(K);
    double *tmp = malloc(nb * sizeof *tmp);
    if (!w || !tmp) {
        gsl_filter_gaussian_free(w);
        free(tmp);
        return hs_error_set(err, HS_ENOMEM, "replay events: out of memory smoothing");
    }
    gsl_vector_view x = gsl_vector_view_array(rate, nb);
    gsl_vector_view y = gsl_vector_view_array(tmp, nb);
    double alpha = (double)(K - 1) / (2.0 * sigma);
    int st = gsl_filter_gaussian(GSL_FILTER_END_PADVALUE, alpha, 0, &x.vector, &y.vector, w);
    if (st == 0)
        gsl_vector_memcpy(&x.vector, &y.vector);
    gsl_filter_gaussian_free(w);
    free(tmp);
    if (st != 0)
        return hs_error_set(err, HS_EINTERNAL, "replay events: gsl_filter_gaussian failed (%d)",
                            st);
    return HS_OK;
}

/* Excursions above the mean that cross the threshold, as bin ranges
 * [lo[k], hi[k]); returns how many. Two crossings within one excursion make
 * one event. */
static size_t find_runs(const double *r, size_t nb, double mean, double thr, size_t *lo,
                        size_t *hi)
{
    size_t k = 0, b = 0;
    while (b < nb) {
        if (!(r[b] > thr)) {
            b++;
            continue;
        }
        size_t a = b, z = b;
        while (a > 0 && r[a - 1] > mean)
            a--;
        while (z < nb && r[z] > mean)
            z++;
        lo[k] = a;
        hi[k] = z;
        k++;
        b = z;
    }
    return k;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Distinct (place) cells spiking in each run: cells[k]. */
static int count_cells(const double *t_ms, const uint32_t *ids, size_t n, double t0_ms,
                       double bin_ms, size_t nb, size_t n_cells, const uint8_t *is_place,
                       const size_t *lo, const size_t *hi, size_t n_runs, size_t *cells,
                       hs_error *err)
{
    long *run_of = malloc(nb * sizeof *run_of);
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!run_of || !keys) {
        free(run_of);
        free(keys);
        return hs_error_set(err, HS_ENOMEM, "replay events: out of memory counting cells");
    }
    for (size_t b = 0; b < nb; b++)
        run_of[b] = -1;
    for (size_t k = 0; k < n_runs; k++) {
        cells[k] = 0;
        for (size_t b = lo[k]; b < hi[k]; b++)
            run_of[b] = (long)k;
    }
    size_t m = 0;
    double t1_ms = t0_ms + (double)nb * bin_ms;
    for (size_t i = 0; i < n; i++) {
        if (!(t_ms[i] >= t0_ms && t_ms[i] < t1_ms) || (is_place && !is_place[ids[i]]))
            continue;
        size_t b = (size_t)((t_ms[i] - t0_ms) / bin_ms);
        long k = run_of[b < nb ? b : nb - 1];
        if (k >= 0)
            keys[m++] = (uint64_t)k * n_cells + ids[i];
    }
    qsort(keys, m, sizeof *keys, cmp_u64);
    for (size_t j = 0; j < m; j++)
        if (j == 0 || keys[j] != keys[j - 1])
            cells[keys[j] / n_cells]++;
    free(run_of);
    free(keys);
    return HS_OK;
}

/* The speed at t, linearly interpolated, held at the ends. */
static double speed_at(const replay_event_params *p, double t)
{
    const double *ts = p->speed_t_ms;
    size_t n = p->n_speed;
    if (t <= ts[0])
        return p->speed_cm_s[0];
    if (t >= ts[n - 1])
        return p->speed_cm_s[n - 1];
    size_t a = 0, z = n - 1;   /* ts[a] < t < ts[z] */
    while (z - a > 1) {
        size_t mid = a + (z - a) / 2;
        if (ts[mid] <= t)
            a = mid;
        else
            z = mid;
    }
    double f = (t - ts[a]) / (ts[z] - ts[a]);
    return p->speed_cm_s[a] + f * (p->speed_cm_s[z] - p->speed_cm_s[a]);
}

/* Mean speed of the samples in [start, stop), else the speed at the middle. */
static double mean_speed(const replay_event_params *p, double start, double stop)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < p->n_speed; i++) {
        if (p->speed_t_ms[i] >= start && p->speed_t_ms[i] < stop) {
            sum += p->speed_cm_s[i];
            k++;
        }
    }
    return k ? sum / (double)k : speed_at(p, 0.5 * (start + stop));
}

static int check_input(const uint32_t *ids, size_t n, double t0_ms, double t1_ms,
                       size_t n_cells, const replay_event_params *p, size_t *nb, hs_error *err)
{
    int st = replay_event_params_check(p, err);
    if (st)
        return st;
    if (!isfinite(t0_ms) || !isfinite(t1_ms) || !(t1_ms > t0_ms))
        return hs_error_set(err, HS_EINPUT, "replay events: bad window [%g, %g) ms", t0_ms,
                            t1_ms);
    if (n_cells == 0)
        return hs_error_set(err, HS_EINPUT, "replay events: n_cells must be >= 1");
    *nb = (size_t)floor((t1_ms - t0_ms) / p->bin_ms);
    if (*nb < 3)
        return hs_error_set(err, HS_EINPUT,
                            "replay events: window [%g, %g) ms holds fewer than 3 bins of %g ms",
                            t0_ms, t1_ms, p->bin_ms);
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= n_cells)
            return hs_error_set(err, HS_EINPUT,
                                "replay events: spike %zu has cell id %u >= n_cells %zu", i,
                                ids[i], n_cells);
    return HS_OK;
}

/* Fills ev for run [lo, hi); returns 1 if it passes the filters. */
static int keep_event(const double *r, size_t lo, size_t hi, size_t cells, double t0_ms,
                      const replay_event_params *p, replay_event *ev)
{
    ev->start_ms = t0_ms + (double)lo * p->bin_ms;
    ev->stop_ms = t0_ms + (double)hi * p->bin_ms;
    size_t peak = lo;
    for (size_t b = lo; b < hi; b++)
        if (r[b] > r[peak])
            peak = b;
    ev->peak_ms = t0_ms + ((double)peak + 0.5) * p->bin_ms;
    ev->peak_hz = r[peak];
    ev->n_cells = cells;
    ev->speed_cm_s = p->speed_t_ms ? mean_speed(p, ev->start_ms, ev->stop_ms) : NAN;
    double dur = ev->stop_ms - ev->start_ms;
    if (dur < p->min_ms || dur > p->max_ms || cells < p->min_cells)
        return 0;
    return !p->speed_t_ms || ev->speed_cm_s < p->max_speed_cm_s;
}

int replay_events_find(const double *t_ms, const uint32_t *ids, size_t n, double t0_ms,
                       double t1_ms, size_t n_cells, const replay_event_params *p,
                       replay_event **out, size_t *n_out, hs_error *err)
{
    *out = NULL;
    *n_out = 0;
    size_t nb = 0;
    int st = check_input(ids, n, t0_ms, t1_ms, n_cells, p, &nb, err);
    if (st)
        return st;
    double *r = malloc(nb * sizeof *r);
    size_t *lo = malloc(nb * sizeof *lo), *hi = malloc(nb * sizeof *hi);
    size_t *cells = malloc(nb * sizeof *cells);
    replay_event *ev = malloc(nb * sizeof *ev);
    if (!r || !lo || !hi || !cells || !ev) {
        st = hs_error_set(err, HS_ENOMEM, "replay events: out of memory (%zu bins)", nb);
        goto done;
    }
    bin_rate(t_ms, n, t0_ms, p->bin_ms, nb, n_cells, r);
    st = smooth(r, nb, p->smooth_ms / p->bin_ms, err);
    if (st)
        goto done;
    double mean = gsl_stats_mean(r, 1, nb);
    double thr = mean + p->k_sd * gsl_stats_sd_m(r, 1, nb, mean);
    size_t n_runs = find_runs(r, nb, mean, thr, lo, hi);
    st = count_cells(t_ms, ids, n, t0_ms, p->bin_ms, nb, n_cells, p->is_place, lo, hi, n_runs,
                     cells, err);
    if (st)
        goto done;
    size_t k = 0;
    for (size_t j = 0; j < n_runs; j++)
        k += keep_event(r, lo[j], hi[j], cells[j], t0_ms, p, &ev[k]);
    if (k > 0) {
        *out = ev;
        *n_out = k;
        ev = NULL;
    }
done:
    free(r);
    free(lo);
    free(hi);
    free(cells);
    free(ev);
    return st;
}
