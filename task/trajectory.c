#include "trajectory.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses "t,x,y" (spaces around fields allowed). 1 on success. */
static int parse_row(const char *line, double v[3])
{
    const char *p = line;
    for (int k = 0; k < 3; k++) {
        char *end;
        errno = 0;
        v[k] = strtod(p, &end);
        if (end == p || errno || !isfinite(v[k]))
            return 0;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (k < 2) {
            if (*p != ',')
                return 0;
            p++;
        }
    }
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return *p == '\0';
}

static int blank(const char *line)
{
    while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\n')
        line++;
    return *line == '\0' || *line == '#';
}

static int push(double **t, double **x, size_t *n, size_t *cap, double tv, double xv)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 1024;
        double *a = realloc(*t, c * sizeof *a);
        if (a)
            *t = a;
        double *b = realloc(*x, c * sizeof *b);
        if (b)
            *x = b;
        if (!a || !b)
            return 0;
        *cap = c;
    }
    (*t)[*n] = tv;
    (*x)[*n] = xv;
    ++*n;
    return 1;
}

int trajectory_read_csv(const char *path, double **t_s, double **x_cm, size_t *n,
                        hs_error *err)
{
    *t_s = *x_cm = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return hs_error_set(err, HS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    char line[4096];
    size_t lineno = 0, cap = 0;
    int rc = HS_OK, seen = 0;
    while (rc == HS_OK && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = hs_error_at(err, HS_EINPUT, path, (int)lineno, 0, "line too long");
            break;
        }
        if (blank(line))
            continue;
        double v[3];
        if (!parse_row(line, v)) {
            if (!seen && isalpha((unsigned char)line[strspn(line, " \t")])) {
                seen = 1;   /* a header of column names */
                continue;
            }
            rc = hs_error_at(err, HS_EINPUT, path, (int)lineno, 0,
                             "expected three numbers t (s), x (cm), y (cm) separated by commas");
            break;
        }
        seen = 1;
        if (*n > 0 && !(v[0] > (*t_s)[*n - 1]))
            rc = hs_error_at(err, HS_EINPUT, path, (int)lineno, 0,
                             "time %g s does not increase (previous %g s)", v[0],
                             (*t_s)[*n - 1]);
        else if (!push(t_s, x_cm, n, &cap, v[0], v[1]))
            rc = hs_error_set(err, HS_ENOMEM, "out of memory reading %s", path);
    }
    if (rc == HS_OK && ferror(f))     /* a directory opens, then fails to read */
        rc = hs_error_set(err, HS_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    fclose(f);
    if (rc == HS_OK && *n < 2)
        rc = hs_error_set(err, HS_EINPUT, "%s: a trajectory needs at least two rows", path);
    if (rc != HS_OK) {
        free(*t_s);
        free(*x_cm);
        *t_s = *x_cm = NULL;
        *n = 0;
    }
    return rc;
}
