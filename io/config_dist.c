/* config_dist.c: distributions, "6.0" or {dist: normal, mean: 6, sd: 1, ...}. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "config_fields.h"

/* A clipped normal is drawn by redrawing, and the kernel gives up after 1000
 * tries (sim/network.c). With >= 5% of the mass inside [low, high] that
 * happens with probability < 0.95^1000 ~ 5e-23 per value: never. */
#define NORMAL_MIN_MASS 0.05

#define DIST_KEY {.key = "dist", .kind = CONFIG_STRING, .required = 1, \
                  .offset = CONFIG_NO_OFFSET, .unit = ""}

static const config_field constant_fields[] = {
    DIST_KEY,
    {.key = "value", .kind = CONFIG_NUMBER, .required = 1, .offset = offsetof(hs_dist, value),
     .min = -INFINITY, .max = INFINITY, .unit = ""},
};

static const config_field uniform_fields[] = {
    DIST_KEY,
    {.key = "low", .kind = CONFIG_NUMBER, .required = 1, .offset = offsetof(hs_dist, low),
     .min = -INFINITY, .max = INFINITY, .unit = ""},
    {.key = "high", .kind = CONFIG_NUMBER, .required = 1, .offset = offsetof(hs_dist, high),
     .min = -INFINITY, .max = INFINITY, .unit = ""},
};

static const config_field normal_fields[] = {
    DIST_KEY,
    {.key = "mean", .kind = CONFIG_NUMBER, .required = 1, .offset = offsetof(hs_dist, mean),
     .min = -INFINITY, .max = INFINITY, .unit = ""},
    {.key = "sd", .kind = CONFIG_NUMBER, .required = 1, .offset = offsetof(hs_dist, sd),
     .min = 0, .max = INFINITY, .unit = ""},
    {.key = "low", .kind = CONFIG_NUMBER, .offset = offsetof(hs_dist, low), .def = -INFINITY,
     .min = -INFINITY, .max = INFINITY, .inf_ok = 1, .unit = ""},
    {.key = "high", .kind = CONFIG_NUMBER, .offset = offsetof(hs_dist, high), .def = INFINITY,
     .min = -INFINITY, .max = INFINITY, .inf_ok = 1, .unit = ""},
};

static const struct {
    const char *name;
    hs_dist_kind kind;
    const config_field *fields;
    size_t n;
} dist_kinds[] = {
    {"constant", HS_DIST_CONSTANT, constant_fields, 2},
    {"uniform", HS_DIST_UNIFORM, uniform_fields, 3},
    {"normal", HS_DIST_NORMAL, normal_fields, 5},
};

#define N_KINDS (sizeof dist_kinds / sizeof dist_kinds[0])

static int kind_find(config_ctx *c, const yamltree_node *name)
{
    const char *s;
    size_t old = config_path_push(c, "dist");
    int rc = config_string_read(c, name, &s);
    for (size_t i = 0; rc == HS_OK && i < N_KINDS; i++) {
        if (strcmp(s, dist_kinds[i].name) == 0) {
            config_path_pop(c, old);
            return (int)i;
        }
    }
    if (rc == HS_OK)
        config_fail(c, name, "unknown distribution '%.40s'; known: constant, uniform, normal",
                    s);
    config_path_pop(c, old);
    return -1;
}

/* Share of a normal's mass inside [low, high]. */
static double normal_mass(const hs_dist *d)
{
    if (d->sd == 0)
        return d->mean >= d->low && d->mean <= d->high;
    double a = (d->low - d->mean) / (d->sd * sqrt(2.0));
    double b = (d->high - d->mean) / (d->sd * sqrt(2.0));
    return 0.5 * (erf(b) - erf(a));
}

static int dist_check(config_ctx *c, const yamltree_node *n, const hs_dist *d)
{
    if (d->kind != HS_DIST_CONSTANT && d->low > d->high)
        return config_fail_in(c, n, n, "low (%.15g) is above high (%.15g)", d->low, d->high);
    if (d->kind == HS_DIST_NORMAL && !(normal_mass(d) >= NORMAL_MIN_MASS))
        return config_fail_in(c, n, n, "[low, high] holds less than %g%% of the normal's "
                              "mass; clip less, or use a uniform", 100 * NORMAL_MIN_MASS);
    return HS_OK;
}

int config_dist_read(config_ctx *c, const yamltree_node *n, hs_dist *out)
{
    if (n->kind == YAMLTREE_SCALAR) {
        double v;
        if (config_number_read(c, n, 0, &v) != HS_OK)
            return config_fail(c, n, "expected a number or a distribution "
                                     "{dist: constant|uniform|normal, ...}");
        *out = (hs_dist){.kind = HS_DIST_CONSTANT, .value = v};
        return HS_OK;
    }
    if (n->kind != YAMLTREE_MAP)
        return config_fail(c, n, "expected a number or a distribution mapping");
    const yamltree_node *name = yamltree_get(n, "dist");
    if (!name)
        return config_fail(c, n, "missing required key 'dist' (constant, uniform or normal)");
    int k = kind_find(c, name);
    if (k < 0)
        return HS_EINPUT;
    hs_dist d = {.kind = dist_kinds[k].kind};
    int rc = config_fields_read(c, dist_kinds[k].fields, dist_kinds[k].n, n, n, &d, NULL,
                                NULL);
    if (rc == HS_OK)
        rc = dist_check(c, n, &d);
    if (rc == HS_OK)
        *out = d;
    return rc;
}

int config_dist_check_min(config_ctx *c, const yamltree_node *n, const hs_dist *d,
                          double min, const char *unit, const char *what)
{
    if (d->kind == HS_DIST_CONSTANT && d->value < min)
        return config_fail(c, n, "%.15g %s is below %s", d->value, unit, what);
    if (d->kind != HS_DIST_CONSTANT && d->low < min)
        return config_fail_in(c, n, n, "low %.15g %s is below %s", d->low, unit, what);
    return HS_OK;
}
