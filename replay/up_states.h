/* up_states.h: where replay events fall in the slow oscillation (SCIENCE.md:
 * ripples sit in up states; Sirota et al. 2003, Steriade 1993).
 *
 * The up states of a run are intervals [start_ms, stop_ms) in run time,
 * each of a phase (an index into the run's phases), drawn by the slow-
 * oscillation drives of its populations (drive.h, drive_up_states). A phase
 * has a slow oscillation when some up state is of it; with several driven
 * populations a time is in an up state when it is in one of any of them.
 * Nothing here allocates but replay_up_states_cover; all is thread-safe.
 */
#ifndef HS_REPLAY_UP_STATES_H
#define HS_REPLAY_UP_STATES_H

#include <stddef.h>
#include <stdint.h>

typedef struct replay_up_states {
    size_t n;
    const double *start_ms, *stop_ms;   /* [n] (ms, run time) */
    const uint32_t *phase;              /* [n] the phase of each */
} replay_up_states;

/* For each of the n times t_ms[j] (an event's peak) in phase phase[j]:
 * out[j] = 1 when it lies in an up state of that phase, 0 when not, -1
 * when the phase has no slow oscillation. u NULL: all -1. */
void replay_up_states_label(const replay_up_states *u, const double *t_ms,
                            const uint32_t *phase, size_t n, int8_t *out);

/* The fraction of [start_ms, stop_ms) inside the up states of phase k (the
 * measure of their union, cut to the span, over its length); NAN when the
 * phase has no slow oscillation, the span is empty or memory runs out. */
double replay_up_states_cover(const replay_up_states *u, uint32_t k, double start_ms,
                              double stop_ms);

#endif
