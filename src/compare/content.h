/* Content comparison, cheapest evidence first. The hash stage reads both inputs once anyway;
 * while doing so it records which fixed-size chunks are equal at equal offsets (ds_chunk_map).
 * A file whose extents sit at the same offsets in A and B over equal chunks is equal without
 * another read; everything else is compared in bounded windows. */
#ifndef DS_CONTENT_H
#define DS_CONTENT_H

#include <stdbool.h>
#include <stdint.h>

#include "../readers/reader.h"
#include "byte_ranges.h"

#define DS_CHUNK_SIZE (64u * 1024u)
#define DS_CONTENT_WINDOW (256u * 1024u)
#define DS_CONTENT_RANGES_KEPT 8

/* One bit per chunk of the inputs' common length: set when the chunk's bytes are equal. Memory
 * is size/DS_CHUNK_SIZE/8 bytes: 2 KiB per GiB of image. */
typedef struct ds_chunk_map {
    uint64_t chunk_count;
    uint64_t common_length; /* min(size A, size B): chunks past it are never equal */
    unsigned char *bits;
} ds_chunk_map_t;

int ds_chunk_map_init(ds_chunk_map_t *map, uint64_t size_a, uint64_t size_b);
void ds_chunk_map_mark_equal(ds_chunk_map_t *map, uint64_t chunk);
/* True when every chunk touching [offset, offset + length) is equal. */
bool ds_chunk_map_range_equal(const ds_chunk_map_t *map, uint64_t offset, uint64_t length);
void ds_chunk_map_free(ds_chunk_map_t *map);

typedef struct ds_content_result {
    bool equal;
    bool read_skipped;        /* decided from the chunk map alone */
    uint64_t bytes_read;      /* bytes read from each side */
    uint64_t first_difference; /* content offset, valid when !equal and sizes allow */
    uint64_t differing_bytes; /* over the common length */
    size_t range_count;       /* differing ranges over the common length (all of them) */
    ds_byte_range_t ranges[DS_CONTENT_RANGES_KEPT]; /* the first ones, content offsets */
} ds_content_result_t;

/* Compares the content of two entries (their extents in sources a and b). map may be NULL; it
 * is used only when a and b are the two whole inputs it was built from. Reads at most two
 * DS_CONTENT_WINDOW buffers at a time. */
int ds_content_compare(ds_source_t *a, const ds_entry_t *entry_a, ds_source_t *b,
                       const ds_entry_t *entry_b, const ds_chunk_map_t *map,
                       const ds_deadline_t *deadline, ds_content_result_t *result,
                       ds_error_t *err);

#endif
