/* rank.h: rank-order replay (Lee & Wilson 2002, Neuron 36:1183).
 *
 * The cells that spike in an event [start, stop) and have a place field
 * (a finite field centre) are ranked by their first spike in the event
 * (ties by cell id): rank_i = 0, 1, ... The order score is Spearman's
 * correlation (gsl_stats_spearman; tied field centres get their mean rank)
 *     rho = corr(rank_i, centre_i)
 * against the place-field order of one running direction: call once per
 * direction with that direction's field centres. The null distribution
 * comes from n_perm random permutations of the time ranks among the cells
 * (cell-id shuffles, gsl_ran_shuffle), drawn from the Philox stream
 * (seed, RNG_KIND_RANK_ORDER, event_id), so a result is a function of its
 * inputs only. The two-sided Monte-Carlo p-value
 *     p = (1 + #{perm: |rho_perm| >= |rho|}) / (1 + n_perm)
 * (Davison & Hinkley 1997; |rho_perm| within 1e-12 of |rho| counts as
 * equal) never reaches 0; an event replays forward (direction +1, the
 * cells fire in the order of increasing centre) when rho > 0, in reverse
 * (-1) when rho < 0. SCIENCE.md calls an event significant at p < 0.05.
 */
#ifndef HS_REPLAY_RANK_H
#define HS_REPLAY_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

/* ---- types ---- */

/* A spike, ordered by time then cell id (replay_spike_cmp, for qsort). */
typedef struct replay_spike {
    double t_ms;
    uint32_t id;
} replay_spike;

int replay_spike_cmp(const void *a, const void *b);

#define REPLAY_RANK_MIN_CELLS 5     /* fewest cells scored (SCIENCE.md: >= 5) */
#define REPLAY_RANK_MIN_PERM 1000   /* fewest permutations (SCIENCE.md: >= 1000) */

typedef enum replay_rank_status {
    REPLAY_RANK_OK = 0,         /* rho, p and direction are defined */
    REPLAY_RANK_TOO_FEW = 1,    /* fewer than REPLAY_RANK_MIN_CELLS active cells with a field */
    REPLAY_RANK_NO_ORDER = 2    /* the active cells' field centres are all equal */
} replay_rank_status;

typedef struct replay_rank {
    replay_rank_status status;
    size_t n_cells;     /* active cells with a field */
    size_t n_perm;      /* permutations drawn (0 unless status is OK) */
    double rho;         /* Spearman rho, -1 .. 1; NAN unless OK */
    double p;           /* two-sided Monte-Carlo p-value; 1 unless OK */
    int direction;      /* +1 forward, -1 reverse, 0 (rho = 0 or not OK) */
} replay_rank;

/* ---- operations ---- */

/* Scores the event [start_ms, stop_ms) of the spikes (t_ms[i], ids[i]),
 * i < n (any order; ids < n_cells). field_center_cm[n_cells]: each cell's
 * field centre for one running direction (cm; NAN: no field). n_perm >=
 * REPLAY_RANK_MIN_PERM; event_id < 2^56 names the event's random stream.
 * Too few cells or no order among the centres is a result (out->status),
 * not an error. Returns HS_OK, HS_EINPUT (ids >= n_cells, n_perm too small,
 * a bad window or event_id) or HS_ENOMEM; *out is then filled as TOO_FEW
 * with n_cells 0. Thread-safe; allocates O(n_cells). */
int replay_rank_order(const double *t_ms, const uint32_t *ids, size_t n, double start_ms,
                      double stop_ms, const double *field_center_cm, size_t n_cells,
                      size_t n_perm, uint64_t seed, uint64_t event_id, replay_rank *out,
                      hs_error *err);

#endif
