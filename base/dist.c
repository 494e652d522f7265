/* dist.c: draws from a config's distributions (GSL). */
#include "dist.h"

#include <math.h>

#include <gsl/gsl_randist.h>

double dist_draw(const hs_dist *d, const gsl_rng *r)
{
    switch (d->kind) {
    case HS_DIST_UNIFORM:
        return gsl_ran_flat(r, d->low, d->high);
    case HS_DIST_NORMAL:
        /* Clipped by redrawing; the loader keeps [low, high] within reach of
         * the mean, the cap only guards against an infinite loop. */
        for (int k = 0; k < 1000; k++) {
            double x = d->mean + gsl_ran_gaussian_ziggurat(r, d->sd);
            if (x >= d->low && x <= d->high)
                return x;
        }
        return fmin(fmax(d->mean, d->low), d->high);
    case HS_DIST_CONSTANT:
    default:
        return d->value;
    }
}
