/* place_cells.h: the ground truth of a place_cells population. */
#ifndef HS_PLACE_CELLS_H
#define HS_PLACE_CELLS_H

#include <stdint.h>

#include "neuron.h"

extern const neuron_type neuron_place_cells;

/* The fields of population p (built with ext_alloc): centre (cm, NAN
 * without a field), width (the Gaussian's sigma, cm), theta-averaged peak
 * rate (Hz) and direction (+1, -1, 0 both) of each of its p->n cells, as
 * laid out now: the run file takes them before the first phase, in the
 * environment of populations:. */
void place_cells_fields(const void *plan, const neuron_pop *p, double *center_cm,
                        double *width_cm, double *peak_hz, int8_t *direction);

#endif
