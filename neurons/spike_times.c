/* spike_times: neurons that fire at given times (NEST's spike_generator,
 * Brian2's SpikeGeneratorGroup). A spike at t ms is stamped at the step
 * boundary nearest to t, i.e. emitted in step round(t/dt) - 1.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "../base/alloc.h"
#include "neuron.h"

typedef struct spike_times_plan {
    double dt;
} spike_times_plan;

typedef struct spike_times_ext {
    uint64_t *step;   /* sorted by (step, id) */
    uint32_t *id;
    size_t n;
} spike_times_ext;

static int spike_times_plan_init(void *vplan, const void *vparams, double dt,
                                 hs_error *err)
{
    (void)vparams;
    (void)err;
    ((spike_times_plan *)vplan)->dt = dt;
    return HS_OK;
}

static int cmp_spike(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;   /* pairs (step, id) */
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int spike_times_ext_alloc(neuron_pop *p, const void *vplan,
                                 const neuron_source_data *data, uint64_t seed,
                                 uint32_t pop_index, hs_error *err)
{
    (void)seed;
    (void)pop_index;
    double dt = ((const spike_times_plan *)vplan)->dt;
    size_t n = data ? data->n : 0;
    uint64_t *pairs = malloc((n ? n : 1) * 2 * sizeof *pairs);
    spike_times_ext *e = calloc(1, sizeof *e);
    if (e) {
        e->step = malloc((n ? n : 1) * sizeof *e->step);
        e->id = malloc((n ? n : 1) * sizeof *e->id);
    }
    if (!pairs || !e || !e->step || !e->id) {
        free(pairs);
        if (e) {
            free(e->step);
            free(e->id);
        }
        free(e);
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu spike times", n);
    }
    for (size_t k = 0; k < n; k++) {
        double s = round(data->t_ms[k] / dt);
        if (!(s >= 1.0) || s > 9e18 || data->ids[k] >= p->n) {
            free(pairs);
            free(e->step);
            free(e->id);
            free(e);
            if (data->ids[k] >= p->n)
                return hs_error_set(err, HS_EINPUT, "spike %zu: id %llu is not below size %zu",
                                    k, (unsigned long long)data->ids[k], p->n);
            return hs_error_set(err, HS_EINPUT,
                                "spike %zu: time %g ms is before the end of the first "
                                "step (dt = %g ms)", k, data->t_ms[k], dt);
        }
        pairs[2 * k] = (uint64_t)s - 1;
        pairs[2 * k + 1] = data->ids[k];
    }
    qsort(pairs, n, 2 * sizeof *pairs, cmp_spike);
    for (size_t k = 0; k < n; k++) {
        e->step[k] = pairs[2 * k];
        e->id[k] = (uint32_t)pairs[2 * k + 1];
    }
    e->n = n;
    free(pairs);
    p->ext = e;
    return HS_OK;
}

static void spike_times_ext_free(neuron_pop *p)
{
    spike_times_ext *e = p->ext;
    free(e->step);
    free(e->id);
    free(e);
    p->ext = NULL;
}

/* Stateless, so threads share the lists: each emits the ids in its range.
 * Two spikes of one neuron in one step count once. */
static size_t spike_times_update(const void *vplan, neuron_pop *p, size_t lo, size_t hi,
                                 uint64_t step, double *const *rx, uint32_t *spikes)
{
    (void)vplan;
    (void)rx;
    const spike_times_ext *e = p->ext;
    size_t ns = 0;
    for (size_t k = hs_lower_bound(e->step, e->n, step); k < e->n && e->step[k] == step; k++) {
        uint32_t id = e->id[k];
        if (id < lo || id >= hi || (ns > 0 && spikes[ns - 1] == id))
            continue;
        spikes[ns++] = id;
    }
    return ns;
}

static const hs_param_desc spike_times_param_desc[1];

const neuron_type neuron_spike_times = {
    .name = "spike_times",
    .doc = "neurons that fire at listed times",
    .is_source = 1,
    .params = spike_times_param_desc,
    .n_params = 0,
    .params_size = 0,
    .plan_size = sizeof(spike_times_plan),
    .plan_init = spike_times_plan_init,
    .ext_alloc = spike_times_ext_alloc,
    .ext_free = spike_times_ext_free,
    .update = spike_times_update,
};
