/* mpi.h: the few MPI calls hebbsleep makes, behind one small interface.
 *
 * Built with -DHS_MPI (the Makefile does so when mpicc is found) these call
 * Open MPI; without it they are the single-process case: rank 0 of 1,
 * collectives that copy. MPI is started only under a launcher (mpirun sets
 * OMPI_COMM_WORLD_SIZE or PMIX_RANK), so a plain `hebbsleep run`, the tests
 * and the sanitizer builds never touch it.
 *
 * Threads: MPI_THREAD_FUNNELED. Every call below is made by one thread
 * (thread 0 of a parallel region, or outside one); collectives must be
 * called by every rank in the same order. Errors are returned as
 * HS_EINTERNAL with err set; none of these allocate.
 */
#ifndef HS_MPI_H
#define HS_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Whether a launcher started this process (mpirun sets OMPI_COMM_WORLD_SIZE
 * or PMIX_RANK), and its rank there (0 when not launched): known before MPI
 * starts, so what must run before MPI_Init (a fork) can run on one rank. */
int hs_mpi_launched(void);
int hs_mpi_launch_rank(void);

/* Starts MPI when launched by mpirun; returns HS_OK or HS_EINTERNAL. */
int hs_mpi_init(int *argc, char ***argv, hs_error *err);
/* Whether hs_mpi_init started MPI (then this process must not fork: Open
 * MPI does not support fork after MPI_Init). */
int hs_mpi_running(void);
/* Ends MPI if hs_mpi_init started it. */
void hs_mpi_finalize(void);
/* Ends every rank at once (a rank failed alone, the others would hang). */
void hs_mpi_abort(int exit_code);

/* This process's rank, and the number of ranks (0 and 1 without MPI). */
int hs_mpi_rank(void);
int hs_mpi_size(void);

/* all[r] = rank r's mine, for every rank r ([hs_mpi_size()]). */
int hs_mpi_allgather_u64(uint64_t mine, uint64_t *all, hs_error *err);

/* v[0..n) becomes, on every rank, the element-wise minimum (HS_MPI_MIN)
 * or sum (HS_MPI_SUM) of every rank's v. */
enum { HS_MPI_MIN, HS_MPI_SUM };
int hs_mpi_allreduce_u64(uint64_t *v, size_t n, int op, hs_error *err);

/* v[0..n) becomes, on every rank, the element-wise sum of the v of the
 * ranks below it (zeros on rank 0). */
int hs_mpi_exscan_u64(uint64_t *v, size_t n, hs_error *err);

/* The int counts and displacements MPI takes for n[0..size) values by
 * rank, into ints[2 * size] (counts, then displacements): HS_OK, or
 * HS_EINTERNAL (err says what) when a count or an offset exceeds INT_MAX.
 * Pure; the collectives below call it with the same n on every rank, so
 * every rank refuses alike and none is left waiting. */
int hs_mpi_int_counts(const uint64_t *n, int size, int *ints, const char *what,
                      hs_error *err);

/* Concatenates every rank's n[rank] uint32 values from send into recv, by
 * rank: rank r's values start at the sum of n[0..r-1]. n comes from
 * hs_mpi_allgather_u64; ints[2 * size] is scratch. */
int hs_mpi_allgatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                          hs_error *err);

/* As hs_mpi_allgatherv_u32, but into recv on rank 0 alone (other ranks'
 * recv is not touched and may be NULL). n on every rank. */
int hs_mpi_gatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                       hs_error *err);

/* The converse: rank 0's send holds n[0] values for rank 0, then n[1] for
 * rank 1, ...; each rank gets its n[rank] into recv (other ranks' send is
 * not read and may be NULL). n on every rank. */
int hs_mpi_scatterv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
                        hs_error *err);

/* buf[0..n) on rank 0 becomes the bitwise OR of every rank's buf; other
 * ranks' buf is left as it was. Ranks that zero what they do not own so
 * hand rank 0 the owners' bits exactly. */
int hs_mpi_reduce_bor_u32(void *buf, size_t n, hs_error *err);

/* Every rank learns the first failing rank's code and message: returns
 * HS_OK when rc is HS_OK on every rank, else that rank's code, with *err
 * its error. */
int hs_mpi_agree(int rc, hs_error *err);

#endif
