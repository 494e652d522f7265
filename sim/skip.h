/* skip.h: event-driven updates: quiet neurons are not touched until input
 * reaches them.
 *
 * A population whose model has quiet() and advance() is cut into blocks of
 * SKIP_BLOCK neurons. Every QUIET_EVERY steps, an active block whose neurons
 * cannot spike before new input (quiet()) goes dormant: it is skipped each
 * step until a spike is delivered to it (a pending mark for the step the
 * input arrives), then advanced in closed form over the steps it lay dormant
 * (advance()) and updated as usual. Marks exist only for dormant blocks:
 * delivery marks a block only while it is dormant, a block going dormant marks
 * the input already waiting in its ring, and waking clears its marks. So
 * busy networks pay nothing per event. Whether a block goes dormant depends only
 * on its own state and input, so results are the same for any thread
 * count. Blocks holding a recorded trace are never dormant.
 */
#ifndef HS_SKIP_H
#define HS_SKIP_H

#include <stddef.h>
#include <stdint.h>

#include "network.h"

/* Neurons that go dormant and active together: few, so one input activates few, and a
 * whole number of AVX2 vectors, so active runs still vectorise. NEURON_BLOCK
 * (the unit of thread ranges) is a multiple of 8 of them. */
#define SKIP_BLOCK 8

typedef struct skip_pop {
    size_t n_blocks;
    uint8_t *active;        /* [n_blocks]; NULL: never dormant */
    uint64_t *since;        /* [n_blocks] first step not integrated, while dormant */
    uint8_t *pending;       /* [n_slots][n_blocks] input arrives in that slot */
    uint32_t n_slots;
    uint8_t *pinned;        /* [n_blocks] never dormant */
    uint8_t *activated;     /* [n_blocks] activated by input this step */
} skip_pop;

/* Sets k up for population pp (every block active), or leaves it empty when
 * the model cannot skip. Returns HS_OK or HS_ENOMEM. */
int skip_pop_alloc(skip_pop *k, const net_pop *pp, uint32_t n_slots);
void skip_pop_free(skip_pop *k);

/* Keeps the block of neuron i active for good (its trace is recorded). */
void skip_pop_pin(skip_pop *k, size_t i);

/* Marks input for target neuron i arriving in ring slot sl, if its block
 * is dormant. Only the thread that owns i may call it. */
static inline void skip_pop_mark(skip_pop *k, size_t sl, uint32_t i)
{
    size_t b = i / SKIP_BLOCK;
    if (!k->active[b])
        k->pending[sl * k->n_blocks + b] = 1;
}

/* Counts kept per thread. */
typedef struct skip_count {
    size_t dormant;          /* blocks of this thread dormant now */
    uint64_t skipped;       /* block-steps skipped */
    uint64_t blocks;        /* block-steps in all */
} skip_count;

/* One step of neurons [lo, hi) (a thread's range) of pp, reading ring slot
 * `slot`: as pp->type->update on the active and activated blocks. Returns the
 * spikes written to out, ascending. */
size_t skip_pop_update(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                       size_t slot, double **rx, uint32_t *out, skip_count *c);

/* Advances dormant blocks to `step` (they stay dormant), so the state is
 * current between runs. */
void skip_pop_sync(skip_pop *k, net_pop *pp, uint64_t step);

/* Activates every block after skip_pop_sync, as if input had activated them at the
 * sync's step (their marks stay): for a new plan, under which quiet() must
 * judge them again. The caller zeroes the threads' dormant counts. */
void skip_pop_wake_all(skip_pop *k);

#endif
