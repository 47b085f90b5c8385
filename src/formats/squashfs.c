/* squashfs as a container format, over the in-place reader (readers/squashfs.c, libsquashfs
 * behind a custom sqfs_file_t): the superblock as fields, the directory tree as entries, a
 * file's stored (compressed) blocks as its fingerprint, and its content decompressed on demand
 * through a content reader of its own. Used where a squashfs lies inside something else (a
 * squashfs in a tar, in a directory tree); the squashfs stage reads the ISO's own ones. */
#include <stdlib.h>
#include <string.h>

#include "../readers/squashfs.h"
#include "internal.h"

typedef struct squashfs_state {
    ds_squashfs_t *sq;
    ds_source_t *src;
    ds_format_open_t how;
} squashfs_state_t;

static int squashfs_bid(ds_source_t *src) { return ds_squashfs_probe(src) ? 95 : 0; }

static void squashfs_close(void *state)
{
    squashfs_state_t *s = state;
    if (s == NULL)
        return;
    ds_squashfs_close(s->sq);
    free(s);
}

static int squashfs_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    squashfs_state_t *s = calloc(1, sizeof *s);
    *state = NULL;
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->how = *how;
    s->src = src;
    int rc = ds_squashfs_open(&s->sq, src, how->layer ? how->layer : "squashfs", err);
    if (rc != DS_OK) {
        free(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

static int squashfs_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    (void)err;
    squashfs_state_t *s = state;
    size_t first = fields->count;
    ds_squashfs_super_fields(s->sq, fields);
    /* The decoder gives offsets in the outermost input (for the squashfs stage's messages); a
     * format's fields are relative to its own source. */
    uint64_t base = ds_source_base(s->src);
    for (size_t i = first; i < fields->count; i++)
        fields->items[i].offset -= base;
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "squashfs: out of memory") : DS_OK;
}

static int squashfs_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    squashfs_state_t *s = state;
    int rc = ds_squashfs_load_tree(s->sq, tree, s->how.deadline, err);
    for (size_t i = 0; i < tree->count; i++)
        tree->entries[i].index = i;
    return rc;
}

static int squashfs_same(void *state_a, const ds_entry_t *a, void *state_b, const ds_entry_t *b, bool *known,
                         bool *same, ds_error_t *err)
{
    squashfs_state_t *sa = state_a, *sb = state_b;
    *known = false;
    int rc = ds_squashfs_stored_equal(sa->sq, a, sb->sq, b, same, err);
    /* Equal stored bytes prove equal contents; unequal ones prove nothing (another compressor). */
    *known = rc == DS_OK && *same;
    return rc;
}

typedef struct content {
    ds_squashfs_data_t *data;
    const ds_entry_t *entry;
} content_t;

static int content_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    content_t *c = ctx;
    return ds_squashfs_data_read(c->data, c->entry, offset, buf, len, got, err);
}

static void content_release(void *ctx)
{
    content_t *c = ctx;
    ds_squashfs_data_close(c->data);
    free(c);
}

static int squashfs_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    squashfs_state_t *s = state;
    *out = NULL;
    content_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    c->entry = entry;
    int rc = ds_squashfs_data_open(s->sq, &c->data, err);
    if (rc != DS_OK) {
        free(c);
        return rc;
    }
    return ds_source_open_owned(out, content_read, content_release, c, entry->size, entry->path, err);
}

const ds_format_t ds_format_squashfs = {
    .name = "squashfs", .kind = DS_FORMAT_CONTAINER,
    .summary = "squashfs image, read in place: superblock fields, tree with metadata, stored blocks as fingerprint",
    .bid = squashfs_bid, .open = squashfs_open, .close = squashfs_close, .fields = squashfs_fields,
    .entries = squashfs_entries, .open_entry = squashfs_open_entry, .same_content = squashfs_same,
};
