/* fields.c: a run's place fields for replay detection (fields.h). */
#include "fields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

void replay_fields_free(replay_fields *f)
{
    if (!f)
        return;
    for (int d = 0; d < 2; d++) {
        free(f->maps[d]);
        free(f->centre[d]);
    }
    free(f->is_place);
    free(f->place_index);
    free(f->decode);
    *f = (replay_fields){0};
}

static int fields_alloc(replay_fields *f, size_t n_cells, size_t n_bins, int run_dir)
{
    *f = (replay_fields){.n_cells = n_cells, .n_bins = n_bins, .n_dirs = run_dir ? 1 : 2,
                         .dirs = {run_dir ? run_dir : 1, -1}};
    size_t m = n_cells ? n_cells : 1;
    int ok = 1;
    for (size_t d = 0; d < f->n_dirs; d++) {
        f->maps[d] = malloc(m * n_bins * sizeof(double));
        f->centre[d] = malloc(m * sizeof(double));
        ok = ok && f->maps[d] && f->centre[d];
    }
    f->is_place = calloc(m, 1);
    f->place_index = malloc(m * sizeof *f->place_index);
    return ok && f->is_place && f->place_index ? HS_OK : HS_ENOMEM;
}

/* Centres (argmax) and the place-cell mask from the direction maps. */
static void centres_find(replay_fields *f, double min_peak_hz, double bin_cm)
{
    size_t nb = f->n_bins;
    for (size_t i = 0; i < f->n_cells; i++) {
        f->is_place[i] = 0;
        for (size_t d = 0; d < f->n_dirs; d++) {
            const double *row = f->maps[d] + i * nb;
            size_t best = 0;
            for (size_t x = 1; x < nb; x++)
                best = row[x] > row[best] ? x : best;
            int field = row[best] >= min_peak_hz && row[best] > 0;
            f->centre[d][i] = field ? ((double)best + 0.5) * bin_cm : NAN;
            f->is_place[i] |= (uint8_t)field;
        }
    }
}

/* The decoding maps: the place cells' rows of src. */
static int decode_maps_make(replay_fields *f, const double *src)
{
    size_t nb = f->n_bins;
    f->n_place = 0;
    for (size_t i = 0; i < f->n_cells; i++)
        f->place_index[i] = f->is_place[i] ? (uint32_t)f->n_place++ : REPLAY_NO_PLACE;
    f->decode = malloc((f->n_place ? f->n_place : 1) * nb * sizeof *f->decode);
    if (!f->decode)
        return HS_ENOMEM;
    for (size_t i = 0; i < f->n_cells; i++)
        if (f->is_place[i])
            memcpy(f->decode + f->place_index[i] * nb, src + i * nb, nb * sizeof *src);
    return HS_OK;
}

int replay_fields_make(const double *spike_t_ms, const uint32_t *spike_id, size_t n_spikes,
                       size_t n_cells, const double *traj_t_ms, const double *traj_x_cm,
                       const int8_t *traj_dir, size_t n_samples, double track_cm,
                       double bin_cm, int run_dir, double min_peak_hz, replay_fields *f,
                       hs_error *err)
{
    *f = (replay_fields){0};
    if (!(track_cm > 0) || !(bin_cm > 0) || !isfinite(track_cm / bin_cm) || run_dir < -1 ||
        run_dir > 1 || n_cells > UINT32_MAX)
        return hs_error_set(err, HS_EINPUT, "replay fields: bad track_cm, bin_cm, run_dir "
                            "or n_cells");
    size_t n_bins = (size_t)ceil(track_cm / bin_cm - 1e-9);
    n_bins = n_bins ? n_bins : 1;
    if (fields_alloc(f, n_cells, n_bins, run_dir) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "replay fields: out of memory for rate maps");
    replay_maps_params mp;
    replay_maps_params_default(&mp);
    mp.bin_cm = bin_cm;
    mp.n_bins = n_bins;
    int rc = HS_OK;
    for (size_t d = 0; rc == HS_OK && d < f->n_dirs; d++) {
        mp.dir = f->dirs[d];
        rc = replay_rate_maps(spike_t_ms, spike_id, n_spikes, n_cells, traj_t_ms, traj_x_cm,
                              traj_dir, n_samples, &mp, f->maps[d], err);
    }
    if (rc != HS_OK)
        return rc;
    centres_find(f, min_peak_hz, bin_cm);
    double *all = NULL;
    if (f->n_dirs == 2) {
        all = malloc((n_cells ? n_cells : 1) * n_bins * sizeof *all);
        if (!all)
            return hs_error_set(err, HS_ENOMEM, "replay fields: out of memory for rate maps");
        mp.dir = 0;
        rc = replay_rate_maps(spike_t_ms, spike_id, n_spikes, n_cells, traj_t_ms, traj_x_cm,
                              traj_dir, n_samples, &mp, all, err);
    }
    if (rc == HS_OK && decode_maps_make(f, all ? all : f->maps[0]) != HS_OK)
        rc = hs_error_set(err, HS_ENOMEM, "replay fields: out of memory for rate maps");
    free(all);
    return rc;
}
