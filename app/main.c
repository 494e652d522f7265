/* hebbsleep: the command line (DESIGN.md "The command line").
 *
 *   hebbsleep run EXPERIMENT.yaml [-o OUT.h5] [--threads N] [--seed S]
 *                 [--set key.path=value]... [--overwrite] [--quiet | --progress]
 *                 [--checkpoint-every T [--checkpoint FILE]]
 *   hebbsleep resume CHECKPOINT.h5 [--threads N] [--checkpoint-every T]
 *                 [--quiet | --progress]
 *   hebbsleep check EXPERIMENT.yaml [--set key.path=value]...
 *   hebbsleep info RUN.h5
 *
 * Exit 0 on success, 2 on bad input, 1 on internal error, 130 / 143 when
 * SIGINT / SIGTERM stopped the run.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "../io/config.h"
#include "../base/error.h"
#include "../base/mpi.h"
#include "info.h"
#include "resume_cmd.h"
#include "run_cmd.h"
#include "signals.h"

#define MAX_SETS 256

typedef struct cli {
    const char *command;
    const char *sets[MAX_SETS];
    size_t n_sets;
    run_opts run;
} cli;

static const char usage[] =
    "usage: hebbsleep run EXPERIMENT.yaml [-o OUT.h5] [--threads N] [--seed S]\n"
    "                     [--set key.path=value]... [--overwrite] [--quiet | --progress]\n"
    "                     [--checkpoint-every T [--checkpoint FILE]]\n"
    "       hebbsleep resume CHECKPOINT.h5 [--threads N] [--checkpoint-every T]\n"
    "                        [--quiet | --progress]\n"
    "       hebbsleep check EXPERIMENT.yaml [--set key.path=value]...\n"
    "       hebbsleep info RUN.h5\n"
    "       hebbsleep --help | --version\n"
    "\n"
    "run     simulate the experiment and write one HDF5 file (default: the\n"
    "        experiment's name with .h5, in the current directory)\n"
    "resume  go on with a run from its checkpoint, into the same file: the\n"
    "        result is identical to the run's had it not stopped\n"
    "check   validate the experiment and print the resolved config\n"
    "info    summarise a run file: phases, spike counts, rates, replay events\n"
    "\n"
    "  -o, --output FILE   the run file to write\n"
    "  --threads N         OpenMP threads (results are identical for any N)\n"
    "  --seed S            random seed, overrides simulation.seed\n"
    "  --set key=value     override one config value, e.g. --set simulation.duration_ms=500\n"
    "  --overwrite         replace an existing output file\n"
    "  --quiet             no progress line\n"
    "  --progress          the progress line even when stderr is not a terminal\n"
    "                      (for wrappers that relay it, such as the Python package)\n"
    "  --checkpoint-every T  save the run's whole state every T biological seconds\n"
    "                      (and when SIGINT or SIGTERM stops it), for `resume`;\n"
    "                      removed when the run completes\n"
    "  --checkpoint FILE   where (default: the output's name with .ckpt.h5)\n";

static int bad_usage(hs_error *err, const char *fmt, const char *arg)
{
    hs_error_set(err, HS_EINPUT, fmt, arg);
    return HS_EINPUT;
}

/* Value of an option given as "--opt value" or "--opt=value". */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t len = strlen(name);
    if (strncmp(argv[*i], name, len) == 0 && argv[*i][len] == '=')
        return argv[*i] + len + 1;
    if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int is_option(const char *arg, const char *name)
{
    size_t len = strlen(name);
    return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_option(cli *c, int argc, char **argv, int *i, hs_error *err)
{
    run_opts *o = &c->run;
    const char *a = argv[*i], *v;
    long long x;
    if (strcmp(a, "--overwrite") == 0)
        o->overwrite = 1;
    else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
        o->quiet = 1;
    else if (strcmp(a, "--progress") == 0)
        o->progress = 1;
    else if (is_option(a, "-o") || is_option(a, "--output")) {
        if (!(v = option_value(argc, argv, i, a[1] == 'o' ? "-o" : "--output")))
            return bad_usage(err, "%s needs a file name", a);
        o->output = v;
    } else if (is_option(a, "--threads")) {
        if (!(v = option_value(argc, argv, i, "--threads")) || parse_long(v, 1, 1024, &x))
            return bad_usage(err, "--threads needs a whole number from 1 to 1024 (got '%s')",
                             v ? v : "");
        o->threads = (long)x;
    } else if (is_option(a, "--seed")) {
        if (!(v = option_value(argc, argv, i, "--seed")) || parse_long(v, 0, LLONG_MAX, &x))
            return bad_usage(err, "--seed needs a whole number >= 0 (got '%s')", v ? v : "");
        o->seed = x;
    } else if (is_option(a, "--set")) {
        if (!(v = option_value(argc, argv, i, "--set")) || !strchr(v, '='))
            return bad_usage(err, "--set needs key.path=value (got '%s')", v ? v : "");
        if (c->n_sets == MAX_SETS)
            return bad_usage(err, "too many --set options (at most %s)", "256");
        c->sets[c->n_sets++] = v;
    } else if (is_option(a, "--checkpoint-every")) {
        char *end = NULL;
        v = option_value(argc, argv, i, "--checkpoint-every");
        double t = v ? strtod(v, &end) : NAN;
        if (!v || end == v || *end || !(t > 0) || !isfinite(t))
            return bad_usage(err, "--checkpoint-every needs biological seconds > 0 (got '%s')",
                             v ? v : "");
        o->checkpoint_every_s = t;
    } else if (is_option(a, "--checkpoint")) {
        if (!(v = option_value(argc, argv, i, "--checkpoint")))
            return bad_usage(err, "%s needs a file name", a);
        o->checkpoint = v;
    } else
        return bad_usage(err, "unknown option '%s' (see hebbsleep --help)", a);
    return HS_OK;
}

/* resume takes what the checkpoint does not fix. */
static int check_resume_options(const cli *c, hs_error *err)
{
    const run_opts *o = &c->run;
    const char *bad = c->n_sets ? "--set" : o->seed >= 0 ? "--seed" : o->output ? "-o"
                    : o->overwrite ? "--overwrite" : o->checkpoint ? "--checkpoint" : NULL;
    if (bad)
        return bad_usage(err, "resume takes no %s: the checkpoint holds the run's config, "
                         "seed and files", bad);
    return HS_OK;
}

static int parse_cli(cli *c, int argc, char **argv, hs_error *err)
{
    memset(c, 0, sizeof *c);
    c->run.seed = -1;
    c->run.version = HS_VERSION;
    c->run.git_commit = HS_GIT_COMMIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0') {
            if (parse_option(c, argc, argv, &i, err) != HS_OK)
                return HS_EINPUT;
        } else if (!c->command)
            c->command = a;
        else if (!c->run.input)
            c->run.input = a;
        else
            return bad_usage(err, "unexpected argument '%s' (see hebbsleep --help)", a);
    }
    if (!c->command)
        return bad_usage(err, "%s", "no command given (see hebbsleep --help)");
    if (strcmp(c->command, "run") && strcmp(c->command, "check") && strcmp(c->command, "info") &&
        strcmp(c->command, "resume"))
        return bad_usage(err, "unknown command '%s' (run, resume, check or info)", c->command);
    if (!c->run.input)
        return bad_usage(err, "'%s' needs a file", c->command);
    if (c->run.checkpoint && !(c->run.checkpoint_every_s > 0))
        return bad_usage(err, "%s", "--checkpoint needs --checkpoint-every");
    if (strcmp(c->command, "resume") == 0)
        return check_resume_options(c, err);
    return HS_OK;
}

/* check and info: no MPI; under a launcher the launch's rank 0 answers. */
static int plain_command(const cli *a, hs_error *err)
{
    if (hs_mpi_launch_rank() != 0)
        return HS_OK;
    if (strcmp(a->command, "info") == 0)
        return info_print(a->run.input, stdout, err);
    hs_config *c = config_load(a->run.input, a->sets, a->n_sets, err);
    int rc = c ? HS_OK : err->code ? err->code : HS_EINTERNAL;
    if (c)
        config_print(c, stdout);
    experiment_free(c);
    return rc;
}

/* run and resume, over MPI ranks when launched. The HDF5 files they read
 * are read first in forked children (h5util_guard), which must happen
 * before MPI starts: by one process, the launch's rank 0 (or the plain
 * process), which loads the experiment (run) or tries the checkpoint and
 * its experiment (resume) before MPI_Init; its failure is agreed once MPI
 * runs, and the other ranks then read the same files without a child. */
static int mpi_command(cli *a, int *argc, char ***argv, hs_error *err)
{
    int lead = hs_mpi_launch_rank() == 0, resume = strcmp(a->command, "resume") == 0;
    hs_config *c = NULL;
    int rc = HS_OK;
    if (lead && resume)
        rc = resume_cmd_preflight(&a->run, err);
    else if (lead && !(c = config_load(a->run.input, a->sets, a->n_sets, err)))
        rc = err->code ? err->code : HS_EINTERNAL;
    hs_error mpi_err;
    hs_error_clear(&mpi_err);
    if (hs_mpi_init(argc, argv, &mpi_err) != HS_OK) {
        experiment_free(c);
        *err = mpi_err;
        return mpi_err.code;
    }
    rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK && !lead && !resume && !(c = config_load(a->run.input, a->sets, a->n_sets,
                                                             err)))
        rc = err->code ? err->code : HS_EINTERNAL;
    if (!resume)
        rc = hs_mpi_agree(rc, err);
    if (rc == HS_OK)
        rc = resume ? resume_cmd_run(&a->run, err) : run_cmd_run(&a->run, c, err);
    experiment_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    omp_set_dynamic(0);   /* the team must be as large as the network was built for */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("hebbsleep %s (%s)\n", HS_VERSION, HS_GIT_COMMIT);
            return 0;
        }
    }
    hs_error err;
    hs_error_clear(&err);
    cli a;
    int rc = parse_cli(&a, argc, argv, &err);
    if (rc == HS_OK && (strcmp(a.command, "run") == 0 || strcmp(a.command, "resume") == 0))
        rc = mpi_command(&a, &argc, &argv, &err);
    else if (rc == HS_OK)
        rc = plain_command(&a, &err);
    /* every rank fails alike (hs_mpi_agree): one of them says so */
    if (rc != HS_OK && hs_mpi_rank() == 0 && hs_mpi_launch_rank() == 0)
        fprintf(stderr, "hebbsleep: %s\n", err.msg[0] ? err.msg : "internal error");
    hs_mpi_finalize();
    if (rc == HS_EINTERRUPTED)
        return 128 + (signals_stop_signal() ? signals_stop_signal() : SIGINT);
    return hs_error_exit_code(rc);
}
