/* Stage 1, hash: sizes and SHA-256 of both inputs, read once in lockstep. While reading, the
 * stage notes the first differing byte and which 64 KiB chunks are equal at equal offsets, so
 * later stages can skip every byte already known to be equal. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pipeline.h"
#include "../readers/reader.h"
#include "../util/outfile.h"

#define HASH_WINDOW (1024u * 1024u) /* multiple of DS_CHUNK_SIZE */

static void open_inputs(ds_run_t *run, ds_stage_result_t *result)
{
    for (int i = 0; i < 2; i++) {
        ds_side_t *side = &run->side[i];
        ds_error_t err = {0};
        if (ds_source_open_file(&side->source, side->path, side->label, &err) != DS_OK) {
            side->open_error = strdup(err.message);
            ds_stage_fail(result, err.code, "%s", err.message);
            continue;
        }
        side->size_known = true;
        side->size = ds_source_size(side->source);
        side->type = ds_format_sniff(side->source);
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
    /* sha256sum format: `sha256sum -c sha256.txt` checks it (names are as given, so a name with
     * a newline is written escaped, as sha256sum itself does, with a leading backslash). */
    for (int i = 0; i < 2; i++) {
        const ds_side_t *side = &run->side[i];
        if (!side->sha256_known) {
            fprintf(out.stream, "# %c: not computed: %s\n", side->name,
                    result->message ? result->message : "not read");
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

static void hex_digest(const unsigned char *digest, char *hex)
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

void ds_stage_hash_run(ds_run_t *run, ds_stage_result_t *result)
{
    open_inputs(run, result);
    write_sizes(run, result);

    ds_side_t *a = &run->side[0], *b = &run->side[1];
    EVP_MD_CTX *ctx[2] = {EVP_MD_CTX_new(), EVP_MD_CTX_new()};
    unsigned char *buf[2] = {malloc(HASH_WINDOW), malloc(HASH_WINDOW)};
    bool active[2] = {a->source != NULL, b->source != NULL};
    if (ctx[0] == NULL || ctx[1] == NULL || buf[0] == NULL || buf[1] == NULL) {
        ds_stage_fail(result, DS_ERR_NOMEM, "out of memory");
        active[0] = active[1] = false;
    }
    for (int i = 0; i < 2; i++)
        if (active[i] && EVP_DigestInit_ex(ctx[i], EVP_sha256(), NULL) != 1)
            active[i] = false;
    bool compare = active[0] && active[1];
    if (compare && ds_chunk_map_init(&run->chunks, a->size, b->size) == DS_OK)
        run->chunks_valid = true;

    bool finished = true;
    uint64_t offset = 0;
    while (active[0] || active[1]) {
        if (ds_deadline_passed(&run->deadline)) {
            ds_stage_fail(result, DS_ERR_TIMEOUT,
                          "time budget exhausted after hashing %" PRIu64 " bytes of each input",
                          offset);
            finished = false;
            break;
        }
        size_t got[2] = {0, 0};
        for (int i = 0; i < 2; i++) {
            if (!active[i])
                continue;
            ds_error_t err = {0};
            if (ds_source_read_some(run->side[i].source, offset, buf[i], HASH_WINDOW, &got[i],
                                    &err) != DS_OK) {
                ds_stage_fail(result, err.code, "%s", err.message);
                active[i] = false;
                finished = false;
                compare = false;
                continue;
            }
            EVP_DigestUpdate(ctx[i], buf[i], got[i]);
        }
        if (compare) {
            size_t common = got[0] < got[1] ? got[0] : got[1];
            for (size_t at = 0; at < common; at += DS_CHUNK_SIZE) {
                size_t n = common - at < DS_CHUNK_SIZE ? common - at : DS_CHUNK_SIZE;
                uint64_t chunk = (offset + at) / DS_CHUNK_SIZE;
                if (memcmp(buf[0] + at, buf[1] + at, n) == 0) {
                    ds_chunk_map_mark_equal(&run->chunks, chunk);
                    continue;
                }
                run->differing_chunks++;
                if (!run->have_first_difference) {
                    size_t k = 0;
                    while (buf[0][at + k] == buf[1][at + k])
                        k++;
                    run->have_first_difference = true;
                    run->first_difference = offset + at + k;
                }
            }
        }
        for (int i = 0; i < 2; i++)
            if (active[i] && got[i] < HASH_WINDOW)
                active[i] = false;
        offset += HASH_WINDOW;
    }
    if (finished) {
        for (int i = 0; i < 2; i++) {
            ds_side_t *side = &run->side[i];
            unsigned char digest[32];
            unsigned int len = 0;
            if (side->source == NULL || EVP_DigestFinal_ex(ctx[i], digest, &len) != 1 || len != 32)
                continue;
            hex_digest(digest, side->sha256);
            side->sha256_known = true;
        }
    }
    if (a->sha256_known && b->sha256_known) {
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
    if (!run->identity_known || !finished)
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
            ds_difference_explain(d, "layout-shift", "likely", NULL, true);
        }
    }
    write_sha256(run, result);
    for (int i = 0; i < 2; i++) {
        EVP_MD_CTX_free(ctx[i]);
        free(buf[i]);
    }
}
