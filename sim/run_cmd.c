/* run_cmd.c: `hebbsleep run` and `hebbsleep resume`: config -> network ->
 * run file, with checkpoints (run_cmd.h). */
/* realpath */
#define _XOPEN_SOURCE 700

#include "run_cmd.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../io/h5ckpt.h"
#include "../io/h5out.h"
#include "../io/h5util.h"
#include "../neurons/place_cells.h"
#include "checkpoint.h"
#include "engine.h"
#include "error.h"
#include "mpi.h"
#include "network.h"
#include "run_replay.h"
#include "schedule.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* runs/x.yaml -> x.h5 */
static char *default_output(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    char *out = malloc(n + 4);
    if (out) {
        memcpy(out, base, n);
        memcpy(out + n, ".h5", 4);
    }
    return out;
}

/* ---- the run: config -> network -> file ---- */

typedef struct run_ctx {
    const hs_config *c;
    h5out *file;
    int *spike_handle;     /* [n_pops], -1 when not recorded */
    int *trace_handle;     /* [n_traces] */
    int *weight_handle;    /* [n_weights] */
    run_replay *replay;    /* the analysed spikes, with a replay section; else NULL */
    double *run_ms;        /* [n_run] run time of each trajectory sample reached */
    size_t n_run;
    const char *phase;     /* the phase running, for the progress line */
    int progress;
    double t0_wall;
    uint64_t n_up;         /* rows of /sleep/up_states written */
    const char *ckpt;      /* the checkpoint file, NULL: none */
    h5ckpt_meta ckpt_meta;
    network *net;
    sim *s;
    uint64_t step0, events0; /* where this process took over (a resumed run) */
} run_ctx;

static int sink_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids,
                       size_t n, hs_error *err)
{
    run_ctx *r = ctx;
    if (r->replay && run_replay_spikes(r->replay, pop, t, ids, n, err) != HS_OK)
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
    double wall = now_s() - r->t0_wall;
    double done_ms = t_ms - (double)r->step0 * r->c->dt_ms;
    double speed = wall > 0 ? done_ms * 1e-3 / wall : 0.0;
    double eta = speed > 0 ? (t_end_ms - t_ms) * 1e-3 / speed : 0.0;
    fprintf(stderr, "\r[%s] %.1f / %.1f s biological  %.2fx real time  ETA %.0f s   ",
            r->phase, t_ms * 1e-3, t_end_ms * 1e-3, speed, eta);
    if (t_ms >= t_end_ms)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Phase k runs over [start[k], stop[k]) ms: whole steps, as the run counts
 * them. */
static void phase_bounds(const hs_config *c, double *start, double *stop)
{
    uint64_t steps = 0;
    for (size_t k = 0; k < c->n_phases; k++) {
        start[k] = (double)steps * c->dt_ms;
        steps += (uint64_t)(c->phases[k].duration_ms / c->dt_ms + 0.5);
        stop[k] = (double)steps * c->dt_ms;
    }
}

static int write_phases(h5out *f, const hs_config *c, hs_error *err)
{
    const char **names = malloc(c->n_phases * sizeof *names);
    const char **stages = malloc(c->n_phases * sizeof *stages);
    double *start = malloc(c->n_phases * sizeof *start);
    double *stop = malloc(c->n_phases * sizeof *stop);
    int rc = names && stages && start && stop ? HS_OK
                                              : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK)
        phase_bounds(c, start, stop);
    for (size_t k = 0; rc == HS_OK && k < c->n_phases; k++) {
        names[k] = c->phases[k].name;
        stages[k] = c->phases[k].stage;
    }
    if (rc == HS_OK)
        rc = h5out_phases_write(f, names, stages, start, stop, c->n_phases, err);
    free(names);
    free(stages);
    free(start);
    free(stop);
    return rc;
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
    if (r->replay && run_replay_up_states(r->replay, k, start_ms, stop_ms, n, err) != HS_OK)
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
    return r->replay ? run_replay_up_states(r->replay, k, start_ms, stop_ms, n, err) : HS_OK;
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

static int alloc_handles(const hs_config *c, run_ctx *r, hs_error *err)
{
    r->spike_handle = malloc((c->n_pops ? c->n_pops : 1) * sizeof *r->spike_handle);
    r->trace_handle = malloc((c->n_traces ? c->n_traces : 1) * sizeof *r->trace_handle);
    r->weight_handle = malloc((c->n_weights ? c->n_weights : 1) * sizeof *r->weight_handle);
    if (!r->spike_handle || !r->trace_handle || !r->weight_handle)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t p = 0; p < c->n_pops; p++)
        r->spike_handle[p] = -1;
    return HS_OK;
}

static const char *weight_units(const hs_config *c, size_t w)
{
    const hs_proj_config *pj = &c->projs[c->weights[w].proj];
    return c->pops[pj->post].model->receptor_units[pj->receptor];
}

static int open_output(const hs_config *c, const char *path, const h5out_meta *meta,
                       run_ctx *r, hs_error *err)
{
    /* under MPI rank 0 writes the file; the others write the same into memory */
    r->file = hs_mpi_rank() ? h5out_create_scratch(meta, err) : h5out_create(path, meta, err);
    if (!r->file || alloc_handles(c, r, err) != HS_OK)
        return err->code;
    for (size_t p = 0; p < c->n_pops; p++) {
        if (!c->pops[p].record_spikes)
            continue;
        r->spike_handle[p] = h5out_spikes_add(r->file, c->pops[p].name, err);
        if (r->spike_handle[p] < 0 ||
            h5out_spikes_set_size(r->file, r->spike_handle[p], c->pops[p].size, err) != HS_OK)
            return err->code;
    }
    for (size_t k = 0; k < c->n_traces; k++) {
        const hs_trace_config *tc = &c->traces[k];
        const neuron_type *ty = c->pops[tc->pop].model;
        r->trace_handle[k] = h5out_report_add(
            r->file, c->pops[tc->pop].name, ty->state_names[tc->var], ty->state_units[tc->var],
            tc->ids, tc->n_ids, tc->interval_ms, tc->interval_ms, err);
        if (r->trace_handle[k] < 0)
            return err->code;
    }
    for (size_t w = 0; w < c->n_weights; w++) {
        const hs_proj_config *pj = &c->projs[c->weights[w].proj];
        r->weight_handle[w] = h5out_weights_add(r->file, pj->name, c->pops[pj->pre].name,
                                                c->pops[pj->post].name, weight_units(c, w),
                                                err);
        if (r->weight_handle[w] < 0)
            return err->code;
    }
    return write_phases(r->file, c, err);
}

/* The run file of a resumed run, every recorder cut to what the checkpoint
 * counts (what was written after it is written again). */
static int reopen_output(const hs_config *c, const char *path, const h5out_meta *meta,
                         const ckpt_recorders *rec, run_ctx *r, hs_error *err)
{
    if (hs_mpi_rank())
        return open_output(c, path, meta, r, err);
    r->file = h5out_reopen(path, meta, err);
    if (!r->file || alloc_handles(c, r, err) != HS_OK)
        return err->code;
    for (size_t p = 0; p < c->n_pops; p++)
        if (c->pops[p].record_spikes &&
            (r->spike_handle[p] = h5out_spikes_reopen(r->file, c->pops[p].name, rec->spikes[p],
                                                      err)) < 0)
            return err->code;
    for (size_t k = 0; k < c->n_traces; k++)
        if ((r->trace_handle[k] = h5out_report_reopen(r->file, c->pops[c->traces[k].pop].name,
                                                      rec->rows[k], err)) < 0)
            return err->code;
    for (size_t w = 0; w < c->n_weights; w++)
        if ((r->weight_handle[w] = h5out_weights_reopen(
                 r->file, c->projs[c->weights[w].proj].name, weight_units(c, w), rec->snaps[w],
                 err)) < 0)
            return err->code;
    r->n_up = rec->up_states;
    return h5out_up_states_truncate(r->file, rec->up_states, err);
}

/* The maze geometry of the first n samples of trajectory t under
 * /behavior: the drawn x, y (float in t) as doubles and the segment table. */
static int write_geometry(h5out *f, const track_traj *t, size_t n, hs_error *err)
{
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    const char *name[TRACK_SEGMENTS_MAX];
    double col[6][TRACK_SEGMENTS_MAX];
    for (size_t k = 0; k < t->n_segments; k++) {
        const track_segment *s = &t->segments[k];
        name[k] = s->name;
        col[0][k] = s->x0_cm;
        col[1][k] = s->y0_cm;
        col[2][k] = s->x1_cm;
        col[3][k] = s->y1_cm;
        col[4][k] = s->offset_cm;
        col[5][k] = s->length_cm;
    }
    h5out_segments segs = {t->n_segments, name,   col[0], col[1],
                           col[2],        col[3], col[4], col[5]};
    int rc = x && y ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        x[i] = t->x[i];
        y[i] = t->y[i];
    }
    if (rc == HS_OK)
        rc = h5out_behavior_geometry_write(f, t->segment, x, y, n, &segs, err);
    free(x);
    free(y);
    return rc;
}

/* The run time of each trajectory sample (its clock runs in wake phases
 * only: schedule_task_run_ms) into r->run_ms; r->n_run counts the samples
 * the wake phases reach (the others come after every wake phase ended). */
static int traj_run_times(const hs_config *c, const track_traj *t, run_ctx *r, hs_error *err)
{
    r->run_ms = malloc((t->n ? t->n : 1) * sizeof *r->run_ms);
    if (!r->run_ms)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    r->n_run = 0;
    for (size_t i = 0; i < t->n; i++) {
        double ms = schedule_task_run_ms(c, (double)i * t->sample_ms);
        if (isnan(ms))
            break;
        r->run_ms[r->n_run++] = ms;
    }
    return HS_OK;
}

/* /behavior from the rat's trajectory in run time (the samples the wake
 * phases reach) and /place_fields of every place_cells population: known
 * before the run starts. */
static int write_task(h5out *f, const hs_config *c, const network *net, run_ctx *r,
                      hs_error *err)
{
    const track_traj *t = &net->traj;
    int rc = traj_run_times(c, t, r, err);
    if (rc == HS_OK && t->n) {
        rc = h5out_behavior_write(f, r->run_ms, t->x_cm, t->lap, t->dir, r->n_run, err);
        if (rc == HS_OK)
            rc = write_geometry(f, t, r->n_run, err);
    }
    for (size_t p = 0; rc == HS_OK && p < net->n_pops; p++) {
        const net_pop *pp = &net->pops[p];
        if (pp->type != &neuron_place_cells)
            continue;
        size_t n = pp->state.n;
        double *centre = malloc(n * sizeof *centre), *width = malloc(n * sizeof *width);
        double *peak = malloc(n * sizeof *peak);
        int8_t *dir = malloc(n * sizeof *dir);
        if (centre && width && peak && dir) {
            place_cells_fields(pp->plan, &pp->state, centre, width, peak, dir);
            rc = h5out_place_fields_write(f, c->pops[p].name, centre, width, peak, dir, n, err);
        } else {
            rc = hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        free(centre);
        free(width);
        free(peak);
        free(dir);
    }
    return rc;
}

/* Replay detection on the run's spikes, written to /replay/events and
 * /replay/template. */
static int detect_replay(run_ctx *r, const network *net, replay_result *res,
                         replay_template_run *tmpl, hs_error *err)
{
    const hs_config *c = r->c;
    double *start = malloc(c->n_phases * sizeof *start);
    double *stop = malloc(c->n_phases * sizeof *stop);
    int rc = start && stop ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK) {
        phase_bounds(c, start, stop);
        rc = run_replay_analyse(r->replay, c, start, stop, &net->traj, r->run_ms, r->n_run,
                                net->n_threads, res, tmpl, err);
    }
    if (rc == HS_OK)
        rc = run_replay_write(c, res, tmpl, r->file, err);
    free(start);
    free(stop);
    return rc;
}

/* Every rank calls it (the counts are summed over ranks); rank 0 prints.
 * Rates over the whole run; speed over what this run ran (from step0, with
 * events0 delivered here before). */
static void print_summary(const hs_config *c, const network *net, const sim *s,
                          const char *out, double build_s, double run_s, uint64_t step0,
                          uint64_t events0)
{
    size_t bytes = network_synapse_bytes(net), pbytes = 0, psyn = 0, m;
    for (size_t j = 0; j < net->n_projs; j++)
        if (net->projs[j].learn || net->projs[j].homeo) {
            pbytes += network_proj_bytes(net, j, &m);
            psyn += m;
        }
    uint64_t x_calls, x_bytes;
    double x_s;
    sim_exchange_stats(s, &x_calls, &x_bytes, &x_s);
    uint64_t sum[6] = {sim_events(s) - events0, net->n_syn, bytes, pbytes, psyn, x_bytes};
    if (hs_mpi_allreduce_u64(sum, 6, HS_MPI_SUM, NULL) != HS_OK || hs_mpi_rank() != 0)
        return;
    double bio_s = (double)sim_step(s) * c->dt_ms * 1e-3;
    double ran_s = (double)(sim_step(s) - step0) * c->dt_ms * 1e-3;
    uint64_t events = sum[0];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s -> %s\n", c->path, out);
    printf("  %.3f s biological in %.3f s wall (build %.3f s), %d thread%s", ran_s, run_s,
           build_s, net->n_threads, net->n_threads == 1 ? "" : "s");
    if (hs_mpi_size() > 1)
        printf(" x %d ranks", hs_mpi_size());
    putchar('\n');
    if (step0)
        printf("  resumed at %.3f s of %.3f s\n", (double)step0 * c->dt_ms * 1e-3, bio_s);
    for (size_t p = 0; p < c->n_pops; p++) {
        uint64_t n = sim_spike_count(s, p);
        printf("  %-12s %8llu neurons %10llu spikes %8.3f Hz\n", c->pops[p].name,
               (unsigned long long)c->pops[p].size, (unsigned long long)n,
               bio_s > 0 ? (double)n / ((double)c->pops[p].size * bio_s) : 0.0);
    }
    uint64_t skipped, blocks;
    sim_skip_stats(s, &skipped, &blocks);
    /* peak_rss_mb and skipped are rank 0's */
    printf("stats: rtf=%.4f events=%llu events_per_s=%.4g synapses=%llu "
           "bytes_per_synapse=%.2f peak_rss_mb=%.1f run_s=%.3f build_s=%.3f "
           "skipped=%.3f bytes_per_plastic_synapse=%.2f ranks=%d\n",
           ran_s > 0 ? run_s / ran_s : 0.0, (unsigned long long)events,
           run_s > 0 ? (double)events / run_s : 0.0, (unsigned long long)sum[1],
           sum[1] ? (double)sum[2] / (double)sum[1] : 0.0, ru.ru_maxrss / 1024.0,
           run_s, build_s, blocks ? (double)skipped / (double)blocks : 0.0,
           sum[4] ? (double)sum[3] / (double)sum[4] : 0.0, hs_mpi_size());
    /* rank 0's exchange time; the bytes all ranks sent */
    if (hs_mpi_size() > 1)
        printf("mpi: exchanges=%llu sent_mb=%.3f xchg_s=%.3f us_per_exchange=%.2f\n",
               (unsigned long long)x_calls, (double)sum[5] / 1e6, x_s,
               x_calls ? 1e6 * x_s / (double)x_calls : 0.0);
}

/* Closes the file, complete when the run succeeded (rc HS_OK); returns rc
 * or the close's error. */
static int close_output(run_ctx *r, int rc, double wall_s, hs_error *err)
{
    hs_error cerr;
    int crc = h5out_close(r->file, rc == HS_OK, wall_s, &cerr);
    r->file = NULL;
    if (rc == HS_OK && crc != HS_OK) {
        *err = cerr;
        rc = crc;
    }
    return rc;
}

/* Appends to a write failure's message what it left: the file as its last
 * successful flush wrote it (complete = 0), or no file at all. */
static void say_what_is_left(const char *out, hs_error *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    struct stat st;
    if (stat(out, &st) != 0)
        hs_error_set(err, HS_EIO, "%s; the run stopped, no file was left", msg);
    else
        hs_error_set(err, HS_EIO, "%s; the run stopped, %s keeps what was written before "
                     "(complete = 0)", msg, out);
}

/* The output's directory must exist and be writable: said before the
 * network is built, not as an HDF5 failure after it. */
static int check_output_dir(const char *out, hs_error *err)
{
    const char *slash = strrchr(out, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == out)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    struct stat st;
    if (stat(dir, &st) != 0)
        return hs_error_set(err, HS_EINPUT, "-o %s: the directory %s does not exist", out, dir);
    if (!S_ISDIR(st.st_mode))
        return hs_error_set(err, HS_EINPUT, "-o %s: %s is not a directory", out, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return hs_error_set(err, HS_EINPUT, "-o %s: the directory %s is not writable", out, dir);
    return HS_OK;
}

/* The directory of path resolved, then its last name: two spellings of
 * one file (./a.h5, a.h5) come out equal, whether it exists or not. */
static char *resolved(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *abs = dir ? realpath(dir, NULL) : NULL;
    const char *base = slash ? slash + 1 : path;
    size_t n = abs ? strlen(abs) + strlen(base) + 2 : 0;
    char *out = n ? malloc(n) : NULL;
    if (out)
        snprintf(out, n, "%s/%s", abs, base);
    free(dir);
    free(abs);
    return out;
}

/* The checkpoint must be a file of its own: neither the experiment nor the
 * run file (a run removes and replaces it). One already there must be a
 * checkpoint, left by an earlier run of this file: it is removed. */
static int check_checkpoint_path(const char *ckpt, const char *input, const char *out,
                                 hs_error *err)
{
    char *c = resolved(ckpt), *i = resolved(input), *o = resolved(out);
    int rc = c && i && o ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK && (strcmp(c, i) == 0 || strcmp(c, o) == 0))
        rc = hs_error_set(err, HS_EINPUT, "--checkpoint %s: that is the %s", ckpt,
                          strcmp(c, i) == 0 ? "experiment file" : "run file");
    free(c);
    free(i);
    free(o);
    if (rc != HS_OK || access(ckpt, F_OK) != 0)
        return rc;
    const h5ckpt_meta *m;
    hs_error ignored;
    h5ckpt *k = h5ckpt_open(ckpt, &m, &ignored);
    if (!k)
        return hs_error_set(err, HS_EINPUT, "--checkpoint %s exists and is not a hebbsleep "
                            "checkpoint", ckpt);
    h5ckpt_close(k);
    if (remove(ckpt) != 0)
        return hs_error_set(err, HS_EIO, "%s: cannot remove the old checkpoint: %s", ckpt,
                            strerror(errno));
    return HS_OK;
}

/* The first SIGINT or SIGTERM asks the run to stop at the next window's end
 * (the recorders flushed, the file closed with complete = 0); a second one
 * exits at once: every write is flushed as it is made, so the file stays
 * readable. */
static volatile sig_atomic_t stop_signal;

int run_cmd_stop_signal(void)
{
    return stop_signal;
}

static void on_stop_signal(int sig)
{
    if (stop_signal)
        _exit(128 + sig);
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void run_ctx_free(run_ctx *r)
{
    if (r->file)
        h5out_close(r->file, 0, 0.0, NULL);
    free(r->spike_handle);
    free(r->trace_handle);
    free(r->weight_handle);
    free(r->run_ms);
    run_replay_free(r->replay);
    sim_free(r->s);
    network_free(r->net);
    free(r->ckpt_meta.config_path);
    free(r->ckpt_meta.output);
}

/* A resumed run: the analysed population's spikes written before the
 * checkpoint, kept again for replay detection. */
static int replay_read_back(run_ctx *r, hs_error *err)
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
        rc = run_replay_spikes(r->replay, p, t, ids, n, err);
    free(t);
    free(ids);
    return rc;
}

typedef struct resume_load {
    h5ckpt *k;
    run_ctx *r;
} resume_load;

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
static int execute(run_ctx *r, const run_opts *o, const char *out, double build_s,
                   const schedule_pos *from, resume_load *load, hs_error *err)
{
    const hs_config *c = r->c;
    r->progress = !o->quiet && (o->progress || isatty(STDERR_FILENO)) && hs_mpi_rank() == 0;
    r->t0_wall = now_s();
    uint64_t every = (uint64_t)(r->ckpt_meta.every_s * 1e3 / c->dt_ms + 0.5);
    sim_sink sink = {r, sink_spikes, sink_trace, sink_progress};
    schedule_sink ss = {r, sink_phase, sink_weights, sink_up_states, sink_up_states_past,
                        r->ckpt ? sink_checkpoint : NULL, every ? every : 1};
    sim_set_stop_flag(r->s, &stop_signal);
    catch_stop_signals();
    int rc = from ? schedule_resume(r->s, r->net, c, from, load_state, load, &sink, &ss, err)
                  : schedule_run(r->s, r->net, c, &sink, &ss, err);
    if (rc == HS_EINTERRUPTED) {
        char where[sizeof err->msg];
        snprintf(where, sizeof where, "%s", err->msg);
        if (r->progress)
            fputc('\n', stderr);
        hs_error_set(err, HS_EINTERRUPTED, "%s: %s; %s holds the run up to there "
                     "(complete = 0)%s%s", stop_signal == SIGTERM ? "SIGTERM" : "SIGINT",
                     where, out, r->ckpt ? "; go on with: hebbsleep resume " : "",
                     r->ckpt ? r->ckpt : "");
    }
    double run_s = now_s() - r->t0_wall, replay_s = now_s();
    replay_result replay = {0};
    replay_template_run tmpl = {.lap_ms = NAN};
    if (rc == HS_OK && r->replay)
        rc = detect_replay(r, r->net, &replay, &tmpl, err);
    replay_s = now_s() - replay_s;
    rc = hs_mpi_agree(close_output(r, rc, run_s + replay_s, err), err);
    if (rc == HS_OK && r->ckpt && hs_mpi_rank() == 0)
        remove(r->ckpt);
    if (rc == HS_OK)
        print_summary(c, r->net, r->s, out, build_s, run_s, r->step0, r->events0);
    if (rc == HS_OK && r->replay && hs_mpi_rank() == 0)
        run_replay_print(c, &replay, &tmpl, replay_s, stdout);
    replay_result_free(&replay);
    replay_template_run_free(&tmpl);
    return rc;
}

/* x.h5 -> x.ckpt.h5 (anything else: x.ckpt.h5 after it) */
static char *default_checkpoint(const char *out)
{
    size_t n = strlen(out);
    if (n > 3 && strcmp(out + n - 3, ".h5") == 0)
        n -= 3;
    char *p = malloc(n + 9);
    if (p)
        snprintf(p, n + 9, "%.*s.ckpt.h5", (int)n, out);
    return p;
}

/* The absolute form of an existing file's path (a resume may run from
 * another directory). */
static char *absolute(const char *path, hs_error *err)
{
    char *abs = realpath(path, NULL);
    if (!abs)
        hs_error_set(err, HS_EIO, "%s: %s", path, strerror(errno));
    return abs;
}

int run_cmd_run(const run_opts *o, hs_config *c, hs_error *err)
{
    if (o->threads > 0)
        c->threads = (int)o->threads;
    if (o->seed >= 0)
        c->seed = (uint64_t)o->seed;
    char *def = o->output ? NULL : default_output(o->input);
    const char *out = o->output ? o->output : def;
    char *def_ckpt = NULL;
    run_ctx r = {.c = c, .phase = c->phases[0].name};
    if (out && o->checkpoint_every_s > 0)
        r.ckpt = o->checkpoint ? o->checkpoint : (def_ckpt = default_checkpoint(out));
    int rc = out && (r.ckpt || o->checkpoint_every_s <= 0)
                 ? HS_OK
                 : hs_error_set(err, HS_ENOMEM, "out of memory");
    /* rank 0 judges the files (the others may start after it made them,
     * and may not see them: a disk of rank 0's node) */
    if (rc == HS_OK && hs_mpi_rank() == 0) {
        if (!o->overwrite && access(out, F_OK) == 0)
            rc = hs_error_set(err, HS_EINPUT, "%s exists (use --overwrite to replace it)", out);
        if (rc == HS_OK)
            rc = check_output_dir(out, err);
        if (rc == HS_OK && r.ckpt)
            rc = check_output_dir(r.ckpt, err);
        /* it may remove an old checkpoint */
        if (rc == HS_OK && r.ckpt)
            rc = check_checkpoint_path(r.ckpt, o->input, out, err);
    }
    rc = hs_mpi_agree(rc, err);
    double t_build = now_s();
    if (rc == HS_OK && !(r.net = network_build(c, c->threads, err)))
        rc = err->code;
    if (rc == HS_OK && !(r.s = sim_alloc(r.net, c, err)))
        rc = err->code;
    h5out_meta meta = {o->version, o->git_commit, c->seed, c->threads, c->text,
                       c->overrides ? c->overrides : ""};
    if (rc == HS_OK)
        rc = open_output(c, out, &meta, &r, err);
    if (rc == HS_OK)
        rc = write_task(r.file, c, r.net, &r, err);
    rc = hs_mpi_agree(rc, err);
    /* rank 0 alone analyses: it has every spike, and writes the file */
    if (rc == HS_OK && c->replay.present && hs_mpi_rank() == 0 &&
        !(r.replay = run_replay_alloc(c, err)))
        rc = err->code;
    if (rc == HS_OK && r.ckpt) {
        r.ckpt_meta = (h5ckpt_meta){(char *)o->version, (char *)o->git_commit, NULL,
                                    c->text,            (char *)meta.overrides, NULL,
                                    c->seed,            c->threads, o->checkpoint_every_s};
        /* rank 0 writes the checkpoint: the paths are its */
        if (hs_mpi_rank() == 0 && (!(r.ckpt_meta.config_path = absolute(o->input, err)) ||
                                   !(r.ckpt_meta.output = absolute(out, err))))
            rc = err->code;
    }
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK)
        rc = execute(&r, o, out, now_s() - t_build, NULL, NULL, err);
    run_ctx_free(&r);
    if (rc == HS_EIO)
        say_what_is_left(out, err);
    free(def);
    free(def_ckpt);
    return rc;
}

/* Splits the saved overrides (one per line) into sets. */
static size_t split_overrides(char *text, const char **sets, size_t max)
{
    size_t n = 0;
    for (char *line = text; *text && line && n < max; line = strchr(line, '\n')) {
        if (*line == '\n')
            *line++ = '\0';
        sets[n++] = line;
    }
    return n;
}

/* This build, the same experiment text, the same run file: else refused. */
static int check_same_run(const h5ckpt_meta *m, const run_opts *o, const hs_config *c,
                          hs_error *err)
{
    if (strcmp(m->version, o->version) != 0 || strcmp(m->git_commit, o->git_commit) != 0)
        return hs_error_set(err, HS_EINPUT, "%s: written by hebbsleep %s (%s), this is %s "
                            "(%s): resume it with the build that wrote it", o->input,
                            m->version, m->git_commit, o->version, o->git_commit);
    if (strcmp(c->text, m->config_text) != 0)
        return hs_error_set(err, HS_EINPUT, "%s: %s has changed since the checkpoint was "
                            "written", o->input, m->config_path);
    return HS_OK;
}

/* A first read of the whole checkpoint in a forked child (h5util_guard):
 * HDF5 1.10 crashes on some corrupt files. n NULL: its attributes only. */
typedef struct trial {
    const char *path;
    const hs_config *c;
    network *n;
    sim *s;
} trial;

static int trial_read(void *ctx, FILE *out, hs_error *err)
{
    (void)out;
    const trial *t = ctx;
    const h5ckpt_meta *m;
    h5ckpt *k = h5ckpt_open(t->path, &m, err);
    int rc = k ? HS_OK : err->code;
    schedule_pos pos;
    ckpt_recorders rec;
    if (rc == HS_OK && t->n && (rc = checkpoint_head_alloc(t->c, &pos, &rec, err)) == HS_OK) {
        rc = checkpoint_load_head(k, t->c, t->n, &pos, &rec, err);
        if (rc == HS_OK)
            rc = checkpoint_load_state(k, t->n, t->s, err);
        checkpoint_head_free(&pos, &rec);
    }
    h5ckpt_close(k);
    return rc;
}

int run_cmd_resume(const run_opts *o, hs_error *err)
{
    /* under MPI rank 0 tries it alone (the read of the state takes every
     * rank: the child reads the attributes) */
    trial t = {o->input, NULL, NULL, NULL};
    int rc0 = hs_mpi_rank() ? HS_OK : h5util_guard(trial_read, &t, NULL, o->input, err);
    if (hs_mpi_agree(rc0, err) != HS_OK)
        return err->code;
    const h5ckpt_meta *m = NULL;
    h5ckpt *k = h5ckpt_open(o->input, &m, err);
    if (hs_mpi_agree(k ? HS_OK : err->code, err) != HS_OK) {
        h5ckpt_close(k);
        return err->code;
    }
    enum { MAX_SETS = 256 };
    const char *sets[MAX_SETS];
    char *ov = strdup(m->overrides);
    hs_config *c = ov ? config_load(m->config_path, sets, split_overrides(ov, sets, MAX_SETS),
                                    err)
                      : NULL;
    int rc = c ? check_same_run(m, o, c, err)
               : ov ? err->code : hs_error_set(err, HS_ENOMEM, "out of memory");
    run_ctx r = {.c = c, .ckpt = o->input};
    schedule_pos pos = {0};
    ckpt_recorders rec = {0};
    double t_build = now_s();
    if (rc == HS_OK) {
        c->seed = m->seed;
        c->threads = o->threads > 0 ? (int)o->threads : m->threads;
        r.phase = c->phases[0].name;
        r.ckpt_meta = *m;
        r.ckpt_meta.config_path = strdup(m->config_path);
        r.ckpt_meta.output = strdup(m->output);
        r.ckpt_meta.threads = c->threads;
        if (o->checkpoint_every_s > 0)
            r.ckpt_meta.every_s = o->checkpoint_every_s;
        if (!r.ckpt_meta.config_path || !r.ckpt_meta.output)
            rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK && !(r.net = network_build(c, c->threads, err)))
        rc = err->code;
    if (rc == HS_OK && !(r.s = sim_alloc(r.net, c, err)))
        rc = err->code;
    rc = hs_mpi_agree(rc, err);
    /* the whole state in a child: one process (under MPI its reads are
     * collective, which a child of one rank cannot take part in) */
    t = (trial){o->input, c, r.net, r.s};
    if (rc == HS_OK && hs_mpi_size() == 1)
        rc = h5util_guard(trial_read, &t, NULL, o->input, err);
    if (rc == HS_OK)
        rc = hs_mpi_agree(checkpoint_head_alloc(c, &pos, &rec, err), err);
    if (rc == HS_OK)
        rc = checkpoint_load_head(k, c, r.net, &pos, &rec, err);
    /* all of it there, and in place, before the run file is cut back */
    if (rc == HS_OK)
        rc = checkpoint_check_state(k, r.net, r.s, err);
    uint64_t step = 0;
    state_io io = h5ckpt_io(k);
    if (rc == HS_OK)
        rc = state_array(&io, STATE_U64, &step, 1, err, "sim/step");
    if (rc == HS_OK)
        rc = schedule_pos_check(c, &pos, step, err);
    h5out_meta meta = {o->version, o->git_commit, m->seed, m->threads, m->config_text,
                       m->overrides};
    if (rc == HS_OK)
        rc = reopen_output(c, m->output, &meta, &rec, &r, err);
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK)
        rc = traj_run_times(c, &r.net->traj, &r, err);
    /* rank 0 alone analyses: it has every spike, and writes the file */
    if (rc == HS_OK && c->replay.present && hs_mpi_rank() == 0 &&
        !(r.replay = run_replay_alloc(c, err)))
        rc = err->code;
    if (rc == HS_OK && r.replay)
        rc = replay_read_back(&r, err);
    rc = hs_mpi_agree(rc, err);
    resume_load load = {k, &r};
    if (rc == HS_OK)
        rc = execute(&r, o, m->output, now_s() - t_build, &pos, &load, err);
    checkpoint_head_free(&pos, &rec);
    run_ctx_free(&r);
    if (rc == HS_EIO)
        say_what_is_left(m->output, err);
    h5ckpt_close(k);
    config_free(c);
    free(ov);
    return rc;
}
