/* h5out_reopen.c: a resumed run goes on writing its file: the file checked
 * to be the unfinished run of the checkpoint, its recorders cut back to
 * what the checkpoint counts (h5out.h). */
#include "h5out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out_file.h"
#include "h5sleep.h"
#include "h5util.h"

static int refuse(const char *path, hs_error *err, const char *what)
{
    return hs_error_at(err, HS_EINPUT, path, 0, 0, "%s", what);
}

/* The file must be the unfinished run of expect: same config, overrides
 * and seed, complete = 0. */
static int check_resumable(hid_t file, hid_t meta, const char *path, const h5out_meta *expect,
                           hs_error *err)
{
    uint32_t magic = 0;
    char *config = NULL, *overrides = NULL;
    uint64_t seed = 0;
    int32_t complete = -1;
    int rc = HS_OK;
    if (h5util_attr_read_num(file, "magic", H5T_NATIVE_UINT32, &magic) < 0 ||
        magic != H5OUT_MAGIC || meta < 0)
        rc = refuse(path, err, "not a hebbsleep run file");
    else if (h5util_attr_read_str(meta, "config", &config) < 0 ||
             h5util_attr_read_str(meta, "overrides", &overrides) < 0 ||
             h5util_attr_read_num(meta, "seed", H5T_NATIVE_UINT64, &seed) < 0 ||
             h5util_attr_read_num(meta, "complete", H5T_NATIVE_INT32, &complete) < 0)
        rc = refuse(path, err, "/meta lacks config, overrides, seed or complete");
    else if (strcmp(config, expect->config_text) != 0 ||
             strcmp(overrides, expect->overrides) != 0 || seed != expect->seed)
        rc = refuse(path, err, "holds a run of another config, overrides or seed than the "
                    "checkpoint's");
    else if (complete != 0)
        rc = refuse(path, err, "holds a complete run: there is nothing to resume");
    free(config);
    free(overrides);
    return rc;
}

h5out *h5out_reopen(const char *path, const h5out_meta *expect, hs_error *err)
{
    h5util_init();
    h5out *f = h5out_handle_new(path, err);
    if (!f)
        return NULL;
    hid_t probe;
    if (h5util_open_read(path, &probe, err) != HS_OK) {
        h5out_discard(f);
        return NULL;
    }
    H5Fclose(probe);
    f->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f->file < 0) {
        h5util_fail_io(path, err, "file (opening it to resume)", NULL);
        h5out_discard(f);
        return NULL;
    }
    if (H5Lexists(f->file, "meta", H5P_DEFAULT) > 0)
        f->meta = H5Gopen2(f->file, "meta", H5P_DEFAULT);
    int rc = check_resumable(f->file, f->meta, path, expect, err);
    /* the analysis of a run that died while closing is done again */
    if (rc == HS_OK && H5Lexists(f->file, "replay", H5P_DEFAULT) > 0 &&
        H5Ldelete(f->file, "replay", H5P_DEFAULT) < 0)
        rc = h5util_fail_io(path, err, "file (removing /replay)", NULL);
    if (rc == HS_OK)
        rc = h5out_flush(f, "file (opening it to resume)", NULL, err);
    if (rc != HS_OK) {
        h5out_discard(f);
        return NULL;
    }
    return f;
}

/* A recorder of the run file could not be cut back to what the checkpoint
 * counts: too short, missing, or unreadable (HDF5's reason, if it gave one). */
int h5out_cut_failed(const h5out *f, const char *name, uint64_t keep, const char *what,
                      hs_error *err)
{
    char why[256] = ": ";
    h5util_why(why + 2, sizeof why - 2);
    int hdf5 = strcmp(why + 2, "unknown HDF5 error") != 0;   /* else our check failed */
    return hs_error_at(err, HS_EINPUT, f->path, 0, 0, "/%s does not hold the %llu %s the "
                       "checkpoint counts%s: not the checkpoint's run file?", name,
                       (unsigned long long)keep, what, hdf5 ? why : "");
}

/* Opens dataset name under loc and cuts it to `keep` rows; *had is what
 * it held. */
hid_t h5out_open_cut(hid_t loc, const char *name, hsize_t keep, hsize_t *had)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t dims[2] = {0, 0};
    int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
    if (space >= 0)
        H5Sclose(space);
    *had = dims[0];
    dims[0] = keep;
    if (rank < 1 || *had < keep || H5Dset_extent(ds, dims) < 0) {
        if (ds >= 0)
            H5Dclose(ds);
        return -1;
    }
    return ds;
}

int h5out_weights_reopen(h5out *f, const char *proj, const char *units, size_t keep,
                         hs_error *err)
{
    int rc = h5out_check_file(f, err);
    if (rc != HS_OK)
        return rc;
    int h = h5weights_reopen(&f->wgt, f->file, f->path, proj, units, keep, err);
    if (h < 0)
        return h;
    rc = h5out_flush(f, "/weights/", proj, err);
    return rc == HS_OK ? h : rc;
}

int h5out_up_states_truncate(h5out *f, uint64_t keep, hs_error *err)
{
    int rc = h5out_check_file(f, err);
    if (rc == HS_OK)
        rc = h5sleep_up_states_truncate(f->file, f->path, keep, err);
    return rc == HS_OK ? h5out_flush(f, "/sleep/up_states", NULL, err) : rc;
}
