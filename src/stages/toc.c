/* Stage 3, toc: every node of both ISO trees (Rock Ridge names), one line each, sorted by path;
 * the unified diff of the two listings; per node, the fields that differ. Contents are compared
 * too, cheaply: nodes on equal chunks at equal offsets are equal without a read. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/content.h"
#include "../readers/tree.h"
#include "../compare/metadata.h"
#include "../explain/causes.h"
#include "run.h"
#include "../util/outfile.h"
#include "../util/strbuf.h"

#define DIFF_CONTEXT 3
#define PER_NODE_SHOWN 100000 /* per-node lines in toc-diff.txt */

static char *entry_line(const ds_entry_t *e)
{
    ds_strbuf_t sb = {0};
    char when[40];
    ds_format_utc(e->mtime, when, sizeof when);
    ds_strbuf_escape_line(&sb, e->path, strlen(e->path));
    ds_strbuf_printf(&sb, "\t%s\t%04o\tuid=%" PRIu32 "\tgid=%" PRIu32 "\tnlink=%" PRIu32
                          "\tsize=%" PRIu64 "\tmtime=%s",
                     ds_entry_type_name(e->type), e->mode, e->uid, e->gid, e->nlink, e->size, when);
    if (e->link_target != NULL) {
        ds_strbuf_puts(&sb, "\t-> ");
        ds_strbuf_escape_line(&sb, e->link_target, strlen(e->link_target));
    }
    if (e->type == DS_ENTRY_CHAR || e->type == DS_ENTRY_BLOCK)
        ds_strbuf_printf(&sb, "\tdev=%" PRIu32 ",%" PRIu32, e->rdev_major, e->rdev_minor);
    ds_strbuf_puts(&sb, "\textent=");
    for (size_t i = 0; i < e->extent_count; i++)
        ds_strbuf_printf(&sb, "%s%" PRIu64 "+%" PRIu64, i ? "," : "", e->extents[i].offset / 2048,
                         e->extents[i].length);
    return ds_strbuf_take(&sb);
}

static void write_listing(ds_run_t *run, ds_stage_result_t *result, int i, const ds_tree_t *tree,
                          bool loaded, const char *why)
{
    static const char *const names[] = {"toc-a.txt", "toc-b.txt"};
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, names[i], &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    ds_stage_artifact(result, names[i]);
    fprintf(out.stream, "# %s: path, type, mode, uid, gid, nlink, size, mtime (UTC), link, extent LBA+bytes\n",
            run->side[i].label);
    if (!loaded)
        fprintf(out.stream, "# not read: %s\n", why ? why : "unknown reason");
    else if (!tree->complete)
        fprintf(out.stream, "# PARTIAL: the tree could not be read to the end\n");
    for (size_t k = 0; k < tree->problems.count; k++)
        fprintf(out.stream, "# problem: %s\n", tree->problems.messages[k]);
    for (size_t k = 0; k < tree->count; k++) {
        char *line = entry_line(&tree->entries[k]);
        if (line != NULL)
            fprintf(out.stream, "%s\n", line);
        free(line);
    }
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
}

/* One position of the merged listing. */
struct merged {
    char *line_a, *line_b; /* NULL where the node is absent */
};

typedef struct toc_ctx {
    ds_run_t *run;
    ds_stage_result_t *result;
    const ds_tree_t *trees;
    struct merged *rows;
    size_t row_count, row_capacity;
    ds_strbuf_t per_node;
    size_t per_node_lines;
    bool stopped;  /* the time budget ran out during content comparison */
    const char *path;       /* the node being compared */
    bool boot_catalog;      /* it is the El Torito boot catalog on both sides */
    ds_strbuf_t *fields;    /* its per-node line */
    size_t compared, read_skipped;
} toc_ctx_t;

static ds_difference_t *node_difference(toc_ctx_t *ctx, const char *path, ds_kind_t kind, const char *a,
                                        const char *b, const char *detail)
{
    const char *loc[] = {path};
    return ds_findings_add(&ctx->run->findings, "toc", kind, loc, 1, a, b, detail);
}

static void describe(ds_strbuf_t *sb, const char *field, const char *a, const char *b)
{
    ds_strbuf_printf(sb, "; %s %s -> %s", field, a, b);
}

/* One contiguous byte range holding the whole content, or false. */
static bool single_range(const ds_entry_t *e, uint64_t *offset, uint64_t *length)
{
    if (e->extent_count == 0)
        return false;
    *offset = e->extents[0].offset;
    *length = 0;
    for (size_t i = 0; i < e->extent_count; i++) {
        if (e->extents[i].offset != *offset + *length)
            return false;
        *length += e->extents[i].length;
    }
    return true;
}

/* A file on both sides that is a squashfs (on either side) is handed to the squashfs stage,
 * which compares it (payload digests, then what is inside). Returns true when handed over. */
static bool note_squashfs(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b)
{
    const ds_entry_t *sides[2] = {a, b};
    uint64_t offset[2], length[2];
    bool magic = false;
    for (int i = 0; i < 2; i++) {
        if (!single_range(sides[i], &offset[i], &length[i])) {
            if (sides[i]->size >= 4)
                ds_stage_fail(ctx->result, DS_ERR_FORMAT,
                              "%s: iso9660: %s is stored in scattered sections; not opened as squashfs",
                              ctx->run->side[i].label, a->path);
            return false;
        }
        unsigned char head[4];
        if (length[i] >= 96 &&
            ds_source_read(ctx->run->side[i].source, offset[i], head, 4, "iso9660", NULL) == DS_OK &&
            memcmp(head, "hsqs", 4) == 0)
            magic = true;
    }
    if (!magic)
        return false;
    if (!ds_run_add_container(ctx->run, a->path, offset, length)) {
        ds_run_limit(ctx->run, "squashfs: only the first %d squashfs images are compared",
                     DS_CONTAINERS_MAX);
        return false;
    }
    return true;
}

/* A boot image that differs only where xorriso patches its location in (the El Torito
 * boot-info-table at bytes 8-63 with -boot-info-table: PVD LBA, file LBA, length, checksum; or
 * GRUB's at 2548-2555 with --grub2-boot-info) after it moved: a consequence of the layout. */
static bool boot_info_table_only(const ds_entry_t *a, const ds_entry_t *b, const ds_content_result_t *cmp)
{
    if (a->size != b->size || cmp->range_count == 0 || cmp->range_count > DS_CONTENT_RANGES_KEPT ||
        a->extent_count == 0 || b->extent_count == 0 || a->extents[0].offset == b->extents[0].offset)
        return false;
    for (size_t i = 0; i < cmp->range_count; i++) {
        const ds_byte_range_t *r = &cmp->ranges[i];
        bool info_table = r->start >= 8 && r->end <= 64;
        bool grub_info = r->start >= 2548 && r->end <= 2556;
        if (!info_table && !grub_info)
            return false;
    }
    return true;
}

/* Looks inside a differing file (FAT image, initrd, gzip, ELF, text) through slices of both
 * inputs: nested differences go below the file's path. */
static void classify_node(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, ds_difference_t *outer)
{
    uint64_t offset[2], length[2];
    const ds_entry_t *sides[2] = {a, b};
    ds_source_t *slice[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++)
        if (!single_range(sides[i], &offset[i], &length[i]) ||
            ds_source_open_slice(&slice[i], ctx->run->side[i].source, offset[i], length[i], a->path, NULL) != DS_OK)
            goto out;
    ds_classified_t cls;
    ds_classify_pair(slice[0], slice[1], a->path, ctx->run->options->max_depth, 0, &ctx->run->deadline, &cls);
    const char *prefix[] = {a->path};
    ds_stage_add_classified(ctx->run, "toc", prefix, 1, outer, &cls);
    if (cls.nested.count == 0)
        ds_deep_extract(ctx->run, prefix, 1, slice[0], slice[1]);
    ds_classified_free(&cls);
out:
    ds_source_close(slice[0]);
    ds_source_close(slice[1]);
}

/* CAUSES.md 1a "El Torito boot catalog timestamp": the catalog file has no time of its own;
 * xorriso dates its record with the volume's (max of creation and modification date), so its
 * date follows a differing volume date, and is the volume date's cause on its own. */
static void boot_catalog_date(toc_ctx_t *ctx, ds_difference_t *d)
{
    const ds_findings_t *f = &ctx->run->findings;
    const ds_difference_t *root = NULL;
    for (size_t i = 0; i < f->count && root == NULL; i++) {
        const char *at = f->items[i].location[f->items[i].depth - 1];
        size_t n = strlen(at);
        if (f->items[i].depth == 1 && strncmp(at, "@iso.", 5) == 0 &&
            ((n > 14 && strcmp(at + n - 14, ".creation_date") == 0) ||
             (n > 18 && strcmp(at + n - 18, ".modification_date") == 0)))
            root = &f->items[i];
    }
    ds_difference_explain(d, ds_cause_name(DS_CAUSE_ISO_VOLUME_DATE), "likely", NULL, root != NULL);
    if (root != NULL)
        ds_difference_follows(d, (const char *const *)root->location, root->depth);
    free(d->detail);
    d->detail = strdup("the El Torito boot catalog's record: xorriso dates it with the volume date");
}

static void metadata_event(void *opaque, ds_kind_t kind, const char *field, const char *a,
                           const char *b, const char *detail)
{
    toc_ctx_t *ctx = opaque;
    ds_difference_t *d = node_difference(ctx, ctx->path, kind, a, b, detail);
    describe(ctx->fields, field, a, b);
    if (d != NULL && kind == DS_KIND_MTIME && ctx->boot_catalog)
        boot_catalog_date(ctx, d);
}

/* Adds one row of the merged listing (the node's line on each side where present). */
static int add_row(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b)
{
    if (ctx->row_count == ctx->row_capacity) {
        size_t capacity = ctx->row_capacity ? ctx->row_capacity * 2 : 256;
        struct merged *rows = realloc(ctx->rows, capacity * sizeof *rows);
        if (rows == NULL)
            return DS_ERR_NOMEM;
        ctx->rows = rows;
        ctx->row_capacity = capacity;
    }
    struct merged *row = &ctx->rows[ctx->row_count++];
    row->line_a = a ? entry_line(a) : NULL;
    row->line_b = b ? entry_line(b) : NULL;
    return DS_OK;
}

/* A node on one side only: removed or added, unless the other side's tree is incomplete (a
 * node missing from an incomplete tree is not evidence). */
static void note_one_sided(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, ds_strbuf_t *fields)
{
    const ds_entry_t *e = a ? a : b;
    if (!ctx->trees[a ? 1 : 0].complete)
        return;
    char detail[128];
    snprintf(detail, sizeof detail, "%s present only in %c", ds_entry_type_name(e->type), a ? 'A' : 'B');
    node_difference(ctx, e->path, a ? DS_KIND_REMOVED : DS_KIND_ADDED, NULL, NULL, detail);
    ds_strbuf_printf(fields, "; only in %c", a ? 'A' : 'B');
}

/* The value of stamp `name` in a Rock Ridge TF text ("modify <UTC>, access <UTC>, ...", the
 * ISO reader's mtime_text) copied to out; false when the text has no such stamp. */
static bool rr_stamp(const char *text, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *p = text; p != NULL && *p != '\0'; p = strstr(p, ", ") ? strstr(p, ", ") + 2 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            size_t len = strcspn(p + n + 1, ",");
            snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), p + n + 1);
            return true;
        }
    }
    return false;
}

/* Rock Ridge TF stamps other than the modification time (CAUSES.md 1a "Rock Ridge
 * timestamps"): each that differs at [path, "@iso.rr.tf.<stamp>"]; a consequence of the
 * modification time when that differs too (xorriso's set_to_mtime copies it to them). */
static void compare_rr_stamps(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, ds_strbuf_t *fields)
{
    static const char *const stamps[] = {"creation", "access", "attributes", "backup", "expiration", "effective"};
    if (a->mtime_text == NULL || b->mtime_text == NULL || strcmp(a->mtime_text, b->mtime_text) == 0)
        return;
    for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
        char va[48] = "(none)", vb[48] = "(none)", where[40], detail[160];
        bool ha = rr_stamp(a->mtime_text, stamps[i], va, sizeof va), hb = rr_stamp(b->mtime_text, stamps[i], vb, sizeof vb);
        if ((!ha && !hb) || strcmp(va, vb) == 0)
            continue;
        snprintf(where, sizeof where, "@iso.rr.tf.%s", stamps[i]);
        snprintf(detail, sizeof detail, "Rock Ridge TF %s stamp differs; the modification stamps are %s", stamps[i],
                 a->mtime == b->mtime ? "equal" : "different too");
        const char *loc[] = {a->path, where};
        ds_difference_t *d = ds_findings_add(&ctx->run->findings, "toc", DS_KIND_HEADER, loc, 2, va, vb, detail);
        if (d != NULL && a->mtime != b->mtime) {
            ds_difference_explain(d, ds_cause_name(DS_CAUSE_ISO_FILE_DATES), "likely", NULL, true);
            ds_difference_follows(d, loc, 1);
        }
        describe(fields, where + 1, va, vb);
    }
}

/* The metadata fields, each a difference; nlink only on the per-node line, since it follows
 * from the tree and is not a difference itself. */
static void compare_node_metadata(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, ds_strbuf_t *fields)
{
    ctx->path = a->path;
    ctx->fields = fields;
    ctx->boot_catalog = ctx->run->boot_catalog_offset[0] != 0 && a->extent_count > 0 && b->extent_count > 0 &&
                        a->extents[0].offset == ctx->run->boot_catalog_offset[0] &&
                        b->extents[0].offset == ctx->run->boot_catalog_offset[1];
    ds_metadata_compare(a, b, metadata_event, ctx);
    compare_rr_stamps(ctx, a, b, fields);
    if (a->nlink != b->nlink) {
        char va[64], vb[64];
        snprintf(va, sizeof va, "%" PRIu32, a->nlink);
        snprintf(vb, sizeof vb, "%" PRIu32, b->nlink);
        describe(fields, "nlink", va, vb);
    }
}

/* A squashfs handed to the squashfs stage: the hash stage took both payloads' digests on its
 * pass, so no read is needed here. Sets *known and *equal when the digests settle it. */
static void compare_squashfs_payloads(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b,
                                      ds_strbuf_t *fields, bool *known, bool *equal)
{
    const unsigned char *da = ds_run_payload_digest(ctx->run, 0, a->extents[0].offset, a->size);
    const unsigned char *db = ds_run_payload_digest(ctx->run, 1, b->extents[0].offset, b->size);
    ds_container_t *c = &ctx->run->containers[ctx->run->container_count - 1];
    if (da == NULL || db == NULL) {
        ds_strbuf_puts(fields, "; squashfs: compared by the squashfs stage");
        return;
    }
    c->compared_whole = true;
    *known = true;
    *equal = a->size == b->size && memcmp(da, db, 32) == 0;
    if (!*equal) {
        char va[64], vb[64];
        snprintf(va, sizeof va, "%" PRIu64 " bytes", a->size);
        snprintf(vb, sizeof vb, "%" PRIu64 " bytes", b->size);
        node_difference(ctx, a->path, DS_KIND_CONTENT, va, vb,
                        "squashfs payloads differ (SHA-256); what differs inside is listed from the squashfs stage on");
        ds_strbuf_puts(fields, "; content differs (squashfs payload SHA-256)");
    }
}

/* A file whose content differs: one finding, explained as a layout consequence when only a
 * patched-in boot info table differs or when it is the El Torito catalog (decoded field by
 * field at @iso.boot_catalog); anything else is looked inside. */
static void report_content_difference(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b,
                                      const ds_content_result_t *cmp, ds_strbuf_t *fields)
{
    char va[64], vb[64], detail[400];
    snprintf(va, sizeof va, "%" PRIu64 " bytes", a->size);
    snprintf(vb, sizeof vb, "%" PRIu64 " bytes", b->size);
    if (a->size == b->size)
        snprintf(detail, sizeof detail,
                 "same size, %" PRIu64 " differing bytes in %zu ranges, the first at "
                 "byte %" PRIu64,
                 cmp->differing_bytes, cmp->range_count, cmp->first_difference);
    else
        snprintf(detail, sizeof detail,
                 "size %" PRIu64 " -> %" PRIu64 " bytes; the first difference is at "
                 "byte %" PRIu64,
                 a->size, b->size, cmp->first_difference);
    const char *loc[] = {a->path};
    ds_difference_t *outer = ds_findings_add(&ctx->run->findings, "toc", DS_KIND_CONTENT, loc, 1, va, vb, detail);
    if (outer != NULL && boot_info_table_only(a, b, cmp)) {
        ds_difference_explain(outer, ds_cause_name(DS_CAUSE_LAYOUT_SHIFT), "likely", NULL, true);
    } else if (outer != NULL && ctx->run->boot_catalog_offset[0] != 0 &&
               a->extents[0].offset == ctx->run->boot_catalog_offset[0] &&
               b->extents[0].offset == ctx->run->boot_catalog_offset[1]) {
        ds_difference_explain(outer, ds_cause_name(DS_CAUSE_LAYOUT_SHIFT), "likely", NULL, true);
        free(outer->detail);
        outer->detail = strdup("the El Torito boot catalog; its entries are decoded at @iso.boot_catalog");
    } else {
        classify_node(ctx, a, b, outer);
    }
    ds_strbuf_printf(fields, "; content differs (%s)", detail);
}

/* Compares a file's contents (equal chunks from the hash stage first). A timeout stops content
 * comparison for the rest of the tree; an unreadable file fails the stage but not the walk.
 * Sets *equal only when the comparison finished. */
/* Compares a file's bytes; returns false when they could not be compared (time, damage). */
static bool compare_file_content(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, const char *shown,
                                 ds_strbuf_t *fields, bool *equal)
{
    ds_content_result_t cmp;
    ds_error_t err = {0};
    int rc = ds_content_compare(ctx->run->side[0].source, a, ctx->run->side[1].source, b,
                                ctx->run->chunks_valid ? &ctx->run->chunks : NULL,
                                &ctx->run->deadline, &cmp, &err);
    if (rc == DS_ERR_TIMEOUT) {
        ctx->stopped = true;
        ds_stage_fail(ctx->result, rc, "content comparison stopped at %s: time budget exhausted",
                      shown ? shown : "?");
        return false;
    }
    if (rc != DS_OK) {
        ds_stage_fail(ctx->result, rc, "%s", err.message);
        describe(fields, "content", "?", "? (unreadable)");
        return false;
    }
    ctx->compared++;
    if (cmp.read_skipped)
        ctx->read_skipped++;
    *equal = cmp.equal;
    if (!cmp.equal)
        report_content_difference(ctx, a, b, &cmp, fields);
    return true;
}

/* The extent moved: a layout consequence, unless the content differs too. */
static void note_extent_moved(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, bool content_unchanged,
                              ds_strbuf_t *fields)
{
    if (a->extent_count == 0 || b->extent_count == 0 || a->extents[0].offset == b->extents[0].offset)
        return;
    char va[64], vb[64];
    snprintf(va, sizeof va, "LBA %" PRIu64, a->extents[0].offset / 2048);
    snprintf(vb, sizeof vb, "LBA %" PRIu64, b->extents[0].offset / 2048);
    describe(fields, "extent", va, vb);
    const char *loc[] = {a->path, "@iso.extent"};
    char detail[160];
    snprintf(detail, sizeof detail, "extent moved by %+" PRId64 " blocks%s",
             (int64_t)(b->extents[0].offset / 2048) - (int64_t)(a->extents[0].offset / 2048),
             content_unchanged ? "; the content is unchanged" : "");
    ds_difference_t *d = ds_findings_add(&ctx->run->findings, "toc", DS_KIND_HEADER, loc, 2, va, vb, detail);
    if (d != NULL)
        ds_difference_explain(d, ds_cause_name(DS_CAUSE_LAYOUT_SHIFT), "likely", NULL, true);
}

/* A node on both sides: metadata, then content (a squashfs by its payload digests, any other
 * file by its bytes), then the extent. */
static void compare_node(toc_ctx_t *ctx, const ds_entry_t *a, const ds_entry_t *b, const char *shown,
                         ds_strbuf_t *fields)
{
    compare_node_metadata(ctx, a, b, fields);
    bool files = a->type == DS_ENTRY_FILE && b->type == DS_ENTRY_FILE;
    bool container = files && note_squashfs(ctx, a, b);
    bool content_equal = true, content_known = !container;
    if (container)
        compare_squashfs_payloads(ctx, a, b, fields, &content_known, &content_equal);
    else if (files)
        /* A moved extent is "content unchanged" only when the bytes were compared. */
        content_known = !ctx->stopped && compare_file_content(ctx, a, b, shown, fields, &content_equal);
    note_extent_moved(ctx, a, b, content_known && content_equal, fields);
}

static int visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    toc_ctx_t *ctx = opaque;
    if (add_row(ctx, a, b) != DS_OK)
        return DS_ERR_NOMEM;
    char *shown = ds_escape_line((a ? a : b)->path);
    ds_strbuf_t fields = {0};
    if (a == NULL || b == NULL)
        note_one_sided(ctx, a, b, &fields);
    else
        compare_node(ctx, a, b, shown, &fields);
    if (fields.len > 0 && ctx->per_node_lines++ < PER_NODE_SHOWN)
        ds_strbuf_printf(&ctx->per_node, "%s: %s\n", shown ? shown : "?", ds_strbuf_text(&fields) + 2);
    ds_strbuf_free(&fields);
    free(shown);
    return 0;
}

static bool row_changed(const struct merged *r)
{
    return r->line_a == NULL || r->line_b == NULL || strcmp(r->line_a, r->line_b) != 0;
}

/* Unified diff of the two listings, aligned by path (both are sorted by path, so the alignment
 * by key is the natural one: a changed node is one -/+ pair). */
static void write_unified(FILE *out, const toc_ctx_t *ctx)
{
    fprintf(out, "--- toc-a.txt\n+++ toc-b.txt\n");
    size_t n = ctx->row_count;
    size_t i = 0;
    while (i < n) {
        if (!row_changed(&ctx->rows[i])) {
            i++;
            continue;
        }
        size_t start = i >= DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
        size_t end = i; /* one past the last row of the hunk */
        size_t j = i;
        while (j < n) {
            if (row_changed(&ctx->rows[j])) {
                end = j + 1;
                j++;
                continue;
            }
            if (j - end >= 2 * DIFF_CONTEXT)
                break;
            j++;
        }
        end = end + DIFF_CONTEXT < n ? end + DIFF_CONTEXT : n;
        /* Line numbers of the hunk in each listing (1-based, after its comment lines). */
        size_t a_line = 1, b_line = 1, a_count = 0, b_count = 0;
        for (size_t k = 0; k < start; k++) {
            a_line += ctx->rows[k].line_a != NULL;
            b_line += ctx->rows[k].line_b != NULL;
        }
        for (size_t k = start; k < end; k++) {
            a_count += ctx->rows[k].line_a != NULL;
            b_count += ctx->rows[k].line_b != NULL;
        }
        fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", a_count ? a_line : a_line - 1, a_count,
                b_count ? b_line : b_line - 1, b_count);
        for (size_t k = start; k < end; k++) {
            const struct merged *r = &ctx->rows[k];
            if (!row_changed(r)) {
                fprintf(out, " %s\n", r->line_a);
                continue;
            }
            if (r->line_a)
                fprintf(out, "-%s\n", r->line_a);
            if (r->line_b)
                fprintf(out, "+%s\n", r->line_b);
        }
        i = end;
    }
}

void ds_stage_toc_run(ds_run_t *run, ds_stage_result_t *result)
{
    if (ds_stage_skip_unless_iso(run, result))
        return;
    ds_tree_t trees[2];
    bool loaded[2] = {false, false};
    char why[2][DS_ERROR_MESSAGE_MAX];
    memset(trees, 0, sizeof trees);
    for (int i = 0; i < 2; i++) {
        ds_side_t *side = &run->side[i];
        why[i][0] = '\0';
        if (side->source == NULL) {
            snprintf(why[i], sizeof why[i], "%s", side->open_error ? side->open_error : "not opened");
            ds_stage_fail(result, DS_ERR_IO, "%s: not read: %s", side->label, why[i]);
            continue;
        }
        const ds_reader_ops_t *ops = ds_iso9660_reader.probe(side->source) > 0 ? &ds_iso9660_reader : NULL;
        if (ops == NULL) {
            snprintf(why[i], sizeof why[i],
                     "%s: iso9660: no volume descriptor (\"CD001\") at byte 32769: not an ISO 9660 image",
                     side->label);
            ds_stage_fail(result, DS_ERR_FORMAT, "%s", why[i]);
            continue;
        }
        ds_error_t err = {0};
        int rc = ds_tree_load(&trees[i], ops, side->source, &run->deadline, &err);
        loaded[i] = true;
        if (rc != DS_OK) {
            snprintf(why[i], sizeof why[i], "%s", err.message);
            ds_stage_fail(result, rc, "%s", err.message);
        }
        if (trees[i].problems.count > 0)
            ds_stage_fail(result, DS_ERR_FORMAT, "%s (%zu problems in %c's tree; see toc-%c.txt)",
                          trees[i].problems.messages[0],
                          trees[i].problems.count + trees[i].problems.dropped, side->name,
                          i == 0 ? 'a' : 'b');
    }
    for (int i = 0; i < 2; i++)
        write_listing(run, result, i, &trees[i], loaded[i], why[i]);

    toc_ctx_t ctx = {.run = run, .result = result, .trees = trees};
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "toc-diff.txt", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        goto done;
    }
    ds_stage_artifact(result, "toc-diff.txt");
    if (loaded[0] && loaded[1]) {
        if (ds_tree_merge(&trees[0], &trees[1], visit, &ctx) != 0)
            ds_stage_fail(result, DS_ERR_NOMEM, "out of memory comparing the trees");
        if (!trees[0].complete || !trees[1].complete)
            fprintf(out.stream, "# PARTIAL: a tree could not be read to the end; nodes missing "
                                "from it are not reported as removed or added\n");
        if (ctx.stopped)
            fprintf(out.stream, "# PARTIAL: content comparison stopped by the time budget\n");
        write_unified(out.stream, &ctx);
        fprintf(out.stream, "\n== Per node: the fields that differ ==\n%s", ds_strbuf_text(&ctx.per_node));
        if (ctx.per_node_lines > PER_NODE_SHOWN)
            fprintf(out.stream, "... %zu more nodes not listed\n", ctx.per_node_lines - PER_NODE_SHOWN);
        fprintf(out.stream, "\n%zu nodes in A, %zu in B; %zu files' contents compared, %zu of them "
                            "settled from the hash stage's equal chunks without a read\n",
                trees[0].count, trees[1].count, ctx.compared, ctx.read_skipped);
    } else {
        fprintf(out.stream, "# not compared: %s\n", why[loaded[0] ? 1 : 0]);
    }
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
done:
    for (size_t k = 0; k < ctx.row_count; k++) {
        free(ctx.rows[k].line_a);
        free(ctx.rows[k].line_b);
    }
    free(ctx.rows);
    ds_strbuf_free(&ctx.per_node);
    for (int i = 0; i < 2; i++)
        ds_tree_free(&trees[i]);
}
