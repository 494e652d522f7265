/* run_exec.h: a built run (run_ctx.h) taken to its end. */
#ifndef HS_RUN_EXEC_H
#define HS_RUN_EXEC_H

#include "../base/error.h"
#include "../sim/schedule.h"
#include "run_ctx.h"

/* Runs the schedule of r (resumed from `from`, loading through load, when
 * not NULL) into r's open file, then replay detection, closing the file
 * (complete when all went well) and the summary. A complete run's
 * checkpoint is removed: there is nothing left to resume. build_s is the
 * build's wall time, for the summary. */
int run_exec(run_ctx *r, const run_opts *o, const char *out, double build_s,
             const schedule_pos *from, resume_load *load, hs_error *err);

/* A resumed run: the analysed population's spikes written before the
 * checkpoint, kept again for replay detection (r->replay). */
int run_exec_read_back(run_ctx *r, hs_error *err);

#endif
