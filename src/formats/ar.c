/* ar archives ("!<arch>\n": a .deb, static libraries): members with mtime, uid/gid and mode.
 * Through libarchive. */
#include "internal.h"

static int ar_bid(ds_source_t *src) { return ds_source_has_magic(src, 0, "!<arch>\n", 8) ? 90 : 0; }

static int ar_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    return ds_archive_format_open(state, src, how, archive_read_support_format_ar, "ar", err);
}

const ds_format_t ds_format_ar = {
    .name = "ar", .kind = DS_FORMAT_CONTAINER,
    .summary = "ar archive (.deb, .a): members with mtime, owner and mode, read through libarchive",
    .bid = ar_bid, .open = ar_open, .close = ds_archive_format_close,
    .entries = ds_archive_format_entries, .open_entry = ds_archive_format_open_entry,
};
