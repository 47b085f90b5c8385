/* Stage 1, hash: sizes and SHA-256 of both inputs, read once, side by side in two threads.
 * While reading, the stage notes the first differing byte and which 64 KiB chunks are equal at
 * equal offsets, so later stages can skip every byte already known to be equal; and it hashes
 * each squashfs payload of an ISO on the way (found by a quick look at the ISO tree first), so
 * the squashfs stage never reads a payload a second time for its digest. Beside that pass, the
 * payloads' listings and stored bytes are read by preload.c's threads. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../readers/tree.h"
#include "../explain/causes.h"
#include "../formats/format.h"
#include "run.h"
#include "../readers/reader.h"
#include "../util/outfile.h"
#include "../util/pair_hash.h"

static void open_inputs(ds_run_t *run, ds_stage_result_t *result)
{
    for (int i = 0; i < 2; i++) {
        ds_side_t *side = &run->side[i];
        ds_error_t err = {0};
        struct stat st;
        if (stat(side->path, &st) == 0 && S_ISDIR(st.st_mode)) {
            side->is_directory = true;
            side->type = "directory";
            continue;
        }
        if (ds_source_open_file(&side->source, side->path, side->label, &err) != DS_OK) {
            side->open_error = strdup(err.message);
            ds_stage_fail(result, err.code, "%s", err.message);
            continue;
        }
        side->size_known = true;
        side->size = ds_source_size(side->source);
        const ds_format_t *format = ds_format_choose(side->source, NULL);
        side->type = format != NULL ? format->name : "data";
        if (side->size == 0)
            ds_stage_fail(result, DS_ERR_FORMAT, "%s: the input is empty (0 bytes)", side->label);
    }
}

static void write_sizes(ds_run_t *run, ds_stage_result_t *result)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "sizes.txt", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    for (int i = 0; i < 2; i++) {
        const ds_side_t *side = &run->side[i];
        if (side->size_known)
            fprintf(out.stream, "%c  %" PRIu64 " bytes  %s\n", side->name, side->size,
                    side->display_path);
        else if (side->is_directory)
            fprintf(out.stream, "%c  directory  %s\n", side->name, side->display_path);
        else
            fprintf(out.stream, "%c  unknown  %s: %s\n", side->name, side->display_path,
                    side->open_error ? side->open_error : "not read");
    }
    if (run->side[0].size_known && run->side[1].size_known) {
        int64_t delta = (int64_t)(run->side[1].size - run->side[0].size);
        fprintf(out.stream, "delta  %+" PRId64 " bytes (B - A)", delta);
        if (delta != 0 && delta % 2048 == 0)
            fprintf(out.stream, " = %+" PRId64 " ISO sectors of 2048 bytes", delta / 2048);
        fputc('\n', out.stream);
    }
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
    ds_stage_artifact(result, "sizes.txt");
}

static void write_sha256(ds_run_t *run, ds_stage_result_t *result)
{
    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "sha256.txt", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    /* sha256sum format: `sha256sum -c sha256.txt` checks it (a name with a backslash or a
     * newline is written escaped, with a leading backslash, as sha256sum itself does). */
    for (int i = 0; i < 2; i++) {
        const ds_side_t *side = &run->side[i];
        if (!side->sha256_known) {
            fprintf(out.stream, "# %c: not computed: %s\n", side->name,
                    side->is_directory ? "a directory (compared file by file in the content stage)"
                    : result->message  ? result->message
                                       : "not read");
            continue;
        }
        bool escape = strpbrk(side->path, "\\\n") != NULL;
        fprintf(out.stream, "%s%s  ", escape ? "\\" : "", side->sha256);
        for (const char *p = side->path; *p; p++) {
            if (*p == '\\')
                fputs("\\\\", out.stream);
            else if (*p == '\n')
                fputs("\\n", out.stream);
            else
                fputc(*p, out.stream);
        }
        fputc('\n', out.stream);
    }
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
    ds_stage_artifact(result, "sha256.txt");
}

/* Squashfs payloads in an ISO's tree: a quick metadata-only walk, whose problems the toc stage
 * reports properly later. */
static void find_payloads(ds_run_t *run, int i, ds_hash_tap_t *taps, size_t *count)
{
    ds_side_t *side = &run->side[i];
    if (side->source == NULL || strcmp(side->type, "iso9660") != 0)
        return;
    ds_tree_t tree;
    ds_error_t err = {0};
    ds_tree_load(&tree, &ds_iso9660_reader, side->source, &run->deadline, &err);
    for (size_t k = 0; k < tree.count && *count < DS_PAIR_HASH_TAPS_MAX; k++) {
        const ds_entry_t *e = &tree.entries[k];
        unsigned char magic[4];
        if (e->type != DS_ENTRY_FILE || e->extent_count != 1 || e->size < 96 ||
            ds_source_read(side->source, e->extents[0].offset, magic, 4, "iso9660", NULL) != DS_OK ||
            memcmp(magic, "hsqs", 4) != 0)
            continue;
        taps[(*count)++] = (ds_hash_tap_t){.side = i, .offset = e->extents[0].offset,
                                          .length = e->extents[0].length};
        ds_preload_add(&run->preloads, i, e->extents[0].offset, e->extents[0].length, e->path);
    }
    ds_tree_free(&tree);
}

static void compare_window(void *ctx, uint64_t offset, const unsigned char *a, size_t na,
                           const unsigned char *b, size_t nb)
{
    ds_run_t *run = ctx;
    uint64_t total = (run->side[0].size > run->side[1].size ? run->side[0].size : run->side[1].size) >> 20;
    ds_progress(run, "hash: %" PRIu64 " of %" PRIu64 " MiB of each input", (offset + na) >> 20, total);
    if (!run->chunks_valid)
        return;
    size_t common = na < nb ? na : nb;
    for (size_t at = 0; at < common; at += DS_CHUNK_SIZE) {
        size_t n = common - at < DS_CHUNK_SIZE ? common - at : DS_CHUNK_SIZE;
        uint64_t chunk = (offset + at) / DS_CHUNK_SIZE;
        if (memcmp(a + at, b + at, n) == 0) {
            ds_chunk_map_mark_equal(&run->chunks, chunk);
            continue;
        }
        run->differing_chunks++;
        if (!run->have_first_difference) {
            size_t k = 0;
            while (a[at + k] == b[at + k])
                k++;
            run->have_first_difference = true;
            run->first_difference = offset + at + k;
        }
    }
}

/* The payload digests the hash pass finished, kept for the squashfs stage. */
static void keep_payload_digests(ds_run_t *run, const ds_hash_tap_t *taps, size_t tap_count)
{
    for (size_t k = 0; k < tap_count && run->payload_count < DS_CONTAINERS_MAX; k++) {
        if (!taps[k].done)
            continue;
        ds_payload_digest_t *p = &run->payloads[run->payload_count++];
        p->side = taps[k].side;
        p->offset = taps[k].offset;
        p->length = taps[k].length;
        p->done = true;
        memcpy(p->digest, taps[k].digest, 32);
    }
}

void ds_stage_hash_run(ds_run_t *run, ds_stage_result_t *result)
{
    open_inputs(run, result);
    write_sizes(run, result);
    ds_side_t *a = &run->side[0], *b = &run->side[1];
    if (a->source != NULL && b->source != NULL &&
        ds_chunk_map_init(&run->chunks, a->size, b->size) == DS_OK)
        run->chunks_valid = true;

    ds_hash_tap_t taps[DS_PAIR_HASH_TAPS_MAX];
    size_t tap_count = 0;
    for (int i = 0; i < 2; i++)
        find_payloads(run, i, taps, &tap_count);
    /* Two squashfs images as the inputs: they are their own payloads. */
    for (int i = 0; i < 2; i++)
        if (run->side[i].source != NULL && strcmp(run->side[i].type, "squashfs") == 0 &&
            strcmp(run->side[1 - i].type, "iso9660") != 0)
            ds_preload_add(&run->preloads, i, 0, run->side[i].size, NULL);
    /* Their listings and stored bytes are read beside the hash pass, on their own threads. */
    ds_preload_start(&run->preloads, run, &run->deadline);

    ds_source_t *const sources[2] = {a->source, b->source};
    ds_pair_hash_result_t hashed;
    ds_pair_hash(sources, &run->deadline, taps, tap_count, compare_window, run, &hashed);
    ds_preload_wait(&run->preloads);
    if (hashed.timed_out)
        ds_stage_fail(result, DS_ERR_TIMEOUT,
                      "time budget exhausted after hashing %" PRIu64 " bytes of A and %" PRIu64 " of B",
                      hashed.bytes_read[0], hashed.bytes_read[1]);
    for (int i = 0; i < 2; i++) {
        if (hashed.error[i].message[0] != '\0')
            ds_stage_fail(result, hashed.error[i].code, "%s", hashed.error[i].message);
        if (!hashed.hashed[i])
            continue;
        for (int k = 0; k < 32; k++)
            snprintf(run->side[i].sha256 + 2 * k, 3, "%02x", hashed.digest[i][k]);
        run->side[i].sha256_known = true;
    }
    keep_payload_digests(run, taps, tap_count);

    bool finished = hashed.hashed[0] && hashed.hashed[1];
    if (finished) {
        run->identity_known = true;
        run->identical = a->size == b->size && strcmp(a->sha256, b->sha256) == 0;
        if (!run->identical && !run->have_first_difference && a->size != b->size) {
            run->have_first_difference = true;
            run->first_difference = a->size < b->size ? a->size : b->size;
        }
    } else if (a->size_known && b->size_known && a->size != b->size) {
        /* Different sizes settle "different" even without the hashes. */
        run->identity_known = true;
        run->identical = false;
    }
    if (!finished)
        run->chunks_valid = false;
    if (run->identity_known && !run->identical && a->size_known && b->size_known &&
        a->size != b->size) {
        char va[32], vb[32];
        snprintf(va, sizeof va, "%" PRIu64, a->size);
        snprintf(vb, sizeof vb, "%" PRIu64, b->size);
        const char *location[] = {"@input.size"};
        ds_difference_t *d = ds_findings_add(&run->findings, "hash", DS_KIND_HEADER, location, 1,
                                             va, vb, "the inputs have different sizes");
        if (d != NULL) {
            d->numeric = true;
            d->a_number = (int64_t)a->size;
            d->b_number = (int64_t)b->size;
            /* A size change is always the consequence of something inside the image. */
            ds_difference_explain(d, ds_cause_name(DS_CAUSE_LAYOUT_SHIFT), "likely", NULL, true);
        }
    }
    write_sha256(run, result);
}
