/* shell.h: running the hebbsleep binary (HS_BIN) from end-to-end tests. */
#ifndef HS_TEST_SHELL_H
#define HS_TEST_SHELL_H

#include <stddef.h>
#include <sys/types.h>

#include <hdf5.h>

/* Runs a shell command; returns its exit status (-1 if it did not exit)
 * and, if out, its stdout and stderr together (cap bytes, NUL-ended). */
int sh_run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The binary under test: $HS_BIN, else bin/hebbsleep. */
const char *sh_bin(void);

/* A fresh directory per test, sh_dir (a checked fixture: the teardown
 * removes it with its files). */
extern char sh_dir[64];
void sh_dir_make(void);
void sh_dir_remove(void);

/* tests/check_h5_layout.py (run from the repo root) accepts the run file
 * h5 with its complete flag complete; what names the run in the message.
 * out (cap bytes) receives what the checker printed. */
void sh_assert_layout_ok(char *out, size_t cap, const char *h5, int complete,
                         const char *what);

/* The 1-D dataset name of f read as type mem (size bytes a value) into a
 * malloc'd buffer; its length into *n. Fails the test on error. */
void *sh_h5_read_1d(hid_t f, const char *name, hid_t mem, size_t size, size_t *n);

/* The 1-D string dataset name of f (fixed or variable length) as n
 * malloc'd strings; free them with sh_strs_free. Fails the test on error. */
char **sh_h5_read_strs(hid_t f, const char *name, size_t *n);
void sh_strs_free(char **s, size_t n);

/* Starts a 1000 s run of the experiment exp (2 threads) writing h5, its
 * output to log, and returns its pid once its first chunk of spikes is in
 * the file. */
pid_t sh_start_long_run(const char *exp, const char *h5, const char *log);

/* 1 when files a and b hold the same groups, datasets (shape, type and
 * every byte; variable-length strings by content) and attributes, but for
 * attributes named in skip (NULL-terminated); else 0 and the first
 * difference in why (cap bytes). */
int sh_h5_equal(const char *a, const char *b, const char *const *skip, char *why, size_t cap);

#endif
