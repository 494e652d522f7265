/* events.h: candidate replay events from the excitatory population rate.
 *
 * A candidate event is a burst of population activity (a sharp-wave ripple
 * or a sleep "frame"): the excitatory spikes of [t0, t1) are counted in bins
 * of bin_ms and turned into a rate per cell
 *     r_b = count_b / (n_cells * bin_ms / 1000)        (Hz per cell),
 * smoothed by a Gaussian of SD smooth_ms (GSL's gsl_filter_gaussian, ends
 * padded with the end values, kernel +-3 SD). With m and s the mean and SD
 * of the smoothed rate over the window's whole bins, an event is a run of
 * bins with r > m + k_sd s, extended on both sides to the last bins with
 * r > m (its edges are where the rate returns to the mean); two crossings
 * within one excursion above the mean make one event. An event is kept when
 *     min_ms <= duration <= max_ms,
 *     at least min_cells distinct cells spike inside it (only place cells
 *         when an is_place mask is given), and,
 *     with a speed trace, the rat's mean speed during the event is below
 *         max_speed_cm_s (awake replay happens at rest).
 * Defaults follow SCIENCE.md ("Replay detection") and Davidson, Kloosterman
 * & Wilson 2009 (Neuron 63:497): 5-10 ms bins, mean + 3 SD with edges at the
 * mean, 50-500 ms, >= 5 active place cells, speed < 5 cm/s in wake.
 */
#ifndef HS_REPLAY_EVENTS_H
#define HS_REPLAY_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

/* ---- types ---- */

typedef struct replay_event_params {
    double bin_ms;          /* 5: rate bin (Davidson et al. 2009; SCIENCE.md 5-10 ms) */
    double smooth_ms;       /* 10: SD of the Gaussian smoothing; 0 = none */
    double k_sd;            /* 3: threshold mean + k_sd SD (Davidson et al. 2009) */
    double min_ms;          /* 50: shortest event (SCIENCE.md) */
    double max_ms;          /* 500: longest event (SCIENCE.md) */
    size_t min_cells;       /* 5: distinct active (place) cells (SCIENCE.md) */
    const uint8_t *is_place;/* NULL: every cell counts; else [n_cells], nonzero = place cell */
    const double *speed_t_ms;   /* NULL: no speed filter (sleep); else [n_speed] sample
                                   times (ms, increasing) */
    const double *speed_cm_s;   /* [n_speed] the rat's speed at speed_t_ms (cm/s) */
    size_t n_speed;
    double max_speed_cm_s;  /* 5: awake events only below it (Davidson et al. 2009) */
} replay_event_params;

typedef struct replay_event {
    double start_ms, stop_ms;   /* [start, stop): bin edges where the rate meets the mean */
    double peak_ms;             /* centre of the bin of highest smoothed rate */
    double peak_hz;             /* that rate (Hz per cell) */
    size_t n_cells;             /* distinct active cells counted (place cells with a mask) */
    double speed_cm_s;          /* mean speed during the event; NAN without a speed trace */
} replay_event;

/* ---- parameters ---- */

void replay_event_params_default(replay_event_params *p);

/* HS_OK or HS_EINPUT naming the bad field. */
int replay_event_params_check(const replay_event_params *p, hs_error *err);

/* ---- operations ---- */

/* Finds the events of the spikes (t_ms[i], ids[i]), i < n, in [t0_ms,
 * t1_ms); spikes outside are ignored, their order does not matter; ids are
 * cell indices < n_cells. The window is cut to whole bins and must hold at
 * least 3. On success *out (caller frees with free(); NULL when *n_out is
 * 0) holds the events in time order. The speed during an event is the
 * mean of the samples inside it, or the speed interpolated at its middle
 * when no sample falls inside. Returns HS_OK, HS_EINPUT (bad parameters,
 * ids >= n_cells, a bad window) or HS_ENOMEM; then *out = NULL, *n_out = 0.
 * Thread-safe; deterministic. */
int replay_events_find(const double *t_ms, const uint32_t *ids, size_t n, double t0_ms,
                       double t1_ms, size_t n_cells, const replay_event_params *p,
                       replay_event **out, size_t *n_out, hs_error *err);

#endif
