/* Stage 4, squashfs: every squashfs found by the toc stage (or given as the inputs), read in
 * place: SHA-256 of each payload, the superblock field by field, and the full listing of both
 * (type, mode, owner, size, mtime, nlink, link or device, xattrs) with its diff. Metadata
 * differences are reported here; contents are left to the content stage. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/metadata.h"
#include "../explain/causes.h"
#include "run.h"
#include "../readers/squashfs.h"
#include "../util/outfile.h"
#include "../util/pair_hash.h"
#include "../util/strbuf.h"

#define LISTING_DIFF_LINES_MAX 200000

typedef struct artifacts {
    ds_outfile_t sha, list[2], diff;
    bool open;
} artifacts_t;

static const char *container_name(const ds_container_t *c)
{
    return c->path != NULL ? c->path : "(the inputs)";
}

/* SHA-256 of both payloads: taken from the hash stage's single pass when it saw them, read
 * here (both sides at once) otherwise. A difference of the payloads as wholes is reported at
 * the container's own path; the content stage marks it secondary once it has found what
 * differs inside. */
static void hash_payloads(ds_run_t *run, ds_container_t *c, ds_stage_result_t *result, FILE *out)
{
    for (size_t k = 0; k < run->payload_count; k++) {
        const ds_payload_digest_t *p = &run->payloads[k];
        int i = p->side;
        if (p->done && c->path != NULL && p->offset == c->offset[i] && p->length == c->length[i]) {
            memcpy(c->payload_digest[i], p->digest, 32);
            c->payload_digest_known[i] = true;
        }
    }
    if (!c->payload_digest_known[0] || !c->payload_digest_known[1]) {
        ds_source_t *const slices[2] = {c->payload_digest_known[0] ? NULL : c->slice[0],
                                        c->payload_digest_known[1] ? NULL : c->slice[1]};
        ds_pair_hash_result_t hashed;
        ds_pair_hash(slices, &run->deadline, NULL, 0, NULL, NULL, &hashed);
        for (int i = 0; i < 2; i++) {
            if (hashed.error[i].message[0] != '\0')
                ds_stage_fail(result, hashed.error[i].code, "%s", hashed.error[i].message);
            if (hashed.hashed[i]) {
                memcpy(c->payload_digest[i], hashed.digest[i], 32);
                c->payload_digest_known[i] = true;
            }
        }
        if (hashed.timed_out)
            ds_stage_fail(result, DS_ERR_TIMEOUT, "hashing %s: time budget exhausted", container_name(c));
    }
    char hex[2][65];
    for (int i = 0; i < 2; i++) {
        hex[i][0] = '\0';
        for (int k = 0; c->payload_digest_known[i] && k < 32; k++)
            snprintf(hex[i] + 2 * k, 3, "%02x", c->payload_digest[i][k]);
        fprintf(out, "%s  %c:%s  (%" PRIu64 " bytes at byte %" PRIu64 ")\n",
                c->payload_digest_known[i] ? hex[i] : "(not computed)", 'A' + i,
                c->path ? c->path : run->side[i].display_path, c->length[i], c->offset[i]);
    }
    if (c->path != NULL && !c->compared_whole && c->payload_digest_known[0] && c->payload_digest_known[1] &&
        (c->length[0] != c->length[1] || memcmp(c->payload_digest[0], c->payload_digest[1], 32) != 0)) {
        char va[40], vb[40], detail[200];
        snprintf(va, sizeof va, "%" PRIu64 " bytes", c->length[0]);
        snprintf(vb, sizeof vb, "%" PRIu64 " bytes", c->length[1]);
        snprintf(detail, sizeof detail, "squashfs payloads differ: sha256 %.16s... vs %.16s...", hex[0], hex[1]);
        const char *loc[] = {c->path};
        ds_findings_add(&run->findings, "toc", DS_KIND_CONTENT, loc, 1, va, vb, detail);
    }
}

static void super_differences(ds_run_t *run, ds_container_t *c, FILE *out)
{
    ds_fields_t fields[2] = {{0}, {0}};
    for (int i = 0; i < 2; i++)
        ds_squashfs_super_fields(c->squashfs[i], &fields[i]);
    fprintf(out, "== Superblock of %s (= same, ! differs) ==\n", container_name(c));
    for (size_t k = 0; k < fields[0].count; k++) {
        const ds_field_t *fa = &fields[0].items[k];
        const ds_field_t *fb = ds_fields_find(&fields[1], fa->key);
        if (fb == NULL)
            continue;
        if (!ds_field_bytes_differ(fa, fb)) {
            fprintf(out, "= %-32s %s\n", fa->key, fa->value);
            continue;
        }
        fprintf(out, "! %-32s\n      A: %s\n      B: %s\n", fa->key, fa->value, fb->value);
        const char *loc[2];
        size_t depth = ds_container_location(c, fa->location, loc);
        char detail[200];
        snprintf(detail, sizeof detail, "squashfs superblock %s, %u bytes at byte %" PRIu64 " of A",
                 fa->label, fa->length, fa->offset);
        ds_difference_t *d = ds_findings_add(&run->findings, "squashfs", DS_KIND_HEADER, loc,
                                             depth, fa->value, fb->value, detail);
        if (d == NULL)
            continue;
        if (fa->numeric && fb->numeric) {
            d->numeric = true;
            d->a_number = fa->number;
            d->b_number = fb->number;
        }
        if (fa->derived) /* sizes, counts, table positions: see ds_squashfs_super_fields */
            ds_difference_explain(d, ds_cause_name(DS_CAUSE_LAYOUT_SHIFT), "likely", NULL, true);
        else if (strcmp(fa->key, "squashfs.mkfs_time") == 0)
            ds_difference_explain(d, ds_cause_name(DS_CAUSE_SQUASHFS_MKFS_TIME), "certain",
                                  "build with SOURCE_DATE_EPOCH set (squashfs-tools >= 4.4) or pass -mkfs-time",
                                  false);
        else if (strcmp(fa->key, "squashfs.compressor") == 0 || strcmp(fa->key, "squashfs.compressor_options") == 0 ||
                 strcmp(fa->key, "squashfs.block_size") == 0 || strcmp(fa->key, "squashfs.flags") == 0)
            /* mksquashfs -comp, -X..., -b or a flag: a root; the data and the tables follow it
             * (explain/consequences.c) */
            ds_difference_explain(d, ds_cause_name(DS_CAUSE_COMPRESSION_ONLY), "likely", NULL, false);
    }
    fputc('\n', out);
    ds_fields_free(&fields[0]);
    ds_fields_free(&fields[1]);
}

/* Appends e's listing line (no newline) to sb. */
static void listing_line_to(ds_strbuf_t *sb, const ds_entry_t *e)
{
    char when[40];
    ds_format_utc(e->mtime, when, sizeof when);
    ds_strbuf_escape_line(sb, e->path, strlen(e->path));
    ds_strbuf_printf(sb, "\t%s\t%04o\t%" PRIu32 "/%" PRIu32 "\t%" PRIu64 "\t%s\tnlink=%" PRIu32,
                     ds_entry_type_name(e->type), e->mode, e->uid, e->gid, e->size, when, e->nlink);
    if (e->link_target != NULL) {
        ds_strbuf_puts(sb, "\t-> ");
        ds_strbuf_escape_line(sb, e->link_target, strlen(e->link_target));
    }
    if (e->type == DS_ENTRY_CHAR || e->type == DS_ENTRY_BLOCK)
        ds_strbuf_printf(sb, "\tdev=%" PRIu32 ",%" PRIu32, e->rdev_major, e->rdev_minor);
    if (e->xattrs != NULL)
        ds_strbuf_printf(sb, "\txattrs: %s", e->xattrs);
}

static char *listing_line(const ds_entry_t *e)
{
    ds_strbuf_t sb = {0};
    listing_line_to(&sb, e);
    return ds_strbuf_take(&sb);
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* True when the two entries' listing lines are equal, without writing them (the merge sees
 * every entry of both images; only differing ones are formatted). */
static bool listed_equal(const ds_entry_t *a, const ds_entry_t *b)
{
    bool device = a->type == DS_ENTRY_CHAR || a->type == DS_ENTRY_BLOCK;
    return a->type == b->type && a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
           a->size == b->size && a->mtime == b->mtime && a->nlink == b->nlink && strcmp(a->path, b->path) == 0 &&
           same_text(a->link_target, b->link_target) && same_text(a->xattrs, b->xattrs) &&
           (!device || (a->rdev_major == b->rdev_major && a->rdev_minor == b->rdev_minor));
}

typedef struct merge_ctx {
    ds_run_t *run;
    ds_container_t *c;
    artifacts_t *art;
    ds_strbuf_t line;
    bool compare;      /* both images open: diff and metadata, else only the listings */
    const ds_squashfs_walk_t *walk;
    size_t diff_lines;
    const char *path; /* the entry being compared */
} merge_ctx_t;

static void metadata_difference(merge_ctx_t *m, const char *path, ds_kind_t kind, const char *a,
                                const char *b, const char *detail)
{
    const char *loc[2];
    size_t depth = ds_container_location(m->c, path, loc);
    if (ds_findings_add(&m->run->findings, "squashfs", kind, loc, depth, a, b, detail) != NULL)
        m->c->differences++;
}

static void metadata_event(void *opaque, ds_kind_t kind, const char *field, const char *a,
                           const char *b, const char *detail)
{
    merge_ctx_t *m = opaque;
    (void)field;
    metadata_difference(m, m->path, kind, a, b, detail);
}

/* e's listing line to its side's sqfs-ls-?.txt. */
static void list_entry(merge_ctx_t *m, int side, const ds_entry_t *e)
{
    ds_strbuf_t *sb = &m->line;
    sb->len = 0;
    sb->failed = false;
    listing_line_to(sb, e);
    ds_strbuf_puts(sb, "\n");
    FILE *out = m->art->list[side].stream;
    if (sb->failed)
        fputs("?\n", out);
    else
        fwrite(sb->data, 1, sb->len, out);
}

static void diff_entries(merge_ctx_t *m, const ds_entry_t *a, const ds_entry_t *b)
{
    char *la = a ? listing_line(a) : NULL, *lb = b ? listing_line(b) : NULL;
    if ((la == NULL) != (lb == NULL) || (la && strcmp(la, lb) != 0)) {
        if (m->diff_lines < LISTING_DIFF_LINES_MAX) {
            if (la)
                fprintf(m->art->diff.stream, "-%s\n", la);
            if (lb)
                fprintf(m->art->diff.stream, "+%s\n", lb);
        }
        m->diff_lines++;
    }
    free(la);
    free(lb);
}

static int merge_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    merge_ctx_t *m = opaque;
    if (a != NULL)
        list_entry(m, 0, a);
    if (b != NULL)
        list_entry(m, 1, b);
    if (!m->compare)
        return 0;
    if (a == NULL || b == NULL || !listed_equal(a, b))
        diff_entries(m, a, b);
    if (a == NULL || b == NULL) {
        const ds_entry_t *e = a ? a : b;
        /* absent from the other side only if that side's walk vouches for it */
        if (ds_squashfs_walk_knows(m->walk, a ? 1 : 0)) {
            char detail[96];
            snprintf(detail, sizeof detail, "%s present only in %c", ds_entry_type_name(e->type), a ? 'A' : 'B');
            metadata_difference(m, e->path, a ? DS_KIND_REMOVED : DS_KIND_ADDED, NULL, NULL, detail);
        }
        return 0;
    }
    m->path = a->path;
    ds_metadata_compare(a, b, metadata_event, m);
    return 0;
}

static void listing_header(FILE *out, const ds_container_t *c, bool opened)
{
    fprintf(out, "# squashfs %s: path, type, mode, uid/gid, size, mtime (UTC), nlink, link or device, xattrs\n",
            container_name(c));
    if (!opened)
        fputs("# not read\n", out);
}

/* What the walk of side i left unsaid: a partial tree, its problems; the stage fails on them. */
static void listing_trailer(FILE *out, const ds_container_t *c, const ds_squashfs_walk_t *w, int i,
                            ds_stage_result_t *result)
{
    if (c->squashfs[i] == NULL)
        return;
    if (!w->complete[i])
        fputs("# PARTIAL: the tree could not be read to the end\n", out);
    for (size_t k = 0; k < w->problems[i].count; k++)
        fprintf(out, "# problem: %s\n", w->problems[i].messages[k]);
    if (w->error[i].message[0] != '\0')
        ds_stage_fail(result, w->error[i].code, "%s", w->error[i].message);
    if (w->problems[i].count > 0)
        ds_stage_fail(result, DS_ERR_FORMAT, "%s (%zu problems in %c's tree)", w->problems[i].messages[0],
                      w->problems[i].count, 'A' + i);
}

/* Opens both sides' slices and images (or adopts the preloaded ones) and hashes the payloads. */
static void open_container(ds_run_t *run, ds_container_t *c, ds_stage_result_t *result, artifacts_t *art)
{
    char slice_layer[300], image_layer[300];
    ds_container_layers(c->path, slice_layer, image_layer, sizeof slice_layer);
    bool adopted[2];
    for (int i = 0; i < 2; i++) {
        adopted[i] = run->side[i].source != NULL && ds_preload_adopt(&run->preloads, c, i);
        ds_error_t err = {0};
        if (adopted[i] || run->side[i].source == NULL)
            continue;
        if (ds_source_open_slice(&c->slice[i], run->side[i].source, c->offset[i], c->length[i],
                                 slice_layer, &err) != DS_OK)
            ds_stage_fail(result, err.code, "%s", err.message);
    }
    hash_payloads(run, c, result, art->sha.stream);
    for (int i = 0; i < 2; i++) {
        ds_error_t err = {0};
        if (c->slice[i] != NULL && !adopted[i] &&
            ds_squashfs_open(&c->squashfs[i], c->slice[i], image_layer, &err) != DS_OK)
            ds_stage_fail(result, err.code, "%s", err.message);
    }
}

/* One pass over both images' directory tables writes both listings, the listing diff and the
 * metadata findings; nothing of the trees is kept. */
static void compare_container(ds_run_t *run, ds_container_t *c, ds_stage_result_t *result,
                              artifacts_t *art)
{
    open_container(run, c, result, art);
    for (int i = 0; i < 2; i++)
        listing_header(art->list[i].stream, c, c->squashfs[i] != NULL);
    merge_ctx_t m = {.run = run, .c = c, .art = art, .compare = c->squashfs[0] != NULL && c->squashfs[1] != NULL};
    if (m.compare) {
        super_differences(run, c, art->diff.stream);
        fprintf(art->diff.stream, "== Listing diff of %s (- A, + B) ==\n--- sqfs-ls-a.txt\n+++ sqfs-ls-b.txt\n",
                container_name(c));
    } else {
        fprintf(art->diff.stream, "# %s: not compared: a side could not be opened\n", container_name(c));
    }
    ds_squashfs_walk_t w;
    m.walk = &w;
    int rc = ds_squashfs_walk_pair(c->squashfs, &run->deadline, merge_visit, &m, &w);
    ds_strbuf_free(&m.line);
    if (rc == DS_ERR_TIMEOUT && w.error[0].message[0] == '\0' && w.error[1].message[0] == '\0')
        ds_stage_fail(result, DS_ERR_TIMEOUT, "%s: time budget exhausted reading the trees", container_name(c));
    for (int i = 0; i < 2; i++) {
        listing_trailer(art->list[i].stream, c, &w, i, result);
        c->entries[i] = w.entries[i];
        c->tree_complete[i] = w.complete[i] && w.problems[i].count == 0;
    }
    if (m.compare) {
        if (m.diff_lines > LISTING_DIFF_LINES_MAX)
            fprintf(art->diff.stream, "... %zu more changed lines not shown\n", m.diff_lines - LISTING_DIFF_LINES_MAX);
        if (!w.complete[0] || !w.complete[1])
            fputs("# PARTIAL: a tree is incomplete; entries missing from it are not reported as added or removed\n",
                  art->diff.stream);
        fprintf(art->diff.stream, "%zu entries in A, %zu in B; %zu listing lines differ\n\n", w.entries[0],
                w.entries[1], m.diff_lines);
    }
    ds_squashfs_walk_free(&w);
}

void ds_stage_squashfs_run(ds_run_t *run, ds_stage_result_t *result)
{
    /* Two squashfs images given directly are their own container. */
    bool squashfs[2], iso[2];
    for (int i = 0; i < 2; i++) {
        squashfs[i] = strcmp(run->side[i].type, "squashfs") == 0;
        iso[i] = strcmp(run->side[i].type, "iso9660") == 0;
    }
    /* One squashfs against something that is not an ISO: open both, so that the other side's
     * failure is reported as what it is. */
    if (run->container_count == 0 && (squashfs[0] || squashfs[1]) && !iso[0] && !iso[1] &&
        run->side[0].source != NULL && run->side[1].source != NULL) {
        uint64_t offset[2] = {0, 0}, length[2] = {run->side[0].size, run->side[1].size};
        ds_run_add_container(run, NULL, offset, length);
    }
    if (run->container_count == 0) {
        ds_stage_skip(result, "no squashfs image on both sides");
        return;
    }
    static const char *const names[] = {"squashfs-sha256.txt", "sqfs-ls-a.txt", "sqfs-ls-b.txt",
                                        "sqfs-ls-diff.txt"};
    artifacts_t art;
    ds_outfile_t *files[] = {&art.sha, &art.list[0], &art.list[1], &art.diff};
    for (size_t i = 0; i < 4; i++) {
        ds_error_t err = {0};
        if (ds_outfile_begin(files[i], run->out_fd, names[i], &err) != DS_OK) {
            ds_stage_fail(result, err.code, "%s", err.message);
            for (size_t k = 0; k < i; k++)
                ds_outfile_abort(files[k]);
            return;
        }
        ds_stage_artifact(result, names[i]);
    }
    for (size_t i = 0; i < run->container_count; i++)
        compare_container(run, &run->containers[i], result, &art);
    if (result->message != NULL)
        fprintf(art.diff.stream, "\nPARTIAL: %s\n", result->message);
    for (size_t i = 0; i < 4; i++) {
        ds_error_t err = {0};
        if (ds_outfile_commit(files[i], &err) != DS_OK)
            ds_stage_fail(result, err.code, "%s", err.message);
    }
}
