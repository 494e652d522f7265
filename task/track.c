#include "track.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../base/rng.h"

static const double PI = 3.14159265358979323846;

void track_linear_params_default(track_linear_params *p)
{
    *p = (track_linear_params){200.0, 20.0, 25.0, 5.0, 20.0, 2.0, 0.0, 0.0};
}

void track_free(track_traj *t)
{
    if (!t)
        return;
    free(t->x_cm);
    free(t->dir);
    free(t->lap);
    free(t->segment);
    free(t->x);
    free(t->y);
    memset(t, 0, sizeof *t);
}

int track_traj_alloc(track_traj *t, size_t n, double sample_ms, double length_cm)
{
    memset(t, 0, sizeof *t);
    size_t m = n ? n : 1;
    t->x_cm = malloc(m * sizeof *t->x_cm);
    t->dir = malloc(m * sizeof *t->dir);
    t->lap = malloc(m * sizeof *t->lap);
    t->segment = malloc(m * sizeof *t->segment);
    t->x = malloc(m * sizeof *t->x);
    t->y = malloc(m * sizeof *t->y);
    if (!t->x_cm || !t->dir || !t->lap || !t->segment || !t->x || !t->y) {
        track_free(t);
        return HS_ENOMEM;
    }
    t->n = n;
    t->sample_ms = sample_ms;
    t->length_cm = length_cm;
    return HS_OK;
}

int track_gait_check(double speed_cm_s, double speed_sd_cm_s, double ramp_cm, double pause_s,
                     double sample_ms, hs_error *err)
{
    if (!(speed_cm_s > 0) || !(speed_sd_cm_s >= 0) || !(ramp_cm >= 0) || !(pause_s >= 0))
        return hs_error_set(err, HS_EINPUT, "speed_cm_s must be > 0; speed_sd_cm_s, ramp_cm "
                            "and pause_s >= 0");
    if (!(sample_ms > 0))
        return hs_error_set(err, HS_EINPUT, "the sample interval must be > 0 ms");
    return HS_OK;
}

double track_gait_draw(gsl_rng *r, double speed_cm_s, double speed_sd_cm_s)
{
    double x = speed_cm_s + gsl_ran_gaussian_ziggurat(r, speed_sd_cm_s);
    return fmin(fmax(x, 0.5 * speed_cm_s), 1.5 * speed_cm_s);
}

double track_gait_speed(double v_run, double ramp_cm, double d_cm)
{
    double ramp = ramp_cm > 0 ? fmin(1.0, d_cm / ramp_cm) : 1.0;
    return v_run * (0.2 + 0.8 * ramp);
}

static int linear_check(const track_linear_params *p, double sample_ms, hs_error *err)
{
    if (!(p->length_cm > 0) || !(p->laps >= 1) || p->laps > 1e6 || p->laps != floor(p->laps))
        return hs_error_set(err, HS_EINPUT, "a linear track needs length_cm > 0 and a whole "
                            "number of laps from 1 to 1e6");
    return track_gait_check(p->speed_cm_s, p->speed_sd_cm_s, p->ramp_cm, p->pause_s, sample_ms,
                            err);
}

void track_segment_point(const track_segment *s, double pos_cm, double *x, double *y)
{
    double d = pos_cm - s->offset_cm;
    if (s->radius_cm > 0) {
        double a = d / s->radius_cm - PI / 2;    /* from the bottom, counterclockwise */
        *x = s->x0_cm + s->radius_cm * cos(a);
        *y = s->y0_cm + s->radius_cm + s->radius_cm * sin(a);
        return;
    }
    double f = s->length_cm > 0 ? d / s->length_cm : 0.0;
    *x = s->x0_cm + f * (s->x1_cm - s->x0_cm);
    *y = s->y0_cm + f * (s->y1_cm - s->y0_cm);
}

void track_linear_draw(track_traj *t)
{
    t->n_segments = 1;
    t->segments[0] = (track_segment){.name = "track", .x1_cm = t->length_cm,
                                     .length_cm = t->length_cm};
    for (size_t i = 0; i < t->n; i++) {
        t->segment[i] = 0;
        t->x[i] = (float)t->x_cm[i];
        t->y[i] = 0.0f;
    }
}

/* One lap's samples: running, then the pause, appended from *at. With
 * out == NULL only counts. */
static size_t lap_samples(const track_linear_params *p, double v_lap, int dir, uint32_t lap,
                          double sample_ms, track_traj *out, size_t at)
{
    double s = 0.0, h = sample_ms * 1e-3;   /* s: distance run this lap */
    size_t k = 0;
    while (s < p->length_cm) {
        if (out) {
            out->x_cm[at + k] = dir > 0 ? s : p->length_cm - s;
            out->dir[at + k] = (int8_t)dir;
            out->lap[at + k] = lap;
        }
        k++;
        s += track_gait_speed(v_lap, p->ramp_cm, fmin(s, p->length_cm - s)) * h;
    }
    size_t pause = (size_t)llround(p->pause_s * 1e3 / sample_ms);
    for (size_t q = 0; q <= pause; q++, k++)
        if (out) {
            out->x_cm[at + k] = dir > 0 ? p->length_cm : 0.0;
            out->dir[at + k] = 0;
            out->lap[at + k] = lap;
        }
    return k;
}

static int lap_direction(const track_linear_params *p, size_t lap)
{
    int forward = p->one_way != 0 || lap % 2 == 0;
    return (forward ? 1 : -1) * (p->reverse != 0 ? -1 : 1);
}

int track_linear_generate(const track_linear_params *p, double sample_ms, uint64_t seed,
                          track_traj *t, hs_error *err)
{
    memset(t, 0, sizeof *t);
    if (linear_check(p, sample_ms, err) != HS_OK)
        return HS_EINPUT;
    size_t laps = (size_t)p->laps;
    double *v = malloc(laps * sizeof *v);
    if (!v)
        return hs_error_set(err, HS_ENOMEM, "out of memory for the trajectory");
    rng_state st;
    rng_stream_init(&st, seed, RNG_KIND_TRACK, 0, 0);
    gsl_rng r = rng_view(&st);
    size_t n = 0;
    for (size_t l = 0; l < laps; l++) {
        v[l] = track_gait_draw(&r, p->speed_cm_s, p->speed_sd_cm_s);
        int dir = lap_direction(p, l);
        n += lap_samples(p, v[l], dir, (uint32_t)l, sample_ms, NULL, 0);
    }
    if (track_traj_alloc(t, n, sample_ms, p->length_cm) != HS_OK) {
        free(v);
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu trajectory samples", n);
    }
    size_t at = 0;
    for (size_t l = 0; l < laps; l++) {
        int dir = lap_direction(p, l);
        at += lap_samples(p, v[l], dir, (uint32_t)l, sample_ms, t, at);
    }
    free(v);
    track_linear_draw(t);
    return HS_OK;
}

double track_duration_ms(const track_traj *t)
{
    return (double)t->n * t->sample_ms;
}

size_t track_index(const track_traj *t, double t_ms)
{
    double k = floor(t_ms / t->sample_ms);
    return k < 0 ? 0 : k >= (double)t->n ? t->n - 1 : (size_t)k;
}

/* Position at time tm (ms) by linear interpolation between samples. */
static double interp(const double *t_ms, const double *x, size_t n, size_t *k, double tm)
{
    while (*k + 1 < n && t_ms[*k + 1] <= tm)
        ++*k;
    if (*k + 1 >= n)
        return x[n - 1];
    double f = (tm - t_ms[*k]) / (t_ms[*k + 1] - t_ms[*k]);
    return x[*k] + f * (x[*k + 1] - x[*k]);
}

static void directions(track_traj *t)
{
    size_t half = (size_t)llround(50.0 / t->sample_ms);
    uint32_t lap = 0;
    int running = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t a = i > half ? i - half : 0, b = i + half < t->n ? i + half : t->n - 1;
        double v = b > a ? (t->x_cm[b] - t->x_cm[a]) / ((double)(b - a) * t->sample_ms * 1e-3)
                         : 0.0;
        int d = v > 1.0 ? 1 : v < -1.0 ? -1 : 0;
        if (d != 0 && running != 0 && d != running)
            lap++;
        if (d != 0)
            running = d;
        t->dir[i] = (int8_t)d;
        t->lap[i] = lap;
    }
}

int track_from_samples(const double *t_s, const double *x_cm, size_t n, double length_cm,
                       double sample_ms, track_traj *t, hs_error *err)
{
    memset(t, 0, sizeof *t);
    if (n < 2)
        return hs_error_set(err, HS_EINPUT, "a trajectory needs at least two samples");
    double *t_ms = malloc(n * sizeof *t_ms);
    if (!t_ms)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        t_ms[i] = (t_s[i] - t_s[0]) * 1e3;
    size_t m = (size_t)floor(t_ms[n - 1] / sample_ms) + 1;
    if (track_traj_alloc(t, m, sample_ms, length_cm) != HS_OK) {
        free(t_ms);
        return hs_error_set(err, HS_ENOMEM, "out of memory for %zu trajectory samples", m);
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        t->x_cm[i] = fmin(fmax(interp(t_ms, x_cm, n, &k, (double)i * sample_ms), 0.0),
                          length_cm);
    free(t_ms);
    directions(t);
    track_linear_draw(t);
    return HS_OK;
}
