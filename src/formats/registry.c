/* The one registry of formats: every format driftscope can open, in one table. Adding a format
 * is adding its file and one line here. */
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* One line a format, in the order --list-formats prints them; ties in bids go to the earlier. */
#define DS_FORMATS(X)                                                                              \
    X(gzip)                                                                                        \
    X(xz)                                                                                          \
    X(zstd)                                                                                        \
    X(lz4)                                                                                         \
    X(bzip2)                                                                                       \
    X(lzma)                                                                                        \
    X(lzip)                                                                                        \
    X(zlib)                                                                                        \
    X(cpio)                                                                                        \
    X(tar)                                                                                         \
    X(ar)                                                                                          \
    X(zip)                                                                                         \
    X(segments)                                                                                    \
    X(squashfs)                                                                                    \
    X(iso9660)                                                                                     \
    X(elf)                                                                                         \
    X(pyc)                                                                                         \
    X(pe)                                                                                          \
    X(ext4)                                                                                        \
    X(fat)                                                                                         \
    X(rpm)                                                                                         \
    X(mo)                                                                                          \
    X(disk)                                                                                        \
    X(dtb)

#define DS_FORMAT_DECLARE(name) extern const ds_format_t ds_format_##name;
DS_FORMATS(DS_FORMAT_DECLARE)

#define DS_FORMAT_ENTRY(name) &ds_format_##name,
static const ds_format_t *const registry[] = {DS_FORMATS(DS_FORMAT_ENTRY)};

const ds_format_t *const *ds_formats_all(size_t *count)
{
    *count = sizeof registry / sizeof registry[0];
    return registry;
}

const ds_format_t *ds_format_choose(ds_source_t *src, int *bid)
{
    const ds_format_t *best = NULL;
    int best_bid = 0;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        int b = registry[i]->bid(src);
        if (b > best_bid) {
            best_bid = b;
            best = registry[i];
        }
    }
    if (bid != NULL)
        *bid = best_bid;
    return best;
}

const ds_format_t *ds_format_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const char *ds_format_kind_name(ds_format_kind_t kind)
{
    return kind == DS_FORMAT_CONTAINER ? "container" : kind == DS_FORMAT_STREAM ? "stream" : "document";
}

void ds_formats_print(FILE *out)
{
    fprintf(out, "| format | kind | what is compared |\n|---|---|---|\n");
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        fprintf(out, "| %s | %s | %s |\n", registry[i]->name, ds_format_kind_name(registry[i]->kind),
                registry[i]->summary);
}

bool ds_sections_add(ds_sections_t *sections, const char *location, uint64_t offset, uint64_t size)
{
    if (sections->count == sections->capacity) {
        size_t capacity = sections->capacity ? sections->capacity * 2 : 16;
        ds_section_t *items = realloc(sections->items, capacity * sizeof *items);
        if (items == NULL)
            return false;
        sections->items = items;
        sections->capacity = capacity;
    }
    ds_section_t *s = &sections->items[sections->count++];
    snprintf(s->location, sizeof s->location, "%s", location);
    s->offset = offset;
    s->size = size;
    return true;
}

void ds_sections_free(ds_sections_t *sections)
{
    free(sections->items);
    memset(sections, 0, sizeof *sections);
}
