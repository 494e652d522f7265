/* h5replay.h: the replay events of a run in the run file, /replay/events
 * (layout and the public call in h5out.h). The writer is internal to io/:
 * h5out_replay_write wraps h5replay_write with the file's flush. The
 * summary of `hebbsleep info` reads the events with h5replay_events_read
 * (app/info_replay.c prints them).
 *
 * The events are written once, whole, as contiguous datasets at the end of
 * the run. Whether they were written is read from the file, so h5out keeps
 * no state for them. Errors are status codes filling an hs_error that names
 * the file; nothing is printed. Not thread-safe.
 */
#ifndef HS_H5REPLAY_H
#define HS_H5REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"
#include "h5run.h"
#include "h5sleep.h"

/* Writes /replay/events to file as h5out_replay_write says; errors name
 * path. Does not flush. */
int h5replay_write(hid_t file, const char *path, const h5out_replay *r, hs_error *err);

/* The replay events as the summary of a run reads them, with the phases
 * and up states they are set against: the columns the summary needs
 * (replay/analysis.h, replay_summarize, takes them as a replay_result), each
 * event's phase as a row of /phases, and the up states with their phases'
 * rows. New arrays; h5replay_events_free frees them. */
typedef struct h5replay_events {
    int found;                    /* 0: no /replay/events (the rest is 0) */
    char *population;             /* attr population: the analysed one */
    double alpha;                 /* attr alpha: the rank-order level */
    size_t n;                     /* events */
    uint32_t *phase;              /* each event's phase, a row of phases */
    double *p_value, *compression;
    int8_t *direction;            /* +1, -1, 0 */
    uint8_t *significant;         /* 1: decoding-significant */
    int8_t *in_up_state;          /* 1, 0, -1; NULL in a file without the
                                     column */
    size_t n_phases;              /* rows of /phases */
    char **phases;                /* /phases/name */
    double *phase_start_ms, *phase_stop_ms; /* ms, /phases/start_ms, stop_ms */
    h5sleep_up_read up;           /* /sleep/up_states (n 0 without it) */
    uint32_t *up_phase;           /* each up state's phase, a row of phases,
                                     or UINT32_MAX for a name not in it */
} h5replay_events;

/* Reads /replay/events of run and what it is set against into *e
 * (overwritten; found 0 without it). Returns HS_EINPUT naming the file and
 * the dataset or attribute when a column or attribute is missing or
 * malformed, the columns differ in length, an event names no phase of
 * /phases or /phases or /sleep/up_states are malformed; HS_ENOMEM. On error
 * *e is empty. */
int h5replay_events_read(const h5run *run, h5replay_events *e, hs_error *err);

/* Frees the arrays of e and empties it; NULL does nothing. */
void h5replay_events_free(h5replay_events *e);

#endif
