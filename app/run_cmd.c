/* run_cmd.c: `hebbsleep run`: config -> network -> run file (run_cmd.h). */
#include "run_cmd.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/mpi.h"
#include "detect.h"
#include "paths.h"
#include "run_exec.h"
#include "run_file.h"

int run_cmd_run(const run_opts *o, hs_config *c, hs_error *err)
{
    if (o->threads > 0)
        c->threads = (int)o->threads;
    if (o->seed >= 0)
        c->seed = (uint64_t)o->seed;
    char *def = o->output ? NULL : paths_default_output(o->input);
    const char *out = o->output ? o->output : def;
    char *def_ckpt = NULL;
    run_ctx r = {.c = c, .phase = c->phases[0].name};
    if (out && o->checkpoint_every_s > 0)
        r.ckpt = o->checkpoint ? o->checkpoint : (def_ckpt = paths_default_checkpoint(out));
    int rc = out && (r.ckpt || o->checkpoint_every_s <= 0)
                 ? HS_OK
                 : hs_error_set(err, HS_ENOMEM, "out of memory");
    /* rank 0 judges the files (the others may start after it made them,
     * and may not see them: a disk of rank 0's node) */
    if (rc == HS_OK && hs_mpi_rank() == 0) {
        if (!o->overwrite && access(out, F_OK) == 0)
            rc = hs_error_set(err, HS_EINPUT, "%s exists (use --overwrite to replace it)", out);
        if (rc == HS_OK)
            rc = paths_check_dir(out, err);
        if (rc == HS_OK && r.ckpt)
            rc = paths_check_dir(r.ckpt, err);
        /* it may remove an old checkpoint */
        if (rc == HS_OK && r.ckpt)
            rc = paths_check_checkpoint(r.ckpt, o->input, out, err);
    }
    rc = hs_mpi_agree(rc, err);
    double t_build = run_now_s();
    if (rc == HS_OK)
        rc = run_ctx_build(&r, c, err);
    h5out_meta meta = {o->version, o->git_commit, c->seed, c->threads, c->text,
                       c->overrides ? c->overrides : ""};
    if (rc == HS_OK)
        rc = run_file_open(c, out, &meta, &r, err);
    if (rc == HS_OK)
        rc = run_file_task(r.file, c, r.net, &r, err);
    rc = hs_mpi_agree(rc, err);
    /* rank 0 alone analyses: it has every spike, and writes the file */
    if (rc == HS_OK && c->replay.present && hs_mpi_rank() == 0 &&
        !(r.replay = detect_alloc(c, err)))
        rc = err->code;
    if (rc == HS_OK && r.ckpt) {
        r.ckpt_meta = (h5ckpt_meta){(char *)o->version, (char *)o->git_commit, NULL,
                                    c->text,            (char *)meta.overrides, NULL,
                                    c->seed,            c->threads, o->checkpoint_every_s};
        /* rank 0 writes the checkpoint: the paths are its */
        if (hs_mpi_rank() == 0 && (!(r.ckpt_meta.config_path = paths_absolute(o->input, err)) ||
                                   !(r.ckpt_meta.output = paths_absolute(out, err))))
            rc = err->code;
    }
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK)
        rc = run_exec(&r, o, out, run_now_s() - t_build, NULL, NULL, err);
    run_ctx_free(&r);
    if (rc == HS_EIO)
        paths_say_what_is_left(out, err);
    free(def);
    free(def_ckpt);
    return rc;
}
