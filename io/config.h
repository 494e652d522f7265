/* config.h: an experiment file read and checked into the experiment model
 * (model/experiment.h).
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
 *     track: linear        linear | circular | tmaze | wmaze (task/maze.h)
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
 * track_linear_params_default (task/track.h). A key with an empty value
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
#include <stdio.h>

#include "../base/error.h"
#include "../model/experiment.h"

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

/* Writes the resolved config (defaults filled in) as YAML to f; loading that
 * output again gives the same config. */
void config_print(const hs_config *c, FILE *f);

#endif
