/* Helpers shared by the format files (never used above formats/). */
#ifndef DS_FORMATS_INTERNAL_H
#define DS_FORMATS_INTERNAL_H

#include <archive.h>

#include "format.h"

#define DS_FORMAT_READ_BUFFER 65536u

/* libarchive reading a ds_source_t: the callbacks and their state (a position and a buffer). */
typedef struct ds_la_feed {
    ds_source_t *src;
    uint64_t pos;
    unsigned char buf[DS_FORMAT_READ_BUFFER];
} ds_la_feed_t;
la_ssize_t ds_la_feed_read(struct archive *a, void *feed, const void **buffer);
la_int64_t ds_la_feed_seek(struct archive *a, void *feed, la_int64_t offset, int whence);
la_int64_t ds_la_feed_skip(struct archive *a, void *feed, la_int64_t request);

/* Decodes the whole compressed stream src with the one libarchive filter `filter`
 * (ARCHIVE_FILTER_XZ, ...: set, not bid on, so that a stream inside the stream is left for the
 * next layer) into a spill and returns it as a source. A payload larger than
 * DS_MAX_INFLATE_RATIO times src is stopped as a likely bomb (DS_ERR_LIMIT). */
int ds_stream_decode_libarchive(ds_source_t *src, const char *layer, int filter, ds_source_t **out,
                                const ds_deadline_t *deadline, ds_error_t *err);

/* The state of a format that needs nothing but its source and how it was opened. */
typedef struct ds_plain_state {
    ds_source_t *src;
    ds_format_open_t how;
} ds_plain_state_t;
int ds_plain_state_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err);
void ds_plain_state_close(void *state);

/* True when the n bytes of src at `at` equal magic. */
bool ds_source_has_magic(ds_source_t *src, uint64_t at, const void *magic, size_t n);

/* libarchive containers (cpio, tar, ar, zip): enable() turns on the one format. */
typedef int (*ds_archive_enable_fn)(struct archive *a);
int ds_archive_format_open(void **state, ds_source_t *src, const ds_format_open_t *how,
                           ds_archive_enable_fn enable, const char *name, ds_error_t *err);
void ds_archive_format_close(void *state);
/* The source the engine was opened on (entries' record_offset is each member header's offset
 * in it, as libarchive reports it). */
ds_source_t *ds_archive_format_source(void *state);
int ds_archive_format_entries(void *state, ds_tree_t *tree, ds_error_t *err);
int ds_archive_format_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out,
                                 ds_error_t *err);
/* A member name as the archive engine gives it to an entry: "/"-rooted, without "./" and
 * trailing slashes. Returns a new string (free it), NULL when out of memory. */
char *ds_archive_entry_path(const char *name);

#endif
