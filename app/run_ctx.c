/* run_ctx.c: a run's pieces built, run to the end and freed (run_ctx.h). */
#include "run_ctx.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../base/mpi.h"
#include "../sim/network_build.h"
#include "checkpoint.h"
#include "paths.h"
#include "run_file.h"
#include "run_sink.h"
#include "signals.h"
#include "summary.h"

double run_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The trajectory, network and sim of c; the memory check comes first, so
 * that nothing is allocated for a run too large for the machine. */
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

static int load_state(void *ctx, hs_error *err)
{
    resume_load *l = ctx;
    int rc = checkpoint_load_state(l->k, l->r->net, l->r->s, err);
    l->r->step0 = sim_step(l->r->s);
    l->r->events0 = sim_events(l->r->s);
    return rc;
}

/* Runs the schedule of r (resumed from `from`, loading through load, when
 * not NULL) into r's open file, then replay detection, closing the file
 * (complete when all went well) and the summary. A complete run's
 * checkpoint is removed: there is nothing left to resume. */
int run_ctx_execute(run_ctx *r, const run_opts *o, const char *out, double build_s,
                   const schedule_pos *from, resume_load *load, hs_error *err)
{
    const hs_config *c = r->c;
    r->progress = !o->quiet && (o->progress || isatty(STDERR_FILENO)) && hs_mpi_rank() == 0;
    r->t0_wall = run_now_s();
    uint64_t every = (uint64_t)(r->ckpt_meta.every_s * 1e3 / c->dt_ms + 0.5);
    sim_sink sink;
    schedule_sink ss;
    run_sink_make(r, every ? every : 1, &sink, &ss);
    sim_set_stop_flag(r->s, signals_flag());
    signals_catch();
    int rc = from ? schedule_resume(r->s, r->net, c, from, load_state, load, &sink, &ss, err)
                  : schedule_run(r->s, r->net, c, &sink, &ss, err);
    if (rc == HS_EINTERRUPTED) {
        char where[sizeof err->msg];
        snprintf(where, sizeof where, "%s", err->msg);
        if (r->progress)
            fputc('\n', stderr);
        hs_error_set(err, HS_EINTERRUPTED, "%s: %s; %s holds the run up to there "
                     "(complete = 0)%s%s", signals_stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT",
                     where, out, r->ckpt ? "; go on with: hebbsleep resume " : "",
                     r->ckpt ? r->ckpt : "");
    }
    double run_s = run_now_s() - r->t0_wall, replay_s = run_now_s();
    replay_result replay = {0};
    replay_template_run tmpl = {.lap_ms = NAN};
    if (rc == HS_OK && r->replay)
        rc = detect_run(r, &replay, &tmpl, err);
    replay_s = run_now_s() - replay_s;
    rc = hs_mpi_agree(run_file_close(r, rc, run_s + replay_s, err), err);
    if (rc == HS_OK && r->ckpt && hs_mpi_rank() == 0)
        remove(r->ckpt);
    if (rc == HS_OK)
        summary_print(c, r->net, r->s, out, build_s, run_s, r->step0, r->events0);
    if (rc == HS_OK && r->replay && hs_mpi_rank() == 0)
        detect_print(c, &replay, &tmpl, replay_s, stdout);
    replay_result_free(&replay);
    replay_template_run_free(&tmpl);
    return rc;
}
