/* run_file.c: the run file of a run, opened, filled before the run and
 * closed (run_file.h). */
#include "run_file.h"

#include <math.h>
#include <stdlib.h>

#include "../base/mpi.h"
#include "../neurons/place_cells.h"
#include "../sim/schedule.h"

/* Phase k runs over [start[k], stop[k]) ms: whole steps, as the run counts
 * them. */
void run_file_phase_bounds(const hs_config *c, double *start, double *stop)
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
        run_file_phase_bounds(c, start, stop);
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

int run_file_open(const hs_config *c, const char *path, const h5out_meta *meta,
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
int run_file_reopen(const hs_config *c, const char *path, const h5out_meta *meta,
                         const ckpt_recorders *rec, run_ctx *r, hs_error *err)
{
    if (hs_mpi_rank())
        return run_file_open(c, path, meta, r, err);
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
 * only: schedule_path_run_ms) into r->run_ms; r->n_run counts the samples
 * the wake phases reach (the others come after every wake phase ended). */
int run_file_run_times(const hs_config *c, const track_traj *t, run_ctx *r, hs_error *err)
{
    r->run_ms = malloc((t->n ? t->n : 1) * sizeof *r->run_ms);
    if (!r->run_ms)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    r->n_run = 0;
    for (size_t i = 0; i < t->n; i++) {
        double ms = schedule_path_run_ms(c, (double)i * t->sample_ms);
        if (isnan(ms))
            break;
        r->run_ms[r->n_run++] = ms;
    }
    return HS_OK;
}

/* /behavior from the rat's trajectory in run time (the samples the wake
 * phases reach) and /place_fields of every place_cells population: known
 * before the run starts. */
int run_file_task(h5out *f, const hs_config *c, const network *net, run_ctx *r,
                      hs_error *err)
{
    const track_traj *t = &r->traj;
    int rc = run_file_run_times(c, t, r, err);
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

/* Closes the file, complete when the run succeeded (rc HS_OK); returns rc
 * or the close's error. */
int run_file_close(run_ctx *r, int rc, double wall_s, hs_error *err)
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
