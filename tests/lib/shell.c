#include "shell.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

int sh_run(char *out, size_t cap, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[4200];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = 0;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) {
        if (out && n + got < cap) {
            memcpy(out + n, buf, got);
            n += got;
        }
    }
    if (out)
        out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *sh_bin(void)
{
    const char *b = getenv("HS_BIN");
    return b ? b : "bin/hebbsleep";
}

char sh_dir[64];

void sh_dir_make(void)
{
    strcpy(sh_dir, "/tmp/hebbsleep-app-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(sh_dir));
}

void sh_dir_remove(void)
{
    ck_assert_int_eq(sh_run(NULL, 0, "rm -rf %s", sh_dir), 0);
}

void sh_assert_layout_ok(char *out, size_t cap, const char *h5, int complete,
                         const char *what)
{
    int rc = sh_run(out, cap, "/usr/bin/python3 tests/check_h5_layout.py %s --expect-complete %d",
                    h5, complete);
    ck_assert_msg(rc == 0, "layout check of %s: %s", what, out);
}

void *sh_h5_read_1d(hid_t f, const char *name, hid_t mem, size_t size, size_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_msg(d >= 0, "%s missing", name);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[1];
    ck_assert_int_eq(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    void *buf = malloc(dims[0] ? dims[0] * size : 1);
    ck_assert_int_ge(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Sclose(sp);
    H5Dclose(d);
    *n = (size_t)dims[0];
    return buf;
}

char **sh_h5_read_strs(hid_t f, const char *name, size_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_msg(d >= 0, "%s missing", name);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[1];
    ck_assert_int_eq(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    hid_t ft = H5Dget_type(d);
    ck_assert_int_eq(H5Tget_class(ft), H5T_STRING);
    *n = (size_t)dims[0];
    char **out = calloc(*n ? *n : 1, sizeof *out);
    ck_assert_ptr_nonnull(out);
    if (H5Tis_variable_str(ft) > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(ft));
        char **v = calloc(*n ? *n : 1, sizeof *v);
        ck_assert_int_ge(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
        for (size_t i = 0; i < *n; i++)
            out[i] = strdup(v[i] ? v[i] : "");
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
        free(v);
        H5Tclose(mt);
    } else {
        size_t len = H5Tget_size(ft);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, len);
        H5Tset_cset(mt, H5Tget_cset(ft));
        char *buf = calloc(*n ? *n * len : 1, 1);
        ck_assert_int_ge(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
        for (size_t i = 0; i < *n; i++)
            out[i] = strndup(buf + i * len, len);
        free(buf);
        H5Tclose(mt);
    }
    H5Tclose(ft);
    H5Sclose(sp);
    H5Dclose(d);
    return out;
}

void sh_strs_free(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

pid_t sh_start_long_run(const char *exp, const char *h5, const char *log)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execl(sh_bin(), sh_bin(), "run", exp, "-o", h5, "--quiet", "--threads", "2", "--set",
              "simulation.duration_ms=1000000", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 600; i++) {
        struct stat st;
        if (stat(h5, &st) == 0 && st.st_size > 200000)
            break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    return pid;
}

/* ---- comparing two HDF5 files ---- */

typedef struct cmp_ctx {
    hid_t other;
    const char *const *skip;
    char *why;
    size_t cap;
    int reverse;        /* walking b: only look for objects a lacks */
} cmp_ctx;

static int differ(cmp_ctx *c, const char *fmt, const char *name)
{
    snprintf(c->why, c->cap, fmt, name);
    return 1;
}

/* n elements of type t at x and y: equal bytes, or equal strings. */
static int same_values(hid_t t, const void *x, const void *y, size_t n)
{
    if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
        char *const *a = x, *const *b = y;
        for (size_t i = 0; i < n; i++)
            if (strcmp(a[i] ? a[i] : "", b[i] ? b[i] : "") != 0)
                return 0;
        return 1;
    }
    return memcmp(x, y, n * H5Tget_size(t)) == 0;
}

/* Reads all of an attribute (attr 1) or dataset (attr 0) in its file type. */
static void *read_all(hid_t obj, int attr, hid_t *type, hid_t *space, size_t *n)
{
    *type = attr ? H5Aget_type(obj) : H5Dget_type(obj);
    *space = attr ? H5Aget_space(obj) : H5Dget_space(obj);
    hssize_t pts = H5Sget_simple_extent_npoints(*space);
    *n = pts > 0 ? (size_t)pts : 0;
    void *buf = calloc(*n ? *n : 1, H5Tget_size(*type));
    herr_t rc = !buf || *n == 0 ? 0
                : attr          ? H5Aread(obj, *type, buf)
                                : H5Dread(obj, *type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    ck_assert_int_ge(rc, 0);
    return buf;
}

static int same_object_values(hid_t a, hid_t b, int attr)
{
    hid_t ta, sa, tb, sb;
    size_t na, nb;
    void *x = read_all(a, attr, &ta, &sa, &na), *y = read_all(b, attr, &tb, &sb, &nb);
    int ndims = H5Sget_simple_extent_ndims(sa);
    hsize_t da[8] = {0}, db[8] = {0};
    int same = H5Tequal(ta, tb) > 0 && ndims == H5Sget_simple_extent_ndims(sb) &&
               ndims <= 8 && H5Sget_simple_extent_dims(sa, da, NULL) >= 0 &&
               H5Sget_simple_extent_dims(sb, db, NULL) >= 0 &&
               memcmp(da, db, sizeof da) == 0 && na == nb && same_values(ta, x, y, na);
    if (H5Tget_class(ta) == H5T_STRING && H5Tis_variable_str(ta) > 0) {
        H5Dvlen_reclaim(ta, sa, H5P_DEFAULT, x);
        if (H5Tequal(ta, tb) > 0)
            H5Dvlen_reclaim(tb, sb, H5P_DEFAULT, y);
    }
    free(x);
    free(y);
    H5Tclose(ta);
    H5Tclose(tb);
    H5Sclose(sa);
    H5Sclose(sb);
    return same;
}

static int skipped(const cmp_ctx *c, const char *name)
{
    for (size_t i = 0; c->skip && c->skip[i]; i++)
        if (strcmp(c->skip[i], name) == 0)
            return 1;
    return 0;
}

static int same_attrs(cmp_ctx *c, hid_t a, hid_t b, const char *name)
{
    H5O_info_t ia, ib;
    H5Oget_info(a, &ia);
    H5Oget_info(b, &ib);
    if (ia.num_attrs != ib.num_attrs)
        return !differ(c, "%s: another number of attributes", name);
    for (hsize_t i = 0; i < ia.num_attrs; i++) {
        char an[256];
        H5Aget_name_by_idx(a, ".", H5_INDEX_NAME, H5_ITER_INC, i, an, sizeof an, H5P_DEFAULT);
        if (skipped(c, an))
            continue;
        if (H5Aexists(b, an) <= 0)
            return !differ(c, "%s: an attribute only in the first", name);
        hid_t xa = H5Aopen(a, an, H5P_DEFAULT), xb = H5Aopen(b, an, H5P_DEFAULT);
        int same = same_object_values(xa, xb, 1);
        H5Aclose(xa);
        H5Aclose(xb);
        if (!same) {
            char full[512];
            snprintf(full, sizeof full, "%s attribute %s differs", name, an);
            return !differ(c, "%s", full);
        }
    }
    return 1;
}

static herr_t visit(hid_t root, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    cmp_ctx *c = data;
    if (H5Lexists(c->other, name, H5P_DEFAULT) <= 0)
        return differ(c, c->reverse ? "%s: only in the second" : "%s: only in the first",
                      name);
    if (c->reverse)
        return 0;
    hid_t a = H5Oopen(root, name, H5P_DEFAULT), b = H5Oopen(c->other, name, H5P_DEFAULT);
    H5O_info_t ia, ib;
    H5Oget_info(a, &ia);
    H5Oget_info(b, &ib);
    int rc = 0;
    if (ia.type != ib.type)
        rc = differ(c, "%s: another kind of object", name);
    else if (!same_attrs(c, a, b, name))
        rc = 1;
    else if (ia.type == H5O_TYPE_DATASET && !same_object_values(a, b, 0))
        rc = differ(c, "%s: the data differ", name);
    H5Oclose(a);
    H5Oclose(b);
    return rc;
}

int sh_h5_equal(const char *a, const char *b, const char *const *skip, char *why, size_t cap)
{
    hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(fa, 0);
    ck_assert_int_ge(fb, 0);
    why[0] = '\0';
    cmp_ctx c = {fb, skip, why, cap, 0};
    herr_t rc = H5Lvisit(fa, H5_INDEX_NAME, H5_ITER_INC, visit, &c);
    if (rc == 0) {
        cmp_ctx r = {fa, skip, why, cap, 1};
        rc = H5Lvisit(fb, H5_INDEX_NAME, H5_ITER_INC, visit, &r);
    }
    if (rc == 0) {
        cmp_ctx root = {fb, skip, why, cap, 0};
        rc = same_attrs(&root, fa, fb, "/") ? 0 : 1;
    }
    H5Fclose(fa);
    H5Fclose(fb);
    return rc == 0;
}
