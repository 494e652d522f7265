/* trajectory.h: reading a tracked rat's trajectory for task/track.h. */
#ifndef HS_TRAJECTORY_H
#define HS_TRAJECTORY_H

#include <stddef.h>

#include "../base/error.h"

/* Reads a CSV file of rows "t,x,y" (t in s, x and y in cm; one header line
 * of names allowed, blank lines and '#' comments skipped) into new arrays
 * of times and x positions. Times must increase. HS_EINPUT names the file
 * and line of the first bad row; the arrays are then NULL. */
int trajectory_read_csv(const char *path, double **t_s, double **x_cm, size_t *n,
                        hs_error *err);

#endif
