/* h5sleep.h: the sleep stages' slow oscillation in the run file,
 * /sleep/up_states (layout and the public call in h5out.h). Internal to
 * io/: h5out_up_states_append wraps h5sleep_up_states_append with the
 * file's flush. The summary of `hebbsleep info` reads the up states with
 * h5sleep_up_states_read (app/info_replay.c), as does the replay events'
 * reader (h5replay_events_read).
 *
 * The up states are appended as each phase starts (its drives are drawn
 * then), to chunked, extendible datasets created by the first append; what
 * was written is read from the file, so h5out keeps no state for them.
 * Errors are status codes filling an hs_error that names the file; nothing
 * is printed. Not thread-safe.
 */
#ifndef HS_H5SLEEP_H
#define HS_H5SLEEP_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5run.h"

/* Appends n up states [start_ms[k], stop_ms[k]) of population's slow
 * oscillation in phase to file, as h5out_up_states_append says; errors
 * name path. Does not flush. */
int h5sleep_up_states_append(hid_t file, const char *path, const char *phase,
                             const char *population, const double *start_ms,
                             const double *stop_ms, size_t n, hs_error *err);

/* Cuts /sleep/up_states to its first keep rows (a resumed run); HS_EINPUT
 * naming path when it holds fewer. */
int h5sleep_up_states_truncate(hid_t file, const char *path, uint64_t keep, hs_error *err);

/* The up states of a run file: n rows of new arrays (the caller frees them
 * with h5sleep_up_read_free). */
typedef struct h5sleep_up_read {
    size_t n;
    double *start_ms, *stop_ms;
    char **phase, **population;
} h5sleep_up_read;

/* Reads /sleep/up_states of run into *u: *u empty (n 0, NULL arrays) and
 * HS_OK without it; HS_EINPUT naming the file when a dataset is missing or
 * malformed or they differ in length (then *u is empty); HS_ENOMEM. */
int h5sleep_up_states_read(const h5run *run, h5sleep_up_read *u, hs_error *err);

/* Frees the arrays of u and empties it; NULL does nothing. */
void h5sleep_up_read_free(h5sleep_up_read *u);

#endif
