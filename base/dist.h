/* dist.h: a number drawn from a distribution given in a config: a
 * constant, uniform on [low, high], or normal clipped to [low, high] by
 * redrawing (weights, delays, initial values).
 */
#ifndef HS_DIST_H
#define HS_DIST_H

#include <gsl/gsl_rng.h>

typedef enum { HS_DIST_CONSTANT, HS_DIST_UNIFORM, HS_DIST_NORMAL } hs_dist_kind;

typedef struct hs_dist {
    hs_dist_kind kind;
    double value;        /* constant */
    double low, high;    /* uniform bounds; clip bounds of normal */
    double mean, sd;     /* normal */
} hs_dist;

/* A draw of d from r. A normal that misses [low, high] 1000 times in a
 * row gives its mean clipped to it (the loader keeps [low, high] within
 * reach of the mean). */
double dist_draw(const hs_dist *d, const gsl_rng *r);

#endif
