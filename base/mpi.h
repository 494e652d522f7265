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

/* Starts MPI when launched by mpirun; returns HS_OK or HS_EINTERNAL. */
int hs_mpi_init(int *argc, char ***argv, hs_error *err);
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

/* Concatenates every rank's n[rank] uint32 values from send into recv, by
 * rank: rank r's values start at the sum of n[0..r-1]. n comes from
 * hs_mpi_allgather_u64; ints[2 * size] is scratch. */
int hs_mpi_allgatherv_u32(const uint32_t *send, const uint64_t *n, uint32_t *recv, int *ints,
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
