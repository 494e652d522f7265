/* yamltree_set.c: `--set key.path=value` overrides applied to a tree. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamltree.h"
#include "yamltree_build.h"

static int set_fail(hs_error *err, const char *set, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_fail(hs_error *err, const char *set, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hs_error_set(err, HS_EINPUT, "--set %.200s: %s", set, msg);
}

static yamltree_node *map_new(const char *origin)
{
    yamltree_node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = YAMLTREE_MAP;
        n->origin = origin;
    }
    return n;
}

/* The slot holding map[key], creating key (with a NULL value) if absent. */
static yamltree_node **map_slot(yamltree_node *map, const char *key, size_t key_len,
                                const char *origin)
{
    for (size_t i = 0; i < map->n; i++)
        if (map->pairs[i].key->len == key_len &&
            memcmp(map->pairs[i].key->str, key, key_len) == 0)
            return &map->pairs[i].value;
    yamltree_node *k = yamltree_scalar_new(key, key_len, 1, origin);
    if (!k || yamltree_grow(map) < 0) {
        yamltree_free(k);
        return NULL;
    }
    map->pairs[map->n++] = (yamltree_pair){k, NULL};
    return &map->pairs[map->n - 1].value;
}

/* Parses the value part of an override; an empty value is null. */
static yamltree_node *set_value(const char *set, const char *text, hs_error *err)
{
    int rc;
    yamltree_node *v = yamltree_parse_origin(text, strlen(text), NULL, set, err, &rc);
    if (!v && rc == HS_OK) {
        v = yamltree_scalar_new("", 0, 1, set);
        if (!v)
            hs_error_set(err, HS_ENOMEM, "--set %.200s: out of memory", set);
    }
    return v;
}

/* Walks (and where absent creates) the mappings of the path's keys, then
 * puts value in the last one's slot. Takes ownership of value. */
static int set_path(yamltree_node *root, const char *set, size_t path_len,
                    yamltree_node *value, hs_error *err)
{
    yamltree_node *map = root;
    size_t start = 0, keys = 1;
    for (size_t i = 0; i < path_len; i++)
        keys += set[i] == '.';
    /* as the file's nesting: the tree is walked recursively */
    if (keys > YAMLTREE_MAX_DEPTH) {
        yamltree_free(value);
        return set_fail(err, set, "the key path has %zu keys, more than %d", keys,
                        YAMLTREE_MAX_DEPTH);
    }
    for (;;) {
        const char *dot = memchr(set + start, '.', path_len - start);
        size_t end = dot ? (size_t)(dot - set) : path_len;
        if (end == start) {
            yamltree_free(value);
            return set_fail(err, set, "empty key in the path '%.*s'", (int)path_len, set);
        }
        if (!map || map->kind != YAMLTREE_MAP) {
            yamltree_free(value);
            return set_fail(err, set, "%.*s: is not a mapping, so it has no key '%.*s'",
                            (int)start - 1, set, (int)(end - start), set + start);
        }
        yamltree_node **slot = map_slot(map, set + start, end - start, set);
        if (!slot) {
            yamltree_free(value);
            return hs_error_set(err, HS_ENOMEM, "--set %.200s: out of memory", set);
        }
        if (end == path_len) {
            yamltree_free(*slot);
            *slot = value;
            return HS_OK;
        }
        if (!*slot || yamltree_is_null(*slot)) {
            yamltree_free(*slot);
            *slot = map_new(set);
            if (!*slot) {
                yamltree_free(value);
                return hs_error_set(err, HS_ENOMEM, "--set %.200s: out of memory", set);
            }
        }
        map = *slot;
        start = end + 1;
    }
}

int yamltree_set(yamltree_node *root, const char *set, hs_error *err)
{
    hs_error local;
    hs_error_clear(&local);
    const char *eq = strchr(set, '=');
    int rc;
    if (!eq) {
        rc = set_fail(&local, set, "expected key.path=value");
    } else if (eq == set) {
        rc = set_fail(&local, set, "no key path before '='");
    } else if (!root || root->kind != YAMLTREE_MAP) {
        rc = set_fail(&local, set, "the document is not a mapping");
    } else {
        yamltree_node *value = set_value(set, eq + 1, &local);
        rc = value ? set_path(root, set, (size_t)(eq - set), value, &local) : local.code;
    }
    if (rc != HS_OK)
        hs_error_set(err, rc, "%s", local.msg);
    return rc;
}
