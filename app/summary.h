/* summary.h: the lines a finished run prints: where it went, its wall
 * time, spikes and rates per population, and the "stats:" line the
 * benchmarks read (rtf, events, bytes per synapse, peak RSS, ...).
 */
#ifndef HS_SUMMARY_H
#define HS_SUMMARY_H

#include <stdint.h>

#include "../model/experiment.h"
#include "../sim/engine.h"
#include "../sim/network.h"

/* Every rank calls it (the counts are summed over ranks); rank 0 prints
 * to stdout. Rates over the whole run; speed over what this run ran (from
 * step0, with events0 delivered before). */
void summary_print(const hs_config *c, const network *net, const sim *s, const char *out,
                   double build_s, double run_s, uint64_t step0, uint64_t events0);

#endif
