/* paths.c: where a run writes, and checks on it (paths.h). */
/* realpath, strndup */
#define _XOPEN_SOURCE 700

#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../io/h5ckpt.h"

/* runs/x.yaml -> x.h5 */
char *paths_default_output(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    char *out = malloc(n + 4);
    if (out) {
        memcpy(out, base, n);
        memcpy(out + n, ".h5", 4);
    }
    return out;
}

/* x.h5 -> x.ckpt.h5 (anything else: x.ckpt.h5 after it) */
char *paths_default_checkpoint(const char *out)
{
    size_t n = strlen(out);
    if (n > 3 && strcmp(out + n - 3, ".h5") == 0)
        n -= 3;
    char *p = malloc(n + 9);
    if (p)
        snprintf(p, n + 9, "%.*s.ckpt.h5", (int)n, out);
    return p;
}

/* The output's directory must exist and be writable: said before the
 * network is built, not as an HDF5 failure after it. */
int paths_check_dir(const char *out, hs_error *err)
{
    const char *slash = strrchr(out, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == out)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    struct stat st;
    if (stat(dir, &st) != 0)
        return hs_error_set(err, HS_EINPUT, "-o %s: the directory %s does not exist", out, dir);
    if (!S_ISDIR(st.st_mode))
        return hs_error_set(err, HS_EINPUT, "-o %s: %s is not a directory", out, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return hs_error_set(err, HS_EINPUT, "-o %s: the directory %s is not writable", out, dir);
    return HS_OK;
}

/* The directory of path resolved, then its last name: two spellings of
 * one file (./a.h5, a.h5) come out equal, whether it exists or not. */
static char *resolved(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *abs = dir ? realpath(dir, NULL) : NULL;
    const char *base = slash ? slash + 1 : path;
    size_t n = abs ? strlen(abs) + strlen(base) + 2 : 0;
    char *out = n ? malloc(n) : NULL;
    if (out)
        snprintf(out, n, "%s/%s", abs, base);
    free(dir);
    free(abs);
    return out;
}

/* The checkpoint must be a file of its own: neither the experiment nor the
 * run file (a run removes and replaces it). One already there must be a
 * checkpoint, left by an earlier run of this file: it is removed. */
int paths_check_checkpoint(const char *ckpt, const char *input, const char *out,
                                 hs_error *err)
{
    char *c = resolved(ckpt), *i = resolved(input), *o = resolved(out);
    int rc = c && i && o ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK && (strcmp(c, i) == 0 || strcmp(c, o) == 0))
        rc = hs_error_set(err, HS_EINPUT, "--checkpoint %s: that is the %s", ckpt,
                          strcmp(c, i) == 0 ? "experiment file" : "run file");
    free(c);
    free(i);
    free(o);
    if (rc != HS_OK || access(ckpt, F_OK) != 0)
        return rc;
    const h5ckpt_meta *m;
    hs_error ignored;
    h5ckpt *k = h5ckpt_open(ckpt, &m, &ignored);
    if (!k)
        return hs_error_set(err, HS_EINPUT, "--checkpoint %s exists and is not a hebbsleep "
                            "checkpoint", ckpt);
    h5ckpt_close(k);
    if (remove(ckpt) != 0)
        return hs_error_set(err, HS_EIO, "%s: cannot remove the old checkpoint: %s", ckpt,
                            strerror(errno));
    return HS_OK;
}

/* The paths_absolute form of an existing file's path (a resume may run from
 * another directory). */
char *paths_absolute(const char *path, hs_error *err)
{
    char *abs = realpath(path, NULL);
    if (!abs)
        hs_error_set(err, HS_EIO, "%s: %s", path, strerror(errno));
    return abs;
}

/* Appends to a write failure's message what it left: the file as its last
 * successful flush wrote it (complete = 0), or no file at all. */
void paths_say_what_is_left(const char *out, hs_error *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    struct stat st;
    if (stat(out, &st) != 0)
        hs_error_set(err, HS_EIO, "%s; the run stopped, no file was left", msg);
    else
        hs_error_set(err, HS_EIO, "%s; the run stopped, %s keeps what was written before "
                     "(complete = 0)", msg, out);
}
