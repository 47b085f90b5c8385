/* zlib streams (RFC 1950, "ZLIB Compressed Data Format Specification version 3.3": a two-byte
 * header CMF/FLG, a deflate stream, an Adler-32 of the uncompressed data) as a stream format:
 * the header as fields, the inflated data as the payload. Python's zlib.compress, git objects,
 * PNG IDAT data and many caches write them bare, with no magic but the header check.
 *
 * The header is a weak signature (one in 31 two-byte prefixes whose first byte names deflate
 * passes the check), so the bid also inflates the first bytes of the stream: a file is claimed
 * only when those decode. FLEVEL and the Adler-32 are derived (they follow from the compression
 * level and from the data); CINFO (the window size) is the compressor's choice. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/limits.h"
#include "../util/spill.h"
#include "internal.h"

#define DS_ZLIB_BID_INPUT 4096u  /* compressed bytes the bid inflates to confirm the header */
#define DS_ZLIB_CHUNK 65536u     /* bytes read and inflated at a time */

/* CM 8 (deflate), CINFO at most 7 (a 32 KiB window), the check bits, no preset dictionary
 * (FDICT: a stream needing one cannot be decoded without it). */
static bool zlib_header_ok(const unsigned char h[2])
{
    return (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 && ((unsigned)h[0] << 8 | h[1]) % 31 == 0 && (h[1] & 0x20) == 0;
}

static int zlib_bid(ds_source_t *src)
{
    unsigned char in[DS_ZLIB_BID_INPUT], out[DS_ZLIB_BID_INPUT];
    uint64_t size = ds_source_size(src);
    size_t n = size < sizeof in ? (size_t)size : sizeof in;
    if (n < 8 || ds_source_read(src, 0, in, n, "zlib", NULL) != DS_OK || !zlib_header_ok(in))
        return 0;
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return 0;
    z.next_in = in;
    z.avail_in = (uInt)n;
    int zrc = Z_OK;
    while (zrc == Z_OK && z.avail_in > 0) {
        z.next_out = out;
        z.avail_out = sizeof out;
        zrc = inflate(&z, Z_NO_FLUSH);
        if (zrc == Z_BUF_ERROR)
            zrc = Z_OK; /* needs more input than the bid reads */
        if (z.avail_out == sizeof out && zrc == Z_OK)
            break;
    }
    bool decodes = (zrc == Z_OK || zrc == Z_STREAM_END) && z.total_out > 0;
    inflateEnd(&z);
    return decodes ? 40 : 0;
}

static int zlib_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    unsigned char h[2], trailer[4];
    uint64_t size = ds_source_size(s->src);
    int rc = ds_source_read(s->src, 0, h, 2, "zlib header", err);
    if (rc != DS_OK)
        return rc;
    ds_fields_add(fields, "zlib.cinfo", "@zlib.cinfo", "window size (CINFO)", 0, h, 1, "%u (%u-byte window)",
                  h[0] >> 4, 1u << ((h[0] >> 4) + 8));
    ds_field_t *level = ds_fields_add(fields, "zlib.flevel", "@zlib.flevel", "compression level (FLEVEL)", 1, h + 1, 1,
                                      "%u", h[1] >> 6);
    if (level != NULL)
        level->derived = true;
    /* The Adler-32 of the uncompressed data, when the stream ends the source (as it usually
     * does); a stream followed by other bytes is reported through the payload. */
    if (size >= 6 && ds_source_read(s->src, size - 4, trailer, 4, "zlib trailer", err) == DS_OK) {
        ds_field_t *adler = ds_fields_add(fields, "zlib.adler32", "@zlib.adler32", "Adler-32 of the data", size - 4,
                                          trailer, 4, "%08x", ds_be32(trailer));
        if (adler != NULL)
            adler->derived = true;
    }
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "zlib: out of memory") : DS_OK;
}

/* Inflates the whole of src (header included: inflate reads it) into spill; stops at the
 * stream's end. */
static int zlib_inflate_into(ds_plain_state_t *s, z_stream *z, ds_spill_t *spill, unsigned char *in,
                             unsigned char *out, ds_error_t *err)
{
    const char *label = ds_source_label(s->src);
    uint64_t size = ds_source_size(s->src), pos = 0;
    uint64_t allowed = ds_limits_inflate_allowed(size);
    int zrc = Z_OK, rc = DS_OK;
    while (rc == DS_OK && zrc != Z_STREAM_END) {
        if (z->avail_in == 0) {
            if (pos >= size)
                return ds_error_set(err, DS_ERR_FORMAT, "%s: zlib: the stream ends early, at byte %llu (truncated)",
                                    label, (unsigned long long)pos);
            size_t n = size - pos < DS_ZLIB_CHUNK ? (size_t)(size - pos) : DS_ZLIB_CHUNK;
            if ((rc = ds_source_read(s->src, pos, in, n, "zlib stream", err)) != DS_OK)
                return rc;
            pos += n;
            z->next_in = in;
            z->avail_in = (uInt)n;
        }
        z->next_out = out;
        z->avail_out = DS_ZLIB_CHUNK;
        zrc = inflate(z, Z_NO_FLUSH);
        if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
            return ds_error_set(err, DS_ERR_FORMAT, "%s: zlib: corrupt deflate data near compressed byte %llu: %s",
                                label, (unsigned long long)z->total_in, z->msg ? z->msg : "inflate failed");
        if (z->total_out > allowed)
            return ds_error_set(err, DS_ERR_LIMIT,
                                "%s: zlib: more than %llu inflated bytes (%u times the compressed size): stopped as a likely bomb",
                                label, (unsigned long long)allowed, DS_MAX_INFLATE_RATIO);
        if (ds_deadline_passed(s->how.deadline))
            return ds_error_set(err, DS_ERR_TIMEOUT, "%s: zlib: time budget exhausted", label);
        rc = ds_spill_write(spill, out, DS_ZLIB_CHUNK - z->avail_out, err);
    }
    return rc;
}

static int zlib_payload(void *state, ds_source_t **out, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    *out = NULL;
    unsigned char *in = malloc(DS_ZLIB_CHUNK), *buf = malloc(DS_ZLIB_CHUNK);
    ds_spill_t *spill = NULL;
    z_stream z = {0};
    int rc = in != NULL && buf != NULL && inflateInit(&z) == Z_OK
                 ? ds_spill_open(&spill, ds_limits()->stream_memory, ds_source_label(s->src), err)
                 : ds_error_set(err, DS_ERR_NOMEM, "zlib: out of memory");
    if (rc == DS_OK)
        rc = zlib_inflate_into(s, &z, spill, in, buf, err);
    if (rc == DS_OK) {
        rc = ds_spill_to_source(spill, out, err);
        spill = NULL;
    }
    inflateEnd(&z);
    ds_spill_free(spill);
    free(in);
    free(buf);
    return rc;
}

const ds_format_t ds_format_zlib = {
    .name = "zlib",
    .kind = DS_FORMAT_STREAM,
    .summary = "zlib stream (RFC 1950): header fields (CINFO, FLEVEL), Adler-32, inflated payload",
    .bid = zlib_bid,
    .open = ds_plain_state_open,
    .close = ds_plain_state_close,
    .fields = zlib_fields,
    .payload = zlib_payload,
};
