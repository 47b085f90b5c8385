/* cpio and tar archives, under any compression, through libarchive and our source callback. */
#include "fuzz_common.h"
#include "readers/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    ds_archive_list_t list;
    ds_archive_list_read(src, &list, NULL, NULL);
    ds_archive_list_free(&list);
    ds_source_close(src);
    return 0;
}
