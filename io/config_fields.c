/* config_fields.c: typed reading of YAML nodes by field tables. */
#include "config_fields.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/machine.h"
#include "h5out.h"

/* ---- paths and errors ---- */

static size_t path_append(config_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t path_append(config_ctx *c, const char *fmt, ...)
{
    size_t old = c->path_len, room = sizeof c->path - old;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(c->path + old, room, fmt, ap);
    va_end(ap);
    if (w > 0)
        c->path_len = (size_t)w < room ? old + (size_t)w : sizeof c->path - 1;
    return old;
}

size_t config_path_push(config_ctx *c, const char *key)
{
    /* Keys are cut at 80 characters so a huge key cannot crowd out the path. */
    return path_append(c, "%s%.80s", c->path_len ? "." : "", key);
}

size_t config_path_push_index(config_ctx *c, size_t i)
{
    return path_append(c, "[%zu]", i);
}

void config_path_pop(config_ctx *c, size_t len)
{
    c->path_len = len;
    c->path[len] = '\0';
}

int config_fail(config_ctx *c, const yamltree_node *at, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return yamltree_error(c->err, c->file, at, c->path, "%s", msg);
}

int config_fail_in(config_ctx *c, const yamltree_node *at, const yamltree_node *subtree,
                   const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A stand-in node carries at's position and the blamed override. */
    yamltree_node where = {.kind = YAMLTREE_SCALAR};
    if (at) {
        where.line = at->line;
        where.col = at->col;
    }
    where.origin = at && at->origin ? at->origin : yamltree_origin(subtree);
    return yamltree_error(c->err, c->file, &where, c->path, "%s", msg);
}

const char *config_names_join(const char *const *names, size_t n, char *buf,
                              size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        len += (size_t)w < size - len ? (size_t)w : size - len - 1;
    }
    return buf;
}

/* ---- scalars ---- */

static int is_plain_value(const yamltree_node *n)
{
    return n->kind == YAMLTREE_SCALAR && n->plain && !yamltree_is_null(n);
}

static int is_inf_word(const char *s)
{
    return strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, ".INF") == 0;
}

static size_t skip_digits(const char *s)
{
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* YAML 1.2 core-schema float syntax; strtod alone would take "nan", "0x1p3". */
static int number_syntax(const char *s, double *v)
{
    const char *p = s + (*s == '+' || *s == '-');
    if (is_inf_word(p)) {
        *v = *s == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    size_t whole = skip_digits(p), frac = 0, i = whole;
    if (p[i] == '.') {
        frac = skip_digits(p + i + 1);
        i += 1 + frac;
    }
    if (whole + frac == 0)
        return -1;
    if (p[i] == 'e' || p[i] == 'E') {
        size_t j = i + 1 + (p[i + 1] == '+' || p[i + 1] == '-');
        size_t k = skip_digits(p + j);
        if (k == 0)
            return -1;
        i = j + k;
    }
    if (p[i] != '\0')
        return -1;
    *v = strtod(s, NULL);
    return 0;
}

int config_number_read(config_ctx *c, const yamltree_node *n, int inf_ok, double *out)
{
    double v;
    if (!is_plain_value(n) || number_syntax(n->str, &v) < 0)
        return config_fail(c, n, "expected a number");
    const char *p = n->str + (n->str[0] == '+' || n->str[0] == '-');
    if (isinf(v) && !is_inf_word(p))
        return config_fail(c, n, "%.40s is too large for a number", n->str);
    if (isinf(v) && !inf_ok)
        return config_fail(c, n, "expected a finite number");
    *out = v;
    return HS_OK;
}

/* -1: not an integer; -2: does not fit (or negative). */
static int int_syntax(const char *s, uint64_t *v)
{
    int neg = *s == '-';
    const char *p = s + (*s == '+' || *s == '-');
    size_t n = skip_digits(p);
    if (n == 0 || p[n] != '\0')
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -2;
        x = 10 * x + d;
    }
    if (neg && x != 0)
        return -2;
    *v = x;
    return 0;
}

int config_int_read(config_ctx *c, const yamltree_node *n, const config_field *f,
                    uint64_t *out)
{
    uint64_t v = 0;
    int rc = is_plain_value(n) ? int_syntax(n->str, &v) : -1;
    if (rc == -1)
        return config_fail(c, n, "expected an integer");
    if (rc == -2 || v < f->imin || v > f->imax)
        return config_fail(c, n, "%.40s is outside the allowed range [%" PRIu64 ", %" PRIu64
                           "]%s%s", n->str, f->imin, f->imax, f->unit && *f->unit ? " " : "",
                           f->unit ? f->unit : "");
    *out = v;
    return HS_OK;
}

static int bool_read(config_ctx *c, const yamltree_node *n, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    for (size_t i = 0; is_plain_value(n) && i < 3; i++) {
        if (strcmp(n->str, yes[i]) == 0 || strcmp(n->str, no[i]) == 0) {
            *out = strcmp(n->str, yes[i]) == 0;
            return HS_OK;
        }
    }
    return config_fail(c, n, "expected a boolean (true or false)");
}

int config_string_read(config_ctx *c, const yamltree_node *n, const char **out)
{
    if (n->kind != YAMLTREE_SCALAR || yamltree_is_null(n))
        return config_fail(c, n, "expected a string");
    if (strlen(n->str) != n->len)
        return config_fail(c, n, "the string contains a NUL character");
    *out = n->str;
    return HS_OK;
}

/* "(0, 10] ms" or "[0, inf)". */
static const char *range_text(const config_field *f, char *buf, size_t size)
{
    snprintf(buf, size, "%c%.15g, %.15g%c%s%s", f->min_open || isinf(f->min) ? '(' : '[',
             f->min, f->max, isinf(f->max) ? ')' : ']', f->unit && *f->unit ? " " : "",
             f->unit ? f->unit : "");
    return buf;
}

static int number_field_read(config_ctx *c, const yamltree_node *n,
                             const config_field *f, double *out)
{
    double v;
    int rc = config_number_read(c, n, f->inf_ok, &v);
    if (rc != HS_OK)
        return rc;
    if (v < f->min || v > f->max || (f->min_open && v <= f->min)) {
        char range[96];
        return config_fail(c, n, "%.40s is outside the allowed range %s", n->str,
                           range_text(f, range, sizeof range));
    }
    *out = v;
    return HS_OK;
}

/* ---- fields ---- */

static int field_find(const config_field *f, size_t n, const yamltree_node *key)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(f[i].key) == key->len && memcmp(f[i].key, key->str, key->len) == 0)
            return (int)i;
    return -1;
}

static int field_unknown(config_ctx *c, const config_field *f, size_t n,
                         const yamltree_node *key, const char *noun)
{
    const char *names[64];
    char list[1024];
    size_t m = n < 64 ? n : 64;
    for (size_t i = 0; i < m; i++)
        names[i] = f[i].key;
    size_t old = config_path_push(c, key->str);
    if (!noun)
        noun = "key";
    int rc = m ? config_fail(c, key, "unknown %s; allowed: %s", noun,
                             config_names_join(names, m, list, sizeof list))
               : config_fail(c, key, "unknown %s; there are none", noun);
    config_path_pop(c, old);
    return rc;
}

static void *at_offset(void *out, const config_field *f)
{
    return (char *)out + f->offset;
}

static void field_default(const config_field *f, void *out)
{
    if (f->offset == CONFIG_NO_OFFSET)
        return;
    switch (f->kind) {
    case CONFIG_NUMBER:
        *(double *)at_offset(out, f) = f->def;
        break;
    case CONFIG_INT:
        *(uint64_t *)at_offset(out, f) = (uint64_t)f->def;
        break;
    case CONFIG_BOOL:
        *(int *)at_offset(out, f) = f->def != 0;
        break;
    case CONFIG_DIST:
        *(hs_dist *)at_offset(out, f) = (hs_dist){.kind = HS_DIST_CONSTANT, .value = f->def};
        break;
    default:
        break;
    }
}

static int container_check(config_ctx *c, const yamltree_node *n, yamltree_kind kind)
{
    if (n->kind == kind || yamltree_is_null(n))
        return HS_OK;
    return config_fail(c, n, kind == YAMLTREE_MAP ? "expected a mapping" : "expected a list");
}

static int field_read(config_ctx *c, const config_field *f, const yamltree_node *n,
                      void *out)
{
    int has = f->offset != CONFIG_NO_OFFSET;
    double d = 0;
    uint64_t u = 0;
    int b = 0, rc;
    const char *s;
    hs_dist dist = {0};
    switch (f->kind) {
    case CONFIG_NUMBER:
        rc = number_field_read(c, n, f, &d);
        if (rc == HS_OK && has)
            *(double *)at_offset(out, f) = d;
        return rc;
    case CONFIG_INT:
        rc = config_int_read(c, n, f, &u);
        if (rc == HS_OK && has)
            *(uint64_t *)at_offset(out, f) = u;
        return rc;
    case CONFIG_BOOL:
        rc = bool_read(c, n, &b);
        if (rc == HS_OK && has)
            *(int *)at_offset(out, f) = b;
        return rc;
    case CONFIG_STRING:
        return config_string_read(c, n, &s);
    case CONFIG_DIST:
        rc = config_dist_read(c, n, &dist);
        if (rc == HS_OK && has)
            *(hs_dist *)at_offset(out, f) = dist;
        return rc;
    case CONFIG_MAP:
        return container_check(c, n, YAMLTREE_MAP);
    case CONFIG_LIST:
        return container_check(c, n, YAMLTREE_SEQ);
    }
    return HS_OK;
}

int config_fields_read(config_ctx *c, const config_field *f, size_t n,
                       const yamltree_node *key, const yamltree_node *map,
                       void *out, const yamltree_node **nodes, const char *noun)
{
    if (!yamltree_is_null(map) && map->kind != YAMLTREE_MAP)
        return config_fail(c, map, "expected a mapping");
    for (size_t i = 0; map->kind == YAMLTREE_MAP && i < map->n; i++)
        if (field_find(f, n, map->pairs[i].key) < 0)
            return field_unknown(c, f, n, map->pairs[i].key, noun);
    for (size_t i = 0; i < n; i++) {
        const yamltree_node *v = yamltree_get(map, f[i].key);
        if (nodes)
            nodes[i] = v;
        if (!v && f[i].required)
            return config_fail_in(c, key ? key : map, map, "missing required key '%s'",
                                  f[i].key);
        if (!v) {
            field_default(&f[i], out);
            continue;
        }
        size_t old = config_path_push(c, f[i].key);
        int rc = field_read(c, &f[i], v, out);
        config_path_pop(c, old);
        if (rc != HS_OK)
            return rc;
    }
    return HS_OK;
}

/* Names become HDF5 group names and YAML keys in config_print's output. */
int config_name_check(config_ctx *c, const yamltree_node *key, const char *what)
{
    const char *s = key->str;
    int ok = key->len > 0 && key->len < HS_NAME_MAX && strlen(s) == key->len &&
             !(s[0] >= '0' && s[0] <= '9') && s[0] != '-';
    for (size_t i = 0; ok && i < key->len; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-';
    if (!ok)
        return config_fail(c, key, "%s names use letters, digits, _ and - (not first), "
                           "at most %d characters", what, HS_NAME_MAX - 1);
    /* written plainly where a name is a value (pre: null), YAML reads null */
    if (strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
        return config_fail(c, key, "'%s' cannot name a %s: YAML reads it as null", s, what);
    return HS_OK;
}

int config_pop_named(config_ctx *c, const yamltree_node *at, const char *name,
                     const hs_config *cfg)
{
    int i = experiment_pop_find(cfg, name);
    if (i >= 0)
        return i;
    const char *names[64];
    char list[1024];
    size_t k = cfg->n_pops < 64 ? cfg->n_pops : 64;
    for (size_t j = 0; j < k; j++)
        names[j] = cfg->pops[j].name;
    config_fail(c, at, "unknown population '%.64s'; populations: %s", name,
                config_names_join(names, k, list, sizeof list));
    return -1;
}

int config_id_read(config_ctx *c, const yamltree_node *n, const hs_pop_config *p,
                   uint64_t *out)
{
    static const config_field any = {.imin = 0, .imax = UINT64_MAX, .unit = ""};
    int rc = config_int_read(c, n, &any, out);
    if (rc == HS_OK && *out >= p->size)
        rc = config_fail(c, n, "id %llu is not below the size of %s (%llu)",
                         (unsigned long long)*out, p->name, (unsigned long long)p->size);
    return rc;
}

int config_proj_named(config_ctx *c, const yamltree_node *at, const char *name,
                      const hs_config *cfg)
{
    int i = experiment_proj_find(cfg, name);
    if (i >= 0)
        return i;
    const char *names[64];
    char list[1024];
    size_t k = cfg->n_projs < 64 ? cfg->n_projs : 64;
    for (size_t j = 0; j < k; j++)
        names[j] = cfg->projs[j].name;
    if (k)
        config_fail(c, at, "unknown projection '%.64s'; projections: %s", name,
                    config_names_join(names, k, list, sizeof list));
    else
        config_fail(c, at, "unknown projection '%.64s'; there are no projections", name);
    return -1;
}

char *config_file_resolve(const config_ctx *c, const char *file)
{
    const char *dir = c->dir ? c->dir : "";
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = malloc(n);
    if (!s)
        return NULL;
    if (file[0] == '/' || !dir[0])
        snprintf(s, n, "%s", file);
    else
        snprintf(s, n, "%s/%s", dir, file);
    return s;
}

int config_steps_exact(double dt_ms, double *ms)
{
    double k = round(*ms / dt_ms);
    if (!(k >= 1 && fabs(k * dt_ms - *ms) <= 1e-9 * *ms))
        return 0;
    *ms = k * dt_ms;
    return 1;
}

int config_params_read(config_ctx *c, const hs_param_desc *d, size_t n, size_t params_size,
                       const char *owner, const yamltree_node *key,
                       const yamltree_node *map, void *out)
{
    if (n > HS_MAX_PARAMS || params_size > HS_MAX_PARAMS * sizeof(double))
        return hs_error_set(c->err, HS_EINTERNAL, "%s has more than %d parameters", owner,
                            HS_MAX_PARAMS);
    config_field f[HS_MAX_PARAMS];
    for (size_t i = 0; i < n; i++)
        f[i] = (config_field){.key = d[i].name, .kind = CONFIG_NUMBER, .offset = d[i].offset,
                              .def = d[i].def, .min = d[i].min, .max = d[i].max,
                              .unit = d[i].unit};
    hs_params_set_defaults(d, n, out);
    if (!map)
        return HS_OK;
    char noun[HS_NAME_MAX + 32];
    snprintf(noun, sizeof noun, "parameter of %s", owner);
    size_t old = config_path_push(c, "params");
    int rc = config_fields_read(c, f, n, key, map, out, NULL, noun);
    config_path_pop(c, old);
    return rc;
}

int config_h5_length_check(const char *file, const char *dataset, double bytes_per,
                           const char *noun, hs_error *err)
{
    size_t n;
    int rc = h5in_length(file, dataset, &n, err);
    double need = (double)n * bytes_per, have = machine_memory_bytes();
    if (rc == HS_OK && have > 0 && need > have)
        rc = hs_error_set(err, HS_EINPUT, "%.100s holds %zu values: as %s, about %.3g GB "
                          "of memory, more than the %.3g GB this machine has", dataset, n,
                          noun, need * 1e-9, have * 1e-9);
    return rc;
}
