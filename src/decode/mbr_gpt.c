#include "mbr_gpt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/strbuf.h"

static const char *mbr_type_name(unsigned type)
{
    switch (type) {
    case 0x00: return "empty";
    case 0x0b: return "FAT32";
    case 0x0c: return "FAT32 LBA";
    case 0x0e: return "FAT16 LBA";
    case 0x17: return "hidden NTFS/HPFS (isohybrid data)";
    case 0x83: return "Linux";
    case 0xcd: return "ISO 9660 (isohybrid)";
    case 0xee: return "GPT protective";
    case 0xef: return "EFI system";
    case 0x01: return "FAT12";
    default: return "other";
    }
}

/* The fields from `from` on: CRCs marked derived (they follow from what they cover) and, in the
 * disk style, located at "@disk.<key>". */
static void fields_restyle(ds_fields_t *fields, size_t from, ds_mbr_gpt_style_t style)
{
    for (size_t i = from; i < fields->count; i++) {
        ds_field_t *f = &fields->items[i];
        size_t n = strlen(f->key);
        f->derived = f->derived || (n > 4 && strcmp(f->key + n - 4, "_crc") == 0);
        /* Keys are short ("gpt.backup.first_usable_lba"); a longer one would be cut. */
        if (style == DS_MBR_GPT_DISK && snprintf(f->location, sizeof f->location, "@disk.%s", f->key) < 0)
            f->location[0] = '\0';
    }
}

bool ds_mbr_decode(const unsigned char sector[512], ds_fields_t *fields)
{
    return ds_mbr_decode_as(sector, fields, DS_MBR_GPT_ISO);
}

/* The boot code: an isohybrid MBR keeps the boot image's location at bytes 432-439. */
static void mbr_boot_code_fields(const unsigned char sector[512], ds_fields_t *fields,
                                 ds_mbr_gpt_style_t style)
{
    if (style == DS_MBR_GPT_DISK) {
        ds_fields_add(fields, "mbr.boot_code", "@iso.system_area", "MBR boot code (bytes 0-439)", 0,
                      sector, 440, "CRC32 %08" PRIx32, (uint32_t)crc32(0L, sector, 440));
        return;
    }
    /* isohybrid MBRs (syslinux isohdpfx.bin) carry the boot image's location at bytes 432-439,
     * patched in by xorriso: it moves when the layout does, the code before it does not. */
    uint32_t crc = (uint32_t)crc32(0L, sector, 432);
    ds_fields_add(fields, "mbr.boot_code", "@iso.system_area", "MBR boot code (bytes 0-431)", 0,
                  sector, 432, "CRC32 %08" PRIx32, crc);
    ds_fields_add(fields, "mbr.boot_image_lba", "@iso.mbr.boot_image_lba",
                  "isohybrid boot image LBA (bytes 432-439)", 432, sector + 432, 8,
                  "%" PRIu64 " (512-byte sectors; ISO block %" PRIu64 ")", ds_le64(sector + 432),
                  ds_le64(sector + 432) / 4);
}

/* One 16-byte partition entry: status, type, start LBA, sector count. */
static void mbr_entry_field(ds_fields_t *fields, const char *key, const char *label, uint64_t at,
                            const unsigned char *e)
{
    if (e[4] == 0 && ds_le32(e + 8) == 0 && ds_le32(e + 12) == 0) {
        ds_fields_add(fields, key, "@iso.mbr.partition", label, at, e, 16, "empty");
        return;
    }
    ds_fields_add(fields, key, "@iso.mbr.partition", label, at, e, 16,
                  "status 0x%02x, type 0x%02x (%s), start LBA %" PRIu32 ", %" PRIu32
                  " sectors (%" PRIu64 " bytes)",
                  e[0], e[4], mbr_type_name(e[4]), ds_le32(e + 8), ds_le32(e + 12),
                  (uint64_t)ds_le32(e + 12) * 512);
}

static bool mbr_decode_fields(const unsigned char sector[512], ds_fields_t *fields,
                              ds_mbr_gpt_style_t style)
{
    if (sector[510] != 0x55 || sector[511] != 0xAA) {
        ds_fields_add(fields, "mbr.signature", "@iso.system_area", "MBR boot signature", 510,
                      sector + 510, 2, "absent (%02x %02x): no MBR", sector[510], sector[511]);
        return false;
    }
    ds_fields_add(fields, "mbr.signature", "@iso.system_area", "MBR boot signature", 510,
                  sector + 510, 2, "55 aa");
    mbr_boot_code_fields(sector, fields, style);
    ds_fields_add(fields, "mbr.disk_id", "@iso.mbr.disk_id", "MBR disk signature", 440,
                  sector + 440, 4, "0x%08" PRIx32, ds_le32(sector + 440));
    ds_fields_add(fields, "mbr.reserved", "@iso.system_area", "bytes 444-445", 444, sector + 444,
                  2, "%02x %02x", sector[444], sector[445]);
    for (int i = 0; i < 4; i++) {
        char key[64], label[64];
        snprintf(key, sizeof key, "mbr.partition%d", i + 1);
        snprintf(label, sizeof label, "MBR partition %d", i + 1);
        mbr_entry_field(fields, key, label, 446 + 16 * (uint64_t)i, sector + 446 + 16 * i);
    }
    return true;
}

bool ds_mbr_decode_as(const unsigned char sector[512], ds_fields_t *fields, ds_mbr_gpt_style_t style)
{
    size_t from = fields->count;
    bool present = mbr_decode_fields(sector, fields, style);
    fields_restyle(fields, from, style);
    return present;
}

static void guid_field(ds_fields_t *fields, const char *key, const char *location,
                       const char *label, uint64_t offset, const unsigned char *p)
{
    char guid[40];
    ds_format_guid(p, guid);
    ds_fields_add(fields, key, location, label, offset, p, 16, "%s", guid);
}

static const char *gpt_type_name(const char *guid)
{
    if (strcmp(guid, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b") == 0)
        return "EFI system partition";
    if (strcmp(guid, "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7") == 0)
        return "basic data";
    if (strcmp(guid, "0fc63daf-8483-4772-8e79-3d69d8477de4") == 0)
        return "Linux filesystem";
    if (strcmp(guid, "48465300-0000-11aa-aa11-00306543ecac") == 0)
        return "Apple HFS+";
    return "other";
}

/* The header CRC32 covers header_size bytes with the CRC field itself zeroed. */
static void gpt_header_crc_field(ds_fields_t *fields, const char *prefix, uint64_t at,
                                 const unsigned char *header, uint32_t header_size)
{
    char key[96];
    uint32_t stored = ds_le32(header + 16);
    const char *verdict = "not checked: header size out of range";
    if (header_size >= 92 && header_size <= DS_GPT_BLOCK) {
        unsigned char copy[DS_GPT_BLOCK];
        memcpy(copy, header, header_size);
        memset(copy + 16, 0, 4);
        verdict = (uint32_t)crc32(0L, copy, header_size) == stored ? "valid" : "INVALID";
    }
    snprintf(key, sizeof key, "%s.header_crc", prefix);
    ds_fields_add(fields, key, "@gpt.crc", "GPT header CRC32", at + 16, header + 16, 4,
                  "0x%08" PRIx32 " (%s)", stored, verdict);
}

/* The header's fields after its signature, in offset order (entries CRC excepted). */
static void gpt_header_fields(ds_fields_t *fields, const char *prefix, uint64_t at,
                              const unsigned char *header)
{
    char key[96];
    uint32_t header_size = ds_le32(header + 12);
    snprintf(key, sizeof key, "%s.revision", prefix);
    ds_fields_add(fields, key, "@gpt.header", "GPT revision", at + 8, header + 8, 4,
                  "%u.%u", ds_le16(header + 10), ds_le16(header + 8));
    snprintf(key, sizeof key, "%s.header_size", prefix);
    ds_fields_add_number(fields, key, "@gpt.header", "GPT header size", at + 12, header + 12, 4,
                         header_size);
    gpt_header_crc_field(fields, prefix, at, header, header_size);
    static const struct {
        unsigned offset;
        const char *name;
        const char *label;
    } lbas[] = {{24, "current_lba", "GPT header LBA"},
                {32, "backup_lba", "backup header LBA"},
                {40, "first_usable_lba", "first usable LBA"},
                {48, "last_usable_lba", "last usable LBA"},
                {72, "entries_lba", "partition entries LBA"}};
    for (size_t i = 0; i < sizeof lbas / sizeof lbas[0]; i++) {
        snprintf(key, sizeof key, "%s.%s", prefix, lbas[i].name);
        ds_fields_add_number(fields, key, "@gpt.header", lbas[i].label, at + lbas[i].offset,
                             header + lbas[i].offset, 8, (int64_t)ds_le64(header + lbas[i].offset));
    }
    snprintf(key, sizeof key, "%s.disk_guid", prefix);
    guid_field(fields, key, "@gpt.disk_guid", "GPT disk GUID", at + 56, header + 56);
    snprintf(key, sizeof key, "%s.entry_count", prefix);
    ds_fields_add_number(fields, key, "@gpt.header", "partition entry count", at + 80,
                         header + 80, 4, ds_le32(header + 80));
    snprintf(key, sizeof key, "%s.entry_size", prefix);
    ds_fields_add_number(fields, key, "@gpt.header", "partition entry size", at + 84, header + 84,
                         4, ds_le32(header + 84));
}

/* Entries: bounded count and size, and the array inside the image. On success sets the byte
 * offset of the array; an out-of-range count or size also adds the unchecked entries CRC (to
 * fields, when not NULL). */
static int gpt_entries_locate(ds_source_t *src, ds_fields_t *fields, const char *prefix,
                              uint64_t at, const unsigned char *header, uint64_t *entries_at,
                              ds_error_t *err)
{
    char key[96];
    uint32_t count = ds_le32(header + 80), entry_size = ds_le32(header + 84);
    uint64_t entries_lba = ds_le64(header + 72);
    if (count > DS_GPT_MAX_ENTRIES || entry_size < 128 || entry_size > DS_GPT_MAX_ENTRY_SIZE ||
        (entry_size & (entry_size - 1)) != 0) {
        snprintf(key, sizeof key, "%s.entries_crc", prefix);
        if (fields != NULL)
            ds_fields_add(fields, key, "@gpt.crc", "partition entries CRC32", at + 88, header + 88,
                          4, "0x%08" PRIx32 " (not checked: %u entries of %u bytes is out of range)",
                          ds_le32(header + 88), count, entry_size);
        return ds_error_set(err, DS_ERR_LIMIT,
                            "%s: GPT: header at byte %" PRIu64 " names %" PRIu32
                            " entries of %" PRIu32 " bytes, beyond the limits (%u, %u)",
                            ds_source_label(src), at, count, entry_size, DS_GPT_MAX_ENTRIES,
                            DS_GPT_MAX_ENTRY_SIZE);
    }
    *entries_at = entries_lba * DS_GPT_BLOCK;
    uint64_t entries_bytes = (uint64_t)count * entry_size;
    if (entries_lba > ds_source_size(src) / DS_GPT_BLOCK ||
        entries_bytes > ds_source_size(src) - *entries_at) {
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: GPT: partition entries at LBA %" PRIu64
                            " (byte %" PRIu64 ") lie past the end of the image",
                            ds_source_label(src), entries_lba, *entries_at);
    }
    return DS_OK;
}

/* The partition name: UTF-16LE up to the first NUL, printable ASCII kept, the rest escaped. */
static void gpt_entry_name(const unsigned char *entry, ds_strbuf_t *name)
{
    for (unsigned j = 56; j + 1 < 128; j += 2) {
        unsigned cp = ds_le16(entry + j);
        if (cp == 0)
            break;
        if (cp >= 0x20 && cp < 0x7F)
            ds_strbuf_printf(name, "%c", (char)cp);
        else
            ds_strbuf_printf(name, "\\u%04x", cp);
    }
}

/* Adds the fields of used entry number i (0-based) found at byte entry_at. */
static void gpt_entry_fields(ds_fields_t *fields, const char *prefix, uint32_t i,
                             uint64_t entry_at, const unsigned char *entry, ds_mbr_gpt_style_t style)
{
    char key[96], label[64], guid[40];
    ds_format_guid(entry, guid);
    snprintf(key, sizeof key, "%s.entry%u.type_guid", prefix, i + 1);
    snprintf(label, sizeof label, "partition %u type GUID", i + 1);
    ds_fields_add(fields, key, "@gpt.partition_type", label, entry_at, entry, 16, "%s (%s)",
                  guid, gpt_type_name(guid));
    snprintf(key, sizeof key, "%s.entry%u.unique_guid", prefix, i + 1);
    snprintf(label, sizeof label, "partition %u unique GUID", i + 1);
    guid_field(fields, key, "@gpt.partition_guid", label, entry_at + 16, entry + 16);
    if (style == DS_MBR_GPT_DISK) {
        for (unsigned k = 0; k < 2; k++) {
            snprintf(key, sizeof key, "%s.entry%u.%s_lba", prefix, i + 1, k ? "last" : "first");
            snprintf(label, sizeof label, "partition %u %s LBA", i + 1, k ? "last" : "first");
            ds_fields_add(fields, key, "@gpt.partition", label, entry_at + 32 + 8 * k,
                          entry + 32 + 8 * k, 8, "%" PRIu64, ds_le64(entry + 32 + 8 * k));
        }
    } else {
        snprintf(key, sizeof key, "%s.entry%u.lbas", prefix, i + 1);
        snprintf(label, sizeof label, "partition %u LBAs", i + 1);
        ds_fields_add(fields, key, "@gpt.partition", label, entry_at + 32, entry + 32, 16,
                      "%" PRIu64 "..%" PRIu64, ds_le64(entry + 32), ds_le64(entry + 40));
    }
    snprintf(key, sizeof key, "%s.entry%u.attributes", prefix, i + 1);
    snprintf(label, sizeof label, "partition %u attributes", i + 1);
    ds_fields_add(fields, key, "@gpt.partition", label, entry_at + 48, entry + 48, 8,
                  "0x%016" PRIx64, ds_le64(entry + 48));
    ds_strbuf_t name = {0};
    gpt_entry_name(entry, &name);
    snprintf(key, sizeof key, "%s.entry%u.name", prefix, i + 1);
    snprintf(label, sizeof label, "partition %u name", i + 1);
    ds_fields_add(fields, key, "@gpt.partition", label, entry_at + 56, entry + 56, 72, "\"%s\"",
                  ds_strbuf_text(&name));
    ds_strbuf_free(&name);
}

/* What a header's decode adds: its entries' fields or not, named in which style. */
typedef struct gpt_how {
    bool entries;
    ds_mbr_gpt_style_t style;
} gpt_how_t;

/* Reads the count entries of entry_size bytes from entries_at, folding them into *crc; adds
 * the fields of each used one when `entries` is set. */
static int gpt_entries_read(ds_source_t *src, ds_fields_t *fields, const char *prefix,
                            uint64_t entries_at, uint32_t count, uint32_t entry_size,
                            const gpt_how_t *how, uLong *crc, ds_error_t *err)
{
    unsigned char *entry = malloc(entry_size);
    if (entry == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    int rc = DS_OK;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t entry_at = entries_at + (uint64_t)i * entry_size;
        rc = ds_source_read(src, entry_at, entry, entry_size, "GPT partition entry", err);
        if (rc != DS_OK)
            break;
        *crc = crc32(*crc, entry, entry_size);
        bool used = false;
        for (int j = 0; j < 16; j++)
            if (entry[j] != 0)
                used = true;
        if (how->entries && used)
            gpt_entry_fields(fields, prefix, i, entry_at, entry, how->style);
    }
    free(entry);
    return rc;
}

/* Decodes one header (primary or backup) at byte offset `at`; prefix is "gpt" or "gpt.backup". */
static int gpt_header_decode(ds_source_t *src, uint64_t at, const char *prefix,
                             const gpt_how_t *how, ds_fields_t *fields, ds_error_t *err)
{
    unsigned char header[DS_GPT_BLOCK];
    char key[96];
    int rc = ds_source_read(src, at, header, sizeof header, "GPT header", err);
    if (rc != DS_OK)
        return rc;
    snprintf(key, sizeof key, "%s.signature", prefix);
    if (memcmp(header, "EFI PART", 8) != 0) {
        ds_fields_add(fields, key, "@gpt.header", "GPT signature", at, header, 8,
                      "absent: no GPT header at byte %" PRIu64, at);
        return DS_OK;
    }
    ds_fields_add(fields, key, "@gpt.header", "GPT signature", at, header, 8, "\"EFI PART\"");
    gpt_header_fields(fields, prefix, at, header);
    uint64_t entries_at = 0;
    rc = gpt_entries_locate(src, fields, prefix, at, header, &entries_at, err);
    if (rc != DS_OK)
        return rc;
    /* Their CRC covers count * size bytes. */
    uLong crc = crc32(0L, Z_NULL, 0);
    rc = gpt_entries_read(src, fields, prefix, entries_at, ds_le32(header + 80),
                          ds_le32(header + 84), how, &crc, err);
    uint32_t stored_entries_crc = ds_le32(header + 88);
    snprintf(key, sizeof key, "%s.entries_crc", prefix);
    if (rc == DS_OK)
        ds_fields_add(fields, key, "@gpt.crc", "partition entries CRC32", at + 88, header + 88, 4,
                      "0x%08" PRIx32 " (%s)", stored_entries_crc,
                      (uint32_t)crc == stored_entries_crc ? "valid" : "INVALID");
    return rc;
}

static int gpt_decode_fields(ds_source_t *src, ds_fields_t *fields, ds_mbr_gpt_style_t style,
                             ds_error_t *err)
{
    unsigned char header[DS_GPT_BLOCK];
    const gpt_how_t primary = {true, style}, backup = {false, style};
    if (ds_source_size(src) < 2 * DS_GPT_BLOCK) {
        ds_fields_add(fields, "gpt.signature", "@gpt.header", "GPT signature", 512, NULL, 0,
                      "absent: image too small");
        return DS_OK;
    }
    int rc = gpt_header_decode(src, DS_GPT_BLOCK, "gpt", &primary, fields, err);
    if (rc != DS_OK)
        return rc;
    rc = ds_source_read(src, DS_GPT_BLOCK, header, sizeof header, "GPT header", err);
    if (rc != DS_OK || memcmp(header, "EFI PART", 8) != 0)
        return rc;
    uint64_t backup_lba = ds_le64(header + 32);
    if (backup_lba == 0 || backup_lba >= ds_source_size(src) / DS_GPT_BLOCK)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: GPT: backup header LBA %" PRIu64 " (byte %" PRIu64
                            ") lies past the end of the image (%" PRIu64 " bytes)",
                            ds_source_label(src), backup_lba, backup_lba * DS_GPT_BLOCK,
                            ds_source_size(src));
    return gpt_header_decode(src, backup_lba * DS_GPT_BLOCK, "gpt.backup", &backup, fields, err);
}

int ds_gpt_decode(ds_source_t *src, ds_fields_t *fields, ds_error_t *err)
{
    return ds_gpt_decode_as(src, fields, DS_MBR_GPT_ISO, err);
}

int ds_gpt_decode_as(ds_source_t *src, ds_fields_t *fields, ds_mbr_gpt_style_t style, ds_error_t *err)
{
    size_t from = fields->count;
    int rc = gpt_decode_fields(src, fields, style, err);
    fields_restyle(fields, from, style);
    return rc;
}

/* --- the partitions of a disk image ---------------------------------------------------------- */

static bool partitions_add(ds_partitions_t *parts, uint32_t number, uint64_t first_lba,
                           uint64_t sectors, uint64_t record_offset)
{
    if (parts->count == parts->capacity) {
        size_t capacity = parts->capacity ? parts->capacity * 2 : 8;
        ds_partition_t *items = realloc(parts->items, capacity * sizeof *items);
        if (items == NULL)
            return false;
        parts->items = items;
        parts->capacity = capacity;
    }
    parts->items[parts->count++] = (ds_partition_t){number, first_lba, sectors, record_offset};
    return true;
}

void ds_partitions_free(ds_partitions_t *parts)
{
    free(parts->items);
    memset(parts, 0, sizeof *parts);
}

/* The used entries of the primary GPT (a type GUID not all zero), the array checked first. */
static int gpt_partitions(ds_source_t *src, ds_partitions_t *parts, ds_error_t *err)
{
    unsigned char header[DS_GPT_BLOCK], entry[128];
    uint64_t entries_at = 0;
    int rc = ds_source_read(src, DS_GPT_BLOCK, header, sizeof header, "GPT header", err);
    if (rc == DS_OK)
        rc = gpt_entries_locate(src, NULL, "gpt", DS_GPT_BLOCK, header, &entries_at, err);
    uint32_t count = rc == DS_OK ? ds_le32(header + 80) : 0, size = ds_le32(header + 84);
    for (uint32_t i = 0; rc == DS_OK && i < count; i++) {
        uint64_t at = entries_at + (uint64_t)i * size;
        rc = ds_source_read(src, at, entry, sizeof entry, "GPT partition entry", err);
        bool used = false;
        for (int j = 0; rc == DS_OK && j < 16; j++)
            used = used || entry[j] != 0;
        uint64_t first = used ? ds_le64(entry + 32) : 0, last = used ? ds_le64(entry + 40) : 0;
        if (!used || first == 0 || last < first)
            continue;
        if (!partitions_add(parts, i + 1, first, last - first + 1, at))
            rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    return rc;
}

static bool mbr_extended(unsigned type) { return type == 0x05 || type == 0x0f || type == 0x85; }

/* The EBR at ebr_lba, logical partition `number` (its position in the chain from 5, used or
 * not, so that numbers stay unique): a field and, when used, a partition; *next the next EBR's
 * offset in the extended partition (0: this is the last). */
static int ebr_read(ds_source_t *src, uint64_t ebr_lba, uint32_t number, ds_partitions_t *parts,
                    ds_fields_t *fields, uint32_t *next, ds_error_t *err)
{
    unsigned char s[512];
    uint64_t at = ebr_lba * 512;
    int rc = ds_source_read(src, at, s, sizeof s, "MBR extended boot record", err);
    if (rc != DS_OK)
        return rc;
    if (s[510] != 0x55 || s[511] != 0xAA)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: MBR: the extended boot record at byte %" PRIu64
                            " lacks the 0x55AA signature", ds_source_label(src), at);
    const unsigned char *l = s + 446, *link = s + 462;
    uint32_t start = ds_le32(l + 8), sectors = ds_le32(l + 12);
    bool used = l[4] != 0 && start != 0 && sectors != 0;
    char key[64], label[64];
    snprintf(key, sizeof key, "mbr.logical%" PRIu32, number);
    snprintf(label, sizeof label, "logical partition %" PRIu32 " (EBR)", number);
    if (fields != NULL)
        ds_fields_add(fields, key, "", label, at + 446, l, 32,
                      "EBR at LBA %" PRIu64 ": type 0x%02x (%s), start LBA %" PRIu64
                      ", %" PRIu32 " sectors; next EBR at extended-partition LBA %" PRIu32,
                      ebr_lba, l[4], mbr_type_name(l[4]), ebr_lba + start, sectors,
                      ds_le32(link + 8));
    if (used && !partitions_add(parts, number, ebr_lba + start, sectors, at + 446))
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    *next = link[4] != 0 && ds_le32(link + 12) != 0 ? ds_le32(link + 8) : 0;
    return DS_OK;
}

/* The logical partitions: EBRs linked from the first one, each link relative to the extended
 * partition's start (UEFI 2.10 section 5.2.2 leaves them to legacy practice; Linux
 * block/partitions/msdos.c follows them the same way). */
static int ebr_chain(ds_source_t *src, uint32_t ext_start, uint32_t ext_sectors,
                     ds_partitions_t *parts, ds_fields_t *fields, ds_error_t *err)
{
    uint64_t ebr = ext_start;
    for (uint32_t n = 0; n < DS_MBR_MAX_LOGICAL; n++) {
        uint32_t next = 0;
        int rc = ebr_read(src, ebr, 5 + n, parts, fields, &next, err);
        if (rc != DS_OK || next == 0)
            return rc;
        if (next >= ext_sectors)
            return ds_error_set(err, DS_ERR_FORMAT,
                                "%s: MBR: the extended boot record at byte %" PRIu64
                                " links to LBA %" PRIu64 ", outside its extended partition",
                                ds_source_label(src), ebr * 512, (uint64_t)ext_start + next);
        ebr = (uint64_t)ext_start + next;
    }
    return ds_error_set(err, DS_ERR_LIMIT,
                        "%s: MBR: the EBR chain holds more than %u logical partitions (or loops)",
                        ds_source_label(src), DS_MBR_MAX_LOGICAL);
}

static int mbr_partitions(ds_source_t *src, const unsigned char sector[512],
                          ds_partitions_t *parts, ds_fields_t *fields, ds_error_t *err)
{
    const unsigned char *extended = NULL;
    for (uint32_t i = 0; i < 4; i++) {
        const unsigned char *e = sector + 446 + 16 * i;
        uint32_t start = ds_le32(e + 8), sectors = ds_le32(e + 12);
        if (e[4] == 0 || e[4] == 0xee || start == 0 || sectors == 0)
            continue;
        if (mbr_extended(e[4]))
            extended = extended != NULL ? extended : e; /* Linux, too, follows the first only */
        else if (!partitions_add(parts, i + 1, start, sectors, 446 + 16 * (uint64_t)i))
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    if (extended == NULL)
        return DS_OK;
    size_t from = fields != NULL ? fields->count : 0;
    int rc = ebr_chain(src, ds_le32(extended + 8), ds_le32(extended + 12), parts, fields, err);
    if (fields != NULL)
        fields_restyle(fields, from, DS_MBR_GPT_DISK);
    return rc;
}

int ds_disk_partitions_read(ds_source_t *src, ds_partitions_t *parts, ds_fields_t *fields,
                            ds_error_t *err)
{
    unsigned char sector[512], sig[8];
    int rc = ds_source_read(src, 0, sector, sizeof sector, "MBR", err);
    if (rc != DS_OK)
        return rc;
    if (sector[510] != 0x55 || sector[511] != 0xAA)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: MBR: no 0x55AA boot signature at byte 510",
                            ds_source_label(src));
    bool protective = false;
    for (int i = 0; i < 4; i++)
        protective = protective || sector[446 + 16 * i + 4] == 0xee;
    parts->gpt = protective && ds_source_size(src) >= 2 * DS_GPT_BLOCK &&
                 ds_source_read(src, DS_GPT_BLOCK, sig, sizeof sig, "GPT header", NULL) == DS_OK &&
                 memcmp(sig, "EFI PART", 8) == 0;
    return parts->gpt ? gpt_partitions(src, parts, err) : mbr_partitions(src, sector, parts, fields, err);
}
