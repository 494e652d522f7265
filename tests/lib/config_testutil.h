/* config_testutil.h: helpers shared by the config tests (test_config*.c). */
#ifndef HS_CONFIG_TESTUTIL_H
#define HS_CONFIG_TESTUTIL_H

#include <check.h>
#include <hdf5.h>
#include <stddef.h>

#include "../../io/config.h"

/* The tests directory (HS_TESTS_DIR, else the folder above this source's), and
 * rel inside it. */
const char *ct_tests_dir(void);
void ct_data_path(char *buf, size_t size, const char *rel);

/* Loads path with overrides; aborts the test on failure. */
hs_config *ct_load_ok(const char *path, const char *const *sets, size_t n_sets);

/* Loads path, which must fail with HS_EINPUT; returns the message (valid
 * until the next call). */
const char *ct_load_fail(const char *path, const char *const *sets, size_t n_sets);

/* Fails the test unless msg is want (want ending in '*': starts with the
 * rest of want). */
void ct_assert_msg_is(const char *msg, const char *want);

/* Fails the test unless part occurs in msg. */
void ct_assert_has(const char *msg, const char *part);

/* A fresh temporary directory under $TMPDIR (or /tmp) per test (a checked
 * fixture). */
extern char ct_tmp_dir[256];
void ct_tmp_setup(void);
void ct_tmp_teardown(void);

/* Writes len bytes to name in the temporary directory; its path into path. */
void ct_tmp_write(const char *name, const void *data, size_t len, char *path, size_t size);

/* A file's bytes, NUL-terminated (free it). */
char *ct_file_slurp(const char *path, size_t *len);

/* A new file at path with group holding two 1-D datasets: a_name (float64,
 * na values) and b_name (nb values, b_mem in memory, stored as b_file). */
void ct_h5_write_two(const char *path, const char *group, const char *a_name, const double *a,
                     size_t na, const char *b_name, hid_t b_file, hid_t b_mem, const void *b,
                     size_t nb);

/* A parameter of a population by name, and the model's default for it. */
double ct_param(const hs_pop_config *p, const char *name);
double ct_param_default(const hs_pop_config *p, const char *name);

/* A parameter of a rule by name (d, n: its descriptors; params: its struct). */
double ct_rule_param(const hs_param_desc *d, size_t n, const double *params,
                     const char *name);

/* test_config_files.c: print round trip, HDF5 spike input, hostile inputs. */
void config_files_tests_add(Suite *s);

/* test_config_plast.c: plasticity, homeostasis, weight recording, schedule. */
void config_plast_tests_add(Suite *s);

/* test_config_task.c: the task section. */
void config_task_tests_add(Suite *s);

/* test_config_replay.c: the replay section. */
void config_replay_tests_add(Suite *s);

/* test_config_h5inputs.c: hostile HDF5 spike and trajectory inputs. */
void config_h5inputs_tests_add(Suite *s);

#endif
