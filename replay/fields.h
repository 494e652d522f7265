/* fields.h: a run's place fields, as replay detection needs them
 * (analysis.h, step 1).
 *
 * Rate maps (replay_rate_maps, smoothed by replay_maps_params_default's
 * 4 cm) over n_bins = ceil(track_cm / bin_cm) bins from 0 cm: on a one-way
 * track (run_dir +1 or -1) one per cell, of the samples running run_dir;
 * on a track run both ways (run_dir 0) one per direction (+1, then -1). A
 * cell's field centre in a direction is the centre of the highest bin of
 * that map (the first on ties), (b + 0.5) bin_cm; it has a field there
 * when that peak is >= min_peak_hz (and > 0), and is a place cell when it
 * has a field in some direction. The maps decoded against (decode) are the
 * place cells' rows of the one-way map, or of a map of every running
 * sample (dir != 0) on a track run both ways, in place-cell order.
 */
#ifndef HS_REPLAY_FIELDS_H
#define HS_REPLAY_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

#define REPLAY_NO_PLACE UINT32_MAX   /* place_index of a cell without a field */

typedef struct replay_fields {
    size_t n_cells, n_bins;
    size_t n_dirs;            /* 1 (one-way) or 2 */
    int dirs[2];              /* the running direction of each map: run_dir, or +1, -1 */
    double *maps[2];          /* [n_cells * n_bins] rate maps (Hz) per direction */
    double *centre[2];        /* [n_cells] field centres (cm) per direction; NaN: none */
    uint8_t *is_place;        /* [n_cells] 1: a place cell */
    uint32_t *place_index;    /* [n_cells] its row in decode, else REPLAY_NO_PLACE */
    size_t n_place;           /* place cells */
    double *decode;           /* [n_place * n_bins] maps (Hz) for decoding */
} replay_fields;

/* Estimates the fields of n_cells cells from their spikes (spike_t_ms[k]
 * of cell spike_id[k], any order) and the trajectory (n_samples >= 2
 * samples at increasing traj_t_ms, positions traj_x_cm, directions
 * traj_dir), on one clock (replay_rate_maps). Fills *f (free it with
 * replay_fields_free, also after an error). Returns HS_OK, HS_EINPUT (bad
 * sizes, ids or trajectory, as replay_rate_maps) or HS_ENOMEM. Thread-safe
 * on distinct f. */
int replay_fields_make(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                       size_t n_cells, const double *traj_t_ms, const double *traj_x_cm,
                       const int8_t *traj_dir, size_t n_samples, double track_cm,
                       double bin_cm, int run_dir, double min_peak_hz, replay_fields *f,
                       hs_error *err);

/* Frees what f holds and empties it; f NULL does nothing. */
void replay_fields_free(replay_fields *f);

#endif
