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
#include <stdio.h>

#include "../sim/error.h"

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
 * size) on /spikes/<pop> of handle h, so readers such as h5out_info can give
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

/* Sets /meta complete = 1 (when complete) and wall_s, then closes. Frees f
 * even on error. h5out_close(NULL, ...) returns HS_OK. */
int h5out_close(h5out *f, int complete, double wall_s, hs_error *err);

/* ---- reading (hebbsleep info, tests) ---- */

/* Prints a summary of a run file to out: version, git commit, seed,
 * threads, complete (an interrupted run, complete = 0, is said so plainly),
 * wall time, phases, per spike population the count and the rate over the
 * phases' span (count / span, Hz for the whole population, and per neuron
 * when /spikes/<pop> has n_nodes), and per report its variable, units and
 * shape. Returns HS_EINPUT naming the file, with nothing printed to stderr,
 * for a file that is missing, empty, not HDF5, truncated, or not a
 * hebbsleep run (no root magic); what was printed before an error found
 * midway stays printed. */
int h5out_info(const char *path, FILE *out, hs_error *err);

/* Reads a 1-D dataset of numbers (any integer or float type) from an HDF5
 * file into a new array of doubles or uint64s, converted by HDF5; for
 * spike_times sources. The caller frees *out, which is non-NULL on success
 * even when *n is 0. h5in_read_u64 refuses values that would not convert
 * exactly (negative, fractional, NaN, too large). Returns HS_EINPUT naming
 * file and dataset when either is missing or unreadable, or the dataset is
 * not 1-D numeric; then *out is NULL and *n is 0. */
int h5in_read_doubles(const char *path, const char *dataset, double **out,
                      size_t *n, hs_error *err);
int h5in_read_u64(const char *path, const char *dataset, uint64_t **out,
                  size_t *n, hs_error *err);

#endif
