/* yamltree.h: a YAML document as a small tree that remembers where each node
 * was written, for error messages that point at the line.
 *
 * libyaml's event parser builds the tree; on top of what libyaml checks, the
 * builder rejects duplicate mapping keys (naming the first one's line),
 * anchors and aliases, tags other than !!str, non-scalar mapping keys, more
 * than one document and nesting deeper than YAMLTREE_MAX_DEPTH. Every error
 * is HS_EINPUT "file:line:col: message" (HS_ENOMEM when memory runs out).
 *
 * `--set key.path=value` overrides edit the tree in place; the nodes they
 * create carry the override text as their origin, so later errors about them
 * read "--set key.path=value: key.path: message" (yamltree_error).
 */
#ifndef HS_YAMLTREE_H
#define HS_YAMLTREE_H

#include <stddef.h>

#include "../base/error.h"

#define YAMLTREE_MAX_DEPTH 32

typedef enum { YAMLTREE_SCALAR, YAMLTREE_SEQ, YAMLTREE_MAP } yamltree_kind;

typedef struct yamltree_node yamltree_node;

typedef struct yamltree_pair {
    yamltree_node *key;            /* always a scalar */
    yamltree_node *value;
} yamltree_pair;

struct yamltree_node {
    yamltree_kind kind;
    int line, col;                 /* 1-based; 0 for nodes made by an override */
    const char *origin;            /* NULL: the file; else the --set text (not owned) */
    /* scalar */
    char *str;                     /* NUL-terminated copy of the value */
    size_t len;
    int plain;                     /* 1: unquoted, so it may be a number, bool or null */
    /* sequence */
    yamltree_node **items;
    /* mapping, in file order */
    yamltree_pair *pairs;
    size_t n, cap;                 /* items or pairs */
};

/* Parses text (len bytes, need not be NUL-terminated) into a tree. file names
 * the text in messages. An empty stream gives NULL with err set. */
yamltree_node *yamltree_parse(const char *text, size_t len, const char *file,
                              hs_error *err);

/* Frees a node and everything below it. NULL does nothing. */
void yamltree_free(yamltree_node *n);

/* Applies one override "key.path=value" to the mapping root: the value is
 * parsed as YAML, absent mappings on the way are created, an existing value
 * is replaced. The new nodes point at set, which must outlive the tree.
 * Returns HS_OK, or HS_EINPUT / HS_ENOMEM with err "--set <set>: ...". */
int yamltree_set(yamltree_node *root, const char *set, hs_error *err);

/* The value under key in a mapping, or NULL (also for non-mappings). */
yamltree_node *yamltree_get(const yamltree_node *map, const char *key);

/* The key node of key in a mapping (for its position), or NULL. */
yamltree_node *yamltree_get_key(const yamltree_node *map, const char *key);

/* 1 for a plain empty, ~ or null scalar. */
int yamltree_is_null(const yamltree_node *n);

/* Items or pairs of a sequence or mapping; 0 for a null scalar. */
size_t yamltree_len(const yamltree_node *n);

/* The override that made n or any node below it, or NULL if all came from
 * the file. */
const char *yamltree_origin(const yamltree_node *n);

/* Fills err (HS_EINPUT) with "file:line:col: path: message", or for a node
 * made by an override "--set <text>: path: message". Returns HS_EINPUT. */
int yamltree_error(hs_error *err, const char *file, const yamltree_node *at,
                   const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
