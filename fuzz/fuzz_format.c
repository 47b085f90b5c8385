/* One registered format alone (FUZZ_FORMAT_NAME, set by fuzz/CMakeLists.txt: one harness
 * fuzz_format_<name> a format): the input is opened whatever the format's bid (a reader must
 * survive any bytes, not only those it bids on), and every operation is run: fields, entries
 * (each with its own fields and pairing key), the first entries' content read whole, a
 * stream's payload, a document's sections. Every field and section must lie inside the
 * input. */
#include <stdlib.h>

#include "formats/format.h"
#include "fuzz_common.h"

#ifndef FUZZ_FORMAT_NAME
#error "FUZZ_FORMAT_NAME names the format under test"
#endif

#define ENTRIES_OPENED 16

static void check_fields(const ds_fields_t *fields, size_t size)
{
    for (size_t i = 0; i < fields->count; i++)
        if (fields->items[i].offset > size || fields->items[i].length > size - fields->items[i].offset)
            __builtin_trap(); /* a field outside the input */
}

static void check_sections(const ds_sections_t *sections, size_t size)
{
    for (size_t i = 0; i < sections->count; i++)
        if (sections->items[i].offset > size || sections->items[i].size > size - sections->items[i].offset)
            __builtin_trap(); /* a section outside the input */
}

static void exercise_container(const ds_format_t *f, void *state, size_t size)
{
    ds_tree_t tree = {0};
    f->entries(state, &tree, NULL);
    for (size_t i = 0; i < tree.count; i++) {
        char key[256];
        if (f->pair_key != NULL)
            (void)f->pair_key(tree.entries[i].path, key, sizeof key);
        ds_fields_t fields = {0};
        if (f->entry_fields != NULL)
            f->entry_fields(state, &tree.entries[i], &fields, NULL);
        check_fields(&fields, size);
        ds_fields_free(&fields);
    }
    for (size_t i = 0, opened = 0; i < tree.count && opened < ENTRIES_OPENED; i++) {
        ds_source_t *inner = NULL;
        if (tree.entries[i].type != DS_ENTRY_FILE || f->open_entry(state, &tree.entries[i], &inner, NULL) != DS_OK)
            continue;
        opened++;
        fuzz_drain(inner);
        ds_source_close(inner);
    }
    ds_tree_free(&tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ds_format_t *f;
    if (f == NULL && (f = ds_format_find(FUZZ_FORMAT_NAME)) == NULL)
        __builtin_trap(); /* the harness names a format the registry lacks */
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    (void)f->bid(src);
    void *state = NULL;
    ds_format_open_t how = {.layer = "fuzz"};
    if (f->open(&state, src, &how, NULL) == DS_OK) {
        ds_fields_t fields = {0};
        if (f->fields != NULL)
            f->fields(state, &fields, NULL);
        check_fields(&fields, size);
        ds_fields_free(&fields);
        ds_source_t *inner = NULL;
        if (f->kind == DS_FORMAT_STREAM && f->payload(state, &inner, NULL) == DS_OK) {
            fuzz_drain(inner);
            ds_source_close(inner);
        }
        if (f->kind == DS_FORMAT_DOCUMENT && f->sections != NULL) {
            ds_sections_t sections = {0};
            f->sections(state, &sections, NULL);
            check_sections(&sections, size);
            ds_sections_free(&sections);
        }
        if (f->kind == DS_FORMAT_CONTAINER)
            exercise_container(f, state, size);
        f->close(state);
    }
    ds_source_close(src);
    return 0;
}
