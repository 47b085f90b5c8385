/* Compressed streams without header fields worth comparing: zstd, lz4, bzip2, lzma (alone),
 * lzip (xz, with its check and filters, is xz.c). Recognised by magic; decoded through
 * libarchive's filters. One format each, sharing this file: they differ only in their magic. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int zstd_bid(ds_source_t *s) { return ds_source_has_magic(s, 0, "\x28\xb5\x2f\xfd", 4) ? 90 : 0; }
static int lz4_bid(ds_source_t *s) { return ds_source_has_magic(s, 0, "\x04\x22\x4d\x18", 4) ? 90 : 0; }
static int lzip_bid(ds_source_t *s) { return ds_source_has_magic(s, 0, "LZIP", 4) ? 90 : 0; }

static int bzip2_bid(ds_source_t *s)
{
    unsigned char h[10];
    if (ds_source_read(s, 0, h, sizeof h, "bzip2", NULL) != DS_OK)
        return 0;
    return memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9' && memcmp(h + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0
               ? 90 : 0;
}

/* .lzma (LZMA_Alone): properties byte < 225, a power-of-two-ish dictionary, and a size that is
 * either unknown (all ones) or plausible. A weak signature: bid low. */
static int lzma_bid(ds_source_t *s)
{
    unsigned char h[13];
    if (ds_source_read(s, 0, h, sizeof h, "lzma", NULL) != DS_OK || h[0] >= 225)
        return 0;
    uint32_t dict = (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 24;
    bool unknown = memcmp(h + 5, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == 0;
    return h[0] == 0x5d && dict >= 4096 && (dict & (dict - 1)) == 0 && (unknown || h[12] == 0) ? 30 : 0;
}

static int stream_payload(void *state, int filter, ds_source_t **out, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    return ds_stream_decode_libarchive(s->src, s->how.layer ? s->how.layer : "stream", filter, out, s->how.deadline,
                                       err);
}

#define STREAM_FORMAT(id, label, filter, text)                                                     \
    static int id##_payload(void *state, ds_source_t **out, ds_error_t *err)                       \
    {                                                                                              \
        return stream_payload(state, filter, out, err);                                            \
    }                                                                                              \
    const ds_format_t ds_format_##id = {                                                           \
        .name = label, .kind = DS_FORMAT_STREAM, .summary = text, .bid = id##_bid,                 \
        .open = ds_plain_state_open, .close = ds_plain_state_close, .payload = id##_payload,       \
    }

STREAM_FORMAT(zstd, "zstd", ARCHIVE_FILTER_ZSTD, "Zstandard frame(s): decompressed payload");
STREAM_FORMAT(lz4, "lz4", ARCHIVE_FILTER_LZ4, "LZ4 frame(s): decompressed payload");
STREAM_FORMAT(bzip2, "bzip2", ARCHIVE_FILTER_BZIP2, "bzip2 stream: decompressed payload");
STREAM_FORMAT(lzma, "lzma", ARCHIVE_FILTER_LZMA, "LZMA alone (.lzma) stream: decompressed payload");
STREAM_FORMAT(lzip, "lzip", ARCHIVE_FILTER_LZIP, "lzip stream: decompressed payload");
