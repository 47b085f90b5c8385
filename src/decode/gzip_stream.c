#include "gzip_stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../util/clock.h"
#include "../util/strbuf.h"

bool ds_gzip_probe(ds_source_t *src)
{
    unsigned char head[3];
    return ds_source_read(src, 0, head, 3, "gzip", NULL) == DS_OK && head[0] == 0x1f &&
           head[1] == 0x8b && head[2] == 8;
}

static const char *os_name(unsigned os)
{
    static const char *const names[] = {"FAT", "Amiga", "VMS", "Unix", "VM/CMS", "Atari",
                                        "HPFS", "Macintosh", "Z-System", "CP/M", "TOPS-20",
                                        "NTFS", "QDOS", "Acorn"};
    return os < sizeof names / sizeof names[0] ? names[os] : os == 255 ? "unknown" : "other";
}

int ds_gzip_header_fields(ds_source_t *src, ds_fields_t *fields, uint64_t *header_len,
                          ds_error_t *err)
{
    unsigned char h[10];
    int rc = ds_source_read(src, 0, h, sizeof h, "gzip header", err);
    if (rc != DS_OK)
        return rc;
    char text[80];
    unsigned flags = h[3];
    ds_fields_add(fields, "gzip.flags", "@gzip.flags", "FLG", 3, h + 3, 1, "0x%02x%s%s%s%s", flags,
                  flags & 0x04 ? " FEXTRA" : "", flags & 0x08 ? " FNAME" : "",
                  flags & 0x10 ? " FCOMMENT" : "", flags & 0x02 ? " FHCRC" : "");
    uint32_t mtime = ds_le32(h + 4);
    if (mtime == 0)
        snprintf(text, sizeof text, "0 (not set)");
    else
        ds_format_utc(mtime, text, sizeof text);
    ds_field_t *f = ds_fields_add(fields, "gzip.mtime", "@gzip.mtime", "MTIME", 4, h + 4, 4, "%s", text);
    if (f != NULL)
        f->number = mtime;
    ds_fields_add(fields, "gzip.xfl", "@gzip.xfl", "XFL", 8, h + 8, 1, "%u", h[8]);
    ds_fields_add(fields, "gzip.os", "@gzip.os", "OS", 9, h + 9, 1, "%u (%s)", h[9], os_name(h[9]));
    uint64_t at = 10;
    if (flags & 0x04) {
        unsigned char xlen[2];
        rc = ds_source_read(src, at, xlen, 2, "gzip FEXTRA", err);
        if (rc != DS_OK)
            return rc;
        at += 2 + ds_le16(xlen);
    }
    for (int field = 0; field < 2; field++) {
        unsigned bit = field == 0 ? 0x08 : 0x10;
        if (!(flags & bit))
            continue;
        unsigned char name[DS_GZIP_NAME_MAX];
        size_t len = 0;
        uint64_t start = at;
        for (;;) {
            unsigned char c;
            rc = ds_source_read(src, at++, &c, 1, "gzip name", err);
            if (rc != DS_OK)
                return rc;
            if (c == 0)
                break;
            if (len < sizeof name)
                name[len++] = c;
            if (at - start > (1u << 20))
                return ds_error_set(err, DS_ERR_LIMIT, "%s: gzip: name field longer than 1 MiB",
                                    ds_source_label(src));
        }
        ds_strbuf_t sb = {0};
        ds_strbuf_escape_line(&sb, (const char *)name, len);
        ds_fields_add(fields, field == 0 ? "gzip.name" : "gzip.comment",
                      field == 0 ? "@gzip.name" : "@gzip.comment", field == 0 ? "FNAME" : "FCOMMENT",
                      start, name, (uint32_t)len, "\"%s\"", ds_strbuf_text(&sb));
        ds_strbuf_free(&sb);
    }
    if (flags & 0x02)
        at += 2;
    *header_len = at;
    return DS_OK;
}
