/* Stage 5, content, for inputs that are neither ISO images nor squashfs images: two plain files
 * (compared whole, diffed when they are text, classified) and two directory trees (walked
 * without following links, compared entry by entry, differing files classified). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/metadata.h"
#include "../compare/text_diff.h"
#include "../explain/causes.h"
#include "run.h"
#include "../readers/dir.h"
#include "../util/limits.h"
#include "../util/outfile.h"
#include "../util/strbuf.h"

/* The location element of the inputs themselves: "/" and A's file name. */
static void input_location(const ds_run_t *run, char *where, size_t size)
{
    const char *base = strrchr(run->side[0].path, '/');
    base = base ? base + 1 : run->side[0].path;
    snprintf(where, size, "/%s", base[0] ? base : "input");
}

void ds_content_mixed(ds_run_t *run, ds_stage_result_t *result)
{
    (void)result;
    char where[300];
    input_location(run, where, sizeof where);
    const char *loc[] = {where};
    bool a_dir = run->side[0].is_directory;
    ds_difference_t *d = ds_findings_add(&run->findings, "content", DS_KIND_TYPE, loc, 1, a_dir ? "dir" : "file",
                                         a_dir ? "file" : "dir",
                                         a_dir ? "A is a directory tree, B a file" : "A is a file, B a directory tree");
    if (d != NULL)
        ds_difference_explain(d, ds_cause_name(DS_CAUSE_UNKNOWN), NULL, NULL, false);
    run->identity_known = true;
    run->identical = false;
}

/* Two plain files (neither an ISO nor a squashfs): compare them as wholes, diff them when they
 * are text, and look inside them with the classifiers. */
void ds_content_plain_files(ds_run_t *run, ds_stage_result_t *result)
{
    ds_source_t *a = run->side[0].source, *b = run->side[1].source;
    char where[300];
    input_location(run, where, sizeof where);
    const char *loc[] = {where};
    char va[40], vb[40], detail[200];
    snprintf(va, sizeof va, "%" PRIu64 " bytes", ds_source_size(a));
    snprintf(vb, sizeof vb, "%" PRIu64 " bytes", ds_source_size(b));
    if (run->have_first_difference)
        snprintf(detail, sizeof detail, "the files differ, first at byte %" PRIu64 "; %" PRIu64 " of their 64 KiB chunks differ",
                 run->first_difference, run->differing_chunks);
    else
        snprintf(detail, sizeof detail, "the files differ");
    ds_difference_t *outer = ds_findings_add(&run->findings, "content", DS_KIND_CONTENT, loc, 1, va, vb, detail);
    ds_classified_t cls;
    ds_classify_pair(a, b, where, run->options->max_depth, 0, &run->deadline, &cls);
    ds_stage_add_classified(run, "content", loc, 1, outer, &cls);
    ds_deep_extract(run, loc, 1, a, b);

    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "sqfs-diff.txt", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        ds_classified_free(&cls);
        return;
    }
    ds_stage_artifact(result, "sqfs-diff.txt");
    char *shown = ds_escape_line(where);
    fprintf(out.stream, "=== %s\n%s\n", shown ? shown : "?", detail);
    free(shown);
    if (cls.detail[0] != '\0')
        fprintf(out.stream, "inside: %s%s%s\n", cls.detail, cls.cause ? " -> cause " : "", cls.cause ? cls.cause : "");
    uint64_t na = ds_source_size(a), nb = ds_source_size(b);
    if (na <= DS_TEXT_MAX && nb <= DS_TEXT_MAX) {
        unsigned char *ba = malloc(na + 1), *bb = malloc(nb + 1);
        if (ba && bb && ds_source_read(a, 0, ba, (size_t)na, "file", NULL) == DS_OK &&
            ds_source_read(b, 0, bb, (size_t)nb, "file", NULL) == DS_OK && ds_text_is_text(ba, (size_t)na) &&
            ds_text_is_text(bb, (size_t)nb)) {
            ds_strbuf_t report = {0};
            bool cut = false;
            size_t edits = 0;
            fprintf(out.stream, "--- a%s\n+++ b%s\n", where, where);
            if (ds_text_diff(&report, (const char *)ba, (size_t)na, (const char *)bb, (size_t)nb, &cut, &edits) == DS_OK)
                fputs(ds_strbuf_text(&report), out.stream);
            else
                fprintf(out.stream, "(more than %d lines changed: no line diff)\n", DS_TEXT_MAX_EDITS);
            if (cut)
                fprintf(out.stream, "... diff cut at %d lines\n", DS_TEXT_DIFF_LINES);
            ds_strbuf_free(&report);
        }
        free(ba);
        free(bb);
    }
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
    ds_classified_free(&cls);
}

/* Two directory trees: every entry merged by path; metadata compared field by field; regular
 * files compared by size, then bytes (in windows), then classified when they differ. */
typedef struct dir_ctx {
    ds_run_t *run;
    ds_stage_result_t *result;
    FILE *out;
    const char *path;
    size_t differences;
    size_t diff_bytes;
} dir_ctx_t;

static void dir_metadata(void *opaque, ds_kind_t kind, const char *field, const char *a, const char *b,
                         const char *detail)
{
    dir_ctx_t *ctx = opaque;
    (void)field;
    const char *loc[] = {ctx->path};
    ds_findings_add(&ctx->run->findings, "content", kind, loc, 1, a, b, detail);
    ctx->differences++;
}

static int open_nofollow(ds_source_t **out, const ds_entry_t *e, const ds_side_t *side, ds_error_t *err)
{
    char label[700];
    snprintf(label, sizeof label, "%s:%.300s", side->label, e->path);
    return ds_source_open_file_nofollow(out, e->host_path, label, err);
}

static void dir_file_diff(dir_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, ds_source_t *sa, ds_source_t *sb,
                          const char *detail, const ds_classified_t *cls)
{
    if (ctx->out == NULL)
        return;
    char *shown = ds_escape_line(a->path);
    fprintf(ctx->out, "=== %s\n%s\n", shown ? shown : "?", detail);
    if (cls->detail[0] != '\0')
        fprintf(ctx->out, "inside: %s%s%s\n", cls->detail, cls->cause ? " -> cause " : "", cls->cause ? cls->cause : "");
    if (a->size <= DS_TEXT_MAX && b->size <= DS_TEXT_MAX && ctx->diff_bytes < ds_limits()->diff_text_total) {
        unsigned char *ba = malloc(a->size + 1), *bb = malloc(b->size + 1);
        if (ba && bb && ds_source_read(sa, 0, ba, (size_t)a->size, "file", NULL) == DS_OK &&
            ds_source_read(sb, 0, bb, (size_t)b->size, "file", NULL) == DS_OK && ds_text_is_text(ba, (size_t)a->size) &&
            ds_text_is_text(bb, (size_t)b->size)) {
            ds_strbuf_t report = {0};
            bool cut = false;
            size_t edits = 0;
            fprintf(ctx->out, "--- a%s\n+++ b%s\n", shown ? shown : "?", shown ? shown : "?");
            if (ds_text_diff(&report, (const char *)ba, (size_t)a->size, (const char *)bb, (size_t)b->size, &cut,
                             &edits) == DS_OK)
                fputs(ds_strbuf_text(&report), ctx->out);
            ctx->diff_bytes += report.len;
            ds_strbuf_free(&report);
        }
        free(ba);
        free(bb);
    }
    fputc('\n', ctx->out);
    free(shown);
}

static int dir_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    dir_ctx_t *ctx = opaque;
    if (ds_deadline_passed(&ctx->run->deadline))
        return DS_ERR_TIMEOUT;
    if (a == NULL || b == NULL) {
        const ds_entry_t *e = a ? a : b;
        const char *loc[] = {e->path};
        char detail[96];
        snprintf(detail, sizeof detail, "%s present only in %c", ds_entry_type_name(e->type), a ? 'A' : 'B');
        ds_findings_add(&ctx->run->findings, "content", a ? DS_KIND_REMOVED : DS_KIND_ADDED, loc, 1, NULL, NULL, detail);
        ctx->differences++;
        return 0;
    }
    ctx->path = a->path;
    /* Directory mtimes change with every file written into them; still a difference. */
    ds_metadata_compare(a, b, dir_metadata, ctx);
    if (a->type != DS_ENTRY_FILE || b->type != DS_ENTRY_FILE)
        return 0;
    ds_source_t *sa = NULL, *sb = NULL;
    ds_error_t err = {0};
    if (open_nofollow(&sa, a, &ctx->run->side[0], &err) != DS_OK ||
        open_nofollow(&sb, b, &ctx->run->side[1], &err) != DS_OK) {
        ds_stage_fail(ctx->result, err.code, "%s", err.message);
        ds_source_close(sa);
        return 0;
    }
    ds_entry_t whole_a = *a, whole_b = *b;
    ds_extent_t xa = {0, ds_source_size(sa)}, xb = {0, ds_source_size(sb)};
    whole_a.extents = &xa, whole_a.extent_count = 1, whole_a.size = xa.length;
    whole_b.extents = &xb, whole_b.extent_count = 1, whole_b.size = xb.length;
    ds_content_result_t cmp;
    int rc = ds_content_compare(sa, &whole_a, sb, &whole_b, NULL, &ctx->run->deadline, &cmp, &err);
    if (rc != DS_OK) {
        ds_stage_fail(ctx->result, rc, "%s", err.message);
    } else if (!cmp.equal) {
        char va[40], vb[40], detail[200];
        snprintf(va, sizeof va, "%" PRIu64 " bytes", whole_a.size);
        snprintf(vb, sizeof vb, "%" PRIu64 " bytes", whole_b.size);
        if (whole_a.size == whole_b.size)
            snprintf(detail, sizeof detail, "same size, %" PRIu64 " differing bytes in %zu ranges, the first at byte %" PRIu64,
                     cmp.differing_bytes, cmp.range_count, cmp.first_difference);
        else
            snprintf(detail, sizeof detail, "size %" PRIu64 " -> %" PRIu64 " bytes; the first difference is at byte %" PRIu64,
                     whole_a.size, whole_b.size, cmp.first_difference);
        const char *loc[] = {a->path};
        ds_difference_t *outer = ds_findings_add(&ctx->run->findings, "content", DS_KIND_CONTENT, loc, 1, va, vb, detail);
        ctx->differences++;
        ds_classified_t cls;
        ds_classify_pair(sa, sb, a->path, ctx->run->options->max_depth, 0, &ctx->run->deadline, &cls);
        ds_stage_add_classified(ctx->run, "content", loc, 1, outer, &cls);
        dir_file_diff(ctx, a, b, sa, sb, detail, &cls);
        ds_deep_extract(ctx->run, loc, 1, sa, sb);
        ds_classified_free(&cls);
    }
    ds_source_close(sa);
    ds_source_close(sb);
    return 0;
}

void ds_content_directories(ds_run_t *run, ds_stage_result_t *result)
{
    ds_tree_t trees[2];
    memset(trees, 0, sizeof trees);
    for (int i = 0; i < 2; i++) {
        ds_error_t err = {0};
        if (ds_dir_tree_load(run->side[i].path, run->side[i].label, &trees[i], &run->deadline, &err) != DS_OK)
            ds_stage_fail(result, err.code, "%s", err.message);
        if (trees[i].problems.count > 0)
            ds_stage_fail(result, DS_ERR_FORMAT, "%s (%zu problems)", trees[i].problems.messages[0], trees[i].problems.count);
    }
    ds_outfile_t out;
    ds_error_t err = {0};
    bool have_out = ds_outfile_begin(&out, run->out_fd, "sqfs-diff.txt", &err) == DS_OK;
    if (have_out)
        ds_stage_artifact(result, "sqfs-diff.txt");
    dir_ctx_t ctx = {.run = run, .result = result, .out = have_out ? out.stream : NULL};
    if (trees[0].complete && trees[1].complete) {
        int rc = ds_tree_merge(&trees[0], &trees[1], dir_visit, &ctx);
        if (rc == DS_ERR_TIMEOUT)
            ds_stage_fail(result, rc, "comparing the directories: time budget exhausted");
        else if (result->status == DS_STATUS_OK) {
            run->identity_known = true;
            run->identical = ctx.differences == 0;
        }
        if (have_out)
            fprintf(out.stream, "== %zu entries in A, %zu in B; %zu differences ==\n", trees[0].count, trees[1].count,
                    ctx.differences);
    }
    if (have_out && ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
    ds_tree_free(&trees[0]);
    ds_tree_free(&trees[1]);
}

