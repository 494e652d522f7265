/* h5weights.h: weight snapshots in the run file, /weights (layout and the
 * public calls in h5out.h). Internal to io/: each open h5out holds an
 * h5weights, and h5out_weights_add/_write wrap h5weights_add/_write with the
 * file's flush; h5out_info calls h5weights_info for each /weights member.
 * The readers h5in_weights_count/_read live in h5weights.c too.
 *
 * Errors are status codes filling an hs_error that names the file; nothing
 * is printed. Not thread-safe.
 */
#ifndef HS_H5WEIGHTS_H
#define HS_H5WEIGHTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hdf5.h>

#include "../base/error.h"

/* One projection being written. */
typedef struct h5weights_proj {
    char *name;    /* the projection: group /weights/<name> */
    char *units;   /* of its weights: the receptor's unit, "nS" or "pA" */
    hid_t grp;     /* /weights/<name>, open while the file is */
    size_t n_snap; /* snapshots written; numbers the next one */
    double last_t; /* ms, time of the latest snapshot; -inf before the first */
} h5weights_proj;

/* The projections of one file; all zero is empty. */
typedef struct h5weights {
    h5weights_proj *proj;
    size_t n;
} h5weights;

/* Closes the groups and frees what w holds (not w itself); w is empty after.
 * Returns < 0 when a close failed (everything is freed all the same). */
herr_t h5weights_clear(h5weights *w);

/* Creates /weights/<proj> in file with attrs pre_population, post_population
 * and units, and adds it to w. Returns its handle (>= 0), HS_EINPUT for a
 * projection name that is not one HDF5 link name or was added before, or an
 * empty population or units, HS_ENOMEM, or HS_EIO naming path. Does not
 * flush. */
int h5weights_add(h5weights *w, hid_t file, const char *path, const char *proj,
                  const char *pre_pop, const char *post_pop, const char *units,
                  hs_error *err);

/* As h5weights_add for a projection already in file (a resumed run):
 * keeps its first `keep` snapshots, removes later ones. HS_EINPUT when
 * the group or those snapshots are missing. */
int h5weights_reopen(h5weights *w, hid_t file, const char *path, const char *proj,
                     const char *units, size_t keep, hs_error *err);

/* Writes the next snapshot of projection h as h5out_weights_write says;
 * errors name path. Does not flush. */
int h5weights_write(h5weights *w, const char *path, int h, const uint64_t *pre,
                    const uint64_t *post, const double *weight, size_t n, double t_ms,
                    const char *phase, hs_error *err);

/* Prints the summary of projection /weights/<name> (top is the open group
 * /weights) for h5out_info: populations, units, number of snapshots, and
 * for the first and last their name, time, phase, synapse count and mean
 * weight. span_ms is unused (the signature of h5in.c's per-member calls).
 * Returns HS_EINPUT naming path, projection and snapshot when they are
 * malformed. */
int h5weights_info(const char *path, hid_t top, const char *name, FILE *out, double span_ms,
                   hs_error *err);

#endif
