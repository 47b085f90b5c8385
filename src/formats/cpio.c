/* cpio archives (newc, crc, odc, binary), uncompressed: a compressed cpio is a stream format
 * holding this one. Through libarchive; the header fields libarchive does not hand over (inode
 * number, device, link count) are read from each member's own header.
 *
 * Header layouts from the GNU cpio manual, "Options" / cpio(5) of libarchive: newc/crc are 110
 * ASCII bytes, magic 070701/070702 at 0, then 8 hex digits each: ino 6, mode 14, uid 22, gid 30,
 * nlink 38, mtime 46, filesize 54, devmajor 62, devminor 70, rdevmajor 78, rdevminor 86,
 * namesize 94, check 102. odc is 76 ASCII bytes, magic 070707, then octal: dev 6 (6 digits),
 * ino 12 (6), mode 18 (6), uid 24 (6), gid 30 (6), nlink 36 (6), rdev 42 (6), mtime 48 (11),
 * namesize 59 (6), filesize 65 (11). */
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

/* The number in digits digits of base 8 or 16 at p; false on any other character. */
static bool ascii_number(const unsigned char *p, size_t digits, unsigned base, uint64_t *out)
{
    *out = 0;
    for (size_t i = 0; i < digits; i++) {
        unsigned v = p[i] >= '0' && p[i] <= '9'   ? p[i] - 48u
                     : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 87u
                     : p[i] >= 'A' && p[i] <= 'F' ? p[i] - 55u
                                                  : 99u;
        if (v >= base)
            return false;
        *out = *out * base + v;
    }
    return true;
}

struct cpio_field {
    const char *key, *location, *label;
    size_t at, digits;
};

static const struct cpio_field newc_fields[] = {
    {"cpio.member.ino", "@cpio.member.ino", "inode number", 6, 8},
    {"cpio.member.nlink", "@cpio.member.nlink", "link count", 38, 8},
    {"cpio.member.devmajor", "@cpio.member.devmajor", "device major", 62, 8},
    {"cpio.member.devminor", "@cpio.member.devminor", "device minor", 70, 8},
};

static const struct cpio_field odc_fields[] = {
    {"cpio.member.ino", "@cpio.member.ino", "inode number", 12, 6},
    {"cpio.member.nlink", "@cpio.member.nlink", "link count", 36, 6},
    {"cpio.member.dev", "@cpio.member.dev", "device", 6, 6},
};

/* The member header's ino, nlink and device fields (ASCII headers only; a binary header or one
 * whose magic is not where libarchive said gives no fields). */
static int cpio_entry_fields(void *state, const ds_entry_t *entry, ds_fields_t *fields, ds_error_t *err)
{
    ds_source_t *src = ds_archive_format_source(state);
    unsigned char h[110];
    if (entry->record_offset > ds_source_size(src) || ds_source_size(src) - entry->record_offset < 76 ||
        ds_source_read(src, entry->record_offset, h, 76, "cpio", NULL) != DS_OK)
        return DS_OK;
    bool newc = memcmp(h, "070701", 6) == 0 || memcmp(h, "070702", 6) == 0;
    if (!newc && memcmp(h, "070707", 6) != 0)
        return DS_OK;
    if (newc && (ds_source_size(src) - entry->record_offset < sizeof h ||
                 ds_source_read(src, entry->record_offset + 76, h + 76, sizeof h - 76, "cpio", NULL) != DS_OK))
        return DS_OK;
    const struct cpio_field *f = newc ? newc_fields : odc_fields;
    size_t n = newc ? sizeof newc_fields / sizeof newc_fields[0] : sizeof odc_fields / sizeof odc_fields[0];
    for (size_t i = 0; i < n; i++) {
        uint64_t value;
        if (ascii_number(h + f[i].at, f[i].digits, newc ? 16 : 8, &value))
            ds_fields_add_number(fields, f[i].key, f[i].location, f[i].label, entry->record_offset + f[i].at,
                                 h + f[i].at, (uint32_t)f[i].digits, (int64_t)value);
    }
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

const ds_format_t ds_format_cpio = {
    .name = "cpio", .kind = DS_FORMAT_CONTAINER,
    .summary = "cpio archive (newc, crc, odc, binary): members with metadata, read through libarchive; "
               "inode, device and link count from each ASCII header",
    .bid = cpio_bid, .open = cpio_open, .close = ds_archive_format_close,
    .entries = ds_archive_format_entries, .open_entry = ds_archive_format_open_entry,
    .entry_fields = cpio_entry_fields,
};
