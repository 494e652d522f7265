/* h5weights.h: weight snapshots in the run file, /weights (layout and the
 * public calls in h5out.h). The writer is internal to io/: each open h5out
 * holds an h5weights, and h5out_weights_add/_write wrap h5weights_add/_write
 * with the file's flush. The readers h5in_weights_count/_read live in
 * h5weights.c too, and so do those of what the summary of `hebbsleep info`
 * prints per projection (app/info_weights.c): h5weights_desc_read and
 * h5weights_stats_read.
 *
 * Errors are status codes filling an hs_error that names the file; nothing
 * is printed. Not thread-safe.
 */
#ifndef HS_H5WEIGHTS_H
#define HS_H5WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5run.h"

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

/* ---- the summary of a run ---- */

/* What /weights/<proj> says of itself; new strings (h5weights_desc_free). */
typedef struct h5weights_desc {
    char *pre, *post;   /* attrs pre_population, post_population */
    char *units;        /* of the weights, the receptor's unit */
    size_t n_snapshots; /* members of the group */
} h5weights_desc;

/* Reads the attributes and the number of snapshots of /weights/<proj> of
 * run into *d (overwritten). Returns HS_EINPUT naming the file and the
 * projection when the group cannot be opened or listed, or lacks one of
 * its string attributes; then *d is empty. */
int h5weights_desc_read(const h5run *run, const char *proj, h5weights_desc *d,
                        hs_error *err);

/* Frees the strings of d and empties it; NULL does nothing. */
void h5weights_desc_free(h5weights_desc *d);

/* One snapshot as the summary gives it; new strings (h5weights_stats_free). */
typedef struct h5weights_stats {
    char *name;        /* the snapshot's group, "000000" ... */
    double t_ms;       /* ms, attr t_ms */
    char *phase;       /* attr phase (may be "") */
    uint64_t n;        /* synapses */
    double weight_sum; /* the sum of their weights (the projection's units);
                          0 for n 0 */
} h5weights_stats;

/* Reads snapshot number i (0 the first, in name order, which is time order)
 * of /weights/<proj> of run into *s (overwritten), summing the weights in
 * blocks so that memory stays small for any projection. Returns HS_EINPUT
 * naming the file, the projection and the snapshot when it cannot be
 * opened, lacks t_ms or phase, its pre, post and weight are missing or
 * differ in length, or weight is not a readable 1-D numeric dataset; then
 * *s is empty. */
int h5weights_stats_read(const h5run *run, const char *proj, size_t i, h5weights_stats *s,
                         hs_error *err);

/* Frees the strings of s and empties it; NULL does nothing. */
void h5weights_stats_free(h5weights_stats *s);

#endif
