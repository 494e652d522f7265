#include "mpi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int hs_mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK");
}

int hs_mpi_launch_rank(void)
{
    const char *v = getenv("OMPI_COMM_WORLD_RANK");
    if (!v)
        v = getenv("PMIX_RANK");
    char *end;
    long r = v ? strtol(v, &end, 10) : 0;
    return v && end != v && *end == '\0' && r >= 0 && r <= INT_MAX ? (int)r : 0;
}

int hs_mpi_int_counts(const uint64_t *n, int size, int *ints, const char *what,
                      hs_error *err)
{
    int *counts = ints, *displs = ints + size;
    uint64_t at = 0;
    for (int r = 0; r < size; r++) {
        if (n[r] > INT_MAX || at > INT_MAX)
            return hs_error_set(err, HS_EINTERNAL, "%s: rank %d's %llu values at offset %llu "
                                "exceed MPI's int counts", what, r, (unsigned long long)n[r],
                                (unsigned long long)at);
        counts[r] = (int)n[r];
        displs[r] = (int)at;
        at += n[r];
    }
    return HS_OK;
}

#ifdef HS_MPI
#include <mpi.h>

static int started;

/* HS_EINTERNAL naming the call and MPI's own words for code. */
static int mpi_fail(hs_error *err, const char *call, int code)
{
    char why[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, why, &len) != MPI_SUCCESS)
        len = 0;
    why[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING - 1] = '\0';
    return hs_error_set(err, HS_EINTERNAL, "%s failed: %s", call, len ? why : "no reason given");
}

int hs_mpi_init(int *argc, char ***argv, hs_error *err)
{
    /* a plain run stays a plain process: no singleton MPI start-up */
    if (!hs_mpi_launched())
        return HS_OK;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return hs_error_set(err, HS_EINTERNAL, "MPI_Init_thread failed");
    started = 1;
    if (provided < MPI_THREAD_FUNNELED)
        return hs_error_set(err, HS_EINTERNAL, "MPI gives no MPI_THREAD_FUNNELED support");
    return HS_OK;
}

int hs_mpi_running(void)
{
    return started;
}

void hs_mpi_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

void hs_mpi_abort(int exit_code)
{
    if (started)
        MPI_Abort(MPI_COMM_WORLD, exit_code);
}

int hs_mpi_rank(void)
{
    int r = 0;
    if (started)
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int hs_mpi_size(void)
{
    int p = 1;
    if (started)
        MPI_Comm_size(MPI_COMM_WORLD, &p);
    return p;
}

int hs_mpi_allgather_u64(uint64_t mine, uint64_t *all, hs_error *err)
{
    if (!started) {
        all[0] = mine;
        return HS_OK;
    }
    int rc = MPI_Allgather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Allgather", rc);
}

int hs_mpi_allreduce_u64(uint64_t *v, size_t n, int op, hs_error *err)
{
    if (!started || n == 0)
        return HS_OK;
    if (n > INT_MAX)
        return hs_error_set(err, HS_EINTERNAL, "an MPI reduction exceeds int counts");
    int rc = MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T,
                           op == HS_MPI_MIN ? MPI_MIN : MPI_SUM, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Allreduce", rc);
}

int hs_mpi_exscan_u64(uint64_t *v, size_t n, hs_error *err)
{
    if (!started) {
        memset(v, 0, n * sizeof *v);
        return HS_OK;
    }
    if (n == 0)
        return HS_OK;
    if (n > INT_MAX)
        return hs_error_set(err, HS_EINTERNAL, "an MPI scan exceeds int counts");
    int rc = MPI_Exscan(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (hs_mpi_rank() == 0)
        memset(v, 0, n * sizeof *v);   /* MPI leaves rank 0's undefined */
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Exscan", rc);
}

int hs_mpi_allgatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                          hs_error *err)
{
    int size = hs_mpi_size(), rank = hs_mpi_rank();
    if (!started) {
        memmove(recv, send, n[0] * sizeof *recv);
        return HS_OK;
    }
    int rc = hs_mpi_int_counts(n, size, ints, "a window's spikes", err);
    if (rc != HS_OK)
        return rc;
    int *counts = ints, *displs = ints + size;
    rc = MPI_Allgatherv(send, counts[rank], MPI_UINT32_T, recv, counts, displs,
                            MPI_UINT32_T, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Allgatherv", rc);
}

int hs_mpi_gatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                       hs_error *err)
{
    if (!started) {
        memmove(recv, send, n[0] * sizeof *recv);
        return HS_OK;
    }
    int size = hs_mpi_size(), rank = hs_mpi_rank();
    int rc = hs_mpi_int_counts(n, size, ints, "a gather to rank 0", err);
    if (rc != HS_OK)
        return rc;
    int *counts = ints, *displs = ints + size;
    rc = MPI_Gatherv(send, counts[rank], MPI_UINT32_T, recv, counts, displs, MPI_UINT32_T,
                         0, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Gatherv", rc);
}

int hs_mpi_scatterv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                        hs_error *err)
{
    if (!started) {
        memmove(recv, send, n[0] * sizeof *recv);
        return HS_OK;
    }
    int size = hs_mpi_size(), rank = hs_mpi_rank();
    int rc = hs_mpi_int_counts(n, size, ints, "a scatter from rank 0", err);
    if (rc != HS_OK)
        return rc;
    int *counts = ints, *displs = ints + size;
    rc = MPI_Scatterv(send, counts, displs, MPI_UINT32_T, recv, counts[rank], MPI_UINT32_T,
                          0, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Scatterv", rc);
}

int hs_mpi_reduce_bor_u32(void *buf, size_t n, hs_error *err)
{
    if (!started || n == 0)
        return HS_OK;
    if (n > INT_MAX)
        return hs_error_set(err, HS_EINTERNAL, "a trace buffer exceeds MPI's int counts");
    int rc = hs_mpi_rank() == 0
                 ? MPI_Reduce(MPI_IN_PLACE, buf, (int)n, MPI_UINT32_T, MPI_BOR, 0, MPI_COMM_WORLD)
                 : MPI_Reduce(buf, NULL, (int)n, MPI_UINT32_T, MPI_BOR, 0, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? HS_OK : mpi_fail(err, "MPI_Reduce", rc);
}

int hs_mpi_agree(int rc, hs_error *err)
{
    if (!started)
        return rc;
    int mine = rc == HS_OK ? INT_MAX : hs_mpi_rank(), first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == INT_MAX)
        return HS_OK;
    hs_error e = *err;
    e.code = first == hs_mpi_rank() ? rc : HS_OK;
    MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
    *err = e;
    return e.code;
}

#else

int hs_mpi_init(int *argc, char ***argv, hs_error *err)
{
    (void)argc;
    (void)argv;
    (void)err;
    return HS_OK;
}

int hs_mpi_running(void)
{
    return 0;
}

void hs_mpi_finalize(void) {}

void hs_mpi_abort(int exit_code)
{
    (void)exit_code;
}

int hs_mpi_rank(void)
{
    return 0;
}

int hs_mpi_size(void)
{
    return 1;
}

int hs_mpi_allgather_u64(uint64_t mine, uint64_t *all, hs_error *err)
{
    (void)err;
    all[0] = mine;
    return HS_OK;
}

int hs_mpi_allreduce_u64(uint64_t *v, size_t n, int op, hs_error *err)
{
    (void)v;
    (void)n;
    (void)op;
    (void)err;
    return HS_OK;
}

int hs_mpi_allgatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                          hs_error *err)
{
    (void)ints;
    (void)err;
    memmove(recv, send, n[0] * sizeof *recv);
    return HS_OK;
}

int hs_mpi_exscan_u64(uint64_t *v, size_t n, hs_error *err)
{
    (void)err;
    memset(v, 0, n * sizeof *v);
    return HS_OK;
}

int hs_mpi_gatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                       hs_error *err)
{
    return hs_mpi_allgatherv_u32(send, n, recv, ints, err);
}

int hs_mpi_scatterv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                        hs_error *err)
{
    return hs_mpi_allgatherv_u32(send, n, recv, ints, err);
}

int hs_mpi_reduce_bor_u32(void *buf, size_t n, hs_error *err)
{
    (void)buf;
    (void)n;
    (void)err;
    return HS_OK;
}

int hs_mpi_agree(int rc, hs_error *err)
{
    (void)err;
    return rc;
}

#endif
