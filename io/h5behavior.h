/* h5behavior.h: the rat's behaviour and the ground-truth place fields in
 * the run file, /behavior and /place_fields (layout and the public calls in
 * h5out.h). Internal to io/: h5out_behavior_write and
 * h5out_place_fields_write wrap h5behavior_write and h5behavior_fields_write
 * with the file's flush; h5out_info calls h5behavior_info and, for each
 * /place_fields member, h5behavior_fields_info. The readers
 * h5in_behavior_read and h5in_place_fields_read live in h5behavior.c too.
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
#include <stdio.h>

#include <hdf5.h>

#include "../base/error.h"

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

/* Prints the behaviour summary of h5out_info ("behavior: none" without
 * /behavior), reading the trajectory in blocks so that memory stays small
 * for any length. Returns HS_EINPUT naming path and the dataset when
 * /behavior is malformed (as h5in_behavior_read refuses it). */
int h5behavior_info(const char *path, hid_t file, FILE *out, hs_error *err);

/* Prints the summary of /place_fields/<name> (top is the open group
 * /place_fields) for h5out_info: cells, cells with a field and the range
 * of their centres. span_ms is unused (the signature of h5in.c's
 * per-member calls). Returns HS_EINPUT naming path and the population when
 * its datasets are missing, not 1-D numeric or differ in length. */
int h5behavior_fields_info(const char *path, hid_t top, const char *name, FILE *out,
                           double span_ms, hs_error *err);

#endif
