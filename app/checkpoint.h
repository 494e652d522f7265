/* checkpoint.h: a run's checkpoint saved and loaded (the file is
 * io/h5ckpt.h, the arrays state.h's): where the schedule stands, how much
 * every recorder of the run file holds, and the whole network and sim
 * state. One walk of the arrays serves saving and loading alike.
 */
#ifndef HS_CHECKPOINT_H
#define HS_CHECKPOINT_H

#include <stdint.h>

#include "../io/config.h"
#include "../io/h5ckpt.h"
#include "../sim/engine.h"
#include "../sim/network.h"
#include "../sim/schedule.h"

/* How much the run file held at the checkpoint. */
typedef struct ckpt_recorders {
    uint64_t *spikes;       /* [n_pops] spikes (0 for populations not recorded) */
    uint64_t *rows;         /* [n_traces] report rows */
    uint64_t *snaps;        /* [n_weights] weight snapshots */
    uint64_t up_states;     /* rows of /sleep/up_states */
} ckpt_recorders;

/* Arrays for c's recorders (zeroed); free with checkpoint_recorders_free. */
int checkpoint_recorders_alloc(const hs_config *c, ckpt_recorders *rec, hs_error *err);
void checkpoint_recorders_free(ckpt_recorders *rec);

/* The same and pos->params; free with checkpoint_head_free. */
int checkpoint_head_alloc(const hs_config *c, schedule_pos *pos, ckpt_recorders *rec,
                          hs_error *err);
void checkpoint_head_free(schedule_pos *pos, ckpt_recorders *rec);

/* Writes checkpoint path (atomically) of run n, s of c at pos. */
int checkpoint_save(const char *path, const h5ckpt_meta *m, const hs_config *c, network *n,
                    sim *s, const schedule_pos *pos, const ckpt_recorders *rec,
                    hs_error *err);

/* Reads the position and recorder counts of k into pos and rec (from
 * checkpoint_head_alloc), checking that n, built from c, is the network
 * that was saved. HS_EINPUT naming the checkpoint otherwise. */
int checkpoint_load_head(h5ckpt *k, const hs_config *c, const network *n, schedule_pos *pos,
                         ckpt_recorders *rec, hs_error *err);

/* HS_OK when k holds every state array of n and s with its type and
 * length; HS_EINPUT naming the first that is missing or different. */
int checkpoint_check_state(h5ckpt *k, network *n, sim *s, hs_error *err);

/* Fills n and s from k. */
int checkpoint_load_state(h5ckpt *k, network *n, sim *s, hs_error *err);

#endif
