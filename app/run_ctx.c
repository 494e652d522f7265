/* run_ctx.c: a run's pieces built and freed (run_ctx.h). */
#include "run_ctx.h"

#include <stdlib.h>
#include <time.h>

#include "../sim/network_build.h"

double run_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int run_ctx_build(run_ctx *r, const hs_config *c, hs_error *err)
{
    int rc = network_check_size(c, c->threads, err);
    if (rc == HS_OK)
        rc = experiment_trajectory(c, &r->traj, err);
    if (rc == HS_OK && !(r->net = network_build(c, &r->traj, c->threads, err)))
        rc = err->code;
    if (rc == HS_OK && !(r->s = sim_alloc(r->net, c, err)))
        rc = err->code;
    return rc;
}

void run_ctx_free(run_ctx *r)
{
    if (r->file)
        h5out_close(r->file, 0, 0.0, NULL);
    free(r->spike_handle);
    free(r->trace_handle);
    free(r->weight_handle);
    free(r->run_ms);
    detect_free(r->replay);
    sim_free(r->s);
    network_free(r->net);
    track_free(&r->traj);
    free(r->ckpt_meta.config_path);
    free(r->ckpt_meta.output);
}
