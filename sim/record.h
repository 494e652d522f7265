/* record.h: the run's recorders, filled inside the parallel regions and
 * handed to a sink between them.
 *
 * Spikes of recorded populations are kept per chunk of steps as (time, id)
 * in the canonical order (thread 0 copies each window's spikes as every
 * thread reads them); a trace keeps one row of floats per sample, each
 * thread writing the columns of its own neurons. Under MPI rank 0 ORs the
 * other ranks' columns into its rows before the sink sees them.
 */
#ifndef HS_RECORD_H
#define HS_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"
#include "../model/experiment.h"
#include "network.h"

/* Where recorded data goes. Every callback runs on the calling thread,
 * outside parallel regions. Return HS_OK or a negative code with err set. */
typedef struct sim_sink {
    void *ctx;
    /* spikes of recorded population pop, in time order */
    int (*spikes)(void *ctx, size_t pop, const double *t_ms, const uint64_t *ids,
                  size_t n, hs_error *err);
    /* n_rows samples of trace k, each row c->traces[k].n_ids floats */
    int (*trace)(void *ctx, size_t k, const float *rows, size_t n_rows, hs_error *err);
    /* biological time reached, of t_end_ms (may be NULL) */
    void (*progress)(void *ctx, double t_ms, double t_end_ms);
} sim_sink;

typedef struct record_trace {
    size_t pop;
    int var;
    const uint64_t *ids;
    size_t n_ids;
    uint64_t every;         /* steps between samples */
    size_t *klo, *khi;      /* [n_threads]: the ids each thread owns */
    float *rows;            /* [rows_cap][n_ids] */
    size_t rows_cap;
} record_trace;

typedef struct record {
    size_t n_pops;
    /* recorded spikes of the current chunk, per population */
    double **t;
    uint64_t **id;
    size_t *n, *cap;
    record_trace *tr;       /* [n_tr]: c's traces */
    size_t n_tr;
} record;

/* Buffers for c's recording on net, for chunks of at most `chunk` steps.
 * HS_OK or HS_ENOMEM; record_free frees what was allocated either way. */
int record_alloc(record *r, const network *net, const hs_config *c, uint64_t chunk);
void record_free(record *r);

/* Thread t samples the traces of population pop that fall on `step` of
 * the chunk starting at chunk0 (its own neurons' columns). */
static inline void record_traces_sample(record *r, const network *net, int t, size_t pop,
                                        uint64_t step, uint64_t chunk0)
{
    for (size_t k = 0; k < r->n_tr; k++) {
        record_trace *tr = &r->tr[k];
        if (tr->pop != pop || (step + 1) % tr->every != 0)
            continue;
        size_t row = (size_t)((step + 1) / tr->every - chunk0 / tr->every - 1);
        const double *x = net->pops[pop].state.var[tr->var];
        float *out = tr->rows + row * tr->n_ids;
        for (size_t q = tr->klo[t]; q < tr->khi[t]; q++)
            out[q] = (float)x[tr->ids[q]];
    }
}

/* m spikes ids of population p stamped t_ms, at place `at` of the chunk's. */
static inline void record_spikes_put(record *r, size_t p, size_t at, const uint32_t *ids,
                                     size_t m, double t_ms)
{
    for (size_t q = 0; q < m; q++) {
        r->t[p][at + q] = t_ms;
        r->id[p][at + q] = ids[q];
    }
}

/* 1 when another window could overflow a spike buffer holding n[p]. */
int record_full(const record *r, const network *net, const size_t *n);

/* Hands the chunk [chunk0, step) to sink (may be NULL: dropped), then
 * empties the buffers. Under MPI collective (traces). HS_OK or the sink's
 * or the exchange's code. */
int record_flush(record *r, const network *net, uint64_t chunk0, uint64_t step,
                 const sim_sink *sink, hs_error *err);

#endif
