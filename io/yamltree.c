/* yamltree.c: libyaml events -> tree with positions; duplicate keys; queries.
 * Overrides are in yamltree_set.c. */
#include "yamltree.h"
#include "yamltree_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Beyond this the input is data, not a config: 2e6 nodes take ~250 MB. */
#define YAMLTREE_MAX_NODES 2000000

#define YAML_STR_TAG "tag:yaml.org,2002:str"

typedef struct builder {
    const char *file;                  /* for messages */
    const char *origin;                /* the --set text, or NULL for a file */
    const char *text;                  /* for locating reader errors */
    hs_error *err;
    yamltree_node *root;
    yamltree_node *stack[YAMLTREE_MAX_DEPTH];
    int depth;
    size_t n_nodes;
} builder;

/* ---- errors ---- */

/* "file:line:col: [rel: ]message", or for an override's value
 * "--set key.path=value: key.path[.rel]: message" (its positions mean
 * nothing to the user). */
static int builder_vfail(builder *b, int line, int col, const char *rel, const char *fmt,
                         va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *sep = rel && rel[0] ? ": " : "";
    if (!rel)
        rel = "";
    if (!b->origin)
        return hs_error_at(b->err, HS_EINPUT, b->file, line, col, "%s%s%s", rel, sep, msg);
    const char *eq = strchr(b->origin, '=');
    int path_len = eq ? (int)(eq - b->origin) : 0;
    return hs_error_set(b->err, HS_EINPUT, "--set %.200s: %.*s%s%s: %s", b->origin,
                        path_len < 200 ? path_len : 200, b->origin, rel[0] ? "." : "", rel,
                        msg);
}

static int builder_fail(builder *b, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int builder_fail(builder *b, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = builder_vfail(b, line, col, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

/* As builder_fail, about the key path rel inside the document. */
static int builder_fail_in(builder *b, int line, int col, const char *rel,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int builder_fail_in(builder *b, int line, int col, const char *rel,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = builder_vfail(b, line, col, rel, fmt, ap);
    va_end(ap);
    return rc;
}

static int builder_nomem(builder *b)
{
    return hs_error_set(b->err, HS_ENOMEM, "%s: out of memory reading YAML",
                        b->origin ? b->origin : b->file);
}

/* Line and column (1-based) of a byte offset, for libyaml reader errors that
 * carry only the offset. */
static void offset_position(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int syntax_error(builder *b, const yaml_parser_t *p, size_t len)
{
    if (p->error == YAML_MEMORY_ERROR)
        return builder_nomem(b);
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        offset_position(b->text, p->problem_offset < len ? p->problem_offset : len,
                        &line, &col);
        return builder_fail(b, line, col, "%s", problem);
    }
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->context && !b->origin)
        return builder_fail(b, line, col, "%s %s (started at line %d)", problem, p->context,
                            (int)p->context_mark.line + 1);
    if (p->context)
        return builder_fail(b, line, col, "%s %s", problem, p->context);
    return builder_fail(b, line, col, "%s", problem);
}

/* ---- nodes ---- */

static yamltree_node *node_new(builder *b, yamltree_kind kind, const yaml_mark_t *m)
{
    if (b->n_nodes >= YAMLTREE_MAX_NODES) {
        builder_fail(b, (int)m->line + 1, (int)m->column + 1,
                     "more than %d YAML values; put large data (spike lists) in an "
                     "HDF5 file", YAMLTREE_MAX_NODES);
        return NULL;
    }
    yamltree_node *n = calloc(1, sizeof *n);
    if (!n) {
        builder_nomem(b);
        return NULL;
    }
    b->n_nodes++;
    n->kind = kind;
    n->origin = b->origin;
    if (!b->origin) {
        n->line = (int)m->line + 1;
        n->col = (int)m->column + 1;
    }
    return n;
}

yamltree_node *yamltree_scalar_new(const char *s, size_t len, int plain,
                                   const char *origin)
{
    yamltree_node *n = calloc(1, sizeof *n);
    char *copy = malloc(len + 1);
    if (!n || !copy) {
        free(n);
        free(copy);
        return NULL;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    n->kind = YAMLTREE_SCALAR;
    n->origin = origin;
    n->str = copy;
    n->len = len;
    n->plain = plain;
    return n;
}

void yamltree_free(yamltree_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; n->items && i < n->n; i++)
        yamltree_free(n->items[i]);
    for (size_t i = 0; n->pairs && i < n->n; i++) {
        yamltree_free(n->pairs[i].key);
        yamltree_free(n->pairs[i].value);
    }
    free(n->items);
    free(n->pairs);
    free(n->str);
    free(n);
}

int yamltree_grow(yamltree_node *n)
{
    if (n->n < n->cap)
        return 0;
    size_t cap = n->cap ? 2 * n->cap : 4;
    if (n->kind == YAMLTREE_SEQ) {
        yamltree_node **items = realloc(n->items, cap * sizeof *items);
        if (!items)
            return -1;
        n->items = items;
    } else {
        yamltree_pair *pairs = realloc(n->pairs, cap * sizeof *pairs);
        if (!pairs)
            return -1;
        n->pairs = pairs;
    }
    n->cap = cap;
    return 0;
}

/* ---- building ---- */

/* key.path of the innermost open container's newest child, as config.c
 * writes paths: "populations.exc", "recording.spikes[2]". */
static void builder_path(const builder *b, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < b->depth && len + 1 < size; i++) {
        const yamltree_node *n = b->stack[i];
        int w = 0;
        if (n->kind == YAMLTREE_MAP && n->n > 0)
            w = snprintf(buf + len, size - len, "%s%.80s", len ? "." : "",
                         n->pairs[n->n - 1].key->str);
        else if (n->kind == YAMLTREE_SEQ && n->n > 0)
            w = snprintf(buf + len, size - len, "[%zu]", n->n - 1);
        if (w > 0)
            len += (size_t)w < size - len ? (size_t)w : size - len - 1;
    }
}

/* Hangs child under the innermost open container (or makes it the root).
 * On failure child is freed. */
static int builder_attach(builder *b, yamltree_node *child)
{
    if (b->depth == 0) {
        b->root = child;
        return HS_OK;
    }
    yamltree_node *parent = b->stack[b->depth - 1];
    if (parent->kind == YAMLTREE_MAP && parent->n > 0 &&
        !parent->pairs[parent->n - 1].value) {
        parent->pairs[parent->n - 1].value = child;
        return HS_OK;
    }
    if (parent->kind == YAMLTREE_MAP && child->kind != YAMLTREE_SCALAR) {
        int line = child->line, col = child->col;
        yamltree_free(child);
        char path[320];
        builder_path(b, path, sizeof path);
        return builder_fail_in(b, line, col, path,
                               "mapping keys must be names, not lists or mappings");
    }
    if (yamltree_grow(parent) < 0) {
        yamltree_free(child);
        return builder_nomem(b);
    }
    if (parent->kind == YAMLTREE_SEQ)
        parent->items[parent->n++] = child;
    else
        parent->pairs[parent->n++] = (yamltree_pair){child, NULL};
    return HS_OK;
}

static int builder_open(builder *b, yamltree_kind kind, const yaml_mark_t *m)
{
    if (b->depth >= YAMLTREE_MAX_DEPTH)
        return builder_fail(b, (int)m->line + 1, (int)m->column + 1,
                            "nested deeper than %d levels", YAMLTREE_MAX_DEPTH);
    yamltree_node *n = node_new(b, kind, m);
    if (!n)
        return b->err->code;
    int rc = builder_attach(b, n);
    if (rc != HS_OK)
        return rc;
    b->stack[b->depth++] = n;
    return HS_OK;
}

/* "!!float" as the user wrote it, for "tag:yaml.org,2002:float". */
static const char *tag_text(const char *tag, char *buf, size_t size)
{
    static const char core[] = "tag:yaml.org,2002:";
    if (strncmp(tag, core, sizeof core - 1) == 0)
        snprintf(buf, size, "!!%.100s", tag + sizeof core - 1);
    else
        snprintf(buf, size, "%.100s", tag);
    return buf;
}

static int builder_scalar(builder *b, const yaml_event_t *e)
{
    char buf[112];
    const char *tag = (const char *)e->data.scalar.tag;
    if (tag && strcmp(tag, YAML_STR_TAG) != 0)
        return builder_fail(b, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
                            "tag '%s' is not supported (only !!str)",
                            tag_text(tag, buf, sizeof buf));
    yamltree_node *n = node_new(b, YAMLTREE_SCALAR, &e->start_mark);
    if (!n)
        return b->err->code;
    n->len = e->data.scalar.length;
    n->str = malloc(n->len + 1);
    if (!n->str) {
        yamltree_free(n);
        return builder_nomem(b);
    }
    memcpy(n->str, e->data.scalar.value, n->len);
    n->str[n->len] = '\0';
    n->plain = !tag && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return builder_attach(b, n);
}

static int key_cmp(const void *a, const void *b)
{
    const yamltree_pair *x = *(const yamltree_pair *const *)a;
    const yamltree_pair *y = *(const yamltree_pair *const *)b;
    size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
    int c = memcmp(x->key->str, y->key->str, n);
    if (c)
        return c;
    if (x->key->len != y->key->len)
        return x->key->len < y->key->len ? -1 : 1;
    return (x > y) - (x < y);     /* file order among equal keys */
}

static int same_key(const yamltree_pair *a, const yamltree_pair *b)
{
    return a->key->len == b->key->len && memcmp(a->key->str, b->key->str, a->key->len) == 0;
}

/* Finds the duplicate key whose second occurrence comes first in the file.
 * Sorting keeps this O(n log n) for huge mappings. */
static int check_duplicates(builder *b, const yamltree_node *map)
{
    if (map->n < 2)
        return HS_OK;
    const yamltree_pair **sorted = malloc(map->n * sizeof *sorted);
    if (!sorted)
        return builder_nomem(b);
    for (size_t i = 0; i < map->n; i++)
        sorted[i] = &map->pairs[i];
    qsort(sorted, map->n, sizeof *sorted, key_cmp);
    const yamltree_pair *first = NULL, *second = NULL;
    for (size_t i = 1; i < map->n; i++) {
        if (!same_key(sorted[i - 1], sorted[i]))
            continue;
        if (i >= 2 && same_key(sorted[i - 2], sorted[i]))
            continue;  /* a third occurrence: the second one is reported */
        if (!second || sorted[i] < second) {
            first = sorted[i - 1];
            second = sorted[i];
        }
    }
    free(sorted);
    if (!second)
        return HS_OK;
    char path[320];
    builder_path(b, path, sizeof path);
    size_t len = strlen(path);
    snprintf(path + len, sizeof path - len, "%s%.80s", len ? "." : "", second->key->str);
    if (b->origin)
        return builder_fail_in(b, 0, 0, path, "duplicate key");
    return builder_fail_in(b, second->key->line, second->key->col, path,
                           "duplicate key (first defined at line %d)", first->key->line);
}

static int builder_close(builder *b)
{
    yamltree_node *n = b->stack[--b->depth];
    if (n->kind == YAMLTREE_MAP)
        return check_duplicates(b, n);
    return HS_OK;
}

/* One event; sets *done at the end of the stream. */
static int builder_event(builder *b, const yaml_event_t *e, int *n_docs, int *done)
{
    int line = (int)e->start_mark.line + 1, col = (int)e->start_mark.column + 1;
    switch (e->type) {
    case YAML_STREAM_END_EVENT:
        *done = 1;
        return HS_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (++*n_docs > 1)
            return builder_fail(b, line, col, "a second YAML document; the file must "
                                              "hold exactly one");
        return HS_OK;
    case YAML_ALIAS_EVENT:
        return builder_fail(b, line, col, "aliases (*name) are not supported");
    case YAML_SCALAR_EVENT:
        if (e->data.scalar.anchor)
            return builder_fail(b, line, col, "anchors (&name) are not supported");
        return builder_scalar(b, e);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int seq = e->type == YAML_SEQUENCE_START_EVENT;
        const yaml_char_t *anchor = seq ? e->data.sequence_start.anchor
                                        : e->data.mapping_start.anchor;
        const yaml_char_t *tag = seq ? e->data.sequence_start.tag
                                     : e->data.mapping_start.tag;
        char buf[112];
        if (anchor)
            return builder_fail(b, line, col, "anchors (&name) are not supported");
        if (tag)
            return builder_fail(b, line, col, "tag '%s' is not supported",
                                tag_text((const char *)tag, buf, sizeof buf));
        return builder_open(b, seq ? YAMLTREE_SEQ : YAMLTREE_MAP, &e->start_mark);
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return builder_close(b);
    default:
        return HS_OK;
    }
}

yamltree_node *yamltree_parse_origin(const char *text, size_t len, const char *file,
                                     const char *origin, hs_error *err, int *rc)
{
    hs_error local;
    hs_error_clear(&local);
    builder b = {.file = file, .origin = origin, .text = text, .err = &local};
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        *rc = builder_nomem(&b);
        hs_error_set(err, local.code, "%s", local.msg);
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int n_docs = 0, done = 0;
    *rc = HS_OK;
    while (*rc == HS_OK && !done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            *rc = syntax_error(&b, &p, len);
            break;
        }
        *rc = builder_event(&b, &e, &n_docs, &done);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    if (*rc != HS_OK) {
        yamltree_free(b.root);
        hs_error_set(err, local.code, "%s", local.msg);
        return NULL;
    }
    return b.root;
}

yamltree_node *yamltree_parse(const char *text, size_t len, const char *file,
                              hs_error *err)
{
    int rc;
    yamltree_node *root = yamltree_parse_origin(text, len, file, NULL, err, &rc);
    if (!root && rc == HS_OK)
        hs_error_at(err, HS_EINPUT, file, 0, 0,
                    "the file is empty; expected a mapping with simulation and "
                    "populations");
    return root;
}

/* ---- queries ---- */

/* Length-aware, so a key with an embedded NUL never matches a shorter name. */
static int key_is(const yamltree_node *k, const char *key)
{
    return strlen(key) == k->len && memcmp(k->str, key, k->len) == 0;
}

yamltree_node *yamltree_get(const yamltree_node *map, const char *key)
{
    if (!map || map->kind != YAMLTREE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (key_is(map->pairs[i].key, key))
            return map->pairs[i].value;
    return NULL;
}

yamltree_node *yamltree_get_key(const yamltree_node *map, const char *key)
{
    if (!map || map->kind != YAMLTREE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (key_is(map->pairs[i].key, key))
            return map->pairs[i].key;
    return NULL;
}

int yamltree_is_null(const yamltree_node *n)
{
    if (!n || n->kind != YAMLTREE_SCALAR || !n->plain)
        return 0;
    return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
           strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const char *yamltree_origin(const yamltree_node *n)
{
    if (!n || n->origin)
        return n ? n->origin : NULL;
    const char *o = NULL;
    for (size_t i = 0; !o && n->items && i < n->n; i++)
        o = yamltree_origin(n->items[i]);
    for (size_t i = 0; !o && n->pairs && i < n->n; i++) {
        o = yamltree_origin(n->pairs[i].key);
        if (!o)
            o = yamltree_origin(n->pairs[i].value);
    }
    return o;
}

size_t yamltree_len(const yamltree_node *n)
{
    return n && n->kind != YAMLTREE_SCALAR ? n->n : 0;
}

int yamltree_error(hs_error *err, const char *file, const yamltree_node *at,
                   const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *sep = path && *path ? ": " : "";
    if (!path)
        path = "";
    if (at && at->origin)
        return hs_error_set(err, HS_EINPUT, "--set %.200s: %s%s%s", at->origin, path,
                            sep, msg);
    return hs_error_at(err, HS_EINPUT, file, at ? at->line : 0, at ? at->col : 0,
                       "%s%s%s", path, sep, msg);
}
