/* gzip (RFC 1952): the member header decoded field by field (ID1 ID2 CM FLG, MTIME at 4-7,
 * XFL 8, OS 9, then FEXTRA, FNAME, FCOMMENT, FHCRC as FLG says). The payload is decoded by
 * the gzip format (formats/gzip.c). */
#ifndef DS_GZIP_STREAM_H
#define DS_GZIP_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/source.h"
#include "fields.h"

#define DS_GZIP_NAME_MAX 1024 /* bytes of FNAME/FCOMMENT kept */

/* True when src starts with a gzip member header (1f 8b 08). */
bool ds_gzip_probe(ds_source_t *src);

/* Decodes the first member's header into fields "gzip.*" (locations "@gzip.mtime",
 * "@gzip.name", "@gzip.os", "@gzip.flags", "@gzip.xfl", "@gzip.comment"). Sets *header_len. */
int ds_gzip_header_fields(ds_source_t *src, ds_fields_t *fields, uint64_t *header_len,
                          ds_error_t *err);


#endif
