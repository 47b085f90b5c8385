/* gzip (RFC 1952): the member header decoded field by field (ID1 ID2 CM FLG, MTIME at 4-7,
 * XFL 8, OS 9, then FEXTRA, FNAME, FCOMMENT, FHCRC as FLG says), and the decompressed bytes
 * read as a stream, member after member, through zlib, in bounded windows. */
#ifndef DS_GZIP_STREAM_H
#define DS_GZIP_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

#include "../util/source.h"
#include "fields.h"

#define DS_GZIP_NAME_MAX 1024 /* bytes of FNAME/FCOMMENT kept */

/* True when src starts with a gzip member header (1f 8b 08). */
bool ds_gzip_probe(ds_source_t *src);

/* Decodes the first member's header into fields "gzip.*" (locations "@gzip.mtime",
 * "@gzip.name", "@gzip.os", "@gzip.flags", "@gzip.xfl", "@gzip.comment"). Sets *header_len. */
int ds_gzip_header_fields(ds_source_t *src, ds_fields_t *fields, uint64_t *header_len,
                          ds_error_t *err);

typedef struct ds_gzip_reader {
    ds_source_t *src;
    z_stream z;
    bool initialised, finished;
    uint64_t in_pos;
    uint64_t out_total;
    unsigned char in[65536];
} ds_gzip_reader_t;

int ds_gzip_reader_open(ds_gzip_reader_t *r, ds_source_t *src, ds_error_t *err);
/* Fills up to len decompressed bytes; *got is 0 at the end of the last member. */
int ds_gzip_reader_read(ds_gzip_reader_t *r, unsigned char *out, size_t len, size_t *got,
                        ds_error_t *err);
void ds_gzip_reader_close(ds_gzip_reader_t *r);

#endif
