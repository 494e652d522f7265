/* place_cells: hippocampal place-cell input driven by the rat's trajectory
 * (task/track.h, seen through neuron_path), with theta phase precession
 * (O'Keefe & Recce 1993;
 * Skaggs et al. 1996), as the input layer of Ecker et al. 2022.
 *
 * The first round(field_fraction n) cells have a field; their centres
 * tile the track in id order, c_i = (i + 1/2) L / n_field. Cell i fires as
 * an inhomogeneous Poisson process of rate
 *     r = peak_hz G (1 + cos(2 pi theta_hz t - phi)) + out_hz,
 *     G = exp(-(x - c)^2 / (2 sigma^2)),
 * while the rat runs in the field's direction (out_hz alone when it rests
 * or runs the other way). Averaged over a theta cycle the rate at the
 * centre is peak_hz. The preferred phase falls across the field:
 *     phi = precession/2 (1 - 2 p),  p = (d (x - c) + 2 sigma) / (4 sigma)
 * clipped to [0, 1], d the running direction: the rat enters the field
 * firing late in the cycle and leaves it firing early (a negative slope of
 * phase against position). directional: 0 fields fire in both directions,
 * 1 only running toward the track's end, 2 even ids one way and odd ids
 * the other. Cells without a field fire at out_hz.
 *
 * environment k > 0 remaps the fields at random (global remapping in
 * another environment; Leutgeb et al. 2005): cell perm[j] takes the field
 * of slot j, perm a permutation of the cells drawn from the stream (seed,
 * population, k), so which cells have fields and in what order changes,
 * the fields themselves do not. A phase may set it; 0 is the id order.
 *
 * The rat's trajectory has its own clock (neuron_control): it runs while
 * the rat is on the track, holds in quiet rest (the rat still: out_hz) and
 * the cells are silent while the rat sleeps off the track. Without control
 * the trajectory clock is the run's.
 *
 * Spikes are drawn by thinning: candidate spikes at r_max = 2 peak_hz +
 * out_hz (geometric gaps), each kept with probability r / r_max, from the
 * cell's own stream (seed, population, cell).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../base/rng.h"
#include "neuron.h"
#include "place_cells.h"

#define PLACE_PI 3.14159265358979323846

typedef struct place_params {
    double field_fraction, sigma_cm, peak_hz, out_hz, theta_hz, precession_deg, directional,
        environment;
} place_params;

/* Defaults: Ecker et al. 2022 (half the cells with fields, sigma 7 cm,
 * 20 Hz, 0.1 Hz outside, 7 Hz theta, 180 degrees of precession). */
static const hs_param_desc place_desc[] = {
    {"field_fraction", "", offsetof(place_params, field_fraction), 0.5, 0.0, 1.0,
     "fraction of cells with a place field"},
    {"sigma_cm", "cm", offsetof(place_params, sigma_cm), 7.0, 0.1, 1e4, "field width (sd)"},
    {"peak_hz", "Hz", offsetof(place_params, peak_hz), 20.0, 0.0, 1e3,
     "theta-averaged rate at the field centre"},
    {"out_hz", "Hz", offsetof(place_params, out_hz), 0.1, 0.0, 1e3, "rate outside fields"},
    {"theta_hz", "Hz", offsetof(place_params, theta_hz), 7.0, 0.0, 100.0, "theta frequency"},
    {"precession_deg", "deg", offsetof(place_params, precession_deg), 180.0, 0.0, 360.0,
     "phase advance across a field"},
    {"directional", "", offsetof(place_params, directional), 1.0, 0.0, 2.0,
     "0 both directions, 1 toward the end only, 2 half each"},
    {"environment", "", offsetof(place_params, environment), 0.0, 0.0, 1e6,
     "field layout: 0 in id order, k > 0 a random remapping of it"},
};

typedef struct place_plan {
    place_params p;
    double dt, r_max, p_cand;   /* candidate rate and its probability per step */
} place_plan;

typedef struct place_ext {
    const neuron_path *path;
    double *center;     /* [n] cm; NAN: no field */
    int8_t *dir;        /* [n] +1, -1, or 0 (both) */
    uint64_t *next;     /* [n] step of the next candidate spike */
    rng_state *rng;     /* [n] */
    neuron_rat rat;
    uint64_t path_step; /* trajectory time is path_ms + (step + 1 - path_step) dt */
    double path_ms;
    double p_cand;      /* the plan's p_cand the next candidates were drawn with */
    double environment; /* of the layout in center and dir */
    uint64_t seed;
    uint32_t pop_index;
    size_t *perm;       /* [n] cell of slot j (scratch of layout) */
} place_ext;

static int place_plan_init(void *vplan, const void *vparams, double dt, hs_error *err)
{
    place_plan *q = vplan;
    q->p = *(const place_params *)vparams;
    q->dt = dt;
    q->r_max = 2.0 * q->p.peak_hz + q->p.out_hz;
    q->p_cand = -expm1(-q->r_max * dt * 1e-3);
    if (q->p_cand > 0.5)
        return hs_error_set(err, HS_EINPUT, "peak_hz (%g Hz) is too high for dt (%g ms)",
                            q->p.peak_hz, dt);
    q->p.directional = round(q->p.directional);
    q->p.environment = round(q->p.environment);
    return HS_OK;
}

static uint64_t candidate_gap(const place_plan *q, rng_state *s)
{
    if (q->p_cand <= 0.0)
        return UINT64_MAX;
    gsl_rng r = rng_view(s);
    return rng_geometric(&r, q->p_cand);
}

static void ext_free_all(place_ext *e)
{
    free(e->center);
    free(e->dir);
    free(e->perm);
    free(e->next);
    free(e->rng);
    free(e);
}

/* Lays out the fields of q's environment over the n_alloc cells: slot j's
 * field (id order) goes to cell perm[j], the padding keeps its slot. */
static void layout(const place_plan *q, place_ext *e, size_t n, size_t n_alloc)
{
    e->environment = q->p.environment;
    for (size_t i = 0; i < n; i++)
        e->perm[i] = i;
    if (q->p.environment > 0 && n > 0) {
        rng_state st;
        rng_stream_init(&st, e->seed, RNG_KIND_REMAP, e->pop_index,
                        (uint32_t)q->p.environment);
        gsl_rng r = rng_view(&st);
        gsl_ran_shuffle(&r, e->perm, n, sizeof *e->perm);
    }
    size_t n_field = (size_t)llround(q->p.field_fraction * (double)n);
    for (size_t j = 0; j < n_alloc; j++) {
        size_t i = j < n ? e->perm[j] : j;
        e->center[i] = j < n_field ? ((double)j + 0.5) * e->path->length_cm / (double)n_field
                                   : NAN;
        e->dir[i] = q->p.directional == 0 ? 0 : q->p.directional == 1 ? 1 : j % 2 ? -1 : 1;
    }
}

static int place_ext_alloc(neuron_pop *pop, const void *vplan, const neuron_source_data *data,
                           uint64_t seed, uint32_t pop_index, hs_error *err)
{
    const place_plan *q = vplan;
    if (!data || !data->path)
        return hs_error_set(err, HS_EINPUT, "place cells need a trajectory (a task)");
    place_ext *e = calloc(1, sizeof *e);
    if (e) {
        e->center = malloc(pop->n_alloc * sizeof *e->center);
        e->dir = malloc(pop->n_alloc * sizeof *e->dir);
        e->next = malloc(pop->n_alloc * sizeof *e->next);
        e->rng = malloc(pop->n_alloc * sizeof *e->rng);
        e->perm = malloc(pop->n_alloc * sizeof *e->perm);
    }
    if (!e || !e->center || !e->dir || !e->next || !e->rng || !e->perm) {
        if (e)
            ext_free_all(e);
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu place cells", pop->n);
    }
    e->path = data->path;
    e->seed = seed;
    e->pop_index = pop_index;
    layout(q, e, pop->n, pop->n_alloc);
    for (size_t i = 0; i < pop->n_alloc; i++) {
        rng_stream_init(&e->rng[i], seed, RNG_KIND_SOURCE, pop_index, (uint32_t)i);
        uint64_t gap = i < pop->n ? candidate_gap(q, &e->rng[i]) : UINT64_MAX;
        e->next[i] = gap == UINT64_MAX ? UINT64_MAX : gap - 1;
    }
    e->p_cand = q->p_cand;
    pop->ext = e;
    return HS_OK;
}

static void place_ext_free(neuron_pop *pop)
{
    ext_free_all(pop->ext);
    pop->ext = NULL;
}

/* The rate of cell i with the rat at x running in direction d at t_ms. */
static double rate(const place_plan *q, const place_ext *e, size_t i, double x, int d,
                   double t_ms)
{
    double c = e->center[i];
    if (isnan(c) || d == 0 || (e->dir[i] != 0 && e->dir[i] != d))
        return q->p.out_hz;
    double s = q->p.sigma_cm, u = x - c;
    double g = exp(-u * u / (2.0 * s * s));
    double prog = fmin(fmax((d * u + 2.0 * s) / (4.0 * s), 0.0), 1.0);
    double phi = q->p.precession_deg * (PLACE_PI / 180.0) * 0.5 * (1.0 - 2.0 * prog);
    double theta = 2.0 * PLACE_PI * q->p.theta_hz * t_ms * 1e-3;
    return q->p.peak_hz * g * (1.0 + cos(theta - phi)) + q->p.out_hz;
}

static size_t place_update(const void *vplan, neuron_pop *pop, size_t lo, size_t hi,
                           uint64_t step, double *const *rx, uint32_t *spikes)
{
    (void)rx;
    const place_plan *q = vplan;
    place_ext *e = pop->ext;
    if (e->rat == NEURON_RAT_AWAY)
        return 0;
    double t_ms = (double)(step + 1) * q->dt;
    double traj_ms = e->rat == NEURON_RAT_STILL
                         ? e->path_ms
                         : e->path_ms + (double)(step + 1 - e->path_step) * q->dt;
    size_t k = neuron_path_index(e->path, traj_ms), ns = 0;
    double x = e->path->x_cm[k];
    int d = e->rat == NEURON_RAT_STILL ? 0 : e->path->dir[k];
    for (size_t i = lo; i < hi; i++) {
        if (e->next[i] != step)
            continue;
        uint64_t gap = candidate_gap(q, &e->rng[i]);
        e->next[i] = gap == UINT64_MAX ? UINT64_MAX : step + gap;
        gsl_rng r = rng_view(&e->rng[i]);
        if (gsl_rng_uniform(&r) * q->r_max < rate(q, e, i, x, d, t_ms))
            spikes[ns++] = (uint32_t)i;
    }
    return ns;
}

static void place_control(const void *vplan, neuron_pop *pop, const neuron_control *ctl)
{
    const place_plan *q = vplan;
    place_ext *e = pop->ext;
    neuron_rat was = e->rat;
    if (q->p.environment != e->environment)
        layout(q, e, pop->n, pop->n_alloc);
    e->rat = ctl->rat;
    e->path_step = ctl->step;
    e->path_ms = ctl->path_ms;
    /* Back on the track (candidates were not drawn while off it) or a new
     * rate: draw anew. */
    if (e->rat == NEURON_RAT_AWAY || (was != NEURON_RAT_AWAY && q->p_cand == e->p_cand))
        return;
    e->p_cand = q->p_cand;
    for (size_t i = 0; i < pop->n; i++) {
        uint64_t gap = candidate_gap(q, &e->rng[i]);
        e->next[i] = gap == UINT64_MAX ? UINT64_MAX : ctl->step + gap - 1;
    }
}

_Static_assert(sizeof(neuron_rat) == sizeof(int32_t), "the rat's state is saved as int32");

static size_t place_ext_state(neuron_pop *pop, neuron_ext_array *out)
{
    place_ext *e = pop->ext;
    out[0] = (neuron_ext_array){"next", STATE_U64, e->next, pop->n_alloc, 1};
    out[1] = (neuron_ext_array){"rng", STATE_U32, e->rng, pop->n_alloc * RNG_STATE_WORDS,
                                RNG_STATE_WORDS};
    out[2] = (neuron_ext_array){"p_cand", STATE_F64, &e->p_cand, 1, 0};
    out[3] = (neuron_ext_array){"rat", STATE_I32, &e->rat, 1, 0};
    out[4] = (neuron_ext_array){"path_step", STATE_U64, &e->path_step, 1, 0};
    out[5] = (neuron_ext_array){"path_ms", STATE_F64, &e->path_ms, 1, 0};
    return 6;
}

void place_cells_fields(const void *vplan, const neuron_pop *p, double *center_cm,
                        double *width_cm, double *peak_hz, int8_t *direction)
{
    const place_plan *q = vplan;
    const place_ext *e = p->ext;
    for (size_t i = 0; i < p->n; i++) {
        center_cm[i] = e->center[i];
        width_cm[i] = isnan(e->center[i]) ? NAN : q->p.sigma_cm;
        peak_hz[i] = isnan(e->center[i]) ? q->p.out_hz : q->p.peak_hz;
        direction[i] = e->dir[i];
    }
}

const neuron_type neuron_place_cells = {
    .name = "place_cells",
    .doc = "place cells with theta phase precession on the rat's trajectory",
    .is_source = 1,
    .params = place_desc,
    .n_params = sizeof place_desc / sizeof place_desc[0],
    .params_size = sizeof(place_params),
    .plan_size = sizeof(place_plan),
    .plan_init = place_plan_init,
    .ext_alloc = place_ext_alloc,
    .ext_free = place_ext_free,
    .ext_state = place_ext_state,
    .update = place_update,
    .control = place_control,
};
