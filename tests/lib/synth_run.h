/* synth_run.h: the synthetic run of the replay tests (test_analysis.c,
 * test_template_run.c). A rat runs SYNTH_LAPS laps of a one-way
 * 200 cm track at 25 cm/s, 8 s running and 2 s paused at the end of each,
 * past SYNTH_N_CELLS cells: the first SYNTH_N_FIELD have Gaussian place
 * fields tiling the track (sigma 10 cm, peak 15 Hz), the others none.
 * Helpers assert with Check, so call them from inside a test. */
#ifndef HS_TEST_SYNTH_RUN_H
#define HS_TEST_SYNTH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "../../replay/analysis.h"
#include "testutil.h"

enum { SYNTH_N_FIELD = 60, SYNTH_N_CELLS = 70 };   /* cells 60..69 have no field */
#define SYNTH_TRACK_CM      200.0
#define SYNTH_SIGMA_CM      10.0
#define SYNTH_PEAK_HZ       15.0
#define SYNTH_RUN_CM_S      25.0
#define SYNTH_LAPS          10
#define SYNTH_RUN_MS        8000.0   /* of each lap, then paused at the end */
#define SYNTH_LAP_MS        10000.0
#define SYNTH_WAKE_MS       (SYNTH_LAPS * SYNTH_LAP_MS)
#define SYNTH_BACKGROUND_HZ 0.5

/* The spikes of a run and the rat's trajectory, n samples. */
typedef struct synth_run {
    tu_train s;
    double *t, *x;
    int8_t *dir;
    uint32_t *lap;
    size_t n;
} synth_run;

/* Zeroes y and allocates n trajectory samples (not filled). */
void synth_run_init(synth_run *y, size_t n);
void synth_run_free(synth_run *y);

/* Views of y for the analyses; the pointers stay y's. */
replay_spikes synth_run_spikes(const synth_run *y, size_t n_cells);
replay_traj synth_run_traj(const synth_run *y);

/* Rate (Hz) of cell i at x_cm: its Gaussian field, 0 for cells without. */
double synth_field_hz(size_t i, double x_cm);

/* Adds a spike of cell i at t to s with probability hz * dt_ms / 1000. */
void synth_spike_maybe(gsl_rng *r, tu_train *s, double t, double dt_ms, size_t i, double hz);

/* Initialises y with the wake phase [0, SYNTH_WAKE_MS), a sample a ms: the
 * rat runs 0 -> 200 cm in 8 s (dir +1), rests 2 s at the end (dir 0), is
 * carried back; each ms every cell may spike (at the sample's time +
 * 0.5 ms) at its field rate running, 0.1 Hz resting. */
void synth_run_one_way(synth_run *y, gsl_rng *r);

#endif
