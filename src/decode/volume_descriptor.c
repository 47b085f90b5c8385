#define _GNU_SOURCE
#include "volume_descriptor.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/clock.h"
#include "../util/strbuf.h"

enum field_type {
    FIELD_TEXT,   /* a-/d-characters, space padded */
    FIELD_BOTH16, /* both-byte-order 16-bit: little endian first */
    FIELD_BOTH32,
    FIELD_LE32,
    FIELD_BE32,
    FIELD_U8,
    FIELD_DATE,
    FIELD_DIRREC, /* the 34-byte root directory record */
    FIELD_RAW,
};

struct field_spec {
    uint16_t offset;
    uint16_t length;
    enum field_type type;
    const char *name;  /* key and location suffix */
    const char *label;
};

/* ECMA-119 8.4 (PVD); an SVD has the same layout plus flags at 7 and escape sequences at 88. */
static const struct field_spec volume_fields[] = {
    {7, 1, FIELD_U8, "volume_flags", "volume flags (SVD)"},
    {8, 32, FIELD_TEXT, "system_id", "system identifier"},
    {40, 32, FIELD_TEXT, "volume_id", "volume identifier"},
    {80, 8, FIELD_BOTH32, "volume_space_size", "volume space size (blocks)"},
    {88, 32, FIELD_RAW, "escape_sequences", "escape sequences (SVD)"},
    {120, 4, FIELD_BOTH16, "volume_set_size", "volume set size"},
    {124, 4, FIELD_BOTH16, "volume_sequence_number", "volume sequence number"},
    {128, 4, FIELD_BOTH16, "logical_block_size", "logical block size"},
    {132, 8, FIELD_BOTH32, "path_table_size", "path table size"},
    {140, 4, FIELD_LE32, "path_table_l", "type L path table LBA"},
    {144, 4, FIELD_LE32, "path_table_l_optional", "optional type L path table LBA"},
    {148, 4, FIELD_BE32, "path_table_m", "type M path table LBA"},
    {152, 4, FIELD_BE32, "path_table_m_optional", "optional type M path table LBA"},
    {156, 34, FIELD_DIRREC, "root_directory", "root directory record"},
    {190, 128, FIELD_TEXT, "volume_set_id", "volume set identifier"},
    {318, 128, FIELD_TEXT, "publisher_id", "publisher identifier"},
    {446, 128, FIELD_TEXT, "preparer_id", "data preparer identifier"},
    {574, 128, FIELD_TEXT, "application_id", "application identifier"},
    {702, 37, FIELD_TEXT, "copyright_file_id", "copyright file identifier"},
    {739, 37, FIELD_TEXT, "abstract_file_id", "abstract file identifier"},
    {776, 37, FIELD_TEXT, "bibliographic_file_id", "bibliographic file identifier"},
    {813, 17, FIELD_DATE, "creation_date", "volume creation date"},
    {830, 17, FIELD_DATE, "modification_date", "volume modification date"},
    {847, 17, FIELD_DATE, "expiration_date", "volume expiration date"},
    {864, 17, FIELD_DATE, "effective_date", "volume effective date"},
    {881, 1, FIELD_U8, "file_structure_version", "file structure version"},
    {883, 512, FIELD_RAW, "application_use", "application use"},
    {1395, 653, FIELD_RAW, "reserved", "reserved"},
};

/* Joliet uses the text fields as UCS-2. */
static bool joliet_text(const char *name)
{
    return strcmp(name, "system_id") == 0 || strcmp(name, "volume_id") == 0 ||
           strstr(name, "_set_id") != NULL || strstr(name, "publisher") != NULL ||
           strstr(name, "preparer") != NULL || strstr(name, "application_id") != NULL ||
           strstr(name, "file_id") != NULL;
}

static int digits(const unsigned char *p, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        value = value * 10 + (p[i] - '0');
    }
    return value;
}

int ds_iso_date17_decode(const unsigned char *p, char *buf, unsigned long size, int64_t *utc)
{
    bool unset = true;
    for (int i = 0; i < 16; i++)
        if (p[i] != '0' && p[i] != 0)
            unset = false;
    if (unset && p[16] == 0) {
        snprintf(buf, size, "not set");
        return 0;
    }
    int year = digits(p, 4), month = digits(p + 4, 2), day = digits(p + 6, 2);
    int hour = digits(p + 8, 2), minute = digits(p + 10, 2), second = digits(p + 12, 2);
    int hundredths = digits(p + 14, 2);
    int offset = (signed char)p[16];
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60 || hundredths < 0 ||
        offset < -48 || offset > 52) {
        ds_strbuf_t sb = {0};
        ds_strbuf_escape_line(&sb, (const char *)p, 16);
        snprintf(buf, size, "invalid: \"%s\" offset %d", ds_strbuf_text(&sb), offset);
        ds_strbuf_free(&sb);
        return -1;
    }
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    int64_t local = (int64_t)timegm(&tm);
    int64_t seconds = local - (int64_t)offset * 15 * 60;
    char when[40];
    ds_format_utc(seconds, when, sizeof when);
    if (offset == 0)
        snprintf(buf, size, "%s (%.16s, .%02d s)", when, (const char *)p, hundredths);
    else
        snprintf(buf, size, "%s (%.16s, .%02d s, recorded at GMT%+d:%02d)", when,
                 (const char *)p, hundredths, offset * 15 / 60, (offset < 0 ? -offset : offset) * 15 % 60);
    if (utc != NULL)
        *utc = seconds;
    return 1;
}

int ds_iso_date7_decode(const unsigned char *p, int64_t *utc)
{
    int offset = (signed char)p[6];
    if (p[1] < 1 || p[1] > 12 || p[2] < 1 || p[2] > 31 || p[3] > 23 || p[4] > 59 || p[5] > 60 ||
        offset < -48 || offset > 52) {
        /* All zero means "not recorded"; report it as the epoch of the format. */
        if (p[0] == 0 && p[1] == 0 && p[2] == 0) {
            *utc = 0;
            return 0;
        }
        return -1;
    }
    struct tm tm = {0};
    tm.tm_year = p[0];
    tm.tm_mon = p[1] - 1;
    tm.tm_mday = p[2];
    tm.tm_hour = p[3];
    tm.tm_min = p[4];
    tm.tm_sec = p[5];
    *utc = (int64_t)timegm(&tm) - (int64_t)offset * 15 * 60;
    return 0;
}

/* Where one field of a descriptor lands: its key, location, label and bytes. */
struct field_site {
    ds_fields_t *fields;
    char key[96], location[64];
    const char *label;
    const unsigned char *p;
    uint64_t at;
    uint16_t length;
};

/* One UCS-2 code point (not a surrogate) as UTF-8 into out; returns its length. */
static size_t utf8_encode(unsigned cp, char out[3])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6)), out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* UCS-2 BE to UTF-8, trailing spaces dropped; surrogates and controls are escaped. */
static void joliet_text_decode(const unsigned char *p, size_t length, ds_strbuf_t *sb)
{
    size_t end = length & ~(size_t)1;
    while (end >= 2 && ds_be16(p + end - 2) == 0x0020)
        end -= 2;
    for (size_t i = 0; i + 1 < end; i += 2) {
        unsigned cp = ds_be16(p + i);
        if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF)) {
            ds_strbuf_printf(sb, "\\u%04x", cp);
        } else {
            char utf8[4];
            size_t n = utf8_encode(cp, utf8);
            ds_strbuf_append(sb, utf8, n);
        }
    }
}

static void add_text(const struct field_site *s, bool ucs2)
{
    if (ucs2) {
        ds_strbuf_t sb = {0};
        joliet_text_decode(s->p, s->length, &sb);
        ds_fields_add(s->fields, s->key, s->location, s->label, s->at, s->p, s->length, "\"%s\"",
                      ds_strbuf_text(&sb));
        ds_strbuf_free(&sb);
    } else {
        char text[600];
        ds_format_padded_text(s->p, s->length, text, sizeof text);
        ds_fields_add(s->fields, s->key, s->location, s->label, s->at, s->p, s->length, "\"%s\"",
                      text);
    }
}

/* A both-byte-order number: the little-endian copy is the value; a differing big-endian copy
 * is said in the value. */
static void add_both_endian(const struct field_site *s, uint32_t le, uint32_t be)
{
    ds_field_t *f = ds_fields_add_number(s->fields, s->key, s->location, s->label, s->at, s->p,
                                         s->length, le);
    if (f != NULL && le != be) {
        char *old = f->value;
        ds_strbuf_t sb = {0};
        ds_strbuf_printf(&sb, "%" PRIu32 " (big-endian copy says %" PRIu32 ": inconsistent)", le,
                         be);
        f->value = ds_strbuf_take(&sb);
        free(old);
    }
}

static void add_date(const struct field_site *s)
{
    char text[600];
    ds_iso_date17_decode(s->p, text, sizeof text, NULL);
    ds_fields_add(s->fields, s->key, s->location, s->label, s->at, s->p, s->length, "%s", text);
}

/* ECMA-119 9.1: extent LBA at 2, data length at 10, recording date (7 bytes) at 18. */
static void add_directory_record(const struct field_site *s)
{
    int64_t when = 0;
    char date[40] = "invalid";
    if (ds_iso_date7_decode(s->p + 18, &when) == 0)
        ds_format_utc(when, date, sizeof date);
    ds_fields_add(s->fields, s->key, s->location, s->label, s->at, s->p, s->length,
                  "extent LBA %" PRIu32 ", %" PRIu32 " bytes, recorded %s", ds_le32(s->p + 2),
                  ds_le32(s->p + 10), date);
}

static void add_raw(const struct field_site *s)
{
    bool zero = true;
    for (size_t i = 0; i < s->length; i++)
        if (s->p[i] != 0)
            zero = false;
    if (zero) {
        ds_fields_add(s->fields, s->key, s->location, s->label, s->at, s->p, s->length,
                      "%u zero bytes", s->length);
    } else {
        char text[600];
        ds_format_hex(s->p, s->length, 16, text, sizeof text);
        ds_fields_add(s->fields, s->key, s->location, s->label, s->at, s->p, s->length, "%s",
                      text);
    }
}

static void add_spec_field(ds_fields_t *fields, const char *prefix, const char *location_prefix,
                           const struct field_spec *spec, const unsigned char *sector,
                           uint64_t offset, bool joliet)
{
    struct field_site s = {.fields = fields,
                           .label = spec->label,
                           .p = sector + spec->offset,
                           .at = offset + spec->offset,
                           .length = spec->length};
    snprintf(s.key, sizeof s.key, "%s.%s", prefix, spec->name);
    snprintf(s.location, sizeof s.location, "@iso.%s.%s", location_prefix, spec->name);
    const unsigned char *p = s.p;
    switch (spec->type) {
    case FIELD_TEXT: add_text(&s, joliet && joliet_text(spec->name)); break;
    case FIELD_BOTH16: add_both_endian(&s, ds_le16(p), ds_be16(p + 2)); break;
    case FIELD_BOTH32: add_both_endian(&s, ds_le32(p), ds_be32(p + 4)); break;
    case FIELD_LE32:
        ds_fields_add_number(fields, s.key, s.location, s.label, s.at, p, s.length, ds_le32(p));
        break;
    case FIELD_BE32:
        ds_fields_add_number(fields, s.key, s.location, s.label, s.at, p, s.length, ds_be32(p));
        break;
    case FIELD_U8:
        ds_fields_add_number(fields, s.key, s.location, s.label, s.at, p, s.length, p[0]);
        break;
    case FIELD_DATE: add_date(&s); break;
    case FIELD_DIRREC: add_directory_record(&s); break;
    case FIELD_RAW: add_raw(&s); break;
    }
}

bool ds_volume_descriptor_is_joliet(const unsigned char *sector)
{
    const unsigned char *esc = sector + 88;
    return sector[0] == 2 && esc[0] == '%' && esc[1] == '/' &&
           (esc[2] == '@' || esc[2] == 'C' || esc[2] == 'E');
}

int ds_volume_descriptor_decode(const unsigned char *sector, uint64_t offset, unsigned ordinal,
                                ds_fields_t *fields, ds_volume_info_t *info, ds_error_t *err)
{
    if (memcmp(sector + 1, "CD001", 5) != 0)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "no volume descriptor (\"CD001\") at byte %" PRIu64, offset + 1);
    unsigned type = sector[0];
    char prefix[32], location_prefix[32], key[96], location[64];
    const char *kind;
    bool joliet = false;
    switch (type) {
    case 0: kind = "boot_record"; break;
    case 1: kind = "pvd"; break;
    case 2:
        joliet = ds_volume_descriptor_is_joliet(sector);
        kind = joliet ? "joliet" : "svd";
        break;
    case 3: kind = "partition"; break;
    case 255: kind = "terminator"; break;
    default: kind = "unknown"; break;
    }
    if (ordinal > 0)
        snprintf(prefix, sizeof prefix, "%s%u", kind, ordinal + 1);
    else
        snprintf(prefix, sizeof prefix, "%s", kind);
    snprintf(location_prefix, sizeof location_prefix, "%s", prefix);
    info->descriptor_count++;

    snprintf(key, sizeof key, "%s.type", prefix);
    snprintf(location, sizeof location, "@iso.%s.type", location_prefix);
    ds_fields_add(fields, key, location, "descriptor type", offset, sector, 1, "%u (%s) in sector %" PRIu64,
                  type, kind, offset / DS_ISO_SECTOR);

    if (type == 1 || type == 2) {
        for (size_t i = 0; i < sizeof volume_fields / sizeof volume_fields[0]; i++) {
            const struct field_spec *spec = &volume_fields[i];
            if (type == 1 && (spec->offset == 7 || spec->offset == 88))
                continue; /* unused in a PVD: covered by nothing, shown as raw bytes */
            add_spec_field(fields, prefix, location_prefix, spec, sector, offset, joliet);
        }
        if (type == 1 && !info->has_primary) {
            info->has_primary = true;
            memcpy(info->primary_root, sector + 156, 34);
            info->volume_space_size = ds_le32(sector + 80);
            info->logical_block_size = ds_le16(sector + 128);
        }
        if (joliet)
            info->has_joliet = true;
    } else if (type == 0) {
        char text[64];
        ds_format_padded_text(sector + 7, 32, text, sizeof text);
        snprintf(key, sizeof key, "%s.system_id", prefix);
        snprintf(location, sizeof location, "@iso.%s.system_id", location_prefix);
        ds_fields_add(fields, key, location, "boot system identifier", offset + 7, sector + 7, 32,
                      "\"%s\"", text);
        if (strncmp((const char *)sector + 7, "EL TORITO SPECIFICATION", 23) == 0) {
            snprintf(key, sizeof key, "%s.catalog_lba", prefix);
            ds_fields_add_number(fields, key, "@iso.boot_catalog", "boot catalog LBA",
                                 offset + 71, sector + 71, 4, ds_le32(sector + 71));
            if (!info->has_boot_record) {
                info->has_boot_record = true;
                info->boot_catalog_lba = ds_le32(sector + 71);
            }
        }
    } else if (type == 255) {
        info->terminated = true;
    }
    return DS_OK;
}

int ds_volume_descriptors_read(ds_source_t *src, ds_fields_t *fields, ds_volume_info_t *info,
                               ds_error_t *err)
{
    memset(info, 0, sizeof *info);
    unsigned char sector[DS_ISO_SECTOR];
    unsigned seen[257] = {0}; /* per descriptor type; a plain SVD counts apart from Joliet at 256 */
    for (unsigned i = 0; i < DS_ISO_MAX_DESCRIPTORS; i++) {
        uint64_t offset = (uint64_t)(DS_ISO_FIRST_DESCRIPTOR_SECTOR + i) * DS_ISO_SECTOR;
        int rc = ds_source_read(src, offset, sector, sizeof sector, "iso9660 volume descriptor",
                                err);
        if (rc != DS_OK)
            return rc;
        if (memcmp(sector + 1, "CD001", 5) != 0) {
            return ds_error_set(err, DS_ERR_FORMAT,
                                "%s: iso9660: no volume descriptor at byte %" PRIu64
                                " (sector %u): not an ISO 9660 image%s",
                                ds_source_label(src), offset, DS_ISO_FIRST_DESCRIPTOR_SECTOR + i,
                                i > 0 ? " or the set is not terminated" : "");
        }
        unsigned type = sector[0];
        unsigned kind_key = type == 2 && !ds_volume_descriptor_is_joliet(sector) ? 256 : type;
        rc = ds_volume_descriptor_decode(sector, offset, seen[kind_key]++, fields, info, err);
        if (rc != DS_OK)
            return rc;
        if (type == 255)
            return DS_OK;
    }
    return ds_error_set(err, DS_ERR_LIMIT,
                        "%s: iso9660: no set terminator within %u descriptors (sectors 16..%u)",
                        ds_source_label(src), DS_ISO_MAX_DESCRIPTORS,
                        DS_ISO_FIRST_DESCRIPTOR_SECTOR + DS_ISO_MAX_DESCRIPTORS - 1);
}
