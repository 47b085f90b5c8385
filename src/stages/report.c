/* Stage 6, report: checklist.md for people and report.json for machines (format
 * driftscope-report/1, ../shared/report-schema.json), both from the findings alone. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/explain.h"
#include "../options.h"
#include "../pipeline.h"
#include "../report/accept.h"
#include "../report/checklist.h"
#include "../report/html.h"
#include "../report/json.h"
#include "../util/outfile.h"
#include "report_view.h"

typedef void (*report_writer_fn)(FILE *out, const ds_report_view_t *view);

static const char *verdict(const ds_run_t *run)
{
    switch (ds_run_exit_status(run)) {
    case 0: return run->identical ? "IDENTICAL" : "ACCEPTED (every difference is a known, accepted one)";
    case 1: return "DIFFERENT";
    default: return run->identity_known && !run->identical ? "DIFFERENT (analysis incomplete)"
                                                            : "TROUBLE (identity not established)";
    }
}

static void json_input(ds_json_t *j, const ds_side_t *s)
{
    ds_json_object_begin(j);
    ds_json_key(j, "path");
    ds_json_string(j, s->path);
    ds_json_key(j, "size");
    if (s->size_known)
        ds_json_int(j, (int64_t)s->size);
    else
        ds_json_null(j);
    ds_json_key(j, "sha256");
    ds_json_string(j, s->sha256_known ? s->sha256 : NULL);
    ds_json_key(j, "type");
    ds_json_string(j, s->type);
    if (s->open_error != NULL) {
        ds_json_key(j, "error");
        ds_json_string(j, s->open_error);
    }
    ds_json_object_end(j);
}

static void json_difference(ds_json_t *j, const ds_difference_t *d)
{
    ds_json_object_begin(j);
    ds_json_key(j, "location");
    ds_json_array_begin(j);
    for (size_t i = 0; i < d->depth; i++)
        ds_json_string(j, d->location[i]);
    ds_json_array_end(j);
    ds_json_key(j, "kind");
    ds_json_string(j, ds_kind_name(d->kind));
    if (d->numeric) {
        ds_json_key(j, "a");
        ds_json_int(j, d->a_number);
        ds_json_key(j, "b");
        ds_json_int(j, d->b_number);
    } else {
        if (d->a != NULL) {
            ds_json_key(j, "a");
            ds_json_string(j, d->a);
        }
        if (d->b != NULL) {
            ds_json_key(j, "b");
            ds_json_string(j, d->b);
        }
    }
    ds_json_key(j, "cause");
    ds_json_string(j, d->cause);
    if (d->confidence != NULL) {
        ds_json_key(j, "confidence");
        ds_json_string(j, d->confidence);
    }
    ds_json_key(j, "secondary");
    ds_json_bool(j, d->secondary);
    if (d->detail != NULL) {
        ds_json_key(j, "detail");
        ds_json_string(j, d->detail);
    }
    if (d->fix != NULL) {
        ds_json_key(j, "fix");
        ds_json_string(j, d->fix);
    }
    if (d->accepted != NULL) {
        ds_json_key(j, "accepted");
        ds_json_bool(j, true);
        ds_json_key(j, "accept_reason");
        ds_json_string(j, d->accepted);
    }
    ds_json_key(j, "stage");
    ds_json_string(j, d->stage);
    ds_json_object_end(j);
}

static void write_json(ds_run_t *run, ds_stage_result_t *result, double report_started)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "report.json", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    ds_stage_artifact(result, "report.json");
    ds_json_t j;
    ds_json_init(&j, out.stream);
    ds_json_object_begin(&j);
    ds_json_key(&j, "format");
    ds_json_string(&j, "driftscope-report/1");
    ds_json_key(&j, "tool");
    ds_json_object_begin(&j);
    ds_json_key(&j, "name");
    ds_json_string(&j, "driftscope");
    ds_json_key(&j, "version");
    ds_json_string(&j, DS_VERSION);
    ds_json_object_end(&j);
    ds_json_key(&j, "inputs");
    ds_json_object_begin(&j);
    ds_json_key(&j, "a");
    json_input(&j, &run->side[0]);
    ds_json_key(&j, "b");
    json_input(&j, &run->side[1]);
    ds_json_object_end(&j);
    ds_json_key(&j, "identical");
    ds_json_bool(&j, run->identity_known && run->identical);
    ds_json_key(&j, "exit_status");
    ds_json_int(&j, ds_run_exit_status(run));
    ds_json_key(&j, "verdict");
    ds_json_string(&j, verdict(run));
    if (run->have_first_difference && !run->identical) {
        ds_json_key(&j, "first_difference");
        ds_json_int(&j, (int64_t)run->first_difference);
    }
    ds_json_key(&j, "stages");
    ds_json_array_begin(&j);
    for (int i = 0; i < DS_STAGE_COUNT; i++) {
        const ds_stage_result_t *s = &run->stages[i];
        ds_json_object_begin(&j);
        ds_json_key(&j, "name");
        ds_json_string(&j, ds_stage_name((ds_stage_id_t)i));
        ds_json_key(&j, "status");
        ds_json_string(&j, ds_stage_status_name(s->status));
        ds_json_key(&j, "seconds");
        ds_json_real(&j, i == DS_STAGE_REPORT ? ds_clock_now() - report_started : s->seconds);
        if (s->message != NULL) {
            ds_json_key(&j, "message");
            ds_json_string(&j, s->message);
        }
        ds_json_key(&j, "artifacts");
        ds_json_array_begin(&j);
        for (size_t k = 0; k < s->artifact_count; k++)
            ds_json_string(&j, s->artifacts[k]);
        ds_json_array_end(&j);
        ds_json_object_end(&j);
    }
    ds_json_array_end(&j);
    ds_json_key(&j, "differences");
    ds_json_array_begin(&j);
    for (size_t i = 0; i < run->findings.count; i++)
        json_difference(&j, &run->findings.items[i]);
    ds_json_array_end(&j);
    bool truncated = run->findings.dropped > 0 || run->limit_count > 0;
    ds_json_key(&j, "truncated");
    ds_json_bool(&j, truncated);
    ds_json_key(&j, "limits");
    ds_json_array_begin(&j);
    for (size_t i = 0; i < run->limit_count; i++)
        ds_json_string(&j, run->limits[i]);
    if (run->findings.dropped > 0) {
        char text[160];
        snprintf(text, sizeof text, "differences: kept the first %zu of %zu (--max-differences)",
                 run->findings.count, ds_findings_total(&run->findings));
        ds_json_string(&j, text);
    }
    ds_json_array_end(&j);
    ds_json_key(&j, "deep");
    ds_json_array_begin(&j);
    for (size_t i = 0; i < run->deep_count; i++) {
        const ds_deep_job_t *job = &run->deep[i];
        char path[80];
        ds_json_object_begin(&j);
        ds_json_key(&j, "location");
        ds_json_string(&j, job->location);
        ds_json_key(&j, "report");
        snprintf(path, sizeof path, "deep/%s", job->report);
        ds_json_string(&j, path);
        ds_json_key(&j, "status");
        ds_json_string(&j, job->status);
        ds_json_object_end(&j);
    }
    ds_json_array_end(&j);
    ds_json_key(&j, "squashfs");
    ds_json_array_begin(&j);
    for (size_t i = 0; i < run->container_count; i++) {
        const ds_container_t *c = &run->containers[i];
        ds_json_object_begin(&j);
        ds_json_key(&j, "location");
        ds_json_string(&j, c->path);
        ds_json_key(&j, "files_compared");
        ds_json_int(&j, (int64_t)c->compared_files);
        ds_json_key(&j, "settled_without_decompression");
        ds_json_int(&j, (int64_t)c->settled_by_stored_bytes);
        ds_json_key(&j, "files_decompressed");
        ds_json_int(&j, (int64_t)c->decompressed_files);
        ds_json_key(&j, "blocks_decompressed");
        ds_json_int(&j, (int64_t)c->blocks_decompressed);
        ds_json_object_end(&j);
    }
    ds_json_array_end(&j);
    ds_json_key(&j, "summary");
    ds_json_object_begin(&j);
    ds_json_key(&j, "differences");
    ds_json_int(&j, (int64_t)ds_findings_total(&run->findings));
    ds_json_key(&j, "accepted");
    ds_json_int(&j, (int64_t)run->accepted);
    ds_json_key(&j, "root_causes");
    ds_json_object_begin(&j);
    /* cause -> count over root (non-secondary) differences, in first-seen order; there are
     * few distinct causes, so a short list is enough. */
    struct cause_count {
        const char *cause;
        int64_t count;
    } *causes = calloc(run->findings.count + 1, sizeof *causes);
    size_t distinct = 0;
    for (size_t i = 0; causes != NULL && i < run->findings.count; i++) {
        const ds_difference_t *d = &run->findings.items[i];
        if (d->secondary)
            continue;
        size_t k = 0;
        while (k < distinct && strcmp(causes[k].cause, d->cause) != 0)
            k++;
        if (k == distinct)
            causes[distinct++].cause = d->cause;
        causes[k].count++;
    }
    for (size_t k = 0; k < distinct; k++) {
        ds_json_key(&j, causes[k].cause);
        ds_json_int(&j, causes[k].count);
    }
    free(causes);
    ds_json_object_end(&j);
    ds_json_object_end(&j);
    ds_json_object_end(&j);
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
}

/* Marks the differences the --accept rules match; the gate passes when every root difference is
 * accepted (secondary ones follow from their roots). */
static void apply_accept(ds_run_t *run)
{
    if (run->accept == NULL)
        return;
    size_t roots = 0, accepted_roots = 0;
    for (size_t i = 0; i < run->findings.count; i++) {
        ds_difference_t *d = &run->findings.items[i];
        ds_accept_rule_t *rule = ds_accept_match(run->accept, d);
        if (rule != NULL) {
            free(d->accepted);
            d->accepted = strdup(rule->reason);
            run->accepted++;
        }
        if (!d->secondary) {
            roots++;
            accepted_roots += rule != NULL;
        }
    }
    run->all_accepted = run->findings.dropped == 0 && accepted_roots == roots;
}

/* Writes one report as OUTDIR/name, all or nothing, from a view taken now (an earlier report's
 * failure may have changed the stage's message). */
static void write_report(ds_run_t *run, ds_stage_result_t *result, const char *name,
                         report_writer_fn writer)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, name, &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    ds_report_view_t view;
    ds_report_rows_t rows;
    ds_report_view_build(run, verdict(run), &view, &rows);
    writer(out.stream, &view);
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
}

void ds_stage_report_run(ds_run_t *run, ds_stage_result_t *result)
{
    double started = ds_clock_now();
    ds_explain_findings(&run->findings);
    apply_accept(run);
    ds_deep_run_all(run);
    ds_stage_artifact(result, "checklist.md");
    ds_stage_artifact(result, "report.json");
    ds_stage_artifact(result, "report.html");
    write_report(run, result, "checklist.md", ds_checklist_write);
    write_report(run, result, "report.html", ds_html_write);
    write_json(run, result, started);
}
