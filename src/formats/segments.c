/* Concatenated archives: an initrd as initramfs-tools and dracut write it, an uncompressed
 * early cpio (CPU microcode) followed by one or more compressed cpio archives, which the kernel
 * unpacks one after the other (Documentation/driver-api/early-userspace/buffer-format.rst).
 * Each segment is an entry named "/#N" (1-based), paired with its namesake by position; its
 * content is its slice of the source (still compressed), opened by the walk like any file.
 *
 * A segment's end: for a newc cpio, the end of its TRAILER!!! record (110-byte headers, name
 * and data padded to 4 bytes); for gzip and xz, where the decoder stops; for zstd and lz4
 * frames, by walking the block headers (RFC 8878 section 3.1; the LZ4 frame format 1.6.x);
 * zero padding between segments is skipped. Another compression runs to the end. */
#include <lzma.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"

#define SEGMENTS_MAX 64u
#define SEGMENT_NEWC_MEMBERS_MAX 1000000u

typedef struct segment {
    uint64_t offset, length;
} segment_t;

typedef struct segments_state {
    ds_source_t *src;
    segment_t items[SEGMENTS_MAX];
    size_t count;
} segments_state_t;

static uint64_t hex8(const unsigned char *p, bool *ok)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        int c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        *ok = *ok && d >= 0;
        v = v * 16 + (uint64_t)(d < 0 ? 0 : d);
    }
    return v;
}

static bool is_newc(ds_source_t *src, uint64_t at)
{
    return ds_source_has_magic(src, at, "070701", 6) || ds_source_has_magic(src, at, "070702", 6);
}

/* End of the newc archive at `at` (after its trailer), or 0. */
static uint64_t newc_end(ds_source_t *src, uint64_t at)
{
    for (unsigned members = 0; members < SEGMENT_NEWC_MEMBERS_MAX; members++) {
        unsigned char h[110 + 11];
        if (ds_source_read(src, at, h, 110, "cpio header", NULL) != DS_OK || !is_newc(src, at))
            return 0;
        bool ok = true;
        uint64_t file_size = hex8(h + 54, &ok), name_size = hex8(h + 94, &ok);
        if (!ok || name_size == 0 || name_size > 4096 || file_size > ds_source_size(src))
            return 0;
        bool trailer = name_size == 11 && ds_source_read(src, at + 110, h + 110, 11, "cpio name", NULL) == DS_OK &&
                       memcmp(h + 110, "TRAILER!!!", 11) == 0;
        at = (at + 110 + name_size + 3) & ~(uint64_t)3;
        at = (at + file_size + 3) & ~(uint64_t)3;
        if (at > ds_source_size(src))
            return 0;
        if (trailer)
            return at;
    }
    return 0;
}

/* Runs a decoder over src from `at` until it reports the end of its stream; returns the bytes
 * it consumed, or 0 when the stream does not end. kind: 'g' gzip, 'x' xz. */
static uint64_t decoder_end(ds_source_t *src, uint64_t at, int kind)
{
    unsigned char *in = malloc(DS_FORMAT_READ_BUFFER), *out = malloc(DS_FORMAT_READ_BUFFER);
    z_stream z = {0};
    lzma_stream x = LZMA_STREAM_INIT;
    bool ready = in && out && (kind == 'g' ? inflateInit2(&z, 15 + 16) == Z_OK
                                           : lzma_stream_decoder(&x, UINT64_MAX, 0) == LZMA_OK);
    uint64_t pos = at, consumed = 0;
    size_t got = 0;
    bool ended = false;
    while (ready && !ended && ds_source_read_some(src, pos, in, DS_FORMAT_READ_BUFFER, &got, NULL) == DS_OK &&
           got > 0) {
        pos += got;
        size_t left = got;
        const unsigned char *p = in;
        while (left > 0 && !ended) {
            size_t before = left;
            int status;
            if (kind == 'g') {
                z.next_in = (unsigned char *)p, z.avail_in = (uInt)left, z.next_out = out, z.avail_out = DS_FORMAT_READ_BUFFER;
                status = inflate(&z, Z_NO_FLUSH);
                left = z.avail_in;
                ended = status == Z_STREAM_END;
                if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
                    goto out;
            } else {
                x.next_in = p, x.avail_in = left, x.next_out = out, x.avail_out = DS_FORMAT_READ_BUFFER;
                status = lzma_code(&x, LZMA_RUN);
                left = x.avail_in;
                ended = status == LZMA_STREAM_END;
                if (status != LZMA_OK && status != LZMA_STREAM_END)
                    goto out;
            }
            consumed += before - left;
            p += before - left;
        }
    }
out:
    if (kind == 'g' && ready)
        inflateEnd(&z);
    lzma_end(&x);
    free(in);
    free(out);
    return ended ? consumed : 0;
}

static uint32_t le32_at(ds_source_t *src, uint64_t at, bool *ok)
{
    unsigned char b[4];
    *ok = *ok && ds_source_read(src, at, b, 4, "frame", NULL) == DS_OK;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* A zstd frame's length from its header and block headers (RFC 8878 3.1.1), or 0. */
static uint64_t zstd_end(ds_source_t *src, uint64_t at)
{
    unsigned char d;
    if (ds_source_read(src, at + 4, &d, 1, "zstd", NULL) != DS_OK)
        return 0;
    static const unsigned dict_size[4] = {0, 1, 2, 4};
    unsigned fcs_flag = d >> 6, single = (d >> 5) & 1, checksum = (d >> 2) & 1;
    unsigned fcs = fcs_flag == 0 ? single : 1u << fcs_flag;
    uint64_t pos = at + 5 + (single ? 0 : 1) + dict_size[d & 3] + fcs;
    for (unsigned blocks = 0; blocks < (1u << 24); blocks++) {
        unsigned char h[3];
        if (ds_source_read(src, pos, h, 3, "zstd block", NULL) != DS_OK)
            return 0;
        uint32_t header = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16;
        unsigned type = (header >> 1) & 3;
        uint64_t size = header >> 3;
        if (type == 3)
            return 0;
        pos += 3 + (type == 1 ? 1 : size);
        if (header & 1)
            return pos + (checksum ? 4 : 0) - at;
    }
    return 0;
}

/* An LZ4 frame's length (magic, FLG, BD, optional size and dictionary id, header checksum,
 * blocks of a 4-byte size until a zero end mark, optional block and content checksums), or 0. */
static uint64_t lz4_end(ds_source_t *src, uint64_t at)
{
    unsigned char flg;
    if (ds_source_read(src, at + 4, &flg, 1, "lz4", NULL) != DS_OK)
        return 0;
    bool block_checksum = flg & 0x10, content_checksum = flg & 0x04, ok = true;
    uint64_t pos = at + 4 + 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1;
    for (unsigned blocks = 0; ok && blocks < (1u << 24); blocks++) {
        uint32_t size = le32_at(src, pos, &ok);
        pos += 4;
        if (size == 0)
            return ok ? pos + (content_checksum ? 4 : 0) - at : 0;
        pos += (size & 0x7fffffffu) + (block_checksum ? 4 : 0);
    }
    return 0;
}

/* The length of the segment at `at`; the rest of the source when its end cannot be told. */
static uint64_t segment_length(ds_source_t *src, uint64_t at)
{
    uint64_t rest = ds_source_size(src) - at, n = 0;
    if (is_newc(src, at))
        n = newc_end(src, at) ? newc_end(src, at) - at : 0;
    else if (ds_source_has_magic(src, at, "\x1f\x8b", 2))
        n = decoder_end(src, at, 'g');
    else if (ds_source_has_magic(src, at, "\xfd" "7zXZ\0", 6))
        n = decoder_end(src, at, 'x');
    else if (ds_source_has_magic(src, at, "\x28\xb5\x2f\xfd", 4))
        n = zstd_end(src, at);
    else if (ds_source_has_magic(src, at, "\x04\x22\x4d\x18", 4))
        n = lz4_end(src, at);
    return n == 0 || n > rest ? rest : n;
}

/* Past the zero padding after a segment. */
static uint64_t skip_zeros(ds_source_t *src, uint64_t at)
{
    unsigned char buf[4096];
    size_t got = 0;
    while (at < ds_source_size(src) && ds_source_read_some(src, at, buf, sizeof buf, &got, NULL) == DS_OK && got > 0) {
        size_t k = 0;
        while (k < got && buf[k] == 0)
            k++;
        at += k;
        if (k < got)
            break;
    }
    return at;
}

static size_t split(ds_source_t *src, segment_t *items, size_t max)
{
    size_t count = 0;
    for (uint64_t at = 0; at < ds_source_size(src) && count < max;) {
        uint64_t n = segment_length(src, at);
        items[count++] = (segment_t){at, n};
        at = skip_zeros(src, at + n);
    }
    return count;
}

static int segments_bid(ds_source_t *src)
{
    if (!is_newc(src, 0))
        return 0;
    uint64_t end = newc_end(src, 0);
    return end > 0 && skip_zeros(src, end) < ds_source_size(src) ? 85 : 0;
}

static int segments_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    (void)how;
    segments_state_t *s = calloc(1, sizeof *s);
    *state = s;
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->count = split(src, s->items, SEGMENTS_MAX);
    return DS_OK;
}

static void segments_close(void *state) { free(state); }

static int segments_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    segments_state_t *s = state;
    for (size_t i = 0; i < s->count; i++) {
        ds_entry_t *e = ds_tree_append(tree);
        char name[32];
        snprintf(name, sizeof name, "/#%zu", i + 1);
        if (e == NULL || (e->path = strdup(name)) == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        e->type = DS_ENTRY_FILE;
        e->size = s->items[i].length;
        e->index = (uint32_t)i;
        e->record_offset = s->items[i].offset;
        ds_source_t *slice = NULL;
        unsigned char *buf = malloc(DS_FORMAT_READ_BUFFER);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        bool ok = buf && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        for (uint64_t pos = 0; ok && pos < e->size; pos += DS_FORMAT_READ_BUFFER) {
            size_t n = e->size - pos < DS_FORMAT_READ_BUFFER ? (size_t)(e->size - pos) : DS_FORMAT_READ_BUFFER;
            ok = ds_source_read(s->src, s->items[i].offset + pos, buf, n, "segment", err) == DS_OK &&
                 EVP_DigestUpdate(md, buf, n);
        }
        unsigned int len = 0;
        unsigned char digest[32];
        if (ok && EVP_DigestFinal_ex(md, digest, &len) && !ds_entry_set_digest(e, digest))
            ok = false;
        EVP_MD_CTX_free(md);
        free(buf);
        ds_source_close(slice);
    }
    return DS_OK;
}

static int segments_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    segments_state_t *s = state;
    if (entry->index >= s->count)
        return ds_error_set(err, DS_ERR_USAGE, "segment %zu does not exist", (size_t)entry->index + 1);
    return ds_source_open_slice(out, s->src, s->items[entry->index].offset, s->items[entry->index].length,
                                entry->path, err);
}

const ds_format_t ds_format_segments = {
    .name = "segments", .kind = DS_FORMAT_CONTAINER, .flags = DS_FORMAT_BY_INDEX,
    .summary = "concatenated archives (an initrd: early cpio, then compressed cpios): segments paired by position",
    .bid = segments_bid, .open = segments_open, .close = segments_close,
    .entries = segments_entries, .open_entry = segments_open_entry,
};
