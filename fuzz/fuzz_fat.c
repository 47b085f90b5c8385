/* The FAT12/16/32 format (formats/fat.c): boot sector fields, the directory walk with its
 * names and cluster-chain digests, and every file's content read back through open_entry. */
#include "readers/tree.h"
#include "formats/format.h"
#include "fuzz_common.h"

#define FUZZ_FAT_READ_MAX (1u << 20) /* content bytes read back per file */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    const ds_format_t *fat = ds_format_find("fat");
    if (src == NULL || fat == NULL || fat->bid(src) == 0) {
        ds_source_close(src);
        return 0;
    }
    void *state = NULL;
    ds_format_open_t how = {.layer = "fuzz"};
    if (fat->open(&state, src, &how, NULL) == DS_OK) {
        ds_fields_t fields = {0};
        fat->fields(state, &fields, NULL);
        ds_fields_free(&fields);
        ds_tree_t tree = {0};
        fat->entries(state, &tree, NULL);
        static unsigned char buf[65536];
        for (size_t i = 0; i < tree.count; i++) {
            ds_source_t *content = NULL;
            if (tree.entries[i].type != DS_ENTRY_FILE || fat->open_entry(state, &tree.entries[i], &content, NULL) != DS_OK)
                continue;
            uint64_t n = ds_source_size(content);
            for (uint64_t at = 0; at < n && at < FUZZ_FAT_READ_MAX; at += sizeof buf) {
                size_t got = 0;
                if (ds_source_read_some(content, at, buf, sizeof buf, &got, NULL) != DS_OK || got == 0)
                    break;
            }
            /* Back to the start: the chain is followed again. */
            unsigned char first[16];
            size_t got = 0;
            ds_source_read_some(content, 0, first, sizeof first, &got, NULL);
            ds_source_close(content);
        }
        ds_tree_free(&tree);
        fat->close(state);
    }
    ds_source_close(src);
    return 0;
}
