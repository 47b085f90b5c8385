/* The hybrid system area: the MBR of an isohybrid image (UEFI 2.10 section 5.1: disk signature
 * at byte 440, four 16-byte partition entries from 446, 0x55AA at 510) and the GUID partition
 * table (UEFI 2.10 section 5.3: header at LBA 1 of 512-byte blocks, "EFI PART", header CRC32 at
 * 16 over header_size bytes with the CRC zeroed, disk GUID at 56, entry array LBA at 72, entry
 * count at 80, entry size at 84, entry array CRC32 at 88; the backup header at the LBA the
 * primary names at 32). */
#ifndef DS_MBR_GPT_H
#define DS_MBR_GPT_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/source.h"
#include "fields.h"

#define DS_GPT_BLOCK 512u
#define DS_GPT_MAX_ENTRIES 1024u    /* xorriso writes 248; the UEFI minimum array is 128 */
#define DS_GPT_MAX_ENTRY_SIZE 4096u /* a power of two >= 128 */

/* How the fields are named. DS_MBR_GPT_ISO: as the ISO header stage reports them
 * ("@iso.mbr.disk_id", "@gpt.partition", ...; bytes 432-439 the isohybrid boot image LBA; a
 * partition's LBAs one field "gpt.entryN.lbas"). DS_MBR_GPT_DISK: as the disk image format does,
 * every field at "@disk.<key>" ("@disk.gpt.entry1.name"), the boot code over bytes 0-439, the
 * first and last LBA of a partition apart ("gpt.entryN.first_lba", "gpt.entryN.last_lba").
 * In both the CRCs are marked derived: they follow from the bytes they cover. */
typedef enum ds_mbr_gpt_style {
    DS_MBR_GPT_ISO,
    DS_MBR_GPT_DISK,
} ds_mbr_gpt_style_t;

#define DS_MBR_MAX_LOGICAL 128u /* logical partitions followed along an EBR chain */

/* Decodes the MBR in the first 512 bytes of the image. Adds "mbr.*" fields; a sector without
 * the 0x55AA signature adds only "mbr.signature" saying so. Returns true when an MBR is present. */
bool ds_mbr_decode(const unsigned char sector[512], ds_fields_t *fields);

/* Decodes the primary GPT (header at byte 512 and its entries) and the backup header it names,
 * reading through src. Adds "gpt.*" and "gpt.backup.*" fields, CRCs checked. Returns 0 also
 * when there is no GPT (then only "gpt.signature" is added), or an error for a GPT whose
 * header names data outside the image. */
int ds_gpt_decode(ds_source_t *src, ds_fields_t *fields, ds_error_t *err);

/* The same two, naming the fields in the given style. */
bool ds_mbr_decode_as(const unsigned char sector[512], ds_fields_t *fields, ds_mbr_gpt_style_t style);
int ds_gpt_decode_as(ds_source_t *src, ds_fields_t *fields, ds_mbr_gpt_style_t style, ds_error_t *err);

/* One partition of a disk image, as its table records it (not checked against the image). */
typedef struct ds_partition {
    uint32_t number;        /* 1-based: the GPT entry, the MBR slot (1-4), a logical one (5-) */
    uint64_t first_lba;     /* 512-byte sectors */
    uint64_t sectors;       /* >= 1 */
    uint64_t record_offset; /* byte of its table entry in the image */
} ds_partition_t;

typedef struct ds_partitions {
    ds_partition_t *items; /* owned; in table order */
    size_t count, capacity;
    bool gpt;              /* read from the GPT (a protective MBR and "EFI PART" at LBA 1) */
} ds_partitions_t;

/* Lists the partitions of a disk image (*parts zeroed by the caller): the used entries of the
 * primary GPT when the MBR protects one, else the MBR's primary partitions and the logical
 * ones along its extended partition's EBR chain (at most DS_MBR_MAX_LOGICAL). An entry whose
 * LBAs are no range (first 0, or last before first) is left out; its fields show it. When
 * fields is not NULL the EBRs are added to it ("@disk.mbr.logical5", ...). Returns an error
 * naming the offset for a table that names data outside the image or breaks a limit; the
 * partitions listed until then are kept. Free with ds_partitions_free in every case. */
int ds_disk_partitions_read(ds_source_t *src, ds_partitions_t *parts, ds_fields_t *fields,
                            ds_error_t *err);
void ds_partitions_free(ds_partitions_t *parts);

#endif
