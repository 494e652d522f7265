/* run_exec.c: a built run taken to its end: the schedule, replay
 * detection, the file closed, the summary (run_exec.h). */
#include "run_exec.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../base/mpi.h"
#include "detect.h"
#include "run_file.h"
#include "run_sink.h"
#include "signals.h"
#include "summary.h"

/* Replay detection on the run's spikes, written to /replay/events and
 * /replay/template. */
static int detect_run(run_ctx *r, replay_result *res, replay_template_run *tmpl, hs_error *err)
{
    const network *net = r->net;
    const hs_config *c = r->c;
    double *start = malloc(c->n_phases * sizeof *start);
    double *stop = malloc(c->n_phases * sizeof *stop);
    int rc = start && stop ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK) {
        run_file_phase_bounds(c, start, stop);
        rc = detect_analyse(r->replay, c, start, stop, &r->traj, r->run_ms, r->n_run,
                                net->n_threads, res, tmpl, err);
    }
    if (rc == HS_OK)
        rc = detect_write(c, res, tmpl, r->file, err);
    free(start);
    free(stop);
    return rc;
}

/* A resumed run: the analysed population's spikes written before the
 * checkpoint, kept again for replay detection. */
int run_exec_read_back(run_ctx *r, hs_error *err)
{
    size_t p = r->c->replay.pop;
    if (r->spike_handle[p] < 0)
        return HS_OK;
    size_t n = (size_t)h5out_spikes_count(r->file, r->spike_handle[p]);
    double *t = malloc((n ? n : 1) * sizeof *t);
    uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    int rc = t && ids ? h5out_spikes_read(r->file, r->spike_handle[p], t, ids, err)
                      : hs_error_set(err, HS_ENOMEM, "out of memory for %zu spikes", n);
    if (rc == HS_OK)
        rc = detect_spikes(r->replay, p, t, ids, n, err);
    free(t);
    free(ids);
    return rc;
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
int run_exec(run_ctx *r, const run_opts *o, const char *out, double build_s,
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
