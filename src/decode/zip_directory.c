/* zip's central directory, read as PKWARE APPNOTE.TXT 6.3.10 describes it (see the header for
 * the sections). Every offset read from the archive is checked against the source before use. */
#include "zip_directory.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

#define ZIP_TAIL (DS_ZIP_EOCD + 65535u) /* the end record and the longest comment */
#define ZIP64_LOCATOR 20u
#define ZIP64_END 56u

typedef struct end_record {
    uint64_t entries, size, offset; /* of the central directory, as recorded */
    uint64_t directory_end;         /* where the central directory must end in the source */
} end_record_t;

/* The end of central directory record: the last signature whose comment ends the source,
 * else the last one whose comment fits (bytes trail the archive). */
static int find_end(ds_zip_directory_t *dir, ds_source_t *src, const char *layer, unsigned char *tail,
                    ds_error_t *err)
{
    uint64_t size = ds_source_size(src);
    size_t n = size < ZIP_TAIL ? (size_t)size : ZIP_TAIL;
    if (n < DS_ZIP_EOCD)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip: %" PRIu64 " bytes: too short for an end of central directory record",
                            layer, size);
    int rc = ds_source_read(src, size - n, tail, n, layer, err);
    if (rc != DS_OK)
        return rc;
    bool found = false;
    for (size_t i = n - DS_ZIP_EOCD + 1; i-- > 0;) {
        if (memcmp(tail + i, "PK\x05\x06", 4) != 0)
            continue;
        uint16_t comment = ds_le16(tail + i + 20);
        if (i + DS_ZIP_EOCD + comment > n)
            continue;
        if (!found || i + DS_ZIP_EOCD + comment == n) {
            dir->eocd = size - n + i;
            dir->comment_len = comment;
            found = true;
        }
        if (i + DS_ZIP_EOCD + comment == n)
            break;
    }
    if (!found)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip: no end of central directory record in the last %zu bytes",
                            layer, n);
    return DS_OK;
}

/* The ZIP64 end record through its locator (at the end record minus 20). */
static int read_zip64(ds_zip_directory_t *dir, ds_source_t *src, const char *layer, end_record_t *end, ds_error_t *err)
{
    unsigned char loc[ZIP64_LOCATOR], rec[ZIP64_END];
    if (dir->eocd < ZIP64_LOCATOR + ZIP64_END ||
        ds_source_read(src, dir->eocd - ZIP64_LOCATOR, loc, sizeof loc, layer, NULL) != DS_OK ||
        memcmp(loc, "PK\x06\x07", 4) != 0)
        return DS_OK;
    dir->zip64 = true;
    dir->zip64_locator = dir->eocd - ZIP64_LOCATOR;
    /* Where the locator says, or (a self-extractor's prefix shifts it) just before the locator. */
    uint64_t at = ds_le64(loc + 8);
    bool there = at <= dir->zip64_locator - ZIP64_END && ds_source_read(src, at, rec, sizeof rec, layer, NULL) == DS_OK &&
                 memcmp(rec, "PK\x06\x06", 4) == 0;
    if (!there) {
        at = dir->zip64_locator - ZIP64_END;
        if (ds_source_read(src, at, rec, sizeof rec, layer, NULL) != DS_OK || memcmp(rec, "PK\x06\x06", 4) != 0)
            return ds_error_set(err, DS_ERR_FORMAT,
                                "%s: zip: ZIP64 locator at offset %" PRIu64 ": no ZIP64 end of central directory record at offset %" PRIu64,
                                layer, dir->zip64_locator, ds_le64(loc + 8));
    }
    if (ds_le32(loc + 4) != 0 || ds_le32(loc + 16) > 1 || ds_le32(rec + 16) != 0 || ds_le32(rec + 20) != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip: ZIP64 end record at offset %" PRIu64 ": a spanned (multi-disk) archive: not read",
                            layer, at);
    end->entries = ds_le64(rec + 32);
    end->size = ds_le64(rec + 40);
    end->offset = ds_le64(rec + 48);
    end->directory_end = at;
    return DS_OK;
}

static int read_end(ds_zip_directory_t *dir, ds_source_t *src, const char *layer, end_record_t *end, ds_error_t *err)
{
    unsigned char *tail = malloc(ZIP_TAIL);
    if (tail == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: zip: out of memory", layer);
    int rc = find_end(dir, src, layer, tail, err);
    unsigned char r[DS_ZIP_EOCD];
    if (rc == DS_OK)
        rc = ds_source_read(src, dir->eocd, r, sizeof r, layer, err);
    free(tail);
    if (rc != DS_OK)
        return rc;
    if (ds_le16(r + 4) != 0 || ds_le16(r + 6) != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip: end record at offset %" PRIu64 ": a spanned (multi-disk) archive: not read",
                            layer, dir->eocd);
    *end = (end_record_t){ds_le16(r + 10), ds_le32(r + 12), ds_le32(r + 16), dir->eocd};
    rc = read_zip64(dir, src, layer, end, err);
    if (rc != DS_OK)
        return rc;
    if (end->size > end->directory_end || end->offset > end->directory_end - end->size)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: zip: end record at offset %" PRIu64 ": a central directory of %" PRIu64 " bytes at offset %" PRIu64 " does not fit before it",
                            layer, dir->eocd, end->size, end->offset);
    if (end->size > DS_ZIP_MAX_DIRECTORY || end->entries > DS_ZIP_MAX_MEMBERS)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: zip: a central directory of %" PRIu64 " bytes and %" PRIu64 " entries: more than %u bytes or %u entries",
                            layer, end->size, end->entries, DS_ZIP_MAX_DIRECTORY, DS_ZIP_MAX_MEMBERS);
    dir->start = end->directory_end - end->size;
    dir->size = end->size;
    dir->prefix = dir->start - end->offset;
    return DS_OK;
}

void ds_zip_zip64_apply(const unsigned char *extra, uint16_t extra_len, uint32_t usize32, uint64_t *compressed,
                        uint64_t *local)
{
    const unsigned char *data = NULL;
    uint16_t len = 0;
    if (!ds_zip_extra_find(extra, extra_len, 0x0001, &data, &len))
        return;
    size_t at = 0;
    if (usize32 == 0xffffffffu)
        at += 8;
    if (*compressed == 0xffffffffu && at + 8 <= len) {
        *compressed = ds_le64(data + at);
        at += 8;
    }
    if (*local == 0xffffffffu && at + 8 <= len)
        *local = ds_le64(data + at);
}

bool ds_zip_extra_find(const unsigned char *extra, size_t extra_len, uint16_t id, const unsigned char **data,
                       uint16_t *len)
{
    for (size_t at = 0; at + 4 <= extra_len;) {
        uint16_t sub = ds_le16(extra + at), n = ds_le16(extra + at + 2);
        if (n > extra_len - at - 4)
            return false;
        if (sub == id) {
            *data = extra + at + 4;
            *len = n;
            return true;
        }
        at += 4u + n;
    }
    return false;
}

/* One central directory header at pos (which the caller checked lies in the directory):
 * its record, and *next, the header after it. buf holds DS_ZIP_CENTRAL + 2 * 65535 bytes. */
static int read_record(ds_zip_directory_t *dir, ds_source_t *src, const char *layer, uint64_t pos, uint64_t end,
                       unsigned char *buf, uint64_t *next, ds_error_t *err)
{
    int rc = ds_source_read(src, pos, buf, DS_ZIP_CENTRAL, layer, err);
    if (rc != DS_OK)
        return rc;
    if (memcmp(buf, "PK\x01\x02", 4) != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: zip: central directory entry %zu at offset %" PRIu64 ": bad signature",
                            layer, dir->count, pos);
    uint16_t n = ds_le16(buf + 28), m = ds_le16(buf + 30), k = ds_le16(buf + 32);
    uint64_t length = (uint64_t)DS_ZIP_CENTRAL + n + m + k;
    if (length > end - pos)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: zip: central directory entry %zu at offset %" PRIu64 ": %" PRIu64 " bytes run past the directory's end",
                            layer, dir->count, pos, length);
    rc = ds_source_read(src, pos + DS_ZIP_CENTRAL, buf + DS_ZIP_CENTRAL, (size_t)n + m, layer, err);
    char *name = rc == DS_OK ? malloc((size_t)n + 1) : NULL;
    if (rc == DS_OK && name == NULL)
        rc = ds_error_set(err, DS_ERR_NOMEM, "%s: zip: out of memory", layer);
    if (rc != DS_OK)
        return rc;
    memcpy(name, buf + DS_ZIP_CENTRAL, n);
    name[n] = '\0';
    uint64_t compressed = ds_le32(buf + 20), local = ds_le32(buf + 42);
    ds_zip_zip64_apply(buf + DS_ZIP_CENTRAL + n, m, ds_le32(buf + 24), &compressed, &local);
    /* A local offset past the end stays recorded as is: that member's fields say why. */
    local = local > UINT64_MAX - dir->prefix ? UINT64_MAX : local + dir->prefix;
    dir->records[dir->count++] = (ds_zip_record_t){pos, local, compressed, name, n, m, k};
    *next = pos + length;
    return DS_OK;
}

int ds_zip_directory_read(ds_zip_directory_t *dir, ds_source_t *src, const char *layer, const ds_deadline_t *deadline,
                          ds_error_t *err)
{
    memset(dir, 0, sizeof *dir);
    end_record_t end = {0};
    int rc = read_end(dir, src, layer, &end, err);
    unsigned char *buf = rc == DS_OK ? malloc(DS_ZIP_CENTRAL + 2u * 65535u) : NULL;
    /* Every record takes at least DS_ZIP_CENTRAL bytes of the directory: a count the
     * directory cannot hold is refused before anything is sized from it. */
    if (rc == DS_OK && end.entries > dir->size / DS_ZIP_CENTRAL)
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: zip: end record at offset %" PRIu64 ": %" PRIu64 " entries cannot fit in %" PRIu64 " bytes",
                          layer, dir->eocd, end.entries, dir->size);
    if (rc == DS_OK && (buf == NULL || (dir->records = calloc(end.entries ? end.entries : 1, sizeof *dir->records)) == NULL))
        rc = ds_error_set(err, DS_ERR_NOMEM, "%s: zip: out of memory", layer);
    uint64_t pos = dir->start, stop = dir->start + dir->size;
    while (rc == DS_OK && dir->count < end.entries) {
        if (stop - pos < DS_ZIP_CENTRAL)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: zip: the central directory ends after %zu of its %" PRIu64 " entries (offset %" PRIu64 ")",
                              layer, dir->count, end.entries, pos);
        else if ((dir->count & 1023u) == 0 && ds_deadline_passed(deadline))
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: zip: time budget exhausted", layer);
        else
            rc = read_record(dir, src, layer, pos, stop, buf, &pos, err);
    }
    free(buf);
    if (rc != DS_OK)
        ds_zip_directory_free(dir);
    return rc;
}

void ds_zip_directory_free(ds_zip_directory_t *dir)
{
    for (size_t i = 0; dir->records != NULL && i < dir->count; i++)
        free(dir->records[i].name);
    free(dir->records);
    memset(dir, 0, sizeof *dir);
}
