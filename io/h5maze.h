/* h5maze.h: the maze's geometry in the run file, /behavior/{segment, x, y}
 * and the segment table /behavior/segments (layout and the public calls in
 * h5out.h). The writer is internal to io/: h5out_behavior_geometry_write
 * wraps h5maze_write with the file's flush. The reader
 * h5in_behavior_geometry_read lives in h5maze.c too, and so does
 * h5maze_table_read, the segments the summary of `hebbsleep info` prints
 * (app/info_behavior.c).
 *
 * The geometry is written once, whole, as contiguous datasets, after
 * /behavior (whose length it must match). Whether it was written is read
 * from the file, so h5out keeps no state for it. Errors are status codes
 * filling an hs_error that names the file; nothing is printed. Not
 * thread-safe.
 */
#ifndef HS_H5MAZE_H
#define HS_H5MAZE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"
#include "h5run.h"

/* Writes the geometry to file as h5out_behavior_geometry_write says;
 * errors name path. Does not flush. */
int h5maze_write(hid_t file, const char *path, const uint8_t *segment, const double *x_cm,
                 const double *y_cm, size_t n, const h5out_segments *segs, hs_error *err);

/* The segment table as the summary of a run gives it: n segments, each
 * with its name and length (cm); new arrays, h5maze_table_free frees them. */
typedef struct h5maze_table {
    int found;         /* 0: no /behavior/segments, a file of a track (the
                          rest is 0) */
    size_t n;          /* segments */
    char **name;
    double *length_cm; /* > 0 */
} h5maze_table;

/* Reads the segment table of run into *t (overwritten; found 0 without
 * one). The whole table is checked as h5in_behavior_geometry_read does, and
 * /behavior/segment, x and y must be there with /behavior/time's length
 * (their values are not read). Returns HS_EINPUT naming the file and the
 * dataset when the table is malformed or a per-sample dataset is missing
 * or of another length; HS_ENOMEM. On error *t is empty. */
int h5maze_table_read(const h5run *run, h5maze_table *t, hs_error *err);

/* Frees the arrays of t and empties it; NULL does nothing. */
void h5maze_table_free(h5maze_table *t);

#endif
