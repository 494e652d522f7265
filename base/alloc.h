/* alloc.h: memory laid out for threads, and searching sorted ids. */
#ifndef HS_ALLOC_H
#define HS_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Zeroed memory starting on a cache line and filling whole lines (so
 * arrays one thread writes never share a line with another's); free()
 * releases it. NULL when out of memory. */
void *hs_alloc_lines(size_t bytes);

/* First index of the ascending a[0..n) whose value is >= v (n if none). */
static inline size_t hs_lower_bound(const uint64_t *a, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#endif
