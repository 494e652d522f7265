/* run_sink.h: the callbacks of a run (sim/engine.h, sim/schedule.h):
 * spikes and traces to the run file and to replay detection, the progress
 * line, weight snapshots, up states, and checkpoints.
 */
#ifndef HS_RUN_SINK_H
#define HS_RUN_SINK_H

#include <stdint.h>

#include "../sim/engine.h"
#include "../sim/schedule.h"
#include "run_ctx.h"

/* The sinks of r; a checkpoint every checkpoint_every steps when r->ckpt. */
void run_sink_make(run_ctx *r, uint64_t checkpoint_every, sim_sink *sink, schedule_sink *ss);

#endif
