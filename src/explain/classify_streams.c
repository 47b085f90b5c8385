/* Classifiers for compressed streams: gzip (header decoded, payloads compared in windows) and
 * xz, zstd, lz4, bzip2 (decompressed in memory within the budget and classified inside). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/strbuf.h"
#include "classify_internal.h"
#include "../decode/fields.h"
#include "../decode/gzip_stream.h"

/* --- compressed streams (xz, zstd, lz4, bzip2; gzip payloads) ------------------------------ */

#define STREAM_IN_MEMORY_MAX (16u << 20) /* decompressed bytes held to look further inside */

typedef struct stream_ctx {
    ds_source_t *src;
    uint64_t pos;
    unsigned char buf[65536];
} stream_ctx_t;

static la_ssize_t stream_read(struct archive *a, void *opaque, const void **buffer)
{
    stream_ctx_t *ctx = opaque;
    size_t got = 0;
    ds_error_t err = {0};
    if (ds_source_read_some(ctx->src, ctx->pos, ctx->buf, sizeof ctx->buf, &got, &err) != DS_OK) {
        archive_set_error(a, EIO, "%s", err.message);
        return -1;
    }
    ctx->pos += got;
    *buffer = ctx->buf;
    return (la_ssize_t)got;
}

/* Decompresses the whole stream (any filter libarchive knows) into memory, up to cap bytes.
 * Returns 1 when it fitted, 0 when it is larger than cap, -1 when it is not a stream. */
static int stream_inflate(ds_source_t *src, unsigned char **out, size_t *len, size_t cap)
{
    *out = NULL;
    *len = 0;
    struct archive *a = archive_read_new();
    stream_ctx_t *ctx = calloc(1, sizeof *ctx);
    int result = -1;
    if (a == NULL || ctx == NULL)
        goto out;
    ctx->src = src;
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *entry;
    if (archive_read_open(a, ctx, NULL, stream_read, NULL) != ARCHIVE_OK ||
        archive_read_next_header(a, &entry) != ARCHIVE_OK || archive_filter_count(a) < 2)
        goto out;
    size_t capacity = 65536;
    unsigned char *buf = malloc(capacity);
    result = 1;
    while (buf != NULL) {
        if (*len == capacity) {
            if (capacity >= cap) {
                result = 0;
                break;
            }
            capacity = capacity * 2 > cap ? cap : capacity * 2;
            unsigned char *bigger = realloc(buf, capacity);
            if (bigger == NULL) {
                result = -1;
                break;
            }
            buf = bigger;
        }
        la_ssize_t n = archive_read_data(a, buf + *len, capacity - *len);
        if (n < 0) {
            result = -1;
            break;
        }
        if (n == 0)
            break;
        *len += (size_t)n;
    }
    if (result == 1)
        *out = buf;
    else
        free(buf);
out:
    if (a != NULL)
        archive_read_free(a);
    free(ctx);
    return result;
}

bool ds_classify_stream_probe(ds_source_t *src, const char **name)
{
    unsigned char h[6];
    if (ds_source_read(src, 0, h, sizeof h, "stream", NULL) != DS_OK)
        return false;
    if (memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
        *name = "xz";
    else if (memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
        *name = "zstd";
    else if (memcmp(h, "\x04\x22\x4d\x18", 4) == 0)
        *name = "lz4";
    else if (memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9')
        *name = "bzip2";
    else if (h[0] == 0x1f && h[1] == 0x8b)
        *name = "gzip";
    else
        return false;
    return true;
}

/* Decompresses both and classifies what is inside; the stream adds no location element. */
void ds_classify_stream(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                                   const ds_deadline_t *deadline, const char *format, ds_classified_t *out)
{
    unsigned char *da = NULL, *db = NULL;
    size_t la = 0, lb = 0;
    int fa = stream_inflate(a, &da, &la, ds_limits()->stream_memory);
    int fb = fa == 1 ? stream_inflate(b, &db, &lb, ds_limits()->stream_memory) : -1;
    if (fa == 0 || fb == 0)
        snprintf(out->limit, sizeof out->limit,
                 "a decompressed %s stream was larger than the memory budget allows (--max-memory): not looked into", format);
    if (fa != 1 || fb != 1) {
        if (out->detail[0] == '\0')
            ds_classify_verdict(out, format, NULL, NULL, "%s: %s", format,
                    fa == 0 || fb == 0 ? "larger decompressed than the memory budget allows (--max-memory): not looked into further"
                                       : "the stream does not decompress");
        goto out;
    }
    if (la == lb && memcmp(da, db, la) == 0) {
        if (out->cause == NULL)
            ds_classify_verdict(out, format, "compression-only", "certain",
                    "%s: the decompressed data are equal (%zu bytes); only the compressed bytes differ", format, la);
        goto out;
    }
    ds_source_t *sa = NULL, *sb = NULL;
    ds_classified_t inner;
    if (ds_source_open_memory(&sa, da, la, ds_source_label(a), NULL) == DS_OK &&
        ds_source_open_memory(&sb, db, lb, ds_source_label(b), NULL) == DS_OK &&
        ds_classify_pair(sa, sb, path, depth_left, 0, deadline, &inner) == DS_OK) {
        ds_strbuf_t detail = {0};
        ds_strbuf_printf(&detail, "%s%s%s: decompressed, %s", out->detail, out->detail[0] ? "; " : "", format,
                         inner.detail[0] ? inner.detail : "the data differ");
        snprintf(out->detail, sizeof out->detail, "%s", ds_strbuf_text(&detail));
        ds_strbuf_free(&detail);
        out->format = format;
        if (inner.cause != NULL && out->cause == NULL) {
            out->cause = inner.cause;
            out->confidence = inner.confidence;
        }
        for (size_t i = 0; i < inner.nested.count; i++) {
            const ds_difference_t *n = &inner.nested.items[i];
            ds_difference_t *d = ds_findings_add(&out->nested, n->stage, n->kind, (const char *const *)n->location,
                                                 n->depth, n->a, n->b, n->detail);
            if (d != NULL && strcmp(n->cause, "unknown") != 0)
                ds_difference_explain(d, n->cause, n->confidence, NULL, n->secondary);
        }
        ds_classified_free(&inner);
    }
    ds_source_close(sa);
    ds_source_close(sb);
out:
    free(da);
    free(db);
}

/* --- gzip ------------------------------------------------------------------------------ */

/* Compares the decompressed streams. *equal, and *first when they differ. */
static int gzip_payloads_equal(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline,
                               bool *equal, uint64_t *first, ds_error_t *err)
{
    ds_gzip_reader_t *ra = malloc(sizeof *ra), *rb = malloc(sizeof *rb);
    unsigned char *wa = malloc(DS_CLASSIFY_WINDOW), *wb = malloc(DS_CLASSIFY_WINDOW);
    int rc = DS_OK;
    *equal = false;
    *first = 0;
    if (!ra || !rb || !wa || !wb) {
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = ds_gzip_reader_open(ra, a, err);
    if (rc == DS_OK && (rc = ds_gzip_reader_open(rb, b, err)) != DS_OK)
        ds_gzip_reader_close(ra);
    if (rc != DS_OK) {
        free(ra), free(rb);
        ra = rb = NULL;
        goto out;
    }
    uint64_t pos = 0;
    for (;;) {
        size_t na = 0, nb = 0;
        if (ds_deadline_passed(deadline)) {
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "gzip: time budget exhausted");
            break;
        }
        rc = ds_gzip_reader_read(ra, wa, DS_CLASSIFY_WINDOW, &na, err);
        if (rc == DS_OK)
            rc = ds_gzip_reader_read(rb, wb, DS_CLASSIFY_WINDOW, &nb, err);
        if (rc != DS_OK)
            break;
        size_t common = na < nb ? na : nb;
        if (memcmp(wa, wb, common) != 0 || na != nb) {
            size_t k = 0;
            while (k < common && wa[k] == wb[k])
                k++;
            *first = pos + k;
            break;
        }
        if (na == 0) {
            *equal = true;
            break;
        }
        pos += na;
        uint64_t allowed = ds_limits_inflate_allowed(ds_source_size(a) > ds_source_size(b) ? ds_source_size(a) : ds_source_size(b));
        if (pos > allowed) {
            rc = ds_error_set(err, DS_ERR_LIMIT,
                              "gzip: more than %llu decompressed bytes (%u times the compressed size): stopped as a likely bomb",
                              (unsigned long long)allowed, DS_MAX_INFLATE_RATIO);
            break;
        }
    }
    ds_gzip_reader_close(ra);
    ds_gzip_reader_close(rb);
out:
    free(ra), free(rb), free(wa), free(wb);
    return rc;
}

static void classify_gzip(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline,
                          ds_classified_t *out)
{
    ds_fields_t fa = {0}, fb = {0};
    uint64_t ha = 0, hb = 0;
    ds_error_t err = {0};
    if (ds_gzip_header_fields(a, &fa, &ha, &err) != DS_OK || ds_gzip_header_fields(b, &fb, &hb, &err) != DS_OK) {
        ds_classify_verdict(out, "gzip", NULL, NULL, "gzip header unreadable: %s", err.message);
        goto out;
    }
    bool equal = false;
    uint64_t first = 0;
    if (gzip_payloads_equal(a, b, deadline, &equal, &first, &err) != DS_OK) {
        ds_classify_verdict(out, "gzip", NULL, NULL, "gzip stream not fully compared: %s", err.message);
        if (err.code == DS_ERR_LIMIT)
            snprintf(out->limit, sizeof out->limit, "%s", err.message);
        goto out;
    }
    size_t header_diffs = 0;
    for (size_t i = 0; i < fa.count; i++) {
        const ds_field_t *x = &fa.items[i], *y = ds_fields_find(&fb, x->key);
        if (y == NULL || ds_field_bytes_differ(x, y)) {
            header_diffs++;
            char detail[128];
            snprintf(detail, sizeof detail, "gzip header %s (bytes %" PRIu64 "-%" PRIu64 ")", x->label,
                     x->offset, x->offset + (x->length ? x->length - 1 : 0));
            /* MTIME, FNAME, and FLG when only its FNAME bit differs: what gzip without -n records. */
            bool timeish = strcmp(x->key, "gzip.mtime") == 0 || strcmp(x->key, "gzip.name") == 0 ||
                           (strcmp(x->key, "gzip.flags") == 0 && y != NULL && ((x->raw[0] ^ y->raw[0]) & ~0x08) == 0);
            ds_classify_nested(out, DS_KIND_HEADER, x->location, x->value, y ? y->value : NULL, detail,
                   timeish ? "gzip-mtime" : NULL, "certain", false);
        }
    }
    if (equal && header_diffs > 0)
        ds_classify_verdict(out, "gzip", "gzip-mtime", "certain",
                "gzip: the decompressed data are equal; only the header differs (%zu fields)", header_diffs);
    else if (equal)
        ds_classify_verdict(out, "gzip", "compression-only", "certain",
                "gzip: the decompressed data are equal; only the compressed bytes differ");
    else
        ds_classify_verdict(out, "gzip", NULL, NULL,
                "gzip: the decompressed data differ, first at decompressed byte %" PRIu64, first);
out:
    ds_fields_free(&fa);
    ds_fields_free(&fb);
}

void ds_classify_gzip(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                               const ds_deadline_t *deadline, ds_classified_t *out)
{
    classify_gzip(a, b, deadline, out);
    /* The payloads differ: look at what they hold (text, an archive...). */
    if (out->cause == NULL && depth_left > 1 && strstr(out->detail, "decompressed data differ") != NULL)
        ds_classify_stream(a, b, path, depth_left - 1, deadline, "gzip", out);
}

