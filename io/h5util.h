/* h5util.h: small HDF5 helpers shared by the run-file writer (h5out.c), the
 * readers (h5in.c, h5run.c), the weight snapshots (h5weights.c) and the
 * behaviour (h5behavior.c). Internal to io/: not part of the public API,
 * but for h5util_init and h5util_guard, which app/ calls to read an
 * untrusted file in a forked child (`info`, `resume`).
 *
 * The HDF5 helpers return >= 0 on success and < 0 on an HDF5 failure, leaving
 * the reason for h5util_why(); callers turn that into an hs_error that names
 * the file, with h5util_fail_io or h5util_fail_input. The reading helpers at
 * the end fill the hs_error themselves. None prints anything. Not thread-safe.
 */
#ifndef HS_H5UTIL_H
#define HS_H5UTIL_H

#include <stddef.h>
#include <stdio.h>

#include <hdf5.h>

#include "../base/error.h"

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

/* HS_EIO naming path: "cannot write <what><name>: <HDF5's reason>"; name may
 * be NULL. Returns HS_EIO. */
int h5util_fail_io(const char *path, hs_error *err, const char *what, const char *name);

/* HS_EINPUT naming path: "<what><name>: <HDF5's reason>"; name may be NULL.
 * Returns HS_EINPUT. */
int h5util_fail_input(const char *path, hs_error *err, const char *what, const char *name);

/* Makes sure the disk holds room for all file space HDF5 has allocated
 * (its end of allocation), before a flush writes metadata there. A flush
 * writes some metadata in place and some at new addresses: failing midway
 * it would leave old objects pointing at new ones that never got written.
 * Failing here instead, nothing is written and the file stays as its last
 * flush left it. Only for the default (sec2) driver; does nothing where
 * the file system cannot reserve space. Returns < 0 (reason for
 * h5util_why, e.g. No space left on device) when the space is not there. */
herr_t h5util_file_reserve(hid_t file);

/* After a failed write HDF5's picture of file no longer matches the disk:
 * a later flush (the close's too) would write a superblock pointing past
 * the data that never got there, and the whole file would become
 * unreadable. This keeps the file as its last successful flush left it:
 * the file's descriptor is pointed at /dev/null, so HDF5 can still close
 * and free everything while nothing more reaches the disk. Only for the
 * default (sec2) driver. Returns < 0 when it could not. */
int h5util_file_freeze(hid_t file);

/* 1 when name can be one HDF5 link name, a group's member: not NULL, not
 * empty, not "." and without '/'. */
int h5util_is_link_name(const char *name);

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

/* As h5util_write_array, with string attributes units and, when not NULL,
 * definition (what the values mean, e.g. which width). */
herr_t h5util_write_column(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                           hsize_t n, const void *buf, const char *units,
                           const char *definition);

/* A fixed-size 1-D dataset of n variable-length UTF-8 strings; NULL is "". */
herr_t h5util_write_strs(hid_t loc, const char *name, const char *const *s, size_t n);

/* Removes what a failed write left, if HDF5 still can: group/name under
 * file, then group when that left it empty (no half-written data for
 * readers, and no empty group). */
void h5util_remove_in(hid_t file, const char *group, const char *name);

/* Opens group name under loc, creating it when missing. */
hid_t h5util_open_or_create_group(hid_t loc, const char *name);

/* Name of link i of group g in name order, as a new string the caller frees;
 * NULL on failure. */
char *h5util_link_name(hid_t g, hsize_t i);

/* Number of elements of dataset name under loc, or < 0 when it cannot be
 * opened. */
hssize_t h5util_dataset_size(hid_t loc, const char *name);

/* ---- reading input (h5util_read.c; errors are HS_EINPUT naming path) ---- */

/* Opens path read-only after checking it exists and is HDF5 at all;
 * *file is -1 on failure. */
int h5util_open_read(const char *path, hid_t *file, hs_error *err);

/* A reader run by h5util_guard: prints to out (may be NULL), fills err. */
typedef int (*h5util_guarded_fn)(void *ctx, FILE *out, hs_error *err);

/* Runs fn(ctx, out, err) in a forked child and returns what it returned,
 * with its err and what it printed (copied to out). HDF5 1.10 reads some
 * corrupt files out of bounds and crashes or runs away (a damaged global
 * heap behind variable-length strings: H5HG_read): when the child dies
 * instead of returning, the result is HS_EINPUT naming path as corrupt,
 * and this process is unharmed. Memory fn fills stays in the child: to
 * keep what a reader reads, guard a first read that throws it away, then
 * read again (the same bytes read the same way). Without fork, fn runs
 * here; so it does once MPI has started (hs_mpi_running: Open MPI does not
 * support fork after MPI_Init), where main has run the same reads in
 * children on one rank before starting MPI. Not for use while other
 * threads run. */
int h5util_guard(h5util_guarded_fn fn, void *ctx, FILE *out, const char *path,
                 hs_error *err);

/* Type classes a reader accepts (h5util_dataset_open). */
enum { H5UTIL_NUMERIC = 1, H5UTIL_STRING = 2 };

/* The most elements read into memory at once (4 GiB of doubles): a
 * dataset declaring more is refused before anything is allocated, since a
 * file of a few bytes can declare 2^40 elements. */
#define H5UTIL_READ_MAX ((hsize_t)1 << 29)

/* Opens dataset name of loc into *ds (the caller closes it) after checking
 * what a reader relies on: its type class is in classes (H5UTIL_NUMERIC:
 * integer or float, not enum, compound etc.; H5UTIL_STRING), it has rank
 * dimensions, and at most max_n elements (0: H5UTIL_READ_MAX; HSIZE_UNDEF:
 * any, for reading in blocks). dims (rank values) receives its shape.
 * HS_EINPUT naming path, name and what is wrong (missing, not a dataset,
 * "is not numeric (it holds strings)", "is not 1-D (rank 2)", too large);
 * then *ds is -1. Give name from the root when loc is not the file. */
int h5util_dataset_open(const char *path, hid_t loc, const char *name, unsigned classes,
                        int rank, hsize_t max_n, hid_t *ds, hsize_t *dims, hs_error *err);

/* Reads 1-D numeric dataset name of loc (h5util_dataset_open, at most
 * H5UTIL_READ_MAX elements) into a new array of elements of mem_type
 * (never NULL on success, even when empty; the caller frees it). strict:
 * values that would not convert exactly (out of range, fractional, NaN)
 * are an error. */
int h5util_read_1d(const char *path, hid_t loc, const char *name, hid_t mem_type,
                   int strict, void **out, size_t *n, hs_error *err);

/* Opens 1-D numeric dataset name of loc into *ds (the caller closes it)
 * with its length in *n, any length, for reading in blocks; errors as
 * h5util_dataset_open, with *ds -1 and *n 0. */
int h5util_open_1d(const char *path, hid_t loc, const char *name, hid_t *ds, size_t *n,
                   hs_error *err);

/* Reads count elements of open 1-D dataset ds from element at into buf,
 * converted by HDF5 to mem_type. */
herr_t h5util_read_block(hid_t ds, hid_t mem_type, hsize_t at, hsize_t count, void *buf);

/* Reads 1-D string dataset name of loc (variable or fixed length, at most
 * H5UTIL_READ_MAX / 4) into n new strings (*out, never NULL on success;
 * free with h5util_free_strs). Errors as h5util_dataset_open, or when the
 * strings cannot be read; then *out is NULL and *n 0. */
int h5util_read_strs(const char *path, hid_t loc, const char *name, char ***out,
                     size_t *n, hs_error *err);

/* Frees n strings and their array; v NULL does nothing. */
void h5util_free_strs(char **v, size_t n);

/* Read scalar attribute attr of obj, a number converted to mem_type into
 * buf, or a string into a new *out the caller frees. HS_EINPUT naming
 * path, obj_name and attr, saying whether it is missing, holds several
 * values or holds the wrong kind ("holds strings, not a number"). */
int h5util_attr_get_num(const char *path, hid_t obj, const char *obj_name, const char *attr,
                        hid_t mem_type, void *buf, hs_error *err);
int h5util_attr_get_str(const char *path, hid_t obj, const char *obj_name, const char *attr,
                        char **out, hs_error *err);

#endif
