/* h5sample.h: a sample run file and a scratch directory for the h5out
 * tests (test_h5out.c, test_h5in.c). Helpers assert with Check, so call
 * them from inside a test. */
#ifndef HS_TEST_H5SAMPLE_H
#define HS_TEST_H5SAMPLE_H

#include <check.h>

#include "../io/h5out.h"

/* The sample run: two populations (exc = 0, inh = 1) and a report of exc,
 * each appended in SAMPLE_BATCHES batches. */
#define SAMPLE_BATCHES            4
#define SAMPLE_EXC_PER_BATCH      50
#define SAMPLE_INH_PER_BATCH      7
#define SAMPLE_REP_NODES          3
#define SAMPLE_REP_ROWS_PER_BATCH 5

extern const h5out_meta h5sample_meta;
extern const uint64_t h5sample_rep_ids[SAMPLE_REP_NODES];

/* Checked fixture: a fresh directory under $TMPDIR (or /tmp), removed with
 * its files. */
void h5sample_dir_make(void);
void h5sample_dir_remove(void);

/* name inside that directory; the string stays valid for the next 7 calls. */
const char *h5sample_path(const char *name);

/* HDF5 identifiers open in this process (0 when nothing leaked). */
long h5sample_open_ids(void);

/* Values of spike i of population pop, and of the report at (row, col). */
double h5sample_spike_time(int pop, size_t i);
uint64_t h5sample_spike_id(int pop, size_t i);
float h5sample_rep_value(size_t row, size_t col);

/* Appends spikes first .. first + n - 1 (n <= 64) of pop to handle h. */
void h5sample_append_spikes(h5out *f, int h, int pop, size_t first, size_t n);

/* Appends SAMPLE_REP_ROWS_PER_BATCH report rows from first_row. */
void h5sample_append_report(h5out *f, int h, size_t first_row);

/* Writes the sample run to path, with phases "explore" (awake, 0-1000 ms)
 * and "sleep" (sws, 1000-2000 ms); closes with complete, wall_s 3.25. */
void h5sample_write_run(const char *path, int complete);

/* For a forked child: writes two exc spike batches and one report batch
 * to path, then kills itself with SIGKILL. Never returns. */
void h5sample_die_mid_run(const char *path);

/* h5out_info on path, into a new string the caller frees; *rc its code. */
char *h5sample_info(const char *path, int *rc, hs_error *err);

/* Writes n bytes of buf to path. */
void h5sample_write_bytes(const char *path, const void *buf, size_t n);

#endif
