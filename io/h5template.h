/* h5template.h: REM template matching in the run file, /replay/template
 * (layout and the public call in h5out.h). Internal to io/:
 * h5out_template_write wraps h5template_write with the file's flush;
 * h5out_info calls h5template_info.
 *
 * Written once, whole, as contiguous datasets at the end of the run;
 * whether it was written is read from the file. Errors are status codes
 * filling an hs_error that names the file; nothing is printed. Not
 * thread-safe.
 */
#ifndef HS_H5TEMPLATE_H
#define HS_H5TEMPLATE_H

#include <stdio.h>

#include <hdf5.h>

#include "../base/error.h"
#include "h5out.h"

/* Writes /replay/template to file as h5out_template_write says; errors
 * name path. Does not flush. */
int h5template_write(hid_t file, const char *path, const h5out_template *t, hs_error *err);

/* Prints the template lines of h5out_info (nothing without
 * /replay/template): the template (place cells, laps, bins, shuffles) or
 * why there is none, then per phase scanned its best factor and its
 * corrected p. Returns HS_EINPUT naming path when a dataset or attribute
 * is missing or malformed or the rows differ in length. */
int h5template_info(const char *path, hid_t file, FILE *out, hs_error *err);

#endif
