/* The El Torito boot catalog (El Torito 1.0, section 2: 32-byte entries; a validation entry
 * whose 16-bit words sum to zero and that ends in 55 AA, the initial/default entry, then section
 * headers 0x90 (more follow) / 0x91 (last), each followed by its section entries). */
#ifndef DS_BOOT_CATALOG_H
#define DS_BOOT_CATALOG_H

#include <stdint.h>

#include "../util/source.h"
#include "fields.h"

#define DS_BOOT_CATALOG_MAX_ENTRIES 64u /* entries read (one 2048-byte sector holds 64) */

/* Reads the catalog at 2048-byte block `lba` and adds "boot_catalog.*" fields, all with location
 * "@iso.boot_catalog". Returns 0, or an error for a catalog outside the image or without a
 * valid validation entry (fields decoded so far stay). */
int ds_boot_catalog_decode(ds_source_t *src, uint32_t lba, ds_fields_t *fields, ds_error_t *err);

#endif
