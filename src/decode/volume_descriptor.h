/* ISO 9660 (ECMA-119) volume descriptor set, Joliet and the El Torito boot record, decoded
 * field by field. Layout: ECMA-119 2nd ed. section 8 (volume descriptors from sector 16,
 * 2048-byte sectors, terminated by type 255), 8.4 (primary), 8.5 (supplementary; Joliet is an
 * SVD whose escape sequences at byte 88 are %/@, %/C or %/E), 8.4.26.1 (17-byte dates);
 * El Torito 1.0 section 2.0 (boot record: catalog LBA at byte 71). */
#ifndef DS_VOLUME_DESCRIPTOR_H
#define DS_VOLUME_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/source.h"
#include "fields.h"

#define DS_ISO_SECTOR 2048u
#define DS_ISO_FIRST_DESCRIPTOR_SECTOR 16u
#define DS_ISO_MAX_DESCRIPTORS 64u /* a real set has 3 to 5; beyond this it is not a set */

typedef struct ds_volume_info {
    unsigned descriptor_count;     /* descriptors read, the terminator included */
    bool terminated;               /* a type-255 terminator was found */
    bool has_primary;
    unsigned char primary_root[34]; /* the PVD's root directory record */
    uint32_t volume_space_size;     /* blocks, from the PVD */
    uint16_t logical_block_size;
    bool has_joliet;
    bool has_boot_record;
    uint32_t boot_catalog_lba;
} ds_volume_info_t;

/* True for a supplementary descriptor (type 2) whose escape sequences at byte 88 are a Joliet
 * level: %/@, %/C or %/E. */
bool ds_volume_descriptor_is_joliet(const unsigned char *sector);

/* Decodes the 17-byte date "YYYYMMDDhhmmsscc" + GMT offset (15-minute units). Writes a readable
 * form into buf ("2023-11-14 22:13:20.00 UTC", "not set", or "invalid: ..."), and the UTC time
 * into *utc when it is set and valid. Returns 1 set and valid, 0 not set, -1 invalid. */
int ds_iso_date17_decode(const unsigned char *p, char *buf, unsigned long size, int64_t *utc);

/* Decodes the 7-byte directory-record date (years since 1900, month, day, hour, minute, second,
 * GMT offset). Returns 0 and *utc, or -1 when a field is out of range. */
int ds_iso_date7_decode(const unsigned char *p, int64_t *utc);

/* Decodes one descriptor sector (at absolute byte offset) into fields, with keys prefixed by
 * its kind: "pvd.", "joliet.", "svd.", "boot_record.", "terminator." (an index is added when a
 * kind repeats, via `ordinal` > 0). Updates info. Returns 0, or DS_ERR_FORMAT when the sector is
 * not a volume descriptor (no "CD001"). */
int ds_volume_descriptor_decode(const unsigned char *sector, uint64_t offset, unsigned ordinal,
                                ds_fields_t *fields, ds_volume_info_t *info, ds_error_t *err);

/* Reads and decodes the whole set from sector 16 of src up to the terminator. Fields decoded
 * before an error stay in `fields`. */
int ds_volume_descriptors_read(ds_source_t *src, ds_fields_t *fields, ds_volume_info_t *info,
                               ds_error_t *err);

#endif
