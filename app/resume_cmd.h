/* resume_cmd.h: `hebbsleep resume`: a checkpoint -> the rest of the run,
 * into the same run file, bitwise as the uninterrupted run would have
 * written it. It refuses (HS_EINPUT) a checkpoint of another build, an
 * experiment edited since, or a run file that is complete or holds another
 * run.
 */
#ifndef HS_RESUME_CMD_H
#define HS_RESUME_CMD_H

#include "../base/error.h"
#include "run_ctx.h"

/* What resuming o->input reads through HDF5, read first in forked
 * children (h5util_guard), as HDF5 1.10 crashes on some corrupt files:
 * the checkpoint's attributes, and under a launcher (mpirun) the
 * experiment's HDF5 inputs too. Run by main before MPI starts (forking
 * after MPI_Init is unsupported), on one process: the launch's rank 0, or
 * the plain process. HS_OK, or the failure (HS_EINPUT for a bad file). */
int resume_cmd_preflight(const run_opts *o, hs_error *err);

/* Resumes the checkpoint o->input (after resume_cmd_preflight) (o->threads, o->checkpoint_every_s may
 * change; the rest comes from the checkpoint). Codes as run_cmd_run's. */
int resume_cmd_run(const run_opts *o, hs_error *err);

#endif
