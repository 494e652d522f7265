/* info_weights.c: the weights' part of `hebbsleep info` (info_parts.h): per
 * projection its populations, units and snapshots, and the first and last
 * snapshot's time, phase, synapses and mean weight, read by
 * io/h5weights.h.
 */
#include <stdlib.h>

#include "../io/h5weights.h"
#include "info_parts.h"

/* Prints snapshot i of projection proj as "label". */
static int snapshot_print(const h5run *run, const char *proj, size_t i, const char *label,
                          const char *units, FILE *out, hs_error *err)
{
    h5weights_stats s;
    int rc = h5weights_stats_read(run, proj, i, &s, err);
    if (rc != HS_OK)
        return rc;
    fprintf(out, "    %-5s %s: %.3f ms, phase %s, %llu synapses, ", label, s.name, s.t_ms,
            s.phase[0] ? s.phase : "(none)", (unsigned long long)s.n);
    if (s.n > 0)
        fprintf(out, "mean weight %.6g %s\n", s.weight_sum / (double)s.n, units);
    else
        fprintf(out, "mean weight n/a\n");
    h5weights_stats_free(&s);
    return HS_OK;
}

int info_weights_print(const h5run *run, const char *proj, FILE *out, double span_ms,
                       hs_error *err)
{
    (void)span_ms;
    h5weights_desc d;
    int rc = h5weights_desc_read(run, proj, &d, err);
    if (rc != HS_OK)
        return rc;
    size_t n = d.n_snapshots;
    fprintf(out, "  %-16s %s -> %s (%s), %llu snapshot%s\n", proj, d.pre, d.post, d.units,
            (unsigned long long)n, n == 1 ? "" : "s");
    if (n > 0)
        rc = snapshot_print(run, proj, 0, n > 1 ? "first" : "only", d.units, out, err);
    if (rc == HS_OK && n > 1)
        rc = snapshot_print(run, proj, n - 1, "last", d.units, out, err);
    h5weights_desc_free(&d);
    return rc;
}
