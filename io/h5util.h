/* h5util.h: small HDF5 helpers shared by the run-file writer (h5out.c) and
 * reader (h5in.c). Internal to io/: not part of the public API.
 *
 * All helpers return >= 0 on success and < 0 on an HDF5 failure, leaving the
 * HDF5 error stack for h5util_why(); callers turn that into an hs_error that
 * names the file. None prints anything. Not thread-safe.
 */
#ifndef HS_H5UTIL_H
#define HS_H5UTIL_H

#include <stddef.h>

#include <hdf5.h>

/* Called first by every public h5out/h5in function. Replaces HDF5's
 * automatic error printing by a silent record of the latest failure's
 * reason for h5util_why (errors become status codes) and, when HDF5 is
 * not yet initialised, its exit-time teardown: HDF5 1.10 crashes in that
 * teardown (H5F__close_cb) once a close has failed, e.g. on a full disk,
 * turning a clean HS_EIO exit into a segfault. Files are flushed after
 * every write and closed explicitly, so the teardown has nothing to save. */
void h5util_init(void);

/* Writes the innermost message of the latest failed HDF5 call into buf (or
 * "unknown HDF5 error"), forgets it, clears the stack and returns buf. */
const char *h5util_why(char *buf, size_t size);

/* A new variable-length UTF-8 string type; the caller closes it. */
hid_t h5util_str_type(void);

/* Creates, or overwrites when it exists, the scalar attribute name of obj
 * with the given file type, written from buf in mem type. */
herr_t h5util_attr_write(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                         const void *buf);

/* As h5util_attr_write for a UTF-8 string (variable length); s NULL is "". */
herr_t h5util_attr_write_str(hid_t obj, const char *name, const char *s);

/* Reads string attribute name of obj (variable or fixed length) into a new
 * NUL-terminated string the caller frees. Returns < 0 and leaves *out NULL
 * when it is missing, not a scalar string or memory runs out. */
herr_t h5util_attr_read_str(hid_t obj, const char *name, char **out);

/* Reads the scalar numeric attribute name of obj, converted by HDF5 to
 * mem_type, into buf. Returns < 0 when missing or not a number. */
herr_t h5util_attr_read_num(hid_t obj, const char *name, hid_t mem_type, void *buf);

/* An empty chunked dataset of file type `type`, unlimited along its first
 * axis: rank 1, or rank 2 with cols values per row; chunk has rank dims. */
hid_t h5util_create_ext(hid_t loc, const char *name, hid_t type, int rank, hsize_t cols,
                        const hsize_t *chunk);

/* Extends dataset ds (made by h5util_create_ext) from `old` to old + add
 * rows and writes the new rows from buf (add x cols values when rank 2). */
herr_t h5util_append_rows(hid_t ds, hid_t mem_type, int rank, hsize_t old, hsize_t add,
                          hsize_t cols, const void *buf);

/* A fixed-size 1-D dataset of n values written from buf; returned open. */
hid_t h5util_create_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                          hsize_t n, const void *buf);

/* As h5util_create_array, closing the dataset again. */
herr_t h5util_write_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                          hsize_t n, const void *buf);

/* Opens group name under loc, creating it when missing. */
hid_t h5util_open_or_create_group(hid_t loc, const char *name);

#endif
