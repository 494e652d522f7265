/* guard.c: the checks that stop a diverging model (guard.h). */
#include "guard.h"

#include <math.h>
#include <stdlib.h>

int guard_finite(const network *net, const hs_config *c, uint64_t chunk0, uint64_t step,
                 hs_error *err)
{
    for (size_t p = 0; p < net->n_pops; p++) {
        const net_pop *pp = &net->pops[p];
        for (size_t v = 0; v < pp->type->n_state; v++) {
            const double *x = pp->state.var[v];
            int bad = 0;
            for (size_t i = 0; i < pp->state.n; i++)
                bad |= !isfinite(x[i]);
            if (!bad)
                continue;
            size_t i = 0;
            while (isfinite(x[i]))
                i++;
            return hs_error_set(err, HS_EMODEL, "population %s, neuron %zu: %s became %s "
                                "between %.1f and %.1f ms: dt_ms (%g) too large for the "
                                "model, or weights too strong", c->pops[p].name, i,
                                pp->type->state_names[v], isnan(x[i]) ? "NaN"
                                : x[i] > 0 ? "+Inf" : "-Inf", (double)chunk0 * net->dt,
                                (double)step * net->dt, net->dt);
        }
    }
    return HS_OK;
}

int guard_rate_init(guard_rate *g, const hs_config *c)
{
    g->steps = 0;
    g->t0 = 0;
    if (c->max_rate_hz > 0)
        g->steps = (uint64_t)ceil(c->max_rate_window_ms / c->dt_ms - 1e-9);
    g->count0 = calloc(c->n_pops ? c->n_pops : 1, sizeof *g->count0);
    return g->count0 ? HS_OK : HS_ENOMEM;
}

void guard_rate_free(guard_rate *g)
{
    free(g->count0);
    g->count0 = NULL;
}

int guard_rate_check(guard_rate *g, const network *net, const hs_config *c,
                     const uint64_t *spike_count, uint64_t step, hs_error *err)
{
    uint64_t span = step - g->t0;
    if (!g->steps || span < g->steps)
        return HS_OK;
    double span_s = (double)span * net->dt * 1e-3;
    for (size_t p = 0; p < net->n_pops; p++) {
        const net_pop *pp = &net->pops[p];
        double hz = (double)(spike_count[p] - g->count0[p]) / ((double)pp->state.n * span_s);
        if (!pp->type->is_source && hz > c->max_rate_hz)
            return hs_error_set(err, HS_EMODEL, "population %s: mean rate %.1f Hz from %.1f "
                                "to %.1f ms, above simulation.max_rate_hz (%g Hz): runaway "
                                "excitation (weights too strong, inhibition too weak?)",
                                c->pops[p].name, hz, (double)g->t0 * net->dt,
                                (double)step * net->dt, c->max_rate_hz);
        g->count0[p] = spike_count[p];
    }
    g->t0 = step;
    return HS_OK;
}
