/* h5behavior.h: the rat's behaviour and the ground-truth place fields in
 * the run file, /behavior and /place_fields (layout and the public calls in
 * h5out.h). The writers are internal to io/: h5out_behavior_write and
 * h5out_place_fields_write wrap h5behavior_write and h5behavior_fields_write
 * with the file's flush. The readers h5in_behavior_read and
 * h5in_place_fields_read live in h5behavior.c too, and so do the readers of
 * what `hebbsleep info` prints (app/info_behavior.c): h5behavior_summary_read
 * and h5behavior_fields_centers_read.
 *
 * Both are written once, whole, as contiguous datasets: the trajectory and
 * the fields are known before the run starts. Whether they were written is
 * read from the file (the group exists), so h5out keeps no state for them.
 *
 * Errors are status codes filling an hs_error that names the file; nothing
 * is printed. Not thread-safe.
 */
#ifndef HS_H5BEHAVIOR_H
#define HS_H5BEHAVIOR_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5run.h"

/* Writes /behavior to file as h5out_behavior_write says; errors name path.
 * Does not flush. */
int h5behavior_write(hid_t file, const char *path, const double *time_ms,
                     const double *position_cm, const uint32_t *lap,
                     const int8_t *direction, size_t n, hs_error *err);

/* Writes /place_fields/<pop> to file as h5out_place_fields_write says;
 * errors name path. Does not flush. */
int h5behavior_fields_write(hid_t file, const char *path, const char *pop,
                            const double *center_cm, const double *width_cm,
                            const double *peak_hz, const int8_t *direction, size_t n,
                            hs_error *err);

/* What the summary of a run gives of its /behavior: totals over the
 * samples, read in blocks so that memory stays small for any length. */
typedef struct h5behavior_summary {
    int found;                     /* 0: no /behavior (the rest is 0) */
    size_t n;                      /* samples */
    double t_first_ms, t_last_ms;  /* the first and last sample's time */
    double lap_min, lap_max;       /* the lowest and highest lap number */
    size_t steps;                  /* steps run: from a sample with
                                      direction != 0 to the next */
    double run_ms;                 /* ms, the steps' total duration */
    double run_cm;                 /* cm, the distance they cover: the sum
                                      of |position differences| */
} h5behavior_summary;

/* Reads the summary of /behavior of run into *s (found 0 without it).
 * Returns HS_EINPUT naming the file and the dataset when /behavior is
 * malformed, as h5in_behavior_read refuses it (a dataset missing or not
 * 1-D numeric, the lengths differ, a sample breaks the rules of
 * h5out_behavior_write); HS_ENOMEM. */
int h5behavior_summary_read(const h5run *run, h5behavior_summary *s, hs_error *err);

/* Reads the centres (cm, NaN for a cell without a field) of
 * /place_fields/<pop> of run into a new *center_cm of *n cells (non-NULL
 * on success even when n is 0; the caller frees it), after checking that
 * width_cm, peak_hz and direction are there with as many rows (their
 * values are not read). Returns HS_EINPUT naming the file and the
 * population when its datasets are missing, center_cm is not 1-D numeric
 * or they differ in length; HS_ENOMEM. On error *center_cm is NULL and *n
 * 0. */
int h5behavior_fields_centers_read(const h5run *run, const char *pop, double **center_cm,
                                   size_t *n, hs_error *err);

#endif
