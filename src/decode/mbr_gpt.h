/* The hybrid system area: the MBR of an isohybrid image (UEFI 2.10 section 5.1: disk signature
 * at byte 440, four 16-byte partition entries from 446, 0x55AA at 510) and the GUID partition
 * table (UEFI 2.10 section 5.3: header at LBA 1 of 512-byte blocks, "EFI PART", header CRC32 at
 * 16 over header_size bytes with the CRC zeroed, disk GUID at 56, entry array LBA at 72, entry
 * count at 80, entry size at 84, entry array CRC32 at 88; the backup header at the LBA the
 * primary names at 32). */
#ifndef DS_MBR_GPT_H
#define DS_MBR_GPT_H

#include <stdbool.h>

#include "../util/source.h"
#include "fields.h"

#define DS_GPT_BLOCK 512u
#define DS_GPT_MAX_ENTRIES 1024u    /* xorriso writes 248; the UEFI minimum array is 128 */
#define DS_GPT_MAX_ENTRY_SIZE 4096u /* a power of two >= 128 */

/* Decodes the MBR in the first 512 bytes of the image. Adds "mbr.*" fields; a sector without
 * the 0x55AA signature adds only "mbr.signature" saying so. Returns true when an MBR is present. */
bool ds_mbr_decode(const unsigned char sector[512], ds_fields_t *fields);

/* Decodes the primary GPT (header at byte 512 and its entries) and the backup header it names,
 * reading through src. Adds "gpt.*" and "gpt.backup.*" fields, CRCs checked. Returns 0 also
 * when there is no GPT (then only "gpt.signature" is added), or an error for a GPT whose
 * header names data outside the image. */
int ds_gpt_decode(ds_source_t *src, ds_fields_t *fields, ds_error_t *err);

#endif
