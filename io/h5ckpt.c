/* h5ckpt.c: checkpoint files (h5ckpt.h). */
#include "h5ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5util.h"

#define FORMAT_NAME "hebbsleep checkpoint"
#define CHUNK ((hsize_t)1 << 20)   /* elements per checksummed chunk */

struct h5ckpt {
    char *path, *tmp;
    hid_t file;
    int loading;
    h5ckpt_meta meta;       /* read: owned */
};

static void meta_free(h5ckpt_meta *m)
{
    free(m->version);
    free(m->git_commit);
    free(m->config_path);
    free(m->config_text);
    free(m->overrides);
    free(m->output);
}

void h5ckpt_close(h5ckpt *k)
{
    if (!k)
        return;
    if (k->file >= 0)
        H5Fclose(k->file);
    if (k->tmp)
        remove(k->tmp);
    meta_free(&k->meta);
    free(k->path);
    free(k->tmp);
    free(k);
}

static h5ckpt *alloc_ckpt(const char *path, int loading)
{
    h5ckpt *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->file = -1;
    k->loading = loading;
    k->path = strdup(path);
    if (!k->path) {
        free(k);
        return NULL;
    }
    return k;
}

static herr_t write_meta(hid_t f, const h5ckpt_meta *m)
{
    uint32_t fv = H5CKPT_FORMAT_VERSION;
    int32_t threads = m->threads;
    if (h5util_attr_write_str(f, "format", FORMAT_NAME) < 0 ||
        h5util_attr_write(f, "format_version", H5T_STD_U32LE, H5T_NATIVE_UINT32, &fv) < 0 ||
        h5util_attr_write_str(f, "version", m->version) < 0 ||
        h5util_attr_write_str(f, "git_commit", m->git_commit) < 0 ||
        h5util_attr_write_str(f, "config_path", m->config_path) < 0 ||
        h5util_attr_write_str(f, "config", m->config_text) < 0 ||
        h5util_attr_write_str(f, "overrides", m->overrides) < 0 ||
        h5util_attr_write_str(f, "output", m->output) < 0 ||
        h5util_attr_write(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &m->seed) < 0 ||
        h5util_attr_write(f, "threads", H5T_STD_I32LE, H5T_NATIVE_INT32, &threads) < 0 ||
        h5util_attr_write(f, "checkpoint_every_s", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                          &m->every_s) < 0)
        return -1;
    return 0;
}

h5ckpt *h5ckpt_create(const char *path, const h5ckpt_meta *m, hs_error *err)
{
    h5util_init();
    h5ckpt *k = alloc_ckpt(path, 0);
    size_t len = strlen(path) + 5;
    if (k && (k->tmp = malloc(len)))
        snprintf(k->tmp, len, "%s.tmp", path);
    if (!k || !k->tmp) {
        h5ckpt_close(k);
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    k->file = H5Fcreate(k->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (k->file < 0 || write_meta(k->file, m) < 0) {
        h5util_fail_io(k->tmp, err, "checkpoint", NULL);
        h5ckpt_close(k);
        return NULL;
    }
    return k;
}

int h5ckpt_commit(h5ckpt *k, hs_error *err)
{
    int rc = HS_OK;
    if (H5Fclose(k->file) < 0)
        rc = h5util_fail_io(k->tmp, err, "checkpoint (close)", NULL);
    k->file = -1;
    if (rc == HS_OK && rename(k->tmp, k->path) != 0)
        rc = hs_error_set(err, HS_EIO, "%s: cannot rename %s over it", k->path, k->tmp);
    if (rc == HS_OK) {
        free(k->tmp);
        k->tmp = NULL;
    }
    h5ckpt_close(k);
    return rc;
}

static int read_meta(h5ckpt *k, hs_error *err)
{
    char *format = NULL;
    uint32_t fv = 0;
    int32_t threads = 0;
    int bad = h5util_attr_read_str(k->file, "format", &format) < 0 ||
              strcmp(format, FORMAT_NAME) != 0;
    free(format);
    if (bad)
        return hs_error_set(err, HS_EINPUT, "%s: not a hebbsleep checkpoint", k->path);
    if (h5util_attr_read_num(k->file, "format_version", H5T_NATIVE_UINT32, &fv) < 0 ||
        fv != H5CKPT_FORMAT_VERSION)
        return hs_error_set(err, HS_EINPUT, "%s: checkpoint format %u, this hebbsleep reads "
                            "format %u", k->path, fv, H5CKPT_FORMAT_VERSION);
    h5ckpt_meta *m = &k->meta;
    static const char *names[] = {"version", "git_commit", "config_path", "config",
                                  "overrides", "output"};
    char **dst[] = {&m->version,     &m->git_commit, &m->config_path,
                    &m->config_text, &m->overrides,  &m->output};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (h5util_attr_read_str(k->file, names[i], dst[i]) < 0)
            return hs_error_set(err, HS_EINPUT, "%s: checkpoint attribute %s is missing or "
                                "not a string", k->path, names[i]);
    if (h5util_attr_read_num(k->file, "seed", H5T_NATIVE_UINT64, &m->seed) < 0 ||
        h5util_attr_read_num(k->file, "threads", H5T_NATIVE_INT32, &threads) < 0 ||
        h5util_attr_read_num(k->file, "checkpoint_every_s", H5T_NATIVE_DOUBLE, &m->every_s) < 0)
        return hs_error_set(err, HS_EINPUT, "%s: checkpoint attribute seed, threads or "
                            "checkpoint_every_s is missing or not a number", k->path);
    m->threads = threads;
    return HS_OK;
}

h5ckpt *h5ckpt_open(const char *path, const h5ckpt_meta **m, hs_error *err)
{
    h5util_init();
    h5ckpt *k = alloc_ckpt(path, 1);
    if (!k) {
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    if (h5util_open_read(path, &k->file, err) != HS_OK || read_meta(k, err) != HS_OK) {
        h5ckpt_close(k);
        return NULL;
    }
    *m = &k->meta;
    return k;
}

static hid_t file_type(state_type t)
{
    switch (t) {
    case STATE_F64: return H5T_IEEE_F64LE;
    case STATE_F32: return H5T_IEEE_F32LE;
    case STATE_U64: return H5T_STD_U64LE;
    case STATE_U32: return H5T_STD_U32LE;
    case STATE_I32: return H5T_STD_I32LE;
    default: return H5T_STD_U8LE;
    }
}

static hid_t mem_type(state_type t)
{
    switch (t) {
    case STATE_F64: return H5T_NATIVE_DOUBLE;
    case STATE_F32: return H5T_NATIVE_FLOAT;
    case STATE_U64: return H5T_NATIVE_UINT64;
    case STATE_U32: return H5T_NATIVE_UINT32;
    case STATE_I32: return H5T_NATIVE_INT32;
    default: return H5T_NATIVE_UINT8;
    }
}

static int save_array(h5ckpt *k, const char *name, state_type type, const void *data,
                      size_t n, hs_error *err)
{
    hsize_t dim = n, chunk = n < CHUNK ? n : CHUNK;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t ds = -1;
    /* checksummed chunks: a damaged checkpoint is refused, not resumed */
    if (space >= 0 && lcpl >= 0 && dcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0 &&
        (n == 0 || (H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_fletcher32(dcpl) >= 0)))
        ds = H5Dcreate2(k->file, name, file_type(type), space, lcpl, dcpl, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : n ? H5Dwrite(ds, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                           data) : 0;
    if (ds >= 0 && H5Dclose(ds) < 0)
        rc = -1;
    if (space >= 0)
        H5Sclose(space);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return rc < 0 ? h5util_fail_io(k->tmp, err, "checkpoint array ", name) : HS_OK;
}

/* Exactly the type and length saved: anything else is not this run's.
 * data NULL: only checked. */
static int load_array(h5ckpt *k, const char *name, state_type type, void *data, size_t n,
                      hs_error *err)
{
    htri_t there = H5Lexists(k->file, name, H5P_DEFAULT);
    hid_t ds = there > 0 ? H5Dopen2(k->file, name, H5P_DEFAULT) : -1;
    if (ds < 0) {
        char why[256];
        h5util_why(why, sizeof why); /* forget HDF5's error: the message is ours */
        return hs_error_set(err, HS_EINPUT, "%s: checkpoint array %s is missing", k->path,
                            name);
    }
    hid_t ft = H5Dget_type(ds), space = H5Dget_space(ds);
    hssize_t len = space >= 0 && H5Sget_simple_extent_ndims(space) == 1
                       ? H5Sget_simple_extent_npoints(space)
                       : -1;
    int ok = ft >= 0 && H5Tequal(ft, file_type(type)) > 0 && len == (hssize_t)n;
    herr_t rc = ok && n && data ? H5Dread(ds, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                          data)
                                : 0;
    if (ft >= 0)
        H5Tclose(ft);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    if (!ok)
        return hs_error_set(err, HS_EINPUT, "%s: checkpoint array %s has another type or "
                            "length (%lld, expected %zu): not this run's", k->path, name,
                            (long long)len, n);
    if (rc < 0)
        return h5util_fail_input(k->path, err, "checkpoint array (damaged?) ", name);
    return HS_OK;
}

/* One process writes and reads every array whole: part does not matter. */
static int io_array(void *ctx, const char *name, state_type type, void *data, size_t n,
                    const state_part *part, hs_error *err)
{
    (void)part;
    h5ckpt *k = ctx;
    return k->loading ? load_array(k, name, type, data, n, err)
                      : save_array(k, name, type, data, n, err);
}

state_io h5ckpt_io(h5ckpt *k)
{
    state_io io = {k, k->loading, io_array};
    return io;
}

static int check_array(void *ctx, const char *name, state_type type, void *data, size_t n,
                       const state_part *part, hs_error *err)
{
    (void)data;
    (void)part;
    return load_array(ctx, name, type, NULL, n, err);
}

state_io h5ckpt_check_io(h5ckpt *k)
{
    /* the walk takes it for saving, so it reads the state and changes nothing */
    state_io io = {k, 0, check_array};
    return io;
}
