/* h5replay.h: the replay events of a run in the run file, /replay/events
 * (layout and the public call in h5out.h). Internal to io/:
 * h5out_replay_write wraps h5replay_write with the file's flush; h5out_info
 * calls h5replay_info.
 *
 * The events are written once, whole, as contiguous datasets at the end of
 * the run. Whether they were written is read from the file, so h5out keeps
 * no state for them. Errors are status codes filling an hs_error that names
 * the file; nothing is printed. Not thread-safe.
 */
#ifndef HS_H5REPLAY_H
#define HS_H5REPLAY_H

#include <stdio.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"

/* Writes /replay/events to file as h5out_replay_write says; errors name
 * path. Does not flush. */
int h5replay_write(hid_t file, const char *path, const h5out_replay *r, hs_error *err);

/* Prints the replay lines of h5out_info (nothing without /replay/events):
 * the analysed population and the number of events, then per phase of
 * /phases its candidate events, how many are significant by rank order
 * (p_value < the group's alpha) and by decoding, the fraction forward of
 * the rank-order significant ones and the median compression of the
 * decoding-significant ones (replay/analysis.h, replay_summarize). Returns
 * HS_EINPUT naming path when a column or attribute is missing or
 * malformed, the columns differ in length or an event names no phase. */
int h5replay_info(const char *path, hid_t file, FILE *out, hs_error *err);

#endif
