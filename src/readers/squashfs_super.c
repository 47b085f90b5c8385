/* The squashfs superblock as fields ("squashfs.<field>"), one per on-disk field with its
 * absolute offset and raw bytes, the compressor options block included. Part of the squashfs
 * reader (squashfs_internal.h); the superblock's offset table is cited at the top of
 * squashfs.c. */
#include "squashfs_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqfs/compressor.h>

static void flags_text(uint16_t flags, char *buf, size_t size)
{
    static const struct {
        uint16_t bit;
        const char *name;
    } names[] = {{SQFS_FLAG_UNCOMPRESSED_INODES, "uncompressed-inodes"},
                 {SQFS_FLAG_UNCOMPRESSED_DATA, "uncompressed-data"},
                 {SQFS_FLAG_UNCOMPRESSED_FRAGMENTS, "uncompressed-fragments"},
                 {SQFS_FLAG_NO_FRAGMENTS, "no-fragments"},
                 {SQFS_FLAG_ALWAYS_FRAGMENTS, "always-fragments"},
                 {SQFS_FLAG_NO_DUPLICATES, "no-duplicates"},
                 {SQFS_FLAG_EXPORTABLE, "exportable"},
                 {SQFS_FLAG_UNCOMPRESSED_XATTRS, "uncompressed-xattrs"},
                 {SQFS_FLAG_NO_XATTRS, "no-xattrs"},
                 {SQFS_FLAG_COMPRESSOR_OPTIONS, "compressor-options"},
                 {SQFS_FLAG_UNCOMPRESSED_IDS, "uncompressed-ids"}};
    size_t used = (size_t)snprintf(buf, size, "0x%04x", flags);
    const char *sep = " (";
    for (size_t i = 0; i < sizeof names / sizeof names[0] && used < size; i++) {
        if (flags & names[i].bit) {
            used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, names[i].name);
            sep = ", ";
        }
    }
    if (strcmp(sep, ", ") == 0 && used < size)
        snprintf(buf + used, size - used, ")");
}

void ds_squashfs_super_fields(const ds_squashfs_t *sq, ds_fields_t *fields)
{
    unsigned char raw[96];
    uint64_t base = ds_source_base(sq->src);
    if (ds_source_read(sq->src, 0, raw, sizeof raw, "squashfs superblock", NULL) != DS_OK)
        return;
    const sqfs_super_t *s = &sq->super;
    char text[300];
    size_t first = fields->count;
    ds_fields_add(fields, "squashfs.magic", "@squashfs.magic", "magic", base, raw, 4, "\"hsqs\"");
    ds_fields_add_number(fields, "squashfs.inode_count", "@squashfs.inode_count", "inode count",
                         base + 4, raw + 4, 4, s->inode_count);
    ds_format_utc(s->modification_time, text, sizeof text);
    ds_field_t *f = ds_fields_add(fields, "squashfs.mkfs_time", "@squashfs.mkfs_time",
                                  "mkfs time", base + 8, raw + 8, 4, "%s (%" PRIu32 ")", text,
                                  s->modification_time);
    if (f != NULL)
        f->number = s->modification_time;
    ds_fields_add_number(fields, "squashfs.block_size", "@squashfs.block_size", "block size",
                         base + 12, raw + 12, 4, s->block_size);
    ds_fields_add_number(fields, "squashfs.fragment_count", "@squashfs.fragment_count",
                         "fragment entries", base + 16, raw + 16, 4, s->fragment_entry_count);
    const char *cname = sqfs_compressor_name_from_id((SQFS_COMPRESSOR)s->compression_id);
    ds_fields_add(fields, "squashfs.compressor", "@squashfs.compressor", "compressor", base + 20,
                  raw + 20, 2, "%s (%u)", cname ? cname : "unknown", s->compression_id);
    ds_fields_add_number(fields, "squashfs.block_log", "@squashfs.block_log", "block log",
                         base + 22, raw + 22, 2, s->block_log);
    flags_text(s->flags, text, sizeof text);
    ds_fields_add(fields, "squashfs.flags", "@squashfs.flags", "flags", base + 24, raw + 24, 2,
                  "%s", text);
    ds_fields_add_number(fields, "squashfs.id_count", "@squashfs.id_count", "id count",
                         base + 26, raw + 26, 2, s->id_count);
    ds_fields_add(fields, "squashfs.version", "@squashfs.version", "version", base + 28, raw + 28,
                  4, "%u.%u", s->version_major, s->version_minor);
    ds_fields_add(fields, "squashfs.root_inode", "@squashfs.root_inode", "root inode reference",
                  base + 32, raw + 32, 8, "block %" PRIu64 ", offset %" PRIu64,
                  (uint64_t)(s->root_inode_ref >> 16), (uint64_t)(s->root_inode_ref & 0xFFFF));
    static const struct {
        unsigned offset;
        const char *name;
        const char *label;
    } tables[] = {{40, "bytes_used", "bytes used"},
                  {48, "id_table_start", "id table start"},
                  {56, "xattr_id_table_start", "xattr id table start"},
                  {64, "inode_table_start", "inode table start"},
                  {72, "directory_table_start", "directory table start"},
                  {80, "fragment_table_start", "fragment table start"},
                  {88, "export_table_start", "export table start"}};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char key[64], location[64];
        snprintf(key, sizeof key, "squashfs.%s", tables[i].name);
        snprintf(location, sizeof location, "@squashfs.%s", tables[i].name);
        ds_fields_add_number(fields, key, location, tables[i].label, base + tables[i].offset,
                             raw + tables[i].offset, 8, (int64_t)ds_le64(raw + tables[i].offset));
    }
    if (sq->options_len > 0) {
        ds_format_hex(sq->options, sq->options_len, 32, text, sizeof text);
        ds_fields_add(fields, "squashfs.compressor_options", "@squashfs.compressor_options",
                      "compressor options", base + 98, sq->options, (uint32_t)sq->options_len,
                      "%s", text);
    } else {
        ds_fields_add(fields, "squashfs.compressor_options", "@squashfs.compressor_options",
                      "compressor options", base + 96, NULL, 0, "none (defaults)");
    }
    /* Sizes, counts and table positions follow from what the tables hold: consequences. */
    for (size_t i = first; i < fields->count; i++) {
        const char *key = fields->items[i].key;
        fields->items[i].derived = strcmp(key, "squashfs.bytes_used") == 0 || strstr(key, "_table_start") != NULL ||
                                   strcmp(key, "squashfs.root_inode") == 0 || strstr(key, "_count") != NULL;
    }
}
