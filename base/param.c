#include "param.h"

#include <stdlib.h>
#include <string.h>

void hs_params_set_defaults(const hs_param_desc *d, size_t n, void *params)
{
    for (size_t i = 0; i < n; i++)
        *hs_param_ptr(&d[i], params) = d[i].def;
}

int hs_params_find(const hs_param_desc *d, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return (int)i;
    return -1;
}
