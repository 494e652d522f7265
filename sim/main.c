/* hebbsleep: the command line (DESIGN.md "The command line").
 *
 *   hebbsleep run EXPERIMENT.yaml [-o OUT.h5] [--threads N] [--seed S]
 *                 [--set key.path=value]... [--overwrite] [--quiet | --progress]
 *   hebbsleep check EXPERIMENT.yaml [--set key.path=value]...
 *   hebbsleep info RUN.h5
 *
 * Exit 0 on success, 2 on bad input, 1 on internal error.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "../io/config.h"
#include "../io/h5out.h"
#include "../neurons/place_cells.h"
#include "engine.h"
#include "error.h"
#include "network.h"
#include "run_replay.h"
#include "schedule.h"

#define MAX_SETS 256

typedef struct cli {
    const char *command;
    const char *input;
    const char *output;
    const char *sets[MAX_SETS];
    size_t n_sets;
    long threads;          /* 0: from the config */
    long long seed;        /* -1: from the config */
    int overwrite, quiet, progress;
} cli;

static const char usage[] =
    "usage: hebbsleep run EXPERIMENT.yaml [-o OUT.h5] [--threads N] [--seed S]\n"
    "                     [--set key.path=value]... [--overwrite] [--quiet | --progress]\n"
    "       hebbsleep check EXPERIMENT.yaml [--set key.path=value]...\n"
    "       hebbsleep info RUN.h5\n"
    "       hebbsleep --help | --version\n"
    "\n"
    "run     simulate the experiment and write one HDF5 file (default: the\n"
    "        experiment's name with .h5, in the current directory)\n"
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
    "                      (for wrappers that relay it, such as the Python package)\n";

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
    const char *a = argv[*i], *v;
    long long x;
    if (strcmp(a, "--overwrite") == 0)
        c->overwrite = 1;
    else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
        c->quiet = 1;
    else if (strcmp(a, "--progress") == 0)
        c->progress = 1;
    else if (is_option(a, "-o") || is_option(a, "--output")) {
        if (!(v = option_value(argc, argv, i, a[1] == 'o' ? "-o" : "--output")))
            return bad_usage(err, "%s needs a file name", a);
        c->output = v;
    } else if (is_option(a, "--threads")) {
        if (!(v = option_value(argc, argv, i, "--threads")) || parse_long(v, 1, 1024, &x))
            return bad_usage(err, "--threads needs a whole number from 1 to 1024 (got '%s')",
                             v ? v : "");
        c->threads = (long)x;
    } else if (is_option(a, "--seed")) {
        if (!(v = option_value(argc, argv, i, "--seed")) || parse_long(v, 0, LLONG_MAX, &x))
            return bad_usage(err, "--seed needs a whole number >= 0 (got '%s')", v ? v : "");
        c->seed = x;
    } else if (is_option(a, "--set")) {
        if (!(v = option_value(argc, argv, i, "--set")) || !strchr(v, '='))
            return bad_usage(err, "--set needs key.path=value (got '%s')", v ? v : "");
        if (c->n_sets == MAX_SETS)
            return bad_usage(err, "too many --set options (at most %s)", "256");
        c->sets[c->n_sets++] = v;
    } else
        return bad_usage(err, "unknown option '%s' (see hebbsleep --help)", a);
    return HS_OK;
}

static int parse_cli(cli *c, int argc, char **argv, hs_error *err)
{
    memset(c, 0, sizeof *c);
    c->seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0') {
            if (parse_option(c, argc, argv, &i, err) != HS_OK)
                return HS_EINPUT;
        } else if (!c->command)
            c->command = a;
        else if (!c->input)
            c->input = a;
        else
            return bad_usage(err, "unexpected argument '%s' (see hebbsleep --help)", a);
    }
    if (!c->command)
        return bad_usage(err, "%s", "no command given (see hebbsleep --help)");
    if (strcmp(c->command, "run") && strcmp(c->command, "check") && strcmp(c->command, "info"))
        return bad_usage(err, "unknown command '%s' (run, check or info)", c->command);
    if (!c->input)
        return bad_usage(err, "'%s' needs a file", c->command);
    return HS_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* runs/x.yaml -> x.h5 */
static char *default_output(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    char *out = malloc(n + 4);
    if (out) {
        memcpy(out, base, n);
        memcpy(out + n, ".h5", 4);
    }
    return out;
}

/* ---- the run: config -> network -> file ---- */

typedef struct run_ctx {
    const hs_config *c;
    h5out *file;
    int *spike_handle;     /* [n_pops], -1 when not recorded */
    int *trace_handle;     /* [n_traces] */
    int *weight_handle;    /* [n_weights] */
    run_replay *replay;    /* the analysed spikes, with a replay section; else NULL */
    double *run_ms;        /* [n_run] run time of each trajectory sample reached */
    size_t n_run;
    const char *phase;     /* the phase running, for the progress line */
    int progress;
    double t0_wall;
} run_ctx;

static int sink_spikes(void *ctx, size_t pop, const double *t, const uint64_t *ids,
                       size_t n, hs_error *err)
{
    run_ctx *r = ctx;
    if (r->replay && run_replay_spikes(r->replay, pop, t, ids, n, err) != HS_OK)
        return err->code;
    return h5out_spikes_append(r->file, r->spike_handle[pop], t, ids, n, err);
}

static int sink_trace(void *ctx, size_t k, const float *rows, size_t n_rows, hs_error *err)
{
    run_ctx *r = ctx;
    return h5out_report_append(r->file, r->trace_handle[k], rows, n_rows, err);
}

static void sink_progress(void *ctx, double t_ms, double t_end_ms)
{
    run_ctx *r = ctx;
    if (!r->progress)
        return;
    double wall = now_s() - r->t0_wall;
    double speed = wall > 0 ? t_ms * 1e-3 / wall : 0.0;
    double eta = speed > 0 ? (t_end_ms - t_ms) * 1e-3 / speed : 0.0;
    fprintf(stderr, "\r[%s] %.1f / %.1f s biological  %.2fx real time  ETA %.0f s   ",
            r->phase, t_ms * 1e-3, t_end_ms * 1e-3, speed, eta);
    if (t_ms >= t_end_ms)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Phase k runs over [start[k], stop[k]) ms: whole steps, as the run counts
 * them. */
static void phase_bounds(const hs_config *c, double *start, double *stop)
{
    uint64_t steps = 0;
    for (size_t k = 0; k < c->n_phases; k++) {
        start[k] = (double)steps * c->dt_ms;
        steps += (uint64_t)(c->phases[k].duration_ms / c->dt_ms + 0.5);
        stop[k] = (double)steps * c->dt_ms;
    }
}

static int write_phases(h5out *f, const hs_config *c, hs_error *err)
{
    const char **names = malloc(c->n_phases * sizeof *names);
    const char **stages = malloc(c->n_phases * sizeof *stages);
    double *start = malloc(c->n_phases * sizeof *start);
    double *stop = malloc(c->n_phases * sizeof *stop);
    int rc = names && stages && start && stop ? HS_OK
                                              : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK)
        phase_bounds(c, start, stop);
    for (size_t k = 0; rc == HS_OK && k < c->n_phases; k++) {
        names[k] = c->phases[k].name;
        stages[k] = c->phases[k].stage;
    }
    if (rc == HS_OK)
        rc = h5out_phases_write(f, names, stages, start, stop, c->n_phases, err);
    free(names);
    free(stages);
    free(start);
    free(stop);
    return rc;
}

static void sink_phase(void *ctx, size_t k)
{
    run_ctx *r = ctx;
    r->phase = r->c->phases[k].name;
}

static int sink_weights(void *ctx, size_t w, const uint64_t *pre, const uint64_t *post,
                        const double *weight, size_t n, double t_ms, size_t k, hs_error *err)
{
    run_ctx *r = ctx;
    return h5out_weights_write(r->file, r->weight_handle[w], pre, post, weight, n, t_ms,
                               r->c->phases[k].name, err);
}

/* The up states of population pop's slow oscillation in phase k: to
 * /sleep/up_states, and kept for replay detection. */
static int sink_up_states(void *ctx, size_t k, size_t pop, const double *start_ms,
                          const double *stop_ms, size_t n, hs_error *err)
{
    run_ctx *r = ctx;
    if (r->replay && run_replay_up_states(r->replay, k, start_ms, stop_ms, n, err) != HS_OK)
        return err->code;
    return h5out_up_states_append(r->file, r->c->phases[k].name, r->c->pops[pop].name,
                                  start_ms, stop_ms, n, err);
}

static int open_output(const hs_config *c, const char *path, int threads, run_ctx *r,
                       hs_error *err)
{
    h5out_meta meta = {HS_VERSION, HS_GIT_COMMIT, c->seed, threads, c->text,
                       c->overrides ? c->overrides : ""};
    r->file = h5out_create(path, &meta, err);
    if (!r->file)
        return err->code;
    r->spike_handle = malloc(c->n_pops * sizeof *r->spike_handle);
    r->trace_handle = malloc((c->n_traces ? c->n_traces : 1) * sizeof *r->trace_handle);
    if (!r->spike_handle || !r->trace_handle)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t p = 0; p < c->n_pops; p++) {
        r->spike_handle[p] = -1;
        if (!c->pops[p].record_spikes)
            continue;
        r->spike_handle[p] = h5out_spikes_add(r->file, c->pops[p].name, err);
        if (r->spike_handle[p] < 0 ||
            h5out_spikes_set_size(r->file, r->spike_handle[p], c->pops[p].size, err) != HS_OK)
            return err->code;
    }
    for (size_t k = 0; k < c->n_traces; k++) {
        const hs_trace_config *tc = &c->traces[k];
        const neuron_type *ty = c->pops[tc->pop].model;
        r->trace_handle[k] = h5out_report_add(
            r->file, c->pops[tc->pop].name, ty->state_names[tc->var], ty->state_units[tc->var],
            tc->ids, tc->n_ids, tc->interval_ms, tc->interval_ms, err);
        if (r->trace_handle[k] < 0)
            return err->code;
    }
    r->weight_handle = malloc((c->n_weights ? c->n_weights : 1) * sizeof *r->weight_handle);
    if (!r->weight_handle)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t w = 0; w < c->n_weights; w++) {
        const hs_proj_config *pj = &c->projs[c->weights[w].proj];
        const neuron_type *post = c->pops[pj->post].model;
        r->weight_handle[w] = h5out_weights_add(r->file, pj->name, c->pops[pj->pre].name,
                                                c->pops[pj->post].name,
                                                post->receptor_units[pj->receptor], err);
        if (r->weight_handle[w] < 0)
            return err->code;
    }
    return write_phases(r->file, c, err);
}

/* The maze geometry of the first n samples of trajectory t under
 * /behavior: the drawn x, y (float in t) as doubles and the segment table. */
static int write_geometry(h5out *f, const track_traj *t, size_t n, hs_error *err)
{
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    const char *name[TRACK_SEGMENTS_MAX];
    double col[6][TRACK_SEGMENTS_MAX];
    for (size_t k = 0; k < t->n_segments; k++) {
        const track_segment *s = &t->segments[k];
        name[k] = s->name;
        col[0][k] = s->x0_cm;
        col[1][k] = s->y0_cm;
        col[2][k] = s->x1_cm;
        col[3][k] = s->y1_cm;
        col[4][k] = s->offset_cm;
        col[5][k] = s->length_cm;
    }
    h5out_segments segs = {t->n_segments, name,   col[0], col[1],
                           col[2],        col[3], col[4], col[5]};
    int rc = x && y ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        x[i] = t->x[i];
        y[i] = t->y[i];
    }
    if (rc == HS_OK)
        rc = h5out_behavior_geometry_write(f, t->segment, x, y, n, &segs, err);
    free(x);
    free(y);
    return rc;
}

/* The run time of each trajectory sample (its clock runs in wake phases
 * only: schedule_task_run_ms) into r->run_ms; r->n_run counts the samples
 * the wake phases reach (the others come after every wake phase ended). */
static int traj_run_times(const hs_config *c, const track_traj *t, run_ctx *r, hs_error *err)
{
    r->run_ms = malloc((t->n ? t->n : 1) * sizeof *r->run_ms);
    if (!r->run_ms)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    r->n_run = 0;
    for (size_t i = 0; i < t->n; i++) {
        double ms = schedule_task_run_ms(c, (double)i * t->sample_ms);
        if (isnan(ms))
            break;
        r->run_ms[r->n_run++] = ms;
    }
    return HS_OK;
}

/* /behavior from the rat's trajectory in run time (the samples the wake
 * phases reach) and /place_fields of every place_cells population: known
 * before the run starts. */
static int write_task(h5out *f, const hs_config *c, const network *net, run_ctx *r,
                      hs_error *err)
{
    const track_traj *t = &net->traj;
    int rc = traj_run_times(c, t, r, err);
    if (rc == HS_OK && t->n) {
        rc = h5out_behavior_write(f, r->run_ms, t->x_cm, t->lap, t->dir, r->n_run, err);
        if (rc == HS_OK)
            rc = write_geometry(f, t, r->n_run, err);
    }
    for (size_t p = 0; rc == HS_OK && p < net->n_pops; p++) {
        const net_pop *pp = &net->pops[p];
        if (pp->type != &neuron_place_cells)
            continue;
        size_t n = pp->state.n;
        double *centre = malloc(n * sizeof *centre), *width = malloc(n * sizeof *width);
        double *peak = malloc(n * sizeof *peak);
        int8_t *dir = malloc(n * sizeof *dir);
        if (centre && width && peak && dir) {
            place_cells_fields(pp->plan, &pp->state, centre, width, peak, dir);
            rc = h5out_place_fields_write(f, c->pops[p].name, centre, width, peak, dir, n, err);
        } else {
            rc = hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        free(centre);
        free(width);
        free(peak);
        free(dir);
    }
    return rc;
}

/* Replay detection on the run's spikes, written to /replay/events and
 * /replay/template. */
static int detect_replay(run_ctx *r, const network *net, replay_result *res,
                         replay_template_run *tmpl, hs_error *err)
{
    const hs_config *c = r->c;
    double *start = malloc(c->n_phases * sizeof *start);
    double *stop = malloc(c->n_phases * sizeof *stop);
    int rc = start && stop ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (rc == HS_OK) {
        phase_bounds(c, start, stop);
        rc = run_replay_analyse(r->replay, c, start, stop, &net->traj, r->run_ms, r->n_run,
                                net->n_threads, res, tmpl, err);
    }
    if (rc == HS_OK)
        rc = run_replay_write(c, res, tmpl, r->file, err);
    free(start);
    free(stop);
    return rc;
}

static void print_summary(const hs_config *c, const network *net, const sim *s,
                          const char *out, double build_s, double run_s)
{
    double bio_s = (double)sim_step(s) * c->dt_ms * 1e-3;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s -> %s\n", c->path, out);
    printf("  %.3f s biological in %.3f s wall (build %.3f s), %d thread%s\n", bio_s, run_s,
           build_s, net->n_threads, net->n_threads == 1 ? "" : "s");
    for (size_t p = 0; p < c->n_pops; p++) {
        uint64_t n = sim_spike_count(s, p);
        printf("  %-12s %8llu neurons %10llu spikes %8.3f Hz\n", c->pops[p].name,
               (unsigned long long)c->pops[p].size, (unsigned long long)n,
               bio_s > 0 ? (double)n / ((double)c->pops[p].size * bio_s) : 0.0);
    }
    size_t bytes = network_synapse_bytes(net), pbytes = 0, psyn = 0, m;
    for (size_t j = 0; j < net->n_projs; j++)
        if (net->projs[j].learn || net->projs[j].homeo) {
            pbytes += network_proj_bytes(net, j, &m);
            psyn += m;
        }
    uint64_t skipped, blocks;
    sim_skip_stats(s, &skipped, &blocks);
    printf("stats: rtf=%.4f events=%llu events_per_s=%.4g synapses=%zu "
           "bytes_per_synapse=%.2f peak_rss_mb=%.1f run_s=%.3f build_s=%.3f "
           "skipped=%.3f bytes_per_plastic_synapse=%.2f\n",
           bio_s > 0 ? run_s / bio_s : 0.0, (unsigned long long)sim_events(s),
           run_s > 0 ? (double)sim_events(s) / run_s : 0.0, net->n_syn,
           net->n_syn ? (double)bytes / (double)net->n_syn : 0.0, ru.ru_maxrss / 1024.0,
           run_s, build_s, blocks ? (double)skipped / (double)blocks : 0.0,
           psyn ? (double)pbytes / (double)psyn : 0.0);
}

/* Closes the file, complete when the run succeeded (rc HS_OK); returns rc
 * or the close's error. */
static int close_output(run_ctx *r, int rc, double wall_s, hs_error *err)
{
    hs_error cerr;
    int crc = h5out_close(r->file, rc == HS_OK, wall_s, &cerr);
    r->file = NULL;
    if (rc == HS_OK && crc != HS_OK) {
        *err = cerr;
        rc = crc;
    }
    return rc;
}

/* Appends to a write failure's message what it left: the file as its last
 * successful flush wrote it (complete = 0), or no file at all. */
static void say_what_is_left(const char *out, hs_error *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    struct stat st;
    if (stat(out, &st) != 0)
        hs_error_set(err, HS_EIO, "%s; the run stopped, no file was left", msg);
    else
        hs_error_set(err, HS_EIO, "%s; the run stopped, %s keeps what was written before "
                     "(complete = 0)", msg, out);
}

/* The output's directory must exist and be writable: said before the
 * network is built, not as an HDF5 failure after it. */
static int check_output_dir(const char *out, hs_error *err)
{
    const char *slash = strrchr(out, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == out)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    struct stat st;
    if (stat(dir, &st) != 0)
        return hs_error_set(err, HS_EINPUT, "-o %s: the directory %s does not exist", out, dir);
    if (!S_ISDIR(st.st_mode))
        return hs_error_set(err, HS_EINPUT, "-o %s: %s is not a directory", out, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return hs_error_set(err, HS_EINPUT, "-o %s: the directory %s is not writable", out, dir);
    return HS_OK;
}

/* The first SIGINT or SIGTERM asks the run to stop at the next window's end
 * (the recorders flushed, the file closed with complete = 0); a second one
 * exits at once: every write is flushed as it is made, so the file stays
 * readable. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    if (stop_signal)
        _exit(128 + sig);
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int command_run(const cli *a, hs_config *c, hs_error *err)
{
    if (a->threads > 0)
        c->threads = (int)a->threads;
    if (a->seed >= 0)
        c->seed = (uint64_t)a->seed;
    char *def = a->output ? NULL : default_output(a->input);
    const char *out = a->output ? a->output : def;
    if (!out)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    if (!a->overwrite && access(out, F_OK) == 0) {
        free(def);
        return hs_error_set(err, HS_EINPUT, "%s exists (use --overwrite to replace it)", out);
    }
    if (check_output_dir(out, err) != HS_OK) {
        free(def);
        return err->code;
    }
    double t_build = now_s();
    network *net = network_build(c, c->threads, err);
    sim *s = net ? sim_alloc(net, c, err) : NULL;
    run_ctx r = {.c = c, .phase = c->phases[0].name};
    int rc = s ? open_output(c, out, c->threads, &r, err) : err->code;
    if (rc == HS_OK)
        rc = write_task(r.file, c, net, &r, err);
    if (rc == HS_OK && c->replay.present && !(r.replay = run_replay_alloc(c, err)))
        rc = err->code;
    double build_s = now_s() - t_build;
    if (rc == HS_OK) {
        r.progress = !a->quiet && (a->progress || isatty(STDERR_FILENO));
        r.t0_wall = now_s();
        sim_sink sink = {&r, sink_spikes, sink_trace, sink_progress};
        schedule_sink ss = {&r, sink_phase, sink_weights, sink_up_states};
        sim_set_stop_flag(s, &stop_signal);
        catch_stop_signals();
        rc = schedule_run(s, net, c, &sink, &ss, err);
        if (rc == HS_EINTERRUPTED) {
            char where[sizeof err->msg];
            snprintf(where, sizeof where, "%s", err->msg);
            if (r.progress)
                fputc('\n', stderr);
            hs_error_set(err, HS_EINTERRUPTED, "%s: %s; %s holds the run up to there "
                         "(complete = 0)", stop_signal == SIGTERM ? "SIGTERM" : "SIGINT",
                         where, out);
        }
        double run_s = now_s() - r.t0_wall, replay_s = now_s();
        replay_result replay = {0};
        replay_template_run tmpl = {.lap_ms = NAN};
        if (rc == HS_OK && r.replay)
            rc = detect_replay(&r, net, &replay, &tmpl, err);
        replay_s = now_s() - replay_s;
        rc = close_output(&r, rc, run_s + replay_s, err);
        if (rc == HS_OK)
            print_summary(c, net, s, out, build_s, run_s);
        if (rc == HS_OK && r.replay)
            run_replay_print(c, &replay, &tmpl, replay_s, stdout);
        replay_result_free(&replay);
        replay_template_run_free(&tmpl);
    }
    if (r.file)
        h5out_close(r.file, 0, 0.0, NULL);
    if (rc == HS_EIO)
        say_what_is_left(out, err);
    free(r.spike_handle);
    free(r.trace_handle);
    free(r.weight_handle);
    free(r.run_ms);
    run_replay_free(r.replay);
    sim_free(s);
    network_free(net);
    free(def);
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
    if (rc == HS_OK && strcmp(a.command, "info") == 0) {
        rc = h5out_info(a.input, stdout, &err);
    } else if (rc == HS_OK) {
        hs_config *c = config_load(a.input, a.sets, a.n_sets, &err);
        if (!c)
            rc = err.code ? err.code : HS_EINTERNAL;
        else if (strcmp(a.command, "check") == 0)
            config_print(c, stdout);
        else
            rc = command_run(&a, c, &err);
        config_free(c);
    }
    if (rc != HS_OK)
        fprintf(stderr, "hebbsleep: %s\n", err.msg[0] ? err.msg : "internal error");
    if (rc == HS_EINTERRUPTED)
        return 128 + (stop_signal ? stop_signal : SIGINT);
    return hs_error_exit_code(rc);
}
