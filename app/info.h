/* info.h: `hebbsleep info RUN.h5`, the summary of a run file (DESIGN.md
 * "The command line"): what the file is, the phases, and what each part of
 * the run left in it. The parts are printed by app/info_*.c from what the
 * readers of io/ (io/h5run.h and each part's header) return.
 */
#ifndef HS_INFO_H
#define HS_INFO_H

#include <stdio.h>

#include "../base/error.h"

/* Prints a summary of run file path to out: format, version, git commit,
 * created, seed, threads, complete (an interrupted run, complete = 0, is
 * said so plainly), wall time and the config's size; the phases; the
 * behaviour: samples, time span and duration, laps (how many and their
 * numbers), and the mean running speed, the distance covered over the time
 * taken in the steps from a sample with direction != 0 to the next; with a
 * maze geometry, its segments: names and lengths (cm); per population under
 * /place_fields the number of cells, how many have a field and the range
 * of their centres; per spike population the count and the rate over the
 * phases' span (count / span, Hz for the whole population, and per neuron
 * when /spikes/<pop> has n_nodes); per report its variable, units and
 * shape; per projection under /weights its populations, units and number
 * of snapshots, and for the first and last snapshot the name, time, phase,
 * synapse count and mean weight (read in blocks: memory stays small for
 * any projection). With /sleep/up_states, how many up states of which
 * populations in how many phases, their mean duration. With
 * /replay/events, per phase the candidate events, how many are significant
 * by rank order and by decoding, the fraction forward and the median
 * compression, and in phases with a slow oscillation the fraction of the
 * events whose peak lies in an up state beside the fraction of the phase's
 * time in up states. With /replay/template, the template and per phase
 * scanned its best factor and corrected p.
 *
 * Returns HS_EINPUT naming the file, with nothing printed to stderr, for a
 * file that is missing, empty, not HDF5, truncated, not a hebbsleep run
 * (no root magic), or damaged: what is wrong names the dataset or
 * attribute at fault ("/meta: attribute complete is missing"), as the
 * readers of io/h5run.h and the parts' headers say. HDF5 itself crashes on
 * some corrupt files: the file is read in a forked child (h5util_guard),
 * its text relayed to out, so call it while no other thread runs. What was
 * printed before an error found midway stays printed. */
int info_print(const char *path, FILE *out, hs_error *err);

#endif
