/* config_print.c: the resolved config as YAML that config_load reads back to
 * the same config. Numbers are printed with the fewest digits that round-trip
 * exactly; every default is written out; spike data goes inline; a task's
 * trajectory keeps its CSV path as written (relative to the YAML, so the
 * output reads back from the same directory). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Items per line in long flow lists. */
#define PER_LINE 10

static void number_print(FILE *f, double v)
{
    if (isinf(v)) {
        fputs(v < 0 ? "-.inf" : ".inf", f);
        return;
    }
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

static void dist_print(FILE *f, const hs_dist *d)
{
    switch (d->kind) {
    case HS_DIST_CONSTANT:
        number_print(f, d->value);
        return;
    case HS_DIST_UNIFORM:
        fputs("{dist: uniform, low: ", f);
        number_print(f, d->low);
        fputs(", high: ", f);
        number_print(f, d->high);
        fputs("}", f);
        return;
    case HS_DIST_NORMAL:
        fputs("{dist: normal, mean: ", f);
        number_print(f, d->mean);
        fputs(", sd: ", f);
        number_print(f, d->sd);
        fputs(", low: ", f);
        number_print(f, d->low);
        fputs(", high: ", f);
        number_print(f, d->high);
        fputs("}", f);
        return;
    }
}

/* A flow list of n doubles or uint64s; continuation lines are indented past
 * the key, as YAML requires inside a block mapping. */
static void list_print(FILE *f, const double *t, const uint64_t *u, size_t n, int indent)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && i % PER_LINE == 0)
            fprintf(f, ",\n%*s", indent + 2, "");
        else if (i > 0)
            fputs(", ", f);
        if (t)
            number_print(f, t[i]);
        else
            fprintf(f, "%" PRIu64, u[i]);
    }
    fputc(']', f);
}

/* 1 when the phases are what a config without a schedule gets: one phase
 * "run" in stage wake, every gain and transmission 1, the populations' own
 * parameters, no drive, no shuffle. */
static int schedule_is_default(const hs_config *c)
{
    if (c->n_phases != 1)
        return 0;
    const hs_phase_config *ph = &c->phases[0];
    if (strcmp(ph->name, "run") != 0 || strcmp(ph->stage, "wake") != 0)
        return 0;
    for (size_t p = 0; p < c->n_projs; p++) {
        if (ph->stdp_gain[p] != 1.0 || ph->transmission[p] != 1.0 || ph->shuffle[p])
            return 0;
        for (size_t k = 0; k < HS_MAX_HOMEOSTASIS; k++)
            if (ph->homeo_gain[p * HS_MAX_HOMEOSTASIS + k] != 1.0)
                return 0;
    }
    for (size_t p = 0; p < c->n_pops; p++)
        if (ph->drive[p].kind != DRIVE_NONE ||
            memcmp(ph->pop_params + p * HS_MAX_PARAMS, c->pops[p].params,
                   sizeof c->pops[p].params) != 0)
            return 0;
    return 1;
}

/* s as a YAML scalar: plain when that reads back as the same string, else
 * double-quoted with escapes. */
static void string_print(FILE *f, const char *s)
{
    int plain = s[0] != '\0' && s[0] != '-' && strcmp(s, "null") != 0 &&
                strcmp(s, "Null") != 0 && strcmp(s, "NULL") != 0;
    for (const char *p = s; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.' || *p == '/';
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* The track and its parameters (config_task.c), then the tracked file. */
static void task_print(const hs_task_config *t, FILE *f)
{
    config_task_print(t, f);
    if (t->h5_path) {
        fputs("  trajectory: {h5: ", f);
        string_print(f, t->h5_path);
        fputs(", t: ", f);
        string_print(f, t->h5_t);
        fputs(", x: ", f);
        string_print(f, t->h5_x);
        fputs("}\n", f);
    }
    if (!t->csv_path)
        return;
    fputs("  trajectory: {csv: ", f);
    string_print(f, t->csv_path);
    fputs("}\n", f);
}

/* With a schedule, the run's duration is the phases' and is not written. */
static void sim_print(const hs_config *c, int scheduled, FILE *f)
{
    fputs("simulation:\n  dt_ms: ", f);
    number_print(f, c->dt_ms);
    if (!scheduled) {
        fputs("\n  duration_ms: ", f);
        number_print(f, c->duration_ms);
    }
    fprintf(f, "\n  seed: %" PRIu64 "\n  threads: %d\n  skip_quiet: %s\n  max_rate_hz: ", c->seed,
            c->threads, c->skip_quiet ? "true" : "false");
    number_print(f, c->max_rate_hz);
    fputs("\n  max_rate_window_ms: ", f);
    number_print(f, c->max_rate_window_ms);
    fputc('\n', f);
}

/* "params:" and one line per parameter, at indent spaces. */
static void params_print(FILE *f, const hs_param_desc *d, size_t n, const double *params,
                         int indent)
{
    fprintf(f, "%*sparams:%s\n", indent, "", n ? "" : " {}");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%*s%s: ", indent + 2, "", d[i].name);
        number_print(f, *hs_param_ptr(&d[i], (void *)params));
        fputc('\n', f);
    }
}

static void pop_print(const hs_pop_config *p, FILE *f)
{
    const neuron_type *t = p->model;
    fprintf(f, "  %s:\n    model: %s\n    size: %" PRIu64 "\n", p->name, t->name, p->size);
    params_print(f, t->params, t->n_params, p->params, 4);
    int any_init = 0;
    for (size_t i = 0; i < t->n_state; i++)
        any_init |= p->has_init[i];
    if (any_init)
        fputs("    init:\n", f);
    for (size_t i = 0; any_init && i < t->n_state; i++) {
        if (!p->has_init[i])
            continue;
        fprintf(f, "      %s: ", t->state_names[i]);
        dist_print(f, &p->init[i]);
        fputc('\n', f);
    }
    if (strcmp(t->name, "spike_times") != 0)
        return;
    fputs("    spikes:\n      times_ms: ", f);
    list_print(f, p->spike_t_ms, NULL, p->n_spikes, 6);
    fputs("\n      ids: ", f);
    list_print(f, NULL, p->spike_ids, p->n_spikes, 6);
    fputc('\n', f);
}

static void connect_print(const hs_proj_config *pj, FILE *f)
{
    switch (pj->rule) {
    case HS_CONN_FIXED_PROBABILITY:
        fputs("{rule: fixed_probability, p: ", f);
        number_print(f, pj->p);
        break;
    case HS_CONN_FIXED_INDEGREE:
        fprintf(f, "{rule: fixed_indegree, indegree: %" PRIu64, pj->indegree);
        break;
    case HS_CONN_ONE_TO_ONE:
        fputs("{rule: one_to_one}", f);
        return;
    case HS_CONN_ALL_TO_ALL:
        fputs("{rule: all_to_all", f);
        break;
    }
    fprintf(f, ", autapses: %s}", pj->autapses ? "true" : "false");
}

static void proj_print(const hs_config *c, const hs_proj_config *pj, FILE *f)
{
    const hs_pop_config *post = &c->pops[pj->post];
    fprintf(f, "  %s:\n    pre: %s\n    post: %s\n    receptor: %s\n    connect: ", pj->name,
            c->pops[pj->pre].name, post->name, post->model->receptor_names[pj->receptor]);
    connect_print(pj, f);
    fputs("\n    weight: ", f);
    dist_print(f, &pj->weight);
    fputs("\n    delay_ms: ", f);
    dist_print(f, &pj->delay_ms);
    fputc('\n', f);
    const stdp_type *t = pj->plast.rule;
    if (t) {
        fprintf(f, "    plasticity:\n      rule: %s\n      interaction: %s\n", t->name,
                pj->plast.nearest ? "nearest" : "all_to_all");
        params_print(f, t->params, t->n_params, pj->plast.params, 6);
    }
    if (pj->n_homeo)
        fputs("    homeostasis:\n", f);
    for (size_t k = 0; k < pj->n_homeo; k++) {
        const hs_homeo_config *h = &pj->homeo[k];
        fprintf(f, "      - rule: %s\n", h->rule->name);
        params_print(f, h->rule->params, h->rule->n_params, h->params, 8);
    }
}

static void recording_print(const hs_config *c, FILE *f)
{
    fputs("recording:\n  spikes: [", f);
    int first = 1;
    for (size_t i = 0; i < c->n_pops; i++) {
        if (!c->pops[i].record_spikes)
            continue;
        fprintf(f, "%s%s", first ? "" : ", ", c->pops[i].name);
        first = 0;
    }
    fputs(c->n_traces ? "]\n  traces:\n" : "]\n  traces: {}\n", f);
    for (size_t i = 0; i < c->n_traces; i++) {
        const hs_trace_config *tr = &c->traces[i];
        const hs_pop_config *p = &c->pops[tr->pop];
        fprintf(f, "    %s:\n      variable: %s\n      ids: ", p->name,
                p->model->state_names[tr->var]);
        list_print(f, NULL, tr->ids, tr->n_ids, 6);
        fputs("\n      interval_ms: ", f);
        number_print(f, tr->interval_ms);
        fputc('\n', f);
    }
    fputs(c->n_weights ? "  weights:\n" : "  weights: {}\n", f);
    for (size_t i = 0; i < c->n_weights; i++) {
        fprintf(f, "    %s: {interval_ms: ", c->projs[c->weights[i].proj].name);
        number_print(f, c->weights[i].interval_ms);
        fputs("}\n", f);
    }
}

/* Projection p's gains in phase ph, as {stdp: g, rule: g, ..., transmission: g};
 * transmission only when it is not 1. */
static void gains_print(const hs_proj_config *pj, size_t p, const hs_phase_config *ph,
                        FILE *f)
{
    fprintf(f, "      %s: {", pj->name);
    const char *sep = "";
    if (pj->plast.rule) {
        fputs("stdp: ", f);
        number_print(f, ph->stdp_gain[p]);
        sep = ", ";
    }
    for (size_t k = 0; k < pj->n_homeo; k++) {
        fprintf(f, "%s%s: ", sep, pj->homeo[k].rule->name);
        number_print(f, ph->homeo_gain[p * HS_MAX_HOMEOSTASIS + k]);
        sep = ", ";
    }
    if (ph->transmission[p] != 1.0) {
        fprintf(f, "%stransmission: ", sep);
        number_print(f, ph->transmission[p]);
    }
    fputs("}\n", f);
}

static int gains_wanted(const hs_config *c, size_t p, const hs_phase_config *ph)
{
    return c->projs[p].plast.rule || c->projs[p].n_homeo || ph->transmission[p] != 1.0;
}

/* set: the parameters of each population that differ from its own. */
static void set_print(const hs_config *c, const hs_phase_config *ph, FILE *f)
{
    int any = 0;
    for (size_t p = 0; p < c->n_pops; p++) {
        const neuron_type *t = c->pops[p].model;
        const double *own = c->pops[p].params, *v = ph->pop_params + p * HS_MAX_PARAMS;
        int first = 1;
        for (size_t k = 0; k < t->n_params; k++) {
            size_t at = t->params[k].offset / sizeof(double);
            if (v[at] == own[at])
                continue;
            if (!any)
                fputs("    set:\n", f);
            any = 1;
            fprintf(f, first ? "      %s: {" : ", ", c->pops[p].name);
            fprintf(f, "%s: ", t->params[k].name);
            number_print(f, v[at]);
            first = 0;
        }
        if (!first)
            fputs("}\n", f);
    }
}

static void drive_print(const hs_config *c, const hs_phase_config *ph, FILE *f)
{
    int any = 0;
    for (size_t p = 0; p < c->n_pops; p++) {
        const drive_params *d = &ph->drive[p];
        if (d->kind == DRIVE_NONE)
            continue;
        if (!any)
            fputs("    drive:\n", f);
        any = 1;
        if (d->kind == DRIVE_SLOW_OSCILLATION) {
            fprintf(f, "      %s: {pattern: slow_oscillation, up_ms: ", c->pops[p].name);
            number_print(f, d->up_ms);
            fputs(", down_ms: ", f);
            number_print(f, d->down_ms);
            fputs(", down_level: ", f);
            number_print(f, d->down_level);
        } else {
            fprintf(f, "      %s: {pattern: theta, freq_hz: ", c->pops[p].name);
            number_print(f, d->freq_hz);
            fputs(", depth: ", f);
            number_print(f, d->depth);
        }
        fputs("}\n", f);
    }
}

static void shuffle_print(const hs_config *c, const hs_phase_config *ph, FILE *f)
{
    const char *sep = "    shuffle: [";
    for (size_t p = 0; p < c->n_projs; p++)
        if (ph->shuffle[p]) {
            fprintf(f, "%s%s", sep, c->projs[p].name);
            sep = ", ";
        }
    if (sep[0] == ',')
        fputs("]\n", f);
}

static void schedule_print(const hs_config *c, FILE *f)
{
    fputs("schedule:\n", f);
    for (size_t i = 0; i < c->n_phases; i++) {
        const hs_phase_config *ph = &c->phases[i];
        fprintf(f, "  - name: %s\n    stage: %s\n    duration_ms: ", ph->name, ph->stage);
        number_print(f, ph->duration_ms);
        fputs("\n", f);
        size_t wanted = 0;
        for (size_t p = 0; p < c->n_projs; p++)
            wanted += gains_wanted(c, p, ph);
        if (wanted)
            fputs("    gains:\n", f);
        for (size_t p = 0; p < c->n_projs; p++)
            if (gains_wanted(c, p, ph))
                gains_print(&c->projs[p], p, ph, f);
        set_print(c, ph, f);
        drive_print(c, ph, f);
        shuffle_print(c, ph, f);
    }
}

static void replay_print(const hs_config *c, FILE *f)
{
    const hs_replay_config *r = &c->replay;
    fprintf(f, "replay:\n  population: %s\n  n_perm: %" PRIu64 "\n  n_shuffle: %" PRIu64
               "\n  bin_cm: ",
            c->pops[r->pop].name, r->n_perm, r->n_shuffle);
    number_print(f, r->bin_cm);
    fputs("\n  tbin_ms: ", f);
    number_print(f, r->tbin_ms);
    fputs("\n  alpha: ", f);
    number_print(f, r->alpha);
    fputs("\n  template_bin_ms: ", f);
    number_print(f, r->template_bin_ms);
    fprintf(f, "\n  template_shuffles: %" PRIu64 "\n", r->template_shuffles);
    int any = 0;
    for (size_t k = 0; k < c->n_phases; k++)
        any |= c->phases[k].elsewhere;
    if (!any)
        return;
    const char *sep = "  fields_from: [";
    for (size_t k = 0; k < c->n_phases; k++)
        if (strcmp(c->phases[k].stage, "wake") == 0 && !c->phases[k].elsewhere) {
            fprintf(f, "%s%s", sep, c->phases[k].name);
            sep = ", ";
        }
    fputs("]\n", f);
}

void config_print(const hs_config *c, FILE *f)
{
    int scheduled = !schedule_is_default(c);
    sim_print(c, scheduled, f);
    if (c->task.present)
        task_print(&c->task, f);
    fputs("populations:\n", f);
    for (size_t i = 0; i < c->n_pops; i++)
        pop_print(&c->pops[i], f);
    fputs(c->n_projs ? "projections:\n" : "projections: {}\n", f);
    for (size_t i = 0; i < c->n_projs; i++)
        proj_print(c, &c->projs[i], f);
    recording_print(c, f);
    if (scheduled)
        schedule_print(c, f);
    if (c->replay.present)
        replay_print(c, f);
}
