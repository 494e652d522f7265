/* alloc.c: cache-line memory (alloc.h). */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

void *hs_alloc_lines(size_t bytes)
{
    size_t rounded = bytes ? (bytes + 63) / 64 * 64 : 64;
    void *p = aligned_alloc(64, rounded);
    if (p)
        memset(p, 0, rounded);
    return p;
}
