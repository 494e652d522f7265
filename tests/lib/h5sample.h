/* h5sample.h: a sample run file and a scratch directory for the tests of
 * the io/h5* modules (tests/unit/test_h5*.c) and the config's HDF5 inputs.
 * Helpers assert with Check, so call them from inside a test. */
#ifndef HS_TEST_H5SAMPLE_H
#define HS_TEST_H5SAMPLE_H

#include <check.h>
#include <hdf5.h>

#include "../../io/h5out.h"

/* The sample run: two populations (exc = 0, inh = 1) and a report of exc,
 * each appended in SAMPLE_BATCHES batches, and the weights of two
 * projections (h5sample_projs) written as snapshots between batches; the
 * behaviour and place fields below written first. */
#define SAMPLE_BATCHES            4
#define SAMPLE_EXC_PER_BATCH      50
#define SAMPLE_INH_PER_BATCH      7
#define SAMPLE_REP_NODES          3
#define SAMPLE_REP_ROWS_PER_BATCH 5

extern const h5out_meta h5sample_meta;
extern const uint64_t h5sample_rep_ids[SAMPLE_REP_NODES];

/* A projection of the sample run and its snapshots. */
typedef struct h5sample_proj {
    const char *name, *pre, *post, *units;
    size_t n_syn;  /* synapses in every snapshot */
    size_t n_snap; /* snapshots written by h5sample_write_run */
} h5sample_proj;

/* 0: "ee" exc -> exc in nS, a snapshot after every batch; 1: "ie" inh ->
 * exc in pA, after every second batch. */
#define SAMPLE_PROJS 2
extern const h5sample_proj h5sample_projs[SAMPLE_PROJS];

/* The sample behaviour, every 10 ms from 0: lap 0 runs 0 -> 100 cm at
 * 25 cm/s (samples 0-399), pauses (400-449), lap 1 runs back at 50 cm/s
 * (450-649) and pauses (650-699): 600 steps run, 200 cm in 6 s. And the
 * place fields of "exc" (10 cells, 6 with fields, centres 10 - 90 cm) and
 * "inh" (3 cells, none with a field), in h5sample_field_pops order. */
#define SAMPLE_BEH_N       700
#define SAMPLE_FIELD_POPS  2
#define SAMPLE_FIELDS_MAX  10
extern const char *const h5sample_field_pops[SAMPLE_FIELD_POPS];
extern const size_t h5sample_field_cells[SAMPLE_FIELD_POPS];

/* Fills the SAMPLE_BEH_N samples of the sample behaviour. */
void h5sample_behavior(double *t_ms, double *x_cm, uint32_t *lap, int8_t *dir);

/* Fills the h5sample_field_cells[p] fields of population p. */
void h5sample_fields(int p, double *center, double *width, double *peak, int8_t *dir);

/* Writes the sample behaviour and place fields to f. */
void h5sample_write_behavior(h5out *f);

/* Reads the behaviour and the place fields of population p from path
 * with the h5in readers and asserts every value equals the sample's (NaN
 * where the sample has NaN). */
void h5sample_check_behavior_read(const char *path);
void h5sample_check_fields_read(const char *path, int p);

/* Writes dataset name under loc (rank 0: scalar) of type from buf, in
 * that type; fails the test on error. */
void h5sample_put(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                  const void *buf);

/* Checked fixture: a fresh directory under $TMPDIR (or /tmp), removed with
 * its files. */
void h5sample_dir_make(void);
void h5sample_dir_remove(void);

/* A test case named name with that fixture and a 60 s timeout, for the
 * suites of the io/h5* modules. */
TCase *h5sample_tcase(const char *name);

/* name inside that directory; the string stays valid for the next 7 calls. */
const char *h5sample_path(const char *name);

/* HDF5 identifiers open in this process (0 when nothing leaked). */
long h5sample_open_ids(void);

/* Values of spike i of population pop, and of the report at (row, col). */
double h5sample_spike_time(int pop, size_t i);
uint64_t h5sample_spike_id(int pop, size_t i);
float h5sample_rep_value(size_t row, size_t col);

/* Synapse i of snapshot snap of projection p (h5sample_projs), the
 * snapshot's time (ms) and phase. */
uint64_t h5sample_w_pre(int p, size_t i);
uint64_t h5sample_w_post(int p, size_t i);
double h5sample_w_value(int p, size_t snap, size_t i);
double h5sample_w_time(int p, size_t snap);
const char *h5sample_w_phase(int p, size_t snap);

/* Adds projection p to f (its handle is asserted to be h). */
void h5sample_add_proj(h5out *f, int p, int h);

/* Writes snapshot snap of projection p to handle h. */
void h5sample_write_snapshot(h5out *f, int h, int p, size_t snap);

/* Reads snapshot snap of projection p from path with h5in_weights_read and
 * asserts every value equals the sample's. */
void h5sample_check_snapshot_read(const char *path, int p, size_t snap);

/* Appends spikes first .. first + n - 1 (n <= 64) of pop to handle h. */
void h5sample_append_spikes(h5out *f, int h, int pop, size_t first, size_t n);

/* Appends SAMPLE_REP_ROWS_PER_BATCH report rows from first_row. */
void h5sample_append_report(h5out *f, int h, size_t first_row);

/* Writes the sample run to path, with phases "explore" (awake, 0-1000 ms)
 * and "sleep" (sws, 1000-2000 ms); closes with complete, wall_s 3.25. */
void h5sample_write_run(const char *path, int complete);

/* For a forked child: writes the behaviour and place fields, two exc spike
 * batches, one report batch and the first snapshot of "ee" to path, then
 * kills itself with SIGKILL. Never returns. */
void h5sample_die_mid_run(const char *path);

/* Runs h5sample_die_mid_run(path) in a child and fails unless SIGKILL ended it. */
void h5sample_kill_mid_run(const char *path);

/* tests/check_h5_layout.py (run from the repo root) rejects path with exit
 * code 1 and reports each of the n_want faults of want. */
void h5sample_assert_layout_faults(const char *path, const char *const *want, size_t n_want);

/* tests/check_h5_layout.py (run from the repo root) accepts path. */
void h5sample_assert_layout_ok(const char *path);

/* Closes f (complete, wall_s 1.0), then asserts the root of path has no
 * link name: a writer that refused its rows left nothing behind. */
void h5sample_close_without(h5out *f, const char *path, const char *name);

/* info_print on path, into a new string the caller frees; *rc its code. */
char *h5sample_info(const char *path, int *rc, hs_error *err);

/* Sends stderr to a scratch file in the directory; h5sample_stderr_back
 * restores it and returns the bytes printed meanwhile. */
typedef struct h5sample_stderr {
    int saved, sink;
} h5sample_stderr;
h5sample_stderr h5sample_stderr_away(void);
long h5sample_stderr_back(h5sample_stderr s);

/* info_print on path succeeds and its text holds each of the n_want
 * strings of want. */
void h5sample_assert_info_has(const char *path, const char *const *want, size_t n_want);

/* info_print on path fails with HS_EINPUT naming path and why, printing
 * nothing to stderr. */
void h5sample_assert_info_refuses(const char *path, const char *why);

/* Sets element i of 1-D dataset name of file path to *v (of mem_type). */
void h5sample_patch(const char *path, const char *name, hid_t mem_type, hsize_t i,
                    const void *v);

/* Writes n bytes of buf to path. */
void h5sample_write_bytes(const char *path, const void *buf, size_t n);

/* Copies the first keep bytes of file src to dst. */
void h5sample_truncated_copy(const char *src, const char *dst, long keep);

/* Size of file path in bytes. */
long h5sample_file_size(const char *path);

/* ---- reading back with the C API (assert on any failure) ---- */

/* The want_n values of dataset name of file, checked to have file type
 * want_type, read as mem_type into a new array the caller frees. */
void *h5sample_read_ds(hid_t file, const char *name, hid_t mem_type, hid_t want_type,
                       hssize_t want_n);

/* String attribute attr of obj, new; the caller frees it. */
char *h5sample_attr_str(hid_t obj, const char *attr);

/* Numeric attribute attr of obj, checked to have file type want_type, read
 * as mem into v. */
void h5sample_attr_num(hid_t obj, const char *attr, hid_t want_type, hid_t mem, void *v);

/* String attribute attr of obj equals want. */
void h5sample_assert_attr_str(hid_t obj, const char *attr, const char *want);

/* Attribute attr of obj, read as uint64, equals want. */
void h5sample_assert_attr_u64(hid_t obj, const char *attr, uint64_t want);

/* Dataset ds (called name in messages) has units attribute units and a
 * non-empty definition. */
void h5sample_assert_units(hid_t ds, const char *name, const char *units);

#endif
