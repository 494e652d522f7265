/* config.h: an experiment file, read and checked, as typed structs.
 *
 * The YAML is read with libyaml into a tree that keeps every node's line and
 * column; duplicate keys, unknown keys, wrong types, out-of-range values and
 * missing required fields are errors "file:line:col: key.path: message"
 * (HS_EINPUT). `--set key.path=value` overrides are applied to the tree
 * before it is checked, and an error in one names the override:
 * "--set populations.exc.size=abc: populations.exc.size: expected an integer".
 *
 * Schema (units are part of the key names where a number has one):
 *
 *   simulation:            (required)
 *     dt_ms: 0.1           step, (0, 10]
 *     duration_ms: 1000    (0, 1e12]  biological time of the run (or a schedule)
 *     seed: 1              0 .. 2^63-1
 *     threads: 1           1 .. 1024 (the CLI's --threads wins)
 *   populations:           (required) mapping name -> population, file order kept
 *     exc:
 *       model: lif_coba    a name in the neuron registry
 *       size: 3200         1 .. 2^32-1
 *       params: {tau_m: 20, ...}   keys of the model's parameter table
 *       init: {V_m: -60, g_ex: {dist: normal, mean: 4, sd: 1.5}}  state vars
 *       spikes: {times_ms: [...], ids: [...]}     spike_times only, or
 *       spikes: {file: in.h5, times: /a/t, ids: /a/ids}  (path relative to the YAML)
 *   projections:           (optional) mapping name -> projection
 *     ee:
 *       pre: exc           a population (sources allowed)
 *       post: exc          a population that is not a source
 *       receptor: ex       a receptor of post's model
 *       connect: {rule: fixed_probability, p: 0.02, autapses: true}
 *              | {rule: fixed_indegree, indegree: 80, autapses: false}
 *              | {rule: one_to_one} (sizes must match) | {rule: all_to_all, autapses: true}
 *       weight: 6.0        or a distribution (unit: the receptor's, nS or pA)
 *       delay_ms: 0.1      or a distribution; rounded to whole steps, >= 1 step
 *       plasticity:        (optional) STDP, see hs_plast_config
 *         rule: stdp_pair  a name in the STDP registry (plasticity/stdp.h)
 *         interaction: all_to_all | nearest
 *         params: {A_plus: 0.01, w_max: 2}   keys of the rule's parameter table
 *       homeostasis:       (optional) list of slow rules, see hs_homeo_config
 *         - {rule: downscale, params: {rate_per_s: 0.05}}   scaling.h registry
 *   recording:             (optional)
 *     spikes: [exc, inh]   populations whose spikes are written (default: all)
 *     traces:              mapping population -> one recorded variable
 *       exc: {variable: V_m, ids: [0, 1, 2], interval_ms: 0.1}
 *     weights:             mapping projection -> weight snapshots
 *       ee: {interval_ms: 1000}   0: at phase boundaries only
 *   schedule:              (optional) list of phases, see hs_phase_config
 *     - {name: learn, stage: wake, duration_ms: 2000, gains: {ee: {stdp: 1}}}
 *   task:                  (optional; needed by place_cells) see hs_task_config
 *     track: linear        linear | circular | tmaze | wmaze (sim/maze.h)
 *     length_cm: 200       (0, 1e6]   linear, circular
 *     stem_cm: 100         (0, 1e6]   tmaze
 *     arm_cm: 50           (0, 1e6]   tmaze; wmaze (80)
 *     width_cm: 40         (0, 1e6]   wmaze
 *     laps: 20             [1, 1e6], whole
 *     speed_cm_s: 25       (0, 1e3]
 *     speed_sd_cm_s: 5     [0, 1e3]
 *     ramp_cm: 20          [0, length_cm / 2]
 *     pause_s: 2           [0, 1e4]
 *     one_way: false                  linear only, as reverse
 *     trajectory: {csv: rat.csv}   (path relative to the YAML; linear only)
 *   A parameter of another track's kind is an error at its key; the
 *   circular track's pause_s defaults to 0.
 *   replay:                (optional; needs a linear task) see hs_replay_config
 *     population: pc       a population in recording.spikes (required)
 *     n_perm: 1000, n_shuffle: 500, bin_cm: 2.5, tbin_ms: 15, alpha: 0.05
 *     fields_from: [run]   the wake phases on this track (default: all);
 *                          the others ran elsewhere (another environment)
 *
 * A distribution is a number or {dist: constant, value: v}
 * | {dist: uniform, low: a, high: b} | {dist: normal, mean: m, sd: s,
 * low: a, high: b} (normal clipped to [low, high] by redrawing; low/high
 * optional, default -inf/+inf).
 *
 * Required: simulation.duration_ms, unless there is a schedule (then it
 * must be absent); a population's model and size (and spikes for
 * spike_times); a projection's pre, post, receptor, connect (with rule and
 * its p or indegree) and weight; a plasticity's or homeostasis rule's rule;
 * a trace's variable and ids; a phase's name, stage and duration_ms; a
 * task's track and a trajectory's csv; a task when a population is
 * place_cells.
 * Defaults: dt_ms 0.1, seed 1, threads 1, params from the model's (rule's)
 * table, autapses true, delay_ms 1 (NEST's; one step if dt_ms is longer),
 * interaction all_to_all, trace interval_ms one step, weights interval_ms
 * 0, recording.spikes every population, gains 1, the task's numbers from
 * track_linear_params_default (sim/track.h). A key with an empty value
 * counts as an empty mapping or list where one is expected.
 * Further rules: names (of populations, projections, phases) are
 * [A-Za-z_][A-Za-z0-9_-]*, < HS_NAME_MAX; phase names are unique; a
 * schedule expands to at most 10^6 phases, whose settings (every
 * population's parameters, every projection's gains) take at most 1 GB; weights
 * onto nS receptors are >= 0 (so is w_min of a rule on one); every delay a
 * distribution can draw is >= dt; a clipped normal keeps >= 5% of its mass
 * in [low, high]; spike times are >= 0; trace ids are unique; a rule on a
 * projection appears once; intervals (trace, weights > 0, a homeostasis
 * rule's interval_ms) are whole multiples of dt; phase durations round to
 * whole steps, >= 1; gains are >= 0 and name rules on their projection.
 * Anchors, aliases, tags other than !!str, nesting deeper than 32 levels and
 * override key paths of more than 32 keys are rejected.
 */
#ifndef HS_CONFIG_H
#define HS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../neurons/neuron.h"
#include "../plasticity/scaling.h"
#include "../plasticity/stdp.h"
#include "../replay/drive.h"
#include "../sim/error.h"
#include "../sim/maze.h"
#include "../sim/track.h"

#define HS_NAME_MAX 64
/* The longest synaptic delay, in steps (delays are stored in 16 bits). */
#define HS_MAX_DELAY_STEPS 65535

typedef enum { HS_DIST_CONSTANT, HS_DIST_UNIFORM, HS_DIST_NORMAL } hs_dist_kind;

typedef struct hs_dist {
    hs_dist_kind kind;
    double value;        /* constant */
    double low, high;    /* uniform bounds; clip bounds of normal */
    double mean, sd;     /* normal */
} hs_dist;

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

/* The task: where the rat runs (sim/track.h), for place_cells populations.
 *   task:
 *     track: linear          (the only one so far)
 *     length_cm: 200, laps: 20, speed_cm_s: 25, speed_sd_cm_s: 5,
 *     ramp_cm: 20, pause_s: 2, one_way: false, reverse: false   (track_linear_params)
 *     trajectory: {csv: rat.csv}   optional: a tracked rat instead of laps, or
 *     trajectory: {h5: rat.h5, t: /rat/t, x: /rat/x}  1-D datasets, t in s, x in cm
 *                                   (path relative to the YAML; t s, x cm, y cm)
 * The trajectory starts with the run; after its end the rat rests where it
 * stopped. Its times increase, its times and positions are finite, and it
 * spans at most 100000 s. laps is whole and ramp_cm at most length_cm / 2; the CSV is read
 * by trajectory_read_csv (io/trajectory.h) while loading, and its errors
 * are reported at the csv value ("task.trajectory.csv: rat.csv:3: ..."). */
typedef struct hs_task_config {
    int present;                    /* 0: no task section */
    track_kind kind;                /* task.track */
    track_linear_params linear;     /* TRACK_LINEAR: defaults from
                                       track_linear_params_default */
    track_maze_params maze;         /* other kinds: defaults from
                                       track_maze_params_default */
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

/* Writes the task section of config_print (t->present) as YAML to f:
 * the track and its parameters; config_print adds the trajectory. */
void config_task_print(const hs_task_config *t, FILE *f);

/* Reads path, applies the n_sets overrides "key.path=value" in order, and
 * checks everything. Returns a new config, or NULL with err set (HS_EINPUT
 * for any problem with the input, HS_ENOMEM). */
hs_config *config_load(const char *path, const char *const *sets, size_t n_sets,
                       hs_error *err);

/* As config_load, from len bytes of text (need not be NUL-terminated; the
 * config keeps a copy). path names the text in messages and its directory
 * is where relative paths in it (spike files, trajectories) are found; no
 * file is read at path itself. */
hs_config *config_load_text(const char *path, const char *text, size_t len,
                            const char *const *sets, size_t n_sets, hs_error *err);

/* Frees c and everything it owns. config_free(NULL) does nothing. */
void config_free(hs_config *c);

/* Writes the resolved config (defaults filled in) as YAML to f; loading that
 * output again gives the same config. */
void config_print(const hs_config *c, FILE *f);

/* Index of a population by name, or -1. */
int config_pop_find(const hs_config *c, const char *name);

/* Index of a projection by name, or -1. */
int config_proj_find(const hs_config *c, const char *name);

#endif
