/* cpio archives (newc, crc, odc, binary), uncompressed: a compressed cpio is a stream format
 * holding this one. Through libarchive. */
#include <string.h>

#include "internal.h"

static int cpio_bid(ds_source_t *src)
{
    unsigned char h[6];
    if (ds_source_read(src, 0, h, sizeof h, "cpio", NULL) != DS_OK)
        return 0;
    if (memcmp(h, "070701", 6) == 0 || memcmp(h, "070702", 6) == 0 || memcmp(h, "070707", 6) == 0)
        return 80;
    return (h[0] == 0xc7 && h[1] == 0x71) || (h[0] == 0x71 && h[1] == 0xc7) ? 40 : 0;
}

static int cpio_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    return ds_archive_format_open(state, src, how, archive_read_support_format_cpio, "cpio", err);
}

const ds_format_t ds_format_cpio = {
    .name = "cpio", .kind = DS_FORMAT_CONTAINER,
    .summary = "cpio archive (newc, crc, odc, binary): members with metadata, read through libarchive",
    .bid = cpio_bid, .open = cpio_open, .close = ds_archive_format_close,
    .entries = ds_archive_format_entries, .open_entry = ds_archive_format_open_entry,
};
