/* The FAT format's directory walk, name decoding and cluster-chain reading: the private helper
 * of fat.c (one format for the registry; see fat_internal.h). The specification, the names as
 * Linux vfat shows them and the damage the listing goes on after are described at the top of
 * fat.c. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "fat_internal.h"

/* --- cluster chains ------------------------------------------------------------------------ */

static bool cluster_valid(const fat_state_t *f, uint32_t cluster)
{
    return cluster >= 2 && cluster - 2 < f->g.clusters;
}

uint64_t ds_fat_cluster_offset(const fat_state_t *f, uint32_t cluster)
{
    return f->g.data_offset + (uint64_t)(cluster - 2) * f->g.cluster_bytes;
}

static int chain_start(fat_chain_t *c, uint32_t first, uint64_t record, ds_error_t *err)
{
    const fat_state_t *f = c->fat;
    if (!cluster_valid(f, first))
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: FAT: %s: the directory entry at byte %" PRIu64 " starts at cluster %" PRIu32
                            ", outside the volume's clusters 2..%" PRIu32,
                            ds_source_label(f->src), c->what, record, first, f->g.clusters + 1);
    c->first = c->cluster = c->saved = first;
    c->index = 0;
    c->power = 1;
    c->lam = 0;
    return DS_OK;
}

/* The FAT entry of cluster: *value, end-of-chain values as 0xFFFFFFFF; *at its offset. */
static int fat_entry(fat_chain_t *c, uint32_t cluster, uint32_t *value, uint64_t *at, ds_error_t *err)
{
    const fat_state_t *f = c->fat;
    unsigned width = f->type == 12 ? 2 : (unsigned)f->type / 8;
    *at = f->g.fat_offset + (f->type == 12 ? (uint64_t)cluster + cluster / 2 : (uint64_t)cluster * width);
    if (*at + width > f->g.fat_end)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: FAT: %s: the FAT entry of cluster %" PRIu32 " (byte %" PRIu64
                            ") lies past the end of the FAT (byte %" PRIu64 ")",
                            ds_source_label(f->src), c->what, cluster, *at, f->g.fat_end);
    if (c->window_len == 0 || *at < c->window_at || *at + width > c->window_at + c->window_len) {
        uint64_t left = f->g.fat_end - *at;
        c->window_len = 0;
        int rc = ds_source_read(f->src, *at, c->window, left < FAT_WINDOW ? (size_t)left : FAT_WINDOW, "FAT", err);
        if (rc != DS_OK)
            return rc;
        c->window_at = *at;
        c->window_len = left < FAT_WINDOW ? (size_t)left : FAT_WINDOW;
    }
    const unsigned char *p = c->window + (*at - c->window_at);
    if (f->type == 12) {
        uint32_t v = ds_le16(p);
        v = (cluster & 1) ? v >> 4 : v & 0xFFF;
        *value = v >= 0xFF8 ? 0xFFFFFFFF : v;
    } else if (f->type == 16) {
        uint32_t v = ds_le16(p);
        *value = v >= 0xFFF8 ? 0xFFFFFFFF : v;
    } else {
        uint32_t v = ds_le32(p) & 0x0FFFFFFF;
        *value = v >= 0x0FFFFFF8 ? 0xFFFFFFFF : v;
    }
    return DS_OK;
}

/* Moves to the next cluster of the chain; *end when the chain ends instead. */
static int chain_next(fat_chain_t *c, bool *end, ds_error_t *err)
{
    const fat_state_t *f = c->fat;
    uint32_t next = 0;
    uint64_t at = 0;
    *end = false;
    int rc = fat_entry(c, c->cluster, &next, &at, err);
    if (rc != DS_OK)
        return rc;
    c->entry_at = at;
    if (next == 0xFFFFFFFF) {
        *end = true;
        return DS_OK;
    }
    if (!cluster_valid(f, next))
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: FAT: %s: the FAT entry of cluster %" PRIu32 " (byte %" PRIu64 ") leads to %s %" PRIu32
                            ", outside the volume's clusters 2..%" PRIu32,
                            ds_source_label(f->src), c->what, c->cluster, at, next == 0 ? "the free cluster" : "cluster",
                            next, f->g.clusters + 1);
    c->lam++;
    if (next == c->saved || c->index + 1 >= f->g.clusters)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: FAT: %s: the cluster chain loops: the FAT entry of cluster %" PRIu32 " (byte %" PRIu64
                            ") leads back to cluster %" PRIu32,
                            ds_source_label(f->src), c->what, c->cluster, at, next);
    if (c->index + 1 >= FAT_MAX_CHAIN)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: FAT: %s: a cluster chain longer than %u clusters",
                            ds_source_label(f->src), c->what, FAT_MAX_CHAIN);
    if (c->lam == c->power) {
        c->saved = next;
        c->power *= 2;
        c->lam = 0;
    }
    c->cluster = next;
    c->index++;
    return DS_OK;
}

/* The cluster holding chain position index (a file's byte index * cluster size onwards). */
int ds_fat_chain_seek(fat_chain_t *c, uint64_t index, ds_error_t *err)
{
    if (index < c->index) {
        int rc = chain_start(c, c->first, 0, err);
        if (rc != DS_OK)
            return rc;
    }
    while (c->index < index) {
        bool end = false;
        uint64_t at = c->index;
        int rc = chain_next(c, &end, err);
        if (rc != DS_OK)
            return rc;
        if (end)
            return ds_error_set(err, DS_ERR_FORMAT,
                                "%s: FAT: %s: the cluster chain ends at cluster %" PRIu32 " after %" PRIu64
                                " clusters, before the file does",
                                ds_source_label(c->fat->src), c->what, c->cluster, at + 1);
    }
    return DS_OK;
}

/* After a file's last cluster: the chain must end there. */
static int chain_expect_end(fat_chain_t *c, uint64_t size, ds_error_t *err)
{
    bool end = false;
    uint32_t last = c->cluster;
    int rc = chain_next(c, &end, err);
    if (rc == DS_OK && !end)
        rc = ds_error_set(err, DS_ERR_FORMAT,
                          "%s: FAT: %s: the cluster chain goes on after cluster %" PRIu32 " (FAT entry at byte %" PRIu64
                          "), the last of the file's %" PRIu64 " bytes: it loops or is longer than the file",
                          ds_source_label(c->fat->src), c->what, last, c->entry_at, size);
    return rc;
}

/* Follows a whole file's chain without reading its data: the checks of the listing again. */
int ds_fat_chain_check_file(fat_chain_t *c, uint32_t first, uint64_t size, uint64_t record, ds_error_t *err)
{
    uint64_t clusters = (size + c->fat->g.cluster_bytes - 1) / c->fat->g.cluster_bytes;
    int rc = chain_start(c, first, record, err);
    if (rc == DS_OK)
        rc = ds_fat_chain_seek(c, clusters - 1, err);
    if (rc == DS_OK)
        rc = chain_expect_end(c, size, err);
    if (rc == DS_OK)
        rc = chain_start(c, first, record, err);
    return rc;
}

/* --- names --------------------------------------------------------------------------------- */

static const uint16_t cp437_high[128] = {
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
    0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
    0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
    0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
    0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
    0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
    0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
    0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

static void put_code_point(ds_strbuf_t *sb, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp == 0 || cp == '/') {
        ds_strbuf_printf(sb, "\\u%04x", (unsigned)cp);
        return;
    }
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    ds_strbuf_append(sb, u, n);
}

/* A long name (UTF-16, up to its NUL) as UTF-8; a lone surrogate is written \udXXX. */
static void long_name(ds_strbuf_t *sb, const uint16_t *u, size_t n)
{
    for (size_t k = 0; k < n && u[k] != 0 && u[k] != 0xFFFF; k++) {
        uint32_t cp = u[k];
        if (cp >= 0xD800 && cp <= 0xDBFF && k + 1 < n && u[k + 1] >= 0xDC00 && u[k + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (u[k + 1] - 0xDC00u);
            k++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            ds_strbuf_printf(sb, "\\u%04x", (unsigned)cp);
            continue;
        }
        put_code_point(sb, cp);
    }
}

/* One part of an 8.3 name (trailing spaces dropped), lower case when the NT flag says so. */
static void short_part(ds_strbuf_t *sb, const unsigned char *p, size_t n, bool lower, bool first_part)
{
    while (n > 0 && p[n - 1] == ' ')
        n--;
    for (size_t k = 0; k < n; k++) {
        unsigned c = p[k];
        if (k == 0 && first_part && c == 0x05)
            c = 0xE5;
        if (lower && c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        put_code_point(sb, c < 0x80 ? c : cp437_high[c - 0x80]);
    }
}

static void short_name(ds_strbuf_t *sb, const unsigned char *e)
{
    short_part(sb, e, 8, (e[12] & 0x08) != 0, true);
    size_t x = 3;
    while (x > 0 && e[8 + x - 1] == ' ')
        x--;
    if (x > 0) {
        ds_strbuf_puts(sb, ".");
        short_part(sb, e + 8, 3, (e[12] & 0x10) != 0, false);
    }
}

static uint8_t short_checksum(const unsigned char *e)
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) ? 0x80 : 0) + (sum >> 1) + e[i]);
    return sum;
}

/* Long-name entries seen so far before a short entry. */
typedef struct lfn {
    uint16_t text[FAT_LFN_SLOTS * 13];
    unsigned slots;    /* of the name being gathered; 0: none */
    unsigned expect;   /* the ordinal still wanted; 0: complete */
    uint8_t checksum;
} lfn_t;

static void lfn_entry(lfn_t *l, const unsigned char *e)
{
    static const int offsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    unsigned ordinal = e[0] & ~0x40u;
    if (e[0] & 0x40) { /* the last part of a name, stored first */
        if (ordinal == 0 || ordinal > FAT_LFN_SLOTS) {
            l->slots = 0;
            return;
        }
        l->slots = ordinal;
        l->checksum = e[13];
        memset(l->text, 0, sizeof l->text);
    } else if (l->slots == 0 || ordinal != l->expect || e[13] != l->checksum) {
        l->slots = 0;
        return;
    }
    for (int k = 0; k < 13; k++)
        l->text[(ordinal - 1) * 13 + k] = ds_le16(e + offsets[k]);
    l->expect = ordinal - 1;
}

/* --- times --------------------------------------------------------------------------------- */

static void fat_format_time(uint16_t date, uint16_t time, char *buf, size_t size)
{
    snprintf(buf, size, "%04u-%02u-%02u %02u:%02u:%02u", 1980u + (date >> 9), (date >> 5) & 15u, date & 31u,
             (unsigned)time >> 11, (time >> 5) & 63u, (time & 31u) * 2);
}

/* Seconds since 1970 of a FAT date and time read as UTC (days from the civil date). */
static int64_t fat_seconds(uint16_t date, uint16_t time)
{
    int64_t y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
    y -= m <= 2;
    int64_t era = y / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
}

/* "written ..., created ..., accessed <date>" (the times a FAT directory entry keeps). */
static char *fat_times(const unsigned char *e)
{
    char w[32], c[32], a[32], text[128];
    fat_format_time(ds_le16(e + 24), ds_le16(e + 22), w, sizeof w);
    fat_format_time(ds_le16(e + 16), ds_le16(e + 14), c, sizeof c);
    fat_format_time(ds_le16(e + 18), 0, a, sizeof a);
    snprintf(text, sizeof text, "written %s, created %s, accessed %.10s", w, c, a);
    return strdup(text);
}

/* --- the listing --------------------------------------------------------------------------- */

typedef struct walker {
    fat_state_t *fat;
    ds_tree_t *tree;
    size_t count;
    uint64_t read, read_max;   /* cluster bytes read, and allowed */
    int deferred;              /* the first damage met, reported after the listing */
    ds_error_t *err;
    EVP_MD_CTX *md;
    unsigned char *buf;        /* DS_FORMAT_READ_BUFFER bytes */
    uint32_t ancestors[FAT_MAX_DEPTH + 2];
} walker_t;

/* A directory read record by record: the fixed root of FAT12/16, or a cluster chain. */
typedef struct dir_reader {
    fat_chain_t chain;
    bool fixed;
    uint64_t at, end;          /* the next record; the end of the region or current cluster */
    unsigned char buf[FAT_DIR_BUFFER];
    uint64_t buf_at;
    size_t buf_len;
} dir_reader_t;

/* Damage the listing goes on after: the first is kept for the end. */
static int defer(walker_t *w, int rc)
{
    if (rc == DS_ERR_FORMAT || rc == DS_ERR_IO) {
        if (w->deferred == DS_OK)
            w->deferred = rc;
        return DS_OK;
    }
    return rc;
}

static int count_read(walker_t *w, uint64_t n)
{
    w->read += n;
    if (w->read > w->read_max)
        return ds_error_set(w->err, DS_ERR_LIMIT,
                            "%s: FAT: more than %u times the image's size read in its cluster chains: cross-linked chains",
                            ds_source_label(w->fat->src), FAT_MAX_READ_RATIO);
    if (ds_deadline_passed(w->fat->how.deadline))
        return ds_error_set(w->err, DS_ERR_TIMEOUT, "%s: FAT: time budget exhausted", ds_source_label(w->fat->src));
    return DS_OK;
}

/* The next 32-byte record: 1, with *e and its offset *at; 0 at the end; or an error. */
static int dir_next(walker_t *w, dir_reader_t *d, const unsigned char **e, uint64_t *at)
{
    if (d->at >= d->end) {
        if (d->fixed)
            return 0;
        bool end = false;
        int rc = chain_next(&d->chain, &end, w->err);
        if (rc != DS_OK)
            return rc;
        if (end)
            return 0;
        d->at = ds_fat_cluster_offset(w->fat, d->chain.cluster);
        d->end = d->at + w->fat->g.cluster_bytes;
    }
    if (d->at < d->buf_at || d->at + 32 > d->buf_at + d->buf_len) {
        size_t n = d->end - d->at < FAT_DIR_BUFFER ? (size_t)(d->end - d->at) : FAT_DIR_BUFFER;
        d->buf_len = 0;
        int rc = count_read(w, n);
        if (rc == DS_OK)
            rc = ds_source_read(w->fat->src, d->at, d->buf, n, "FAT directory", w->err);
        if (rc != DS_OK)
            return rc;
        d->buf_at = d->at;
        d->buf_len = n;
    }
    *e = d->buf + (d->at - d->buf_at);
    *at = d->at;
    d->at += 32;
    return 1;
}

/* The SHA-256 of a file's cluster chain (size bytes), the chain checked to its end. */
static int hash_file(walker_t *w, const char *path, uint32_t first, uint64_t size, uint64_t record,
                     unsigned char digest[32])
{
    fat_chain_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    c->fat = w->fat;
    c->what = path;
    EVP_DigestInit_ex(w->md, EVP_sha256(), NULL);
    int rc = size > 0 ? chain_start(c, first, record, w->err) : DS_OK;
    uint64_t done = 0;
    while (rc == DS_OK && done < size) {
        uint64_t cluster_at = ds_fat_cluster_offset(w->fat, c->cluster);
        for (uint64_t in = 0; rc == DS_OK && in < w->fat->g.cluster_bytes && done < size;) {
            uint64_t want = w->fat->g.cluster_bytes - in < size - done ? w->fat->g.cluster_bytes - in : size - done;
            size_t n = want < DS_FORMAT_READ_BUFFER ? (size_t)want : DS_FORMAT_READ_BUFFER;
            rc = count_read(w, n);
            if (rc == DS_OK)
                rc = ds_source_read(w->fat->src, cluster_at + in, w->buf, n, "FAT cluster", w->err);
            if (rc == DS_OK)
                EVP_DigestUpdate(w->md, w->buf, n);
            in += n;
            done += n;
        }
        if (rc == DS_OK)
            rc = done < size ? ds_fat_chain_seek(c, c->index + 1, w->err) : chain_expect_end(c, size, w->err);
    }
    unsigned int len = 0;
    EVP_DigestFinal_ex(w->md, digest, &len);
    free(c);
    return rc;
}

static int walk_dir(walker_t *w, uint32_t first, const char *prefix, unsigned depth, uint64_t record);

/* One short entry (with its long name, if any): appended, and a directory walked. */
static int add_entry(walker_t *w, const unsigned char *e, uint64_t at, const lfn_t *l, size_t *order,
                     const char *prefix, unsigned depth)
{
    ds_strbuf_t name = {0};
    if (l->slots > 0 && l->expect == 0 && l->checksum == short_checksum(e))
        long_name(&name, l->text, l->slots * 13);
    else
        short_name(&name, e);
    const char *text = ds_strbuf_text(&name);
    if (name.len == 0 || strcmp(text, ".") == 0 || strcmp(text, "..") == 0) {
        ds_strbuf_free(&name);
        return DS_OK;
    }
    if (w->count >= FAT_MAX_ENTRIES) {
        ds_strbuf_free(&name);
        return ds_error_set(w->err, DS_ERR_LIMIT, "%s: FAT: more than %u entries", ds_source_label(w->fat->src),
                            FAT_MAX_ENTRIES);
    }
    ds_strbuf_t path = {0};
    ds_strbuf_printf(&path, "%s/%s", prefix, text);
    ds_strbuf_free(&name);
    char *times = fat_times(e);
    ds_entry_t *entry = path.failed || times == NULL ? NULL : ds_tree_append(w->tree);
    if (entry == NULL) {
        ds_strbuf_free(&path);
        free(times);
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    }
    size_t slot = w->tree->count - 1; /* entry moves when the tree grows */
    bool directory = (e[11] & 0x10) != 0;
    entry->path = ds_strbuf_take(&path);
    entry->type = directory ? DS_ENTRY_DIR : DS_ENTRY_FILE;
    entry->nlink = 1;
    entry->size = directory ? 0 : ds_le32(e + 28);
    entry->mtime = fat_seconds(ds_le16(e + 24), ds_le16(e + 22));
    entry->mtime_text = times;
    entry->index = (*order)++;
    entry->record_offset = at;
    w->count++;
    uint32_t cluster = ds_le16(e + 26) | (w->fat->type == 32 ? (uint32_t)ds_le16(e + 20) << 16 : 0);
    char *own = strdup(entry->path);
    if (own == NULL)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    int rc = DS_OK;
    if (directory) {
        bool loop = false;
        for (unsigned k = 0; k <= depth; k++)
            loop = loop || (cluster_valid(w->fat, cluster) && w->ancestors[k] == cluster);
        if (depth + 1 > FAT_MAX_DEPTH) {
            /* What lies deeper is left out; the listing goes on and says so at its end. */
            ds_error_set(w->err, DS_ERR_LIMIT, "%s: FAT: %s: more than %u directory levels",
                         ds_source_label(w->fat->src), own, FAT_MAX_DEPTH);
            if (w->deferred == DS_OK)
                w->deferred = DS_ERR_LIMIT;
        } else if (loop) {
            rc = defer(w, ds_error_set(w->err, DS_ERR_FORMAT,
                                       "%s: FAT: %s: the directory entry at byte %" PRIu64 " names cluster %" PRIu32
                                       ", where a directory above it starts",
                                       ds_source_label(w->fat->src), own, at, cluster));
        } else {
            rc = walk_dir(w, cluster, own, depth + 1, at);
        }
    } else {
        unsigned char digest[32];
        rc = hash_file(w, own, cluster, w->tree->entries[slot].size, at, digest);
        if (rc == DS_OK) {
            ds_entry_set_digest(&w->tree->entries[slot], digest);
        }
        rc = defer(w, rc);
    }
    free(own);
    return rc;
}

static int walk_dir(walker_t *w, uint32_t first, const char *prefix, unsigned depth, uint64_t record)
{
    dir_reader_t *d = calloc(1, sizeof *d);
    if (d == NULL)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    d->chain.fat = w->fat;
    d->chain.what = depth == 0 ? "the root directory" : prefix;
    int rc = DS_OK;
    if (depth == 0 && w->fat->type != 32) {
        d->fixed = true;
        d->at = w->fat->g.root_offset;
        d->end = d->at + (uint64_t)w->fat->g.root_entries * 32;
    } else {
        d->fixed = false;
        rc = chain_start(&d->chain, first, record, w->err);
        d->at = rc == DS_OK ? ds_fat_cluster_offset(w->fat, first) : 0;
        d->end = rc == DS_OK ? d->at + w->fat->g.cluster_bytes : 0;
    }
    w->ancestors[depth] = depth == 0 && w->fat->type != 32 ? 0 : first;
    lfn_t *l = calloc(1, sizeof *l);
    if (l == NULL && rc == DS_OK)
        rc = ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    size_t order = 0;
    while (rc == DS_OK) {
        const unsigned char *e = NULL;
        uint64_t at = 0;
        int got = dir_next(w, d, &e, &at);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (e[0] == 0) /* no entries follow */
            break;
        if (e[0] == 0xE5) { /* deleted */
            l->slots = 0;
        } else if (e[11] == 0x0F) {
            lfn_entry(l, e);
        } else if (e[11] & 0x08) { /* the volume label */
            l->slots = 0;
        } else {
            rc = add_entry(w, e, at, l, &order, prefix, depth);
            l->slots = 0;
        }
    }
    free(l);
    free(d);
    return defer(w, rc);
}

int ds_fat_walk(fat_state_t *s, ds_tree_t *tree, ds_error_t *err)
{
    walker_t w = {.fat = s, .tree = tree, .err = err, .md = EVP_MD_CTX_new(), .buf = malloc(DS_FORMAT_READ_BUFFER)};
    uint64_t size = ds_source_size(s->src);
    w.read_max = size > UINT64_MAX / FAT_MAX_READ_RATIO ? UINT64_MAX : size * FAT_MAX_READ_RATIO;
    int rc = w.md && w.buf ? walk_dir(&w, s->g.root_cluster, "", 0, 0) : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    EVP_MD_CTX_free(w.md);
    free(w.buf);
    return rc != DS_OK ? rc : w.deferred;
}
