/* Stage 4, squashfs: every squashfs found by the toc stage (or given as the inputs), read in
 * place: SHA-256 of each payload, the superblock field by field, and the full listing of both
 * (type, mode, owner, size, mtime, nlink, link or device, xattrs) with its diff. Metadata
 * differences are reported here; contents are left to the content stage. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "listing.h"
#include "run.h"
#include "../readers/squashfs.h"
#include "../util/outfile.h"
#include "../util/pair_hash.h"
#include "../util/strbuf.h"


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

/* The listing diff's heading: the superblock first, then the diff header. */
static void diff_heading(ds_run_t *run, ds_container_t *c, artifacts_t *art)
{
    super_differences(run, c, art->diff.stream);
    fprintf(art->diff.stream, "== Listing diff of %s (- A, + B) ==\n--- sqfs-ls-a.txt\n+++ sqfs-ls-b.txt\n",
            container_name(c));
}

static void diff_footing(FILE *out, size_t diff_lines, bool partial, const size_t entries[2])
{
    if (diff_lines > DS_LISTING_DIFF_LINES_MAX)
        fprintf(out, "... %zu more changed lines not shown\n", diff_lines - DS_LISTING_DIFF_LINES_MAX);
    if (partial)
        fputs("# PARTIAL: a tree is incomplete; entries missing from it are not reported as added or removed\n", out);
    fprintf(out, "%zu entries in A, %zu in B; %zu listing lines differ\n\n", entries[0], entries[1], diff_lines);
}

/* The preload's listing pass of this pair, done beside the hash pass, taken as it is: its
 * files copied into the artifacts, its findings added after the superblock's, in order. */
static void adopt_pass(ds_run_t *run, ds_container_t *c, ds_stage_result_t *result, artifacts_t *art,
                       ds_preload_t *pass)
{
    bool copied = true;
    for (int i = 0; i < 2; i++) {
        listing_header(art->list[i].stream, c, true);
        copied = ds_preload_pass_copy(pass, i, art->list[i].stream) && copied;
    }
    diff_heading(run, c, art);
    copied = ds_preload_pass_copy(pass, 2, art->diff.stream) && copied;
    if (!copied)
        ds_stage_fail(result, DS_ERR_IO, "%s: the listing read beside the hash pass could not be read back from OUTDIR",
                      container_name(c));
    for (size_t k = 0; k < pass->pass_findings.count; k++) {
        const ds_difference_t *d = &pass->pass_findings.items[k];
        if (ds_findings_add(&run->findings, d->stage, d->kind, (const char *const *)d->location, d->depth, d->a, d->b,
                            d->detail) != NULL)
            c->differences++;
    }
    diff_footing(art->diff.stream, pass->pass_diff_lines, false, pass->pass_entries);
    for (int i = 0; i < 2; i++) {
        c->entries[i] = pass->pass_entries[i];
        c->tree_complete[i] = true;
    }
}

/* One pass over both images' directory tables writes both listings, the listing diff and the
 * metadata findings; nothing of the trees is kept. */
static void compare_container(ds_run_t *run, ds_container_t *c, ds_stage_result_t *result,
                              artifacts_t *art)
{
    open_container(run, c, result, art);
    ds_preload_t *pass = ds_preload_pass(&run->preloads, c);
    if (pass != NULL) {
        adopt_pass(run, c, result, art, pass);
        return;
    }
    for (int i = 0; i < 2; i++)
        listing_header(art->list[i].stream, c, c->squashfs[i] != NULL);
    bool compare = c->squashfs[0] != NULL && c->squashfs[1] != NULL;
    if (compare)
        diff_heading(run, c, art);
    else
        fprintf(art->diff.stream, "# %s: not compared: a side could not be opened\n", container_name(c));
    ds_squashfs_walk_t w;
    ds_listing_pass_t m = {.list = {art->list[0].stream, art->list[1].stream},
                           .diff = compare ? art->diff.stream : NULL, .findings = &run->findings,
                           .container = c->path, .walk = &w};
    int rc = ds_squashfs_walk_pair(c->squashfs, &run->deadline, ds_listing_visit, &m, &w);
    ds_listing_pass_free(&m);
    c->differences += m.differences;
    if (rc == DS_ERR_TIMEOUT && w.error[0].message[0] == '\0' && w.error[1].message[0] == '\0')
        ds_stage_fail(result, DS_ERR_TIMEOUT, "%s: time budget exhausted reading the trees", container_name(c));
    for (int i = 0; i < 2; i++) {
        listing_trailer(art->list[i].stream, c, &w, i, result);
        c->entries[i] = w.entries[i];
        c->tree_complete[i] = w.complete[i] && w.problems[i].count == 0;
    }
    if (compare)
        diff_footing(art->diff.stream, m.diff_lines, !w.complete[0] || !w.complete[1], w.entries);
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
