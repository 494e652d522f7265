/* maze.c: circular track, T-maze and W-maze trajectories (maze.h). A lap
 * is a list of runs; a run is a list of legs (a segment run forwards or
 * backwards) followed by an optional pause. */
#include "maze.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/rng.h"

const char *const track_kind_names[4] = {"linear", "circular", "tmaze", "wmaze"};

static const double PI = 3.14159265358979323846;

enum { LEGS_MAX = 3, RUNS_MAX = 4 };

typedef struct maze_leg {
    uint8_t seg;
    int8_t dir;          /* +1 from the segment's first end point, -1 from its second */
} maze_leg;

typedef struct maze_run {
    maze_leg legs[LEGS_MAX];
    size_t n_legs;
    int pause;           /* pause at the end (a reward site) */
    int slow;            /* slow near the ends */
} maze_run;

void maze_params_default(maze_params *p, track_kind kind)
{
    *p = (maze_params){.kind = kind, .laps = 20.0, .speed_cm_s = 25.0,
                             .speed_sd_cm_s = 5.0, .ramp_cm = 20.0, .pause_s = 2.0};
    if (kind == TRACK_CIRCULAR) {
        p->length_cm = 200.0;
        p->pause_s = 0.0;
    } else if (kind == TRACK_TMAZE) {
        p->stem_cm = 100.0;
        p->arm_cm = 50.0;
    } else if (kind == TRACK_WMAZE) {
        p->arm_cm = 80.0;
        p->width_cm = 40.0;
    }
}

double maze_length(const maze_params *p)
{
    switch (p->kind) {
    case TRACK_CIRCULAR: return p->length_cm;
    case TRACK_TMAZE: return p->stem_cm + 2 * p->arm_cm;
    case TRACK_WMAZE: return 3 * p->arm_cm + 2 * p->width_cm;
    default: return 0.0;
    }
}

static void segment_add(track_traj *t, const char *name, double x0, double y0, double x1,
                        double y1, double radius)
{
    track_segment *s = &t->segments[t->n_segments];
    double off = t->n_segments ? s[-1].offset_cm + s[-1].length_cm : 0.0;
    *s = (track_segment){.x0_cm = x0, .y0_cm = y0, .x1_cm = x1, .y1_cm = y1,
                         .offset_cm = off, .radius_cm = radius};
    s->length_cm = radius > 0 ? 2 * PI * radius : hypot(x1 - x0, y1 - y0);
    strncpy(s->name, name, sizeof s->name - 1);
    t->n_segments++;
}

/* The segments of p's maze, in linearized order. */
static void maze_segments(const maze_params *p, track_traj *t)
{
    double a = p->arm_cm, w = p->width_cm, st = p->stem_cm;
    t->n_segments = 0;
    if (p->kind == TRACK_CIRCULAR) {
        segment_add(t, "loop", 0, 0, 0, 0, p->length_cm / (2 * PI));
        t->segments[0].length_cm = p->length_cm;
    } else if (p->kind == TRACK_TMAZE) {
        segment_add(t, "stem", 0, 0, 0, st, 0);
        segment_add(t, "left", 0, st, -a, st, 0);
        segment_add(t, "right", 0, st, a, st, 0);
    } else {
        segment_add(t, "center", 0, 0, 0, a, 0);
        segment_add(t, "top_left", 0, a, -w, a, 0);
        segment_add(t, "left", -w, a, -w, 0, 0);
        segment_add(t, "top_right", 0, a, w, a, 0);
        segment_add(t, "right", w, a, w, 0, 0);
    }
}

static maze_run run_make(int dir, int pause, int slow, size_t n, const uint8_t *segs)
{
    maze_run r = {.n_legs = n, .pause = pause, .slow = slow};
    for (size_t i = 0; i < n; i++)
        r.legs[i] = (maze_leg){segs[i], (int8_t)dir};
    return r;
}

/* The runs of lap l; returns how many. */
static size_t maze_route(const maze_params *p, size_t l, maze_run run[RUNS_MAX])
{
    enum { W_CENTER, W_TOP_LEFT, W_LEFT, W_TOP_RIGHT, W_RIGHT };
    if (p->kind == TRACK_CIRCULAR) {
        run[0] = run_make(1, p->pause_s > 0, p->pause_s > 0, 1, (const uint8_t[]){0});
        return 1;
    }
    if (p->kind == TRACK_TMAZE) {
        run[0] = run_make(1, 1, 1, 2, (const uint8_t[]){0, (uint8_t)(l % 2 ? 2 : 1)});
        return 1;
    }
    run[0] = run_make(1, 1, 1, 3, (const uint8_t[]){W_CENTER, W_TOP_LEFT, W_LEFT});
    run[1] = run_make(-1, 1, 1, 3, (const uint8_t[]){W_LEFT, W_TOP_LEFT, W_CENTER});
    run[2] = run_make(1, 1, 1, 3, (const uint8_t[]){W_CENTER, W_TOP_RIGHT, W_RIGHT});
    run[3] = run_make(-1, 1, 1, 3, (const uint8_t[]){W_RIGHT, W_TOP_RIGHT, W_CENTER});
    return 4;
}

static double run_length(const track_traj *t, const maze_run *r)
{
    double d = 0.0;
    for (size_t i = 0; i < r->n_legs; i++)
        d += t->segments[r->legs[i].seg].length_cm;
    return d;
}

/* Sample at of t: distance s into run r (of length len), direction dir. */
static void sample_put(track_traj *t, size_t at, const maze_run *r, double s, int dir,
                       uint32_t lap)
{
    size_t k = 0;
    while (k + 1 < r->n_legs && s >= t->segments[r->legs[k].seg].length_cm) {
        s -= t->segments[r->legs[k].seg].length_cm;
        k++;
    }
    const track_segment *sg = &t->segments[r->legs[k].seg];
    double d = fmin(s, sg->length_cm);
    double pos = sg->offset_cm + (r->legs[k].dir > 0 ? d : sg->length_cm - d);
    if (sg->radius_cm > 0 && pos >= t->length_cm)
        pos -= t->length_cm;                       /* the circle wraps */
    double x, y;
    track_segment_point(sg, pos, &x, &y);
    t->x_cm[at] = pos;
    t->dir[at] = (int8_t)dir;
    t->lap[at] = lap;
    t->segment[at] = r->legs[k].seg;
    t->x[at] = (float)x;
    t->y[at] = (float)y;
}

/* One run's samples, then its pause, appended from at. With t->n == 0
 * (counting) writes nothing. Returns how many. */
static size_t run_samples(const maze_params *p, track_traj *t, const maze_run *r,
                          double v, uint32_t lap, double sample_ms, size_t at)
{
    double len = run_length(t, r), s = 0.0, h = sample_ms * 1e-3;
    size_t k = 0;
    int write = t->n > 0;
    while (s < len) {
        if (write)
            sample_put(t, at + k, r, s, r->legs[0].dir, lap);
        k++;
        s += track_gait_speed(v, r->slow ? p->ramp_cm : 0.0, fmin(s, len - s)) * h;
    }
    if (!r->pause)
        return k;
    size_t pause = (size_t)llround(p->pause_s * 1e3 / sample_ms);
    for (size_t q = 0; q <= pause; q++, k++)
        if (write)
            sample_put(t, at + k, r, len, 0, lap);
    return k;
}

static int maze_check(const maze_params *p, const track_traj *geo, double sample_ms,
                      hs_error *err)
{
    if (p->kind != TRACK_CIRCULAR && p->kind != TRACK_TMAZE && p->kind != TRACK_WMAZE)
        return hs_error_set(err, HS_EINPUT, "not a maze kind: %d", (int)p->kind);
    for (size_t i = 0; i < geo->n_segments; i++)
        if (!(geo->segments[i].length_cm > 0) || geo->segments[i].length_cm > 1e6)
            return hs_error_set(err, HS_EINPUT, "the %s's lengths must be in (0, 1e6] cm",
                                track_kind_names[p->kind]);
    if (!(p->laps >= 1) || p->laps > 1e6 || p->laps != floor(p->laps))
        return hs_error_set(err, HS_EINPUT, "laps must be a whole number from 1 to 1e6");
    if (track_gait_check(p->speed_cm_s, p->speed_sd_cm_s, p->ramp_cm, p->pause_s, sample_ms,
                         err) != HS_OK)
        return HS_EINPUT;
    maze_run run[RUNS_MAX];
    size_t nr = maze_route(p, 0, run);
    for (size_t i = 0; i < nr; i++)
        if (run[i].slow && p->ramp_cm > run_length(geo, &run[i]) / 2)
            return hs_error_set(err, HS_EINPUT, "ramp_cm (%g cm) is more than half of a "
                                "run (%g cm)", p->ramp_cm, run_length(geo, &run[i]));
    return HS_OK;
}

/* Runs all laps, writing into t unless t->n == 0; returns the sample
 * count. v holds one speed per run. */
static size_t maze_walk(const maze_params *p, track_traj *t, const double *v,
                        double sample_ms)
{
    size_t at = 0, j = 0;
    maze_run run[RUNS_MAX];
    for (size_t l = 0; l < (size_t)p->laps; l++) {
        size_t nr = maze_route(p, l, run);
        for (size_t i = 0; i < nr; i++)
            at += run_samples(p, t, &run[i], v[j++], (uint32_t)l, sample_ms, at);
    }
    return at;
}

int maze_generate(const maze_params *p, double sample_ms, uint64_t seed,
                        track_traj *t, hs_error *err)
{
    memset(t, 0, sizeof *t);
    track_traj geo = {.length_cm = maze_length(p)};
    if (p->kind == TRACK_CIRCULAR || p->kind == TRACK_TMAZE || p->kind == TRACK_WMAZE)
        maze_segments(p, &geo);
    if (maze_check(p, &geo, sample_ms, err) != HS_OK)
        return HS_EINPUT;
    maze_run run[RUNS_MAX];
    size_t runs = (size_t)p->laps * maze_route(p, 0, run);
    double *v = malloc(runs * sizeof *v);
    if (!v)
        return hs_error_set(err, HS_ENOMEM, "out of memory for the trajectory");
    rng_state st;
    rng_stream_init(&st, seed, RNG_KIND_TRACK, 0, 0);
    gsl_rng r = rng_view(&st);
    for (size_t j = 0; j < runs; j++)
        v[j] = track_gait_draw(&r, p->speed_cm_s, p->speed_sd_cm_s);
    size_t n = maze_walk(p, &geo, v, sample_ms);
    if (track_traj_alloc(t, n, sample_ms, geo.length_cm) != HS_OK) {
        free(v);
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu trajectory samples", n);
    }
    t->n_segments = geo.n_segments;
    memcpy(t->segments, geo.segments, sizeof geo.segments);
    maze_walk(p, t, v, sample_ms);
    free(v);
    return HS_OK;
}
