/* h5out_file.h: the run file's handle inside io/ (h5out.c, h5out_spikes.c,
 * h5out_report.c, h5out_reopen.c share it); not for use outside them.
 */
#ifndef HS_H5OUT_FILE_H
#define HS_H5OUT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"
#include "h5weights.h"

#define H5OUT_MAGIC        0x0A7Au
#define SPIKE_CHUNK        ((hsize_t)65536) /* elements per spike chunk */
#define REPORT_CHUNK_ROWS  ((hsize_t)256)
#define REPORT_CHUNK_BYTES ((hsize_t)1 << 20) /* cap on one report chunk */

/* The SONATA `sorting` enum values. */
enum { SORT_NONE = 0, SORT_BY_ID = 1, SORT_BY_TIME = 2 };

typedef struct h5out_spk {
    char *pop;
    hid_t grp, t, id; /* /spikes/<pop>, its timestamps and node_ids */
    hsize_t n;        /* spikes written */
    double last_t;    /* latest time written, to keep `sorting` honest */
    int by_time;      /* 1 while every append kept time order */
} h5out_spk;

typedef struct h5out_rep {
    char *pop;
    hid_t data, time;   /* /report/<pop>/data and mapping/time */
    hsize_t rows, cols; /* rows written; values per row */
    double start, dt;   /* ms */
} h5out_rep;

struct h5out {
    char *path;
    hid_t file, meta;
    h5out_spk *spk;
    size_t n_spk;
    h5out_rep *rep;
    size_t n_rep;
    h5weights wgt; /* /weights projections */
    int failed;    /* a write failed: the file takes no more (h5util_file_freeze) */
};

/* A handle for path, nothing open yet (meta -1); NULL with err set
 * (HS_ENOMEM). */
h5out *h5out_handle_new(const char *path, hs_error *err);

/* Checks of a call's arguments and the file's state: HS_OK, or the
 * error (HS_EINPUT for a bad call, HS_EIO for a file that failed). */
herr_t h5out_attr_u64(hid_t obj, const char *name, uint64_t v);
int h5out_check_file(const h5out *f, hs_error *err);
int h5out_check_handle(const h5out *f, int h, size_t n, hs_error *err);
int h5out_check_pop(const h5out *f, const char *pop, hs_error *err);
int h5out_check_writable(const h5out *f, const char *what, const char *name,
                          hs_error *err);
herr_t h5out_close_id(hid_t *id);
int h5out_cut_failed(const h5out *f, const char *name, uint64_t keep, const char *what,
                      hs_error *err);
herr_t h5out_discard(h5out *f);
int h5out_flush(h5out *f, const char *what, const char *name, hs_error *err);
int h5out_latch(h5out *f, int rc);
hid_t h5out_open_cut(hid_t loc, const char *name, hsize_t keep, hsize_t *had);

#endif
