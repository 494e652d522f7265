#include "drive.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "../base/alloc.h"
#include "../base/param.h"
#include "../base/rng.h"

#define DRIVE_PI 3.14159265358979323846
#define SO_MIN_MS 100.0     /* SCIENCE.md: down states 0.1-0.5 s */
#define SO_MAX_DOWN_MS 500.0

static int params_check(const drive_params *p, hs_error *err)
{
    if (p->kind == DRIVE_SLOW_OSCILLATION) {
        if (!(p->up_ms >= SO_MIN_MS && p->up_ms <= 1e6))
            return hs_error_set(err, HS_EINPUT, "up_ms must be in [100, 1e6] ms, not %g",
                                p->up_ms);
        if (!(p->down_ms >= SO_MIN_MS && p->down_ms <= SO_MAX_DOWN_MS))
            return hs_error_set(err, HS_EINPUT, "down_ms must be in [100, 500] ms "
                                "(SCIENCE.md), not %g", p->down_ms);
        if (!(p->down_level >= 0 && p->down_level <= 1))
            return hs_error_set(err, HS_EINPUT, "down_level must be in [0, 1], not %g",
                                p->down_level);
    } else if (p->kind == DRIVE_THETA) {
        if (!(p->freq_hz > 0 && p->freq_hz <= 100))
            return hs_error_set(err, HS_EINPUT, "freq_hz must be in (0, 100] Hz, not %g",
                                p->freq_hz);
        if (!(p->depth >= 0 && p->depth <= 1))
            return hs_error_set(err, HS_EINPUT, "depth must be in [0, 1], not %g", p->depth);
    }
    return HS_OK;
}

static double clip(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

int drive_init(drive *d, const drive_params *p, double dt_ms, uint64_t start,
               uint64_t n_steps, uint64_t seed, uint32_t phase, uint32_t pop, hs_error *err)
{
    *d = (drive){.p = *p, .dt_ms = dt_ms, .start = start, .stop = start + n_steps};
    int rc = params_check(p, err);
    if (rc != HS_OK || p->kind != DRIVE_SLOW_OSCILLATION)
        return rc;
    /* Each state lasts at least SO_MIN_MS, which bounds the count. */
    size_t cap = (size_t)((double)n_steps * dt_ms / SO_MIN_MS) + 2;
    d->edge = malloc(cap * sizeof *d->edge);
    if (!d->edge)
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu slow-oscillation states",
                            cap);
    rng_state st;
    rng_stream_init(&st, seed, RNG_KIND_DRIVE, phase, pop);
    gsl_rng r = rng_view(&st);
    double t = 0, phase_ms = (double)n_steps * dt_ms;
    while (t < phase_ms && d->n_edge < cap) {
        int up = d->n_edge % 2 == 0;
        double mean = up ? p->up_ms : p->down_ms;
        double len = gsl_ran_gamma(&r, DRIVE_SO_SHAPE, mean / DRIVE_SO_SHAPE);
        len = up ? fmax(len, SO_MIN_MS) : clip(len, SO_MIN_MS, SO_MAX_DOWN_MS);
        t += len;
        d->edge[d->n_edge++] = start + (uint64_t)llround(t / dt_ms);
    }
    return HS_OK;
}

void drive_free(drive *d)
{
    free(d->edge);
    d->edge = NULL;
    d->n_edge = 0;
}

double drive_level(const void *ctx, uint64_t step)
{
    const drive *d = ctx;
    if (d->p.kind == DRIVE_THETA) {
        double t_s = (double)(step - d->start) * d->dt_ms * 1e-3;
        return (1.0 + d->p.depth * cos(2.0 * DRIVE_PI * d->p.freq_hz * t_s)) /
               (1.0 + d->p.depth);
    }
    if (d->p.kind != DRIVE_SLOW_OSCILLATION)
        return 1.0;
    /* The first edge after step: its parity tells the state. */
    size_t k = hs_lower_bound(d->edge, d->n_edge, step + 1);
    return k % 2 == 0 ? 1.0 : d->p.down_level;
}

size_t drive_up_states(const drive *d, double *start_ms, double *stop_ms, size_t max)
{
    if (d->p.kind != DRIVE_SLOW_OSCILLATION)
        return 0;
    size_t n = 0;
    for (size_t k = 0; k < d->n_edge; k += 2, n++)
        if (n < max) {
            uint64_t a = k == 0 ? d->start : d->edge[k - 1];
            start_ms[n] = (double)a * d->dt_ms;
            stop_ms[n] = (double)(d->edge[k] < d->stop ? d->edge[k] : d->stop) * d->dt_ms;
        }
    return n;
}
