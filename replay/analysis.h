/* analysis.h: replay detection over a whole run (SCIENCE.md "Replay
 * detection"): the building blocks of events.h, rank.h and decode.h run on
 * one population's spikes, the run's phases and the rat's trajectory.
 *
 * Time. Spikes, phases and trajectory samples are in run time (ms from the
 * start of the run). The trajectory's clock runs only in wake phases, so
 * its samples lie inside wake phases (samples outside are ignored); for
 * place fields and speeds the wake phases are laid end to end ("wake
 * time"), so a sleep between two wake phases is neither occupancy nor
 * movement.
 *
 * 1. Place fields (fields.h): rate maps (replay_rate_maps) from the spikes in wake
 *    phases, over ceil(track_cm / bin_cm) bins, smoothed by 4 cm
 *    (replay_maps_params_default). A one-way track (run_dir +1 or -1) has
 *    one map per cell, of samples running run_dir; a track run both ways
 *    (run_dir 0) has one per direction, and a third of all running samples
 *    for decoding. A cell's field centre in a direction is the centre of
 *    its map's highest bin (the first on ties); it is a place cell when a
 *    map of it peaks at >= min_peak_hz (1 Hz: a cell that fires less where
 *    it fires most has no field worth ordering; cf. the 1-2 Hz peak
 *    criteria of Davidson et al. 2009 and Lee & Wilson 2002). Without place
 *    cells (or fewer than 2 trajectory samples) there are no events.
 * 2. Candidate events (replay_events_find, replay_event_params_default)
 *    per phase over [start_ms, stop_ms), counting active place cells; in
 *    wake phases with the speed filter (< 5 cm/s). Phases shorter than 3
 *    rate bins have none. Events get ids 0, 1, ... in time order; the ids
 *    key every random stream, so a result depends on nothing else.
 * 3. Rank order (replay_rank_order, n_perm permutations) against the field
 *    centres of each running direction (+1 and -1, or run_dir alone). With
 *    two directions the one of smaller p is kept and its p is doubled
 *    (Bonferroni, at most 1), so p < alpha keeps its meaning. direction is
 *    +1 (forward) when the cells fire in the order the rat passes their
 *    fields running that way, -1 (reverse) against it: sign(rho) x run
 *    direction; 0 when rho is 0 or not defined (too few cells: rank_corr
 *    NaN, p_value 1).
 * 4. Bayesian decoding (replay_score_event; tbin_ms, n_shuffle, band 3,
 *    eps 0.01 Hz) of the place cells' spikes against their maps (the
 *    one-way map, or the all-running one); the mean running speed for the
 *    compression is the mean speed of the trajectory samples faster than
 *    5 cm/s. A sample's speed is |dx| / dt to the next sample of the same
 *    lap (else from the previous one; 0 alone in its lap), in wake time:
 *    a one-way rat carried back to the start is not running.
 *
 * Events are scored in parallel over n_threads OpenMP threads; the rows are
 * bitwise the same for any n_threads. Nothing here writes files.
 */
#ifndef HS_REPLAY_ANALYSIS_H
#define HS_REPLAY_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../base/error.h"

/* ---- types ---- */

typedef struct replay_analysis_params {
    size_t n_perm;        /* 1000: rank-order permutations (>= REPLAY_RANK_MIN_PERM) */
    size_t n_shuffle;     /* 500: decoding shuffles of each kind (>= 500) */
    double bin_cm;        /* 2.5: position bin (SCIENCE.md 2-5 cm) */
    double tbin_ms;       /* 15: decoding time bin (SCIENCE.md 10-20 ms) */
    double alpha;         /* 0.05: rank-order significance level (SCIENCE.md) */
    double track_cm;      /* 200: the linear track's length */
    int run_dir;          /* 0: the rat runs both ways; +1 / -1: only that way */
    double min_peak_hz;   /* 1: a place cell's map peaks at least here (Hz) */
    uint64_t seed;        /* keys the shuffles' streams */
    int n_threads;        /* 1: OpenMP threads scoring events */
} replay_analysis_params;

/* A phase of the run: [start_ms, stop_ms) in stage "wake", "rest", "nrem"
 * or "rem". The rat's running in wake phases gives the place fields (and
 * the REM template) unless elsewhere: a wake phase in another environment,
 * whose running says nothing of this track's fields and whose events are
 * not sought. */
typedef struct replay_phase {
    const char *stage;
    double start_ms, stop_ms;
    int elsewhere;
} replay_phase;

/* A wake phase on this track: its running estimates the fields. */
static inline int replay_phase_on_track(const replay_phase *ph)
{
    return ph->stage && strcmp(ph->stage, "wake") == 0 && !ph->elsewhere;
}

/* The analysed population: n spikes at t_ms[k] (run time, any order) of
 * cell ids[k] < n_cells. */
typedef struct replay_spikes {
    const double *t_ms;
    const uint32_t *ids;
    size_t n;
    size_t n_cells;
} replay_spikes;

/* The rat: n samples at t_ms[k] (run time, increasing) at x_cm[k] (cm from
 * the track's start) running dir[k] (+1, -1, 0 paused) in lap[k] (may be
 * NULL: one lap). */
typedef struct replay_traj {
    const double *t_ms;
    const double *x_cm;
    const int8_t *dir;
    const uint32_t *lap;
    size_t n;
} replay_traj;

/* One row per event, columns of n values (all NULL when n is 0), and the
 * place cells found. */
typedef struct replay_result {
    size_t n;
    double *start_ms, *stop_ms;   /* the event [start, stop) (ms) */
    double *peak_ms;              /* its peak: the centre of the rate bin of highest
                                     smoothed rate (events.h) */
    uint32_t *phase;              /* index of its phase */
    uint32_t *n_cells;            /* active place cells */
    double *rank_corr;            /* Spearman rho of the kept direction; NaN: none */
    double *p_value;              /* rank-order p (Bonferroni over directions) */
    double *score;                /* decoding line-fit score, 0 .. 1 */
    int8_t *direction;            /* +1 forward, -1 reverse, 0 (rank order) */
    double *slope_cm_per_s;       /* decoded replay speed, signed (cm/s) */
    double *compression;          /* |slope| / mean running speed; NaN: no running */
    uint8_t *significant;         /* 1: decoding beats both shuffles' 95th percentiles */
    double *p_shift, *p_perm;     /* decoding p against each shuffle kind */
    int8_t *in_up_state;          /* 1: the peak lies in an up state of its phase, 0:
                                     not, -1: no slow oscillation known (always -1
                                     here; replay_up_states_label fills it) */
    size_t n_place;               /* place cells found */
    size_t pop_size;              /* the population's cells */
    uint8_t *is_place;            /* [pop_size] 1: a place cell; NULL without fields */
    double mean_speed_cm_s;       /* mean running speed (> 5 cm/s samples); 0: none */
} replay_result;

/* What a set of events amounts to (replay_summarize). */
typedef struct replay_summary {
    size_t n_events;
    size_t n_rank_sig;            /* p_value < alpha */
    size_t n_sig;                 /* significant (decoding) */
    double forward;               /* of the rank-order significant events with a
                                     direction, the fraction forward; NaN: none */
    double median_compression;    /* median compression of the decoding-significant
                                     events (finite ones); NaN: none */
} replay_summary;

/* ---- parameters ---- */

void replay_analysis_params_default(replay_analysis_params *p);

/* HS_OK or HS_EINPUT naming the bad field. */
int replay_analysis_params_check(const replay_analysis_params *p, hs_error *err);

/* ---- operations ---- */

/* Runs the analysis above on spikes s, the n_phases phases ph (in time
 * order, not overlapping) and the trajectory tr; fills *out (free it with
 * replay_result_free, also after an error). Returns HS_OK, HS_EINPUT (bad
 * parameters, ids >= n_cells, a phase with stop < start, trajectory times
 * not increasing) or HS_ENOMEM, with err filled; then out is empty. Call it
 * outside parallel regions. */
int replay_analysis_run(const replay_analysis_params *p, const replay_spikes *s,
                        const replay_phase *ph, size_t n_phases, const replay_traj *tr,
                        replay_result *out, hs_error *err);

/* Frees the columns of r and empties it; r NULL does nothing. */
void replay_result_free(replay_result *r);

/* Summarises the events k < r->n with keep[r->phase[k]] nonzero (keep NULL:
 * all) at level alpha. */
void replay_summarize(const replay_result *r, const uint8_t *keep, double alpha,
                      replay_summary *s);

#endif
