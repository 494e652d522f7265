/* run_cmd.h: `hebbsleep run`: config -> network -> run file, with
 * checkpoints on request. SIGINT and SIGTERM stop it at the next window's
 * end (with a checkpoint when they are on; signals.h).
 */
#ifndef HS_RUN_CMD_H
#define HS_RUN_CMD_H

#include "../base/error.h"
#include "../model/experiment.h"
#include "run_ctx.h"

/* Runs c (loaded from o->input) as o says. HS_OK, HS_EINPUT (a file
 * already there, a directory missing, a bad checkpoint path), HS_EIO (a
 * write failed: the message says what file is left), HS_EINTERRUPTED or
 * the run's failure, with err set. */
int run_cmd_run(const run_opts *o, hs_config *c, hs_error *err);

#endif
