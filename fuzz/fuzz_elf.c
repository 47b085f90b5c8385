/* The ELF format (formats/elf.c): bid, open (the header and section table, through
 * decode/elf_sections.c), fields (header members, the build-id note) and sections. */
#include "formats/format.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    const ds_format_t *elf = ds_format_find("elf");
    if (src == NULL || elf == NULL || elf->bid(src) == 0) {
        ds_source_close(src);
        return 0;
    }
    void *state = NULL;
    ds_format_open_t how = {.layer = "fuzz"};
    if (elf->open(&state, src, &how, NULL) == DS_OK) {
        ds_fields_t fields = {0};
        ds_sections_t sections = {0};
        elf->fields(state, &fields, NULL);
        elf->sections(state, &sections, NULL);
        for (size_t i = 0; i < sections.count; i++)
            if (sections.items[i].offset > size || sections.items[i].size > size - sections.items[i].offset)
                __builtin_trap(); /* a section outside the input */
        for (size_t i = 0; i < fields.count; i++)
            if (fields.items[i].offset > size || fields.items[i].length > size - fields.items[i].offset)
                __builtin_trap(); /* a field outside the input */
        ds_fields_free(&fields);
        ds_sections_free(&sections);
        elf->close(state);
    }
    ds_source_close(src);
    return 0;
}
