/* h5in.c: reads 1-D numeric datasets of HDF5 inputs, the files an
 * experiment names (h5in_read_doubles, h5in_read_u64, h5in_length; a run
 * file is read through h5run.h, the weight snapshots in h5weights.c, the
 * behaviour and place fields in h5behavior.c, the maze geometry in
 * h5maze.c).
 *
 * Every failure is HS_EINPUT naming the file (and the dataset): foreign,
 * empty, truncated or corrupt files must give a message, never a crash or
 * an HDF5 error stack on stderr.
 */
#include "h5out.h"

#include <hdf5.h>

#include "h5util.h"

/* ---- 1-D numeric datasets ---- */

typedef struct read_args {
    const char *path, *dataset;
    hid_t mem_type;
    int strict;
    void *out;
    size_t n;
} read_args;

static int read_1d_once(void *ctx, FILE *out, hs_error *err)
{
    read_args *a = ctx;
    (void)out;
    hid_t file;
    int rc = h5util_open_read(a->path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = h5util_read_1d(a->path, file, a->dataset, a->mem_type, a->strict, &a->out, &a->n,
                        err);
    H5Fclose(file);
    return rc;
}

static int read_file_1d(const char *path, const char *dataset, hid_t mem_type, int strict,
                        void **out, size_t *n, hs_error *err)
{
    h5util_init();
    *out = NULL;
    *n = 0;
    if (!dataset || !dataset[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "no dataset named");
    read_args a = {path, dataset, mem_type, strict, NULL, 0};
    /* read in a child first: a file HDF5 crashes on fails there */
    int rc = h5util_guard(read_1d_once, &a, NULL, path, err);
    if (rc == HS_OK)
        rc = read_1d_once(&a, NULL, err);
    if (rc == HS_OK) {
        *out = a.out;
        *n = a.n;
    }
    return rc;
}

int h5in_length(const char *path, const char *dataset, size_t *n, hs_error *err)
{
    h5util_init();
    *n = 0;
    if (!dataset || !dataset[0])
        return hs_error_at(err, HS_EINPUT, path, 0, 0, "no dataset named");
    hid_t file, ds;
    int rc = h5util_open_read(path, &file, err);
    if (rc != HS_OK)
        return rc;
    rc = h5util_open_1d(path, file, dataset, &ds, n, err);
    if (rc == HS_OK)
        H5Dclose(ds);
    H5Fclose(file);
    return rc;
}

int h5in_read_doubles(const char *path, const char *dataset, double **out, size_t *n,
                      hs_error *err)
{
    void *buf = NULL;
    int rc = read_file_1d(path, dataset, H5T_NATIVE_DOUBLE, 0, &buf, n, err);
    *out = buf;
    return rc;
}

int h5in_read_u64(const char *path, const char *dataset, uint64_t **out, size_t *n,
                  hs_error *err)
{
    void *buf = NULL;
    int rc = read_file_1d(path, dataset, H5T_NATIVE_UINT64, 1, &buf, n, err);
    *out = buf;
    return rc;
}
