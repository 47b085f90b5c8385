/* GPT and MBR disk images as a container format: the partition table as fields, the partitions
 * as entries whose content is their byte range of the image (a slice, no copy), so that the
 * comparer opens the file system inside (FAT, squashfs, ...).
 *
 * UEFI Specification 2.10, chapter 5 "GUID Partition Table (GPT) Disk Layout": the legacy MBR
 * (5.2.1: disk signature at byte 440, four 16-byte partition records from byte 446, 0x55AA at
 * 510), the protective MBR (5.2.3: a record of type 0xEE) and the GPT header and entry array
 * (5.3), all read by decode/mbr_gpt.c, the decoder the ISO header stage reads the system area
 * with. Logical partitions follow the extended partition's EBR chain. 512-byte sectors only.
 *
 * Entries are named "/p<N>", N the number Linux gives the partition (sda<N>): the GPT entry's
 * position in the array, the MBR slot 1-4, 5 and up along the EBR chain. Not the GPT partition
 * name: names may be empty or repeated, and a renamed partition would pair as one removed and
 * one added and never be opened; the name is a field ("@disk.gpt.entry1.name").
 *
 * Fields, at "@disk.<key>": the MBR (disk id "@disk.mbr.disk_id", boot code, the four records,
 * the EBRs "@disk.mbr.logical5"...), the primary GPT header ("@disk.gpt.disk_guid",
 * "@disk.gpt.header_crc", "@disk.gpt.entries_crc", ...), each used entry
 * ("@disk.gpt.entry1.unique_guid", type_guid, first_lba, last_lba, attributes, name) and the
 * backup header ("@disk.gpt.backup.*"). The CRCs are marked derived. A table the decoder cannot
 * read whole (a backup header past the end of a truncated image) is the field
 * "@disk.gpt.damage" (or "@disk.mbr.damage") holding the decoder's message.
 *
 * The bid leaves ISO 9660 hybrids to iso9660 (their MBR and GPT belong to the ISO) and boot
 * sectors of file systems (FAT's efi.img ends in 0x55AA too) to their formats. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/mbr_gpt.h"
#include "internal.h"

#define DS_DISK_SECTOR 512u
#define DS_DISK_BID_GPT 80        /* below iso9660 (90), which a hybrid ISO must go to */
#define DS_DISK_BID_MBR 50        /* below fat (70): an MBR alone is weak evidence */
#define DS_DISK_ISO_MAGIC_AT 32769u /* "CD001" of the first ISO 9660 volume descriptor */

typedef struct disk_state {
    ds_source_t *src;
    ds_partitions_t parts;
} disk_state_t;

/* A file system's boot sector (FAT, NTFS, exFAT): a jump, then a plausible BPB. */
static bool boot_sector_like(const unsigned char *b)
{
    if (!((b[0] == 0xEB && b[2] == 0x90) || b[0] == 0xE9))
        return false;
    if (memcmp(b + 3, "NTFS    ", 8) == 0 || memcmp(b + 3, "EXFAT   ", 8) == 0)
        return true;
    unsigned bps = ds_le16(b + 11), spc = b[13];
    return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 && (spc & (spc - 1)) == 0 &&
           ds_le16(b + 14) != 0 && b[16] >= 1 && b[16] <= 4;
}

/* Four records a partitioning tool could have written: status 0x00 or 0x80, an empty record all
 * zero in its type and extent, a used one a range starting inside the image for at least one,
 * no two used ones overlapping. */
static bool mbr_records_sane(const unsigned char *b, uint64_t size, bool *protective)
{
    uint64_t start[4], end[4], lbas = size / DS_DISK_SECTOR;
    unsigned used = 0;
    bool inside = false;
    for (int i = 0; i < 4; i++) {
        const unsigned char *e = b + 446 + 16 * i;
        uint32_t first = ds_le32(e + 8), count = ds_le32(e + 12);
        if (e[0] != 0x00 && e[0] != 0x80)
            return false;
        if (e[4] == 0) {
            if (first != 0 || count != 0)
                return false;
            continue;
        }
        if (first == 0 || count == 0)
            return false;
        *protective = *protective || e[4] == 0xee;
        inside = inside || first < lbas;
        start[used] = first;
        end[used] = (uint64_t)first + count;
        for (unsigned k = 0; k < used; k++)
            if (start[used] < end[k] && start[k] < end[used])
                return false;
        used++;
    }
    return used > 0 && inside;
}

static int disk_bid(ds_source_t *src)
{
    unsigned char b[DS_DISK_SECTOR];
    bool protective = false;
    if (ds_source_size(src) < DS_DISK_SECTOR || ds_source_read(src, 0, b, sizeof b, "disk", NULL) != DS_OK ||
        b[510] != 0x55 || b[511] != 0xAA)
        return 0;
    if (ds_source_has_magic(src, DS_DISK_ISO_MAGIC_AT, "CD001", 5) || boot_sector_like(b) ||
        !mbr_records_sane(b, ds_source_size(src), &protective))
        return 0;
    return protective && ds_source_has_magic(src, DS_DISK_SECTOR, "EFI PART", 8) ? DS_DISK_BID_GPT : DS_DISK_BID_MBR;
}

static void disk_close(void *state)
{
    disk_state_t *s = state;
    if (s == NULL)
        return;
    ds_partitions_free(&s->parts);
    free(s);
}

static int disk_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    (void)how;
    *state = NULL;
    disk_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    /* Checks the signature, the GPT entry array against the image and the EBR chain. */
    int rc = ds_disk_partitions_read(src, &s->parts, NULL, err);
    if (rc != DS_OK) {
        disk_close(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

/* A table the decoder could not read whole: its message, as a field of no bytes (compared by
 * presence; the message names the input, which differs between the sides). */
static void damage_field(ds_fields_t *fields, const char *key, const char *message)
{
    char location[64];
    snprintf(location, sizeof location, "@disk.%s", key);
    ds_fields_add(fields, key, location, "table damage", DS_DISK_SECTOR, NULL, 0, "%s", message);
}

static int disk_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    disk_state_t *s = state;
    unsigned char sector[DS_DISK_SECTOR];
    int rc = ds_source_read(s->src, 0, sector, sizeof sector, "MBR", err);
    if (rc != DS_OK)
        return rc;
    ds_mbr_decode_as(sector, fields, DS_MBR_GPT_DISK);
    ds_error_t damage = {0};
    if (ds_gpt_decode_as(s->src, fields, DS_MBR_GPT_DISK, &damage) != DS_OK)
        damage_field(fields, "gpt.damage", damage.message);
    if (!s->parts.gpt) {
        ds_partitions_t logical = {0};
        ds_error_clear(&damage);
        if (ds_disk_partitions_read(s->src, &logical, fields, &damage) != DS_OK)
            damage_field(fields, "mbr.damage", damage.message);
        ds_partitions_free(&logical);
    }
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

static int disk_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    disk_state_t *s = state;
    for (size_t i = 0; i < s->parts.count; i++) {
        const ds_partition_t *p = &s->parts.items[i];
        char path[16];
        snprintf(path, sizeof path, "/p%" PRIu32, p->number);
        ds_entry_t *e = ds_tree_append(tree);
        if (e == NULL || (e->path = strdup(path)) == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        e->type = DS_ENTRY_FILE;
        e->index = (uint32_t)i;
        /* A size past what 64 bits hold is no image's: opening it says so. */
        e->size = p->sectors <= UINT64_MAX / DS_DISK_SECTOR ? p->sectors * DS_DISK_SECTOR : UINT64_MAX;
        e->record_offset = p->record_offset;
    }
    return DS_OK;
}

static int disk_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    disk_state_t *s = state;
    *out = NULL;
    if (entry->index >= s->parts.count)
        return ds_error_set(err, DS_ERR_USAGE, "%s: disk: %s is not a partition of this image", ds_source_label(s->src),
                            entry->path);
    const ds_partition_t *p = &s->parts.items[entry->index];
    uint64_t lbas = ds_source_size(s->src) / DS_DISK_SECTOR;
    if (p->first_lba > lbas || p->sectors > lbas - p->first_lba)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: disk: partition %s (LBA %" PRIu64 ", %" PRIu64 " sectors; table entry at byte %" PRIu64
                            ") runs past the end of the image (%" PRIu64 " bytes): truncated?",
                            ds_source_label(s->src), entry->path, p->first_lba, p->sectors, p->record_offset,
                            ds_source_size(s->src));
    return ds_source_open_slice(out, s->src, p->first_lba * DS_DISK_SECTOR, p->sectors * DS_DISK_SECTOR, entry->path,
                                err);
}

const ds_format_t ds_format_disk = {
    .name = "disk",
    .kind = DS_FORMAT_CONTAINER,
    .summary = "GPT/MBR disk image: partition table fields (disk id and GUIDs, types, names, attributes, LBAs, "
               "CRCs, backup header), each partition /pN as its byte range of the image",
    .bid = disk_bid,
    .open = disk_open,
    .close = disk_close,
    .fields = disk_fields,
    .entries = disk_entries,
    .open_entry = disk_open_entry,
};
