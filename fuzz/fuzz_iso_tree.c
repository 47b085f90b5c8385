/* The ISO 9660 / Rock Ridge / Joliet directory tree reader. */
#include "readers/tree.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    ds_tree_t tree;
    ds_tree_load(&tree, &ds_iso9660_reader, src, NULL, NULL);
    ds_tree_free(&tree);
    ds_source_close(src);
    return 0;
}
