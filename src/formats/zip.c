/* zip archives (zip, jar, apk, whl, epub, odt): members listed and read through libarchive
 * (with seeking), and their headers read here from the central directory and the local
 * headers, as PKWARE APPNOTE.TXT 6.3.10 lays them out: the central file header (4.3.12) for
 * version made by, version needed, flags, method, DOS time, CRC-32, compressed size,
 * attributes, extra fields and comment; the local header (4.3.7) for its own extra fields;
 * the end record (4.3.16) for the archive comment. Extra fields (4.5) are reported by header
 * id; Info-ZIP's extended timestamp 0x5455 ("UT", extrafld.txt) is decoded (mtime, atime,
 * ctime, from the local header, which holds them all), its Unix owner 0x7875 ("ux") is the
 * entry's owner as libarchive reads it, and ZIP64's 0x0001 is derived from the sizes.
 *
 * The entry's mtime is the DOS date and time of the central header, read as if UTC (it has
 * no zone), so that two builds compare alike on any host; the UT times are fields beside it.
 * The entry's mode and type come from the upper 16 bits of the external attributes (Unix
 * hosts); the lower 16 (MS-DOS attributes) are a field. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../decode/zip_directory.h"
#include "../util/strbuf.h"
#include "internal.h"

#define DS_ZIP_MAX_EXTRA_FIELDS 64u /* extra subfields reported of one header */
#define DS_ZIP_VALUE_BYTES 32u      /* bytes of an extra field shown in hex */
#define DS_ZIP_VALUE_TEXT 200u      /* characters of a comment shown */

typedef struct zip_path {
    char *path;     /* a record's name as an entry path; owned */
    uint32_t index; /* the record */
} zip_path_t;

typedef struct zip_state {
    void *engine;
    ds_source_t *src;
    const char *layer;
    ds_zip_directory_t dir;
    zip_path_t *by_path; /* every record, sorted by path, for matching libarchive's entries */
    uint32_t *by_entry;  /* an entry's index -> its record + 1 (0: none) */
    size_t by_entry_count;
} zip_state_t;

static int zip_bid(ds_source_t *src)
{
    if (ds_source_has_magic(src, 0, "PK\x03\x04", 4))
        return 90;
    return ds_source_has_magic(src, 0, "PK\x05\x06", 4) ? 60 : 0; /* an empty zip */
}

static void zip_close(void *state)
{
    zip_state_t *s = state;
    if (s == NULL)
        return;
    ds_archive_format_close(s->engine);
    for (size_t i = 0; s->by_path != NULL && i < s->dir.count; i++)
        free(s->by_path[i].path);
    free(s->by_path);
    free(s->by_entry);
    ds_zip_directory_free(&s->dir);
    free(s);
}

static int path_order(const void *x, const void *y)
{
    const zip_path_t *a = x, *b = y;
    int order = strcmp(a->path, b->path);
    return order != 0 ? order : (a->index > b->index) - (a->index < b->index);
}

/* The records' paths, sorted, for matching libarchive's entries. */
static int index_paths(zip_state_t *s, ds_error_t *err)
{
    size_t n = s->dir.count;
    s->by_path = calloc(n ? n : 1, sizeof *s->by_path);
    if (s->by_path == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: zip: out of memory", s->layer);
    for (size_t i = 0; i < n; i++)
        if ((s->by_path[i] = (zip_path_t){ds_archive_entry_path(s->dir.records[i].name), (uint32_t)i}).path == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "%s: zip: out of memory", s->layer);
    qsort(s->by_path, n, sizeof *s->by_path, path_order);
    return DS_OK;
}

static int zip_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    zip_state_t *s = calloc(1, sizeof *s);
    *state = s;
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->layer = ds_source_label(src);
    int rc = ds_zip_directory_read(&s->dir, src, s->layer, how->deadline, err);
    if (rc == DS_OK)
        rc = index_paths(s, err);
    if (rc == DS_OK)
        rc = ds_archive_format_open(&s->engine, src, how, archive_read_support_format_zip_seekable, "zip", err);
    if (rc != DS_OK) {
        zip_close(s);
        *state = NULL;
    }
    return rc;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The DOS date and time (APPNOTE 4.4.6) as seconds, read as UTC, and as text. */
static int64_t dos_time(uint16_t time, uint16_t date, char *text, size_t size)
{
    unsigned year = 1980u + (date >> 9), month = (date >> 5) & 15u, day = date & 31u;
    unsigned hour = time >> 11, minute = (time >> 5) & 63u, second = (time & 31u) * 2u;
    snprintf(text, size, "%04u-%02u-%02uT%02u:%02u:%02u (DOS, no zone)", year, month, day, hour, minute, second);
    unsigned m = month < 1 ? 1 : month > 12 ? 12 : month, d = day < 1 ? 1 : day;
    return days_from_civil(year, m, d) * 86400 + hour * 3600 + minute * 60 + second;
}

/* The record libarchive's entry e came from: the first unused record with its path. */
static const ds_zip_record_t *record_match(zip_state_t *s, const ds_entry_t *e, bool *used, uint32_t *which)
{
    size_t lo = 0, hi = s->dir.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->by_path[mid].path, e->path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->dir.count && strcmp(s->by_path[lo].path, e->path) == 0; lo++)
        if (!used[s->by_path[lo].index]) {
            *which = s->by_path[lo].index;
            used[*which] = true;
            return &s->dir.records[*which];
        }
    return NULL;
}

/* Gives the entry the DOS time of its central header as mtime. */
static int entry_dos_time(zip_state_t *s, ds_entry_t *e, const ds_zip_record_t *r, ds_error_t *err)
{
    unsigned char t[4];
    char text[64];
    int rc = ds_source_read(s->src, r->header + 12, t, sizeof t, s->layer, err);
    if (rc != DS_OK)
        return rc;
    e->mtime = dos_time(ds_le16(t), ds_le16(t + 2), text, sizeof text);
    free(e->mtime_text);
    e->mtime_text = strdup(text);
    return e->mtime_text ? DS_OK : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
}

static int zip_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    zip_state_t *s = state;
    size_t first = tree->count;
    int rc = ds_archive_format_entries(s->engine, tree, err);
    bool *used = calloc(s->dir.count ? s->dir.count : 1, sizeof *used);
    free(s->by_entry);
    s->by_entry_count = tree->count - first;
    s->by_entry = calloc(s->by_entry_count ? s->by_entry_count : 1, sizeof *s->by_entry);
    if (used == NULL || s->by_entry == NULL)
        rc = rc != DS_OK ? rc : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    for (size_t i = first; rc == DS_OK && i < tree->count; i++) {
        ds_entry_t *e = &tree->entries[i];
        uint32_t which = 0;
        const ds_zip_record_t *r = record_match(s, e, used, &which);
        if (r == NULL || e->index >= s->by_entry_count)
            continue; /* a name libarchive converted: the entry keeps libarchive's view */
        s->by_entry[e->index] = which + 1;
        rc = entry_dos_time(s, e, r, err);
    }
    free(used);
    return rc;
}

static int zip_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    return ds_archive_format_open_entry(((zip_state_t *)state)->engine, entry, out, err);
}

/* Appends n bytes to a value: escaped text, or hex; cut ones end with their length and CRC-32. */
static void value_bytes(ds_strbuf_t *sb, const unsigned char *p, size_t n, bool text)
{
    size_t shown = text ? DS_ZIP_VALUE_TEXT : DS_ZIP_VALUE_BYTES;
    if (text)
        ds_strbuf_escape_line(sb, (const char *)p, n < shown ? n : shown);
    for (size_t i = 0; !text && i < n && i < shown; i++)
        ds_strbuf_printf(sb, "%s%02x", i ? " " : "", p[i]);
    if (n > shown)
        ds_strbuf_printf(sb, " ... (%zu bytes, CRC-32 %08lx)", n, crc32(0L, p, (uInt)n));
}

static void add_bytes(ds_fields_t *fields, const char *key, const char *location, const char *label, uint64_t offset,
                      const unsigned char *p, size_t n, bool text, bool derived)
{
    ds_strbuf_t sb = {0};
    value_bytes(&sb, p, n, text);
    ds_field_t *f = ds_fields_add(fields, key, location, label, offset, p, (uint32_t)n, "%s", ds_strbuf_text(&sb));
    if (f != NULL)
        f->derived = derived;
    ds_strbuf_free(&sb);
}

static int zip_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    zip_state_t *s = state;
    unsigned char r[DS_ZIP_EOCD + 65535u];
    size_t n = DS_ZIP_EOCD + (size_t)s->dir.comment_len;
    int rc = ds_source_read(s->src, s->dir.eocd, r, n, s->layer, err);
    if (rc != DS_OK)
        return rc;
    add_bytes(fields, "zip.comment", "@zip.comment", "archive comment", s->dir.eocd + DS_ZIP_EOCD, r + DS_ZIP_EOCD,
              s->dir.comment_len, true, false);
    ds_field_t *f = ds_fields_add_number(fields, "zip.entries", "@zip.entries", "entry count", s->dir.eocd + 10, r + 10,
                                         2, ds_le16(r + 10));
    if (f != NULL)
        f->derived = true;
    f = ds_fields_add(fields, "zip.directory_size", "@zip.directory_size", "central directory size", s->dir.eocd + 12,
                      r + 12, 4, "%" PRIu64 " bytes", s->dir.size);
    if (f != NULL)
        f->derived = true;
    f = ds_fields_add(fields, "zip.directory_offset", "@zip.directory_offset", "central directory offset",
                      s->dir.eocd + 16, r + 16, 4, "%" PRIu64, s->dir.start - s->dir.prefix);
    if (f != NULL)
        f->derived = true;
    if (s->dir.zip64)
        ds_fields_add(fields, "zip.zip64", "@zip.zip64", "ZIP64 end of central directory", s->dir.zip64_locator,
                      (const unsigned char *)"PK\x06\x07", 4, "a ZIP64 locator at offset %" PRIu64, s->dir.zip64_locator);
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

static const char *host_name(unsigned host)
{
    static const char *const names[] = {"MS-DOS", "Amiga", "OpenVMS", "UNIX", "VM/CMS", "Atari ST", "OS/2 HPFS",
                                        "Macintosh", "Z-System", "CP/M", "NTFS", "MVS", "VSE", "Acorn RISC",
                                        "VFAT", "alternate MVS", "BeOS", "Tandem", "OS/400", "OS X"};
    return host < sizeof names / sizeof names[0] ? names[host] : "unknown host";
}

static const char *method_name(unsigned method)
{
    switch (method) {
    case 0: return "stored";
    case 8: return "deflated";
    case 9: return "deflate64";
    case 12: return "bzip2";
    case 14: return "LZMA";
    case 93: return "zstd";
    case 95: return "xz";
    case 98: return "PPMd";
    case 99: return "AES-encrypted";
    default: return "other";
    }
}

/* The flags (APPNOTE 4.4.4) for people: the bits that are set, named. */
static void flags_text(uint16_t flags, unsigned method, ds_strbuf_t *sb)
{
    static const char *const deflate[] = {"normal", "maximum", "fast", "super fast"};
    ds_strbuf_printf(sb, "0x%04x", flags);
    const char *sep = " (";
    if (flags & 0x0001u) {
        ds_strbuf_printf(sb, "%sencrypted", sep);
        sep = ", ";
    }
    if (method == 8 || method == 9) {
        ds_strbuf_printf(sb, "%s%s compression", sep, deflate[(flags >> 1) & 3u]);
        sep = ", ";
    }
    if (flags & 0x0008u) {
        ds_strbuf_printf(sb, "%sdata descriptor", sep);
        sep = ", ";
    }
    if (flags & 0x0800u) {
        ds_strbuf_printf(sb, "%sUTF-8 names", sep);
        sep = ", ";
    }
    if (sep[0] == ',')
        ds_strbuf_puts(sb, ")");
}

/* The central header's own fields (APPNOTE 4.3.12); c holds the header from its signature. */
static void central_fields(ds_fields_t *fields, const ds_zip_record_t *r, const unsigned char *c)
{
    uint64_t at = r->header;
    uint16_t made = ds_le16(c + 4), needed = ds_le16(c + 6), flags = ds_le16(c + 8), method = ds_le16(c + 10);
    ds_fields_add(fields, "zip.member.version_made_by", "@zip.member.version_made_by", "version made by", at + 4, c + 4,
                  2, "%u.%u, %s", (made & 0xffu) / 10, (made & 0xffu) % 10, host_name(made >> 8));
    /* Derived: the version needed follows from the method and features used. */
    ds_field_t *f = ds_fields_add(fields, "zip.member.version_needed", "@zip.member.version_needed",
                                  "version needed to extract", at + 6, c + 6, 2, "%u.%u", (needed & 0xffu) / 10,
                                  (needed & 0xffu) % 10);
    if (f != NULL)
        f->derived = true;
    ds_strbuf_t sb = {0};
    flags_text(flags, method, &sb);
    ds_fields_add(fields, "zip.member.flags", "@zip.member.flags", "general purpose flags", at + 8, c + 8, 2, "%s",
                  ds_strbuf_text(&sb));
    ds_strbuf_free(&sb);
    ds_fields_add(fields, "zip.member.method", "@zip.member.method", "compression method", at + 10, c + 10, 2,
                  "%u (%s)", method, method_name(method));
    f = ds_fields_add(fields, "zip.member.crc32", "@zip.member.crc32", "CRC-32", at + 16, c + 16, 4, "%08" PRIx32,
                      ds_le32(c + 16));
    if (f != NULL)
        f->derived = true;
    f = ds_fields_add(fields, "zip.member.compressed_size", "@zip.member.compressed_size", "compressed size", at + 20,
                      c + 20, 4, "%" PRIu64 " bytes", r->compressed);
    if (f != NULL)
        f->derived = true;
    ds_fields_add_number(fields, "zip.member.disk_start", "@zip.member.disk_start", "disk number start", at + 34,
                         c + 34, 2, ds_le16(c + 34));
    /* Derived: the text bit is the archiver's judgement of the content (Info-ZIP sets it only
     * when it deflates). */
    uint16_t internal = ds_le16(c + 36);
    f = ds_fields_add(fields, "zip.member.internal_attr", "@zip.member.internal_attr", "internal attributes", at + 36,
                      c + 36, 2, "0x%04x%s", internal, internal & 1u ? " (text)" : "");
    if (f != NULL)
        f->derived = true;
    uint32_t external = ds_le32(c + 38);
    if (made >> 8 == 3) /* UNIX: the upper 16 bits are st_mode, which the entry holds */
        ds_fields_add(fields, "zip.member.external_attr.dos", "@zip.member.external_attr.dos",
                      "MS-DOS attributes", at + 38, c + 38, 2, "0x%04x", external & 0xffffu);
    else
        ds_fields_add(fields, "zip.member.external_attr", "@zip.member.external_attr", "external attributes",
                      at + 38, c + 38, 4, "0x%08" PRIx32, external);
}

/* Extra subfields (APPNOTE 4.5.1) by header id, keys prefix + "0x%04x" ("#2" for a repeated
 * id); a local one (same_as: the central block) is left out when the central header has the
 * same bytes, and 0x5455 (decoded apart) and 0x7875 (the entry's owner) are left out
 * everywhere. */
static void extra_fields(ds_fields_t *fields, const char *prefix, const char *what, uint64_t offset,
                         const unsigned char *extra, size_t len, const unsigned char *same_as, size_t same_len)
{
    size_t count = 0;
    for (size_t at = 0; at + 4 <= len && count < DS_ZIP_MAX_EXTRA_FIELDS; count++) {
        uint16_t id = ds_le16(extra + at), n = ds_le16(extra + at + 2);
        if (n > len - at - 4)
            break; /* a subfield running past the block: the block's bytes tell the rest */
        size_t repeat = 1;
        for (size_t k = 0; k < at;) { /* earlier subfields with that id */
            repeat += ds_le16(extra + k) == id;
            k += 4u + ds_le16(extra + k + 2);
        }
        const unsigned char *central = NULL;
        uint16_t central_len = 0;
        bool same = same_as != NULL && ds_zip_extra_find(same_as, same_len, id, &central, &central_len) &&
                    central_len == n && memcmp(central, extra + at + 4, n) == 0;
        if (id != 0x5455 && id != 0x7875 && !same) {
            char key[64], location[64], label[64];
            snprintf(key, sizeof key, "%s0x%04x%s%.0zu", prefix + 1, id, repeat > 1 ? "#" : "", repeat > 1 ? repeat : 0);
            snprintf(location, sizeof location, "%s0x%04x%s%.0zu", prefix, id, repeat > 1 ? "#" : "", repeat > 1 ? repeat : 0);
            snprintf(label, sizeof label, "%s extra field 0x%04x", what, id);
            /* The local ZIP64 field follows from the central one (which the member's use of
             * ZIP64 shows), with both sizes in it. */
            add_bytes(fields, key, location, label, offset + at, extra + at, 4u + n, false, id == 0x0001 && same_as);
        }
        at += 4u + n;
    }
}

/* Info-ZIP's extended timestamp (extrafld.txt, 0x5455): flags, then mtime, atime, ctime as
 * its bits say, each a signed 32-bit Unix time; the central copy holds the mtime only. */
static void ut_fields(ds_fields_t *fields, const unsigned char *extra, size_t len, uint64_t offset, bool local)
{
    static const char *const names[] = {"mtime", "atime", "ctime"};
    const unsigned char *data = NULL;
    uint16_t n = 0;
    if (!ds_zip_extra_find(extra, len, 0x5455, &data, &n) || n < 1)
        return;
    uint64_t base = offset + (uint64_t)(data - extra);
    for (unsigned bit = 0, at = 1; bit < (local ? 3u : 1u); bit++) {
        if (!(data[0] & (1u << bit)) || at + 4u > n)
            continue;
        char key[64], location[64], label[64], when[40];
        snprintf(key, sizeof key, "zip.member.ut.%s", names[bit]);
        snprintf(location, sizeof location, "@zip.member.ut.%s", names[bit]);
        snprintf(label, sizeof label, "extended timestamp %s", names[bit]);
        ds_format_utc((int32_t)ds_le32(data + at), when, sizeof when);
        ds_fields_add(fields, key, location, label, base + at, data + at, 4, "%s", when);
        at += 4u;
    }
}

/* The local header's extra block (APPNOTE 4.3.7) into *extra (malloc'd), at *offset. */
static int local_extra(zip_state_t *s, const ds_zip_record_t *r, const ds_entry_t *entry, unsigned char **extra,
                       uint16_t *len, uint64_t *offset, ds_error_t *err)
{
    unsigned char h[DS_ZIP_LOCAL];
    uint64_t size = ds_source_size(s->src);
    *extra = NULL;
    if (r->local > size || size - r->local < DS_ZIP_LOCAL ||
        ds_source_read(s->src, r->local, h, sizeof h, s->layer, NULL) != DS_OK || memcmp(h, "PK\x03\x04", 4) != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip member %s: no local header at offset %" PRIu64, s->layer,
                            entry->path, r->local);
    uint16_t n = ds_le16(h + 26);
    *len = ds_le16(h + 28);
    *offset = r->local + DS_ZIP_LOCAL + n;
    if (*offset > size || size - *offset < *len)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip member %s: local header at offset %" PRIu64 ": its name and extra field run past the end",
                            s->layer, entry->path, r->local);
    *extra = malloc(*len ? *len : 1);
    if (*extra == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    return ds_source_read(s->src, *offset, *extra, *len, s->layer, err);
}

static int zip_entry_fields(void *state, const ds_entry_t *entry, ds_fields_t *fields, ds_error_t *err)
{
    zip_state_t *s = state;
    if (entry->index >= s->by_entry_count || s->by_entry[entry->index] == 0)
        return DS_OK; /* not matched to a central header: the entry is libarchive's alone */
    const ds_zip_record_t *r = &s->dir.records[s->by_entry[entry->index] - 1];
    size_t n = DS_ZIP_CENTRAL + (size_t)r->name_len + r->extra_len + r->comment_len;
    unsigned char *c = malloc(n), *local = NULL;
    int rc = c != NULL ? ds_source_read(s->src, r->header, c, n, s->layer, err) : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    uint16_t local_len = 0;
    uint64_t local_at = 0;
    if (rc == DS_OK)
        rc = local_extra(s, r, entry, &local, &local_len, &local_at, err);
    if (rc == DS_OK) {
        const unsigned char *extra = c + DS_ZIP_CENTRAL + r->name_len;
        uint64_t extra_at = r->header + DS_ZIP_CENTRAL + r->name_len;
        central_fields(fields, r, c);
        extra_fields(fields, "@zip.member.extra.", "central", extra_at, extra, r->extra_len, NULL, 0);
        extra_fields(fields, "@zip.member.local_extra.", "local", local_at, local, local_len, extra, r->extra_len);
        const unsigned char *unused = NULL;
        uint16_t unused_len = 0;
        if (ds_zip_extra_find(local, local_len, 0x5455, &unused, &unused_len))
            ut_fields(fields, local, local_len, local_at, true);
        else
            ut_fields(fields, extra, r->extra_len, extra_at, false);
        add_bytes(fields, "zip.member.comment", "@zip.member.comment", "member comment", extra_at + r->extra_len,
                  extra + r->extra_len, r->comment_len, true, false);
        if (fields->failed)
            rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    free(c);
    free(local);
    return rc;
}

const ds_format_t ds_format_zip = {
    .name = "zip", .kind = DS_FORMAT_CONTAINER,
    .summary = "zip archive (jar, apk, whl, epub, odt): member list and order, DOS and UT times, attributes, "
               "method, CRC-32, extra fields by id, member and archive comments",
    .bid = zip_bid, .open = zip_open, .close = zip_close, .fields = zip_fields,
    .entries = zip_entries, .open_entry = zip_open_entry, .entry_fields = zip_entry_fields,
};
