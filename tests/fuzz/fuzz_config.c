/* fuzz_config.c: libFuzzer harness for the config loader (make fuzz).
 *
 * The input is an experiment file, optionally followed by a line "#--set"
 * and one override "key.path=value" per line, so yamltree_set is fuzzed
 * too. Whatever the input, loading either succeeds or fails with HS_EINPUT
 * and a message that starts with the file's name or "--set " (never
 * HS_ENOMEM or HS_EINTERNAL: sizes in the input are bounded before they are
 * allocated). A config that loads (with at most 10000 phases) is printed,
 * and the printed text must load again and print the same (config_print's
 * promise).
 *
 * The text is named as a file in tests/configs/good/, so run from the
 * repository's root, relative paths in it find rat.csv there. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "../../io/config.h"

#define FUZZ_NAME "tests/configs/good/fuzz.yaml"
#define FUZZ_MAX_SETS 8
#define SET_MARK "\n#--set\n"

/* config_print's output, NUL-terminated (free it). */
static char *printed(const hs_config *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    config_print(c, f);
    if (fclose(f) != 0)
        abort();
    return buf;
}

static void round_trip(const hs_config *c)
{
    size_t n1, n2;
    char *t1 = printed(c, &n1);
    hs_error err;
    hs_error_clear(&err);
    hs_config *back = config_load_text(FUZZ_NAME, t1, n1, NULL, 0, &err);
    if (!back) {
        fprintf(stderr, "printed config does not load: %s\n---\n%s---\n", err.msg, t1);
        abort();
    }
    char *t2 = printed(back, &n2);
    if (n1 != n2 || memcmp(t1, t2, n1) != 0) {
        fprintf(stderr, "printing twice differs:\n---\n%s---\n%s---\n", t1, t2);
        abort();
    }
    free(t1);
    free(t2);
    experiment_free(back);
}

/* Splits the override lines off the end of text (NUL-terminated, modified). */
static size_t sets_split(char *text, size_t *len, const char **sets)
{
    char *mark = strstr(text, SET_MARK);
    if (!mark)
        return 0;
    *len = (size_t)(mark - text);
    *mark = '\0';
    size_t n = 0;
    for (char *line = mark + strlen(SET_MARK); line && *line && n < FUZZ_MAX_SETS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strchr(line, '='))     /* as the CLI demands */
            sets[n++] = line;
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As main does: GSL reports errors by status, never aborts. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gsl_set_error_handler_off();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = size;
    const char *sets[FUZZ_MAX_SETS];
    size_t n_sets = sets_split(text, &len, sets);
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load_text(FUZZ_NAME, text, len, sets, n_sets, &err);
    if (c) {
        /* printing 10^6 phases takes seconds and tests nothing new */
        if (c->n_phases <= 10000)
            round_trip(c);
        experiment_free(c);
    } else {
        int named = strncmp(err.msg, FUZZ_NAME, strlen(FUZZ_NAME)) == 0 ||
                    strncmp(err.msg, "--set ", 6) == 0;
        if (err.code != HS_EINPUT || !named) {
            fprintf(stderr, "bad failure (code %d): %s\n", err.code, err.msg);
            abort();
        }
    }
    free(text);
    return 0;
}
