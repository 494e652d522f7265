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

/* Resumes the checkpoint o->input (o->threads, o->checkpoint_every_s may
 * change; the rest comes from the checkpoint). Codes as run_cmd_run's. */
int resume_cmd_run(const run_opts *o, hs_error *err);

#endif
