/* checkpoint.c: saving and loading checkpoints (checkpoint.h). */
#include "checkpoint.h"

#include <stdlib.h>

#include "../base/mpi.h"
#include "../sim/network_state.h"

int checkpoint_recorders_alloc(const hs_config *c, ckpt_recorders *rec, hs_error *err)
{
    *rec = (ckpt_recorders){0};
    rec->spikes = calloc(c->n_pops ? c->n_pops : 1, sizeof *rec->spikes);
    rec->rows = calloc(c->n_traces ? c->n_traces : 1, sizeof *rec->rows);
    rec->snaps = calloc(c->n_weights ? c->n_weights : 1, sizeof *rec->snaps);
    if (!rec->spikes || !rec->rows || !rec->snaps) {
        checkpoint_recorders_free(rec);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    return HS_OK;
}

void checkpoint_recorders_free(ckpt_recorders *rec)
{
    free(rec->spikes);
    free(rec->rows);
    free(rec->snaps);
    *rec = (ckpt_recorders){0};
}

int checkpoint_head_alloc(const hs_config *c, schedule_pos *pos, ckpt_recorders *rec,
                          hs_error *err)
{
    *pos = (schedule_pos){0};
    pos->params = calloc((c->n_pops ? c->n_pops : 1) * HS_MAX_PARAMS, sizeof *pos->params);
    if (!pos->params)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    int rc = checkpoint_recorders_alloc(c, rec, err);
    if (rc != HS_OK) {
        free(pos->params);
        pos->params = NULL;
    }
    return rc;
}

void checkpoint_head_free(schedule_pos *pos, ckpt_recorders *rec)
{
    free(pos->params);
    pos->params = NULL;
    checkpoint_recorders_free(rec);
}

/* The position, the recorders and each projection's synapse count (which
 * tells a network built from another config). */
static int visit_head(const state_io *io, const hs_config *c, uint64_t *n_syn,
                      schedule_pos *pos, ckpt_recorders *rec, hs_error *err)
{
    uint64_t phase = pos->phase;
    int rc = state_array(io, STATE_U64, &phase, 1, err, "schedule/phase");
    pos->phase = (size_t)phase;
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, &pos->phase_start, 1, err, "schedule/phase_start");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, &pos->seg_stop, 1, err, "schedule/seg_stop");
    if (rc == HS_OK)
        rc = state_array(io, STATE_F64, &pos->path_ms, 1, err, "schedule/path_ms");
    if (rc == HS_OK)
        rc = state_array(io, STATE_F64, pos->params, c->n_pops * HS_MAX_PARAMS, err,
                         "schedule/params");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, rec->spikes, c->n_pops, err, "recorders/spikes");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, rec->rows, c->n_traces, err, "recorders/rows");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, rec->snaps, c->n_weights, err, "recorders/snaps");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, &rec->up_states, 1, err, "recorders/up_states");
    if (rc == HS_OK)
        rc = state_array(io, STATE_U64, n_syn, c->n_projs, err, "network/n_syn");
    return rc;
}

/* Each projection's synapses over all ranks (collective). */
static uint64_t *synapse_counts(const network *n, hs_error *err)
{
    uint64_t *m = calloc(n->n_projs ? n->n_projs : 1, sizeof *m);
    for (size_t j = 0; m && j < n->n_projs; j++)
        for (int t = 0; t < n->n_threads; t++)
            m[j] += n->projs[j].part[t].n_syn;
    int rc = m ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK)
        rc = hs_mpi_allreduce_u64(m, n->n_projs, HS_MPI_SUM, err);
    if (hs_mpi_agree(rc, err) != HS_OK) {
        free(m);
        return NULL;
    }
    return m;
}

int checkpoint_save(const char *path, const h5ckpt_meta *m, const hs_config *c, network *n,
                    sim *s, const schedule_pos *pos, const ckpt_recorders *rec,
                    hs_error *err)
{
    uint64_t *n_syn = synapse_counts(n, err);
    if (!n_syn)
        return err->code;
    /* under MPI rank 0 writes what every rank holds (state_ranks_io) */
    h5ckpt *k = hs_mpi_rank() == 0 ? h5ckpt_create(path, m, err) : NULL;
    int rc = hs_mpi_agree(k || hs_mpi_rank() ? HS_OK : err->code, err);
    state_io inner = k ? h5ckpt_io(k) : (state_io){0};
    state_ranks x;
    state_io io = state_ranks_io(&x, &inner);
    /* saving only reads through these */
    schedule_pos p = *pos;
    ckpt_recorders r = *rec;
    if (rc == HS_OK)
        rc = visit_head(&io, c, n_syn, &p, &r, err);
    if (rc == HS_OK)
        rc = network_state_visit(n, &io, err);
    if (rc == HS_OK)
        rc = sim_state_visit(s, &io, err);
    free(n_syn);
    if (rc != HS_OK) {
        h5ckpt_close(k);
        return rc;
    }
    return hs_mpi_agree(k ? h5ckpt_commit(k, err) : HS_OK, err);
}

int checkpoint_load_head(h5ckpt *k, const hs_config *c, const network *n, schedule_pos *pos,
                         ckpt_recorders *rec, hs_error *err)
{
    uint64_t *want = synapse_counts(n, err);
    if (!want)
        return err->code;
    uint64_t *had = calloc(n->n_projs ? n->n_projs : 1, sizeof *had);
    int rc = hs_mpi_agree(had ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory"), err);
    state_io inner = h5ckpt_io(k);
    state_ranks x;
    state_io io = state_ranks_io(&x, &inner);
    if (rc == HS_OK)
        rc = visit_head(&io, c, had, pos, rec, err);
    for (size_t j = 0; rc == HS_OK && j < n->n_projs; j++)
        if (had[j] != want[j])
            rc = hs_error_set(err, HS_EINPUT, "the checkpoint's projection %s has %llu "
                              "synapses, the network built now %llu: its inputs changed",
                              c->projs[j].name, (unsigned long long)had[j],
                              (unsigned long long)want[j]);
    free(want);
    free(had);
    return rc;
}

/* The network's and the sim's state through inner, over ranks. */
static int visit_state(state_io inner, network *n, sim *s, hs_error *err)
{
    state_ranks x;
    state_io io = state_ranks_io(&x, &inner);
    int rc = network_state_visit(n, &io, err);
    return rc == HS_OK ? sim_state_visit(s, &io, err) : rc;
}

int checkpoint_load_state(h5ckpt *k, network *n, sim *s, hs_error *err)
{
    return visit_state(h5ckpt_io(k), n, s, err);
}

int checkpoint_check_state(h5ckpt *k, network *n, sim *s, hs_error *err)
{
    return visit_state(h5ckpt_check_io(k), n, s, err);
}
