/* decode.h: Bayesian decoding of replay events with a line fit
 * (Davidson, Kloosterman & Wilson 2009, Neuron 63:497).
 *
 * Place fields. Each cell's rate map f_i(x) (Hz) over position bins of
 * bin_cm from 0 cm is estimated from wake spikes and the rat's trajectory:
 *     f_i(x) = (G * c_i)(x) / (G * o)(x),
 * c_i the spike count and o the occupancy (s) in bin x, G a Gaussian of SD
 * smooth_cm (truncated at 3 SD, and at the track's ends); bins with no
 * occupancy within the kernel's reach get rate 0.
 *
 * Decoding. The event's spikes are counted in time bins of tau (10-20 ms);
 * with a uniform prior the posterior over position in time bin t is
 *     P(x | n) ~ prod_i f_i(x)^n_i exp(-tau sum_i f_i(x)),
 * f_i floored at eps_hz, computed in the log domain and normalised per time
 * bin. A time bin without spikes gets the uniform posterior 1 / n_bins.
 *
 * Line fit. Every line through (time bin 0, position bin a) and (time bin
 * T - 1, position bin b), a and b any position bins (Davidson 2009's
 * radon-like search), is scored by
 *     R = 1/T sum_t sum_{|x - line(t)| <= band} P(x | n_t),
 * line(t) rounded to the nearest bin; the best line wins (the first in
 * (a, b) order on ties). SCIENCE.md: band = 3.
 *
 * Significance. The score is compared with two shuffle kinds, n_shuffle
 * each: (1) circular place-field shift, each cell's rate map rotated by its
 * own random number of bins before decoding; (2) time-bin permutation of
 * the posterior. p = (1 + #{shuffle >= score}) / (1 + n_shuffle); the event
 * is significant when its score exceeds the 95th percentile of both
 * (Takigawa et al. 2023: one kind alone misjudges the false-positive rate).
 * Draws come from the Philox streams (seed, RNG_KIND_DECODE, kind, event_id),
 * kind 0 for shifts and 1 for permutations, so an event's result does not
 * depend on the other events or on threads.
 *
 * Replay speed: slope_cm_per_s = slope (bins per time bin) * bin_cm / tau;
 * compression = |slope_cm_per_s| / mean running speed.
 *
 * Nothing here writes files; all functions are thread-safe on distinct
 * outputs.
 */
#ifndef HS_REPLAY_DECODE_H
#define HS_REPLAY_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

/* ---- types ---- */

typedef struct replay_maps_params {
    double bin_cm;        /* position bin width (cm); 2.5 (SCIENCE.md: 2-5 cm) */
    size_t n_bins;        /* position bins; 80 (a 200 cm track) */
    double smooth_cm;     /* Gaussian smoothing SD (cm); 4; 0 = none */
    int dir;              /* +1 or -1: only samples running that way;
                             0: every sample with dir != 0 (running) */
} replay_maps_params;

typedef struct replay_decode_params {
    double tbin_ms;       /* time bin (ms); 15 (SCIENCE.md: 10-20 ms) */
    double eps_hz;        /* rate floor (Hz); 0.01 */
    int band;             /* half-width of the line's band (bins); 3 */
    size_t n_shuffle;     /* shuffles of each kind; 1000 (at least 500) */
} replay_decode_params;

typedef struct replay_line {
    size_t start_bin;     /* position bin at time bin 0 */
    size_t end_bin;       /* position bin at the last time bin */
    double slope;         /* bins per time bin, (end - start) / (T - 1) */
    double score;         /* mean posterior mass within +-band of the line */
} replay_line;

typedef struct replay_decoded {
    uint32_t event_id;
    size_t n_tbins;       /* time bins of the event */
    size_t n_empty;       /* of them without spikes (uniform posterior) */
    size_t n_active;      /* cells with at least one spike */
    replay_line line;     /* best fit to the event's posterior */
    double slope_cm_per_s;
    double compression;   /* |slope_cm_per_s| / mean speed; NaN if speed <= 0 */
    double q95_shift;     /* 95th percentile of the place-field-shift scores */
    double q95_perm;      /* 95th percentile of the time-permutation scores */
    double p_shift;       /* (1 + #{shift score >= score}) / (1 + n_shuffle); scores
                             within 1e-12 tie (rounding of equal sums) */
    double p_perm;        /* same for time-bin permutations */
    int significant;      /* score > q95_shift and score > q95_perm (by > 1e-12) */
} replay_decoded;

/* ---- parameters ---- */

void replay_maps_params_default(replay_maps_params *p);
void replay_decode_params_default(replay_decode_params *p);

/* HS_OK, or HS_EINPUT with a message naming the field. */
int replay_maps_params_check(const replay_maps_params *p, hs_error *err);
int replay_decode_params_check(const replay_decode_params *p, hs_error *err);

/* ---- operations ---- */

/* Rate maps (Hz) of n_cells cells into maps[n_cells * p->n_bins] (row-major,
 * caller-owned). Spikes: spike_t_ms[k] of cell spike_id[k] (< n_cells), any
 * order; a spike takes the position of the last trajectory sample at or
 * before it and is dropped outside the trajectory's time span. Trajectory:
 * n_samples samples at increasing traj_t_ms with position traj_x_cm (cm, from
 * 0) and direction traj_dir (+1, -1, 0 paused; NULL: every sample counts,
 * whatever p->dir). Sample k stands for t[k+1] - t[k] (the last for the one
 * before it). Positions outside [0, n_bins bin_cm) are clamped to the end
 * bins. Returns HS_OK, HS_EINPUT (bad parameters or ids, fewer than 2
 * samples, decreasing times) or HS_ENOMEM; maps is undefined on error. */
int replay_rate_maps(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                     size_t n_cells, const double *traj_t_ms, const double *traj_x_cm,
                     const int8_t *traj_dir, size_t n_samples,
                     const replay_maps_params *p, double *maps, hs_error *err);

/* Posterior over position per time bin, posterior[n_tbins * n_bins]
 * (row-major, caller-owned), from maps[n_cells * n_bins] (Hz) and counts
 * [n_cells * n_tbins] (row-major: cell i, time bin t at i * n_tbins + t),
 * time bin tau_s (s) and rate floor eps_hz > 0. Each row sums to 1; rows
 * without spikes are uniform. Returns HS_OK or HS_EINPUT (a size 0, tau_s or
 * eps_hz not positive and finite) or HS_ENOMEM. */
int replay_decode(const double *maps, size_t n_cells, size_t n_bins, const uint32_t *counts,
                  size_t n_tbins, double tau_s, double eps_hz, double *posterior);

/* The best line through posterior[n_tbins * n_bins] (see above), band >= 0.
 * With one time bin the line is flat (end = start). Returns HS_OK,
 * HS_EINPUT (a size 0, band < 0) or HS_ENOMEM. */
int replay_line_fit(const double *posterior, size_t n_tbins, size_t n_bins, int band,
                    replay_line *out);

/* Decodes one event: the spikes spike_t_ms[k] (ms) of cells spike_id[k]
 * (< n_cells) in [t_start_ms, t_end_ms) (others ignored), binned into
 * ceil((t_end - t_start) / tbin_ms) bins, against maps[n_cells * n_bins]
 * of bin_cm bins; fits the line and scores it against both shuffle kinds
 * (draws keyed by seed and event_id). mean_speed_cm_s: the mean running
 * speed for the compression. Returns HS_OK, HS_EINPUT (bad parameters,
 * ids, an empty or reversed window) or HS_ENOMEM, with err filled. */
int replay_score_event(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                       double t_start_ms, double t_end_ms, const double *maps,
                       size_t n_cells, size_t n_bins, double bin_cm,
                       const replay_decode_params *p, double mean_speed_cm_s,
                       uint64_t seed, uint32_t event_id, replay_decoded *out,
                       hs_error *err);

#endif
