/* h5out.h: the run file (DESIGN.md "The HDF5 file"), written as the run goes.
 *
 * Layout written here:
 *   /                        attrs magic uint32 0x0A7A, version uint32[2] {0,1}
 *   /spikes/<pop>            attr sorting: enum {none=0, by_id=1, by_time=2} = by_time,
 *                            optional attr n_nodes uint64 (h5out_spikes_set_size)
 *   /spikes/<pop>/timestamps float64 [n], chunked, extendible, attr units "ms"
 *   /spikes/<pop>/node_ids   uint64  [n], chunked, extendible
 *   /report/<pop>/data       float32 [n_times, n_values], extendible in time, attr units
 *                            and attr variable (the state variable's name)
 *   /report/<pop>/mapping/node_ids       uint64 [n_nodes]
 *   /report/<pop>/mapping/index_pointers uint64 [n_nodes + 1]
 *   /report/<pop>/mapping/element_ids    uint32 [n_values]
 *   /report/<pop>/mapping/time           float64 [3] {start, stop, dt}, attr units "ms"
 *   /phases/{name, stage}    variable-length strings, one row per phase
 *   /phases/{start_ms, stop_ms} float64, attr units "ms"
 *   /behavior/time           float64 [n], contiguous, attr units "ms": the
 *                            trajectory's sample times, increasing
 *   /behavior/position       float64 [n], contiguous, attr units "cm": along
 *                            the track
 *   /behavior/lap            uint32  [n], contiguous, attr units "": lap
 *                            number, from 0
 *   /behavior/direction      int8    [n], contiguous, attr units "": +1
 *                            running toward the track's end, -1 toward 0,
 *                            0 paused
 *   /behavior/segment        uint8   [n], contiguous, attr units "": the maze
 *                            segment the rat is on, a row of segments
 *   /behavior/x, /behavior/y float64 [n], contiguous, attr units "cm": where
 *                            the rat is drawn in the plane of the maze
 *   /behavior/segments/name  variable-length strings, one row per segment
 *   /behavior/segments/{x0, y0, x1, y1} float64, attr units "cm": the
 *                            segment's end points, drawn (for a circle, one
 *                            point twice: see task/track.h)
 *   /behavior/segments/offset_cm float64, attr units "cm": where the segment
 *                            starts on the linearized position axis
 *   /behavior/segments/length_cm float64, attr units "cm", > 0
 *                            (segment, x, y and segments are optional: a
 *                            file may have /behavior without them)
 *   /place_fields/<pop>      one group per population (the ground truth the
 *                            place-cell input was built from), cell i of
 *                            the population in element i of:
 *   /place_fields/<pop>/center_cm float64 [n], attr units "cm"; NaN for a
 *                                 cell without a field
 *   /place_fields/<pop>/width_cm  float64 [n], attr units "cm" and
 *                                 definition "sigma of the Gaussian field"
 *   /place_fields/<pop>/peak_hz   float64 [n], attr units "Hz"
 *   /place_fields/<pop>/direction int8 [n], attr units "": the direction
 *                                 the field fires in, +1, -1 or 0 for both
 *   /weights/<proj>          one group per projection, attrs pre_population,
 *                            post_population (strings: the populations' names)
 *                            and units (string: the receptor's unit, nS or pA)
 *   /weights/<proj>/<snap>   one group per snapshot, attrs t_ms (float64) and
 *                            phase (string); named by a zero-padded running
 *                            index "000000", "000001", ..., so that name
 *                            order is time order
 *   /weights/<proj>/<snap>/pre    uint64  [n], contiguous: population-local ids
 *                                 of the presynaptic neurons
 *   /weights/<proj>/<snap>/post   uint64  [n], contiguous: postsynaptic ids
 *   /weights/<proj>/<snap>/weight float64 [n], contiguous, attr units (as the
 *                                 projection's); synapse i is pre[i] -> post[i]
 *   /replay/events           one group, the replay events found at the end of
 *                            the run (replay/analysis.h), one element per
 *                            event in time order, attrs population (string:
 *                            the analysed population), alpha (float64: the
 *                            rank-order level), n_perm, n_shuffle (uint64),
 *                            bin_cm, tbin_ms (float64); every column is a
 *                            contiguous 1-D dataset with attrs units and
 *                            definition:
 *   /replay/events/start_ms, stop_ms  float64, "ms": the event [start, stop)
 *   /replay/events/phase     variable-length strings, "": its phase's name,
 *                            as in /phases/name
 *   /replay/events/n_cells   uint32, "": active place cells
 *   /replay/events/rank_corr float64, "": rank-order Spearman rho (NaN: too
 *                            few cells)
 *   /replay/events/p_value   float64, "": its Monte-Carlo p
 *   /replay/events/score     float64, "": the decoding line-fit score
 *   /replay/events/direction int8, "": +1 forward, -1 reverse, 0 none
 *   /replay/events/slope_cm_per_s float64, "cm/s": decoded replay speed
 *   /replay/events/compression float64, "": |slope| / mean running speed
 *                            (NaN: the rat never ran)
 *   /replay/events/significant uint8, "": 1 when decoding beats both shuffles
 *   /replay/events/p_shift, p_perm float64, "": the decoding p-values
 *   /replay/events/peak_ms   float64, "ms": the event's peak (highest rate)
 *   /replay/events/in_up_state int8, "": 1 the peak lies in an up state of
 *                            its phase (/sleep/up_states), 0 not, -1 the
 *                            phase has no slow oscillation
 *   /replay/template         one group, REM replay by template matching
 *                            (replay/template_run.h; Louie & Wilson 2001),
 *                            one row per nrem or rem phase scanned, attrs
 *                            population (string), bin_ms, lap_ms (float64;
 *                            lap_ms NaN without a lap), n_shuffle,
 *                            n_factors, n_cells, n_bins, n_laps (uint64),
 *                            note (string: why there is no template, or
 *                            ""); every dataset contiguous with attrs units
 *                            and definition:
 *   /replay/template/phase   variable-length strings [n], "": as /phases/name
 *   /replay/template/best_factor float64 [n], "": factor of highest z (NaN:
 *                            none scored: no window fits or holds spikes)
 *   /replay/template/p_best  float64 [n], "": its Bonferroni-corrected p
 *   /replay/template/{factor, r_max, z, p} float64 [n, n_factors], ""
 *   /replay/template/t_best_ms float64 [n, n_factors], "ms": the best window
 *   /sleep/up_states         one group, the up states of every slow-
 *                            oscillation drive (replay/drive.h), appended
 *                            as each phase starts; chunked, extendible 1-D
 *                            datasets with attrs units and definition:
 *   /sleep/up_states/start_ms, stop_ms float64, "ms": [start, stop), run time
 *   /sleep/up_states/phase, population variable-length strings, "": the
 *                            phase (as /phases/name) and the driven population
 *   /meta                    group, attrs: version (string), git_commit, seed (uint64),
 *                            threads (int32), config (the YAML text), overrides,
 *                            complete (int32, 0 until closed cleanly), wall_s (float64),
 *                            created (ISO 8601 string)
 *
 * Every write is followed by a flush, so a run that dies leaves a readable
 * file with complete = 0. Not thread-safe: only the main thread calls these,
 * never inside a parallel region.
 *
 * Errors are status codes, never printed HDF5 stacks: every function here
 * replaces HDF5's automatic error printing and, if HDF5 is not initialised
 * yet, turns off its exit-time teardown (H5dont_atexit), which in HDF5 1.10
 * segfaults after a failed close (full disk). main() should call
 * H5dont_atexit() before any other HDF5 call to be sure of the latter.
 */
#ifndef HS_H5OUT_H
#define HS_H5OUT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

typedef struct h5out h5out;

typedef struct h5out_meta {
    const char *version;      /* hebbsleep version string */
    const char *git_commit;   /* or "unknown" */
    uint64_t seed;
    int threads;
    const char *config_text;  /* the YAML file's text */
    const char *overrides;    /* the --set strings, or "" */
} h5out_meta;

/* Creates path (truncating an existing file) and writes the root attributes
 * and /meta with complete = 0. Returns NULL with err set (HS_EIO naming the
 * path) on failure. */
h5out *h5out_create(const char *path, const h5out_meta *meta, hs_error *err);

/* As h5out_create, into memory that h5out_close discards: the run file of
 * an MPI rank other than 0, which runs the same writer calls as rank 0 so
 * that every rank takes the same path. */
h5out *h5out_create_scratch(const h5out_meta *meta, hs_error *err);

/* Creates the spike group of a population (empty datasets); call once per
 * recorded population, before appending. Returns a handle >= 0 or a
 * negative code. */
int h5out_spikes_add(h5out *f, const char *pop, hs_error *err);

/* Appends n spikes (times in ms, population-local ids) to handle h. The
 * group's `sorting` stays by_time while times never decrease across all
 * appends; the first decrease rewrites it to none. */
int h5out_spikes_append(h5out *f, int h, const double *t_ms, const uint64_t *ids,
                        size_t n, hs_error *err);

/* Extension of the layout: writes attribute n_nodes (uint64, the population's
 * size) on /spikes/<pop> of handle h, so readers such as `hebbsleep info` can give
 * the mean rate per neuron. Optional; may be called again to overwrite. */
int h5out_spikes_set_size(h5out *f, int h, uint64_t n_nodes, hs_error *err);

/* Creates a report of one variable for a population: values of the
 * n_nodes neurons node_ids (one element each) sampled every dt_ms from
 * start_ms. SONATA holds one report per population in a file: a second
 * report of the same population, n_nodes 0 or dt_ms <= 0 give HS_EINPUT.
 * Returns a handle >= 0 or a negative code. */
int h5out_report_add(h5out *f, const char *pop, const char *variable,
                     const char *units, const uint64_t *node_ids, size_t n_nodes,
                     double start_ms, double dt_ms, hs_error *err);

/* Appends n_times rows of n_nodes floats (row-major) to report h, and sets
 * mapping/time's stop to start + rows * dt. */
int h5out_report_append(h5out *f, int h, const float *data, size_t n_times,
                        hs_error *err);

/* Writes /phases (replacing what was there). */
int h5out_phases_write(h5out *f, const char *const *names, const char *const *stages,
                       const double *start_ms, const double *stop_ms, size_t n,
                       hs_error *err);

/* Creates /weights/<proj> for the weight snapshots of a projection from
 * population pre_pop to post_pop, whose weights are in units (the
 * receptor's unit: "nS" for conductances, "pA" for currents); call once per
 * projection, before its snapshots. The strings are copied. Returns a
 * handle >= 0 for h5out_weights_write; HS_EINPUT when proj is not one HDF5
 * link name (empty, ".", holding '/') or was added before, or pre_pop,
 * post_pop or units is NULL or empty; HS_ENOMEM; HS_EIO naming the file. */
int h5out_weights_add(h5out *f, const char *proj, const char *pre_pop, const char *post_pop,
                      const char *units, hs_error *err);

/* Writes one snapshot of projection h: n synapses pre[i] -> post[i]
 * (population-local neuron ids) of weight[i] (in the projection's units),
 * taken at t_ms (ms of biological time) in phase (the phase's name; NULL is
 * written as ""). The snapshot is the group named by the projection's next
 * running index, "000000" first, written whole with its datasets at their
 * full size, then the file is flushed: a run killed later still has it.
 * The arrays stay the caller's; n may be 0 (then they may be NULL). Returns
 * HS_EINTERNAL for a bad handle or NULL arrays with n > 0; HS_EINPUT when
 * t_ms is not finite, is before the projection's previous snapshot (equal
 * is fine), or the projection has 1000000 snapshots already (the names
 * would stop sorting in time order); HS_EIO naming the file, after which no
 * half-written snapshot is left when HDF5 could still remove it. */
int h5out_weights_write(h5out *f, int h, const uint64_t *pre, const uint64_t *post,
                        const double *weight, size_t n, double t_ms, const char *phase,
                        hs_error *err);

/* Writes /behavior: the rat's trajectory of n samples, taken at time_ms[i]
 * (ms, finite and increasing) at position_cm[i] (cm along the track,
 * finite) in lap lap[i], running in direction[i] (+1 toward the track's
 * end, -1 toward 0, 0 paused). The whole trajectory goes in one call, as
 * contiguous datasets at their full size, then the file is flushed: a run
 * killed later still has it. The arrays stay the caller's; n may be 0
 * (then they may be NULL). Returns HS_EINTERNAL for NULL f or NULL arrays
 * with n > 0; HS_EINPUT when /behavior was written before, or for the
 * first sample that breaks the rules above (named with its index); HS_EIO
 * naming the file, after which no half-written /behavior is left when HDF5
 * could still remove it. */
int h5out_behavior_write(h5out *f, const double *time_ms, const double *position_cm,
                         const uint32_t *lap, const int8_t *direction, size_t n,
                         hs_error *err);

/* The maze's segment table (task/track.h): n rows, row k segment k, named
 * name[k] (NULL is written as ""), drawn from (x0_cm[k], y0_cm[k]) to
 * (x1_cm[k], y1_cm[k]) (cm, finite), starting at offset_cm[k] (cm, finite)
 * on the linearized position axis, length_cm[k] long (cm, finite, > 0).
 * The arrays stay the caller's. */
typedef struct h5out_segments {
    size_t n;
    const char *const *name;
    const double *x0_cm, *y0_cm, *x1_cm, *y1_cm;
    const double *offset_cm;
    const double *length_cm;
} h5out_segments;

/* Writes the maze's geometry under /behavior: for each of the n samples of
 * /behavior the segment the rat is on, segment[i] (a row of segs, so
 * < segs->n), and where it is drawn, (x_cm[i], y_cm[i]) (cm, finite); and
 * the segment table segs as /behavior/segments. Call once, after
 * h5out_behavior_write; written whole and flushed as h5out_behavior_write.
 * Returns HS_EINTERNAL for NULL f or segs, or NULL arrays with n > 0 or
 * segs->n > 0; HS_EINPUT when /behavior is missing or does not have n
 * samples, the geometry was written before, or for the first sample or
 * row that breaks the rules above (named with its index); HS_EIO naming
 * the file, after which no half-written geometry is left when HDF5 could
 * still remove it. */
int h5out_behavior_geometry_write(h5out *f, const uint8_t *segment, const double *x_cm,
                                  const double *y_cm, size_t n, const h5out_segments *segs,
                                  hs_error *err);

/* Writes /place_fields/<pop>: the ground-truth fields of the n cells of
 * population pop, cell i's centred at center_cm[i] (cm; NaN for a cell
 * without a field, never infinite) with Gaussian width (sigma) width_cm[i]
 * (cm, > 0), rate at the centre peak_hz[i] (Hz, >= 0), firing in direction
 * direction[i] (+1, -1, or 0 for both). Width and peak may be NaN only for
 * a cell without a field. Call once per population; written whole and
 * flushed as h5out_behavior_write. Returns HS_EINTERNAL for NULL f or NULL
 * arrays with n > 0; HS_EINPUT when pop is not one HDF5 link name (empty,
 * ".", holding '/'), was written before, or for the first cell that breaks
 * the rules above (named with its index); HS_EIO naming the file, as
 * h5out_behavior_write. */
int h5out_place_fields_write(h5out *f, const char *pop, const double *center_cm,
                             const double *width_cm, const double *peak_hz,
                             const int8_t *direction, size_t n, hs_error *err);

/* The replay events of a run: n rows, row k the event [start_ms[k],
 * stop_ms[k]) (ms, finite, start <= stop) of the phase named phase[k]
 * (NULL is written as ""), with the columns of replay/analysis.h's
 * replay_result: direction[k] +1, -1 or 0, significant[k] 0 or 1, peak_ms[k]
 * finite, in_up_state[k] +1, 0 or -1; and
 * what produced them: the population analysed (not NULL or empty), the
 * rank-order level alpha, n_perm, n_shuffle, bin_cm and tbin_ms. The
 * arrays stay the caller's; n may be 0 (then they may be NULL). */
typedef struct h5out_replay {
    size_t n;
    const double *start_ms, *stop_ms;
    const char *const *phase;
    const uint32_t *n_cells;
    const double *rank_corr, *p_value, *score;
    const int8_t *direction;
    const double *slope_cm_per_s, *compression;
    const uint8_t *significant;
    const double *p_shift, *p_perm;
    const double *peak_ms;
    const int8_t *in_up_state;
    const char *population;
    double alpha;
    uint64_t n_perm, n_shuffle;
    double bin_cm, tbin_ms;
} h5out_replay;

/* Writes /replay/events from r (layout above): once, whole, as contiguous
 * datasets at their full size, then the file is flushed. Returns
 * HS_EINTERNAL for NULL f or r or NULL arrays with n > 0; HS_EINPUT when
 * /replay/events was written before, or for the first row that breaks the
 * rules above (named with its index) or a bad population; HS_EIO naming
 * the file, after which no half-written /replay/events is left when HDF5
 * could still remove it. */
int h5out_replay_write(h5out *f, const h5out_replay *r, hs_error *err);

/* Appends n up states of population's slow oscillation in phase (the
 * names; not NULL or empty) to /sleep/up_states (layout above): rows
 * [start_ms[k], stop_ms[k]) (ms of run time, finite, start <= stop), then
 * the file is flushed; n 0 writes nothing. Call it as each phase starts
 * (sim/schedule.h's up_states callback), so that a run killed later still
 * has the up states of the phases it began. The arrays stay the caller's.
 * Returns HS_EINTERNAL for NULL f or NULL arrays with n > 0; HS_EINPUT for
 * a missing name or the first row that breaks the rules (named with its
 * index); HS_EIO naming the file, after which the datasets are cut back to
 * their former length when HDF5 still can. */
int h5out_up_states_append(h5out *f, const char *phase, const char *population,
                           const double *start_ms, const double *stop_ms, size_t n,
                           hs_error *err);

/* REM replay by template matching (replay/template_run.h) of a run: n
 * rows, row k the phase named phase[k] (NULL is written as "") scanned at
 * n_factors time-scale factors (1 .. 33), its best factor best_factor[k]
 * (NaN: none scored) and that factor's Bonferroni-corrected p_best[k] (in
 * [0, 1]); factor, r_max, z, p and t_best_ms hold n x n_factors values,
 * row-major (row k, factor f at k n_factors + f). And what produced them:
 * the population analysed (not NULL or empty), the template's bin_ms,
 * n_shuffle, the place cells n_cells (its rows), n_bins, the laps averaged
 * n_laps and their median running time lap_ms (NaN: no lap), and note, why
 * there is no template ("" or NULL when there is). The arrays stay the
 * caller's; n may be 0 (then they may be NULL). */
typedef struct h5out_template {
    size_t n, n_factors;
    const char *const *phase;
    const double *best_factor, *p_best;
    const double *factor, *r_max, *z, *p, *t_best_ms;
    const char *population;
    double bin_ms, lap_ms;
    uint64_t n_shuffle, n_cells, n_bins, n_laps;
    const char *note;
} h5out_template;

/* Writes /replay/template from t (layout above): once, whole, as
 * contiguous datasets at their full size, then the file is flushed.
 * Returns HS_EINTERNAL for NULL f or t or NULL arrays with n > 0;
 * HS_EINPUT when /replay/template was written before, n_factors is out of
 * range with n > 0, a p_best is outside [0, 1] or the population is bad;
 * HS_EIO naming the file, after which no half-written /replay/template is
 * left when HDF5 could still remove it. */
int h5out_template_write(h5out *f, const h5out_template *t, hs_error *err);

/* Sets /meta wall_s and flushes, then, when complete, complete = 1 and
 * flushes again, then closes. After a failed write (any HS_EIO before)
 * nothing more is written: the file stays as its last successful flush
 * left it, complete = 0, and HS_EIO is returned. Frees f even on error.
 * h5out_close(NULL, ...) returns HS_OK. */
int h5out_close(h5out *f, int complete, double wall_s, hs_error *err);

/* ---- reading (inputs of an experiment, tests; `hebbsleep info` reads a
 * run through h5run.h) ---- */

/* Reads a 1-D dataset of numbers (any integer or float type) from an HDF5
 * file into a new array of doubles or uint64s, converted by HDF5; for
 * spike_times sources. The caller frees *out, which is non-NULL on success
 * even when *n is 0. h5in_read_u64 refuses values that would not convert
 * exactly (negative, fractional, NaN, too large). Returns HS_EINPUT naming
 * file and dataset when either is missing or unreadable (HDF5 crashing on
 * it included: the file is read in a forked child first, h5util_guard),
 * or the dataset is not 1-D numeric or has more than 2^29
 * elements; then *out is NULL and *n is 0. */
int h5in_read_doubles(const char *path, const char *dataset, double **out,
                      size_t *n, hs_error *err);
int h5in_read_u64(const char *path, const char *dataset, uint64_t **out,
                  size_t *n, hs_error *err);

/* The length of a 1-D numeric dataset, read without reading its values (so
 * that a huge one is refused before it is allocated); errors as above. */
int h5in_length(const char *path, const char *dataset, size_t *n, hs_error *err);

/* Sets *n_snapshots to the number of weight snapshots of projection proj
 * (members of /weights/<proj>) in run file path. Returns HS_EINPUT naming
 * the file, with *n_snapshots 0, when it is missing, not HDF5, truncated,
 * or has no group /weights/<proj>. */
int h5in_weights_count(const char *path, const char *proj, size_t *n_snapshots,
                       hs_error *err);

/* Reads weight snapshot number `snapshot` (0 the first, in name order,
 * which is time order) of projection proj from run file path: n synapses
 * (*pre)[i] -> (*post)[i] of weight (*weight)[i] in the projection's units,
 * taken at *t_ms (ms). The three arrays are new (malloc'd), non-NULL on
 * success even when n is 0; the caller frees them. Integer or float ids
 * are accepted when they convert exactly to uint64. Returns HS_EINPUT with
 * a message naming the file, the projection and the snapshot when the file
 * is missing, not HDF5 or truncated, the projection or snapshot does not
 * exist, a dataset is missing, not 1-D numeric, or holds ids that are not
 * non-negative integers, the lengths differ, or t_ms is missing; HS_ENOMEM.
 * On error the arrays are NULL and *n and *t_ms are 0. */
int h5in_weights_read(const char *path, const char *proj, size_t snapshot,
                      uint64_t **pre, uint64_t **post, double **weight, size_t *n,
                      double *t_ms, hs_error *err);

/* Reads /behavior of run file path (layout above) into new (malloc'd)
 * arrays of its n samples: times (ms), positions (cm), laps and directions
 * (+1, -1, 0), non-NULL on success even when n is 0; the caller frees
 * them. Any numeric dataset types are accepted when the values convert
 * exactly. Returns HS_EINPUT with a message naming the file (and the
 * dataset, and the sample by its index) when the file is missing, not HDF5
 * or truncated, has no /behavior, a dataset is missing or not 1-D numeric,
 * the lengths differ, or a sample breaks the rules of
 * h5out_behavior_write; HS_ENOMEM. On error the arrays are NULL and *n 0.
 * Never prints. */
int h5in_behavior_read(const char *path, double **time_ms, double **position_cm,
                       uint32_t **lap, int8_t **direction, size_t *n, hs_error *err);

/* Reads /place_fields/<pop> of run file path into new (malloc'd) arrays of
 * its n cells: centres (cm, NaN without a field), widths (sigma, cm), peak
 * rates (Hz) and directions (+1, -1, 0 both), as h5in_behavior_read: the
 * caller frees them; HS_EINPUT naming the file and the population (no
 * group /place_fields/<pop>, a name that cannot be one, a dataset missing
 * or not 1-D numeric, lengths that differ, a cell that breaks the rules of
 * h5out_place_fields_write), HS_ENOMEM; on error NULL arrays and *n 0. */
int h5in_place_fields_read(const char *path, const char *pop, double **center_cm,
                           double **width_cm, double **peak_hz, int8_t **direction,
                           size_t *n, hs_error *err);

/* The maze geometry as read by h5in_behavior_geometry_read: n samples
 * (segment, x_cm, y_cm) and the n_segments rows of the segment table, all
 * new (malloc'd) arrays, non-NULL after a successful read even when empty;
 * free them with h5in_geometry_free. Fields as h5out_segments. */
typedef struct h5in_geometry {
    size_t n;
    uint8_t *segment;
    double *x_cm, *y_cm;
    size_t n_segments;
    char **name;
    double *x0_cm, *y0_cm, *x1_cm, *y1_cm;
    double *offset_cm;
    double *length_cm;
} h5in_geometry;

/* Reads the maze geometry under /behavior of run file path into *g (which
 * is overwritten; free it with h5in_geometry_free, also after an error).
 * Any numeric dataset types are accepted when the values convert exactly.
 * Returns HS_EINPUT with a message naming the file (and the dataset, and
 * the sample or row by its index) when the file is missing, not HDF5 or
 * truncated, has no /behavior/segment (no geometry), a dataset is missing
 * or of the wrong kind, the samples differ in length from /behavior/time
 * or the table's columns from each other, or a value breaks the rules of
 * h5out_behavior_geometry_write; HS_ENOMEM. On error *g is empty. Never
 * prints. */
int h5in_behavior_geometry_read(const char *path, h5in_geometry *g, hs_error *err);

/* Frees the arrays of g and empties it; g NULL does nothing. */
void h5in_geometry_free(h5in_geometry *g);

/* ---- resuming a run (app/resume_cmd.c, `hebbsleep resume`) ---- */

/* Opens the unfinished run file path to go on writing it: it must be a
 * hebbsleep run file of the same config text, overrides and seed as expect,
 * with complete = 0 (else HS_EINPUT naming it). A /replay left by a run
 * that died while closing is removed. Then the recorders are reopened in
 * the order they were added, each cut to what the checkpoint counts. */
h5out *h5out_reopen(const char *path, const h5out_meta *expect, hs_error *err);

/* /spikes/<pop> cut to its first keep spikes; a handle as h5out_spikes_add. */
int h5out_spikes_reopen(h5out *f, const char *pop, uint64_t keep, hs_error *err);

/* /report/<pop> cut to its first keep rows; a handle as h5out_report_add. */
int h5out_report_reopen(h5out *f, const char *pop, uint64_t keep, hs_error *err);

/* /weights/<proj> with its first keep snapshots; a handle as
 * h5out_weights_add. */
int h5out_weights_reopen(h5out *f, const char *proj, const char *units, size_t keep,
                         hs_error *err);

/* /sleep/up_states cut to its first keep rows. */
int h5out_up_states_truncate(h5out *f, uint64_t keep, hs_error *err);

/* What the recorders hold: spikes of spike handle h, rows of report h,
 * snapshots of weights handle h. */
uint64_t h5out_spikes_count(const h5out *f, int h);
uint64_t h5out_report_rows(const h5out *f, int h);
uint64_t h5out_weights_count(const h5out *f, int h);

/* Reads back all h5out_spikes_count(f, h) spikes of handle h. */
int h5out_spikes_read(h5out *f, int h, double *t_ms, uint64_t *ids, hs_error *err);

#endif
