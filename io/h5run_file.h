/* h5run_file.h: the open run file behind h5run.h, inside io/ (h5run.c and
 * the topic readers: h5behavior.c, h5maze.c, h5weights.c, h5sleep.c,
 * h5replay.c, h5template.c); not for use outside io/.
 */
#ifndef HS_H5RUN_FILE_H
#define HS_H5RUN_FILE_H

#include <hdf5.h>

#include "h5run.h"

struct h5run {
    char *path; /* as given to h5run_open: errors name it */
    hid_t file; /* open read-only */
};

/* Opens member name of group /<group> of r's file (the caller closes it),
 * or returns < 0 with HDF5's reason for h5util_why. */
hid_t h5run_member_open(const h5run *r, const char *group, const char *name);

#endif
