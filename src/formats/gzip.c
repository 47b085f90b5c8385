/* gzip (RFC 1952) as a stream format: the member header as fields (decode/gzip_stream.c), the
 * decompressed members as the payload. XFL is derived: it follows from the compression level. */
#include <stdlib.h>
#include <string.h>

#include "../decode/gzip_stream.h"
#include "internal.h"

static int gzip_bid(ds_source_t *src) { return ds_gzip_probe(src) ? 90 : 0; }

static int gzip_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    uint64_t header_len = 0;
    size_t first = fields->count;
    int rc = ds_gzip_header_fields(s->src, fields, &header_len, err);
    for (size_t i = first; i < fields->count; i++)
        if (strcmp(fields->items[i].key, "gzip.xfl") == 0)
            fields->items[i].derived = true;
    return rc;
}

static int gzip_payload(void *state, ds_source_t **out, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    return ds_stream_decode_libarchive(s->src, "gzip", ARCHIVE_FILTER_GZIP, out, s->how.deadline, err);
}

const ds_format_t ds_format_gzip = {
    .name = "gzip",
    .kind = DS_FORMAT_STREAM,
    .summary = "gzip stream (RFC 1952): header fields (MTIME, FNAME, XFL, OS), decompressed payload",
    .bid = gzip_bid,
    .open = ds_plain_state_open,
    .close = ds_plain_state_close,
    .fields = gzip_fields,
    .payload = gzip_payload,
};
