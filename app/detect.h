/* detect.h: replay detection at the end of a run, for a config with a
 * replay section (io/config.h, hs_replay_config). The analysed
 * population's spikes are gathered in memory as the run goes (from the
 * run's spike sink), and so are the slow oscillation's up states (from the
 * schedule's sink); after the last phase replay/analysis.h runs on them,
 * the phases and the rat's trajectory in run time, each event is labelled
 * by the up states of its phase (replay/up_states.h), and the sleep phases
 * are matched against the wake laps' template (replay/template_run.h).
 * detect_write puts the results in the run file (/replay/events,
 * /replay/template) and detect_print summarises them. Not thread-safe:
 * call from the main thread, outside parallel regions.
 */
#ifndef HS_DETECT_H
#define HS_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../io/config.h"
#include "../io/h5out.h"
#include "../replay/analysis.h"
#include "../replay/template_run.h"
#include "../base/error.h"
#include "../task/track.h"

typedef struct detect detect;

/* For c (c->replay.present). NULL with err set (HS_ENOMEM) on failure. */
detect *detect_alloc(const hs_config *c, hs_error *err);

/* Frees r; detect_free(NULL) does nothing. */
void detect_free(detect *r);

/* The run's spikes of population pop (times in ms, population-local ids):
 * kept when pop is the analysed one. Returns HS_OK or HS_ENOMEM. */
int detect_spikes(detect *r, size_t pop, const double *t_ms, const uint64_t *ids,
                      size_t n, hs_error *err);

/* Keeps the up states [start_ms[j], stop_ms[j]) (ms, run time) of a
 * slow-oscillation drive in phase k. Returns HS_OK or HS_ENOMEM. */
int detect_up_states(detect *r, size_t k, const double *start_ms,
                         const double *stop_ms, size_t n, hs_error *err);

/* Runs the analysis (replay_analysis_run) on the spikes gathered, the
 * phases of c, phase k over [start_ms[k], stop_ms[k]) (ms, as /phases),
 * and the first n_run samples of the trajectory traj, sample i at run time
 * run_ms[i] (schedule_path_run_ms of its trajectory time), with
 * n_threads threads. Parameters from c->replay, the track from c->task
 * (a one-way track of generated laps is analysed in its one running
 * direction, a tracked rat or alternating laps in both), the seed from
 * c->seed. Fills *out (free it with replay_result_free), each event's
 * in_up_state from the up states kept; then the template matching
 * (replay_template_run_phases: c->replay's template_bin_ms and
 * template_shuffles, the place cells of *out) into *tmpl (free it with
 * replay_template_run_free). Returns the first error. */
int detect_analyse(detect *r, const hs_config *c, const double *start_ms,
                       const double *stop_ms, const track_traj *traj, const double *run_ms,
                       size_t n_run, int n_threads, replay_result *out,
                       replay_template_run *tmpl, hs_error *err);

/* Writes res to /replay/events and tmpl to /replay/template of file
 * (h5out_replay_write, h5out_template_write), phases named as in c.
 * Returns their status. */
int detect_write(const hs_config *c, const replay_result *res,
                     const replay_template_run *tmpl, h5out *file, hs_error *err);

/* Prints to f the analysed population's place cells and running speed and
 * the analysis' wall time wall_s (s), then per stage of c's phases (in
 * order of first appearance) its events, the fraction significant by
 * decoding and by rank order, the fraction forward and the median
 * compression (replay_summarize), then the REM phases' best template
 * factors with their corrected p (or why there is no template). */
void detect_print(const hs_config *c, const replay_result *res,
                      const replay_template_run *tmpl, double wall_s, FILE *f);

#endif
