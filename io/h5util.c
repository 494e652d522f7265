/* h5util.c: HDF5 helpers for the run file (see h5util.h). */
#include "h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNKNOWN "unknown HDF5 error"

typedef struct why_buf {
    char *buf;
    size_t size;
    int found;
} why_buf;

/* HDF5's system-call errors carry "errno = N, error message = '...'" amid
 * buffer addresses and offsets: the system's words for errno are the cause
 * a user can act on (No space left on device, File too large). */
static int system_cause(const char *desc, char *buf, size_t size)
{
    const char *at = strstr(desc, "errno = ");
    if (!at)
        return 0;
    char *end;
    long e = strtol(at + strlen("errno = "), &end, 10);
    if (end == at + strlen("errno = ") || e <= 0)
        return 0;
    snprintf(buf, size, "%s", strerror((int)e));
    return 1;
}

/* Walked upward, the first entry is the innermost: the most specific cause. */
static herr_t why_first(unsigned n, const H5E_error2_t *e, void *data)
{
    why_buf *w = data;
    (void)n;
    /* a missing filter's plugin search says "can't open directory":
     * the filter's own entry above it names the cause */
    if (w->found || e->maj_num == H5E_PLUGIN)
        return 0;
    const char *s = e->desc && e->desc[0] ? e->desc : e->func_name;
    if (s && system_cause(s, w->buf, w->size)) {
        w->found = 1;
    } else if (s) {
        snprintf(w->buf, w->size, "%s", s);
        for (char *c = w->buf; *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\t')
                *c = ' ';
        w->found = 1;
    }
    return 0;
}

/* The reason of the latest failed HDF5 call. Kept here because the next
 * API call, often a cleanup H5?close, clears HDF5's own stack. */
static char last_why[512];

/* HDF5 calls this instead of printing its stack when an API call fails. */
static herr_t record_why(hid_t stack, void *data)
{
    why_buf w = {last_why, sizeof last_why, 0};
    (void)data;
    H5Ewalk2(stack, H5E_WALK_UPWARD, why_first, &w);
    return 0;
}

void h5util_init(void)
{
    last_why[0] = '\0';
    H5dont_atexit(); /* no effect once the library is initialised */
    H5Eset_auto2(H5E_DEFAULT, record_why, NULL);
}

const char *h5util_why(char *buf, size_t size)
{
    if (size == 0)
        return buf;
    why_buf w = {buf, size, 0};
    if (last_why[0]) {
        snprintf(buf, size, "%s", last_why);
        w.found = 1;
    } else {
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, why_first, &w);
    }
    if (!w.found)
        snprintf(buf, size, UNKNOWN);
    last_why[0] = '\0';
    H5Eclear2(H5E_DEFAULT);
    return buf;
}

int h5util_fail_io(const char *path, hs_error *err, const char *what, const char *name)
{
    char why[512];
    h5util_why(why, sizeof why);
    return hs_error_at(err, HS_EIO, path, 0, 0, "cannot write %s%s: %s", what,
                       name ? name : "", why);
}

int h5util_fail_input(const char *path, hs_error *err, const char *what, const char *name)
{
    char why[512];
    h5util_why(why, sizeof why);
    if (strcmp(why, UNKNOWN) == 0) /* our own check failed, not HDF5 */
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "%s%s", what, name ? name : "");
    return hs_error_at(err, HS_EINPUT, path, 0, 0, "%s%s: %s", what, name ? name : "", why);
}

/* The descriptor of a file open with the default (sec2) driver, or -1. */
static int file_fd(hid_t file)
{
    hid_t fapl = H5Fget_access_plist(file);
    hid_t driver = fapl < 0 ? -1 : H5Pget_driver(fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    void *handle = NULL;
    if (driver != H5FD_SEC2 || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || !handle)
        return -1;
    return *(int *)handle;
}

herr_t h5util_file_reserve(hid_t file)
{
    haddr_t eoa;
    int fd = file_fd(file);
    struct stat st;
    if (fd < 0 || H5Fget_eoa(file, &eoa) < 0 || fstat(fd, &st) != 0 ||
        (haddr_t)st.st_size >= eoa)
        return 0;
    int e = posix_fallocate(fd, st.st_size, (off_t)(eoa - (haddr_t)st.st_size));
    if (e == 0 || e == EOPNOTSUPP || e == ENOSYS || e == ENODEV)
        return 0;
    snprintf(last_why, sizeof last_why, "%s", strerror(e));
    return -1;
}

int h5util_file_freeze(hid_t file)
{
    int fd = file_fd(file);
    int sink = fd < 0 ? -1 : open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sink < 0)
        return -1;
    int rc = dup2(sink, fd) < 0 ? -1 : 0;
    close(sink);
    return rc;
}

int h5util_is_link_name(const char *name)
{
    return name && name[0] && !strchr(name, '/') && strcmp(name, ".") != 0;
}

hid_t h5util_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static int is_scalar_like(hid_t a);

static htri_t same_scalar_type(hid_t obj, const char *name, hid_t file_type)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t t = H5Aget_type(a);
    htri_t same = t < 0 ? -1 : H5Tequal(t, file_type);
    if (same > 0 && !is_scalar_like(a))
        same = 0;
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return same;
}

static herr_t write_existing(hid_t obj, const char *name, hid_t mem_type, const void *buf)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t rc = H5Awrite(a, mem_type, buf);
    if (H5Aclose(a) < 0)
        rc = -1;
    return rc;
}

herr_t h5util_attr_write(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                         const void *buf)
{
    htri_t exists = H5Aexists(obj, name);
    if (exists < 0)
        return -1;
    if (exists) {
        /* In place when the type matches: no window without the attribute. */
        htri_t same = same_scalar_type(obj, name, file_type);
        if (same < 0)
            return -1;
        if (same)
            return write_existing(obj, name, mem_type, buf);
        if (H5Adelete(obj, name) < 0)
            return -1;
    }
    hid_t space = H5Screate(H5S_SCALAR);
    if (space < 0)
        return -1;
    hid_t a = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    if (a < 0)
        return -1;
    herr_t rc = H5Awrite(a, mem_type, buf);
    if (H5Aclose(a) < 0)
        rc = -1;
    return rc;
}

herr_t h5util_attr_write_str(hid_t obj, const char *name, const char *s)
{
    hid_t t = h5util_str_type();
    if (t < 0)
        return -1;
    const char *v = s ? s : "";
    herr_t rc = h5util_attr_write(obj, name, t, t, &v);
    H5Tclose(t);
    return rc;
}

/* A C string memory type matching file type ft: variable length, or fixed
 * with one byte more than ft for the terminating NUL. */
static hid_t mem_str_type(hid_t ft, int vlen, size_t fixed)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    herr_t rc = H5Tset_size(t, vlen ? H5T_VARIABLE : fixed + 1);
    if (rc >= 0)
        rc = H5Tset_cset(t, H5Tget_cset(ft));
    if (rc >= 0 && !vlen)
        rc = H5Tset_strpad(t, H5T_STR_NULLTERM);
    if (rc < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static herr_t read_str(hid_t a, hid_t ft, char **out)
{
    htri_t vlen = H5Tis_variable_str(ft);
    size_t fixed = H5Tget_size(ft);
    if (vlen < 0 || fixed == 0)
        return -1;
    hid_t mt = mem_str_type(ft, vlen > 0, fixed);
    if (mt < 0)
        return -1;
    herr_t rc = -1;
    if (vlen > 0) {
        char *s = NULL;
        if (H5Aread(a, mt, &s) >= 0 && s) {
            *out = strdup(s);
            rc = *out ? 0 : -1;
        }
        if (s)
            H5free_memory(s);
    } else {
        char *s = calloc(1, fixed + 1);
        if (s && H5Aread(a, mt, s) >= 0) {
            *out = s;
            s = NULL;
            rc = 0;
        }
        free(s);
    }
    H5Tclose(mt);
    return rc;
}

static int is_scalar_like(hid_t a)
{
    hid_t sp = H5Aget_space(a);
    if (sp < 0)
        return 0;
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    return n == 1;
}

herr_t h5util_attr_read_str(hid_t obj, const char *name, char **out)
{
    *out = NULL;
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t rc = -1;
    hid_t ft = H5Aget_type(a);
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING && is_scalar_like(a))
        rc = read_str(a, ft, out);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

herr_t h5util_attr_read_num(hid_t obj, const char *name, hid_t mem_type, void *buf)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t rc = -1;
    hid_t ft = H5Aget_type(a);
    H5T_class_t c = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if ((c == H5T_INTEGER || c == H5T_FLOAT) && is_scalar_like(a))
        rc = H5Aread(a, mem_type, buf);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* ---- datasets and groups ---- */

hid_t h5util_create_ext(hid_t loc, const char *name, hid_t type, int rank, hsize_t cols,
                        const hsize_t *chunk)
{
    hsize_t dims[2] = {0, cols}, max[2] = {H5S_UNLIMITED, cols};
    hid_t space = H5Screate_simple(rank, dims, max);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), dapl = H5Pcreate(H5P_DATASET_ACCESS);
    hid_t ds = -1;
    /* No chunk cache: every write reaches the file inside H5Dwrite, so a
     * failed write leaves no dirty chunk behind, whose flush at close would
     * fail again (HDF5 1.10 then crashes at exit). */
    if (space >= 0 && dcpl >= 0 && dapl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
        H5Pset_chunk_cache(dapl, 0, 0, 1.0) >= 0)
        ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, dapl);
    if (dapl >= 0)
        H5Pclose(dapl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return ds;
}

herr_t h5util_append_rows(hid_t ds, hid_t mem_type, int rank, hsize_t old, hsize_t add,
                          hsize_t cols, const void *buf)
{
    hsize_t size[2] = {old + add, cols}, start[2] = {old, 0}, count[2] = {add, cols};
    if (H5Dset_extent(ds, size) < 0)
        return -1;
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(rank, count, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0)
        rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
        rc = H5Dwrite(ds, mem_type, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

hid_t h5util_create_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                          hsize_t n, const void *buf)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    if (space < 0)
        return -1;
    hid_t ds =
        H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    if (ds >= 0 && n > 0 &&
        H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        H5Dclose(ds);
        ds = -1;
    }
    return ds;
}

herr_t h5util_write_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                          hsize_t n, const void *buf)
{
    hid_t ds = h5util_create_array(loc, name, file_type, mem_type, n, buf);
    if (ds < 0)
        return -1;
    return H5Dclose(ds);
}

herr_t h5util_write_column(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                           hsize_t n, const void *buf, const char *units,
                           const char *definition)
{
    hid_t ds = h5util_create_array(loc, name, file_type, mem_type, n, buf);
    if (ds < 0)
        return -1;
    herr_t rc = h5util_attr_write_str(ds, "units", units);
    if (rc >= 0 && definition)
        rc = h5util_attr_write_str(ds, "definition", definition);
    if (H5Dclose(ds) < 0)
        rc = -1;
    return rc;
}

herr_t h5util_write_strs(hid_t loc, const char *name, const char *const *s, size_t n)
{
    const char **v = malloc((n ? n : 1) * sizeof *v);
    hid_t t = h5util_str_type();
    herr_t rc = -1;
    if (v && t >= 0) {
        for (size_t i = 0; i < n; i++)
            v[i] = s[i] ? s[i] : "";
        rc = h5util_write_array(loc, name, t, t, n, v);
    }
    if (t >= 0)
        H5Tclose(t);
    free(v);
    return rc;
}

void h5util_remove_in(hid_t file, const char *group, const char *name)
{
    if (H5Lexists(file, group, H5P_DEFAULT) <= 0)
        return;
    hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
    if (g < 0)
        return;
    if (H5Lexists(g, name, H5P_DEFAULT) > 0)
        H5Ldelete(g, name, H5P_DEFAULT);
    H5G_info_t gi;
    int empty = H5Gget_info(g, &gi) >= 0 && gi.nlinks == 0;
    H5Gclose(g);
    if (empty)
        H5Ldelete(file, group, H5P_DEFAULT);
}

hid_t h5util_open_or_create_group(hid_t loc, const char *name)
{
    htri_t exists = H5Lexists(loc, name, H5P_DEFAULT);
    if (exists < 0)
        return -1;
    if (exists)
        return H5Gopen2(loc, name, H5P_DEFAULT);
    return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

char *h5util_link_name(hid_t g, hsize_t i)
{
    ssize_t len =
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
    char *name = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (name && H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                                   (size_t)len + 1, H5P_DEFAULT) < 0) {
        free(name);
        name = NULL;
    }
    return name;
}

hssize_t h5util_dataset_size(hid_t loc, const char *name)
{
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return n;
}
