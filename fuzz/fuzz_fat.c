/* FAT12/16/32 boot sector and directory walker. */
#include "decode/fat.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    if (ds_fat_probe(src)) {
        ds_fat_t fat;
        ds_fat_open(src, &fat, NULL);
        ds_fat_free(&fat);
    }
    ds_source_close(src);
    return 0;
}
