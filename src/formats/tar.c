/* tar archives (ustar, pax, GNU), uncompressed: a .tar.xz is a stream format holding this one.
 * Recognised by the header checksum (POSIX.1-2001 ustar: bytes 148-155 are the octal sum of the
 * 512-byte header with those bytes counted as spaces). Through libarchive. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int tar_bid(ds_source_t *src)
{
    unsigned char h[512];
    if (ds_source_read(src, 0, h, sizeof h, "tar", NULL) != DS_OK)
        return 0;
    unsigned long sum = 0;
    for (size_t i = 0; i < sizeof h; i++)
        sum += i >= 148 && i < 156 ? ' ' : h[i];
    char field[9];
    memcpy(field, h + 148, 8);
    field[8] = '\0';
    char *end = NULL;
    unsigned long stored = strtoul(field, &end, 8);
    if (end == field || stored != sum || h[0] == 0)
        return 0;
    return memcmp(h + 257, "ustar", 5) == 0 ? 80 : 50;
}

static int tar_enable(struct archive *a)
{
    archive_read_support_format_tar(a);
    return archive_read_support_format_gnutar(a);
}

static int tar_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    return ds_archive_format_open(state, src, how, tar_enable, "tar", err);
}

const ds_format_t ds_format_tar = {
    .name = "tar", .kind = DS_FORMAT_CONTAINER,
    .summary = "tar archive (ustar, pax, GNU): members with metadata, read through libarchive",
    .bid = tar_bid, .open = tar_open, .close = ds_archive_format_close,
    .entries = ds_archive_format_entries, .open_entry = ds_archive_format_open_entry,
};
