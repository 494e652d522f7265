/* decode.c: place fields, Bayesian decoding, line fit and shuffles; the
 * maths is in decode.h. */
#include "decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../base/rng.h"

/* Stream kind of the shuffles; the stream's a names the shuffle kind. */
enum { DECODE_RNG_KIND = RNG_KIND_DECODE, SHUFFLE_SHIFT = 0, SHUFFLE_PERM = 1 };

/* ---- parameters ---- */

void replay_maps_params_default(replay_maps_params *p)
{
    p->bin_cm = 2.5;
    p->n_bins = 80;
    p->smooth_cm = 4.0;
    p->dir = 0;
}

void replay_decode_params_default(replay_decode_params *p)
{
    p->tbin_ms = 15.0;
    p->eps_hz = 0.01;
    p->band = 3;
    p->n_shuffle = 1000;
}

static int positive(double v)
{
    return isfinite(v) && v > 0;
}

int replay_maps_params_check(const replay_maps_params *p, hs_error *err)
{
    if (!positive(p->bin_cm))
        return hs_error_set(err, HS_EINPUT, "replay maps: bin_cm must be > 0");
    if (p->n_bins == 0)
        return hs_error_set(err, HS_EINPUT, "replay maps: n_bins must be > 0");
    if (!isfinite(p->smooth_cm) || p->smooth_cm < 0)
        return hs_error_set(err, HS_EINPUT, "replay maps: smooth_cm must be >= 0");
    if (p->dir < -1 || p->dir > 1)
        return hs_error_set(err, HS_EINPUT, "replay maps: dir must be -1, 0 or +1");
    return HS_OK;
}

int replay_decode_params_check(const replay_decode_params *p, hs_error *err)
{
    if (!positive(p->tbin_ms))
        return hs_error_set(err, HS_EINPUT, "replay decode: tbin_ms must be > 0");
    if (!positive(p->eps_hz))
        return hs_error_set(err, HS_EINPUT, "replay decode: eps_hz must be > 0");
    if (p->band < 0)
        return hs_error_set(err, HS_EINPUT, "replay decode: band must be >= 0");
    if (p->n_shuffle < 500)
        return hs_error_set(err, HS_EINPUT,
                            "replay decode: n_shuffle must be >= 500 (SCIENCE.md)");
    return HS_OK;
}

/* ---- rate maps ---- */

static size_t pos_bin(double x_cm, const replay_maps_params *p)
{
    double b = floor(x_cm / p->bin_cm);
    if (!(b >= 0))
        return 0;
    return b >= (double)p->n_bins ? p->n_bins - 1 : (size_t)b;
}

static int sample_kept(const int8_t *dir, size_t k, int want)
{
    if (!dir)
        return 1;
    return want ? dir[k] == want : dir[k] != 0;
}

/* The last sample k with t[k] <= t_ms; t_ms >= t[0]. */
static size_t sample_at(const double *t, size_t n, double t_ms)
{
    size_t lo = 0, hi = n;            /* t[lo] <= t_ms < t[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] <= t_ms)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* out = in convolved with the kernel w[0..r] (symmetric, w[j] = w[-j]),
 * truncated at the ends. */
static void smooth_row(const double *in, double *out, size_t n, const double *w, size_t r)
{
    for (size_t x = 0; x < n; x++) {
        double s = w[0] * in[x];
        for (size_t j = 1; j <= r; j++) {
            if (x >= j)
                s += w[j] * in[x - j];
            if (x + j < n)
                s += w[j] * in[x + j];
        }
        out[x] = s;
    }
}

static int traj_check(const double *t, size_t n, hs_error *err)
{
    if (n < 2)
        return hs_error_set(err, HS_EINPUT, "replay maps: the trajectory needs >= 2 samples");
    for (size_t k = 1; k < n; k++)
        if (!(t[k] > t[k - 1]))
            return hs_error_set(err, HS_EINPUT,
                                "replay maps: trajectory times must increase (sample %zu)", k);
    return HS_OK;
}

int replay_rate_maps(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                     size_t n_cells, const double *traj_t_ms, const double *traj_x_cm,
                     const int8_t *traj_dir, size_t n_samples,
                     const replay_maps_params *p, double *maps, hs_error *err)
{
    int rc = replay_maps_params_check(p, err);
    if (rc == HS_OK)
        rc = traj_check(traj_t_ms, n_samples, err);
    if (rc != HS_OK)
        return rc;
    for (size_t k = 0; k < n_spikes; k++)
        if (spike_id[k] >= n_cells)
            return hs_error_set(err, HS_EINPUT, "replay maps: spike %zu: cell %u >= %zu",
                                k, spike_id[k], n_cells);
    size_t n = p->n_bins;
    size_t r = (size_t)ceil(3 * p->smooth_cm / p->bin_cm);
    double *occ = calloc(2 * n, sizeof *occ);
    double *w = malloc((r + 1) * sizeof *w);
    if (!occ || !w) {
        free(occ);
        free(w);
        return hs_error_set(err, HS_ENOMEM, "replay maps: out of memory");
    }
    double *socc = occ + n;
    for (size_t j = 0; j <= r; j++) {
        double z = p->smooth_cm > 0 ? (double)j * p->bin_cm / p->smooth_cm : 0;
        w[j] = exp(-0.5 * z * z);
    }

    double last_dt = traj_t_ms[n_samples - 1] - traj_t_ms[n_samples - 2];
    for (size_t k = 0; k < n_samples; k++) {
        double dt = k + 1 < n_samples ? traj_t_ms[k + 1] - traj_t_ms[k] : last_dt;
        if (sample_kept(traj_dir, k, p->dir))
            occ[pos_bin(traj_x_cm[k], p)] += 1e-3 * dt;
    }
    memset(maps, 0, n_cells * n * sizeof *maps);
    double t_end = traj_t_ms[n_samples - 1] + last_dt;
    for (size_t s = 0; s < n_spikes; s++) {
        double ts = spike_t_ms[s];
        if (!(ts >= traj_t_ms[0] && ts < t_end))
            continue;
        size_t k = sample_at(traj_t_ms, n_samples, ts);
        if (sample_kept(traj_dir, k, p->dir))
            maps[spike_id[s] * n + pos_bin(traj_x_cm[k], p)] += 1;
    }

    smooth_row(occ, socc, n, w, r);
    for (size_t i = 0; i < n_cells; i++) {
        double *row = maps + i * n;
        memcpy(occ, row, n * sizeof *occ);        /* occ is free now: counts */
        smooth_row(occ, row, n, w, r);
        for (size_t x = 0; x < n; x++)
            row[x] = socc[x] > 0 ? row[x] / socc[x] : 0;
    }
    free(occ);
    free(w);
    return HS_OK;
}

/* ---- decoding ---- */

/* The floored rate maps, their logs and the rate sum per bin (f shifted). */
typedef struct decoder {
    size_t n_cells, n_bins, n_tbins;
    double tau_s;
    double *f;            /* [n_cells * n_bins] max(f, eps) */
    double *logf;         /* [n_cells * n_bins] log of f */
    double *sumf;         /* [n_bins] sum_i f_i((x - shift_i) mod n) */
    size_t *shift;        /* [n_cells] current shifts */
    const uint32_t *counts;
} decoder;

static void decoder_free(decoder *d)
{
    free(d->f);
    free(d->logf);
    free(d->sumf);
    free(d->shift);
}

static int decoder_init(decoder *d, const double *maps, size_t n_cells, size_t n_bins,
                        const uint32_t *counts, size_t n_tbins, double tau_s, double eps_hz)
{
    size_t m = n_cells * n_bins;
    *d = (decoder){n_cells, n_bins, n_tbins, tau_s, malloc(m * sizeof(double)),
                   malloc(m * sizeof(double)), malloc(n_bins * sizeof(double)),
                   calloc(n_cells, sizeof(size_t)), counts};
    if (!d->f || !d->logf || !d->sumf || !d->shift) {
        decoder_free(d);
        return HS_ENOMEM;
    }
    for (size_t k = 0; k < m; k++) {
        d->f[k] = maps[k] > eps_hz ? maps[k] : eps_hz;
        d->logf[k] = log(d->f[k]);
    }
    return HS_OK;
}

/* dst[(x + sh) mod n] += c src[x], without a division per element (sh < n;
 * every element gets the same single addition as with the modulo). */
static inline void add_rotated(double *restrict dst, const double *restrict src, double c,
                               size_t sh, size_t n)
{
    size_t split = n - sh;
    for (size_t x = 0; x < split; x++)
        dst[x + sh] += c * src[x];
    for (size_t x = split; x < n; x++)
        dst[x - split] += c * src[x];
}

/* sumf for the current shifts. */
static void decoder_sum_rates(decoder *d)
{
    size_t n = d->n_bins;
    memset(d->sumf, 0, n * sizeof *d->sumf);
    for (size_t i = 0; i < d->n_cells; i++)
        add_rotated(d->sumf, d->f + i * n, 1.0, d->shift[i], n);
}

/* Row t of the posterior, with the current shifts; returns 0 if the time
 * bin has no spikes (row uniform). */
static int decode_tbin(const decoder *d, size_t t, double *row)
{
    size_t n = d->n_bins;
    int any = 0;
    for (size_t x = 0; x < n; x++)
        row[x] = -d->tau_s * d->sumf[x];
    for (size_t i = 0; i < d->n_cells; i++) {
        uint32_t c = d->counts[i * d->n_tbins + t];
        if (c == 0)
            continue;
        any = 1;
        add_rotated(row, d->logf + i * n, c, d->shift[i], n);
    }
    if (!any) {
        for (size_t x = 0; x < n; x++)
            row[x] = 1.0 / (double)n;
        return 0;
    }
    double mx = row[0];
    for (size_t x = 1; x < n; x++)
        mx = row[x] > mx ? row[x] : mx;
    double s = 0;
    for (size_t x = 0; x < n; x++) {
        row[x] = exp(row[x] - mx);
        s += row[x];
    }
    for (size_t x = 0; x < n; x++)
        row[x] /= s;
    return 1;
}

/* The whole posterior; returns the number of time bins without spikes. */
static size_t decoder_run(decoder *d, double *posterior)
{
    size_t empty = 0;
    decoder_sum_rates(d);
    for (size_t t = 0; t < d->n_tbins; t++)
        empty += !decode_tbin(d, t, posterior + t * d->n_bins);
    return empty;
}

int replay_decode(const double *maps, size_t n_cells, size_t n_bins, const uint32_t *counts,
                  size_t n_tbins, double tau_s, double eps_hz, double *posterior)
{
    if (!n_cells || !n_bins || !n_tbins || !positive(tau_s) || !positive(eps_hz))
        return HS_EINPUT;
    decoder d;
    if (decoder_init(&d, maps, n_cells, n_bins, counts, n_tbins, tau_s, eps_hz) != HS_OK)
        return HS_ENOMEM;
    decoder_run(&d, posterior);
    decoder_free(&d);
    return HS_OK;
}

/* ---- line fit ---- */

/* cum[t * (n + 1) + k] = sum_{x < k} posterior[t * n + x]. */
static void cumulate(const double *posterior, size_t n_tbins, size_t n, double *cum)
{
    for (size_t t = 0; t < n_tbins; t++) {
        const double *p = posterior + t * n;
        double *c = cum + t * (n + 1);
        c[0] = 0;
        for (size_t x = 0; x < n; x++)
            c[x + 1] = c[x] + p[x];
    }
}

/* Mass of time bin row within +-band of bin c. */
static double band_mass(const double *c, long n, long centre, long band)
{
    long lo = centre - band, hi = centre + band + 1;
    lo = lo < 0 ? 0 : lo > n ? n : lo;
    hi = hi < 0 ? 0 : hi > n ? n : hi;
    return c[hi] - c[lo];
}

/* bm[t * n + x]: the mass of time bin t within +-band of bin x, from the
 * cumulated rows. A line's bins all lie in [0, n), so the fit reads this
 * table instead of clamping band edges for every line and time bin. */
static void band_table(const double *cum, size_t n_tbins, size_t n, int band, double *bm)
{
    for (size_t t = 0; t < n_tbins; t++)
        for (size_t x = 0; x < n; x++)
            bm[t * n + x] = band_mass(cum + t * (n + 1), (long)n, (long)x, band);
}

/* off[(rise + n - 1) * n_tbins + t]: the line's offset from its start bin
 * at time bin t, rise = end - start in [-(n - 1), n - 1], rounded to the
 * nearest bin. NULL if out of memory. */
static long *line_offsets(size_t n_tbins, size_t n)
{
    long *off = malloc((2 * n - 1) * n_tbins * sizeof *off);
    if (!off)
        return NULL;
    double den = n_tbins > 1 ? (double)(n_tbins - 1) : 1;
    for (size_t k = 0; k < 2 * n - 1; k++) {
        double rise = (double)k - (double)(n - 1);
        for (size_t t = 0; t < n_tbins; t++)
            off[k * n_tbins + t] = (long)floor(rise * (double)t / den + 0.5);
    }
    return off;
}

/* The best line over the band table bm (band_table), time bin t read from
 * row order[t] (order NULL: row t); off from line_offsets. */
static replay_line fit_cum(const double *bm, size_t n_tbins, size_t n,
                           const size_t *order, const long *off)
{
    replay_line best = {0, 0, 0, -1};
    double den = n_tbins > 1 ? (double)(n_tbins - 1) : 1;
    size_t n_end = n_tbins > 1 ? n : 1;
    for (size_t a = 0; a < n; a++) {
        for (size_t e = 0; e < n_end; e++) {
            size_t b = n_tbins > 1 ? e : a;
            const long *o = off + (b + n - 1 - a) * n_tbins;
            double s = 0;
            for (size_t t = 0; t < n_tbins; t++)
                s += bm[(order ? order[t] : t) * n + (size_t)((long)a + o[t])];
            s /= (double)n_tbins;
            if (s > best.score)
                best = (replay_line){a, b, ((double)b - (double)a) / den, s};
        }
    }
    return best;
}

int replay_line_fit(const double *posterior, size_t n_tbins, size_t n_bins, int band,
                    replay_line *out)
{
    if (!n_tbins || !n_bins || band < 0)
        return HS_EINPUT;
    double *cum = malloc(n_tbins * (n_bins + 1) * sizeof *cum);
    double *bm = malloc(n_tbins * n_bins * sizeof *bm);
    long *off = line_offsets(n_tbins, n_bins);
    if (!cum || !bm || !off) {
        free(cum);
        free(bm);
        free(off);
        return HS_ENOMEM;
    }
    cumulate(posterior, n_tbins, n_bins, cum);
    band_table(cum, n_tbins, n_bins, band, bm);
    *out = fit_cum(bm, n_tbins, n_bins, NULL, off);
    free(cum);
    free(bm);
    free(off);
    return HS_OK;
}

/* ---- one event against its shuffles ---- */

typedef struct event_work {
    uint32_t *counts;     /* [n_cells * n_tbins] */
    double *post;         /* [n_tbins * n_bins] */
    double *cum;          /* [n_tbins * (n_bins + 1)] */
    double *bm;           /* [n_tbins * n_bins] band_table */
    double *scores;       /* [n_shuffle] */
    size_t *order;        /* [n_tbins] */
    long *off;            /* line_offsets */
} event_work;

static void work_free(event_work *w)
{
    free(w->counts);
    free(w->post);
    free(w->cum);
    free(w->bm);
    free(w->scores);
    free(w->order);
    free(w->off);
}

static int work_alloc(event_work *w, size_t n_cells, size_t n_bins, size_t n_tbins,
                      size_t n_shuffle)
{
    *w = (event_work){calloc(n_cells * n_tbins, sizeof(uint32_t)),
                      malloc(n_tbins * n_bins * sizeof(double)),
                      malloc(n_tbins * (n_bins + 1) * sizeof(double)),
                      malloc(n_tbins * n_bins * sizeof(double)),
                      malloc(n_shuffle * sizeof(double)), malloc(n_tbins * sizeof(size_t)),
                      line_offsets(n_tbins, n_bins)};
    if (!w->counts || !w->post || !w->cum || !w->bm || !w->scores || !w->order || !w->off) {
        work_free(w);
        return HS_ENOMEM;
    }
    return HS_OK;
}

/* Counts the window's spikes; returns the number of active cells. */
static size_t count_spikes(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                           double t_start_ms, double t_end_ms, double tbin_ms,
                           size_t n_cells, size_t n_tbins, uint32_t *counts)
{
    size_t active = 0;
    for (size_t k = 0; k < n_spikes; k++) {
        double ts = spike_t_ms[k];
        if (!(ts >= t_start_ms && ts < t_end_ms))
            continue;
        size_t t = (size_t)((ts - t_start_ms) / tbin_ms);
        t = t < n_tbins ? t : n_tbins - 1;
        counts[spike_id[k] * n_tbins + t]++;
    }
    for (size_t i = 0; i < n_cells; i++) {
        size_t c = 0;
        for (size_t t = 0; t < n_tbins; t++)
            c += counts[i * n_tbins + t];
        active += c > 0;
    }
    return active;
}

/* Sorts scores, fills the 95th percentile; returns the p-value of score. */
/* Scores equal in exact arithmetic (a mirrored line, a flat event's
 * permutations) differ in the last bits with the summation order: they tie. */
#define SCORE_TIE 1e-12

static double shuffle_summary(double *scores, size_t n, double score, double *q95)
{
    size_t ge = 0;
    for (size_t s = 0; s < n; s++)
        ge += scores[s] >= score - SCORE_TIE;
    gsl_sort(scores, 1, n);
    *q95 = gsl_stats_quantile_from_sorted_data(scores, 1, n, 0.95);
    return (1.0 + (double)ge) / (1.0 + (double)n);
}

/* Scores of place-field-shift shuffles: each cell's map rotated by a
 * uniform number of bins in [0, n_bins). */
static void shuffle_shift(decoder *d, event_work *w, int band, size_t n_shuffle,
                          uint64_t seed, uint32_t event_id)
{
    rng_state st;
    rng_stream_init(&st, seed, DECODE_RNG_KIND, SHUFFLE_SHIFT, event_id);
    gsl_rng r = rng_view(&st);
    for (size_t s = 0; s < n_shuffle; s++) {
        for (size_t i = 0; i < d->n_cells; i++)
            d->shift[i] = gsl_rng_uniform_int(&r, d->n_bins);
        decoder_run(d, w->post);
        cumulate(w->post, d->n_tbins, d->n_bins, w->cum);
        band_table(w->cum, d->n_tbins, d->n_bins, band, w->bm);
        w->scores[s] = fit_cum(w->bm, d->n_tbins, d->n_bins, NULL, w->off).score;
    }
}

/* Scores of time-bin permutations of the posterior whose band table is in bm. */
static void shuffle_perm(event_work *w, size_t n_tbins, size_t n_bins, size_t n_shuffle,
                         uint64_t seed, uint32_t event_id)
{
    rng_state st;
    rng_stream_init(&st, seed, DECODE_RNG_KIND, SHUFFLE_PERM, event_id);
    gsl_rng r = rng_view(&st);
    for (size_t t = 0; t < n_tbins; t++)
        w->order[t] = t;
    for (size_t s = 0; s < n_shuffle; s++) {
        gsl_ran_shuffle(&r, w->order, n_tbins, sizeof *w->order);
        w->scores[s] = fit_cum(w->bm, n_tbins, n_bins, w->order, w->off).score;
    }
}

static int event_check(const uint32_t *spike_id, size_t n_spikes, double t_start_ms,
                       double t_end_ms, size_t n_cells, size_t n_bins, double bin_cm,
                       const replay_decode_params *p, hs_error *err)
{
    int rc = replay_decode_params_check(p, err);
    if (rc != HS_OK)
        return rc;
    if (!n_cells || !n_bins || !positive(bin_cm))
        return hs_error_set(err, HS_EINPUT,
                            "replay decode: n_cells, n_bins and bin_cm must be > 0");
    if (!isfinite(t_start_ms) || !isfinite(t_end_ms) || !(t_end_ms > t_start_ms))
        return hs_error_set(err, HS_EINPUT, "replay decode: empty event window [%g, %g) ms",
                            t_start_ms, t_end_ms);
    for (size_t k = 0; k < n_spikes; k++)
        if (spike_id[k] >= n_cells)
            return hs_error_set(err, HS_EINPUT, "replay decode: spike %zu: cell %u >= %zu",
                                k, spike_id[k], n_cells);
    return HS_OK;
}

int replay_score_event(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                       double t_start_ms, double t_end_ms, const double *maps,
                       size_t n_cells, size_t n_bins, double bin_cm,
                       const replay_decode_params *p, double mean_speed_cm_s,
                       uint64_t seed, uint32_t event_id, replay_decoded *out,
                       hs_error *err)
{
    int rc = event_check(spike_id, n_spikes, t_start_ms, t_end_ms, n_cells, n_bins, bin_cm,
                         p, err);
    if (rc != HS_OK)
        return rc;
    size_t n_tbins = (size_t)ceil((t_end_ms - t_start_ms) / p->tbin_ms - 1e-9);
    n_tbins = n_tbins ? n_tbins : 1;
    double tau_s = 1e-3 * p->tbin_ms;
    event_work w;
    decoder d;
    if (work_alloc(&w, n_cells, n_bins, n_tbins, p->n_shuffle) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "replay decode: out of memory");
    if (decoder_init(&d, maps, n_cells, n_bins, w.counts, n_tbins, tau_s, p->eps_hz) != HS_OK) {
        work_free(&w);
        return hs_error_set(err, HS_ENOMEM, "replay decode: out of memory");
    }
    memset(out, 0, sizeof *out);
    out->event_id = event_id;
    out->n_tbins = n_tbins;
    out->n_active = count_spikes(spike_t_ms, spike_id, n_spikes, t_start_ms, t_end_ms,
                                 p->tbin_ms, n_cells, n_tbins, w.counts);
    out->n_empty = decoder_run(&d, w.post);
    cumulate(w.post, n_tbins, n_bins, w.cum);
    band_table(w.cum, n_tbins, n_bins, p->band, w.bm);
    out->line = fit_cum(w.bm, n_tbins, n_bins, NULL, w.off);
    out->slope_cm_per_s = out->line.slope * bin_cm / tau_s;
    out->compression = mean_speed_cm_s > 0 ? fabs(out->slope_cm_per_s) / mean_speed_cm_s : NAN;

    shuffle_perm(&w, n_tbins, n_bins, p->n_shuffle, seed, event_id);
    out->p_perm = shuffle_summary(w.scores, p->n_shuffle, out->line.score, &out->q95_perm);
    shuffle_shift(&d, &w, p->band, p->n_shuffle, seed, event_id);
    out->p_shift = shuffle_summary(w.scores, p->n_shuffle, out->line.score, &out->q95_shift);
    out->significant = out->line.score > out->q95_shift + SCORE_TIE &&
                       out->line.score > out->q95_perm + SCORE_TIE;
    decoder_free(&d);
    work_free(&w);
    return HS_OK;
}
