#include "fat.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"

typedef struct geometry {
    uint32_t bytes_per_sector, sectors_per_cluster, reserved, fats, root_entries;
    uint32_t fat_size, total_sectors, root_cluster;
    uint64_t fat_offset, root_offset, data_offset, cluster_bytes;
    uint32_t clusters;
} geometry_t;

static bool geometry_read(const unsigned char *b, uint64_t size, geometry_t *g, int *type)
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
    g->root_offset = g->fat_offset + (uint64_t)g->fats * g->fat_size * bps;
    g->data_offset = g->root_offset + root_sectors * bps;
    g->cluster_bytes = (uint64_t)g->sectors_per_cluster * bps;
    g->root_cluster = *type == 32 ? ds_le32(b + 44) : 0;
    return true;
}

bool ds_fat_probe(ds_source_t *src)
{
    unsigned char b[512];
    geometry_t g;
    int type;
    return ds_source_size(src) >= 512 && ds_source_read(src, 0, b, 512, "fat", NULL) == DS_OK &&
           b[510] == 0x55 && b[511] == 0xAA && geometry_read(b, ds_source_size(src), &g, &type);
}

void ds_fat_format_time(uint16_t date, uint16_t time, char *buf, size_t size)
{
    snprintf(buf, size, "%04u-%02u-%02u %02u:%02u:%02u", 1980 + (date >> 9), (date >> 5) & 15, date & 31,
             time >> 11, (time >> 5) & 63, (time & 31) * 2);
}

typedef struct walker {
    ds_source_t *src;
    geometry_t g;
    int type;
    ds_fat_t *fat;
    size_t capacity;
    ds_error_t *err;
} walker_t;

static int next_cluster(walker_t *w, uint32_t cluster, uint32_t *next)
{
    unsigned char e[4] = {0};
    uint64_t at;
    if (w->type == 12) {
        at = w->g.fat_offset + cluster + cluster / 2;
        int rc = ds_source_read(w->src, at, e, 2, "FAT", w->err);
        if (rc != DS_OK)
            return rc;
        uint16_t v = ds_le16(e);
        *next = (cluster & 1) ? v >> 4 : v & 0xFFF;
        if (*next >= 0xFF8)
            *next = 0xFFFFFFFF;
    } else if (w->type == 16) {
        at = w->g.fat_offset + (uint64_t)cluster * 2;
        int rc = ds_source_read(w->src, at, e, 2, "FAT", w->err);
        if (rc != DS_OK)
            return rc;
        *next = ds_le16(e);
        if (*next >= 0xFFF8)
            *next = 0xFFFFFFFF;
    } else {
        at = w->g.fat_offset + (uint64_t)cluster * 4;
        int rc = ds_source_read(w->src, at, e, 4, "FAT", w->err);
        if (rc != DS_OK)
            return rc;
        *next = ds_le32(e) & 0x0FFFFFFF;
        if (*next >= 0x0FFFFFF8)
            *next = 0xFFFFFFFF;
    }
    return DS_OK;
}

/* Reads a cluster chain: calls fn for each cluster's bytes, at most `limit` bytes in all. */
static int read_chain(walker_t *w, uint32_t cluster, uint64_t limit,
                      int (*fn)(void *ctx, const unsigned char *p, size_t n), void *ctx)
{
    unsigned char *buf = malloc(w->g.cluster_bytes);
    if (buf == NULL)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    int rc = DS_OK;
    uint64_t done = 0;
    for (uint32_t steps = 0; cluster != 0xFFFFFFFF && done < limit; steps++) {
        if (cluster < 2 || cluster - 2 >= w->g.clusters || steps > w->g.clusters) {
            rc = ds_error_set(w->err, DS_ERR_FORMAT, "%s: FAT: cluster chain leaves the volume or loops at cluster %" PRIu32,
                              ds_source_label(w->src), cluster);
            break;
        }
        uint64_t at = w->g.data_offset + (uint64_t)(cluster - 2) * w->g.cluster_bytes;
        size_t n = (size_t)(limit - done < w->g.cluster_bytes ? limit - done : w->g.cluster_bytes);
        rc = ds_source_read(w->src, at, buf, n, "FAT cluster", w->err);
        if (rc != DS_OK || (rc = fn(ctx, buf, n)) != DS_OK)
            break;
        done += n;
        rc = next_cluster(w, cluster, &cluster);
        if (rc != DS_OK)
            break;
    }
    free(buf);
    return rc;
}

static int hash_cb(void *ctx, const unsigned char *p, size_t n)
{
    EVP_DigestUpdate(ctx, p, n);
    return DS_OK;
}

typedef struct dir_buffer {
    unsigned char *data;
    size_t len, cap;
} dir_buffer_t;

static int collect_cb(void *ctx, const unsigned char *p, size_t n)
{
    dir_buffer_t *d = ctx;
    if (d->len + n > (4u << 20))
        return DS_ERR_LIMIT;
    if (d->len + n > d->cap) {
        size_t cap = (d->len + n) * 2;
        unsigned char *data = realloc(d->data, cap);
        if (data == NULL)
            return DS_ERR_NOMEM;
        d->data = data;
        d->cap = cap;
    }
    memcpy(d->data + d->len, p, n);
    d->len += n;
    return DS_OK;
}

static int walk_dir(walker_t *w, const unsigned char *dir, size_t len, const char *prefix, unsigned depth)
{
    uint16_t lfn[260];
    int lfn_len = 0;
    size_t order = 0;
    for (size_t at = 0; at + 32 <= len; at += 32) {
        const unsigned char *e = dir + at;
        if (e[0] == 0)
            break;
        if (e[0] == 0xE5) {
            lfn_len = 0;
            continue;
        }
        if (e[11] == 0x0F) {
            unsigned seq = e[0] & 0x1F;
            if (seq == 0 || seq > 20) {
                lfn_len = 0;
                continue;
            }
            static const int offsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
            for (int k = 0; k < 13; k++)
                lfn[(seq - 1) * 13 + k] = ds_le16(e + offsets[k]);
            if (e[0] & 0x40)
                lfn_len = (int)seq * 13;
            continue;
        }
        if (e[11] & 0x08) { /* volume label entry */
            lfn_len = 0;
            continue;
        }
        ds_strbuf_t name = {0};
        if (lfn_len > 0) {
            for (int k = 0; k < lfn_len && lfn[k] != 0 && lfn[k] != 0xFFFF; k++) {
                unsigned cp = lfn[k];
                if (cp < 0x80 && cp >= 0x20 && cp != '/')
                    ds_strbuf_printf(&name, "%c", (char)cp);
                else
                    ds_strbuf_printf(&name, "\\u%04x", cp);
            }
        } else {
            size_t n = 8;
            while (n > 0 && e[n - 1] == ' ')
                n--;
            ds_strbuf_escape_line(&name, (const char *)e, n);
            size_t x = 3;
            while (x > 0 && e[8 + x - 1] == ' ')
                x--;
            if (x > 0) {
                ds_strbuf_puts(&name, ".");
                ds_strbuf_escape_line(&name, (const char *)e + 8, x);
            }
        }
        lfn_len = 0;
        const char *text = ds_strbuf_text(&name);
        if (strcmp(text, ".") == 0 || strcmp(text, "..") == 0 || name.len == 0) {
            ds_strbuf_free(&name);
            continue;
        }
        if (w->fat->count >= DS_FAT_MAX_ENTRIES) {
            ds_strbuf_free(&name);
            return ds_error_set(w->err, DS_ERR_LIMIT, "%s: FAT: more than %u entries", ds_source_label(w->src),
                                DS_FAT_MAX_ENTRIES);
        }
        if (w->fat->count == w->capacity) {
            size_t capacity = w->capacity ? w->capacity * 2 : 64;
            ds_fat_entry_t *entries = realloc(w->fat->entries, capacity * sizeof *entries);
            if (entries == NULL) {
                ds_strbuf_free(&name);
                return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
            }
            w->fat->entries = entries;
            w->capacity = capacity;
        }
        ds_fat_entry_t *entry = &w->fat->entries[w->fat->count++];
        memset(entry, 0, sizeof *entry);
        snprintf(entry->path, sizeof entry->path, "%s/%s", prefix, text);
        ds_strbuf_free(&name);
        entry->attributes = e[11];
        entry->directory = (e[11] & 0x10) != 0;
        entry->create_tenths = e[13];
        entry->create_time = ds_le16(e + 14);
        entry->create_date = ds_le16(e + 16);
        entry->access_date = ds_le16(e + 18);
        entry->write_time = ds_le16(e + 22);
        entry->write_date = ds_le16(e + 24);
        entry->size = ds_le32(e + 28);
        entry->order = order++;
        uint32_t cluster = ((uint32_t)ds_le16(e + 20) << 16) | ds_le16(e + 26);
        if (w->type != 32)
            cluster &= 0xFFFF;
        char path[512];
        memcpy(path, entry->path, sizeof path);
        if (entry->directory) {
            if (depth + 1 > DS_FAT_MAX_DEPTH || cluster < 2)
                continue;
            dir_buffer_t sub = {0};
            int rc = read_chain(w, cluster, (uint64_t)w->g.clusters * w->g.cluster_bytes, collect_cb, &sub);
            if (rc == DS_OK)
                rc = walk_dir(w, sub.data, sub.len, path, depth + 1);
            free(sub.data);
            if (rc != DS_OK)
                return rc;
        } else if (entry->size > 0) {
            EVP_MD_CTX *md = EVP_MD_CTX_new();
            unsigned int n = 0;
            if (md == NULL)
                return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
            EVP_DigestInit_ex(md, EVP_sha256(), NULL);
            size_t index = (size_t)(entry - w->fat->entries);
            int rc = read_chain(w, cluster, entry->size, hash_cb, md);
            EVP_DigestFinal_ex(md, w->fat->entries[index].sha256, &n);
            EVP_MD_CTX_free(md);
            if (rc != DS_OK)
                return rc;
        }
    }
    return DS_OK;
}

static int entry_order(const void *x, const void *y)
{
    return strcmp(((const ds_fat_entry_t *)x)->path, ((const ds_fat_entry_t *)y)->path);
}

int ds_fat_open(ds_source_t *src, ds_fat_t *fat, ds_error_t *err)
{
    memset(fat, 0, sizeof *fat);
    unsigned char b[512];
    int rc = ds_source_read(src, 0, b, sizeof b, "FAT boot sector", err);
    if (rc != DS_OK)
        return rc;
    walker_t w = {.src = src, .fat = fat, .err = err};
    if (!geometry_read(b, ds_source_size(src), &w.g, &w.type))
        return ds_error_set(err, DS_ERR_FORMAT, "%s: FAT: the boot sector's geometry is not valid", ds_source_label(src));
    fat->type = w.type;
    char text[64];
    ds_format_padded_text(b + 3, 8, text, sizeof text);
    ds_fields_add(&fat->fields, "fat.oem_name", "@fat.oem_name", "OEM name", 3, b + 3, 8, "\"%s\"", text);
    ds_fields_add(&fat->fields, "fat.geometry", "@fat.geometry", "geometry", 11, b + 11, 25,
                  "FAT%d, %" PRIu32 " bytes/sector, %" PRIu32 " sectors/cluster, %" PRIu32 " clusters",
                  w.type, w.g.bytes_per_sector, w.g.sectors_per_cluster, w.g.clusters);
    unsigned id_at = w.type == 32 ? 67 : 39, label_at = w.type == 32 ? 71 : 43;
    ds_fields_add(&fat->fields, "fat.volume_id", "@fat.volume_id", "volume id", id_at, b + id_at, 4,
                  "%04X-%04X", ds_le16(b + id_at + 2), ds_le16(b + id_at));
    ds_format_padded_text(b + label_at, 11, text, sizeof text);
    ds_fields_add(&fat->fields, "fat.volume_label", "@fat.volume_label", "volume label", label_at, b + label_at,
                  11, "\"%s\"", text);
    dir_buffer_t root = {0};
    if (w.type == 32) {
        rc = read_chain(&w, w.g.root_cluster, (uint64_t)w.g.clusters * w.g.cluster_bytes, collect_cb, &root);
    } else {
        root.len = (size_t)w.g.root_entries * 32;
        root.data = malloc(root.len ? root.len : 1);
        rc = root.data ? ds_source_read(src, w.g.root_offset, root.data, root.len, "FAT root directory", err)
                       : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    if (rc == DS_OK)
        rc = walk_dir(&w, root.data, root.len, "", 0);
    free(root.data);
    if (fat->count > 0) /* qsort must not be given the NULL of an empty list */
        qsort(fat->entries, fat->count, sizeof *fat->entries, entry_order);
    return rc;
}

void ds_fat_free(ds_fat_t *fat)
{
    ds_fields_free(&fat->fields);
    free(fat->entries);
    memset(fat, 0, sizeof *fat);
}
