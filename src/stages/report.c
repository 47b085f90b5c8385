/* Stage 6, report: explains the findings, applies --accept, runs --deep-tool, then writes
 * checklist.md for people, report.html and report.json for machines (format
 * driftscope-report/1, ../shared/report-schema.json), each from a read-only view of the run and
 * each as an atomic artifact. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <fnmatch.h>
#include <string.h>

#include "../explain/explain.h"
#include "../explain/hints.h"
#include "../report/accept.h"
#include "../report/checklist.h"
#include "../report/diffoscope_json.h"
#include "../report/html.h"
#include "../report/json_report.h"
#include "../util/outfile.h"
#include "report_view.h"

typedef void (*report_writer_fn)(FILE *out, const ds_report_view_t *view);

const char *ds_run_verdict(const ds_run_t *run)
{
    switch (ds_run_exit_status(run)) {
    case 0: return run->identical ? "IDENTICAL" : "ACCEPTED (every difference is a known, accepted one)";
    case 1: return "DIFFERENT";
    default: return run->identity_known && !run->identical ? "DIFFERENT (analysis incomplete)"
                                                            : "TROUBLE (identity not established)";
    }
}

/* --exclude, as diffoscope excludes files: a difference goes when a path of its location (an
 * element that is not an "@field": the file, or a container it lies in, as diffoscope does not
 * look inside an excluded container), that path without its leading '/', or its last component
 * matches a glob (fnmatch without FNM_PATHNAME, as diffoscope's fnmatchcase: '*' matches '/'). */
static bool path_excluded(const ds_options_t *options, const char *path)
{
    const char *relative = path + (path[0] == '/');
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (size_t g = 0; g < options->exclude_count; g++) {
        const char *glob = options->exclude[g];
        if (fnmatch(glob, path, 0) == 0 || fnmatch(glob, relative, 0) == 0 || fnmatch(glob, base, 0) == 0)
            return true;
    }
    return false;
}

static bool excluded(const ds_difference_t *d, void *ctx)
{
    for (size_t i = 0; i < d->depth; i++)
        if (d->location[i][0] != '@' && path_excluded(ctx, d->location[i]))
            return true;
    return false;
}

static void apply_exclude(ds_run_t *run)
{
    if (run->options->exclude_count == 0)
        return;
    run->excluded = ds_findings_remove_if(&run->findings, excluded, (void *)run->options);
    ds_run_limit(run, "excluded: %zu difference%s left out by --exclude", run->excluded,
                 run->excluded == 1 ? "" : "s");
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
 * failure may have changed the stage's message). report.json, written last, records the report
 * stage as it stands: its status so far and the seconds since it started. */
static void write_report(ds_run_t *run, ds_stage_result_t *result, const char *name,
                         report_writer_fn writer, bool last, double started)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, name, &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    ds_report_view_t view;
    ds_report_rows_t rows;
    ds_report_view_build(run, ds_run_verdict(run), &view, &rows);
    if (last) {
        rows.stages[DS_STAGE_REPORT].status = ds_stage_status_name(result->status);
        rows.stages[DS_STAGE_REPORT].seconds = ds_clock_now() - started;
    }
    writer(out.stream, &view);
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
}

/* --diffoscope-json FILE: the tree in diffoscope's format, to the place the user named (stdout
 * for "-", else atomically like an artifact), from the view as it stands. */
static void write_diffoscope_json(ds_run_t *run, ds_stage_result_t *result)
{
    const char *path = run->options->diffoscope_json;
    if (path == NULL)
        return;
    ds_report_view_t view;
    ds_report_rows_t rows;
    ds_report_view_build(run, ds_run_verdict(run), &view, &rows);
    ds_error_t err = {0};
    if (strcmp(path, "-") == 0) {
        if (ds_diffoscope_json_write(stdout, &view) != DS_OK)
            ds_stage_fail(result, DS_ERR_NOMEM, "--diffoscope-json: out of memory");
        else if (fflush(stdout) != 0 || ferror(stdout))
            ds_stage_fail(result, DS_ERR_IO, "--diffoscope-json: cannot write to stdout");
        return;
    }
    ds_outfile_t out;
    if (ds_outfile_begin_path(&out, path, &err) != DS_OK) {
        ds_stage_fail(result, err.code, "--diffoscope-json: %s", err.message);
        return;
    }
    if (ds_diffoscope_json_write(out.stream, &view) != DS_OK) {
        ds_outfile_abort(&out);
        ds_stage_fail(result, DS_ERR_NOMEM, "--diffoscope-json %s: out of memory", path);
    } else if (ds_outfile_commit(&out, &err) != DS_OK) {
        ds_stage_fail(result, err.code, "--diffoscope-json: %s", err.message);
    }
}

void ds_stage_report_run(ds_run_t *run, ds_stage_result_t *result)
{
    double started = ds_clock_now();
    ds_explain_findings(&run->findings);
    ds_stage_packages_run(run, result);
    apply_exclude(run);
    apply_accept(run);
    ds_deep_run_all(run);
    ds_explain_notes_tags(&run->findings);
    ds_explain_hints(&run->findings);
    ds_stage_artifact(result, "checklist.md");
    ds_stage_artifact(result, "report.json");
    ds_stage_artifact(result, "report.html");
    write_report(run, result, "checklist.md", ds_checklist_write, false, started);
    write_report(run, result, "report.html", ds_html_write, false, started);
    write_diffoscope_json(run, result);
    write_report(run, result, "report.json", ds_json_report_write, true, started);
}
