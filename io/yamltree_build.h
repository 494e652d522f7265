/* yamltree_build.h: the node building blocks yamltree.c lends to
 * yamltree_set.c (internal to io/). */
#ifndef HS_YAMLTREE_BUILD_H
#define HS_YAMLTREE_BUILD_H

#include <stddef.h>

#include "yamltree.h"

/* A scalar node holding a copy of s[0..len), or NULL when out of memory. */
yamltree_node *yamltree_scalar_new(const char *s, size_t len, int plain,
                                   const char *origin);

/* Makes room for one more item or pair; -1 when out of memory. */
int yamltree_grow(yamltree_node *n);

/* As yamltree_parse; origin (an override's text, or NULL) marks every node
 * and phrases the errors. Returns NULL with *rc = HS_OK for an empty stream. */
yamltree_node *yamltree_parse_origin(const char *text, size_t len, const char *file,
                                     const char *origin, hs_error *err, int *rc);

#endif
