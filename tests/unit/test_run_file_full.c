/* The run file (app/run_file.c) when the disk fills: a run stopped by a failed write
 * exits 1 naming the file and the system's cause, and leaves either no
 * file or one that HDF5 and the h5py layout check read, with complete = 0.
 * The failure is real: the run's file size is capped with RLIMIT_FSIZE
 * (SIGXFSZ ignored, so write() fails with EFBIG), and, where this process
 * may mount, a small tmpfs fills up (ENOSPC). (`info` and `check` on bad
 * files are in test_main.c.) Part of the run_file suite; HS_BIN names the
 * binary. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "suites.h"

static char dir[64];

static const char *bin(void)
{
    const char *b = getenv("HS_BIN");
    return b ? b : "bin/hebbsleep";
}

static void setup(void)
{
    strcpy(dir, "/tmp/hebbsleep-cli-io-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char path[128], cmd[160];
    snprintf(path, sizeof path, "%s/tmpfs", dir);
    umount2(path, MNT_DETACH); /* left mounted only by a failed test */
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Runs `hebbsleep run cfg -o h5 --quiet [--set set]` with files capped at
 * limit bytes (0: no cap), its stdout and stderr into log (cap bytes)
 * through a pipe (a log file would be capped too); returns its exit
 * status, or -1 when it did not exit (a crash). */
static int run_capped(const char *cfg, const char *h5, const char *set, rlim_t limit,
                      char *log, size_t cap)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        struct rlimit lim = {limit, limit};
        signal(SIGXFSZ, SIG_IGN); /* stays ignored across exec */
        if (limit && setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(126);
        if (set)
            execl(bin(), bin(), "run", cfg, "-o", h5, "--quiet", "--set", set, (char *)NULL);
        else
            execl(bin(), bin(), "run", cfg, "-o", h5, "--quiet", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    char buf[4096];
    while ((got = read(fds[0], buf, sizeof buf)) > 0) {
        size_t take = (size_t)got < cap - 1 - n ? (size_t)got : cap - 1 - n;
        memcpy(log + n, buf, take);
        n += take;
    }
    log[n] = '\0';
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* /meta complete of h5 read with the HDF5 library alone, or -1 when the
 * file, the group or the attribute cannot be opened. */
static int complete_flag(const char *h5)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t a = f < 0 ? -1 : H5Aopen_by_name(f, "meta", "complete", H5P_DEFAULT, H5P_DEFAULT);
    int32_t v = -1;
    if (a < 0 || H5Aread(a, H5T_NATIVE_INT32, &v) < 0)
        v = -1;
    if (a >= 0)
        H5Aclose(a);
    if (f >= 0)
        H5Fclose(f);
    return v;
}

static int shell(const char *fmt, const char *a, const char *b)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What a run stopped by a full disk (cause: the system's words for it)
 * must have said and left: exit 1, a message naming named, the cause and
 * that the run stopped; then no file h5 (named, or a copy of it), or one
 * with complete = 0 that `info` reads. With layout, the h5py layout check
 * also passes on it. */
static void assert_stopped_cleanly(int rc, const char *log, const char *named, const char *h5,
                                   const char *cause, int layout)
{
    ck_assert_msg(rc == 1, "exit %d, want 1: %s", rc, log);
    ck_assert_msg(strstr(log, named) && strstr(log, cause) && strstr(log, "the run stopped"),
                  "the message does not name %s, '%s' and what was left: %s", named, cause,
                  log);
    ck_assert_msg(!strstr(log, "HDF5-DIAG") && !strstr(log, "errno ="),
                  "HDF5's own error text reached the user: %s", log);
    struct stat st;
    if (stat(h5, &st) != 0) {
        ck_assert_msg(strstr(log, "no file was left"), "%s", log);
        return;
    }
    ck_assert_msg(strstr(log, "keeps what was written before (complete = 0)"), "%s", log);
    ck_assert_msg(complete_flag(h5) == 0, "%s: complete is not a readable 0 after: %s", h5,
                  log);
    ck_assert_int_eq(shell("%s info %s >/dev/null 2>&1", bin(), h5), 0);
    if (layout)
        ck_assert_msg(shell("/usr/bin/python3 tests/check_h5_layout.py %s "
                            "--expect-complete 0%s", h5, "") == 0,
                      "layout check fails on %s (its problems above) after: %s", h5, log);
}

/* The part of a message naming what could not be written ("cannot write
 * spikes of /spikes/pc"), into buf. */
static const char *stage_of(const char *log, char *buf, size_t size)
{
    const char *at = strstr(log, "cannot write ");
    const char *end = at ? strchr(at, ':') : NULL;
    snprintf(buf, size, "%.*s", end ? (int)(end - at) : 0, at ? at : "");
    return buf;
}

/* The replay run of tests/configs/good/replay.yaml ends with the replay
 * analysis writing /replay/events and /replay/template. Capped at sizes
 * across the whole file, and at every 512 bytes short of its full size,
 * the run must stop cleanly wherever the cap falls: while creating the
 * file, recording, or writing the analysis. */
START_TEST(test_file_size_cap_stops_cleanly)
{
    static char log[1 << 14];
    const char *cfg = "tests/configs/good/replay.yaml";
    char h5[128];
    snprintf(h5, sizeof h5, "%s/capped.h5", dir);
    ck_assert_msg(run_capped(cfg, h5, NULL, 0, log, sizeof log) == 0, "%s", log);
    ck_assert_int_eq(complete_flag(h5), 1);
    struct stat st;
    ck_assert_int_eq(stat(h5, &st), 0);
    rlim_t full = (rlim_t)st.st_size;
    char stages[16][96];
    size_t n_stages = 0;
    int analysis_hit = 0;
    for (int k = 0; k < 16 + 24; k++) {
        rlim_t cap = k < 16 ? 1 + full * (rlim_t)k / 16 : full - 512 * (rlim_t)(k - 15);
        unlink(h5);
        int rc = run_capped(cfg, h5, NULL, cap, log, sizeof log);
        char stage[96];
        stage_of(log, stage, sizeof stage);
        int is_new = 1;
        for (size_t i = 0; i < n_stages && is_new; i++)
            is_new = strcmp(stages[i], stage) != 0;
        if (is_new && n_stages < 16)
            snprintf(stages[n_stages++], sizeof stages[0], "%s", stage);
        /* the h5py check once per stage: it takes a third of a second */
        assert_stopped_cleanly(rc, log, h5, h5, "File too large", is_new);
        analysis_hit |= strstr(stage, "/replay/") != NULL;
    }
    ck_assert_msg(n_stages >= 4, "only %zu distinct failures", n_stages);
    ck_assert_msg(analysis_hit, "no cap fell in the replay analysis's writes");
}
END_TEST

/* Where this process may mount (root in a container), a 256 KiB tmpfs
 * fills during the run's first spikes: ENOSPC, the real full disk. */
START_TEST(test_full_tmpfs_stops_cleanly)
{
    static char log[1 << 14];
    char mnt[128], h5[160];
    snprintf(mnt, sizeof mnt, "%s/tmpfs", dir);
    snprintf(h5, sizeof h5, "%s/cuba.h5", mnt);
    ck_assert_int_eq(mkdir(mnt, 0755), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=256k") != 0) {
        /* unprivileged: the file size cap above is the test */
        ck_assert_msg(errno == EPERM || errno == EACCES, "mount: %s", strerror(errno));
        return;
    }
    int rc = run_capped("bench/cuba.yaml", h5, "simulation.duration_ms=2000", 0, log,
                        sizeof log);
    /* the file is looked at outside the mount: a failed assertion skips
     * the teardown, and must not leave the tmpfs mounted */
    char copy[160], cmd[600];
    snprintf(copy, sizeof copy, "%s/cuba.h5", dir);
    snprintf(cmd, sizeof cmd, "[ ! -e %s ] || cp %s %s", h5, h5, copy);
    int copied = system(cmd);
    ck_assert_int_eq(umount2(mnt, MNT_DETACH), 0);
    ck_assert_int_eq(copied, 0);
    assert_stopped_cleanly(rc, log, h5, copy, "No space left on device", 1);
}
END_TEST

void run_file_full_tests_add(Suite *s)
{
    TCase *tc = tcase_create("disk full");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_file_size_cap_stops_cleanly);
    tcase_add_test(tc, test_full_tmpfs_stops_cleanly);
    suite_add_tcase(s, tc);
}
