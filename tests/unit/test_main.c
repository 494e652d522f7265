/* The command line (app/main.c), driven as a user would: --help and
 * --version, exit codes and the messages of bad commands, options and
 * paths, a network too large for the machine refused before it is built,
 * `check` on every shipped experiment, and `info` and `check` on HDF5
 * files that are cut short, junk or crash HDF5 (exit 2). HS_BIN names the
 * binary. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "../lib/shell.h"
#include "suites.h"

START_TEST(test_usage_and_exit_codes)
{
    static char out[65536];
    ck_assert_int_eq(sh_run(out, sizeof out, "%s --help", sh_bin()), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: hebbsleep run"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s --version", sh_bin()), 0);
    ck_assert_ptr_nonnull(strstr(out, "hebbsleep 0."));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "no command given"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s fly bench/coba.yaml", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown command 'fly'"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml --frobnicate", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown option '--frobnicate'"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/coba.yaml --threads 0", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "--threads needs a whole number"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run %s/missing.yaml", sh_bin(), sh_dir), 2);
    ck_assert_ptr_nonnull(strstr(out, "missing.yaml"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s check bench/coba.yaml --set simulation.dt_ms=abc",
                         sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "--set simulation.dt_ms=abc"));
    ck_assert_int_eq(sh_run(out, sizeof out, "OMP_THREAD_LIMIT=1 %s run bench/cuba.yaml -o %s/t.h5 "
                         "--threads 2 --quiet", sh_bin(), sh_dir), 1);
    ck_assert_ptr_nonnull(strstr(out, "OpenMP ran fewer threads than the 2 asked for"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s info %s/none.h5", sh_bin(), sh_dir), 2);
    ck_assert_ptr_nonnull(strstr(out, "none.h5"));
    /* an output directory that is missing, or a file, is named before the build */
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o %s/no/such/t.h5", sh_bin(),
                         sh_dir), 2);
    ck_assert_ptr_nonnull(strstr(out, "/no/such does not exist"));
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run bench/cuba.yaml -o README.md/t.h5", sh_bin()), 2);
    ck_assert_ptr_nonnull(strstr(out, "README.md is not a directory"));
    /* a network larger than the machine's memory is refused before it is built */
    char yaml[128], want[256];
    snprintf(yaml, sizeof yaml, "%s/huge.yaml", sh_dir);
    FILE *f = fopen(yaml, "w");
    ck_assert_ptr_nonnull(f);
    fputs("simulation: {duration_ms: 10}\npopulations: {a: {model: lif_cuba, size: 4000000}}\n"
          "projections:\n  aa: {pre: a, post: a, receptor: ex, weight: 1,\n"
          "       connect: {rule: all_to_all}}\n", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(sh_run(out, sizeof out, "%s run %s -o %s/huge.h5", sh_bin(), yaml, sh_dir), 2);
    snprintf(want, sizeof want, "hebbsleep: %s:4:3: projections.aa: the run would need about "
             "416 TB of memory, more than the ", yaml);
    ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "projections.aa alone: 1.6e+13 synapses, 128 TB"));
}
END_TEST

static void check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    static char out[1 << 16];
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        int rc = sh_run(out, sizeof out, "%s check %s/%s", sh_bin(), dir, e->d_name);
        ck_assert_msg(rc == 0, "hebbsleep check %s/%s: exit %d: %s", dir, e->d_name, rc, out);
    }
    closedir(d);
}

START_TEST(test_check_every_experiment)
{
    check_dir("bench");
    check_dir("experiments");
}
END_TEST

/* Copies src to dst with the first object of its global heap claiming
 * 2^28 times its collection: HDF5 1.10 segfaults reading it (H5HG_read). */
static void copy_with_bad_heap(const char *src, const char *dst)
{
    FILE *f = fopen(src, "rb");
    ck_assert_ptr_nonnull(f);
    static unsigned char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    size_t at = 0;
    while (at + 32 <= n && memcmp(buf + at, "GCOL", 4) != 0)
        at++;
    ck_assert_uint_le(at + 32, n);
    uint64_t coll = 0;
    for (int b = 7; b >= 0; b--)
        coll = coll << 8 | buf[at + 8 + b];
    for (int b = 0; b < 8; b++)
        buf[at + 24 + b] = (unsigned char)((coll << 28) >> (8 * b));
    f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
}

/* `info` on a bad file and `check` of an experiment naming one exit 2 with
 * the file named and HDF5's own diagnostics silenced; a file HDF5 crashes
 * on is refused without taking hebbsleep with it. */
START_TEST(test_bad_files_exit_2)
{
    static char out[1 << 14], log[1 << 14];
    char good[128], cut[128], heap[128], junk[128], yaml[128], cmd[1024];
    snprintf(good, sizeof good, "%s/good.h5", sh_dir);
    ck_assert_msg(sh_run(log, sizeof log, "%s run bench/cuba.yaml -o %s --quiet "
                         "--set simulation.duration_ms=200", sh_bin(), good) == 0, "%s", log);
    struct stat st;
    ck_assert_int_eq(stat(good, &st), 0);
    snprintf(cut, sizeof cut, "%s/cut.h5", sh_dir);
    snprintf(cmd, sizeof cmd, "head -c %lld %s > %s", (long long)st.st_size / 2, good, cut);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(heap, sizeof heap, "%s/heap.h5", sh_dir);
    copy_with_bad_heap(good, heap);
    snprintf(junk, sizeof junk, "%s/junk.h5", sh_dir);
    snprintf(cmd, sizeof cmd, "head -c 5000 /dev/urandom > %s", junk);
    ck_assert_int_eq(system(cmd), 0);
    const char *files[] = {cut, heap, junk};
    /* the heap: SIGSEGV, or under a sanitizer its report and exit 1 */
    const char *why[] = {"truncated or corrupt", "reading this file", "not an HDF5 file"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "%s info %s", sh_bin(), files[k]);
        int rc = sh_run(out, sizeof out, "%s", cmd);
        ck_assert_msg(rc == 2, "info %s: exit %d: %s", files[k], rc, out);
        ck_assert_msg(strstr(out, files[k]) && strstr(out, why[k]), "%s", out);
        if (k == 1)
            ck_assert_msg(strstr(out, "the HDF5 library") && strstr(out, "the file is corrupt"),
                          "%s", out);
        ck_assert_msg(!strstr(out, "HDF5-DIAG"), "%s", out);
    }
    snprintf(cmd, sizeof cmd, "%s info %s", sh_bin(), good);
    ck_assert_msg(sh_run(out, sizeof out, "%s", cmd) == 0, "%s", out);
    /* the half file as spike times of an experiment */
    snprintf(yaml, sizeof yaml, "%s/in.yaml", sh_dir);
    FILE *f = fopen(yaml, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "simulation: {duration_ms: 10}\npopulations:\n  s:\n    model: spike_times\n"
               "    size: 4\n    spikes: {file: cut.h5, times: /spikes/exc/timestamps, "
               "ids: /spikes/exc/node_ids}\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s check %s", sh_bin(), yaml);
    int rc = sh_run(out, sizeof out, "%s", cmd);
    ck_assert_msg(rc == 2, "check: exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "in.yaml:6:") && strstr(out, "populations.s.spikes.times") &&
                      strstr(out, "cut.h5: cannot open HDF5 file (truncated or corrupt?)"),
                  "%s", out);
}
END_TEST

Suite *main_suite(void)
{
    Suite *s = suite_create("main");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, sh_dir_make, sh_dir_remove);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_usage_and_exit_codes);
    tcase_add_test(tc, test_check_every_experiment);
    tcase_add_test(tc, test_bad_files_exit_2);
    suite_add_tcase(s, tc);
    return s;
}
