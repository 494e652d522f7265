/* poisson: independent Poisson spike trains, one per neuron (NEST's
 * poisson_generator with a target per neuron; Brian2's PoissonGroup).
 *
 * Time is discrete, so each neuron fires in a step with probability
 * p = 1 - exp(-rate dt); the gap to its next spike is drawn at each spike
 * from the geometric distribution with that p, so the cost is one draw per
 * spike, not per step. Each neuron draws from its own stream keyed by
 * (seed, population, neuron): the same trains for any thread count.
 *
 * A drive (neuron_control.level, e.g. the slow oscillation of NREM or REM
 * theta) modulates the rate by thinning: candidates come at the rate and
 * each is kept with probability level(step) (Lewis & Shedler 1979).
 *
 * Each block of NEURON_BLOCK neurons keeps a lower bound of its next
 * steps, so a step touches only the blocks with a spike due: at low rates
 * the per-step cost is per block, not per neuron. A bound of 0 means
 * "look", set wherever next[] may have changed outside update (control,
 * and ext_state, through which a checkpoint writes it).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../base/rng.h"
#include "neuron.h"

typedef struct poisson_params {
    double rate;
} poisson_params;

static const hs_param_desc poisson_param_desc[] = {
    {"rate", "Hz", offsetof(poisson_params, rate), 10.0, 0.0, 1e5, "mean firing rate"},
};

typedef struct poisson_plan {
    double p_step;  /* probability of a spike in one step */
} poisson_plan;

typedef struct poisson_ext {
    uint64_t *next;    /* step of each neuron's next spike, UINT64_MAX = never */
    uint64_t *due;     /* [n_alloc / NEURON_BLOCK] at most the block's least next */
    size_t n_due;
    rng_state *rng;
    double p_step;     /* the plan's p_step the next steps were drawn with */
    double (*level)(const void *ctx, uint64_t step);
    const void *level_ctx;
} poisson_ext;

static int poisson_plan_init(void *vplan, const void *vparams, double dt, hs_error *err)
{
    const poisson_params *p = vparams;
    poisson_plan *q = vplan;
    q->p_step = -expm1(-p->rate * dt * 1e-3);
    if (q->p_step > 0.5)
        return hs_error_set(err, HS_EINPUT,
                            "rate (%g Hz) is too high for dt (%g ms): more than one "
                            "spike per two steps", p->rate, dt);
    return HS_OK;
}

static uint64_t poisson_gap(const poisson_plan *q, rng_state *s)
{
    if (q->p_step <= 0.0)
        return UINT64_MAX;
    gsl_rng r = rng_view(s);
    return rng_geometric(&r, q->p_step);
}

static int poisson_ext_alloc(neuron_pop *p, const void *vplan,
                             const neuron_source_data *data, uint64_t seed,
                             uint32_t pop_index, hs_error *err)
{
    (void)data;
    const poisson_plan *q = vplan;
    poisson_ext *e = calloc(1, sizeof *e);
    if (!e)
        return hs_error_set(err, HS_ENOMEM, "out of memory for a Poisson source");
    e->next = malloc(p->n_alloc * sizeof *e->next);
    e->rng = malloc(p->n_alloc * sizeof *e->rng);
    e->n_due = p->n_alloc / NEURON_BLOCK;
    e->due = calloc(e->n_due ? e->n_due : 1, sizeof *e->due);
    if (!e->next || !e->rng || !e->due) {
        free(e->next);
        free(e->rng);
        free(e->due);
        free(e);
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu Poisson sources", p->n);
    }
    for (size_t i = 0; i < p->n_alloc; i++) {
        rng_stream_init(&e->rng[i], seed, RNG_KIND_SOURCE, pop_index, (uint32_t)i);
        uint64_t gap = i < p->n ? poisson_gap(q, &e->rng[i]) : UINT64_MAX;
        e->next[i] = gap == UINT64_MAX ? UINT64_MAX : gap - 1;
    }
    e->p_step = q->p_step;
    p->ext = e;
    return HS_OK;
}

static void poisson_control(const void *vplan, neuron_pop *p, const neuron_control *ctl)
{
    const poisson_plan *q = vplan;
    poisson_ext *e = p->ext;
    e->level = ctl->level;
    e->level_ctx = ctl->level_ctx;
    if (q->p_step == e->p_step)
        return;
    e->p_step = q->p_step;
    for (size_t i = 0; i < p->n; i++) {
        uint64_t gap = poisson_gap(q, &e->rng[i]);
        e->next[i] = gap == UINT64_MAX ? UINT64_MAX : ctl->step + gap - 1;
    }
    memset(e->due, 0, e->n_due * sizeof *e->due);
}

static void poisson_ext_free(neuron_pop *p)
{
    poisson_ext *e = p->ext;
    free(e->next);
    free(e->rng);
    free(e->due);
    free(e);
    p->ext = NULL;
}

static size_t poisson_ext_state(neuron_pop *p, neuron_ext_array *out)
{
    poisson_ext *e = p->ext;
    memset(e->due, 0, e->n_due * sizeof *e->due);
    out[0] = (neuron_ext_array){"next", STATE_U64, e->next, p->n_alloc, 1};
    out[1] = (neuron_ext_array){"rng", STATE_U32, e->rng, p->n_alloc * RNG_STATE_WORDS,
                                RNG_STATE_WORDS};
    out[2] = (neuron_ext_array){"p_step", STATE_F64, &e->p_step, 1, 0};
    return 3;
}

/* The clock jumped past a neuron's next spike (sim_seek): schedule anew
 * from `step`. Returns 1 if it fires in this step. */
static int reschedule(const poisson_plan *q, poisson_ext *e, size_t i, uint64_t step)
{
    uint64_t gap = poisson_gap(q, &e->rng[i]);
    e->next[i] = gap == UINT64_MAX ? UINT64_MAX : step + gap - 1;
    return e->next[i] == step;
}

static size_t poisson_update(const void *vplan, neuron_pop *p, size_t lo, size_t hi,
                             uint64_t step, double *const *rx, uint32_t *spikes)
{
    (void)rx;
    const poisson_plan *q = vplan;
    poisson_ext *e = p->ext;
    size_t ns = 0;
    for (size_t a = lo; a < hi;) {
        size_t blk = a / NEURON_BLOCK, b = (blk + 1) * NEURON_BLOCK;
        b = b < hi ? b : hi;
        if (e->due[blk] > step) {
            a = b;
            continue;
        }
        uint64_t least = UINT64_MAX;
        for (size_t i = a; i < b; i++) {
            if (e->next[i] == step || (e->next[i] < step && reschedule(q, e, i, step))) {
                int keep = 1;
                if (e->level) {
                    gsl_rng r = rng_view(&e->rng[i]);
                    keep = gsl_rng_uniform(&r) < e->level(e->level_ctx, step);
                }
                if (keep)
                    spikes[ns++] = (uint32_t)i;
                uint64_t gap = poisson_gap(q, &e->rng[i]);
                e->next[i] = gap == UINT64_MAX ? UINT64_MAX : step + gap;
            }
            least = e->next[i] < least ? e->next[i] : least;
        }
        e->due[blk] = least;
        a = b;
    }
    return ns;
}

const neuron_type neuron_poisson = {
    .name = "poisson",
    .doc = "independent Poisson spike trains at a rate, optionally modulated",
    .is_source = 1,
    .params = poisson_param_desc,
    .n_params = 1,
    .params_size = sizeof(poisson_params),
    .plan_size = sizeof(poisson_plan),
    .plan_init = poisson_plan_init,
    .ext_alloc = poisson_ext_alloc,
    .ext_free = poisson_ext_free,
    .ext_state = poisson_ext_state,
    .update = poisson_update,
    .control = poisson_control,
};
