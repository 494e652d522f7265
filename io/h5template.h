/* h5template.h: REM template matching in the run file, /replay/template
 * (layout and the public call in h5out.h). The writer is internal to io/:
 * h5out_template_write wraps h5template_write with the file's flush. The
 * summary of `hebbsleep info` reads it with h5template_table_read
 * (app/info_replay.c prints it).
 *
 * Written once, whole, as contiguous datasets at the end of the run;
 * whether it was written is read from the file. Errors are status codes
 * filling an hs_error that names the file; nothing is printed. Not
 * thread-safe.
 */
#ifndef HS_H5TEMPLATE_H
#define HS_H5TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"
#include "h5run.h"

/* Writes /replay/template to file as h5out_template_write says; errors
 * name path. Does not flush. */
int h5template_write(hid_t file, const char *path, const h5out_template *t, hs_error *err);

/* What the summary of a run gives of /replay/template: its attributes and
 * per phase scanned the best factor and its p. New arrays and strings;
 * h5template_table_free frees them. */
typedef struct h5template_table {
    int found;            /* 0: no /replay/template (the rest is 0) */
    char *population;     /* attr population */
    char *note;           /* why there is no template, or "" */
    double bin_ms;        /* ms, the template's bins */
    double lap_ms;        /* ms, the laps' mean duration; NaN without a lap */
    uint64_t n_shuffle, n_factors, n_cells, n_laps;
    size_t n;             /* phases scanned */
    char **phase;         /* their names, as /phases/name */
    double *best_factor;  /* NaN: none scored */
    double *p_best;       /* Bonferroni-corrected over the factors */
} h5template_table;

/* Reads /replay/template of run into *t (overwritten; found 0 without it).
 * Returns HS_EINPUT naming the file and the dataset or attribute when one
 * is missing or malformed or the rows differ in length; HS_ENOMEM. On
 * error *t is empty. */
int h5template_table_read(const h5run *run, h5template_table *t, hs_error *err);

/* Frees the arrays and strings of t and empties it; NULL does nothing. */
void h5template_table_free(h5template_table *t);

#endif
