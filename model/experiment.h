/* experiment.h: an experiment as typed structs: populations, projections,
 * recording, the schedule of phases, the task and the replay analysis. The
 * config loader (io/config.h) fills it from YAML, every value checked and
 * defaults filled; the kernel (sim/) builds and runs it. Nothing here reads
 * a file.
 */
#ifndef HS_EXPERIMENT_H
#define HS_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dist.h"
#include "../base/error.h"
#include "../neurons/neuron.h"
#include "../plasticity/scaling.h"
#include "../plasticity/stdp.h"
#include "../replay/drive.h"
#include "../task/maze.h"
#include "../task/task.h"
#include "../task/track.h"

#define HS_NAME_MAX 64
/* The longest synaptic delay, in steps (delays are stored in 16 bits). */
#define HS_MAX_DELAY_STEPS 65535


/* Where a thing was written, for errors found after loading. */
typedef struct hs_loc {
    int line, col;       /* 1-based; 0 when it came from a --set override */
} hs_loc;

typedef struct hs_pop_config {
    char name[HS_NAME_MAX];
    const neuron_type *model;
    uint64_t size;
    double params[HS_MAX_PARAMS];          /* model params struct, defaults filled */
    int has_init[NEURON_MAX_STATE];        /* 0: the model's resting value */
    hs_dist init[NEURON_MAX_STATE];
    /* spike_times sources: owned arrays (times sorted ascending by loader) */
    double *spike_t_ms;
    uint64_t *spike_ids;
    size_t n_spikes;
    int record_spikes;                     /* 1 if listed in recording.spikes */
    hs_loc loc;
} hs_pop_config;

typedef enum {
    HS_CONN_FIXED_PROBABILITY,
    HS_CONN_FIXED_INDEGREE,
    HS_CONN_ONE_TO_ONE,
    HS_CONN_ALL_TO_ALL
} hs_conn_rule;

/* STDP on a projection:
 *   plasticity: {rule: stdp_pair, interaction: all_to_all | nearest,
 *                params: {A_plus: 0.01, tau_plus: 20, w_max: 2, ...}}
 * Plastic projections need a constant delay (the synapse's timing is that
 * of its neurons' spikes, see stdp.h), and their initial weights must lie
 * within [w_min, w_max]. */
typedef struct hs_plast_config {
    const stdp_type *rule;          /* NULL: the projection is static */
    double params[HS_MAX_PARAMS];   /* the rule's params struct, defaults filled */
    int nearest;                    /* 1: nearest-spike, 0: all-to-all (default) */
    hs_loc loc;
} hs_plast_config;

/* Slow rules on a projection's weights (scaling.h), a list:
 *   homeostasis:
 *     - {rule: scaling_rate, params: {target_hz: 5, tau_ms: 10000}}
 *     - {rule: downscale, params: {rate_per_s: 0.05, spare_fraction: 0.1}} */
#define HS_MAX_HOMEOSTASIS 4
typedef struct hs_homeo_config {
    const scaling_type *rule;
    double params[HS_MAX_PARAMS];   /* the rule's params struct, defaults filled */
    hs_loc loc;
} hs_homeo_config;

typedef struct hs_proj_config {
    char name[HS_NAME_MAX];
    size_t pre, post;          /* population indices */
    int receptor;              /* index into post model's receptors */
    hs_conn_rule rule;
    double p;                  /* fixed_probability, [0, 1] */
    uint64_t indegree;         /* fixed_indegree, <= pre size (or size-1 without autapses) */
    int autapses;              /* only meaningful when pre == post */
    hs_dist weight;
    hs_dist delay_ms;
    hs_plast_config plast;
    hs_homeo_config homeo[HS_MAX_HOMEOSTASIS];
    size_t n_homeo;
    hs_loc loc;
} hs_proj_config;

/* The schedule: a list of phases run in order,
 *   schedule:
 *     - {name: learn, stage: wake, duration_ms: 2000}
 *     - {name: sleep, stage: nrem, duration_ms: 5000,
 *        gains: {ee: {stdp: 0, downscale: 1}}}
 * stage is wake, rest, nrem or rem. gains maps a projection to a gain per
 * rule on it ("stdp" for its plasticity, or a homeostasis rule's name);
 * a gain multiplies the rule's learning rate, 0 switches it off; absent
 * gains are 1. Without a schedule the run is one phase {name: run, stage:
 * wake} of simulation.duration_ms; with one, simulation.duration_ms must be
 * absent and the duration is the phases' sum. The gain of the k-th
 * homeostasis rule of projection p is homeo_gain[p * HS_MAX_HOMEOSTASIS + k];
 * the arrays hold at least one slot even without projections.
 *
 * The rest of a phase's settings (the sleep stages' knobs, DESIGN.md "The
 * experiment protocol"):
 *   gains: {ee: {transmission: 0.8}}     recurrent gain (acetylcholine): the
 *                                        projection's weights act x 0.8
 *   set: {pc: {b_g: 3}}                  a population's parameters for the
 *                                        phase (adaptation, noise rate, ...)
 *   drive: {noise: {pattern: slow_oscillation, up_ms: 800, down_ms: 250}}
 *   drive: {noise: {pattern: theta, freq_hz: 7, depth: 1}}
 *                                        a Poisson population's rate envelope
 *                                        (replay/drive.h)
 *   shuffle: [ee]                        the projection's weights permuted among
 *                                        its synapses as the phase starts (a
 *                                        control that keeps every weight but
 *                                        no structure)
 * Unset, a parameter keeps its populations: value, transmission is 1 and
 * there is no drive. A list item {repeat: n, phases: [...]} runs its phases
 * n times, named <name>_1 .. <name>_n (sleep cycles). */
#define HS_STAGE_MAX 8
typedef struct hs_phase_config {
    char name[HS_NAME_MAX];
    char stage[HS_STAGE_MAX];       /* wake, rest, nrem, rem */
    double duration_ms;             /* a whole number of steps, >= 1 */
    double *stdp_gain;              /* [n_projs], owned */
    double *homeo_gain;             /* [n_projs * HS_MAX_HOMEOSTASIS], owned */
    double *transmission;           /* [n_projs], owned: weights x this when delivered */
    double *pop_params;             /* [n_pops * HS_MAX_PARAMS], owned: each
                                       population's params in the phase */
    drive_params *drive;            /* [n_pops], owned: kind DRIVE_NONE but for poisson */
    uint8_t *shuffle;               /* [n_projs], owned: 1 = permute the projection's
                                       weights among its synapses at the phase start */
    int elsewhere;                  /* a wake phase left out of replay.fields_from */
    hs_loc loc;
} hs_phase_config;

/* Weight snapshots of a projection: at every phase boundary (start of the
 * run, end of each phase) and, when interval_ms > 0, every interval_ms:
 *   recording: {weights: {ee: {interval_ms: 1000}}} */
typedef struct hs_weight_config {
    size_t proj;
    double interval_ms;             /* 0: phase boundaries only; else a multiple of dt */
    hs_loc loc;
} hs_weight_config;

typedef struct hs_trace_config {
    size_t pop;                /* population index */
    int var;                   /* state variable index */
    uint64_t *ids;             /* owned, ascending, unique, < size */
    size_t n_ids;
    double interval_ms;        /* a whole multiple of dt, >= dt */
    hs_loc loc;
} hs_trace_config;

/* The task: where the rat runs (task/task.h), for place_cells populations.
 *   task:
 *     track: linear          linear | circular | tmaze | wmaze (task/maze.h)
 *     length_cm: 200, laps: 20, speed_cm_s: 25, speed_sd_cm_s: 5,
 *     ramp_cm: 20, pause_s: 2, one_way: false, reverse: false   (track_linear_params;
 *                                   the mazes' parameters are maze_params)
 *     trajectory: {csv: rat.csv}   optional, linear only: a tracked rat instead
 *                                   of laps (t s, x cm, y cm), or
 *     trajectory: {h5: rat.h5, t: /rat/t, x: /rat/x}  1-D datasets, t in s, x in cm
 *                                   (paths relative to the YAML)
 * The trajectory starts with the run; after its end the rat rests where it
 * stopped. Its times increase, its times and positions are finite, and it
 * spans at most 100000 s. laps is whole and ramp_cm at most length_cm / 2; the CSV is read
 * by trajectory_read_csv (task/trajectory.h) while loading, and its errors
 * are reported at the csv value ("task.trajectory.csv: rat.csv:3: ..."). */
typedef struct hs_task_config {
    int present;                    /* 0: no task section */
    track_kind kind;                /* task.track */
    track_linear_params linear;     /* TRACK_LINEAR: defaults from
                                       track_linear_params_default */
    maze_params maze;               /* other kinds: defaults from
                                       maze_params_default */
    double *csv_t_s, *csv_x_cm;     /* owned: the tracked samples, or NULL */
    size_t csv_n;
    char *csv_path;                 /* owned: the csv path as written in the YAML
                                       (relative to it), for config_print; or NULL */
    char *h5_path, *h5_t, *h5_x;    /* owned: the HDF5 file and its datasets, or NULL */
    hs_loc loc;
} hs_task_config;

/* Replay detection at the end of the run (replay/analysis.h; SCIENCE.md
 * "Replay detection"), optional:
 *   replay:
 *     population: pc     (required) the excitatory population analysed; it
 *                        must be in recording.spikes
 *     n_perm: 1000       rank-order permutations, [1000, 1e7]
 *     n_shuffle: 500     decoding shuffles of each kind, [500, 1e6]
 *     bin_cm: 2.5        position bin, (0, the track's length]
 *     tbin_ms: 15        decoding time bin, (0, 1000]
 *     alpha: 0.05        rank-order significance level, (0, 0.5]
 *     template_bin_ms: 500   REM template bin (replay/template.h), (0, 10000]
 *     template_shuffles: 200 cell-identity shuffles per time-scale factor,
 *                        [180, 1e6] (>= 20 x the 9 factors)
 * It needs a task on a linear track: the place fields come from the rat's
 * runs on it. Without the section no replay is detected. */
typedef struct hs_replay_config {
    int present;                    /* 0: no replay section */
    size_t pop;                     /* the analysed population */
    uint64_t n_perm;                /* 1000 (Lee & Wilson 2002; SCIENCE.md >= 1000) */
    uint64_t n_shuffle;             /* 500 (Davidson et al. 2009; SCIENCE.md >= 500) */
    double bin_cm;                  /* 2.5 (SCIENCE.md: 2-5 cm) */
    double tbin_ms;                 /* 15 (SCIENCE.md: 10-20 ms) */
    double alpha;                   /* 0.05 (SCIENCE.md) */
    double template_bin_ms;         /* 500 (Louie & Wilson 2001 used 0.5-1 s bins) */
    uint64_t template_shuffles;     /* 200 (>= 20 n_factors: replay/template.h) */
    hs_loc loc;
} hs_replay_config;

typedef struct hs_config {
    char *path;                /* the YAML file as given */
    char *text;                /* its full text, written to /meta */
    char *overrides;           /* the --set strings, newline-separated, or NULL */
    double dt_ms;
    double duration_ms;
    uint64_t seed;
    int threads;
    int skip_quiet;            /* event-driven skipping of quiet neurons (default 1) */
    double max_rate_hz;        /* a population's mean rate above it over */
    double max_rate_window_ms; /*   this window stops the run (0: never) */
    hs_pop_config *pops;
    size_t n_pops;
    hs_proj_config *projs;
    size_t n_projs;
    hs_trace_config *traces;
    size_t n_traces;
    hs_phase_config *phases;       /* >= 1 */
    size_t n_phases;
    hs_weight_config *weights;
    size_t n_weights;
    hs_task_config task;
    hs_replay_config replay;
} hs_config;

/* Frees c and everything it owns. experiment_free(NULL) does nothing. */
void experiment_free(hs_config *c);

/* Index of a population by name, or -1. */
int experiment_pop_find(const hs_config *c, const char *name);

/* Index of a projection by name, or -1. */
int experiment_proj_find(const hs_config *c, const char *name);

/* The rat's trajectory of c's task (task.h) for c->seed into *t; without a
 * task section, an empty one (t->n = 0). Errors as task_trajectory_build's,
 * HS_EINPUT located at the task section ("file:line:col: task: ..."). */
int experiment_trajectory(const hs_config *c, track_traj *t, hs_error *err);

#endif
