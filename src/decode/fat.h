/* FAT12/16/32 images (Microsoft FAT specification, 2005: BPB at byte 11, FAT12/16 extended
 * fields from byte 36 with the volume id at 39 and label at 43, FAT32 from byte 36 with the
 * root cluster at 44, volume id at 67 and label at 71; the FAT type follows from the cluster
 * count; 32-byte directory entries with long-name entries (attribute 0x0F) before them).
 * Decoded through a ds_source_t: the boot sector as fields, every directory entry with its
 * times, and a SHA-256 of each file's cluster chain. */
#ifndef DS_FAT_H
#define DS_FAT_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/source.h"
#include "fields.h"

#define DS_FAT_MAX_ENTRIES 65536u
#define DS_FAT_MAX_DEPTH 16u

typedef struct ds_fat_entry {
    char path[512];      /* "/EFI/boot/bootx64.efi" */
    bool directory;
    uint8_t attributes;
    uint16_t create_time, create_date, access_date, write_time, write_date;
    uint8_t create_tenths;
    uint32_t size;
    unsigned char sha256[32]; /* files: the data; directories: zero */
    size_t order;        /* position in its directory */
} ds_fat_entry_t;

typedef struct ds_fat {
    int type;            /* 12, 16 or 32 */
    ds_fields_t fields;  /* boot sector: "fat.*", locations "@fat.*" */
    ds_fat_entry_t *entries; /* sorted by path */
    size_t count;
} ds_fat_t;

/* True when src looks like a FAT file system (boot signature and a sane BPB). */
bool ds_fat_probe(ds_source_t *src);
/* Reads the boot sector and walks every directory. Entries read before an error stay. */
int ds_fat_open(ds_source_t *src, ds_fat_t *fat, ds_error_t *err);
void ds_fat_free(ds_fat_t *fat);

/* "2023-11-14 22:13:20" from a FAT date and time (time may be 0 for dates alone). */
void ds_fat_format_time(uint16_t date, uint16_t time, char *buf, size_t size);

#endif
