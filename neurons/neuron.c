#include "neuron.h"

#include <stdlib.h>
#include <string.h>

#include "../base/alloc.h"

extern const neuron_type neuron_lif_cuba, neuron_lif_coba, neuron_adex,
    neuron_poisson, neuron_spike_times, neuron_place_cells;

const neuron_type *const neuron_types[] = {
    &neuron_lif_cuba, &neuron_lif_coba, &neuron_adex,
    &neuron_poisson, &neuron_spike_times, &neuron_place_cells, NULL
};

const neuron_type *neuron_type_find(const char *name)
{
    for (size_t i = 0; neuron_types[i]; i++)
        if (strcmp(neuron_types[i]->name, name) == 0)
            return neuron_types[i];
    return NULL;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

int neuron_type_state_index(const neuron_type *t, const char *name)
{
    return name_index(t->state_names, t->n_state, name);
}

int neuron_type_receptor_index(const neuron_type *t, const char *name)
{
    return name_index(t->receptor_names, t->n_receptors, name);
}

int neuron_pop_alloc(neuron_pop *p, const neuron_type *t, const void *plan,
                     size_t n, hs_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->n_alloc = (n + NEURON_BLOCK - 1) / NEURON_BLOCK * NEURON_BLOCK;
    double rest[NEURON_MAX_STATE] = {0};
    if (t->state_rest)
        t->state_rest(plan, rest);
    for (size_t v = 0; v < t->n_state; v++) {
        p->var[v] = hs_alloc_lines(p->n_alloc * sizeof(double));
        if (!p->var[v])
            goto nomem;
        for (size_t i = 0; i < p->n_alloc; i++)
            p->var[v][i] = rest[v];
    }
    p->refr = hs_alloc_lines(p->n_alloc * sizeof(int32_t));
    if (!p->refr)
        goto nomem;
    return HS_OK;
nomem:
    neuron_pop_free(p, NULL);
    return hs_error_set(err, HS_ENOMEM, "out of memory for %zu neurons of %s", n,
                        t->name);
}

void neuron_pop_free(neuron_pop *p, const neuron_type *t)
{
    if (!p)
        return;
    if (t && t->ext_free && p->ext)
        t->ext_free(p);
    for (size_t v = 0; v < NEURON_MAX_STATE; v++)
        free(p->var[v]);
    free(p->refr);
    memset(p, 0, sizeof *p);
}

void neuron_flush(double *x, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        if (x[i] < NEURON_TINY && x[i] > -NEURON_TINY)
            x[i] = 0.0;
}

typedef double hs_v4d __attribute__((vector_size(32)));
typedef long long hs_v4l __attribute__((vector_size(32)));

/* Spikes are rare (a neuron fires in ~1 step in 500): 8 neurons are tested
 * at once with vector compares (GCC vector extensions, lowered to what the
 * target has), and only a group holding a crossing is looked at one by one.
 * NaN compares false, as the scalar test does. */
HS_VECTOR_CLONES size_t neuron_threshold(double *V, int32_t *refr, size_t lo, size_t hi,
                                         double V_th, double V_reset, int32_t n_ref,
                                         uint32_t *spikes)
{
    const hs_v4d th = {V_th, V_th, V_th, V_th};
    size_t ns = 0, i = lo;
    for (; i + 8 <= hi; i += 8) {
        hs_v4d a, b;
        memcpy(&a, V + i, sizeof a);
        memcpy(&b, V + i + 4, sizeof b);
        hs_v4l m = (a >= th) | (b >= th);
        if (!(m[0] | m[1] | m[2] | m[3]))
            continue;
        for (size_t k = i; k < i + 8; k++)
            if (V[k] >= V_th && refr[k] == 0) {
                V[k] = V_reset;
                refr[k] = n_ref;
                spikes[ns++] = (uint32_t)k;
            }
    }
    for (; i < hi; i++)
        if (V[i] >= V_th && refr[i] == 0) {
            V[i] = V_reset;
            refr[i] = n_ref;
            spikes[ns++] = (uint32_t)i;
        }
    return ns;
}
