/* The YAML tree (io/yamltree.h) against its contract: every node knows the
 * line and column it was written at (1-based), scalars whether they were
 * plain; lookups, lengths and nulls; what the builder refuses on top of
 * libyaml, each as "file:line:col: message": duplicate keys (naming the
 * first one's line, the second reported of three), anchors and aliases,
 * tags but !!str, keys that are not names, a second document, nesting
 * deeper than YAMLTREE_MAX_DEPTH (32 levels pass); an empty stream; and
 * --set overrides: values replaced, mappings created on the way, the new
 * nodes carrying the override as their origin, so that errors about them
 * and in them name the override, not a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../io/yamltree.h"
#include "suites.h"

static yamltree_node *parse_ok(const char *text)
{
    hs_error err;
    hs_error_clear(&err);
    yamltree_node *t = yamltree_parse(text, strlen(text), "f.yaml", &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    return t;
}

/* The message of a parse that must fail with HS_EINPUT (valid until the
 * next call). */
static const char *parse_fail(const char *text)
{
    static hs_error err;
    hs_error_clear(&err);
    yamltree_node *t = yamltree_parse(text, strlen(text), "f.yaml", &err);
    ck_assert_msg(t == NULL, "parsed: %s", text);
    ck_assert_int_eq(err.code, HS_EINPUT);
    return err.msg;
}

static void assert_starts(const char *msg, const char *want)
{
    ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "'%s' does not start with '%s'", msg,
                  want);
}

static void assert_has(const char *msg, const char *part)
{
    ck_assert_msg(strstr(msg, part) != NULL, "'%s' lacks '%s'", msg, part);
}

static void assert_at(const yamltree_node *n, yamltree_kind kind, int line, int col)
{
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->kind, kind);
    ck_assert_int_eq(n->line, line);
    ck_assert_int_eq(n->col, col);
    ck_assert_ptr_null(n->origin);
}

START_TEST(test_positions)
{
    yamltree_node *t = parse_ok("a: 1\n"
                                "b:\n"
                                "  c: [x, \"y\"]\n"
                                "  d:\n"
                                "    - {e: 2}\n");
    assert_at(t, YAMLTREE_MAP, 1, 1);
    ck_assert_uint_eq(yamltree_len(t), 2);
    assert_at(yamltree_get_key(t, "a"), YAMLTREE_SCALAR, 1, 1);
    yamltree_node *a = yamltree_get(t, "a");
    assert_at(a, YAMLTREE_SCALAR, 1, 4);
    ck_assert_str_eq(a->str, "1");
    ck_assert_int_eq(a->plain, 1);
    yamltree_node *b = yamltree_get(t, "b");
    assert_at(b, YAMLTREE_MAP, 3, 3);
    assert_at(yamltree_get_key(b, "d"), YAMLTREE_SCALAR, 4, 3);
    yamltree_node *c = yamltree_get(b, "c");
    assert_at(c, YAMLTREE_SEQ, 3, 6);
    ck_assert_uint_eq(yamltree_len(c), 2);
    assert_at(c->items[0], YAMLTREE_SCALAR, 3, 7);
    assert_at(c->items[1], YAMLTREE_SCALAR, 3, 10);
    ck_assert_int_eq(c->items[1]->plain, 0);
    ck_assert_str_eq(c->items[1]->str, "y");
    yamltree_node *d = yamltree_get(b, "d");
    assert_at(d, YAMLTREE_SEQ, 5, 5);
    assert_at(d->items[0], YAMLTREE_MAP, 5, 7);
    assert_at(yamltree_get(d->items[0], "e"), YAMLTREE_SCALAR, 5, 11);
    /* lookups that find nothing */
    ck_assert_ptr_null(yamltree_get(t, "c"));
    ck_assert_ptr_null(yamltree_get(a, "a"));
    ck_assert_ptr_null(yamltree_get_key(c, "x"));
    ck_assert_ptr_null(yamltree_origin(t));
    yamltree_free(t);
    yamltree_free(NULL);
}
END_TEST

START_TEST(test_nulls_and_lengths)
{
    yamltree_node *t = parse_ok("a: ~\nb: null\nc:\nd: 'null'\ne: \"\"\nf: []\ng: 0\n");
    ck_assert(yamltree_is_null(yamltree_get(t, "a")));
    ck_assert(yamltree_is_null(yamltree_get(t, "b")));
    ck_assert(yamltree_is_null(yamltree_get(t, "c")));
    ck_assert(!yamltree_is_null(yamltree_get(t, "d")));   /* quoted: a string */
    ck_assert(!yamltree_is_null(yamltree_get(t, "e")));
    ck_assert(!yamltree_is_null(yamltree_get(t, "f")));
    ck_assert(!yamltree_is_null(yamltree_get(t, "g")));
    ck_assert(!yamltree_is_null(NULL));
    ck_assert_uint_eq(yamltree_len(yamltree_get(t, "c")), 0);
    ck_assert_uint_eq(yamltree_len(yamltree_get(t, "f")), 0);
    ck_assert_uint_eq(yamltree_len(yamltree_get(t, "g")), 0);
    ck_assert_uint_eq(yamltree_len(t), 7);
    yamltree_free(t);
}
END_TEST

/* A duplicate key is reported at its second occurrence with the path and
 * the first one's line; of three, the second. */
START_TEST(test_duplicate_keys)
{
    const char *m = parse_fail("a: 1\nb: 2\na: 3\n");
    assert_starts(m, "f.yaml:3:1: a: duplicate key");
    assert_has(m, "line 1");
    m = parse_fail("x:\n  y: 1\n  z: 0\n  y: 2\n");
    assert_starts(m, "f.yaml:4:3: x.y: duplicate key");
    assert_has(m, "line 2");
    m = parse_fail("k: 1\nk: 2\nk: 3\n");
    assert_starts(m, "f.yaml:2:1: k: duplicate key");
    /* equal values under other keys are fine */
    yamltree_free(parse_ok("a: {k: 1}\nb: {k: 1}\n"));
}
END_TEST

START_TEST(test_refused_constructs)
{
    assert_starts(parse_fail("a: &x 1\n"), "f.yaml:1:4: anchors");
    assert_starts(parse_fail("a: &m {b: 1}\n"), "f.yaml:1:4: anchors");
    assert_starts(parse_fail("a: 1\nb: *x\n"), "f.yaml:2:4: aliases");
    const char *m = parse_fail("a: 1\nb: !!int 3\n");
    assert_starts(m, "f.yaml:2:4: tag '!!int' is not supported");
    assert_starts(parse_fail("a: !!map {b: 1}\n"), "f.yaml:1:4: tag '!!map'");
    yamltree_node *t = parse_ok("a: !!str 3\n");
    ck_assert_int_eq(yamltree_get(t, "a")->plain, 0);   /* a string, not a number */
    yamltree_free(t);
    assert_starts(parse_fail("? [a, b]\n: 1\n"), "f.yaml:1:3: mapping keys must be names");
    assert_starts(parse_fail("a: 1\n---\nb: 2\n"), "f.yaml:2:1: a second YAML document");
    /* libyaml's own errors keep their position */
    assert_starts(parse_fail("a: [1, 2\nb: 3\n"), "f.yaml:");
    /* an empty stream */
    assert_starts(parse_fail(""), "f.yaml: the file is empty");
    assert_starts(parse_fail("# only a comment\n"), "f.yaml: the file is empty");
}
END_TEST

/* "a: " then k - 1 nested flow sequences: k levels in all. */
static char *nested(int k)
{
    char *s = malloc((size_t)(2 * k + 8));
    int n = snprintf(s, 8, "a: ");
    for (int i = 1; i < k; i++)
        s[n++] = '[';
    for (int i = 1; i < k; i++)
        s[n++] = ']';
    s[n] = '\0';
    return s;
}

START_TEST(test_depth_limit)
{
    char *ok = nested(YAMLTREE_MAX_DEPTH), *deep = nested(YAMLTREE_MAX_DEPTH + 1);
    yamltree_free(parse_ok(ok));
    char want[64];
    snprintf(want, sizeof want, "f.yaml:1:%d: nested deeper than %d levels",
             3 + YAMLTREE_MAX_DEPTH, YAMLTREE_MAX_DEPTH);
    assert_starts(parse_fail(deep), want);
    free(ok);
    free(deep);
}
END_TEST

static void set_ok(yamltree_node *t, const char *set)
{
    hs_error err;
    hs_error_clear(&err);
    ck_assert_msg(yamltree_set(t, set, &err) == HS_OK, "%s: %s", set, err.msg);
}

static const char *set_fail(yamltree_node *t, const char *set)
{
    static hs_error err;
    hs_error_clear(&err);
    ck_assert_int_eq(yamltree_set(t, set, &err), HS_EINPUT);
    return err.msg;
}

START_TEST(test_overrides)
{
    yamltree_node *t = parse_ok("a: {b: 1, e: x}\nlist: [1, 2]\n");
    static const char s1[] = "a.b=2.5", s2[] = "a.c.d=[1, {u: v}]", s3[] = "top=~",
                      s4[] = "list={k: 1}";
    set_ok(t, s1);
    set_ok(t, s2);
    set_ok(t, s3);
    set_ok(t, s4);
    yamltree_node *a = yamltree_get(t, "a");
    /* replaced in place: a keeps its position, b its key's, the value is new */
    assert_at(a, YAMLTREE_MAP, 1, 4);
    assert_at(yamltree_get_key(a, "b"), YAMLTREE_SCALAR, 1, 5);
    yamltree_node *b = yamltree_get(a, "b");
    ck_assert_str_eq(b->str, "2.5");
    ck_assert_int_eq(b->plain, 1);
    ck_assert_ptr_eq(b->origin, s1);
    ck_assert_int_eq(b->line, 0);
    ck_assert_ptr_null(yamltree_get(a, "e")->origin);
    /* created on the way: c, then d holding a list */
    yamltree_node *c = yamltree_get(a, "c");
    ck_assert_int_eq(c->kind, YAMLTREE_MAP);
    ck_assert_ptr_eq(c->origin, s2);
    yamltree_node *d = yamltree_get(c, "d");
    ck_assert_int_eq(d->kind, YAMLTREE_SEQ);
    ck_assert_uint_eq(yamltree_len(d), 2);
    ck_assert_ptr_eq(yamltree_get(d->items[1], "u")->origin, s2);
    ck_assert(yamltree_is_null(yamltree_get(t, "top")));
    ck_assert_int_eq(yamltree_get(t, "list")->kind, YAMLTREE_MAP);
    /* the first override below a node */
    ck_assert_ptr_eq(yamltree_origin(a), s1);
    ck_assert_ptr_eq(yamltree_origin(c), s2);
    /* errors about nodes: a line for the file's, the override for its own */
    hs_error err;
    ck_assert_int_eq(yamltree_error(&err, "f.yaml", yamltree_get(a, "e"), "a.e", "bad %d", 7),
                     HS_EINPUT);
    ck_assert_str_eq(err.msg, "f.yaml:1:14: a.e: bad 7");
    ck_assert_int_eq(yamltree_error(&err, "f.yaml", d, "a.c.d", "no lists here"), HS_EINPUT);
    ck_assert_str_eq(err.msg, "--set a.c.d=[1, {u: v}]: a.c.d: no lists here");
    yamltree_free(t);
}
END_TEST

START_TEST(test_override_errors)
{
    yamltree_node *t = parse_ok("a: {b: 1}\n");
    assert_starts(set_fail(t, "a.b"), "--set a.b: expected key.path=value");
    assert_starts(set_fail(t, "=1"), "--set =1: no key path");
    assert_starts(set_fail(t, "a..b=1"), "--set a..b=1: empty key");
    assert_starts(set_fail(t, "a.b.c=1"), "--set a.b.c=1: a.b: is not a mapping");
    /* the value is YAML, refused as a file's would be, at the override */
    assert_starts(set_fail(t, "a.b=[1, 2"), "--set a.b=[1, 2: a.b: ");
    assert_starts(set_fail(t, "a.b=&x 1"), "--set a.b=&x 1: a.b: anchors");
    assert_starts(set_fail(t, "a.b={k: 1, k: 2}"), "--set a.b={k: 1, k: 2}: a.b.k: duplicate key");
    /* a key path as deep as the nesting limit, and one key more */
    char path[256];
    int n = 0;
    for (int k = 0; k < YAMLTREE_MAX_DEPTH; k++)
        n += snprintf(path + n, sizeof path - (size_t)n, "%sk", k ? "." : "");
    char *deep = malloc(sizeof path + 8);
    snprintf(deep, sizeof path + 8, "%s=1", path);
    set_ok(t, deep);
    snprintf(deep, sizeof path + 8, "%s.k=1", path);
    char want[64];
    snprintf(want, sizeof want, "the key path has %d keys, more than %d",
             YAMLTREE_MAX_DEPTH + 1, YAMLTREE_MAX_DEPTH);
    assert_has(set_fail(t, deep), want);
    free(deep);
    /* a failed override leaves the tree as it was */
    ck_assert_str_eq(yamltree_get(yamltree_get(t, "a"), "b")->str, "1");
    yamltree_free(t);
    /* only a mapping takes overrides */
    t = parse_ok("[1, 2]\n");
    assert_has(set_fail(t, "a=1"), "not a mapping");
    yamltree_free(t);
}
END_TEST

Suite *yamltree_suite(void)
{
    Suite *s = suite_create("yamltree");
    TCase *tc = tcase_create("tree");
    tcase_add_test(tc, test_positions);
    tcase_add_test(tc, test_nulls_and_lengths);
    tcase_add_test(tc, test_duplicate_keys);
    tcase_add_test(tc, test_refused_constructs);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_override_errors);
    suite_add_tcase(s, tc);
    return s;
}
