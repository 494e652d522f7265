/* run_sink.c: where a run's recorders, phases and checkpoints go
 * (run_sink.h). */
#include "run_sink.h"

#include <stdio.h>

#include "../base/mpi.h"
#include "checkpoint.h"
#include "detect.h"

static int sink_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids,
                       size_t n, hs_error *err)
{
    run_ctx *r = ctx;
    if (r->replay && detect_spikes(r->replay, pop, t, ids, n, err) != HS_OK)
        return err->code;
    /* the bulk of a run stays out of the other ranks' in-memory files */
    if (hs_mpi_rank())
        return HS_OK;
    return h5out_spikes_append(r->file, r->spike_handle[pop], t, ids, n, err);
}

static int sink_trace(void *ctx, size_t k, const float *rows, size_t n_rows, hs_error *err)
{
    run_ctx *r = ctx;
    if (hs_mpi_rank())
        return HS_OK;   /* rank 0 alone holds every column */
    return h5out_report_append(r->file, r->trace_handle[k], rows, n_rows, err);
}

static void sink_progress(void *ctx, double t_ms, double t_end_ms)
{
    run_ctx *r = ctx;
    if (!r->progress)
        return;
    double wall = run_now_s() - r->t0_wall;
    double done_ms = t_ms - (double)r->step0 * r->c->dt_ms;
    double speed = wall > 0 ? done_ms * 1e-3 / wall : 0.0;
    double eta = speed > 0 ? (t_end_ms - t_ms) * 1e-3 / speed : 0.0;
    fprintf(stderr, "\r[%s] %.1f / %.1f s biological  %.2fx real time  ETA %.0f s   ",
            r->phase, t_ms * 1e-3, t_end_ms * 1e-3, speed, eta);
    if (t_ms >= t_end_ms)
        fputc('\n', stderr);
    fflush(stderr);
}

static void sink_phase(void *ctx, size_t k)
{
    run_ctx *r = ctx;
    r->phase = r->c->phases[k].name;
}

static int sink_weights(void *ctx, size_t w, const uint64_t *pre, const uint64_t *post,
                        const double *weight, size_t n, double t_ms, size_t k, hs_error *err)
{
    run_ctx *r = ctx;
    if (hs_mpi_rank())
        return HS_OK;
    return h5out_weights_write(r->file, r->weight_handle[w], pre, post, weight, n, t_ms,
                               r->c->phases[k].name, err);
}

/* The up states of population pop's slow oscillation in phase k: to
 * /sleep/up_states, and kept for replay detection. */
static int sink_up_states(void *ctx, size_t k, size_t pop, const double *start_ms,
                          const double *stop_ms, size_t n, hs_error *err)
{
    run_ctx *r = ctx;
    if (r->replay && detect_up_states(r->replay, k, start_ms, stop_ms, n, err) != HS_OK)
        return err->code;
    int rc = h5out_up_states_append(r->file, r->c->phases[k].name, r->c->pops[pop].name,
                                    start_ms, stop_ms, n, err);
    r->n_up += rc == HS_OK ? n : 0;
    return rc;
}

/* A resumed run: the up states of the phases begun before the checkpoint,
 * in the file already, kept again for replay detection. */
static int sink_up_states_past(void *ctx, size_t k, size_t pop, const double *start_ms,
                               const double *stop_ms, size_t n, hs_error *err)
{
    (void)pop;
    run_ctx *r = ctx;
    return r->replay ? detect_up_states(r->replay, k, start_ms, stop_ms, n, err) : HS_OK;
}

static int sink_checkpoint(void *ctx, const schedule_pos *pos, hs_error *err)
{
    run_ctx *r = ctx;
    const hs_config *c = r->c;
    ckpt_recorders rec;
    int rc = hs_mpi_agree(checkpoint_recorders_alloc(c, &rec, err), err);
    if (rc != HS_OK) {
        checkpoint_recorders_free(&rec);
        return rc;
    }
    for (size_t p = 0; p < c->n_pops; p++)
        rec.spikes[p] = r->spike_handle[p] < 0 ? 0 : h5out_spikes_count(r->file,
                                                                         r->spike_handle[p]);
    for (size_t k = 0; k < c->n_traces; k++)
        rec.rows[k] = h5out_report_rows(r->file, r->trace_handle[k]);
    for (size_t w = 0; w < c->n_weights; w++)
        rec.snaps[w] = h5out_weights_count(r->file, r->weight_handle[w]);
    rec.up_states = r->n_up;
    rc = checkpoint_save(r->ckpt, &r->ckpt_meta, c, r->net, r->s, pos, &rec, err);
    checkpoint_recorders_free(&rec);
    return rc;
}

void run_sink_make(run_ctx *r, uint64_t checkpoint_every, sim_sink *sink, schedule_sink *ss)
{
    *sink = (sim_sink){r, sink_spikes, sink_trace, sink_progress};
    *ss = (schedule_sink){r, sink_phase, sink_weights, sink_up_states, sink_up_states_past,
                          r->ckpt ? sink_checkpoint : NULL, checkpoint_every};
}
