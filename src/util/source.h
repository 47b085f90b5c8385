/* Random-access byte sources. Every layer reads through a ds_source_t: the input file itself,
 * or a slice of another source (an ISO extent holding a squashfs, say), so that nested formats
 * are read in place and never copied out. Every read is bounds-checked against the source's
 * size; a read that would cross the end is an error naming the label and the offset. */
#ifndef DS_SOURCE_H
#define DS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ds_source ds_source_t;

/* Opens the regular file (or block device) at path for reading. label names it in messages,
 * e.g. "B (/tmp/b.iso)". On success *out owns an open descriptor; free it with
 * ds_source_close. On error *out is NULL and err says why. */
int ds_source_open_file(ds_source_t **out, const char *path, const char *label, ds_error_t *err);

/* The same, refusing to follow a symbolic link at path (files inside a directory tree). */
int ds_source_open_file_nofollow(ds_source_t **out, const char *path, const char *label,
                                 ds_error_t *err);

/* A view of [offset, offset + length) of parent, which must outlive the slice. layer names
 * what the slice holds ("squashfs at /live/filesystem.squashfs") for messages. Fails when the
 * range does not lie inside parent. */
int ds_source_open_slice(ds_source_t **out, ds_source_t *parent, uint64_t offset, uint64_t length,
                         const char *layer, ds_error_t *err);

/* A source whose bytes come from a callback (decompressed file content, a buffer in memory).
 * read_at(ctx, offset, buf, len, got, err) fills up to len bytes at offset. ctx must outlive it. */
typedef int (*ds_source_read_fn)(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got,
                                 ds_error_t *err);
int ds_source_open_callback(ds_source_t **out, ds_source_read_fn read_at, void *ctx,
                            uint64_t size, const char *label, ds_error_t *err);

/* The same, but the source owns ctx: release(ctx) runs when it closes, and also when this call
 * fails (so ctx is always consumed). */
int ds_source_open_owned(ds_source_t **out, ds_source_read_fn read_at, void (*release)(void *ctx),
                         void *ctx, uint64_t size, const char *label, ds_error_t *err);

/* A source over len bytes of memory (not copied; they must outlive it). */
int ds_source_open_memory(ds_source_t **out, const void *data, size_t len, const char *label,
                          ds_error_t *err);

/* Reads exactly len bytes at offset into buf. A range past the end is DS_ERR_FORMAT
 * ("truncated"), a failing read DS_ERR_IO; both name the label, layer and absolute offset. */
int ds_source_read(ds_source_t *src, uint64_t offset, void *buf, size_t len, const char *layer,
                   ds_error_t *err);

/* Reads up to len bytes at offset; *got receives how many (0 at or past the end). */
int ds_source_read_some(ds_source_t *src, uint64_t offset, void *buf, size_t len, size_t *got,
                        ds_error_t *err);

uint64_t ds_source_size(const ds_source_t *src);
const char *ds_source_label(const ds_source_t *src);
/* Offset of this source's byte 0 in the outermost file, for messages. */
uint64_t ds_source_base(const ds_source_t *src);

/* Frees the source; a file source closes its descriptor. Accepts NULL. */
void ds_source_close(ds_source_t *src);

#endif
