/* synth_run.c: the synthetic run of the replay tests (see synth_run.h). */
#include "synth_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

void synth_run_init(synth_run *y, size_t n)
{
    memset(y, 0, sizeof *y);
    y->n = n;
    y->t = malloc(n * sizeof *y->t);
    y->x = malloc(n * sizeof *y->x);
    y->dir = malloc(n);
    y->lap = malloc(n * sizeof *y->lap);
    ck_assert(y->t && y->x && y->dir && y->lap);
}

void synth_run_free(synth_run *y)
{
    tu_train_free(&y->s);
    free(y->t);
    free(y->x);
    free(y->dir);
    free(y->lap);
}

replay_spikes synth_run_spikes(const synth_run *y, size_t n_cells)
{
    return (replay_spikes){y->s.t, y->s.id, y->s.n, n_cells};
}

replay_traj synth_run_traj(const synth_run *y)
{
    return (replay_traj){y->t, y->x, y->dir, y->lap, y->n};
}

double synth_field_hz(size_t i, double x_cm)
{
    if (i >= SYNTH_N_FIELD)
        return 0;
    double c = ((double)i + 0.5) * SYNTH_TRACK_CM / SYNTH_N_FIELD, z = (x_cm - c) / SYNTH_SIGMA_CM;
    return SYNTH_PEAK_HZ * exp(-0.5 * z * z);
}

void synth_spike_maybe(gsl_rng *r, tu_train *s, double t, double dt_ms, size_t i, double hz)
{
    if (gsl_rng_uniform(r) < hz * 1e-3 * dt_ms)
        tu_train_add(s, t, (uint32_t)i);
}

void synth_run_one_way(synth_run *y, gsl_rng *r)
{
    synth_run_init(y, (size_t)SYNTH_WAKE_MS);
    for (size_t k = 0; k < y->n; k++) {
        double in_lap = fmod((double)k, SYNTH_LAP_MS);
        int running = in_lap < SYNTH_RUN_MS;
        y->t[k] = (double)k;
        y->x[k] = running ? SYNTH_RUN_CM_S * 1e-3 * in_lap : SYNTH_TRACK_CM;
        y->dir[k] = (int8_t)running;
        y->lap[k] = (uint32_t)(k / (size_t)SYNTH_LAP_MS);
        for (size_t i = 0; i < SYNTH_N_CELLS; i++) {
            double hz = running ? synth_field_hz(i, y->x[k]) : 0.1;
            synth_spike_maybe(r, &y->s, y->t[k] + 0.5, 1.0, i, hz);
        }
    }
}
