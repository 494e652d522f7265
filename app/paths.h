/* paths.h: the files a run writes: their default names, checks made
 * before anything is built, and what a failed write left behind.
 */
#ifndef HS_PATHS_H
#define HS_PATHS_H

#include "../base/error.h"

/* runs/x.yaml -> x.h5 (malloc'd; NULL: out of memory). */
char *paths_default_output(const char *input);

/* x.h5 -> x.ckpt.h5 (anything else: x.ckpt.h5 after it; malloc'd). */
char *paths_default_checkpoint(const char *out);

/* HS_OK when the directory of out exists and is writable; else HS_EINPUT
 * "-o out: the directory ... does not exist" (is not a directory, is not
 * writable): said before the network is built, not as an HDF5 failure. */
int paths_check_dir(const char *out, hs_error *err);

/* The checkpoint must be a file of its own: neither the experiment nor the
 * run file (HS_EINPUT). One already there must be a checkpoint (else
 * HS_EINPUT), left by an earlier run of this file: it is removed (HS_EIO
 * when it cannot be). */
int paths_check_checkpoint(const char *ckpt, const char *input, const char *out,
                           hs_error *err);

/* The absolute form of an existing file's path (malloc'd), or NULL with
 * err set (HS_EIO): a resume may run from another directory. */
char *paths_absolute(const char *path, hs_error *err);

/* Appends to a write failure's message what it left: the file as its last
 * successful flush wrote it (complete = 0), or no file at all. */
void paths_say_what_is_left(const char *out, hs_error *err);

#endif
