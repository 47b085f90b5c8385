#include "json_report.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

static void json_input(ds_json_t *j, const ds_report_input_t *s)
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
    ds_json_string(j, s->sha256);
    ds_json_key(j, "type");
    ds_json_string(j, s->type);
    if (s->error != NULL) {
        ds_json_key(j, "error");
        ds_json_string(j, s->error);
    }
    ds_json_object_end(j);
}

/* A key with a string value, written only when the value is there. */
static void json_optional(ds_json_t *j, const char *key, const char *value)
{
    if (value == NULL)
        return;
    ds_json_key(j, key);
    ds_json_string(j, value);
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
        json_optional(j, "a", d->a);
        json_optional(j, "b", d->b);
    }
    ds_json_key(j, "cause");
    ds_json_string(j, d->cause);
    json_optional(j, "notes_tag", d->notes_tag);
    json_optional(j, "confidence", d->confidence);
    ds_json_key(j, "secondary");
    ds_json_bool(j, d->secondary);
    if (d->follows_depth > 0) {
        ds_json_key(j, "follows");
        ds_json_array_begin(j);
        for (size_t i = 0; i < d->follows_depth; i++)
            ds_json_string(j, d->follows[i]);
        ds_json_array_end(j);
    }
    json_optional(j, "detail", d->detail);
    json_optional(j, "fix", d->fix);
    json_optional(j, "hint", d->hint);
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

/* "format", "tool", "inputs", "identical", "exit_status", "verdict" and "first_difference". */
static void json_head(ds_json_t *j, const ds_report_view_t *view)
{
    ds_json_key(j, "format");
    ds_json_string(j, "driftscope-report/1");
    ds_json_key(j, "tool");
    ds_json_object_begin(j);
    ds_json_key(j, "name");
    ds_json_string(j, "driftscope");
    ds_json_key(j, "version");
    ds_json_string(j, view->version);
    ds_json_object_end(j);
    ds_json_key(j, "inputs");
    ds_json_object_begin(j);
    ds_json_key(j, "a");
    json_input(j, &view->inputs[0]);
    ds_json_key(j, "b");
    json_input(j, &view->inputs[1]);
    ds_json_object_end(j);
    ds_json_key(j, "identical");
    ds_json_bool(j, view->identity_known && view->identical);
    ds_json_key(j, "exit_status");
    ds_json_int(j, view->exit_status);
    ds_json_key(j, "verdict");
    ds_json_string(j, view->verdict);
    if (view->first_difference_known && !view->identical) {
        ds_json_key(j, "first_difference");
        ds_json_int(j, (int64_t)view->first_difference);
    }
}

static void json_stages(ds_json_t *j, const ds_report_view_t *view)
{
    ds_json_key(j, "stages");
    ds_json_array_begin(j);
    for (size_t i = 0; i < view->stage_count; i++) {
        const ds_report_stage_t *s = &view->stages[i];
        ds_json_object_begin(j);
        ds_json_key(j, "name");
        ds_json_string(j, s->name);
        ds_json_key(j, "status");
        ds_json_string(j, s->status);
        ds_json_key(j, "seconds");
        ds_json_real(j, s->seconds);
        json_optional(j, "message", s->message);
        ds_json_key(j, "artifacts");
        ds_json_array_begin(j);
        for (size_t k = 0; k < s->artifact_count; k++)
            ds_json_string(j, s->artifacts[k]);
        ds_json_array_end(j);
        ds_json_object_end(j);
    }
    ds_json_array_end(j);
}

/* "truncated" and "limits": each limit hit, and the differences not kept. */
static void json_limits(ds_json_t *j, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    ds_json_key(j, "truncated");
    ds_json_bool(j, findings->dropped > 0 || view->limit_count > 0);
    ds_json_key(j, "limits");
    ds_json_array_begin(j);
    for (size_t i = 0; i < view->limit_count; i++)
        ds_json_string(j, view->limits[i]);
    if (findings->dropped > 0) {
        char text[160];
        snprintf(text, sizeof text, "differences: kept the first %zu of %zu (--max-differences)",
                 findings->count, ds_findings_total(findings));
        ds_json_string(j, text);
    }
    ds_json_array_end(j);
}

static void json_deep(ds_json_t *j, const ds_report_view_t *view)
{
    ds_json_key(j, "deep");
    ds_json_array_begin(j);
    for (size_t i = 0; i < view->deep_count; i++) {
        const ds_report_deep_t *job = &view->deep[i];
        char path[80];
        ds_json_object_begin(j);
        ds_json_key(j, "location");
        ds_json_string(j, job->location);
        ds_json_key(j, "report");
        snprintf(path, sizeof path, "deep/%s", job->report);
        ds_json_string(j, path);
        ds_json_key(j, "status");
        ds_json_string(j, job->status);
        ds_json_object_end(j);
    }
    ds_json_array_end(j);
}

static void json_squashfs(ds_json_t *j, const ds_report_view_t *view)
{
    ds_json_key(j, "squashfs");
    ds_json_array_begin(j);
    for (size_t i = 0; i < view->layer_count; i++) {
        const ds_report_layer_t *c = &view->layers[i];
        ds_json_object_begin(j);
        ds_json_key(j, "location");
        ds_json_string(j, c->path);
        ds_json_key(j, "files_compared");
        ds_json_int(j, (int64_t)c->files_compared);
        ds_json_key(j, "settled_without_decompression");
        ds_json_int(j, (int64_t)c->settled_without_decompression);
        ds_json_key(j, "files_decompressed");
        ds_json_int(j, (int64_t)c->files_decompressed);
        ds_json_key(j, "blocks_decompressed");
        ds_json_int(j, (int64_t)c->blocks_decompressed);
        ds_json_key(j, "layers_opened");
        ds_json_int(j, (int64_t)c->layers_opened);
        ds_json_object_end(j);
    }
    ds_json_array_end(j);
}

/* "summary": totals, and cause -> count over root (non-secondary) differences in first-seen
 * order; there are few distinct causes, so a short list is enough. */
static void json_summary(ds_json_t *j, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    ds_json_key(j, "summary");
    ds_json_object_begin(j);
    ds_json_key(j, "differences");
    ds_json_int(j, (int64_t)ds_findings_total(findings));
    ds_json_key(j, "accepted");
    ds_json_int(j, (int64_t)view->accepted);
    ds_json_key(j, "root_causes");
    ds_json_object_begin(j);
    struct cause_count {
        const char *cause;
        int64_t count;
    } *causes = calloc(findings->count + 1, sizeof *causes);
    size_t distinct = 0;
    for (size_t i = 0; causes != NULL && i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
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
        ds_json_key(j, causes[k].cause);
        ds_json_int(j, causes[k].count);
    }
    free(causes);
    ds_json_object_end(j);
    ds_json_object_end(j);
}

void ds_json_report_write(FILE *out, const ds_report_view_t *view)
{
    ds_json_t j;
    ds_json_init(&j, out);
    ds_json_object_begin(&j);
    json_head(&j, view);
    json_stages(&j, view);
    ds_json_key(&j, "differences");
    ds_json_array_begin(&j);
    for (size_t i = 0; i < view->findings->count; i++)
        json_difference(&j, &view->findings->items[i]);
    ds_json_array_end(&j);
    json_limits(&j, view);
    json_deep(&j, view);
    json_squashfs(&j, view);
    json_summary(&j, view);
    ds_json_object_end(&j);
}
