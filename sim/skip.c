#include "skip.h"

#include <stdlib.h>
#include <string.h>

/* Steps between looks for blocks that have gone quiet. */
#define QUIET_EVERY 16

int skip_pop_alloc(skip_pop *k, const net_pop *pp, uint32_t n_slots)
{
    memset(k, 0, sizeof *k);
    k->n_blocks = pp->state.n_alloc / SKIP_BLOCK;
    if (!pp->type->quiet || !pp->type->advance || k->n_blocks == 0)
        return HS_OK;
    k->awake = malloc(k->n_blocks);
    k->since = calloc(k->n_blocks, sizeof *k->since);
    k->pending = calloc((size_t)n_slots * k->n_blocks, 1);
    k->pinned = calloc(k->n_blocks, 1);
    k->woke = calloc(k->n_blocks, 1);
    if (!k->awake || !k->since || !k->pending || !k->pinned || !k->woke) {
        skip_pop_free(k);
        return HS_ENOMEM;
    }
    memset(k->awake, 1, k->n_blocks);
    k->n_slots = n_slots;
    return HS_OK;
}

void skip_pop_free(skip_pop *k)
{
    free(k->awake);
    free(k->since);
    free(k->pending);
    free(k->pinned);
    free(k->woke);
    memset(k, 0, sizeof *k);
}

void skip_pop_pin(skip_pop *k, size_t i)
{
    if (k->pinned)
        k->pinned[i / SKIP_BLOCK] = 1;
}

static void block_range(size_t b, size_t hi, size_t *a, size_t *e)
{
    *a = b * SKIP_BLOCK;
    *e = *a + SKIP_BLOCK < hi ? *a + SKIP_BLOCK : hi;
}

/* Block b falls asleep after step `step`. Input delivered while it was
 * awake was not marked: mark it now, unless it woke in this very step (no
 * delivery since). Consumed slots are zero, so every nonzero ring entry is
 * a future arrival. */
static void fall_asleep(skip_pop *k, net_pop *pp, size_t b, size_t a, size_t e,
                        uint64_t step, skip_count *c)
{
    int woke_now = k->since[b] == step;
    k->awake[b] = 0;
    k->since[b] = step + 1;
    c->asleep++;
    for (size_t sl = 0; !woke_now && sl < k->n_slots; sl++)
        for (size_t x = 0; x < pp->type->n_receptors; x++) {
            const double *v = pp->ring[x] + sl * pp->state.n_alloc;
            for (size_t i = a; i < e; i++)
                if (v[i] != 0.0)
                    k->pending[sl * k->n_blocks + b] = 1;
        }
}

/* Block b wakes for input in step `step`; its marks for later slots stay,
 * so it can fall asleep again at once. While awake, since[b] holds the
 * step it woke. */
static void wake(skip_pop *k, net_pop *pp, size_t b, size_t a, size_t e, uint64_t step,
                 skip_count *c)
{
    pp->type->advance(pp->plan, &pp->state, a, e, step - k->since[b]);
    k->awake[b] = 1;
    k->since[b] = step;
    c->asleep--;
}

/* Puts the quiet blocks of [lo, hi) to sleep after step `step`. */
static void find_quiet(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                       skip_count *c)
{
    for (size_t b = lo / SKIP_BLOCK; b * SKIP_BLOCK < hi; b++) {
        size_t a, e;
        block_range(b, hi, &a, &e);
        if (k->awake[b] && !k->pinned[b] && pp->type->quiet(pp->plan, &pp->state, a, e))
            fall_asleep(k, pp, b, a, e, step, c);
    }
}

/* The flags of 8 blocks at once. */
static uint64_t bytes8(const uint8_t *x)
{
    uint64_t w;
    memcpy(&w, x, sizeof w);
    return w;
}

/* Blocks that woke for input this step go back to sleep at once if they
 * can: the cost stays with the events, not with the steps. */
static void sleep_after_input(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                              skip_count *c)
{
    size_t b1 = (hi + SKIP_BLOCK - 1) / SKIP_BLOCK;
    for (size_t b = lo / SKIP_BLOCK; b < b1; b++) {
        if (b % 8 == 0 && b + 8 <= b1 && bytes8(k->woke + b) == 0) {
            b += 7;     /* none of these 8 woke: most steps, most blocks */
            continue;
        }
        if (!k->woke[b])
            continue;
        k->woke[b] = 0;
        size_t a, e;
        block_range(b, hi, &a, &e);
        if (!k->pinned[b] && pp->type->quiet(pp->plan, &pp->state, a, e))
            fall_asleep(k, pp, b, a, e, step, c);
    }
}

/* 1 if the 8 blocks from b are asleep with no input this step. */
static int eight_idle(const skip_pop *k, const uint8_t *pend, size_t b)
{
    return (bytes8(k->awake + b) | bytes8(pend + b)) == 0;
}

/* Updates the awake blocks of [lo, hi) and the ones input wakes, in runs
 * of consecutive blocks so the model's loop stays long. */
static size_t update_awake(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                           size_t slot, double **rx, uint32_t *out, skip_count *c)
{
    const uint8_t *pend = k->pending + slot * k->n_blocks;
    size_t ns = 0, run = SIZE_MAX;
    size_t b = lo / SKIP_BLOCK, b1 = (hi + SKIP_BLOCK - 1) / SKIP_BLOCK;
    while (b < b1) {
        size_t a, e;
        block_range(b, hi, &a, &e);
        int idle8 = b % 8 == 0 && b + 8 <= b1 && eight_idle(k, pend, b);
        if (idle8 || (!k->awake[b] && !pend[b])) {
            if (run != SIZE_MAX)
                ns += pp->type->update(pp->plan, &pp->state, run, a, step, rx, out + ns);
            run = SIZE_MAX;
            c->skipped += idle8 ? 8 : 1;
            b += idle8 ? 8 : 1;
            continue;
        }
        if (!k->awake[b]) {
            wake(k, pp, b, a, e, step, c);
            k->woke[b] = 1;
        }
        if (run == SIZE_MAX)
            run = a;
        b++;
    }
    if (run != SIZE_MAX)
        ns += pp->type->update(pp->plan, &pp->state, run, hi, step, rx, out + ns);
    sleep_after_input(k, pp, lo, hi, step, c);
    return ns;
}

size_t skip_pop_update(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                       size_t slot, double **rx, uint32_t *out, skip_count *c)
{
    if (!k->awake)
        return pp->type->update(pp->plan, &pp->state, lo, hi, step, rx, out);
    size_t b0 = lo / SKIP_BLOCK, b1 = (hi + SKIP_BLOCK - 1) / SKIP_BLOCK;
    size_t ns = c->asleep == 0 ? pp->type->update(pp->plan, &pp->state, lo, hi, step, rx, out)
                               : update_awake(k, pp, lo, hi, step, slot, rx, out, c);
    c->blocks += b1 - b0;
    /* This slot's marks are used, whichever path ran: a mark left over would
     * wake a block that sleeps later, depending on its thread's neighbours.
     * Written only when set: the row's ends share cache lines with the
     * neighbouring thread's blocks. */
    uint8_t *used = k->pending + slot * k->n_blocks;
    if (memchr(used + b0, 1, b1 - b0))
        memset(used + b0, 0, b1 - b0);
    if ((step + 1) % QUIET_EVERY == 0)
        find_quiet(k, pp, lo, hi, step, c);
    return ns;
}

void skip_pop_sync(skip_pop *k, net_pop *pp, uint64_t step)
{
    for (size_t b = 0; k->awake && b < k->n_blocks; b++) {
        if (k->awake[b] || k->since[b] == step)
            continue;
        size_t a, e;
        block_range(b, pp->state.n, &a, &e);
        if (a < e)
            pp->type->advance(pp->plan, &pp->state, a, e, step - k->since[b]);
        k->since[b] = step;
    }
}

void skip_pop_wake_all(skip_pop *k)
{
    for (size_t b = 0; k->awake && b < k->n_blocks; b++)
        k->awake[b] = 1;
}
