/* h5util_read.c: the reading half of h5util.h. Files given to hebbsleep
 * (run files for info, spike and trajectory inputs, checkpoints) may be
 * truncated, corrupt or foreign: every dataset and attribute is checked
 * for what the reader relies on (type class, rank, size) before anything
 * is allocated or read, and every failure is an HS_EINPUT naming the file
 * and the object. */
#include "h5util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/mpi.h"

/* ---- a child process for untrusted files ---- */

/* What the child sends back once fn returned: a record the parent takes
 * as proof that the child did not die inside HDF5. */
typedef struct guard_record {
    int rc;
    hs_error err;
} guard_record;

/* Reads up to size bytes of fd, returning how many came before EOF. */
static size_t read_full(int fd, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, (char *)buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static void guard_child(h5util_guarded_fn fn, void *ctx, int out_fd, int rec_fd)
{
    guard_record r;
    memset(&r, 0, sizeof r);   /* all of it goes down the pipe, padding too */
    hs_error_clear(&r.err);
    FILE *o = fdopen(out_fd, "w");
    r.rc = o ? fn(ctx, o, &r.err) : HS_EINTERNAL;
    if (o)
        fclose(o);
    ssize_t w = write(rec_fd, &r, sizeof r);
    _exit(w == (ssize_t)sizeof r ? 0 : 1);
}

/* Copies everything the child prints to out, until it closes the pipe. */
static void guard_relay(int fd, FILE *out)
{
    char buf[8192];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (out)
            fwrite(buf, 1, (size_t)r, out);
    }
}

int h5util_guard(h5util_guarded_fn fn, void *ctx, FILE *out, const char *path,
                 hs_error *err)
{
    /* Open MPI does not support fork after MPI_Init (its shared memory,
     * progress threads and registered pages go with the child): main has
     * tried these files in children before MPI started */
    if (hs_mpi_running())
        return fn(ctx, out, err);
    int out_pipe[2], rec_pipe[2];
    if (out)
        fflush(out);
    fflush(stderr);
    if (pipe(out_pipe) != 0)
        return fn(ctx, out, err);
    if (pipe(rec_pipe) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return fn(ctx, out, err);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(out_pipe[0]);
        close(rec_pipe[0]);
        guard_child(fn, ctx, out_pipe[1], rec_pipe[1]);
    }
    close(out_pipe[1]);
    close(rec_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        close(rec_pipe[0]);
        return fn(ctx, out, err);
    }
    guard_relay(out_pipe[0], out);
    guard_record r;
    size_t got = read_full(rec_pipe[0], &r, sizeof r);
    close(out_pipe[0]);
    close(rec_pipe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == sizeof r && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *err = r.err;
        return r.rc;
    }
    if (WIFSIGNALED(status))
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "the HDF5 library crashed reading this file (%s): the file is "
                           "corrupt",
                           strsignal(WTERMSIG(status)));
    return hs_error_at(err, HS_EINPUT, path, 0, 0,
                       "the HDF5 library failed reading this file (exit status %d): the "
                       "file is corrupt",
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ---- opening ---- */

int h5util_open_read(const char *path, hid_t *file, hs_error *err)
{
    *file = -1;
    if (!path || !path[0])
        return hs_error_set(err, HS_EINPUT, "no input file named");
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
    fclose(probe);
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "not an HDF5 file");
    }
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return h5util_fail_input(path, err, "cannot open HDF5 file (truncated or corrupt?)",
                                 NULL);
    return HS_OK;
}

/* ---- checked datasets ---- */

/* What a type of class c holds, for messages. */
static const char *class_words(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integers";
    case H5T_FLOAT: return "floats";
    case H5T_STRING: return "strings";
    case H5T_BITFIELD: return "bit fields";
    case H5T_OPAQUE: return "opaque bytes";
    case H5T_COMPOUND: return "compound records";
    case H5T_REFERENCE: return "references";
    case H5T_ENUM: return "enum values, such as booleans";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_ARRAY: return "arrays";
    case H5T_TIME: return "times";
    default: return "values of an unknown type";
    }
}

static int class_ok(H5T_class_t c, unsigned classes)
{
    return ((classes & H5UTIL_NUMERIC) && (c == H5T_INTEGER || c == H5T_FLOAT)) ||
           ((classes & H5UTIL_STRING) && c == H5T_STRING);
}

/* Checks open dataset ds (name for messages) against classes, rank and
 * max_n; fills dims. */
static int dataset_check(const char *path, const char *name, hid_t ds, unsigned classes,
                         int rank, hsize_t max_n, hsize_t *dims, hs_error *err)
{
    hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hssize_t count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (r == rank && H5Sget_simple_extent_dims(sp, dims, NULL) != rank)
        r = -1;
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (!class_ok(c, classes))
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "dataset %s is not %s (it holds %s)",
                           name, classes & H5UTIL_NUMERIC ? "numeric" : "a string dataset",
                           class_words(c));
    if (r != rank || count < 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "dataset %s is not %d-D (rank %d)",
                           name, rank, r);
    if ((hsize_t)count > max_n)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "dataset %s declares %lld elements, more than the %llu "
                           "hebbsleep reads",
                           name, (long long)count, (unsigned long long)max_n);
    return HS_OK;
}

int h5util_dataset_open(const char *path, hid_t loc, const char *name, unsigned classes,
                        int rank, hsize_t max_n, hid_t *ds, hsize_t *dims, hs_error *err)
{
    *ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (*ds < 0)
        return h5util_fail_input(path, err, "cannot open dataset ", name);
    int rc = dataset_check(path, name, *ds, classes, rank, max_n ? max_n : H5UTIL_READ_MAX,
                           dims, err);
    if (rc != HS_OK) {
        H5Dclose(*ds);
        *ds = -1;
    }
    return rc;
}

/* Conversion exceptions that change a value abort the read; a lost
 * low-order digit (precision) does not. */
static H5T_conv_ret_t refuse_lossy(H5T_conv_except_t e, hid_t src, hid_t dst, void *src_buf,
                                   void *dst_buf, void *data)
{
    (void)src, (void)dst, (void)src_buf, (void)dst_buf;
    if (e == H5T_CONV_EXCEPT_PRECISION)
        return H5T_CONV_UNHANDLED;
    *(int *)data = 1;
    return H5T_CONV_ABORT;
}

static herr_t read_checked(hid_t ds, hid_t mem_type, void *buf, int strict, int *lossy)
{
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl < 0)
        return -1;
    herr_t rc = 0;
    if (strict)
        rc = H5Pset_type_conv_cb(dxpl, refuse_lossy, lossy);
    if (rc >= 0)
        rc = H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, dxpl, buf);
    H5Pclose(dxpl);
    return rc;
}

int h5util_read_1d(const char *path, hid_t loc, const char *name, hid_t mem_type,
                   int strict, void **out, size_t *n, hs_error *err)
{
    hid_t ds;
    hsize_t count = 0;
    int rc = h5util_dataset_open(path, loc, name, H5UTIL_NUMERIC, 1, 0, &ds, &count, err);
    if (rc != HS_OK)
        return rc;
    void *buf = malloc((count ? (size_t)count : 1) * H5Tget_size(mem_type));
    if (!buf)
        rc = hs_error_set(err, HS_ENOMEM, "%s: dataset %s: out of memory", path, name);
    int lossy = 0;
    if (rc == HS_OK && count > 0 && read_checked(ds, mem_type, buf, strict, &lossy) < 0) {
        if (lossy) {
            H5Eclear2(H5E_DEFAULT);
            rc = hs_error_at(err, HS_EINPUT, path, 0, 0,
                             "dataset %s holds values that are not non-negative "
                             "integers",
                             name);
        } else {
            rc = h5util_fail_input(path, err, "cannot read dataset ", name);
        }
    }
    H5Dclose(ds);
    if (rc != HS_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *n = (size_t)count;
    return HS_OK;
}

int h5util_open_1d(const char *path, hid_t loc, const char *name, hid_t *ds, size_t *n,
                   hs_error *err)
{
    hsize_t count = 0;
    /* read in blocks: any length is fine */
    int rc = h5util_dataset_open(path, loc, name, H5UTIL_NUMERIC, 1, HSIZE_UNDEF, ds, &count,
                                 err);
    *n = rc == HS_OK ? (size_t)count : 0;
    return rc;
}

herr_t h5util_read_block(hid_t ds, hid_t mem_type, hsize_t at, hsize_t count, void *buf)
{
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(1, &count, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0)
        rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &count, NULL);
    if (rc >= 0)
        rc = H5Dread(ds, mem_type, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

/* ---- string datasets ---- */

void h5util_free_strs(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Copies n strings read into buf as variable-length (pointers) or
 * fixed-length (NUL-terminated records of width w) into new strings. */
static char **copy_strs(const void *buf, int vlen, size_t w, size_t n)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; v && i < n; i++) {
        const char *s = vlen ? ((char *const *)buf)[i] : (const char *)buf + i * w;
        if (!(v[i] = strdup(s ? s : ""))) {
            h5util_free_strs(v, i);
            return NULL;
        }
    }
    return v;
}

static char **read_strs_open(hid_t ds, hid_t ft, size_t n)
{
    htri_t vlen = H5Tis_variable_str(ft);
    size_t w = vlen > 0 ? sizeof(char *) : H5Tget_size(ft) + 1;
    hid_t mt = H5Tcopy(H5T_C_S1), sp = H5Dget_space(ds);
    void *buf = calloc(n ? n : 1, w);
    char **v = NULL;
    if (vlen >= 0 && mt >= 0 && sp >= 0 && buf &&
        H5Tset_size(mt, vlen > 0 ? H5T_VARIABLE : w) >= 0 &&
        H5Tset_cset(mt, H5Tget_cset(ft)) >= 0 &&
        (n == 0 || H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)) {
        v = copy_strs(buf, vlen > 0, w, n);
        if (vlen > 0 && n > 0)
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf);
    }
    free(buf);
    if (sp >= 0)
        H5Sclose(sp);
    if (mt >= 0)
        H5Tclose(mt);
    return v;
}

int h5util_read_strs(const char *path, hid_t loc, const char *name, char ***out,
                     size_t *n, hs_error *err)
{
    *out = NULL;
    *n = 0;
    hid_t ds;
    hsize_t count = 0;
    /* a string takes a pointer and its bytes: a quarter of the numeric cap */
    int rc = h5util_dataset_open(path, loc, name, H5UTIL_STRING, 1, H5UTIL_READ_MAX / 4, &ds,
                                 &count, err);
    if (rc != HS_OK)
        return rc;
    hid_t ft = H5Dget_type(ds);
    if (ft >= 0)
        *out = read_strs_open(ds, ft, (size_t)count);
    if (ft >= 0)
        H5Tclose(ft);
    H5Dclose(ds);
    if (!*out)
        return h5util_fail_input(path, err, "cannot read the strings of dataset ", name);
    *n = (size_t)count;
    return HS_OK;
}

/* ---- checked attributes ---- */

/* HS_EINPUT saying what is wrong with attribute attr of obj (obj_name in
 * messages), which a reader wanted as want ("a number", "a string"). */
static int attr_problem(const char *path, hid_t obj, const char *obj_name, const char *attr,
                        const char *want, hs_error *err)
{
    htri_t exists = H5Aexists(obj, attr);
    hid_t a = exists > 0 ? H5Aopen(obj, attr, H5P_DEFAULT) : -1;
    hid_t t = a >= 0 ? H5Aget_type(a) : -1, sp = a >= 0 ? H5Aget_space(a) : -1;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    char forget[8];
    h5util_why(forget, sizeof forget); /* this diagnosis's own failures */
    if (exists <= 0)
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "%s: attribute %s is missing", obj_name,
                           attr);
    if (n != 1)
        return hs_error_at(err, HS_EINPUT, path, 0, 0,
                           "%s: attribute %s holds %lld values, not one", obj_name, attr,
                           (long long)n);
    return hs_error_at(err, HS_EINPUT, path, 0, 0, "%s: attribute %s holds %s, not %s",
                       obj_name, attr, class_words(c), want);
}

int h5util_attr_get_num(const char *path, hid_t obj, const char *obj_name, const char *attr,
                        hid_t mem_type, void *buf, hs_error *err)
{
    if (h5util_attr_read_num(obj, attr, mem_type, buf) >= 0)
        return HS_OK;
    return attr_problem(path, obj, obj_name, attr, "a number", err);
}

int h5util_attr_get_str(const char *path, hid_t obj, const char *obj_name, const char *attr,
                        char **out, hs_error *err)
{
    if (h5util_attr_read_str(obj, attr, out) >= 0)
        return HS_OK;
    return attr_problem(path, obj, obj_name, attr, "a string", err);
}
