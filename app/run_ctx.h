/* run_ctx.h: what a run of `hebbsleep run` or `resume` holds while it
 * goes: the experiment, the rat's trajectory, network and sim, the run file
 * and its recorders' handles, replay detection, the checkpoint; built by
 * run_ctx_build, run to its end by run_exec (run_exec.h), freed by
 * run_ctx_free.
 */
#ifndef HS_RUN_CTX_H
#define HS_RUN_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "../io/h5ckpt.h"
#include "../io/h5out.h"
#include "../model/experiment.h"
#include "../sim/engine.h"
#include "../sim/network.h"
#include "../sim/schedule.h"
#include "../task/track.h"
#include "detect.h"

/* The command line's options of run and resume. */
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

typedef struct run_ctx {
    const hs_config *c;
    h5out *file;
    int *spike_handle;     /* [n_pops], -1 when not recorded */
    int *trace_handle;     /* [n_traces] */
    int *weight_handle;    /* [n_weights] */
    detect *replay;        /* the analysed spikes, with a replay section; else NULL */
    double *run_ms;        /* [n_run] run time of each trajectory sample reached */
    size_t n_run;
    const char *phase;     /* the phase running, for the progress line */
    int progress;
    double t0_wall;
    uint64_t n_up;         /* rows of /sleep/up_states written */
    const char *ckpt;      /* the checkpoint file, NULL: none */
    h5ckpt_meta ckpt_meta;
    track_traj traj;       /* the rat's (n = 0 without a task) */
    network *net;
    sim *s;
    uint64_t step0, events0; /* where this process took over (a resumed run) */
} run_ctx;

typedef struct resume_load {
    h5ckpt *k;
    run_ctx *r;
} resume_load;

/* Monotonic wall time, s. */
double run_now_s(void);

/* The trajectory, network and sim of c into r; the memory check comes
 * first, so nothing is allocated for a run too large for the machine.
 * HS_OK or the failure's code with err set (not agreed over MPI ranks). */
int run_ctx_build(run_ctx *r, const hs_config *c, hs_error *err);

/* Frees what r holds (closing an open run file incomplete), not r->c. */
void run_ctx_free(run_ctx *r);

#endif
