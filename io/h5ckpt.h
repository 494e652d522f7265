/* h5ckpt.h: checkpoint files, the complete state of a run at one window
 * boundary, so that `hebbsleep resume` goes on exactly as the run would
 * have (sim/network_state.h visits the arrays).
 *
 * Layout (internal: readable by h5py, but for hebbsleep of the same build):
 *   /            attrs format "hebbsleep checkpoint", format_version uint32,
 *                version, git_commit, config_path, config (the YAML text),
 *                overrides, output (the run file, absolute), seed uint64,
 *                threads int32 (of the run that wrote it),
 *                checkpoint_every_s float64
 *   /<name>      one contiguous 1-D dataset per state array, named by its
 *                path (pops/0/var0, projs/2/weight, sim/step, ...)
 *
 * A checkpoint is written to PATH.tmp and renamed over PATH once complete,
 * so a crash while writing leaves the previous checkpoint whole. Under MPI
 * rank 0 writes it (base/state.h: state_ranks_io) and every rank reads it;
 * nothing in it depends on the number of ranks or threads.
 */
#ifndef HS_H5CKPT_H
#define HS_H5CKPT_H

#include <stdint.h>

#include "../base/error.h"
#include "../base/state.h"

#define H5CKPT_FORMAT_VERSION 1u

typedef struct h5ckpt_meta {
    char *version;          /* hebbsleep version string */
    char *git_commit;
    char *config_path;      /* the experiment file, absolute */
    char *config_text;      /* its text */
    char *overrides;        /* the --set strings, or "" */
    char *output;           /* the run file, absolute */
    uint64_t seed;
    int threads;
    double every_s;         /* the run's checkpoint interval, biological s */
} h5ckpt_meta;

typedef struct h5ckpt h5ckpt;

/* Starts writing checkpoint path (as path.tmp) with meta m. NULL with err
 * set (HS_EIO naming the file) on failure. */
h5ckpt *h5ckpt_create(const char *path, const h5ckpt_meta *m, hs_error *err);

/* Closes a checkpoint being written and renames it over its path. Frees k
 * whatever happens; on failure nothing replaces the previous checkpoint. */
int h5ckpt_commit(h5ckpt *k, hs_error *err);

/* Opens checkpoint path for reading, its meta into *m (owned by k). Refuses
 * (HS_EINPUT naming the file) what is not a checkpoint, or one of another
 * format version. */
h5ckpt *h5ckpt_open(const char *path, const h5ckpt_meta **m, hs_error *err);

/* Writing or reading (loading) state arrays of k. */
state_io h5ckpt_io(h5ckpt *k);

/* For a checkpoint opened for reading: a walk through it checks that every
 * array is there with its type and length, reading and changing nothing
 * (before the run file is touched). */
state_io h5ckpt_check_io(h5ckpt *k);

/* Closes k; a checkpoint being written is discarded. NULL does nothing. */
void h5ckpt_close(h5ckpt *k);

#endif
