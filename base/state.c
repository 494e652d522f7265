/* state.c: named arrays of a run's state, and their spread over MPI ranks
 * (state.h). */
#include "state.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi.h"

static int vcall(const state_io *io, const state_part *part, state_type type, void *data,
                 size_t n, hs_error *err, const char *fmt, va_list ap)
{
    char name[256];
    int len = vsnprintf(name, sizeof name, fmt, ap);
    if (len < 0 || (size_t)len >= sizeof name)
        return hs_error_set(err, HS_EINTERNAL, "checkpoint array name too long");
    return io->array(io->ctx, name, type, data, n, part, err);
}

int state_array(const state_io *io, state_type type, void *data, size_t n, hs_error *err,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vcall(io, NULL, type, data, n, err, fmt, ap);
    va_end(ap);
    return rc;
}

int state_array_part(const state_io *io, const state_part *part, state_type type, void *data,
                     size_t n, hs_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vcall(io, part, type, data, n, err, fmt, ap);
    va_end(ap);
    return rc;
}

static size_t type_size(state_type type)
{
    switch (type) {
    case STATE_F64:
    case STATE_U64: return 8;
    case STATE_F32:
    case STATE_U32:
    case STATE_I32: return 4;
    default: return 1;
    }
}

static int part_owns(const state_part *part, size_t e)
{
    size_t i = (e % part->period) / part->per * part->stride;
    return i >= part->lo && i < part->hi;
}

/* Saving over ranks: rank 0 hands inner what the owners hold. */
static int ranks_save(state_ranks *x, const char *name, state_type type, void *data, size_t n,
                      const state_part *part, hs_error *err)
{
    int rank0 = hs_mpi_rank() == 0, rc = HS_OK;
    state_spread spread = part ? part->spread : STATE_SAME;
    if (spread == STATE_SAME || spread == STATE_ROOT)
        return hs_mpi_agree(rank0 ? x->inner.array(x->inner.ctx, name, type, data, n, NULL, err)
                                  : HS_OK, err);
    size_t size = type_size(type), bytes = n * size, words = (bytes + 3) / 4;
    uint32_t *buf = calloc(words ? words : 1, sizeof *buf);
    if (!buf)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory saving %s", name);
    rc = hs_mpi_agree(rc, err);
    if (rc != HS_OK) {
        free(buf);
        return rc;
    }
    if (spread == STATE_SUM) {
        assert(type == STATE_U64);
        memcpy(buf, data, bytes);
        rc = hs_mpi_allreduce_u64((uint64_t *)buf, n, HS_MPI_SUM, err);
    } else {
        /* zero where others own, so OR-ing all ranks gives the owners' bits */
        for (size_t e = 0; e < n; e++)
            if (part_owns(part, e))
                memcpy((char *)buf + e * size, (const char *)data + e * size, size);
        rc = hs_mpi_reduce_bor_u32(buf, words, err);
    }
    if (rc == HS_OK && rank0)
        rc = x->inner.array(x->inner.ctx, name, type, buf, n, NULL, err);
    free(buf);
    return hs_mpi_agree(rc, err);
}

/* Loading over ranks: each rank reads the array and keeps its own. */
static int ranks_load(state_ranks *x, const char *name, state_type type, void *data, size_t n,
                      const state_part *part, hs_error *err)
{
    state_spread spread = part ? part->spread : STATE_SAME;
    if (spread == STATE_ROOT)
        return hs_mpi_agree(hs_mpi_rank() == 0 ? x->inner.array(x->inner.ctx, name, type, data,
                                                                n, NULL, err)
                                               : HS_OK, err);
    if (spread != STATE_OWNED) {
        int rc = x->inner.array(x->inner.ctx, name, type, data, n, NULL, err);
        if (rc == HS_OK && spread == STATE_SUM && hs_mpi_rank() != 0)
            memset(data, 0, n * type_size(type));
        return hs_mpi_agree(rc, err);
    }
    size_t size = type_size(type);
    void *buf = calloc(n ? n : 1, size);
    int rc = buf ? x->inner.array(x->inner.ctx, name, type, buf, n, NULL, err)
                 : hs_error_set(err, HS_ENOMEM, "out of memory loading %s", name);
    for (size_t e = 0; rc == HS_OK && e < n; e++)
        if (part_owns(part, e))
            memcpy((char *)data + e * size, (const char *)buf + e * size, size);
    free(buf);
    return hs_mpi_agree(rc, err);
}

static int ranks_array(void *ctx, const char *name, state_type type, void *data, size_t n,
                       const state_part *part, hs_error *err)
{
    state_ranks *x = ctx;
    return x->inner.loading ? ranks_load(x, name, type, data, n, part, err)
                            : ranks_save(x, name, type, data, n, part, err);
}

state_io state_ranks_io(state_ranks *ctx, const state_io *inner)
{
    ctx->inner = *inner;
    if (hs_mpi_size() == 1)
        return *inner;
    return (state_io){ctx, inner->loading, ranks_array};
}
