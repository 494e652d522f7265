#include "scaling.h"

#include <math.h>
#include <string.h>

/* Defaults: a slow scaling (hours in vivo, Turrigiano 1998; here tens of
 * seconds so a model shows it) and a downscaling of 1 %/s, about 18 % in
 * 20 s of NREM (de Vivo 2017 report ~18 % over hours of sleep): the model
 * compresses time. */
static const hs_param_desc rate_desc[] = {
    {"target_hz", "Hz", offsetof(scaling_rate_params, target_hz), 5.0, 1e-3, 1e4,
     "target firing rate"},
    {"tau_ms", "ms", offsetof(scaling_rate_params, tau_ms), 10000.0, 1.0, 1e12,
     "time constant of the scaling"},
    {"avg_tau_ms", "ms", offsetof(scaling_rate_params, avg_tau_ms), 1000.0, 1.0, 1e12,
     "window of the rate estimate"},
    {"interval_ms", "ms", offsetof(scaling_rate_params, interval_ms), 100.0, 1e-3, 1e12,
     "clock of the rule"},
};

static const hs_param_desc down_desc[] = {
    {"rate_per_s", "1/s", offsetof(downscale_params, rate_per_s), 0.01, 0.0, 1e3,
     "multiplicative decay rate"},
    {"spare_fraction", "", offsetof(downscale_params, spare_fraction), 0.0, 0.0, 0.999,
     "strongest fraction of weights kept"},
    {"target_total", "", offsetof(downscale_params, target_total), 0.0, 0.0, 1e12,
     "hold each neuron's total input weight (0: off)"},
    {"interval_ms", "ms", offsetof(downscale_params, interval_ms), 100.0, 1e-3, 1e12,
     "clock of the rule"},
};

static int rate_check(const void *params, hs_error *err)
{
    const scaling_rate_params *p = params;
    if (p->avg_tau_ms < p->interval_ms)
        return hs_error_set(err, HS_EINPUT,
                            "avg_tau_ms (%g ms) must be at least interval_ms (%g ms)",
                            p->avg_tau_ms, p->interval_ms);
    return HS_OK;
}

static int down_check(const void *params, hs_error *err)
{
    const downscale_params *p = params;
    if (p->target_total > 0 && p->spare_fraction > 0)
        return hs_error_set(err, HS_EINPUT,
                            "spare_fraction and target_total exclude each other");
    return HS_OK;
}

static double rate_interval(const void *params)
{
    return ((const scaling_rate_params *)params)->interval_ms;
}

static double rate_init(const void *params)
{
    return ((const scaling_rate_params *)params)->target_hz;
}

static double spare_none(const void *params)
{
    (void)params;
    return 0.0;
}

/* r <- r e^{-T/avg_tau} + s (1 - e^{-T/avg_tau}), s the rate of the count;
 * weights x exp(gain T/tau (target - r)/target), within [1/2, 2]. */
static int rate_turn(const void *params, double gain, double T_ms, double *rate,
                     uint32_t count, double threshold, scaling_turn *out)
{
    (void)threshold;
    const scaling_rate_params *p = params;
    double keep = exp(-T_ms / p->avg_tau_ms);
    double sample = count / (T_ms * 1e-3);
    *rate = *rate * keep + sample * (1.0 - keep);
    if (!(gain > 0))
        return 0;
    double f = exp(gain * T_ms / p->tau_ms * (p->target_hz - *rate) / p->target_hz);
    *out = (scaling_turn){f < 0.5 ? 0.5 : f > 2.0 ? 2.0 : f, INFINITY, 0.0};
    return 1;
}

static double down_interval(const void *params)
{
    return ((const downscale_params *)params)->interval_ms;
}

static double down_spare(const void *params)
{
    return ((const downscale_params *)params)->spare_fraction;
}

/* weights below the threshold x exp(-gain rate T), or their sum to
 * target_total */
static int down_turn(const void *params, double gain, double T_ms, double *rate,
                     uint32_t count, double threshold, scaling_turn *out)
{
    (void)rate;
    (void)count;
    const downscale_params *p = params;
    if (gain <= 0)
        return 0;
    if (p->target_total > 0)
        *out = (scaling_turn){1.0, INFINITY, p->target_total};
    else
        *out = (scaling_turn){exp(-gain * p->rate_per_s * T_ms * 1e-3), threshold, 0.0};
    return 1;
}

const scaling_type scaling_rate = {
    "scaling_rate", "homeostatic synaptic scaling toward a target rate (Turrigiano 1998)",
    rate_desc, sizeof rate_desc / sizeof rate_desc[0], sizeof(scaling_rate_params), rate_check,
    rate_interval, 1, rate_init, spare_none, rate_turn,
};

const scaling_type scaling_downscale = {
    "downscale", "multiplicative sleep downscaling, sparing the strongest (de Vivo 2017)",
    down_desc, sizeof down_desc / sizeof down_desc[0], sizeof(downscale_params), down_check,
    down_interval, 0, NULL, down_spare, down_turn,
};

const scaling_type *const scaling_types[] = {&scaling_rate, &scaling_downscale, NULL};

const scaling_type *scaling_type_find(const char *name)
{
    for (size_t i = 0; scaling_types[i]; i++)
        if (strcmp(scaling_types[i]->name, name) == 0)
            return scaling_types[i];
    return NULL;
}
