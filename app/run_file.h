/* run_file.h: a run's file (io/h5out.h) as the run sees it: opened with a
 * recorder for every recorded population, trace and weight projection and
 * the phases table, or reopened for a resumed run with every recorder cut
 * back to its checkpoint; the rat's behaviour and the place fields written
 * before the run starts; closed complete or not.
 */
#ifndef HS_RUN_FILE_H
#define HS_RUN_FILE_H

#include "../base/error.h"
#include "../io/h5out.h"
#include "../model/experiment.h"
#include "../sim/network.h"
#include "checkpoint.h"
#include "run_ctx.h"

/* Phase k runs over [start[k], stop[k]) ms: whole steps, as the run counts
 * them. */
void run_file_phase_bounds(const hs_config *c, double *start, double *stop);

/* Creates path (under MPI the other ranks write the same into memory),
 * the recorders' handles into r, and /phases. */
int run_file_open(const hs_config *c, const char *path, const h5out_meta *meta, run_ctx *r,
                  hs_error *err);

/* The run file of a resumed run, every recorder cut to what rec counts
 * (what was written after the checkpoint is written again). */
int run_file_reopen(const hs_config *c, const char *path, const h5out_meta *meta,
                    const ckpt_recorders *rec, run_ctx *r, hs_error *err);

/* The run time of each trajectory sample (its clock runs in wake phases
 * only: schedule_path_run_ms) into r->run_ms; r->n_run counts the samples
 * the wake phases reach. */
int run_file_run_times(const hs_config *c, const track_traj *t, run_ctx *r, hs_error *err);

/* /behavior from the rat's trajectory in run time and /place_fields of
 * every place_cells population: known before the run starts. */
int run_file_task(h5out *f, const hs_config *c, const network *net, run_ctx *r,
                  hs_error *err);

/* Closes the file, complete when the run succeeded (rc HS_OK); returns rc
 * or the close's error. */
int run_file_close(run_ctx *r, int rc, double wall_s, hs_error *err);

#endif
