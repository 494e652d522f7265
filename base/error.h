/* error.h: status codes and the error record every fallible call fills.
 *
 * Functions return HS_OK (0) or a negative code and describe the failure in
 * an hs_error. Only main() turns a code into an exit status:
 * HS_EINPUT -> 2 (bad config, CLI or file), HS_EINTERRUPTED -> 128 + the
 * signal (130 for SIGINT, 143 for SIGTERM), everything else -> 1.
 * Messages read "file:line:col: key.path: what is wrong" when they concern
 * input, so editors can jump to the place.
 */
#ifndef HS_ERROR_H
#define HS_ERROR_H

#include <stdio.h>

enum {
    HS_OK = 0,
    HS_EINPUT = -1,    /* bad user input: config, command line, input file */
    HS_ENOMEM = -2,    /* allocation failed */
    HS_EIO = -3,       /* output could not be written */
    HS_EINTERNAL = -4, /* a bug or an unexpected library failure */
    HS_EINTERRUPTED = -5, /* stopped by a signal (SIGINT, SIGTERM) */
    HS_EMODEL = -6     /* the model diverged: a state not finite, a runaway rate */
};

typedef struct hs_error {
    int code;          /* one of the codes above, HS_OK when clear */
    char msg[1536];    /* full message, location first when known */
} hs_error;

/* Clears e (code HS_OK, empty message). e may be NULL. */
void hs_error_clear(hs_error *e);

/* Fills e with code and a printf-style message; returns code so callers can
 * write `return hs_error_set(err, HS_EINPUT, "...")`. e may be NULL. */
int hs_error_set(hs_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As hs_error_set, prefixed with "file:line:col: ". line/col are 1-based;
 * a zero line or col is left out. */
int hs_error_at(hs_error *e, int code, const char *file, int line, int col,
                const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Exit status for a code: 0, 2 for HS_EINPUT, else 1. */
int hs_error_exit_code(int code);

#endif
