/* up_states.c: events and time in the slow oscillation's up states
 * (up_states.h). */
#include "up_states.h"

#include <math.h>
#include <stdlib.h>

void replay_up_states_label(const replay_up_states *u, const double *t_ms,
                            const uint32_t *phase, size_t n, int8_t *out)
{
    for (size_t j = 0; j < n; j++) {
        int8_t v = -1;
        for (size_t k = 0; u && k < u->n && v != 1; k++)
            if (u->phase[k] == phase[j])
                v = t_ms[j] >= u->start_ms[k] && t_ms[j] < u->stop_ms[k] ? 1 : 0;
        out[j] = v;
    }
}

typedef struct span {
    double a, b;
} span;

static int span_cmp(const void *x, const void *y)
{
    const span *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

double replay_up_states_cover(const replay_up_states *u, uint32_t k, double start_ms,
                              double stop_ms)
{
    if (!u || !(stop_ms > start_ms))
        return NAN;
    span *s = malloc((u->n ? u->n : 1) * sizeof *s);
    if (!s)
        return NAN;
    size_t m = 0;
    for (size_t j = 0; j < u->n; j++)
        if (u->phase[j] == k)
            s[m++] = (span){fmax(u->start_ms[j], start_ms), fmin(u->stop_ms[j], stop_ms)};
    qsort(s, m, sizeof *s, span_cmp);
    double covered = 0, reach = start_ms;   /* the union's measure up to reach */
    for (size_t j = 0; j < m; j++) {
        double a = fmax(s[j].a, reach);
        if (s[j].b > a) {
            covered += s[j].b - a;
            reach = s[j].b;
        }
    }
    free(s);
    return m ? covered / (stop_ms - start_ms) : NAN;
}
