/* ISO 9660 as a container format, over the directory-record reader (readers/iso9660.c: Rock
 * Ridge names and metadata, Joliet ignored): the volume descriptors field by field (as the
 * header stage decodes the inputs' own: decode/volume_descriptor.c), the tree as entries, a
 * file's extents as its content. Used where an ISO lies inside something else; the header and
 * toc stages read the inputs' own.
 *
 * Where the tree lies (volume space size, path tables, the root record) follows from the files:
 * those fields are derived, secondary when the files differ. */
#include <stdlib.h>
#include <string.h>

#include "../decode/volume_descriptor.h"
#include "internal.h"

static int iso_bid(ds_source_t *src) { return ds_iso9660_reader.probe(src); }

static bool layout_field(const char *key)
{
    static const char *const layout[] = {"volume_space_size", "path_table", "root_directory"};
    for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++)
        if (strstr(key, layout[i]) != NULL)
            return true;
    return false;
}

static int iso_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    ds_volume_info_t info;
    size_t first = fields->count;
    int rc = ds_volume_descriptors_read(s->src, fields, &info, err);
    for (size_t i = first; i < fields->count; i++)
        fields->items[i].derived = layout_field(fields->items[i].key);
    return rc;
}

static int iso_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    int rc = ds_tree_load(tree, &ds_iso9660_reader, s->src, s->how.deadline, err);
    for (size_t i = 0; i < tree->count; i++)
        tree->entries[i].index = i;
    return rc;
}

typedef struct extents {
    ds_source_t *src;
    ds_extent_t *items;
    size_t count;
} extents_t;

/* A file recorded in several extents (ISO 9660 multi-extent): read them one after the other. */
static int extents_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    extents_t *x = ctx;
    *got = 0;
    for (size_t i = 0; i < x->count && *got < len; i++) {
        if (offset >= x->items[i].length) {
            offset -= x->items[i].length;
            continue;
        }
        size_t n = x->items[i].length - offset < len - *got ? (size_t)(x->items[i].length - offset) : len - *got;
        int rc = ds_source_read(x->src, x->items[i].offset + offset, (unsigned char *)buf + *got, n, "iso9660 extent", err);
        if (rc != DS_OK)
            return rc;
        *got += n;
        offset = 0;
    }
    return DS_OK;
}

static void extents_release(void *ctx)
{
    extents_t *x = ctx;
    free(x->items);
    free(x);
}

static int iso_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    ds_plain_state_t *s = state;
    *out = NULL;
    if (entry->extent_count == 1)
        return ds_source_open_slice(out, s->src, entry->extents[0].offset, entry->extents[0].length, entry->path, err);
    extents_t *x = calloc(1, sizeof *x);
    if (x == NULL || (entry->extent_count > 0 && (x->items = calloc(entry->extent_count, sizeof *x->items)) == NULL)) {
        free(x);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    x->src = s->src;
    x->count = entry->extent_count;
    uint64_t size = 0;
    for (size_t i = 0; i < x->count; i++) {
        x->items[i] = entry->extents[i];
        size += entry->extents[i].length;
    }
    return ds_source_open_owned(out, extents_read, extents_release, x, size, entry->path, err);
}

const ds_format_t ds_format_iso9660 = {
    .name = "iso9660", .kind = DS_FORMAT_CONTAINER,
    .summary = "ISO 9660 image (Rock Ridge): volume descriptor fields, tree with metadata, file extents as content",
    .bid = iso_bid, .open = ds_plain_state_open, .close = ds_plain_state_close, .fields = iso_fields,
    .entries = iso_entries, .open_entry = iso_open_entry,
};
