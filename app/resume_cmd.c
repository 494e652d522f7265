/* resume_cmd.c: `hebbsleep resume`: a checkpoint -> the rest of its run, in
 * the same run file (resume_cmd.h). */
#include "resume_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mpi.h"
#include "../io/h5util.h"
#include "../sim/schedule.h"
#include "checkpoint.h"
#include "detect.h"
#include "paths.h"
#include "run_exec.h"
#include "run_file.h"

/* Splits the saved overrides (one per line) into sets. */
static size_t split_overrides(char *text, const char **sets, size_t max)
{
    size_t n = 0;
    for (char *line = text; *text && line && n < max; line = strchr(line, '\n')) {
        if (*line == '\n')
            *line++ = '\0';
        sets[n++] = line;
    }
    return n;
}

/* This run_ctx_build, the same experiment text, the same run file: else refused. */
static int check_same_run(const h5ckpt_meta *m, const run_opts *o, const hs_config *c,
                          hs_error *err)
{
    if (strcmp(m->version, o->version) != 0 || strcmp(m->git_commit, o->git_commit) != 0)
        return hs_error_set(err, HS_EINPUT, "%s: written by hebbsleep %s (%s), this is %s "
                            "(%s): resume it with the run_ctx_build that wrote it", o->input,
                            m->version, m->git_commit, o->version, o->git_commit);
    if (strcmp(c->text, m->config_text) != 0)
        return hs_error_set(err, HS_EINPUT, "%s: %s has changed since the checkpoint was "
                            "written", o->input, m->config_path);
    return HS_OK;
}

/* A first read of the whole checkpoint in a forked child (h5util_guard):
 * HDF5 1.10 crashes on some corrupt files. n NULL: its attributes only. */
typedef struct trial {
    const char *path;
    const hs_config *c;
    network *n;
    sim *s;
} trial;

static int trial_read(void *ctx, FILE *out, hs_error *err)
{
    (void)out;
    const trial *t = ctx;
    const h5ckpt_meta *m;
    h5ckpt *k = h5ckpt_open(t->path, &m, err);
    int rc = k ? HS_OK : err->code;
    schedule_pos pos;
    ckpt_recorders rec;
    if (rc == HS_OK && t->n && (rc = checkpoint_head_alloc(t->c, &pos, &rec, err)) == HS_OK) {
        rc = checkpoint_load_head(k, t->c, t->n, &pos, &rec, err);
        if (rc == HS_OK)
            rc = checkpoint_load_state(k, t->n, t->s, err);
        checkpoint_head_free(&pos, &rec);
    }
    h5ckpt_close(k);
    return rc;
}

/* The experiment a checkpoint names, loaded with its saved overrides;
 * *ov (malloc'd) holds the strings the config's sets point into. */
static hs_config *load_experiment(const h5ckpt_meta *m, char **ov, hs_error *err)
{
    enum { MAX_SETS = 256 };
    const char *sets[MAX_SETS];
    if (!(*ov = strdup(m->overrides))) {
        hs_error_set(err, HS_ENOMEM, "out of memory");
        return NULL;
    }
    return config_load(m->config_path, sets, split_overrides(*ov, sets, MAX_SETS), err);
}

int resume_cmd_preflight(const run_opts *o, hs_error *err)
{
    trial t = {o->input, NULL, NULL, NULL};
    int rc = h5util_guard(trial_read, &t, NULL, o->input, err);
    if (rc != HS_OK || !hs_mpi_launched())
        return rc;
    /* under a launcher the experiment's HDF5 inputs too: once MPI has
     * started they are read without a child */
    const h5ckpt_meta *m;
    h5ckpt *k = h5ckpt_open(o->input, &m, err);
    char *ov = NULL;
    hs_config *c = k ? load_experiment(m, &ov, err) : NULL;
    rc = c ? HS_OK : err->code ? err->code : HS_EINTERNAL;
    experiment_free(c);
    free(ov);
    h5ckpt_close(k);
    return rc;
}

int resume_cmd_run(const run_opts *o, hs_error *err)
{
    const h5ckpt_meta *m = NULL;
    h5ckpt *k = h5ckpt_open(o->input, &m, err);
    if (hs_mpi_agree(k ? HS_OK : err->code, err) != HS_OK) {
        h5ckpt_close(k);
        return err->code;
    }
    char *ov = NULL;
    hs_config *c = load_experiment(m, &ov, err);
    int rc = c ? check_same_run(m, o, c, err) : err->code ? err->code : HS_EINTERNAL;
    run_ctx r = {.c = c, .ckpt = o->input};
    schedule_pos pos = {0};
    ckpt_recorders rec = {0};
    double t_build = run_now_s();
    if (rc == HS_OK) {
        c->seed = m->seed;
        c->threads = o->threads > 0 ? (int)o->threads : m->threads;
        r.phase = c->phases[0].name;
        r.ckpt_meta = *m;
        r.ckpt_meta.config_path = strdup(m->config_path);
        r.ckpt_meta.output = strdup(m->output);
        r.ckpt_meta.threads = c->threads;
        if (o->checkpoint_every_s > 0)
            r.ckpt_meta.every_s = o->checkpoint_every_s;
        if (!r.ckpt_meta.config_path || !r.ckpt_meta.output)
            rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK)
        rc = run_ctx_build(&r, c, err);
    rc = hs_mpi_agree(rc, err);
    /* the whole state in a child: without MPI alone (under MPI its reads
     * are collective, which a child of one rank cannot take part in, and
     * no rank may fork; its arrays are fixed-size numbers in checksummed
     * chunks, not the variable-length strings HDF5 1.10 crashes on, which
     * resume_cmd_preflight read in a child with the attributes) */
    trial t = {o->input, c, r.net, r.s};
    if (rc == HS_OK && !hs_mpi_running())
        rc = h5util_guard(trial_read, &t, NULL, o->input, err);
    if (rc == HS_OK)
        rc = hs_mpi_agree(checkpoint_head_alloc(c, &pos, &rec, err), err);
    if (rc == HS_OK)
        rc = checkpoint_load_head(k, c, r.net, &pos, &rec, err);
    /* all of it there, and in place, before the run file is cut back */
    if (rc == HS_OK)
        rc = checkpoint_check_state(k, r.net, r.s, err);
    uint64_t step = 0;
    state_io io = h5ckpt_io(k);
    if (rc == HS_OK)
        rc = state_array(&io, STATE_U64, &step, 1, err, "sim/step");
    if (rc == HS_OK)
        rc = schedule_pos_check(c, &pos, step, err);
    h5out_meta meta = {o->version, o->git_commit, m->seed, m->threads, m->config_text,
                       m->overrides};
    if (rc == HS_OK)
        rc = run_file_reopen(c, m->output, &meta, &rec, &r, err);
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK)
        rc = run_file_run_times(c, &r.traj, &r, err);
    /* rank 0 alone analyses: it has every spike, and writes the file */
    if (rc == HS_OK && c->replay.present && hs_mpi_rank() == 0 &&
        !(r.replay = detect_alloc(c, err)))
        rc = err->code;
    if (rc == HS_OK && r.replay)
        rc = run_exec_read_back(&r, err);
    rc = hs_mpi_agree(rc, err);
    resume_load load = {k, &r};
    if (rc == HS_OK)
        rc = run_exec(&r, o, m->output, run_now_s() - t_build, &pos, &load, err);
    checkpoint_head_free(&pos, &rec);
    run_ctx_free(&r);
    if (rc == HS_EIO)
        paths_say_what_is_left(m->output, err);
    h5ckpt_close(k);
    experiment_free(c);
    free(ov);
    return rc;
}
