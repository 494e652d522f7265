/* info_behavior.c: the rat's part of `hebbsleep info` (info_parts.h): its
 * behaviour, the maze it ran and the place fields its input was built
 * from, read by io/h5behavior.h and io/h5maze.h.
 */
#include <math.h>
#include <stdlib.h>

#include "../io/h5behavior.h"
#include "../io/h5maze.h"
#include "info_parts.h"

/* The samples, their span and duration, the laps, and the running: steps,
 * their duration and the mean speed over them (distance / time). */
static void behavior_print(FILE *out, const h5behavior_summary *s)
{
    fprintf(out, "behavior:    %zu samples", s->n);
    if (s->n == 0) {
        fprintf(out, "\n");
        return;
    }
    fprintf(out, ", %.3f - %.3f ms, duration %.3f s\n", s->t_first_ms, s->t_last_ms,
            (s->t_last_ms - s->t_first_ms) * 1e-3);
    fprintf(out, "  laps       %.0f (numbered %.0f - %.0f)\n", s->lap_max - s->lap_min + 1,
            s->lap_min, s->lap_max);
    if (s->run_ms > 0)
        fprintf(out, "  running    %zu steps, %.3f s, mean speed %.3f cm/s\n", s->steps,
                s->run_ms * 1e-3, s->run_cm / (s->run_ms * 1e-3));
    else
        fprintf(out, "  running    none (no step from a sample with direction != 0)\n");
}

int info_behavior_print(const h5run *run, FILE *out, hs_error *err)
{
    h5behavior_summary s;
    int rc = h5behavior_summary_read(run, &s, err);
    if (rc == HS_OK && !s.found)
        fprintf(out, "behavior:    none\n");
    else if (rc == HS_OK)
        behavior_print(out, &s);
    return rc;
}

int info_maze_print(const h5run *run, FILE *out, hs_error *err)
{
    h5maze_table t;
    int rc = h5maze_table_read(run, &t, err);
    if (rc == HS_OK && t.found) {
        fprintf(out, "  maze       %zu segments:", t.n);
        for (size_t k = 0; k < t.n; k++)
            fprintf(out, "%s %s %.3f cm", k ? "," : "", t.name[k], t.length_cm[k]);
        fprintf(out, "\n");
    }
    h5maze_table_free(&t);
    return rc;
}

int info_fields_print(const h5run *run, const char *pop, FILE *out, double span_ms,
                      hs_error *err)
{
    (void)span_ms;
    double *c = NULL;
    size_t n = 0;
    int rc = h5behavior_fields_centers_read(run, pop, &c, &n, err);
    if (rc != HS_OK)
        return rc;
    size_t with = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c[i])) {
            with++;
            lo = c[i] < lo ? c[i] : lo;
            hi = c[i] > hi ? c[i] : hi;
        }
    if (with > 0)
        fprintf(out, "  %-16s %zu of %zu cells with fields, centres %.3f - %.3f cm\n", pop,
                with, n, lo, hi);
    else
        fprintf(out, "  %-16s 0 of %zu cells with fields\n", pop, n);
    free(c);
    return HS_OK;
}
