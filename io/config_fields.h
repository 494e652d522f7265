/* config_fields.h: the schema machinery behind config.c (internal to io/).
 *
 * A mapping of the experiment file is described by a table of config_field
 * (key, type, required, range, unit, default, where the value goes), and
 * config_fields_read checks it in one pass: unknown keys, missing required
 * keys, wrong types and out-of-range values are errors, absent keys get
 * their default. Values that need more than a type and a range (names that
 * refer to other things, nested mappings) are handed back as nodes.
 *
 * Errors are HS_EINPUT "file:line:col: key.path: message", where key.path is
 * the context's current path (config_path_push/pop).
 */
#ifndef HS_CONFIG_FIELDS_H
#define HS_CONFIG_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "yamltree.h"

typedef struct config_ctx {
    const char *file;          /* the YAML, for messages */
    const char *dir;           /* its directory, for relative data paths */
    hs_error *err;
    double dt_ms;              /* once simulation is read */
    char path[320];            /* key.path of what is being read */
    size_t path_len;
} config_ctx;

typedef enum {
    CONFIG_NUMBER,             /* finite double (or +-inf when inf_ok) */
    CONFIG_INT,                /* uint64_t */
    CONFIG_BOOL,               /* int, 0 or 1 */
    CONFIG_STRING,             /* node only */
    CONFIG_DIST,               /* hs_dist */
    CONFIG_MAP,                /* node only; null counts as empty */
    CONFIG_LIST                /* node only; null counts as empty */
} config_kind;

#define CONFIG_NO_OFFSET ((size_t)-1)

/* Steps beyond 2^53 no longer count exactly in a double. */
#define CONFIG_MAX_STEPS 9007199254740992.0

typedef struct config_field {
    const char *key;
    config_kind kind;
    int required;
    size_t offset;             /* of the value in the output struct, or CONFIG_NO_OFFSET */
    double def;                /* default of NUMBER, INT, BOOL, DIST (a constant) */
    double min, max;           /* NUMBER: allowed range */
    int min_open;              /* 1: the range is (min, max] */
    int inf_ok;                /* NUMBER: +-inf allowed (YAML .inf) */
    uint64_t imin, imax;       /* INT: allowed range */
    const char *unit;          /* for messages, "" when none */
} config_field;

/* ---- paths and errors ---- */

/* Appends ".key" (or "[i]") to the path; returns the length to pop back to. */
size_t config_path_push(config_ctx *c, const char *key);
size_t config_path_push_index(config_ctx *c, size_t i);
void config_path_pop(config_ctx *c, size_t len);

/* An HS_EINPUT error at node at (or at the override that made it) with the
 * current path. Returns HS_EINPUT. */
int config_fail(config_ctx *c, const yamltree_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As config_fail, for a problem with a whole mapping or list (a missing key,
 * values that do not fit together): reported at at (its key), but blamed on
 * an override when one made at or any node of subtree. */
int config_fail_in(config_ctx *c, const yamltree_node *at, const yamltree_node *subtree,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- whole mappings ---- */

/* Reads map (whose key node is key, NULL for the top level) by the table:
 * stores every field with an offset into out (value or default) and, when
 * nodes is not NULL, the value node of every field (NULL when absent) into
 * nodes[n]. noun names the keys in the unknown-key message ("key" if NULL),
 * e.g. "parameter of lif_coba". */
int config_fields_read(config_ctx *c, const config_field *f, size_t n,
                       const yamltree_node *key, const yamltree_node *map,
                       void *out, const yamltree_node **nodes, const char *noun);

/* "a, b, c" of the first n names, into buf. */
const char *config_names_join(const char *const *names, size_t n, char *buf,
                              size_t size);

/* A model's or rule's parameters: defaults from the descriptors d[0..n),
 * then the values in map (the mapping under key "params", NULL when absent)
 * range-checked into out (params_size bytes; at most HS_MAX_PARAMS doubles).
 * owner names the model or rule in the unknown-key message. Pushes "params"
 * onto the path while reading. */
int config_params_read(config_ctx *c, const hs_param_desc *d, size_t n, size_t params_size,
                       const char *owner, const yamltree_node *key,
                       const yamltree_node *map, void *out);

/* Cross-parameter relations (V_reset < V_th, ...) are the model's to
 * check: runs t's plan_init on params; its complaint becomes an error at at
 * (blamed on an override in subtree), with key pushed onto the path when
 * not NULL. */
int config_plan_check(config_ctx *c, const yamltree_node *at, const yamltree_node *subtree,
                      const neuron_type *t, const double *params, const char *key);

/* ---- single values (the path must already name them) ---- */

int config_number_read(config_ctx *c, const yamltree_node *n, int inf_ok, double *out);
int config_int_read(config_ctx *c, const yamltree_node *n, const config_field *f,
                    uint64_t *out);
int config_string_read(config_ctx *c, const yamltree_node *n, const char **out);
int config_dist_read(config_ctx *c, const yamltree_node *n, hs_dist *out);

/* Checks that every value d can draw is >= min; what says what min is, e.g.
 * "one step (dt_ms = 0.1 ms)". */
int config_dist_check_min(config_ctx *c, const yamltree_node *n, const hs_dist *d,
                          double min, const char *unit, const char *what);

/* OK when key is a usable population or projection name (what says which):
 * letters, digits, _ and -, not starting with a digit or -, < HS_NAME_MAX. */
int config_name_check(config_ctx *c, const yamltree_node *key, const char *what);

/* Index of the population called name (found at node at), or -1 with err
 * listing the populations. */
int config_pop_named(config_ctx *c, const yamltree_node *at, const char *name,
                     const hs_config *cfg);

/* Index of the projection called name (found at node at), or -1 with err
 * listing the projections. */
int config_proj_named(config_ctx *c, const yamltree_node *at, const char *name,
                      const hs_config *cfg);

/* A data file named in the YAML: a relative path is relative to the YAML's
 * directory, not to the working directory, so an experiment folder can
 * move as a whole. Returns a new string (free it), or NULL when out of
 * memory. */
char *config_file_resolve(const config_ctx *c, const char *file);

/* HS_OK when the 1-D dataset of the HDF5 file, read as noun at bytes_per
 * bytes a value, fits in the machine's memory; else HS_EINPUT in err
 * ("<dataset> holds N values: as <noun>, about X GB of memory, more than
 * ..."), or the reader's error. Checked before reading: a few kB of
 * compressed HDF5 can declare 10^10 values. */
int config_h5_length_check(const char *file, const char *dataset, double bytes_per,
                           const char *noun, hs_error *err);

/* 1 when *ms is a whole multiple k >= 1 of dt_ms (to 1e-9 relative), and
 * then sets it to exactly k dt_ms; 0 otherwise, leaving it alone. */
int config_steps_exact(double dt_ms, double *ms);

/* A neuron id of population p: an integer below its size. */
int config_id_read(config_ctx *c, const yamltree_node *n, const hs_pop_config *p,
                   uint64_t *out);

/* ---- the sections, one file each (map may be NULL when absent) ---- */

/* config_spikes.c: a spike_times population's spikes mapping, into p. */
int config_spikes_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                       hs_pop_config *p);

/* config_task.c: the task section (map the value of the key task), into
 * cfg->task; sets cfg->task.present. */
int config_task_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                     hs_config *cfg);

/* config_net.c and config_recording.c, after the populations. */
int config_projs_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                      hs_config *cfg);
int config_recording_read(config_ctx *c, const yamltree_node *map, hs_config *cfg);

/* config_plast.c: a projection's plasticity and homeostasis (proj is its
 * mapping, already read by config_net.c up to weight and delay), and the
 * limits plasticity puts on its weight and delay. */
int config_plast_read(config_ctx *c, const yamltree_node *proj, const hs_config *cfg,
                      hs_proj_config *pj);

/* config_schedule.c, after the projections: the phases of list (the value
 * of the key schedule), or without a schedule (list NULL) the one phase
 * "run" of cfg->duration_ms. Sets cfg->duration_ms to the phases' sum. */
int config_schedule_read(config_ctx *c, const yamltree_node *key, const yamltree_node *list,
                         hs_config *cfg);

/* config_replay.c, after the recording, the schedule and the task: the
 * replay section (map the value of the key replay), into cfg->replay; sets
 * cfg->replay.present. */
int config_replay_read(config_ctx *c, const yamltree_node *key, const yamltree_node *map,
                       hs_config *cfg);

/* config_stage.c: a phase's set (the value of the key set) and drive
 * mappings into ph, whose pop_params already hold the populations' own. */
int config_phase_set_read(config_ctx *c, const yamltree_node *map, const hs_config *cfg,
                          hs_phase_config *ph);
int config_phase_drive_read(config_ctx *c, const yamltree_node *map, const hs_config *cfg,
                            hs_phase_config *ph);

#endif
