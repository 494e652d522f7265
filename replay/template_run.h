/* template_run.h: REM replay by template matching (template.h; Louie &
 * Wilson 2001) over a whole run: the spikes, phases and trajectory of
 * analysis.h, all in run time (ms from the start of the run).
 *
 * 1. Laps (replay_template_run_laps). Only trajectory samples inside wake
 *    phases on the track (replay_phase_on_track) count. A lap starts at the
 *    first such sample and wherever the lap index changes from the previous
 *    such sample (a lap that goes on after a sleep does not start again,
 *    nor one begun in a wake phase elsewhere). It is complete when a sample of
 *    its wake phase follows its last moving sample (dir != 0): a paused one,
 *    or the next lap's first; a lap cut by the end of its phase or of the
 *    trajectory is not, and neither is one that never moves. Its running
 *    time is from its first sample to that following sample: the pause at
 *    the end of a lap is left out. lap_ms is the median running time of
 *    the complete laps.
 * 2. Template (replay_template_from_laps). K = floor(lap_ms / bin_ms)
 *    bins; the laps averaged are the complete ones whose K bins end inside
 *    their wake phase. Rows are the place cells (is_place, the analysis'
 *    place cells) in cell order, from their wake spikes. On a track run
 *    both ways the laps of both directions are averaged: with directional
 *    fields each cell's row holds the timing of its own direction.
 * 3. Scan (replay_template_scan). Every phase of stage "rem" or "nrem"
 *    that is not empty is scanned over [start_ms, stop_ms) with its place
 *    cells' spikes, its random streams keyed by the phase's index. Phases
 *    are scanned in parallel over n_threads OpenMP threads; the result is
 *    bitwise the same for any n_threads.
 *
 * Without a template (no place cell, no complete lap, K < 2, a flat
 * template: no place-cell spike in the laps) no phase is scanned (n = 0)
 * and why says which. Nothing here writes files.
 */
#ifndef HS_REPLAY_TEMPLATE_RUN_H
#define HS_REPLAY_TEMPLATE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "analysis.h"
#include "template.h"

/* ---- types ---- */

typedef struct replay_template_run_params {
    replay_template_params tp;    /* template.h's defaults: 500 ms bins, 0.25-4x, 9
                                     factors, 200 shuffles */
    uint64_t seed;                /* keys the shuffles' streams */
    int n_threads;                /* 1: OpenMP threads scanning phases */
} replay_template_run_params;

/* A complete lap (step 1). */
typedef struct replay_lap {
    double start_ms;              /* its first sample (run time) */
    double run_ms;                /* running time: to the sample after its last
                                     moving one */
    double phase_stop_ms;         /* end of the wake phase it lies in */
} replay_lap;

/* What the scan found: one result per phase scanned. */
typedef struct replay_template_run {
    size_t n;                     /* phases scanned */
    uint32_t *phase;              /* [n] their indices, increasing */
    replay_template_result *res;  /* [n] */
    size_t n_cells;               /* place cells: the template's rows */
    size_t n_laps;                /* laps averaged into the template */
    size_t n_bins;                /* K, bins of the template; 0: none */
    double lap_ms;                /* median running time of a lap (ms); NAN: no lap */
    const char *why;              /* NULL, or why there is no template (static) */
} replay_template_run;

/* ---- parameters ---- */

void replay_template_run_params_default(replay_template_run_params *p);

/* ---- operations ---- */

/* The complete laps of trajectory tr (step 1) in the n_phases phases ph
 * (in time order) into laps (room for tr->n of them), in time order.
 * Returns how many there are. Thread-safe. */
size_t replay_template_run_laps(const replay_traj *tr, const replay_phase *ph,
                                size_t n_phases, replay_lap *laps);

/* Builds the template of the place cells is_place[n_cells] of s (NULL or
 * none: no template) from the wake laps of tr and scans the sleep phases
 * of ph (steps 1-3). Fills *out (free it with replay_template_run_free,
 * also after an error). Returns HS_OK (also without a template),
 * HS_EINPUT (bad parameters, ids >= n_cells) or HS_ENOMEM, with err
 * filled; then out is empty. Call it outside parallel regions. */
int replay_template_run_phases(const replay_template_run_params *p, const replay_spikes *s,
                               const uint8_t *is_place, const replay_phase *ph,
                               size_t n_phases, const replay_traj *tr,
                               replay_template_run *out, hs_error *err);

/* Frees what r holds and empties it; r NULL does nothing. */
void replay_template_run_free(replay_template_run *r);

#endif
