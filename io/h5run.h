/* h5run.h: a run file opened for reading (layout in h5out.h), for the
 * summary of `hebbsleep info` (app/info.c): the file's identity (root
 * magic and format version, /meta), its phases, the members of its groups
 * and, per member of /spikes and /report, what the summary gives. The
 * other parts of the file are read beside their writers, each reader
 * taking an h5run: the behaviour and place fields (h5behavior.h), the maze
 * (h5maze.h), the weights (h5weights.h), the up states (h5sleep.h), the
 * replay events (h5replay.h) and the REM template (h5template.h).
 *
 * Readers return data, never text: they check what the file promises and
 * fill structs; the caller formats them. Every failure is HS_EINPUT naming
 * the file and the group, dataset or attribute at fault and why (or
 * HS_ENOMEM); nothing is printed (HDF5's own printing is off). HDF5 1.10
 * reads some corrupt files out of bounds and crashes: read an untrusted
 * file in a forked child first (h5util_guard). Not thread-safe.
 */
#ifndef HS_H5RUN_H
#define HS_H5RUN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

/* An open run file: its path and HDF5 handle (io/h5run_file.h). */
typedef struct h5run h5run;

/* ---- lifecycle ---- */

/* Opens run file path read-only and checks it is one: an HDF5 file with
 * the root attribute magic = 0x0A7A. Returns NULL with HS_EINPUT naming
 * path when the file is missing, empty, not HDF5, truncated or not a
 * hebbsleep run ("not a hebbsleep run file (no root attribute magic =
 * 0x0A7A)"); HS_ENOMEM. The path is copied. */
h5run *h5run_open(const char *path, hs_error *err);

/* Closes the file and frees r (NULL does nothing). Returns HS_EINPUT
 * ("cannot close file") when HDF5 fails to close it; r is freed all the
 * same. */
int h5run_close(h5run *r, hs_error *err);

/* The path r was opened with. */
const char *h5run_path(const h5run *r);

/* ---- the run's identity ---- */

/* The root's format version and /meta. The strings are new; free them
 * with h5run_meta_free. */
typedef struct h5run_meta {
    uint32_t format[2];  /* root attribute version: {major, minor} */
    char *version;       /* hebbsleep's version string */
    char *git_commit;    /* or "unknown" */
    char *created;       /* ISO 8601 */
    char *config;        /* the experiment's YAML text */
    uint64_t seed;
    int threads;         /* 1 to 1024 */
    int complete;        /* 1: the run closed cleanly; 0: it was interrupted */
    double wall_s;       /* s, finite and >= 0; 0 when an interrupted run
                            did not record it */
} h5run_meta;

/* Reads the root attribute version (2 numbers) and the attributes of
 * /meta into *m (overwritten). HS_EINPUT naming the file and what is
 * wrong: the version missing or not 2 numbers, no /meta, an attribute
 * missing or of the wrong kind ("/meta: attribute complete is missing"),
 * or complete not 0 or 1, threads not a whole number from 1 to 1024,
 * wall_s negative or not finite ("/meta: attribute complete is 2, not a
 * value a run writes"). On error *m holds what was read: free it all
 * the same. */
int h5run_meta_read(const h5run *r, h5run_meta *m, hs_error *err);

/* Frees the strings of m and empties it; NULL does nothing. */
void h5run_meta_free(h5run_meta *m);

/* ---- phases ---- */

/* /phases: n rows of name, stage, start_ms and stop_ms (ms), new arrays;
 * free them with h5run_phases_free. */
typedef struct h5run_phases {
    size_t n;
    char **name, **stage;
    double *start_ms, *stop_ms;
} h5run_phases;

/* Reads /phases into *p (overwritten): n 0 and NULL arrays without it.
 * HS_EINPUT naming the dataset when one is missing, not 1-D, not of
 * strings or numbers as it should be ("dataset /phases/name is not a
 * string dataset (it holds floats)"), or the four differ in length. On
 * error free *p all the same. */
int h5run_phases_read(const h5run *r, h5run_phases *p, hs_error *err);

/* Frees the arrays of p and empties it; NULL does nothing. */
void h5run_phases_free(h5run_phases *p);

/* ---- the members of a group ---- */

/* Whether the root has group /<group> (spikes, report, weights,
 * place_fields) in *found, and its number of members in *n (0 without
 * it). HS_EINPUT ("cannot read group /<group>") when it cannot be opened
 * or listed. */
int h5run_members_count(const h5run *r, const char *group, int *found, size_t *n,
                        hs_error *err);

/* The name of member i (0 the first, in name order) of /<group> into a new
 * *name the caller frees. HS_EINPUT ("cannot list group /<group>") when
 * there is no such member or HDF5 cannot say; then *name is NULL. */
int h5run_member_name(const h5run *r, const char *group, size_t i, char **name,
                      hs_error *err);

/* ---- spikes and reports ---- */

/* What /spikes/<pop> holds. */
typedef struct h5run_spikes {
    uint64_t count;    /* spikes: as many timestamps as node_ids */
    uint64_t n_nodes;  /* the population's size, attr n_nodes; 0 when not
                          recorded (or unreadable) */
} h5run_spikes;

/* Reads the size of /spikes/<pop> into *s. HS_EINPUT naming the population
 * when the group cannot be opened, timestamps or node_ids cannot be read,
 * or their lengths differ. */
int h5run_spikes_read(const h5run *r, const char *pop, h5run_spikes *s, hs_error *err);

/* What /report/<pop> holds; the strings are new (h5run_report_free). */
typedef struct h5run_report {
    char *variable, *units;     /* attrs of data */
    uint64_t n_times, n_values; /* the shape of data */
    double start_ms, stop_ms, dt_ms;  /* mapping/time */
} h5run_report;

/* Reads /report/<pop> into *rep (overwritten). HS_EINPUT naming the dataset
 * or attribute when the group cannot be opened, data is not 2-D numeric or
 * lacks its string attributes variable and units, or mapping/time is not
 * 3 numbers. On error free *rep all the same. */
int h5run_report_read(const h5run *r, const char *pop, h5run_report *rep, hs_error *err);

/* Frees the strings of rep and empties it; NULL does nothing. */
void h5run_report_free(h5run_report *rep);

#endif
