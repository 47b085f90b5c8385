/* FAT12/16/32 images as a container format (the EFI system partition's efi.img).
 *
 * Microsoft Extensible Firmware Initiative FAT32 File System Specification, version 1.03
 * (2000; the "FAT specification", also published in 2005): the BPB at byte 11 of the boot
 * sector, the FAT12/16 extended fields from byte 36 with the volume id at 39 and the label at
 * 43, the FAT32 ones from byte 36 with the root cluster at 44, the volume id at 67 and the label
 * at 71; the FAT type follows from the count of data clusters (below 4085: FAT12, below 65525:
 * FAT16); 32-byte directory entries, long-name entries (attribute 0x0F, ordinal and checksum of
 * their short name) before them; a cluster chain ends at an entry of 0xFF8 (FAT12), 0xFFF8
 * (FAT16) or 0x0FFFFFF8 (FAT32, low 28 bits) and above.
 *
 * Names as Linux vfat shows them (fs/fat/dir.c, the default shortname=mixed, codepage 437 and
 * iocharset utf8): the long name when its entries are complete and their checksum matches the
 * short entry, else the 8.3 name, trailing spaces dropped, with the lower-case flags Windows NT
 * keeps in byte 12 of the short entry (0x08: the base name, 0x10: the extension) applied; a
 * first byte 0x05 stands for 0xE5. Short-name bytes above 0x7F are code page 437; a '/' and a
 * NUL, which no name may hold, are written \u002f and \u0000.
 *
 * Fields: the boot sector (OEM name, geometry, volume id and label), offsets relative to the
 * image. Entries: every file and directory, with its write time as mtime (FAT keeps local time
 * without a zone: taken as UTC), all three times as mtime_text, its position in its directory
 * as index, the offset of its short entry as record_offset and, for files, the SHA-256 of its
 * cluster chain. A file's content is read from its cluster chain on demand (no copy).
 *
 * Damage met while listing (a chain that leaves the volume, loops or does not end with the
 * file) is reported after the listing, which goes on past it; the limits in fat_internal.h end it.
 *
 * This file is the format (the boot sector, ds_format_fat); fat_walk.c, its private helper,
 * walks the directories, decodes the names and follows the cluster chains. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fat_internal.h"

static bool geometry_read(const unsigned char *b, uint64_t size, fat_geometry_t *g, int *type)
{
    memset(g, 0, sizeof *g);
    g->bytes_per_sector = ds_le16(b + 11);
    g->sectors_per_cluster = b[13];
    g->reserved = ds_le16(b + 14);
    g->fats = b[16];
    g->root_entries = ds_le16(b + 17);
    g->total_sectors = ds_le16(b + 19) ? ds_le16(b + 19) : ds_le32(b + 32);
    g->fat_size = ds_le16(b + 22) ? ds_le16(b + 22) : ds_le32(b + 36);
    uint32_t bps = g->bytes_per_sector;
    if ((bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) || g->sectors_per_cluster == 0 ||
        (g->sectors_per_cluster & (g->sectors_per_cluster - 1)) != 0 || g->reserved == 0 || g->fats == 0 ||
        g->fats > 4 || g->fat_size == 0 || g->total_sectors == 0)
        return false;
    uint64_t root_sectors = ((uint64_t)g->root_entries * 32 + bps - 1) / bps;
    uint64_t meta = g->reserved + (uint64_t)g->fats * g->fat_size + root_sectors;
    if (meta >= g->total_sectors || (uint64_t)g->total_sectors * bps > size)
        return false;
    g->clusters = (uint32_t)((g->total_sectors - meta) / g->sectors_per_cluster);
    *type = g->clusters < 4085 ? 12 : g->clusters < 65525 ? 16 : 32;
    g->fat_offset = (uint64_t)g->reserved * bps;
    g->fat_end = g->fat_offset + (uint64_t)g->fat_size * bps;
    g->root_offset = g->fat_offset + (uint64_t)g->fats * g->fat_size * bps;
    g->data_offset = g->root_offset + root_sectors * bps;
    g->cluster_bytes = (uint64_t)g->sectors_per_cluster * bps;
    g->root_cluster = *type == 32 ? ds_le32(b + 44) : 0;
    return true;
}

/* The boot signature and a sane BPB. */
static int fat_bid(ds_source_t *src)
{
    unsigned char b[512];
    fat_geometry_t g;
    int type;
    return ds_source_size(src) >= 512 && ds_source_read(src, 0, b, 512, "fat", NULL) == DS_OK && b[510] == 0x55 &&
                   b[511] == 0xAA && geometry_read(b, ds_source_size(src), &g, &type)
               ? 70
               : 0;
}

static int fat_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    *state = NULL;
    fat_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->how = *how;
    int rc = ds_source_read(src, 0, s->boot, sizeof s->boot, "FAT boot sector", err);
    if (rc == DS_OK && !geometry_read(s->boot, ds_source_size(src), &s->g, &s->type))
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: FAT: the boot sector's geometry is not valid", ds_source_label(src));
    if (rc != DS_OK) {
        free(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

static void fat_close(void *state) { free(state); }

static int fat_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    fat_state_t *s = state;
    const unsigned char *b = s->boot;
    char text[64];
    ds_format_padded_text(b + 3, 8, text, sizeof text);
    ds_fields_add(fields, "fat.oem_name", "@fat.oem_name", "OEM name", 3, b + 3, 8, "\"%s\"", text);
    ds_fields_add(fields, "fat.geometry", "@fat.geometry", "geometry", 11, b + 11, 25,
                  "FAT%d, %" PRIu32 " bytes/sector, %" PRIu32 " sectors/cluster, %" PRIu32 " clusters", s->type,
                  s->g.bytes_per_sector, s->g.sectors_per_cluster, s->g.clusters);
    unsigned id_at = s->type == 32 ? 67 : 39, label_at = s->type == 32 ? 71 : 43;
    ds_fields_add(fields, "fat.volume_id", "@fat.volume_id", "volume id", id_at, b + id_at, 4, "%04X-%04X",
                  ds_le16(b + id_at + 2), ds_le16(b + id_at));
    ds_format_padded_text(b + label_at, 11, text, sizeof text);
    ds_fields_add(fields, "fat.volume_label", "@fat.volume_label", "volume label", label_at, b + label_at, 11,
                  "\"%s\"", text);
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

static int fat_entries(void *state, ds_tree_t *tree, ds_error_t *err) { return ds_fat_walk(state, tree, err); }

/* --- content ------------------------------------------------------------------------------- */

typedef struct content {
    fat_chain_t chain;
    uint64_t size;
    char *path;
} content_t;

static void content_release(void *ctx)
{
    content_t *c = ctx;
    free(c->path);
    free(c);
}

static int content_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    content_t *c = ctx;
    const fat_state_t *f = c->chain.fat;
    *got = 0;
    if (offset >= c->size)
        return DS_OK;
    if (len > c->size - offset)
        len = (size_t)(c->size - offset);
    while (*got < len) {
        uint64_t pos = offset + *got;
        int rc = ds_fat_chain_seek(&c->chain, pos / f->g.cluster_bytes, err);
        if (rc != DS_OK)
            return rc;
        uint64_t in = pos % f->g.cluster_bytes, left = f->g.cluster_bytes - in;
        size_t n = left < len - *got ? (size_t)left : len - *got;
        rc = ds_source_read(f->src, ds_fat_cluster_offset(f, c->chain.cluster) + in, (unsigned char *)buf + *got, n,
                            "FAT cluster", err);
        if (rc != DS_OK)
            return rc;
        *got += n;
    }
    return DS_OK;
}

static int fat_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    fat_state_t *s = state;
    *out = NULL;
    unsigned char e[32];
    if (entry->type != DS_ENTRY_FILE)
        return ds_error_set(err, DS_ERR_USAGE, "%s: FAT: %s is not a file", ds_source_label(s->src), entry->path);
    int rc = ds_source_read(s->src, entry->record_offset, e, sizeof e, "FAT directory entry", err);
    if (rc != DS_OK)
        return rc;
    content_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    c->chain.fat = s;
    c->size = ds_le32(e + 28);
    c->path = strdup(entry->path);
    c->chain.what = c->path;
    uint32_t first = ds_le16(e + 26) | (s->type == 32 ? (uint32_t)ds_le16(e + 20) << 16 : 0);
    rc = c->path == NULL ? ds_error_set(err, DS_ERR_NOMEM, "out of memory")
         : c->size > 0   ? ds_fat_chain_check_file(&c->chain, first, c->size, entry->record_offset, err)
                         : DS_OK;
    if (rc != DS_OK) {
        content_release(c);
        return rc;
    }
    return ds_source_open_owned(out, content_read, content_release, c, c->size, ds_source_label(s->src), err);
}

const ds_format_t ds_format_fat = {
    .name = "fat",
    .kind = DS_FORMAT_CONTAINER,
    .summary = "FAT12/16/32 image (efi.img): boot sector fields, files and directories named as Linux vfat "
               "shows them, with their times and cluster-chain content",
    .bid = fat_bid,
    .open = fat_open,
    .close = fat_close,
    .fields = fat_fields,
    .entries = fat_entries,
    .open_entry = fat_open_entry,
};
