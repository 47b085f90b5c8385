/* System area (MBR, GPT), volume descriptor set and El Torito boot catalog decoders. */
#include "decode/boot_catalog.h"
#include "decode/mbr_gpt.h"
#include "decode/volume_descriptor.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    ds_fields_t fields = {0};
    if (size >= 512)
        ds_mbr_decode(data, &fields);
    ds_gpt_decode(src, &fields, NULL);
    ds_volume_info_t info;
    ds_volume_descriptors_read(src, &fields, &info, NULL);
    if (info.has_boot_record)
        ds_boot_catalog_decode(src, info.boot_catalog_lba, &fields, NULL);
    ds_fields_free(&fields);
    ds_source_close(src);
    return 0;
}
