/* xz as a stream format: the stream header's check type and the first block's filter chain as
 * fields, the decompressed stream as the payload. Layout from "The .xz File Format" 1.2.0
 * (tukaani.org/xz/xz-file-format.txt): 2.1.1 stream header (magic, 2 bytes of stream flags, the
 * low nibble of the second the check type, CRC32), 3.1 block header (size byte: (n + 1) * 4 bytes,
 * block flags: bits 0-1 the filter count - 1, bit 6 compressed size present, bit 7 uncompressed
 * size present; the sizes and each filter's id, property size and properties as multibyte
 * integers), 5.3 filter ids, 5.3.1 the LZMA2 dictionary size byte. Both fields are derived: what
 * xz's preset (-0..-9, -e), its filters (--x86, ...) and -C write, so they follow the compressed
 * bytes (explain/consequences.c names the member's difference as their root). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define XZ_STREAM_HEADER 12
#define XZ_BLOCK_HEADER_MAX 1024
#define XZ_FILTERS_MAX 4

static int xz_bid(ds_source_t *s) { return ds_source_has_magic(s, 0, "\xfd" "7zXZ\0", 6) ? 90 : 0; }

/* A multibyte integer (1.2: 7 bits a byte, low first, at most 9 bytes) at *at, below end. */
static bool read_varint(const unsigned char *p, size_t end, size_t *at, uint64_t *out)
{
    *out = 0;
    for (unsigned i = 0; i < 9 && *at < end; i++) {
        unsigned char b = p[(*at)++];
        *out |= (uint64_t)(b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0)
            return i == 0 || b != 0;
    }
    return false;
}

static const char *filter_name(uint64_t id)
{
    static const struct {
        uint64_t id;
        const char *name;
    } names[] = {{0x21, "lzma2"}, {0x03, "delta"}, {0x04, "x86"},   {0x05, "powerpc"}, {0x06, "ia64"},
                 {0x07, "arm"},   {0x08, "armthumb"}, {0x09, "sparc"}, {0x0A, "arm64"}, {0x0B, "riscv"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].id == id)
            return names[i].name;
    return NULL;
}

/* Appends to text (size bytes, *used of them taken), cut when full. */
static void append(char *text, size_t size, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *text, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < size ? *used + (size_t)n : size - 1;
}

/* The filter chain of the block header h (size bytes) as text; false when it is malformed. */
static bool describe_filters(const unsigned char *h, size_t size, char *text, size_t text_size, size_t *end)
{
    size_t at = 2, used = 0;
    uint64_t skip;
    if ((h[1] & 0x3C) != 0 || ((h[1] & 0x40) && !read_varint(h, size - 4, &at, &skip)) ||
        ((h[1] & 0x80) && !read_varint(h, size - 4, &at, &skip)))
        return false;
    text[0] = '\0';
    for (unsigned k = 0; k <= (h[1] & 0x03u); k++) {
        uint64_t id, props;
        if (!read_varint(h, size - 4, &at, &id) || !read_varint(h, size - 4, &at, &props) || props > size - 4 - at)
            return false;
        const char *name = filter_name(id);
        append(text, text_size, &used, "%s", k ? ", " : "");
        if (name != NULL && id == 0x21 && props == 1 && h[at] <= 40) {
            unsigned b = h[at];
            uint64_t dict = b == 40 ? 0xFFFFFFFFu : (uint64_t)(2 | (b & 1)) << (b / 2 + 11);
            append(text, text_size, &used, "lzma2 (dictionary %llu KiB)", (unsigned long long)(dict >> 10));
        } else if (name != NULL) {
            append(text, text_size, &used, "%s", name);
        } else {
            append(text, text_size, &used, "filter 0x%llx", (unsigned long long)id);
        }
        at += (size_t)props;
    }
    *end = at;
    return true;
}

static int xz_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    (void)err;
    ds_plain_state_t *s = state;
    uint64_t base = ds_source_base(s->src);
    unsigned char head[XZ_STREAM_HEADER + 1];
    if (ds_source_read(s->src, 0, head, sizeof head, "xz stream header", NULL) != DS_OK)
        return DS_OK; /* too short to hold a block: no fields */
    static const char *const checks[16] = {[0] = "none", [1] = "CRC32", [4] = "CRC64", [10] = "SHA-256"};
    unsigned check = head[7] & 0x0F;
    ds_field_t *f = ds_fields_add(fields, "xz.check", "@xz.check", "integrity check", base + 6, head + 6, 2, "%s (%u)",
                                  checks[check] ? checks[check] : "reserved", check);
    if (f != NULL)
        f->derived = true;
    size_t size = ((size_t)head[XZ_STREAM_HEADER] + 1) * 4;
    unsigned char block[XZ_BLOCK_HEADER_MAX];
    char text[200];
    size_t end = 0;
    if (head[XZ_STREAM_HEADER] == 0 || /* the index: an empty stream */
        ds_source_read(s->src, XZ_STREAM_HEADER, block, size, "xz block header", NULL) != DS_OK ||
        !describe_filters(block, size, text, sizeof text, &end))
        return DS_OK;
    /* the filter flags only: the sizes before them are recorded by multi-threaded xz alone */
    size_t first = 2;
    uint64_t skip;
    if (block[1] & 0x40)
        read_varint(block, size - 4, &first, &skip);
    if (block[1] & 0x80)
        read_varint(block, size - 4, &first, &skip);
    f = ds_fields_add(fields, "xz.filters", "@xz.filters", "filter chain of the first block",
                      base + XZ_STREAM_HEADER + first, block + first, (uint32_t)(end - first), "%s", text);
    if (f != NULL)
        f->derived = true;
    return DS_OK;
}

static int xz_payload(void *state, ds_source_t **out, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    return ds_stream_decode_libarchive(s->src, s->how.layer ? s->how.layer : "xz", ARCHIVE_FILTER_XZ, out,
                                       s->how.deadline, err);
}

const ds_format_t ds_format_xz = {
    .name = "xz",
    .kind = DS_FORMAT_STREAM,
    .summary = "xz stream: check type and the first block's filter chain (derived), decompressed payload",
    .bid = xz_bid,
    .open = ds_plain_state_open,
    .close = ds_plain_state_close,
    .fields = xz_fields,
    .payload = xz_payload,
};
