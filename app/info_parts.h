/* info_parts.h: the parts of the summary of `hebbsleep info` (info.h),
 * shared by app/info.c and app/info_*.c; not for use outside them. Each
 * reads its part of the open run file through io/ and prints it to out, in
 * the order info.c calls them, and returns the reader's error (HS_EINPUT
 * naming the file, or HS_ENOMEM) with nothing printed for that part.
 */
#ifndef HS_INFO_PARTS_H
#define HS_INFO_PARTS_H

#include <stdio.h>

#include "../base/error.h"
#include "../io/h5run.h"

/* Prints one member (name) of a group of the file; span_ms is the phases'
 * span (0 without phases), for rates. */
typedef int (*info_member_fn)(const h5run *run, const char *name, FILE *out, double span_ms,
                              hs_error *err);

/* Prints title and the number of members of group /<group>, then calls fn
 * for each member in name order; prints title and "none" without the
 * group. */
int info_members_print(const h5run *run, const char *group, const char *title,
                       info_member_fn fn, FILE *out, double span_ms, hs_error *err);

/* The behaviour: samples, span, laps, running (info_behavior.c). */
int info_behavior_print(const h5run *run, FILE *out, hs_error *err);

/* The maze line (nothing for a track): its segments with their lengths. */
int info_maze_print(const h5run *run, FILE *out, hs_error *err);

/* One population of /place_fields: cells with fields, their centres. */
int info_fields_print(const h5run *run, const char *pop, FILE *out, double span_ms,
                      hs_error *err);

/* One projection of /weights: populations, units, the first and last
 * snapshot (info_weights.c). */
int info_weights_print(const h5run *run, const char *proj, FILE *out, double span_ms,
                       hs_error *err);

/* The up-state line (nothing without /sleep/up_states; info_replay.c). */
int info_up_states_print(const h5run *run, FILE *out, hs_error *err);

/* The replay lines (nothing without /replay/events). */
int info_replay_print(const h5run *run, FILE *out, hs_error *err);

/* The template lines (nothing without /replay/template). */
int info_template_print(const h5run *run, FILE *out, hs_error *err);

#endif
