/* zip archives (zip, jar, apk, whl, epub, odt): members with their times and modes, read
 * through libarchive with seeking, so that the central directory is the authority. */
#include "internal.h"

static int zip_bid(ds_source_t *src)
{
    if (ds_source_has_magic(src, 0, "PK\x03\x04", 4))
        return 90;
    return ds_source_has_magic(src, 0, "PK\x05\x06", 4) ? 60 : 0; /* an empty zip */
}

static int zip_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    return ds_archive_format_open(state, src, how, archive_read_support_format_zip_seekable, "zip", err);
}

const ds_format_t ds_format_zip = {
    .name = "zip", .kind = DS_FORMAT_CONTAINER,
    .summary = "zip archive (jar, apk, whl, epub, odt): members with times and modes, through libarchive",
    .bid = zip_bid, .open = zip_open, .close = ds_archive_format_close,
    .entries = ds_archive_format_entries, .open_entry = ds_archive_format_open_entry,
};
