/* test_checkpoint.c: checkpoints and `hebbsleep resume`, end to end: a run
 * stopped by SIGINT, or killed after a periodic checkpoint, and resumed
 * with another thread count writes a file identical to the uninterrupted
 * run's; checkpoints of another build, config or run file are refused. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <hdf5.h>

#include "../../io/h5util.h"
#include "../../sim/engine.h"
#include "../../sim/network.h"
#include "../../sim/network_state.h"
#include "../../sim/schedule.h"
#include "../lib/shell.h"
#include "suites.h"
#include "../lib/testutil.h"

static char dir[64];
static char config[128];    /* the experiment, copied into dir */

/* ---- the state itself, through the library: a second code path (in
 * memory, no HDF5) ---- */

typedef struct mem_array {
    char name[128];
    size_t bytes;
    unsigned char *data;
} mem_array;

/* One checkpoint: its position and every state array. */
typedef struct mem_ckpt {
    schedule_pos pos;
    mem_array a[512];
    size_t n;
} mem_ckpt;

typedef struct mem_run {
    mem_ckpt *ck[64];
    size_t n;
    network *net;
    sim *s;
    const mem_ckpt *from;   /* the checkpoint to load */
    int loading;
} mem_run;

static size_t type_size(state_type t)
{
    return t == STATE_F64 || t == STATE_U64 ? 8 : t == STATE_U8 ? 1 : 4;
}

static int mem_io(void *ctx, const char *name, state_type type, void *data, size_t n,
                  const state_part *part, hs_error *err)
{
    (void)err;
    (void)part;
    mem_run *r = ctx;
    size_t bytes = n * type_size(type);
    if (r->loading) {
        for (size_t i = 0; i < r->from->n; i++)
            if (strcmp(r->from->a[i].name, name) == 0) {
                ck_assert_uint_eq(r->from->a[i].bytes, bytes);
                memcpy(data, r->from->a[i].data, bytes);
                return HS_OK;
            }
        ck_abort_msg("no array %s", name);
    }
    mem_ckpt *k = r->ck[r->n - 1];
    ck_assert_uint_lt(k->n, sizeof k->a / sizeof k->a[0]);
    mem_array *a = &k->a[k->n++];
    snprintf(a->name, sizeof a->name, "%s", name);
    a->bytes = bytes;
    a->data = malloc(bytes ? bytes : 1);
    memcpy(a->data, data, bytes);
    return HS_OK;
}

static int mem_save(void *ctx, const schedule_pos *pos, hs_error *err)
{
    mem_run *r = ctx;
    ck_assert_uint_lt(r->n, sizeof r->ck / sizeof r->ck[0]);
    mem_ckpt *k = calloc(1, sizeof *k);
    r->ck[r->n++] = k;
    k->pos = *pos;
    k->pos.params = malloc(r->net->n_pops * HS_MAX_PARAMS * sizeof(double));
    memcpy(k->pos.params, pos->params, r->net->n_pops * HS_MAX_PARAMS * sizeof(double));
    state_io io = {r, 0, mem_io};
    ck_assert_int_eq(network_state_visit(r->net, &io, err), HS_OK);
    ck_assert_int_eq(sim_state_visit(r->s, &io, err), HS_OK);
    return HS_OK;
}

static int mem_load(void *ctx, hs_error *err)
{
    mem_run *r = ctx;
    state_io io = {r, 1, mem_io};
    r->loading = 1;
    int rc = network_state_visit(r->net, &io, err);
    rc = rc == HS_OK ? sim_state_visit(r->s, &io, err) : rc;
    r->loading = 0;
    return rc;
}

static void mem_run_free(mem_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < r->ck[i]->n; j++)
            free(r->ck[i]->a[j].data);
        free(r->ck[i]->pos.params);
        free(r->ck[i]);
    }
    sim_free(r->s);
    tu_network_free(r->net);
}

static uint64_t mem_step(const mem_ckpt *k)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->a[i].name, "sim/step") == 0)
            return *(const uint64_t *)k->a[i].data;
    ck_abort_msg("no sim/step");
    return 0;
}

/* Runs c's schedule with n threads, saving the state every 0.2 s; from a
 * checkpoint `from` of another run when not NULL. */
static tu_spikes *mem_schedule(const hs_config *c, int threads, mem_run *r,
                               const mem_ckpt *from)
{
    hs_error err;
    hs_error_clear(&err);
    r->net = tu_network_build(c, threads, &err);
    ck_assert_msg(r->net != NULL, "%s", err.msg);
    r->s = sim_alloc(r->net, c, &err);
    ck_assert_ptr_nonnull(r->s);
    tu_spikes *sp = calloc(1, sizeof *sp);
    sim_sink sink = {sp, tu_sink_spikes, NULL, NULL};
    schedule_sink ss = {.ctx = r, .checkpoint = mem_save, .checkpoint_every = 2000};
    int rc;
    if (from) {
        r->from = from;
        rc = schedule_resume(r->s, r->net, c, &from->pos, mem_load, r, &sink, &ss, &err);
    } else {
        rc = schedule_run(r->s, r->net, c, &sink, &ss, &err);
    }
    ck_assert_msg(rc == HS_OK, "%s", err.msg);
    return sp;
}

/* Resumed from its checkpoints, with another thread count, the run passes
 * through exactly the states of the uninterrupted one: every later
 * checkpoint holds the same arrays, bit for bit, and the same spikes come
 * after. Checkpoints in several phases (sleep with its slow oscillation,
 * wake, REM), with blocks dormant. */
START_TEST(test_resumed_state_bitwise)
{
    hs_config *c = tu_config_file("tests/configs/good/checkpoint.yaml", NULL, 0);
    mem_run whole = {0};
    tu_spikes *all = mem_schedule(c, 1, &whole, NULL);
    ck_assert_uint_ge(whole.n, 15);
    size_t dormant_seen = 0;
    for (size_t k = 1; k < whole.n; k += 4) {
        const mem_ckpt *from = whole.ck[k];
        uint64_t step0 = mem_step(from);
        mem_run part = {0};
        tu_spikes *rest = mem_schedule(c, 1 + (int)(k % 3), &part, from);
        ck_assert_uint_eq(part.n, whole.n - k - 1);
        for (size_t j = 0; j < part.n; j++) {
            const mem_ckpt *a = whole.ck[k + 1 + j], *b = part.ck[j];
            ck_assert_uint_eq(mem_step(a), mem_step(b));
            ck_assert_uint_eq(a->n, b->n);
            for (size_t i = 0; i < a->n; i++) {
                ck_assert_str_eq(a->a[i].name, b->a[i].name);
                ck_assert_msg(a->a[i].bytes == b->a[i].bytes &&
                                  memcmp(a->a[i].data, b->a[i].data, a->a[i].bytes) == 0,
                              "from step %llu: %s differs at step %llu",
                              (unsigned long long)step0, a->a[i].name,
                              (unsigned long long)mem_step(a));
                if (strstr(a->a[i].name, "/active"))
                    for (size_t q = 0; q < a->a[i].bytes; q++)
                        dormant_seen += !a->a[i].data[q];
            }
        }
        /* the spikes from the checkpoint on */
        size_t first = 0;
        while (first < all->n && all->t_ms[first] <= (double)step0 * c->dt_ms + 0.05)
            first++;
        ck_assert_uint_eq(rest->n, all->n - first);
        ck_assert_mem_eq(rest->id, all->id + first, rest->n * sizeof *rest->id);
        ck_assert_mem_eq(rest->t_ms, all->t_ms + first, rest->n * sizeof *rest->t_ms);
        tu_spikes_free(rest);
        mem_run_free(&part);
    }
    ck_assert_msg(dormant_seen > 0, "no block was ever dormant: the skip state went untested");
    tu_spikes_free(all);
    mem_run_free(&whole);
    experiment_free(c);
}
END_TEST

/* Every kind of state (tests/configs/good/checkpoint.yaml), big enough to
 * take about a second. */
#define SETS "--set populations.place.size=1000 --set populations.noise.size=1000 " \
             "--set populations.pc.size=1000 --set recording.weights.ee.interval_ms=1750"

static void setup(void)
{
    strcpy(dir, "/tmp/hebbsleep-ckpt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(config, sizeof config, "%s/ck.yaml", dir);
    ck_assert_int_eq(sh_run(NULL, 0, "cp tests/configs/good/checkpoint.yaml %s", config), 0);
}

static void teardown(void)
{
    ck_assert_int_eq(sh_run(NULL, 0, "rm -rf %s", dir), 0);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* The uninterrupted run with n threads, into h5. */
static void run_whole(const char *h5, int threads)
{
    static char out[1 << 14];
    int rc = sh_run(out, sizeof out, "%s run %s " SETS " -o %s --threads %d --quiet", sh_bin(),
                    config, h5, threads);
    ck_assert_msg(rc == 0, "%s", out);
}

/* Starts the run with checkpoints every 0.5 s (biological) into h5 and
 * ckpt, output to log; returns once its first checkpoint exists. */
static pid_t start(const char *h5, const char *ckpt, const char *log, const char *threads)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execl(sh_bin(), sh_bin(), "run", config, "--set", "populations.place.size=1000",
              "--set", "populations.noise.size=1000", "--set", "populations.pc.size=1000",
              "--set", "recording.weights.ee.interval_ms=1750", "-o", h5, "--quiet",
              "--threads", threads, "--checkpoint-every", "0.5", "--checkpoint", ckpt,
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1200 && !exists(ckpt); i++)
        sleep_ms(10);
    ck_assert_msg(exists(ckpt), "no checkpoint written");
    return pid;
}

static int stop(pid_t pid, int sig)
{
    ck_assert_int_eq(kill(pid, sig), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static void assert_same_files(const char *a, const char *b)
{
    static const char *const skip[] = {"wall_s", "created", "threads", NULL};
    char why[512];
    ck_assert_msg(sh_h5_equal(a, b, skip, why, sizeof why), "%s vs %s: %s", a, b, why);
}

static void resume(const char *ckpt, int threads, int want)
{
    static char out[1 << 14];
    int rc = sh_run(out, sizeof out, "%s resume %s --threads %d --quiet", sh_bin(), ckpt,
                    threads);
    ck_assert_msg(rc == want, "exit %d: %s", rc, out);
}

/* Element i of uint64 array name of checkpoint ckpt. */
static uint64_t saved_u64(const char *ckpt, const char *name, size_t i)
{
    hid_t f = H5Fopen(ckpt, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    uint64_t v[16] = {0};
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_int_ge(H5Dread(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(ds);
    H5Fclose(f);
    return v[i];
}

/* Spikes of pop in run file h5 as written so far (0 if it cannot be read
 * yet); through h5ls, which can be told to ignore the running writer's lock. */
static uint64_t spikes_in(const char *h5, const char *pop)
{
    char out[512];
    sh_run(out, sizeof out, "HDF5_USE_FILE_LOCKING=FALSE h5ls %s/spikes/%s/node_ids", h5, pop);
    const char *at = strstr(out, "Dataset {");
    return at ? strtoull(at + strlen("Dataset {"), NULL, 10) : 0;
}

/* The uninterrupted run's file, and the run file, checkpoint and log of
 * the run called name. */
typedef struct files {
    char whole[128], h5[128], ckpt[128], log[128];
} files;

static void files_named(files *f, const char *name)
{
    snprintf(f->whole, sizeof f->whole, "%s/whole.h5", dir);
    snprintf(f->h5, sizeof f->h5, "%s/%s.h5", dir, name);
    snprintf(f->ckpt, sizeof f->ckpt, "%s/%s.ckpt.h5", dir, name);
    snprintf(f->log, sizeof f->log, "%s/%s.log", dir, name);
}

/* SIGINT: the run stops at a window's end, saves a checkpoint there and
 * exits 130; resumed with one thread it ends as the whole run did. */
START_TEST(test_interrupted_run_resumes_identically)
{
    static char out[1 << 14];
    files f;
    files_named(&f, "part");
    run_whole(f.whole, 1);
    int status = stop(start(f.h5, f.ckpt, f.log, "2"), SIGINT);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 130);
    ck_assert_int_eq(sh_run(out, sizeof out, "cat %s", f.log), 0);
    const char *at = strstr(out, "interrupted at ");
    ck_assert_ptr_nonnull(at);
    ck_assert_ptr_nonnull(strstr(out, "hebbsleep resume"));
    /* the checkpoint is the stop's, not the last periodic one (dt 0.1 ms) */
    ck_assert_double_eq_tol((double)saved_u64(f.ckpt, "sim/step", 0) * 0.1,
                            atof(at + strlen("interrupted at ")), 0.051);
    resume(f.ckpt, 1, 0);
    assert_same_files(f.whole, f.h5);
    ck_assert_msg(!exists(f.ckpt), "a complete run keeps no checkpoint");
}
END_TEST

/* SIGKILL after a periodic checkpoint: the file holds more than the
 * checkpoint; the resumed run cuts it back and goes on, with 2 threads. */
START_TEST(test_killed_run_resumes_from_last_checkpoint)
{
    files f;
    files_named(&f, "killed");
    run_whole(f.whole, 2);
    pid_t pid = start(f.h5, f.ckpt, f.log, "1");
    /* until the file holds more than the checkpoint counts, so the resume
     * must cut it back */
    uint64_t saved = saved_u64(f.ckpt, "recorders/spikes", 2);
    for (int i = 0; i < 1000 && spikes_in(f.h5, "pc") <= saved; i++)
        sleep_ms(10);
    int status = stop(pid, SIGKILL);
    ck_assert(WIFSIGNALED(status));
    ck_assert_uint_gt(spikes_in(f.h5, "pc"), saved);
    resume(f.ckpt, 2, 0);
    assert_same_files(f.whole, f.h5);
}
END_TEST

/* Writes a string attribute of the root of file path. */
static void set_root_attr(const char *path, const char *name, const char *value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    ck_assert_int_ge(h5util_attr_write_str(f, name, value), 0);
    H5Fclose(f);
}

static void assert_refused(const char *want, const char *fmt, const char *a, const char *b)
{
    static char out[1 << 14];
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    int rc = sh_run(out, sizeof out, "%s %s", sh_bin(), cmd);
    ck_assert_msg(rc == 2 && strstr(out, want), "%s: exit %d: %s (want '%s')", cmd, rc, out,
                  want);
}

/* What is not this run's checkpoint, or not a checkpoint, is refused with
 * exit 2 and a message; the run then still resumes. */
START_TEST(test_foreign_checkpoints_refused)
{
    char h5[128], ckpt[128], log[128], other[160], copy[160];
    snprintf(h5, sizeof h5, "%s/r.h5", dir);
    snprintf(ckpt, sizeof ckpt, "%s/r.ckpt.h5", dir);
    snprintf(log, sizeof log, "%s/r.log", dir);
    snprintf(copy, sizeof copy, "%s/copy.ckpt.h5", dir);
    int status = stop(start(h5, ckpt, log, "2"), SIGTERM);
    ck_assert_int_eq(WEXITSTATUS(status), 143);

    assert_refused("resume takes no --set", "resume %s --set simulation.seed=2%s", ckpt, "");
    assert_refused("--checkpoint needs --checkpoint-every", "run %s --checkpoint %s", config,
                   ckpt);
    assert_refused("--checkpoint-every needs biological seconds > 0",
                   "run %s --checkpoint-every -1%s", config, "");
    /* not a checkpoint: a run file, text, a truncated checkpoint */
    assert_refused("not a hebbsleep checkpoint", "resume %s%s", h5, "");
    assert_refused(config, "resume %s%s", config, "");
    char fresh[256];
    snprintf(fresh, sizeof fresh, "%s/new.h5 --checkpoint-every 1 --checkpoint %s/./new.h5",
             dir, dir);
    assert_refused("that is the run file", "run %s -o %s", config, fresh);
    assert_refused("that is the experiment file", "run %s -o x.h5 --checkpoint-every 1 "
                   "--checkpoint %s", config, config);
    ck_assert_int_eq(sh_run(NULL, 0, "head -c 4000 %s > %s", ckpt, copy), 0);
    assert_refused(copy, "resume %s%s", copy, "");
    /* another build */
    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s", ckpt, copy), 0);
    set_root_attr(copy, "version", "0.0.1");
    assert_refused("written by hebbsleep 0.0.1", "resume %s%s", copy, "");
    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s", ckpt, copy), 0);
    set_root_attr(copy, "git_commit", "0000000");
    assert_refused("(0000000), this is", "resume %s%s", copy, "");
    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s", ckpt, copy), 0);
    hid_t fv = H5Fopen(copy, H5F_ACC_RDWR, H5P_DEFAULT);
    uint32_t two = 2;
    ck_assert_int_ge(h5util_attr_write(fv, "format_version", H5T_STD_U32LE, H5T_NATIVE_UINT32,
                                       &two), 0);
    H5Fclose(fv);
    assert_refused("checkpoint format 2, this hebbsleep reads format 1", "resume %s%s", copy,
                   "");
    /* an array gone */
    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s", ckpt, copy), 0);
    hid_t f = H5Fopen(copy, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(H5Ldelete(f, "pops/2/var0", H5P_DEFAULT), 0);
    H5Fclose(f);
    assert_refused("checkpoint array pops/2/var0 is missing", "resume %s%s", copy, "");
    /* one byte of the weights damaged: the chunk's checksum tells */
    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s", ckpt, copy), 0);
    hid_t fw = H5Fopen(copy, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dw = H5Dopen2(fw, "projs/2/weight", H5P_DEFAULT);
    haddr_t addr = HADDR_UNDEF;
    hsize_t at = 0, size = 0;
    ck_assert_int_ge(H5Dget_chunk_info_by_coord(dw, &at, NULL, &addr, &size), 0);
    H5Dclose(dw);
    H5Fclose(fw);
    ck_assert_uint_gt(size, 8);
    int fd = open(copy, O_RDWR);
    unsigned char byte;
    ck_assert_int_eq(pread(fd, &byte, 1, (off_t)addr + 5), 1);
    byte = (unsigned char)~byte;
    ck_assert_int_eq(pwrite(fd, &byte, 1, (off_t)addr + 5), 1);
    close(fd);
    assert_refused("checkpoint array (damaged?) projs/2/weight", "resume %s%s", copy, "");
    /* the experiment edited since */
    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s.orig && echo '# edited' >> %s", config,
                            config, config), 0);
    assert_refused("has changed since the checkpoint", "resume %s%s", ckpt, "");
    ck_assert_int_eq(sh_run(NULL, 0, "mv %s.orig %s", config, config), 0);
    /* the run file replaced by another run */
    snprintf(other, sizeof other, "%s/r.h5.orig", dir);
    ck_assert_int_eq(sh_run(NULL, 0, "mv %s %s && %s run %s " SETS " --seed 9 -o %s "
                            "--quiet >/dev/null", h5, other, sh_bin(), config, h5), 0);
    assert_refused("another config, overrides or seed", "resume %s%s", ckpt, "");
    ck_assert_int_eq(sh_run(NULL, 0, "mv %s %s", other, h5), 0);

    ck_assert_int_eq(sh_run(NULL, 0, "cp %s %s", ckpt, copy), 0);
    resume(ckpt, 1, 0);
    /* the run is complete now: nothing to resume */
    assert_refused("holds a complete run", "resume %s%s", copy, "");
}
END_TEST

Suite *checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("resume");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_interrupted_run_resumes_identically);
    tcase_add_test(tc, test_killed_run_resumes_from_last_checkpoint);
    tcase_add_test(tc, test_foreign_checkpoints_refused);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("state");
    tcase_set_timeout(st, 300);
    tcase_add_test(st, test_resumed_state_bitwise);
    suite_add_tcase(s, st);
    return s;
}
