/* Every registered format through the format interface (src/formats/format.h): the input is
 * bid on; the winner is opened and every operation run: fields, entries, the content of the
 * first entries read whole, the payload of a stream, the sections of a document; a stream's
 * payload and a container's first entries are chosen and opened once more (two levels), so
 * that a tar in a gzip and a cpio in a segment list are reached. */
#include <stdlib.h>

#include "formats/format.h"
#include "fuzz_common.h"

#define ENTRIES_OPENED 8

static void exercise(ds_source_t *src, int depth)
{
    const ds_format_t *f = ds_format_choose(src, NULL);
    void *state = NULL;
    ds_format_open_t how = {.layer = "fuzz"};
    if (f == NULL || f->open(&state, src, &how, NULL) != DS_OK)
        return;
    ds_fields_t fields = {0};
    if (f->fields != NULL)
        f->fields(state, &fields, NULL);
    ds_fields_free(&fields);
    ds_source_t *inner = NULL;
    if (f->kind == DS_FORMAT_STREAM && f->payload(state, &inner, NULL) == DS_OK) {
        fuzz_drain(inner);
        if (depth > 0)
            exercise(inner, depth - 1);
        ds_source_close(inner);
    }
    if (f->kind == DS_FORMAT_DOCUMENT && f->sections != NULL) {
        ds_sections_t sections = {0};
        f->sections(state, &sections, NULL);
        ds_sections_free(&sections);
    }
    if (f->kind == DS_FORMAT_CONTAINER) {
        ds_tree_t tree = {0};
        f->entries(state, &tree, NULL);
        for (size_t i = 0, opened = 0; i < tree.count && opened < ENTRIES_OPENED; i++) {
            if (tree.entries[i].type != DS_ENTRY_FILE || f->open_entry(state, &tree.entries[i], &inner, NULL) != DS_OK)
                continue;
            opened++;
            fuzz_drain(inner);
            if (depth > 0)
                exercise(inner, depth - 1);
            ds_source_close(inner);
        }
        ds_tree_free(&tree);
    }
    f->close(state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    exercise(src, 1);
    ds_source_close(src);
    return 0;
}
