/* param.h: descriptors of a model's parameters.
 *
 * Every model (neuron, source, later plasticity rule) keeps its parameters in
 * a struct made only of doubles and describes each field with an
 * hs_param_desc. The config loader fills such a struct by name from YAML,
 * with the default where the key is absent and a range check on every value,
 * so a model never sees an unchecked number.
 */
#ifndef HS_PARAM_H
#define HS_PARAM_H

#include <stddef.h>

#define HS_MAX_PARAMS 32

typedef struct hs_param_desc {
    const char *name;  /* YAML key, e.g. "tau_m" */
    const char *unit;  /* "ms", "mV", "pF", "nS", "pA", "Hz" or "" */
    size_t offset;     /* offsetof the double in the model's params struct */
    double def;        /* default value */
    double min, max;   /* allowed closed range */
    const char *doc;   /* one line: meaning and source of the default */
} hs_param_desc;

/* Writes every default into params (a struct laid out as the descriptors say). */
void hs_params_set_defaults(const hs_param_desc *d, size_t n, void *params);

/* Index of the descriptor called name, or -1. */
int hs_params_find(const hs_param_desc *d, size_t n, const char *name);

static inline double *hs_param_ptr(const hs_param_desc *d, void *params)
{
    return (double *)((char *)params + d->offset);
}

#endif
