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
    k->active = malloc(k->n_blocks);
    k->since = calloc(k->n_blocks, sizeof *k->since);
    k->pending = calloc((size_t)n_slots * k->n_blocks, 1);
    k->pinned = calloc(k->n_blocks, 1);
    k->activated = calloc(k->n_blocks, 1);
    if (!k->active || !k->since || !k->pending || !k->pinned || !k->activated) {
        skip_pop_free(k);
        return HS_ENOMEM;
    }
    memset(k->active, 1, k->n_blocks);
    k->n_slots = n_slots;
    return HS_OK;
}

void skip_pop_free(skip_pop *k)
{
    free(k->active);
    free(k->since);
    free(k->pending);
    free(k->pinned);
    free(k->activated);
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

/* Block b goes dormant after step `step`. Input delivered while it was
 * active was not marked: mark it now, unless it activated in this very step (no
 * delivery since). Consumed slots are zero, so every nonzero ring entry is
 * a future arrival. */
static void go_dormant(skip_pop *k, net_pop *pp, size_t b, size_t a, size_t e,
                        uint64_t step, skip_count *c)
{
    int activated_now = k->since[b] == step;
    k->active[b] = 0;
    k->since[b] = step + 1;
    c->dormant++;
    for (size_t sl = 0; !activated_now && sl < k->n_slots; sl++)
        for (size_t x = 0; x < pp->type->n_receptors; x++) {
            const double *v = pp->ring[x] + sl * pp->state.n_alloc;
            for (size_t i = a; i < e; i++)
                if (v[i] != 0.0)
                    k->pending[sl * k->n_blocks + b] = 1;
        }
}

/* Block b is activated by input in step `step`; its marks for later slots stay,
 * so it can go dormant again at once. While active, since[b] holds the
 * step it activated. */
static void activate(skip_pop *k, net_pop *pp, size_t b, size_t a, size_t e, uint64_t step,
                 skip_count *c)
{
    pp->type->advance(pp->plan, &pp->state, a, e, step - k->since[b]);
    k->active[b] = 1;
    k->since[b] = step;
    c->dormant--;
}

/* Makes the quiet blocks of [lo, hi) dormant after step `step`. */
static void find_quiet(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                       skip_count *c)
{
    for (size_t b = lo / SKIP_BLOCK; b * SKIP_BLOCK < hi; b++) {
        size_t a, e;
        block_range(b, hi, &a, &e);
        if (k->active[b] && !k->pinned[b] && pp->type->quiet(pp->plan, &pp->state, a, e))
            go_dormant(k, pp, b, a, e, step, c);
    }
}

/* The flags of 8 blocks at once. */
static uint64_t bytes8(const uint8_t *x)
{
    uint64_t w;
    memcpy(&w, x, sizeof w);
    return w;
}

/* Blocks that activated for input this step go dormant again at once if they
 * can: the cost stays with the events, not with the steps. */
static void dormant_after_input(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                              skip_count *c)
{
    size_t b1 = (hi + SKIP_BLOCK - 1) / SKIP_BLOCK;
    for (size_t b = lo / SKIP_BLOCK; b < b1; b++) {
        if (b % 8 == 0 && b + 8 <= b1 && bytes8(k->activated + b) == 0) {
            b += 7;     /* none of these 8 activated: most steps, most blocks */
            continue;
        }
        if (!k->activated[b])
            continue;
        k->activated[b] = 0;
        size_t a, e;
        block_range(b, hi, &a, &e);
        if (!k->pinned[b] && pp->type->quiet(pp->plan, &pp->state, a, e))
            go_dormant(k, pp, b, a, e, step, c);
    }
}

/* 1 if the 8 blocks from b are dormant with no input this step. */
static int eight_idle(const skip_pop *k, const uint8_t *pend, size_t b)
{
    return (bytes8(k->active + b) | bytes8(pend + b)) == 0;
}

/* Updates the active blocks of [lo, hi) and the ones input activates, in runs
 * of consecutive blocks so the model's loop stays long. */
static size_t update_active(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                           size_t slot, double **rx, uint32_t *out, skip_count *c)
{
    const uint8_t *pend = k->pending + slot * k->n_blocks;
    size_t ns = 0, run = SIZE_MAX;
    size_t b = lo / SKIP_BLOCK, b1 = (hi + SKIP_BLOCK - 1) / SKIP_BLOCK;
    while (b < b1) {
        size_t a, e;
        block_range(b, hi, &a, &e);
        int idle8 = b % 8 == 0 && b + 8 <= b1 && eight_idle(k, pend, b);
        if (idle8 || (!k->active[b] && !pend[b])) {
            if (run != SIZE_MAX)
                ns += pp->type->update(pp->plan, &pp->state, run, a, step, rx, out + ns);
            run = SIZE_MAX;
            c->skipped += idle8 ? 8 : 1;
            b += idle8 ? 8 : 1;
            continue;
        }
        if (!k->active[b]) {
            activate(k, pp, b, a, e, step, c);
            k->activated[b] = 1;
        }
        if (run == SIZE_MAX)
            run = a;
        b++;
    }
    if (run != SIZE_MAX)
        ns += pp->type->update(pp->plan, &pp->state, run, hi, step, rx, out + ns);
    dormant_after_input(k, pp, lo, hi, step, c);
    return ns;
}

size_t skip_pop_update(skip_pop *k, net_pop *pp, size_t lo, size_t hi, uint64_t step,
                       size_t slot, double **rx, uint32_t *out, skip_count *c)
{
    if (!k->active)
        return pp->type->update(pp->plan, &pp->state, lo, hi, step, rx, out);
    size_t b0 = lo / SKIP_BLOCK, b1 = (hi + SKIP_BLOCK - 1) / SKIP_BLOCK;
    size_t ns = c->dormant == 0 ? pp->type->update(pp->plan, &pp->state, lo, hi, step, rx, out)
                               : update_active(k, pp, lo, hi, step, slot, rx, out, c);
    c->blocks += b1 - b0;
    /* This slot's marks are used, whichever path ran: a mark left over would
     * activate a block that goes dormant later, depending on its thread's neighbours.
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
    for (size_t b = 0; k->active && b < k->n_blocks; b++) {
        if (k->active[b] || k->since[b] == step)
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
    for (size_t b = 0; k->active && b < k->n_blocks; b++)
        k->active[b] = 1;
}
