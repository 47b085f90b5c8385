/* Stage 6, report: checklist.md for people and report.json for machines (format
 * driftscope-report/1, ../shared/report-schema.json), both from the findings alone. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "../explain/explain.h"
#include "../options.h"
#include "../pipeline.h"
#include "../report/accept.h"
#include "../report/html.h"
#include "../report/json.h"
#include "../util/outfile.h"
#include "../util/strbuf.h"
#include "report_view.h"

#define CHECKLIST_DIFFERENCES_SHOWN 300

static const char *verdict(const ds_run_t *run)
{
    switch (ds_run_exit_status(run)) {
    case 0: return run->identical ? "IDENTICAL" : "ACCEPTED (every difference is a known, accepted one)";
    case 1: return "DIFFERENT";
    default: return run->identity_known && !run->identical ? "DIFFERENT (analysis incomplete)"
                                                            : "TROUBLE (identity not established)";
    }
}

/* Markdown-safe inline text: escaped as one line, with characters that would start markup,
 * break a table cell or open HTML written as entities or escapes. */
static void md_text(FILE *out, const char *text)
{
    char *line = ds_escape_line(text ? text : "");
    for (const char *p = line ? line : ""; *p; p++) {
        switch (*p) {
        case '|': fputs("\\|", out); break;
        case '<': fputs("&lt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '`': fputs("'", out); break;
        case '*': case '[': case ']': case '#':
            fputc('\\', out);
            fputc(*p, out);
            break;
        default: fputc(*p, out);
        }
    }
    free(line);
}

/* What the content stage compared, in words: its heading depends on the inputs. */
static const char *content_title(const ds_run_t *run)
{
    if (run->container_count > 0)
        return "File contents inside squashfs";
    if (run->side[0].is_directory && run->side[1].is_directory)
        return "Files of the two directory trees";
    if (run->side[0].is_directory || run->side[1].is_directory)
        return "The two inputs";
    return "Contents of the two inputs (and what they hold)";
}

/* A diff excerpt as an indented fenced block under its bullet, at most 40 lines, each escaped
 * to one printable line; the fence is ~~~ so that no ``` inside can close it. */
static void md_excerpt(FILE *out, const char *text)
{
    fputs("\n  ~~~diff\n", out);
    const char *p = text;
    for (int lines = 0; *p && lines < 40; lines++) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *line = strndup(p, n);
        char *shown = ds_escape_line(line ? line : "");
        fprintf(out, "  %s\n", shown && strncmp(shown, "~~~", 3) != 0 ? shown : "");
        free(shown);
        free(line);
        p = end ? end + 1 : p + n;
    }
    if (*p)
        fputs("  ...\n", out);
    fputs("  ~~~\n\n", out);
}

static void md_location(FILE *out, const ds_difference_t *d)
{
    fputc('`', out);
    for (size_t i = 0; i < d->depth; i++) {
        char *line = ds_escape_line(d->location[i]);
        for (const char *p = line ? line : ""; *p; p++)
            fputc(*p == '`' ? '\'' : *p, out);
        free(line);
        if (i + 1 < d->depth)
            fputs(" :: ", out);
    }
    fputc('`', out);
}

static size_t count_stage(const ds_run_t *run, const char *stage, bool secondary)
{
    size_t n = 0;
    for (size_t i = 0; i < run->findings.count; i++)
        if (strcmp(run->findings.items[i].stage, stage) == 0 &&
            run->findings.items[i].secondary == secondary)
            n++;
    return n;
}

static size_t count_secondary(const ds_run_t *run)
{
    size_t n = 0;
    for (size_t i = 0; i < run->findings.count; i++)
        n += run->findings.items[i].secondary;
    return n;
}

static bool has_location(const ds_run_t *run, const char *prefix)
{
    for (size_t i = 0; i < run->findings.count; i++) {
        const ds_difference_t *d = &run->findings.items[i];
        if (strncmp(d->location[d->depth - 1], prefix, strlen(prefix)) == 0)
            return true;
    }
    return false;
}

/* Next steps that follow from what was found; no cause is claimed here (that is the explain
 * layer's job), only where to look. */
static void write_next_steps(FILE *out, const ds_run_t *run)
{
    fputs("\n## What to look at next\n\n", out);
    bool any = false;
    if (ds_run_exit_status(run) == 2) {
        fputs("- Some stages could not finish: read their messages above; the findings below may "
              "be incomplete.\n",
              out);
        any = true;
    }
    if (has_location(run, "@iso.pvd.creation_date") || has_location(run, "@iso.pvd.modification_date")) {
        fputs("- The volume dates differ: both builds should run with the same "
              "`SOURCE_DATE_EPOCH` (xorriso derives the volume dates, the MBR id and the GPT "
              "GUIDs from it).\n",
              out);
        any = true;
    }
    for (size_t i = 0; i < run->findings.count; i++) {
        const ds_difference_t *d = &run->findings.items[i];
        if (d->kind != DS_KIND_CONTENT || d->depth != 1)
            continue;
        const char *path = d->location[0];
        size_t len = strlen(path);
        if (len > 9 && strcmp(path + len - 9, ".squashfs") == 0) {
            size_t inside = 0;
            for (size_t k = 0; k < run->findings.count; k++) {
                const ds_difference_t *e = &run->findings.items[k];
                inside += e->depth == 2 && strcmp(e->location[0], path) == 0 && !e->secondary &&
                          e->location[1][0] == '/';
            }
            fputs("- ", out);
            md_location(out, d);
            if (inside > 0)
                fprintf(out, " differs: %zu differences inside it (files and metadata) are listed "
                             "below; their diffs are in sqfs-diff.txt and sqfs-ls-diff.txt.\n", inside);
            else
                fputs(" differs, but no file inside it does: see sqfs-diff.txt for why (superblock, "
                      "compression or layout).\n", out);
            any = true;
        }
    }
    if (has_location(run, "@iso.extent")) {
        fputs("- Moved extents (marked secondary) follow from a size change earlier in the image; "
              "look at the content differences first.\n",
              out);
        any = true;
    }
    if (!any)
        fputs(run->identical ? "- Nothing: the images are bit-identical.\n"
                             : "- Read the findings below, outermost layer first.\n",
              out);
}

/* The answer first: each root cause, how many differences it explains (its secondary ones
 * included), one example location and the usual fix. */
static void write_cause_table(FILE *f, const ds_run_t *run)
{
    if (run->findings.count == 0)
        return;
    size_t count = 0;
    const ds_cause_t *all = ds_causes_all(&count);
    size_t roots_total = 0, roots_known = 0, causes = 0;
    for (size_t c = 0; c < count; c++) {
        size_t roots = 0;
        for (size_t i = 0; i < run->findings.count; i++)
            roots += !run->findings.items[i].secondary && strcmp(run->findings.items[i].cause, all[c].id) == 0;
        bool known = strcmp(all[c].id, "unknown") != 0;
        causes += roots > 0 && known;
        roots_known += known ? roots : 0;
        roots_total += roots;
    }
    if (causes == 0)
        fprintf(f, "\nNo known cause matched: the %zu root difference%s %s listed below with %s diff "
                   "(%zu differences in all, the rest are consequences).\n\n",
                roots_total, roots_total == 1 ? "" : "s", roots_total == 1 ? "is" : "are",
                roots_total == 1 ? "its" : "their", run->findings.count);
    else
        fprintf(f, "\n%zu known root cause%s explain%s %zu of the %zu root differences (%zu differences in all, "
                   "the rest are their consequences).\n\n",
                causes, causes == 1 ? "" : "s", causes == 1 ? "s" : "", roots_known, roots_total,
                run->findings.count);
    fputs("| cause | root differences | secondary | example | usual fix |\n|---|---|---|---|---|\n", f);
    for (size_t c = 0; c < count; c++) {
        size_t roots = 0, secondary = 0;
        const ds_difference_t *example = NULL;
        for (size_t i = 0; i < run->findings.count; i++) {
            const ds_difference_t *d = &run->findings.items[i];
            if (strcmp(d->cause, all[c].id) != 0)
                continue;
            if (d->secondary) {
                secondary++;
            } else {
                roots++;
                if (example == NULL)
                    example = d;
            }
        }
        if (roots == 0)
            continue;
        fprintf(f, "| %s | %zu | %zu | ", all[c].id, roots, secondary);
        md_location(f, example);
        fputs(" | ", f);
        md_text(f, all[c].fix ? all[c].fix : (strcmp(all[c].id, "unknown") == 0 ? "look at the diff" : ""));
        fputs(" |\n", f);
    }
}

static void write_checklist(ds_run_t *run, ds_stage_result_t *result)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "checklist.md", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    ds_stage_artifact(result, "checklist.md");
    FILE *f = out.stream;
    fprintf(f, "# driftscope checklist\n\n**Verdict: %s**", verdict(run));
    if (run->identical && run->side[0].is_directory)
        fputs(" - every entry of the two trees is identical (metadata and content).\n", f);
    else if (run->identical)
        fputs(" - the inputs are bit-identical (same size and SHA-256); nothing else to do.\n", f);
    else
        fprintf(f, " - %zu differences found (%zu root, %zu secondary).\n",
                ds_findings_total(&run->findings), run->findings.count - count_secondary(run),
                count_secondary(run));
    write_cause_table(f, run);
    fputs("\n| input | path | size (bytes) | SHA-256 |\n|---|---|---|---|\n", f);
    for (int i = 0; i < 2; i++) {
        const ds_side_t *s = &run->side[i];
        fprintf(f, "| %c | ", s->name);
        md_text(f, s->path);
        if (s->size_known)
            fprintf(f, " | %" PRIu64 " | ", s->size);
        else
            fputs(" | unknown | ", f);
        fprintf(f, "%s |\n", s->sha256_known ? s->sha256 : "not computed");
    }
    if (run->have_first_difference && !run->identical)
        fprintf(f, "\nFirst differing byte: %" PRIu64 " (0x%" PRIx64 "); %" PRIu64
                   " of the 64 KiB chunks they share differ.\n",
                run->first_difference, run->first_difference, run->differing_chunks);

    fputs("\n## Stages\n\n| stage | status | seconds | artifacts | note |\n|---|---|---|---|---|\n", f);
    for (int i = 0; i < DS_STAGE_COUNT; i++) {
        const ds_stage_result_t *s = &run->stages[i];
        fprintf(f, "| %s | %s | %.2f | ", ds_stage_name((ds_stage_id_t)i),
                i == DS_STAGE_REPORT ? "ok" : ds_stage_status_name(s->status), s->seconds);
        for (size_t k = 0; k < s->artifact_count; k++)
            fprintf(f, "%s%s", k ? ", " : "", s->artifacts[k]);
        fputs(" | ", f);
        md_text(f, s->message ? s->message : "");
        fputs(" |\n", f);
    }
    if (run->accept != NULL) {
        fprintf(f, "\n## Accepted differences (--accept)\n\n%zu differences matched the accept rules%s.\n",
                run->accepted, run->all_accepted ? "; every root difference is accepted, so the gate passes" : "");
        for (size_t i = 0; i < run->accept->count; i++) {
            const ds_accept_rule_t *r = &run->accept->rules[i];
            fprintf(f, "- line %u `", r->line);
            md_text(f, r->glob);
            fprintf(f, "`: %zu matched - ", r->matched);
            md_text(f, r->reason);
            fputs(r->matched ? "\n" : " (matched nothing: is the rule still needed?)\n", f);
        }
    }
    if (run->limit_count > 0) {
        fputs("\n## Limits hit\n\n", f);
        for (size_t i = 0; i < run->limit_count; i++) {
            fputs("- ", f);
            md_text(f, run->limits[i]);
            fputc('\n', f);
        }
    }
    write_next_steps(f, run);

    if (run->deep_count > 0) {
        fputs("\n## diffoscope on the differing pairs (--deep-tool)\n\n", f);
        for (size_t i = 0; i < run->deep_count; i++) {
            const ds_deep_job_t *job = &run->deep[i];
            fputs("- ", f);
            md_text(f, job->location);
            fprintf(f, ": [deep/%s](deep/%s) (%s; inputs deep/%s, deep/%s)\n", job->report, job->report,
                    job->status, job->file_a, job->file_b);
        }
    }
    fputs("\n## Findings\n", f);
    if (run->findings.count == 0)
        fputs(run->identical ? "\nNone: the inputs are identical.\n" : "\nNone recorded.\n", f);
    static const char *const stages[] = {"hash", "header", "toc", "squashfs", "content"};
    const char *titles[] = {"Inputs", "Image header (system area, volume descriptors, boot catalog)",
                            "ISO 9660 tree", "Squashfs superblocks and listings", content_title(run)};
    size_t shown = 0;
    for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
        size_t root = count_stage(run, stages[s], false), secondary = count_stage(run, stages[s], true);
        if (root + secondary == 0)
            continue;
        fprintf(f, "\n### %s: %zu differences (%zu secondary)\n\n", titles[s], root + secondary, secondary);
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < run->findings.count; i++) {
                const ds_difference_t *d = &run->findings.items[i];
                if (strcmp(d->stage, stages[s]) != 0 || d->secondary != (pass == 1))
                    continue;
                if (shown++ >= CHECKLIST_DIFFERENCES_SHOWN)
                    continue;
                fputs("- [ ] ", f);
                md_location(f, d);
                fprintf(f, " %s%s", ds_kind_name(d->kind), d->secondary ? " (secondary)" : "");
                if (d->a != NULL || d->b != NULL) {
                    fputs(": A ", f);
                    md_text(f, d->a ? d->a : "(absent)");
                    fputs(" / B ", f);
                    md_text(f, d->b ? d->b : "(absent)");
                }
                if (d->detail != NULL) {
                    fputs(" - ", f);
                    md_text(f, d->detail);
                }
                fprintf(f, " (cause: %s)", d->cause);
                if (d->accepted != NULL) {
                    fputs(" - ACCEPTED: ", f);
                    md_text(f, d->accepted);
                }
                fputc('\n', f);
                if (d->excerpt != NULL && !d->secondary)
                    md_excerpt(f, d->excerpt);
            }
        }
    }
    if (shown > CHECKLIST_DIFFERENCES_SHOWN)
        fprintf(f, "\n%zu more differences are in report.json.\n", shown - CHECKLIST_DIFFERENCES_SHOWN);
    if (run->findings.dropped > 0)
        fprintf(f, "\n%zu differences were counted but not kept (--max-differences %zu).\n",
                run->findings.dropped, run->options->max_differences);
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
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

static void write_html(ds_run_t *run, ds_stage_result_t *result)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "report.html", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    ds_report_view_t view;
    ds_report_rows_t rows;
    ds_report_view_build(run, verdict(run), &view, &rows);
    ds_html_write(out.stream, &view);
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
    write_checklist(run, result);
    write_html(run, result);
    write_json(run, result, started);
}
