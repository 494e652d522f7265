/* h5maze.h: the maze's geometry in the run file, /behavior/{segment, x, y}
 * and the segment table /behavior/segments (layout and the public calls in
 * h5out.h). Internal to io/: h5out_behavior_geometry_write wraps
 * h5maze_write with the file's flush; h5out_info calls h5maze_info. The
 * reader h5in_behavior_geometry_read lives in h5maze.c too.
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
#include <stdio.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"

/* Writes the geometry to file as h5out_behavior_geometry_write says;
 * errors name path. Does not flush. */
int h5maze_write(hid_t file, const char *path, const uint8_t *segment, const double *x_cm,
                 const double *y_cm, size_t n, const h5out_segments *segs, hs_error *err);

/* Prints the maze line of h5out_info, the segment names with their lengths
 * (nothing for a file without /behavior/segments). Returns HS_EINPUT naming
 * path when the table is malformed or /behavior/segment, x or y are missing
 * or differ in length from /behavior/time. */
int h5maze_info(const char *path, hid_t file, FILE *out, hs_error *err);

#endif
