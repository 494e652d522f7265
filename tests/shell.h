/* shell.h: running the hebbsleep binary (HS_BIN) from end-to-end tests. */
#ifndef HS_TEST_SHELL_H
#define HS_TEST_SHELL_H

#include <stddef.h>

/* Runs a shell command; returns its exit status (-1 if it did not exit)
 * and, if out, its stdout and stderr together (cap bytes, NUL-ended). */
int sh_run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The binary under test: $HS_BIN, else bin/hebbsleep. */
const char *sh_bin(void);

/* 1 when files a and b hold the same groups, datasets (shape, type and
 * every byte; variable-length strings by content) and attributes, but for
 * attributes named in skip (NULL-terminated); else 0 and the first
 * difference in why (cap bytes). */
int sh_h5_equal(const char *a, const char *b, const char *const *skip, char *why, size_t cap);

#endif
