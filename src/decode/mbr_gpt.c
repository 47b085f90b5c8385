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

bool ds_mbr_decode(const unsigned char sector[512], ds_fields_t *fields)
{
    if (sector[510] != 0x55 || sector[511] != 0xAA) {
        ds_fields_add(fields, "mbr.signature", "@iso.system_area", "MBR boot signature", 510,
                      sector + 510, 2, "absent (%02x %02x): no MBR", sector[510], sector[511]);
        return false;
    }
    ds_fields_add(fields, "mbr.signature", "@iso.system_area", "MBR boot signature", 510,
                  sector + 510, 2, "55 aa");
    /* isohybrid MBRs (syslinux isohdpfx.bin) carry the boot image's location at bytes 432-439,
     * patched in by xorriso: it moves when the layout does, the code before it does not. */
    uint32_t crc = (uint32_t)crc32(0L, sector, 432);
    ds_fields_add(fields, "mbr.boot_code", "@iso.system_area", "MBR boot code (bytes 0-431)", 0,
                  sector, 432, "CRC32 %08" PRIx32, crc);
    ds_fields_add(fields, "mbr.boot_image_lba", "@iso.mbr.boot_image_lba",
                  "isohybrid boot image LBA (bytes 432-439)", 432, sector + 432, 8,
                  "%" PRIu64 " (512-byte sectors; ISO block %" PRIu64 ")", ds_le64(sector + 432),
                  ds_le64(sector + 432) / 4);
    ds_fields_add(fields, "mbr.disk_id", "@iso.mbr.disk_id", "MBR disk signature", 440,
                  sector + 440, 4, "0x%08" PRIx32, ds_le32(sector + 440));
    ds_fields_add(fields, "mbr.reserved", "@iso.system_area", "bytes 444-445", 444, sector + 444,
                  2, "%02x %02x", sector[444], sector[445]);
    for (int i = 0; i < 4; i++) {
        const unsigned char *e = sector + 446 + 16 * i;
        char key[64], label[64];
        snprintf(key, sizeof key, "mbr.partition%d", i + 1);
        snprintf(label, sizeof label, "MBR partition %d", i + 1);
        if (e[4] == 0 && ds_le32(e + 8) == 0 && ds_le32(e + 12) == 0) {
            ds_fields_add(fields, key, "@iso.mbr.partition", label, 446 + 16 * (uint64_t)i, e, 16,
                          "empty");
            continue;
        }
        ds_fields_add(fields, key, "@iso.mbr.partition", label, 446 + 16 * (uint64_t)i, e, 16,
                      "status 0x%02x, type 0x%02x (%s), start LBA %" PRIu32 ", %" PRIu32
                      " sectors (%" PRIu64 " bytes)",
                      e[0], e[4], mbr_type_name(e[4]), ds_le32(e + 8), ds_le32(e + 12),
                      (uint64_t)ds_le32(e + 12) * 512);
    }
    return true;
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
 * offset of the array; an out-of-range count or size also adds the unchecked entries CRC. */
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
        ds_fields_add(fields, key, "@gpt.crc", "partition entries CRC32", at + 88, header + 88, 4,
                      "0x%08" PRIx32 " (not checked: %u entries of %u bytes is out of range)",
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
                             uint64_t entry_at, const unsigned char *entry)
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
    snprintf(key, sizeof key, "%s.entry%u.lbas", prefix, i + 1);
    snprintf(label, sizeof label, "partition %u LBAs", i + 1);
    ds_fields_add(fields, key, "@gpt.partition", label, entry_at + 32, entry + 32, 16,
                  "%" PRIu64 "..%" PRIu64, ds_le64(entry + 32), ds_le64(entry + 40));
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

/* Reads the count entries of entry_size bytes from entries_at, folding them into *crc; adds
 * the fields of each used one when `entries` is set. */
static int gpt_entries_read(ds_source_t *src, ds_fields_t *fields, const char *prefix,
                            uint64_t entries_at, uint32_t count, uint32_t entry_size,
                            bool entries, uLong *crc, ds_error_t *err)
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
        if (entries && used)
            gpt_entry_fields(fields, prefix, i, entry_at, entry);
    }
    free(entry);
    return rc;
}

/* Decodes one header (primary or backup) at byte offset `at`; prefix is "gpt" or "gpt.backup". */
static int gpt_header_decode(ds_source_t *src, uint64_t at, const char *prefix, bool entries,
                             ds_fields_t *fields, ds_error_t *err)
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
                          ds_le32(header + 84), entries, &crc, err);
    uint32_t stored_entries_crc = ds_le32(header + 88);
    snprintf(key, sizeof key, "%s.entries_crc", prefix);
    if (rc == DS_OK)
        ds_fields_add(fields, key, "@gpt.crc", "partition entries CRC32", at + 88, header + 88, 4,
                      "0x%08" PRIx32 " (%s)", stored_entries_crc,
                      (uint32_t)crc == stored_entries_crc ? "valid" : "INVALID");
    return rc;
}

int ds_gpt_decode(ds_source_t *src, ds_fields_t *fields, ds_error_t *err)
{
    unsigned char header[DS_GPT_BLOCK];
    if (ds_source_size(src) < 2 * DS_GPT_BLOCK) {
        ds_fields_add(fields, "gpt.signature", "@gpt.header", "GPT signature", 512, NULL, 0,
                      "absent: image too small");
        return DS_OK;
    }
    int rc = gpt_header_decode(src, DS_GPT_BLOCK, "gpt", true, fields, err);
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
    return gpt_header_decode(src, backup_lba * DS_GPT_BLOCK, "gpt.backup", false, fields, err);
}
