#include "content.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int ds_chunk_map_init(ds_chunk_map_t *map, uint64_t size_a, uint64_t size_b)
{
    memset(map, 0, sizeof *map);
    map->common_length = size_a < size_b ? size_a : size_b;
    map->chunk_count = (map->common_length + DS_CHUNK_SIZE - 1) / DS_CHUNK_SIZE;
    map->bits = calloc(map->chunk_count / 8 + 1, 1);
    return map->bits ? DS_OK : DS_ERR_NOMEM;
}

void ds_chunk_map_mark_equal(ds_chunk_map_t *map, uint64_t chunk)
{
    if (chunk < map->chunk_count)
        map->bits[chunk / 8] |= (unsigned char)(1u << (chunk % 8));
}

bool ds_chunk_map_range_equal(const ds_chunk_map_t *map, uint64_t offset, uint64_t length)
{
    if (map == NULL || map->bits == NULL || offset > map->common_length ||
        length > map->common_length - offset)
        return false;
    if (length == 0)
        return true;
    for (uint64_t c = offset / DS_CHUNK_SIZE; c <= (offset + length - 1) / DS_CHUNK_SIZE; c++)
        if (!(map->bits[c / 8] & (1u << (c % 8))))
            return false;
    return true;
}

void ds_chunk_map_free(ds_chunk_map_t *map)
{
    free(map->bits);
    memset(map, 0, sizeof *map);
}

/* Maps content offset pos of an entry to (absolute offset, bytes contiguous from there). */
static bool extent_locate(const ds_entry_t *entry, uint64_t pos, uint64_t *at, uint64_t *run)
{
    for (size_t i = 0; i < entry->extent_count; i++) {
        const ds_extent_t *x = &entry->extents[i];
        if (pos < x->length) {
            *at = x->offset + pos;
            *run = x->length - pos;
            return true;
        }
        pos -= x->length;
    }
    return false;
}

static int read_content(ds_source_t *src, const ds_entry_t *entry, uint64_t pos, unsigned char *buf,
                        size_t len, ds_error_t *err)
{
    size_t done = 0;
    while (done < len) {
        uint64_t at, run;
        if (!extent_locate(entry, pos + done, &at, &run))
            return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: content shorter than its size",
                                ds_source_label(src), entry->path);
        size_t n = len - done;
        if (run < n)
            n = (size_t)run;
        int rc = ds_source_read(src, at, buf + done, n, entry->path, err);
        if (rc != DS_OK)
            return rc;
        done += n;
    }
    return DS_OK;
}

/* Whole file on equal chunks at equal offsets: no read at all. */
static bool extents_known_equal(const ds_entry_t *entry_a, const ds_entry_t *entry_b,
                                const ds_chunk_map_t *map)
{
    if (entry_a->size != entry_b->size || map == NULL ||
        entry_a->extent_count != entry_b->extent_count)
        return false;
    bool all = true;
    for (size_t i = 0; i < entry_a->extent_count && all; i++) {
        const ds_extent_t *x = &entry_a->extents[i], *y = &entry_b->extents[i];
        all = x->offset == y->offset && x->length == y->length &&
              ds_chunk_map_range_equal(map, x->offset, x->length);
    }
    return all;
}

/* The n bytes at content offset pos are equal bytes at the same place in both inputs. */
static bool window_known_equal(const ds_entry_t *entry_a, const ds_entry_t *entry_b,
                               const ds_chunk_map_t *map, uint64_t pos, size_t n)
{
    uint64_t at_a, run_a, at_b, run_b;
    return map != NULL && extent_locate(entry_a, pos, &at_a, &run_a) &&
           extent_locate(entry_b, pos, &at_b, &run_b) && at_a == at_b && run_a >= n &&
           run_b >= n && ds_chunk_map_range_equal(map, at_a, n);
}

/* Records the differing ranges of two windows read at content offset pos (as many as there
 * is room for; all are counted), and the first difference once. */
static void window_differences_record(ds_content_result_t *result, const unsigned char *wa,
                                      const unsigned char *wb, size_t n, uint64_t pos,
                                      bool *found)
{
    ds_byte_range_t ranges[DS_CONTENT_RANGES_KEPT];
    uint64_t differing = 0;
    size_t room = DS_CONTENT_RANGES_KEPT > result->range_count
                      ? DS_CONTENT_RANGES_KEPT - result->range_count
                      : 0;
    size_t count = ds_byte_ranges_find(wa, wb, n, 8, ranges, room, &differing);
    for (size_t i = 0; i < count && i < room; i++) {
        ranges[i].start += pos;
        ranges[i].end += pos;
        result->ranges[result->range_count + i] = ranges[i];
    }
    if (!*found) {
        *found = true;
        result->first_difference = ranges[0].start;
    }
    result->range_count += count;
    result->differing_bytes += differing;
}

int ds_content_compare(ds_source_t *a, const ds_entry_t *entry_a, ds_source_t *b,
                       const ds_entry_t *entry_b, const ds_chunk_map_t *map,
                       const ds_deadline_t *deadline, ds_content_result_t *result,
                       ds_error_t *err)
{
    memset(result, 0, sizeof *result);
    uint64_t common = entry_a->size < entry_b->size ? entry_a->size : entry_b->size;
    bool same_size = entry_a->size == entry_b->size;
    if (extents_known_equal(entry_a, entry_b, map)) {
        result->equal = true;
        result->read_skipped = true;
        return DS_OK;
    }
    unsigned char *wa = malloc(DS_CONTENT_WINDOW), *wb = malloc(DS_CONTENT_WINDOW);
    if (wa == NULL || wb == NULL) {
        free(wa);
        free(wb);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    int rc = DS_OK;
    bool found = false;
    for (uint64_t pos = 0; pos < common;) {
        if (ds_deadline_passed(deadline)) {
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: comparing %s: time budget exhausted",
                              ds_source_label(b), entry_b->path);
            break;
        }
        size_t n = common - pos < DS_CONTENT_WINDOW ? (size_t)(common - pos) : DS_CONTENT_WINDOW;
        if (!window_known_equal(entry_a, entry_b, map, pos, n)) {
            rc = read_content(a, entry_a, pos, wa, n, err);
            if (rc == DS_OK)
                rc = read_content(b, entry_b, pos, wb, n, err);
            if (rc != DS_OK)
                break;
            result->bytes_read += n;
            if (memcmp(wa, wb, n) != 0)
                window_differences_record(result, wa, wb, n, pos, &found);
        }
        pos += n;
    }
    free(wa);
    free(wb);
    if (rc != DS_OK)
        return rc;
    if (!same_size && !found)
        result->first_difference = common;
    result->equal = same_size && !found;
    return DS_OK;
}
