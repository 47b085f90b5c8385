#include "pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readers/squashfs.h"
#include "report/accept.h"
#include "util/limits.h"
#include "util/outfile.h"
#include "util/strbuf.h"

const char *ds_stage_name(ds_stage_id_t id)
{
    static const char *const names[] = {"hash", "header", "toc", "squashfs", "content", "report"};
    return (size_t)id < DS_STAGE_COUNT ? names[id] : "unknown";
}

const char *ds_stage_status_name(ds_stage_status_t status)
{
    switch (status) {
    case DS_STATUS_OK: return "ok";
    case DS_STATUS_FAILED: return "failed";
    case DS_STATUS_TIMEOUT: return "timeout";
    default: return "skipped";
    }
}

void ds_stage_fail(ds_stage_result_t *result, int code, const char *fmt, ...)
{
    if (code == DS_ERR_LIMIT)
        result->limited = true;
    if (code == DS_ERR_TIMEOUT) {
        if (result->status != DS_STATUS_FAILED)
            result->status = DS_STATUS_TIMEOUT;
    } else {
        result->status = DS_STATUS_FAILED;
    }
    ds_strbuf_t sb = {0};
    if (result->message != NULL) {
        ds_strbuf_puts(&sb, result->message);
        ds_strbuf_puts(&sb, "; ");
    }
    va_list ap;
    va_start(ap, fmt);
    ds_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    free(result->message);
    result->message = ds_strbuf_take(&sb);
}

void ds_stage_artifact(ds_stage_result_t *result, const char *name)
{
    for (size_t i = 0; i < result->artifact_count; i++)
        if (strcmp(result->artifacts[i], name) == 0)
            return;
    if (result->artifact_count < DS_STAGE_ARTIFACTS_MAX)
        result->artifacts[result->artifact_count++] = name;
}

void ds_run_limit(ds_run_t *run, const char *fmt, ...)
{
    if (run->limit_count >= sizeof run->limits / sizeof run->limits[0])
        return;
    ds_strbuf_t sb = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < run->limit_count; i++)
        if (strcmp(run->limits[i], ds_strbuf_text(&sb)) == 0) {
            ds_strbuf_free(&sb);
            return;
        }
    run->limits[run->limit_count++] = ds_strbuf_take(&sb);
}

void ds_stage_skip(ds_stage_result_t *result, const char *why)
{
    result->status = DS_STATUS_SKIPPED;
    free(result->message);
    result->message = strdup(why);
}

bool ds_stage_skip_unless_iso(const ds_run_t *run, ds_stage_result_t *result)
{
    if (strcmp(run->side[0].type, "iso9660") == 0 || strcmp(run->side[1].type, "iso9660") == 0 ||
        !ds_side_present(&run->side[0]) || !ds_side_present(&run->side[1]))
        return false;
    ds_stage_skip(result, "neither input is an ISO 9660 image");
    return true;
}

bool ds_run_add_container(ds_run_t *run, const char *path, const uint64_t offset[2],
                          const uint64_t length[2])
{
    if (run->container_count >= DS_CONTAINERS_MAX)
        return false;
    ds_container_t *c = &run->containers[run->container_count];
    memset(c, 0, sizeof *c);
    c->preload[0] = c->preload[1] = -1;
    if (path != NULL && (c->path = strdup(path)) == NULL)
        return false;
    for (int i = 0; i < 2; i++) {
        c->offset[i] = offset[i];
        c->length[i] = length[i];
    }
    run->container_count++;
    return true;
}

const unsigned char *ds_run_payload_digest(const ds_run_t *run, int side, uint64_t offset,
                                           uint64_t length)
{
    for (size_t k = 0; k < run->payload_count; k++) {
        const ds_payload_digest_t *p = &run->payloads[k];
        if (p->done && p->side == side && p->offset == offset && p->length == length)
            return p->digest;
    }
    return NULL;
}

size_t ds_container_location(const ds_container_t *c, const char *inner, const char *out[2])
{
    if (c->path == NULL) {
        out[0] = inner;
        return 1;
    }
    out[0] = c->path;
    out[1] = inner;
    return 2;
}

void ds_progress(ds_run_t *run, const char *fmt, ...)
{
    if (!run->progress)
        return;
    double now = ds_clock_now();
    if (now - run->progress_last < 0.2)
        return;
    run->progress_last = now;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r\033[Kdriftscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (%.1f s)", now - run->started);
    va_end(ap);
    fflush(stderr);
}

bool ds_side_present(const ds_side_t *side)
{
    return side->source != NULL || side->is_directory;
}

int ds_run_exit_status(const ds_run_t *run)
{
    if (run->identity_known && run->identical)
        return 0;
    bool failed = false;
    for (int i = 0; i < DS_STAGE_COUNT; i++)
        failed |= run->stages[i].status == DS_STATUS_FAILED;
    if (run->identity_known && run->all_accepted && !failed && !run->damaged_inside)
        return 0;
    for (int i = 0; i < DS_STAGE_COUNT; i++)
        if (run->stages[i].status == DS_STATUS_FAILED)
            return 2;
    /* Like cmp and diff: trouble (a damaged or hostile layer inside, left unread) wins over
     * "different", even with every difference found so far accepted. */
    if (!run->identity_known || run->damaged_inside)
        return 2;
    return 1;
}

/* A stage's time budget: --stage-timeout, and never more than what is left of --timeout (the
 * report stage too, though it writes its reports whatever is left). Negative: --timeout has
 * passed. 0: no budget at all. */
static double stage_budget(const ds_options_t *options, double elapsed)
{
    if (options->total_timeout <= 0)
        return options->stage_timeout;
    double left = options->total_timeout - elapsed;
    if (left <= 0)
        return -1;
    return options->stage_timeout > 0 && options->stage_timeout < left ? options->stage_timeout : left;
}

/* The limits a finished stage hit, in words: a named limit, its time budget, or --timeout. */
static void stage_limits(ds_run_t *run, ds_stage_id_t id, double budget)
{
    const ds_stage_result_t *result = &run->stages[id];
    if (result->limited)
        ds_run_limit(run, "%s: %s", ds_stage_name(id), result->message ? result->message : "a limit was hit");
    if (result->status == DS_STATUS_TIMEOUT && budget < 0)
        ds_run_limit(run, "--timeout: the run's %g s ran out; the later stages did not run",
                     run->options->total_timeout);
    else if (result->status == DS_STATUS_TIMEOUT)
        ds_run_limit(run, "%s: stopped by its time budget of %.0f s", ds_stage_name(id), budget);
}

int ds_pipeline_run(const ds_options_t *options, ds_run_t *run)
{
    memset(run, 0, sizeof *run);
    run->options = options;
    run->out_fd = -1;
    run->started = ds_clock_now();
    run->progress = !options->quiet && isatty(STDERR_FILENO);
    run->findings.max = options->max_differences;
    ds_limits_configure(options->max_memory);
    run->jobs = options->jobs;
    if (run->jobs > ds_limits()->max_jobs)
        run->jobs = ds_limits()->max_jobs;
    for (int i = 0; i < 2; i++) {
        ds_side_t *side = &run->side[i];
        side->path = options->input[i];
        side->name = (char)('A' + i);
        char *escaped = ds_escape_line(side->path);
        snprintf(side->display_path, sizeof side->display_path, "%s", escaped ? escaped : "?");
        snprintf(side->label, sizeof side->label, "%c (%s)", side->name, escaped ? escaped : "?");
        free(escaped);
        side->type = "unknown";
    }
    ds_error_t err = {0};
    if (options->accept_file != NULL) {
        run->accept = calloc(1, sizeof *run->accept);
        if (run->accept == NULL || ds_accept_load(run->accept, options->accept_file, &err) != DS_OK) {
            fprintf(stderr, "driftscope: %s\n", err.message[0] ? err.message : "out of memory");
            return 2;
        }
    }
    if (ds_outdir_open(options->output_dir, &run->out_fd, &err) != DS_OK) {
        fprintf(stderr, "driftscope: %s\n", err.message);
        return 2;
    }

    typedef void (*stage_fn)(ds_run_t *, ds_stage_result_t *);
    static const stage_fn stages[DS_STAGE_COUNT] = {
        ds_stage_hash_run,     ds_stage_header_run,  ds_stage_toc_run,
        ds_stage_squashfs_run, ds_stage_content_run, ds_stage_report_run,
    };
    for (int i = 0; i < DS_STAGE_COUNT; i++) {
        ds_stage_result_t *result = &run->stages[i];
        double start = ds_clock_now();
        double budget = stage_budget(options, start - run->started);
        run->deadline = ds_deadline_in(budget);
        if (budget < 0)
            run->deadline.end = start; /* already passed */
        result->status = DS_STATUS_OK;
        result->ran = true;
        run->progress_last = 0;
        ds_progress(run, "%s", ds_stage_name((ds_stage_id_t)i));
        if (i != DS_STAGE_HASH && i != DS_STAGE_REPORT && run->identity_known && run->identical) {
            ds_stage_skip(result, "inputs are identical");
        } else if (budget < 0 && i != DS_STAGE_REPORT) {
            ds_stage_fail(result, DS_ERR_TIMEOUT, "not run: the run's --timeout of %g s had passed",
                          options->total_timeout);
        } else {
            /* The report stage states its own time so far inside report.json. */
            if (i == DS_STAGE_REPORT)
                result->seconds = 0;
            stages[i](run, result);
        }
        result->seconds = ds_clock_now() - start;
        stage_limits(run, (ds_stage_id_t)i, budget);
        if (result->message != NULL && result->status != DS_STATUS_OK &&
            result->status != DS_STATUS_SKIPPED && !options->quiet)
            fprintf(stderr, "driftscope: %s stage %s: %s\n", ds_stage_name((ds_stage_id_t)i),
                    ds_stage_status_name(result->status), result->message);
        else if (result->message != NULL && result->status == DS_STATUS_FAILED)
            fprintf(stderr, "driftscope: %s stage failed: %s\n", ds_stage_name((ds_stage_id_t)i),
                    result->message);
    }
    if (run->progress)
        fputs("\r\033[K", stderr);
    return ds_run_exit_status(run);
}

void ds_run_free(ds_run_t *run)
{
    ds_preload_free(&run->preloads); /* its threads first, and its slices before their inputs */
    for (int i = 0; i < 2; i++) {
        ds_source_close(run->side[i].source);
        free(run->side[i].open_error);
    }
    for (int i = 0; i < DS_STAGE_COUNT; i++)
        free(run->stages[i].message);
    for (size_t i = 0; i < run->limit_count; i++)
        free(run->limits[i]);
    for (size_t i = 0; i < run->container_count; i++) {
        ds_container_t *c = &run->containers[i];
        for (int k = 0; k < 2; k++) {
            ds_squashfs_close(c->squashfs[k]);
            ds_source_close(c->slice[k]);
        }
        free(c->path);
    }
    if (run->accept != NULL) {
        ds_accept_free(run->accept);
        free(run->accept);
    }
    ds_chunk_map_free(&run->chunks);
    ds_findings_free(&run->findings);
    if (run->out_fd >= 0)
        close(run->out_fd);
}
