#include "boot_catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *platform_name(unsigned id)
{
    switch (id) {
    case 0x00: return "x86 BIOS";
    case 0x01: return "PowerPC";
    case 0x02: return "Mac";
    case 0xEF: return "EFI";
    default: return "unknown";
    }
}

static const char *media_name(unsigned type)
{
    switch (type & 0x0F) {
    case 0: return "no emulation";
    case 1: return "1.2M diskette";
    case 2: return "1.44M diskette";
    case 3: return "2.88M diskette";
    case 4: return "hard disk";
    default: return "invalid";
    }
}

static void boot_entry(ds_fields_t *fields, const char *name, const char *label, uint64_t at,
                       const unsigned char *e)
{
    char key[96];
    snprintf(key, sizeof key, "boot_catalog.%s", name);
    ds_fields_add(fields, key, "@iso.boot_catalog", label, at, e, 32,
                  "%s, %s, load segment 0x%04x, system type 0x%02x, load size %u sectors, "
                  "image LBA %" PRIu32,
                  e[0] == 0x88 ? "bootable" : (e[0] == 0 ? "not bootable" : "invalid indicator"),
                  media_name(e[1]), ds_le16(e + 2), e[4], ds_le16(e + 6), ds_le32(e + 8));
}

int ds_boot_catalog_decode(ds_source_t *src, uint32_t lba, ds_fields_t *fields, ds_error_t *err)
{
    unsigned char catalog[2048];
    uint64_t at = (uint64_t)lba * 2048;
    int rc = ds_source_read(src, at, catalog, sizeof catalog, "El Torito boot catalog", err);
    if (rc != DS_OK)
        return rc;
    uint16_t sum = 0;
    for (int i = 0; i < 32; i += 2)
        sum = (uint16_t)(sum + ds_le16(catalog + i));
    if (catalog[0] != 1 || catalog[30] != 0x55 || catalog[31] != 0xAA || sum != 0)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: El Torito: no valid validation entry at byte %" PRIu64
                            " (LBA %" PRIu32 ")",
                            ds_source_label(src), at, lba);
    char id[32];
    ds_format_padded_text(catalog + 4, 24, id, sizeof id);
    ds_fields_add(fields, "boot_catalog.validation", "@iso.boot_catalog", "validation entry", at,
                  catalog, 32, "platform %s (0x%02x), id \"%s\", checksum 0x%04x",
                  platform_name(catalog[1]), catalog[1], id, ds_le16(catalog + 28));
    boot_entry(fields, "default", "initial/default entry", at + 32, catalog + 32);

    unsigned section = 0;
    unsigned index = 2;
    while (index < DS_BOOT_CATALOG_MAX_ENTRIES) {
        const unsigned char *h = catalog + 32 * index;
        if (h[0] != 0x90 && h[0] != 0x91)
            break;
        section++;
        char key[96], label[64];
        unsigned count = ds_le16(h + 2);
        ds_format_padded_text(h + 4, 28, id, sizeof id);
        snprintf(key, sizeof key, "boot_catalog.section%u", section);
        snprintf(label, sizeof label, "section %u header", section);
        ds_fields_add(fields, key, "@iso.boot_catalog", label, at + 32 * index, h, 32,
                      "platform %s (0x%02x), %u entries, id \"%s\"%s", platform_name(h[1]), h[1],
                      count, id, h[0] == 0x91 ? ", last section" : "");
        index++;
        for (unsigned j = 0; j < count && index < DS_BOOT_CATALOG_MAX_ENTRIES; j++, index++) {
            snprintf(key, sizeof key, "section%u.entry%u", section, j + 1);
            snprintf(label, sizeof label, "section %u entry %u", section, j + 1);
            boot_entry(fields, key, label, at + 32 * index, catalog + 32 * index);
        }
        if (h[0] == 0x91)
            break;
    }
    return DS_OK;
}
