/* run_cmd.h: the commands that run: `hebbsleep run` (config -> network ->
 * run file, checkpoints on request) and `hebbsleep resume` (a checkpoint
 * -> the rest of the run, into the same file). SIGINT and SIGTERM stop
 * either at the next window's end (with a checkpoint when they are on).
 */
#ifndef HS_RUN_CMD_H
#define HS_RUN_CMD_H

#include "../io/config.h"
#include "error.h"

typedef struct run_opts {
    const char *input;          /* the experiment; for resume the checkpoint */
    const char *output;         /* NULL: the experiment's name with .h5 */
    const char *checkpoint;     /* NULL: the output's name with .ckpt.h5 */
    double checkpoint_every_s;  /* biological seconds; 0: no checkpoints
                                   (resume: as the checkpointed run) */
    long threads;               /* 0: from the config (resume: the saved run's) */
    long long seed;             /* -1: from the config */
    int overwrite, quiet, progress;
    const char *version, *git_commit;   /* of this build */
} run_opts;

int run_cmd_run(const run_opts *o, hs_config *c, hs_error *err);
int run_cmd_resume(const run_opts *o, hs_error *err);

/* The signal that stopped the run (SIGINT, SIGTERM), or 0. */
int run_cmd_stop_signal(void);

#endif
