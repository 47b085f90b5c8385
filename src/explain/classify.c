#include "classify.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/byte_ranges.h"
#include "../decode/elf_sections.h"
#include "../decode/fat.h"
#include "../decode/fields.h"
#include "../decode/gzip_stream.h"
#include "../readers/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include "../util/strbuf.h"
#include "../util/limits.h"

#define WINDOW (256u * 1024u)

static void nested(ds_classified_t *out, ds_kind_t kind, const char *where, const char *a,
                   const char *b, const char *detail, const char *cause, const char *confidence,
                   bool secondary)
{
    const char *loc[] = {where};
    ds_difference_t *d = ds_findings_add(&out->nested, "content", kind, loc, 1, a, b, detail);
    if (d != NULL && cause != NULL)
        ds_difference_explain(d, cause, confidence, NULL, secondary);
}

static void verdict(ds_classified_t *out, const char *format, const char *cause,
                    const char *confidence, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void verdict(ds_classified_t *out, const char *format, const char *cause,
                    const char *confidence, const char *fmt, ...)
{
    out->format = format;
    out->cause = cause;
    out->confidence = confidence;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof out->detail, fmt, ap);
    va_end(ap);
}

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

static bool stream_probe(ds_source_t *src, const char **name)
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
static void classify_inside_stream(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
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
            verdict(out, format, NULL, NULL, "%s: %s", format,
                    fa == 0 || fb == 0 ? "larger decompressed than the memory budget allows (--max-memory): not looked into further"
                                       : "the stream does not decompress");
        goto out;
    }
    if (la == lb && memcmp(da, db, la) == 0) {
        if (out->cause == NULL)
            verdict(out, format, "compression-only", "certain",
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
    unsigned char *wa = malloc(WINDOW), *wb = malloc(WINDOW);
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
        rc = ds_gzip_reader_read(ra, wa, WINDOW, &na, err);
        if (rc == DS_OK)
            rc = ds_gzip_reader_read(rb, wb, WINDOW, &nb, err);
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
        verdict(out, "gzip", NULL, NULL, "gzip header unreadable: %s", err.message);
        goto out;
    }
    bool equal = false;
    uint64_t first = 0;
    if (gzip_payloads_equal(a, b, deadline, &equal, &first, &err) != DS_OK) {
        verdict(out, "gzip", NULL, NULL, "gzip stream not fully compared: %s", err.message);
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
            nested(out, DS_KIND_HEADER, x->location, x->value, y ? y->value : NULL, detail,
                   timeish ? "gzip-mtime" : NULL, "certain", false);
        }
    }
    if (equal && header_diffs > 0)
        verdict(out, "gzip", "gzip-mtime", "certain",
                "gzip: the decompressed data are equal; only the header differs (%zu fields)", header_diffs);
    else if (equal)
        verdict(out, "gzip", "compression-only", "certain",
                "gzip: the decompressed data are equal; only the compressed bytes differ");
    else
        verdict(out, "gzip", NULL, NULL,
                "gzip: the decompressed data differ, first at decompressed byte %" PRIu64, first);
out:
    ds_fields_free(&fa);
    ds_fields_free(&fb);
}

static void classify_gzip_deep(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                               const ds_deadline_t *deadline, ds_classified_t *out)
{
    classify_gzip(a, b, deadline, out);
    /* The payloads differ: look at what they hold (text, an archive...). */
    if (out->cause == NULL && depth_left > 1 && strstr(out->detail, "decompressed data differ") != NULL)
        classify_inside_stream(a, b, path, depth_left - 1, deadline, "gzip", out);
}

/* --- archives (cpio, tar) ----------------------------------------------------------------- */

static void classify_archive(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline,
                             ds_classified_t *out)
{
    ds_archive_list_t la, lb;
    ds_error_t err = {0};
    int ra = ds_archive_list_read(a, &la, deadline, &err);
    int rb = ra == DS_OK ? ds_archive_list_read(b, &lb, deadline, &err) : (memset(&lb, 0, sizeof lb), -1);
    if (ra != DS_OK || rb != DS_OK) {
        verdict(out, "archive", NULL, NULL, "archive not fully read: %s", err.message);
        if (err.code == DS_ERR_LIMIT)
            snprintf(out->limit, sizeof out->limit, "%s", err.message);
        goto out;
    }
    size_t i = 0, k = 0, differences = 0, metadata_only = 0;
    bool same_set = la.count == lb.count;
    while (i < la.count || k < lb.count) {
        int order = i == la.count ? 1 : k == lb.count ? -1 : strcmp(la.items[i].path, lb.items[k].path);
        if (order != 0) {
            same_set = false;
            const ds_archive_member_t *m = order < 0 ? &la.items[i++] : &lb.items[k++];
            nested(out, order < 0 ? DS_KIND_REMOVED : DS_KIND_ADDED, m->path, NULL, NULL,
                   order < 0 ? "member present only in A" : "member present only in B", NULL, NULL, false);
            differences++;
            continue;
        }
        const ds_archive_member_t *x = &la.items[i++], *y = &lb.items[k++];
        char va[64], vb[64], detail[128];
        bool meta = false;
        if (x->mtime != y->mtime) {
            ds_format_utc(x->mtime, va, sizeof va);
            ds_format_utc(y->mtime, vb, sizeof vb);
            snprintf(detail, sizeof detail, "member mtime differs by %+" PRId64 " s", y->mtime - x->mtime);
            nested(out, DS_KIND_MTIME, x->path, va, vb, detail, "cpio-metadata", "certain", false);
            meta = true;
        }
        if (x->mode != y->mode) {
            snprintf(va, sizeof va, "%04o", x->mode & 07777);
            snprintf(vb, sizeof vb, "%04o", y->mode & 07777);
            nested(out, (x->mode ^ y->mode) & 0170000 ? DS_KIND_TYPE : DS_KIND_MODE, x->path, va, vb,
                   "member mode differs", NULL, NULL, false);
            meta = true;
        }
        if (x->uid != y->uid || x->gid != y->gid) {
            snprintf(va, sizeof va, "%" PRIu32 ":%" PRIu32, x->uid, x->gid);
            snprintf(vb, sizeof vb, "%" PRIu32 ":%" PRIu32, y->uid, y->gid);
            nested(out, DS_KIND_OWNER, x->path, va, vb, "member owner differs", "owner", "certain", false);
            meta = true;
        }
        if (x->ino != y->ino || x->nlink != y->nlink || x->dev != y->dev) {
            snprintf(va, sizeof va, "ino %" PRIu64 " nlink %" PRIu32, x->ino, x->nlink);
            snprintf(vb, sizeof vb, "ino %" PRIu64 " nlink %" PRIu32, y->ino, y->nlink);
            nested(out, DS_KIND_HEADER, x->path, va, vb, "member inode/device/nlink fields differ",
                   "cpio-metadata", "certain", false);
            meta = true;
        }
        if (strcmp(x->link ? x->link : "", y->link ? y->link : "") != 0) {
            nested(out, DS_KIND_LINK, x->path, x->link ? x->link : "", y->link ? y->link : "",
                   "symlink target differs", NULL, NULL, false);
            meta = true;
        }
        if (x->size != y->size || memcmp(x->sha256, y->sha256, 32) != 0) {
            snprintf(va, sizeof va, "%" PRIu64 " bytes", x->size);
            snprintf(vb, sizeof vb, "%" PRIu64 " bytes", y->size);
            nested(out, DS_KIND_CONTENT, x->path, va, vb, "member data differ (SHA-256)", NULL, NULL, false);
            differences++;
        } else if (meta) {
            metadata_only++;
        }
        if (x->index != y->index)
            same_set = same_set && true;
    }
    /* Same members, another sequence: the order is the difference. */
    bool reordered = false;
    if (same_set) {
        for (size_t m = 0; m < la.count && !reordered; m++)
            reordered = la.items[m].index != lb.items[m].index;
        if (reordered)
            nested(out, DS_KIND_ORDER, "@cpio.order", NULL, NULL, "the same members in another order",
                   "archive-order", "certain", false);
    }
    if (differences == 0 && metadata_only > 0)
        verdict(out, "archive", "cpio-metadata", "certain",
                "%s: %zu members differ only in their headers (mtime, owner, inode, nlink)", la.format, metadata_only);
    else if (differences == 0 && reordered)
        verdict(out, "archive", "archive-order", "certain", "%s: the same members in another order", la.format);
    else if (differences == 0 && out->nested.count == 0)
        verdict(out, "archive", "compression-only", "likely",
                "%s: every member is equal; only the packing or compression differs", la.format);
    else
        verdict(out, "archive", NULL, NULL, "%s: %zu members differ or were added/removed, %zu in their headers only",
                la.format, differences, metadata_only);
out:
    ds_archive_list_free(&la);
    ds_archive_list_free(&lb);
}

/* --- ELF --------------------------------------------------------------------------------- */

static int ranges_equal(ds_source_t *a, uint64_t at_a, ds_source_t *b, uint64_t at_b, uint64_t len,
                        bool *equal)
{
    unsigned char *wa = malloc(WINDOW), *wb = malloc(WINDOW);
    *equal = wa && wb;
    int rc = *equal ? DS_OK : DS_ERR_NOMEM;
    for (uint64_t done = 0; rc == DS_OK && *equal && done < len; done += WINDOW) {
        size_t n = len - done < WINDOW ? (size_t)(len - done) : WINDOW;
        rc = ds_source_read(a, at_a + done, wa, n, "elf", NULL);
        if (rc == DS_OK)
            rc = ds_source_read(b, at_b + done, wb, n, "elf", NULL);
        *equal = rc == DS_OK && memcmp(wa, wb, n) == 0;
    }
    free(wa);
    free(wb);
    return rc;
}

static void build_id_hex(ds_source_t *src, const ds_elf_section_t *s, char *hex, size_t size)
{
    unsigned char note[64];
    hex[0] = '\0';
    if (s->size < 16 || ds_source_read(src, s->offset, note, s->size < sizeof note ? (size_t)s->size : sizeof note,
                                       "elf note", NULL) != DS_OK)
        return;
    uint32_t namesz = ds_le32(note), descsz = ds_le32(note + 4);
    size_t desc = 12 + ((namesz + 3) & ~3u);
    for (size_t i = 0; i < descsz && desc + i < sizeof note && desc + i < s->size && 2 * i + 3 < size; i++)
        snprintf(hex + 2 * i, 3, "%02x", note[desc + i]);
}

static void classify_elf(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    ds_elf_t ea = {0}, eb = {0};
    ds_error_t err = {0};
    if (ds_elf_open(a, &ea, &err) != DS_OK || ds_elf_open(b, &eb, &err) != DS_OK) {
        verdict(out, "elf", NULL, NULL, "ELF headers unreadable: %s", err.message);
        /* Either side may hold a partly read section table. */
        ds_elf_free(&ea);
        ds_elf_free(&eb);
        return;
    }
    ds_strbuf_t names = {0};
    size_t differing = 0, id_only = 0;
    bool layout_same = ea.count == eb.count && ea.header_size == eb.header_size && ea.ph_bytes == eb.ph_bytes &&
                       ds_source_size(a) == ds_source_size(b);
    for (size_t i = 0; layout_same && i < ea.count; i++) {
        const ds_elf_section_t *x = &ea.sections[i], *y = &eb.sections[i];
        bool equal = false;
        if (strcmp(x->name, y->name) != 0 || x->size != y->size || x->type != y->type) {
            layout_same = false;
            break;
        }
        if (x->type == 8)
            continue;
        ranges_equal(a, x->offset, b, y->offset, x->size, &equal);
        if (equal)
            continue;
        differing++;
        bool build_id = strcmp(x->name, ".note.gnu.build-id") == 0 || strcmp(x->name, ".gnu_debuglink") == 0;
        id_only += build_id;
        ds_strbuf_printf(&names, "%s%s", names.len ? ", " : "", x->name);
        char where[96];
        snprintf(where, sizeof where, "@elf.section.%s", x->name);
        if (strcmp(x->name, ".note.gnu.build-id") == 0) {
            char ha[80], hb[80];
            build_id_hex(a, x, ha, sizeof ha);
            build_id_hex(b, y, hb, sizeof hb);
            nested(out, DS_KIND_HEADER, "@elf.build_id", ha, hb, "GNU build-id note", "build-id", "certain", false);
        } else {
            nested(out, DS_KIND_CONTENT, where, NULL, NULL, "section bytes differ",
                   build_id ? "build-id" : NULL, "certain", false);
        }
    }
    bool headers_equal = false;
    if (layout_same)
        ranges_equal(a, 0, b, 0, ea.header_size, &headers_equal);
    if (layout_same && differing > 0 && id_only == differing)
        verdict(out, "elf", "build-id", "certain", "ELF: only %s differ%s", ds_strbuf_text(&names),
                headers_equal ? "" : " (and the ELF header)");
    else if (layout_same)
        verdict(out, "elf", NULL, NULL, "ELF: sections differ: %s", differing ? ds_strbuf_text(&names) : "none (headers or padding only)");
    else
        verdict(out, "elf", NULL, NULL, "ELF: the section layout differs (%zu vs %zu sections)", ea.count, eb.count);
    ds_strbuf_free(&names);
    ds_elf_free(&ea);
    ds_elf_free(&eb);
}

/* --- .pyc ---------------------------------------------------------------------------------- */

static void classify_pyc(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    unsigned char ha[16], hb[16];
    if (ds_source_read(a, 0, ha, 16, "pyc", NULL) != DS_OK || ds_source_read(b, 0, hb, 16, "pyc", NULL) != DS_OK)
        return;
    bool body_equal = false;
    if (ds_source_size(a) == ds_source_size(b))
        ranges_equal(a, 16, b, 16, ds_source_size(a) - 16, &body_equal);
    uint32_t flags_a = ds_le32(ha + 4), flags_b = ds_le32(hb + 4);
    char va[64], vb[64];
    if (memcmp(ha, hb, 4) != 0) {
        snprintf(va, sizeof va, "%02x%02x", ha[0], ha[1]);
        snprintf(vb, sizeof vb, "%02x%02x", hb[0], hb[1]);
        nested(out, DS_KIND_HEADER, "@pyc.magic", va, vb, "bytecode magic (Python version) differs", NULL, NULL, false);
    }
    if (flags_a == 0 && flags_b == 0 && memcmp(ha + 8, hb + 8, 4) != 0) {
        ds_format_utc(ds_le32(ha + 8), va, sizeof va);
        ds_format_utc(ds_le32(hb + 8), vb, sizeof vb);
        nested(out, DS_KIND_HEADER, "@pyc.source_mtime", va, vb, "pyc header bytes 8-11: source mtime",
               "pyc-timestamp", "certain", false);
    }
    if (flags_a == 0 && flags_b == 0 && memcmp(ha + 12, hb + 12, 4) != 0) {
        snprintf(va, sizeof va, "%" PRIu32, ds_le32(ha + 12));
        snprintf(vb, sizeof vb, "%" PRIu32, ds_le32(hb + 12));
        nested(out, DS_KIND_HEADER, "@pyc.source_size", va, vb, "pyc header bytes 12-15: source size", NULL, NULL, false);
    }
    if (flags_a != flags_b) {
        snprintf(va, sizeof va, "0x%08" PRIx32, flags_a);
        snprintf(vb, sizeof vb, "0x%08" PRIx32, flags_b);
        nested(out, DS_KIND_HEADER, "@pyc.flags", va, vb, "pyc flags (PEP 552)", NULL, NULL, false);
    }
    if (body_equal && memcmp(ha, hb, 8) == 0 && memcmp(ha + 12, hb + 12, 4) == 0)
        verdict(out, "pyc", "pyc-timestamp", "certain", "pyc: only the recorded source mtime differs; the code object is equal");
    else if (body_equal)
        verdict(out, "pyc", "pyc-timestamp", "likely", "pyc: only the 16-byte header differs; the code object is equal");
    else
        verdict(out, "pyc", NULL, NULL, "pyc: the code object differs");
}

/* --- text -------------------------------------------------------------------------------- */

typedef struct lines {
    char **items;
    size_t count;
} lines_t;

static bool load_lines(ds_source_t *src, lines_t *out, char **buffer)
{
    uint64_t size = ds_source_size(src);
    out->items = NULL;
    out->count = 0;
    *buffer = malloc(size + 1);
    if (*buffer == NULL || ds_source_read(src, 0, *buffer, (size_t)size, "text", NULL) != DS_OK)
        return false;
    (*buffer)[size] = '\0';
    if (memchr(*buffer, 0, size) != NULL)
        return false;
    for (size_t i = 0; i < size;) {
        size_t n = ds_utf8_sequence_length((unsigned char *)*buffer + i, size - i);
        if (n == 0)
            return false;
        i += n;
    }
    size_t count = 1;
    for (char *p = *buffer; *p; p++)
        count += *p == '\n';
    out->items = calloc(count, sizeof *out->items);
    if (out->items == NULL)
        return false;
    for (char *p = *buffer, *line = p;; p++) {
        if (*p == '\n' || *p == '\0') {
            bool end = *p == '\0';
            *p = '\0';
            if (!end || p > line)
                out->items[out->count++] = line;
            if (end)
                break;
            line = p + 1;
        }
    }
    return true;
}

static int line_order(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* Replaces every digit with '0' and month/day names with "Mon": two lines equal after that
 * differ only in numbers, the shape of a date or time. */
static void normalise(const char *line, char *out, size_t size)
{
    static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                        "Oct", "Nov", "Dec", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    size_t o = 0;
    for (size_t i = 0; line[i] && o + 4 < size;) {
        bool named = false;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strncmp(line + i, names[k], 3) == 0) {
                memcpy(out + o, "Mon", 3);
                o += 3, i += 3, named = true;
                break;
            }
        if (named)
            continue;
        out[o++] = (line[i] >= '0' && line[i] <= '9') ? '0' : line[i];
        i++;
    }
    out[o] = '\0';
}

static bool has_time_token(const char *line)
{
    for (const char *p = line; *p; p++) {
        if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] == ':' && p[3] >= '0' && p[3] <= '9')
            return true; /* hh:mm */
        if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
            p[3] >= '0' && p[3] <= '9' && (p[4] == '-' || p[4] == '/') && p[5] >= '0' && p[5] <= '9')
            return true; /* yyyy-mm */
    }
    return false;
}

static void classify_text(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out)
{
    lines_t la = {0}, lb = {0};
    char *ba = NULL, *bb = NULL;
    if (ds_source_size(a) > DS_CLASSIFY_TEXT_MAX || ds_source_size(b) > DS_CLASSIFY_TEXT_MAX ||
        !load_lines(a, &la, &ba) || !load_lines(b, &lb, &bb))
        goto out;
    out->format = "text";
    /* /etc/shadow: field 3 (last change, days) alone. */
    if ((strcmp(path, "/etc/shadow") == 0 || strcmp(path, "/etc/shadow-") == 0) && la.count == lb.count) {
        bool only_field3 = true;
        for (size_t i = 0; i < la.count && only_field3; i++) {
            if (strcmp(la.items[i], lb.items[i]) == 0)
                continue;
            const char *x = la.items[i], *y = lb.items[i];
            for (int field = 0; field < 9 && only_field3; field++) {
                size_t nx = strcspn(x, ":"), ny = strcspn(y, ":");
                if (field != 2 && (nx != ny || strncmp(x, y, nx) != 0))
                    only_field3 = false;
                x += nx + (x[nx] == ':'), y += ny + (y[ny] == ':');
            }
        }
        if (only_field3) {
            verdict(out, "text", "shadow-lastchange", "certain", "only field 3 (days since the last password change) differs");
            goto out;
        }
    }
    /* Same lines, another order. */
    if (la.count == lb.count && la.count > 1) {
        char **sa = malloc(la.count * sizeof *sa), **sb = malloc(lb.count * sizeof *sb);
        bool same = sa && sb;
        if (same) {
            memcpy(sa, la.items, la.count * sizeof *sa);
            memcpy(sb, lb.items, lb.count * sizeof *sb);
            qsort(sa, la.count, sizeof *sa, line_order);
            qsort(sb, lb.count, sizeof *sb, line_order);
            for (size_t i = 0; i < la.count && same; i++)
                same = strcmp(sa[i], sb[i]) == 0;
        }
        free(sa);
        free(sb);
        if (same) {
            verdict(out, "text", "sort-order", "certain", "the same %zu lines in another order", la.count);
            goto out;
        }
    }
    /* Every changed line differs only in date/time-shaped tokens. */
    if (la.count == lb.count) {
        size_t changed = 0;
        bool dates = true;
        char na[1024], nb[1024];
        for (size_t i = 0; i < la.count && dates; i++) {
            if (strcmp(la.items[i], lb.items[i]) == 0)
                continue;
            changed++;
            normalise(la.items[i], na, sizeof na);
            normalise(lb.items[i], nb, sizeof nb);
            dates = strcmp(na, nb) == 0 && (has_time_token(la.items[i]) || has_time_token(lb.items[i]));
        }
        if (changed > 0 && dates) {
            bool log = strncmp(path, "/var/log/", 9) == 0;
            verdict(out, "text", log ? "log-file" : "embedded-timestamp", "likely",
                    "%zu changed line%s, differing only in date/time tokens", changed, changed == 1 ? "" : "s");
            goto out;
        }
    }
    verdict(out, "text", NULL, NULL, "text: lines differ");
out:
    free(la.items);
    free(lb.items);
    free(ba);
    free(bb);
}

/* --- FAT ------------------------------------------------------------------------------------ */

static void fat_times(const ds_fat_entry_t *e, char *buf, size_t size)
{
    char w[32], c[32], a[32];
    ds_fat_format_time(e->write_date, e->write_time, w, sizeof w);
    ds_fat_format_time(e->create_date, e->create_time, c, sizeof c);
    ds_fat_format_time(e->access_date, 0, a, sizeof a);
    snprintf(buf, size, "written %s, created %s, accessed %.10s", w, c, a);
}

static int64_t fat_seconds(uint16_t date, uint16_t time)
{
    /* Days are enough for a difference: a rough count of seconds since 1980. */
    int64_t days = (int64_t)(date >> 9) * 366 + ((date >> 5) & 15) * 31 + (date & 31);
    return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
}

static void classify_fat(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    ds_fat_t fa, fb;
    ds_error_t err = {0};
    int ra = ds_fat_open(a, &fa, &err);
    int rb = ds_fat_open(b, &fb, &err);
    size_t volume = 0, times = 0, other = 0;
    for (size_t i = 0; i < fa.fields.count; i++) {
        const ds_field_t *x = &fa.fields.items[i], *y = ds_fields_find(&fb.fields, x->key);
        if (y == NULL || !ds_field_bytes_differ(x, y))
            continue;
        bool id = strcmp(x->key, "fat.volume_id") == 0, oem = strcmp(x->key, "fat.oem_name") == 0;
        char detail[96];
        snprintf(detail, sizeof detail, "FAT boot sector %s (bytes %" PRIu64 "-%" PRIu64 ")", x->label, x->offset,
                 x->offset + x->length - 1);
        nested(out, DS_KIND_HEADER, x->location, x->value, y->value, detail,
               id ? "fat-volume-id" : oem ? "iso-tool-version" : NULL, id ? "certain" : "likely", false);
        if (id)
            volume++;
        else
            other++;
    }
    size_t i = 0, k = 0;
    bool same_set = fa.count == fb.count, reordered = false;
    while (i < fa.count || k < fb.count) {
        int order = i == fa.count ? 1 : k == fb.count ? -1 : strcmp(fa.entries[i].path, fb.entries[k].path);
        if (order != 0) {
            same_set = false;
            const ds_fat_entry_t *e = order < 0 ? &fa.entries[i++] : &fb.entries[k++];
            nested(out, order < 0 ? DS_KIND_REMOVED : DS_KIND_ADDED, e->path, NULL, NULL,
                   order < 0 ? "FAT entry present only in A" : "FAT entry present only in B", NULL, NULL, false);
            other++;
            continue;
        }
        const ds_fat_entry_t *x = &fa.entries[i++], *y = &fb.entries[k++];
        reordered |= x->order != y->order;
        if (x->write_date != y->write_date || x->write_time != y->write_time || x->create_date != y->create_date ||
            x->create_time != y->create_time || x->create_tenths != y->create_tenths || x->access_date != y->access_date) {
            char va[128], vb[128], detail[160];
            fat_times(x, va, sizeof va);
            fat_times(y, vb, sizeof vb);
            int64_t delta = fat_seconds(y->write_date, y->write_time) - fat_seconds(x->write_date, x->write_time);
            if (delta != 0 && delta % 3600 == 0 && delta > -86400 && delta < 86400)
                snprintf(detail, sizeof detail, "FAT entry times differ by a whole number of hours (%+lld h): often a time zone; run mtools with TZ=UTC",
                         (long long)(delta / 3600));
            else
                snprintf(detail, sizeof detail, "FAT directory entry times differ");
            nested(out, DS_KIND_MTIME, x->path, va, vb, detail, "fat-timestamps", "certain", false);
            times++;
        }
        if (!x->directory && (x->size != y->size || memcmp(x->sha256, y->sha256, 32) != 0)) {
            char va[40], vb[40];
            snprintf(va, sizeof va, "%" PRIu32 " bytes", x->size);
            snprintf(vb, sizeof vb, "%" PRIu32 " bytes", y->size);
            nested(out, DS_KIND_CONTENT, x->path, va, vb, "file data differ (SHA-256)", NULL, NULL, false);
            other++;
        }
    }
    if (same_set && reordered) {
        nested(out, DS_KIND_ORDER, "@fat.order", NULL, NULL, "the same entries in another order", "fat-order",
               "certain", false);
        other++;
    }
    if (ra != DS_OK || rb != DS_OK)
        verdict(out, "fat", NULL, NULL, "FAT%d: not fully read: %s", fa.type, err.message);
    else if (other == 0 && volume > 0 && times == 0)
        verdict(out, "fat", "fat-volume-id", "certain", "FAT%d: only the volume serial differs", fa.type);
    else if (other == 0 && volume == 0 && times > 0)
        verdict(out, "fat", "fat-timestamps", "certain", "FAT%d: only directory entry times differ (%zu entries)",
                fa.type, times);
    else
        verdict(out, "fat", NULL, NULL, "FAT%d: %zu entries with other times, %s, %zu other differences", fa.type,
                times, volume ? "another volume serial" : "the same volume serial", other);
    ds_fat_free(&fa);
    ds_fat_free(&fb);
}

/* --- dispatch ------------------------------------------------------------------------------ */

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

int ds_classify_pair(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                     unsigned flags, const ds_deadline_t *deadline, ds_classified_t *out)
{
    memset(out, 0, sizeof *out);
    if (depth_left == 0) {
        /* Say so when there was something to open: a limit, not a silent stop. */
        const char *kind = NULL;
        if (ds_gzip_probe(a) || ds_fat_probe(a) || ds_elf_probe(a) || stream_probe(a, &kind))
            snprintf(out->limit, sizeof out->limit,
                     "--max-depth reached: some differing files were not looked into");
        return DS_OK;
    }
    const char *stream = NULL, *stream_b = NULL;
    if (ds_fat_probe(a) && ds_fat_probe(b)) {
        classify_fat(a, b, out);
    } else if (ds_archive_probe(a) && ds_archive_probe(b)) {
        classify_archive(a, b, deadline, out);
        /* A compressed archive whose members are all equal: look at the compression header. */
        if (out->cause != NULL && strcmp(out->cause, "compression-only") == 0 && ds_gzip_probe(a) && ds_gzip_probe(b)) {
            ds_findings_free(&out->nested);
            classify_gzip(a, b, deadline, out);
        }
    } else if (ds_gzip_probe(a) && ds_gzip_probe(b)) {
        classify_gzip_deep(a, b, path, depth_left, deadline, out);
    } else if (stream_probe(a, &stream) && stream_probe(b, &stream_b) && strcmp(stream, stream_b) == 0) {
        classify_inside_stream(a, b, path, depth_left - 1, deadline, stream, out);
    } else if (ds_elf_probe(a) && ds_elf_probe(b)) {
        classify_elf(a, b, out);
    } else if (ends_with(path, ".pyc") && ds_source_size(a) >= 16 && ds_source_size(b) >= 16) {
        classify_pyc(a, b, out);
    } else if (!(flags & DS_CLASSIFY_NOT_TEXT)) {
        classify_text(a, b, path, out);
    }
    return DS_OK;
}

void ds_classified_free(ds_classified_t *c)
{
    ds_findings_free(&c->nested);
    memset(c, 0, sizeof *c);
}
