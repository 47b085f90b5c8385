/* A zip archive's central directory (PKWARE APPNOTE.TXT 6.3.10): the end of central directory
 * record (section 4.3.16), the ZIP64 end of central directory record and locator (4.3.14,
 * 4.3.15), and one record a central directory file header (4.3.12) with what its ZIP64
 * extended information extra field (4.5.3) says of the local header's offset. Kept as
 * offsets and names only: the zip format (formats/zip.c) decodes a member's fields when they
 * are asked for. Spanned (multi-disk) archives are refused. */
#ifndef DS_ZIP_DIRECTORY_H
#define DS_ZIP_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/clock.h"
#include "../util/source.h"

#define DS_ZIP_MAX_MEMBERS 1000000u         /* central directory records */
#define DS_ZIP_MAX_DIRECTORY (256u << 20)   /* bytes of central directory read */
#define DS_ZIP_EOCD 22u                     /* the end record without its comment */
#define DS_ZIP_CENTRAL 46u                  /* a central header without name, extra, comment */
#define DS_ZIP_LOCAL 30u                    /* a local header without name and extra */

typedef struct ds_zip_record {
    uint64_t header;   /* its central directory header in the source */
    uint64_t local;    /* its local file header in the source (unchecked until read) */
    uint64_t compressed; /* compressed size, ZIP64 extra field applied */
    char *name;        /* as stored, NUL-terminated (cut at a NUL inside); owned */
    uint16_t name_len, extra_len, comment_len;
} ds_zip_record_t;

typedef struct ds_zip_directory {
    uint64_t eocd;          /* the end of central directory record */
    uint16_t comment_len;   /* the archive comment's length (it follows the record) */
    bool zip64;             /* a ZIP64 locator precedes the end record */
    uint64_t zip64_locator; /* where it lies, when zip64 */
    uint64_t start, size;   /* the central directory in the source */
    uint64_t prefix;        /* bytes before the archive's own offset 0 (a self-extractor) */
    ds_zip_record_t *records; /* in central directory order */
    size_t count;
} ds_zip_directory_t;

/* Reads the directory of src (layer names it in messages). Every record lies inside the
 * directory and the directory inside src; a failure leaves *dir empty. */
int ds_zip_directory_read(ds_zip_directory_t *dir, ds_source_t *src, const char *layer,
                          const ds_deadline_t *deadline, ds_error_t *err);
void ds_zip_directory_free(ds_zip_directory_t *dir);

/* The ZIP64 extended information (header id 0x0001) of a central header whose 32-bit
 * compressed size or local offset is 0xffffffff: the 64-bit values replace them (4.5.3 lists
 * them in the order uncompressed size, compressed size, local offset, disk, each present only
 * when its 32-bit field is all ones). */
void ds_zip_zip64_apply(const unsigned char *extra, uint16_t extra_len, uint32_t usize32,
                        uint64_t *compressed, uint64_t *local);

/* The first extra subfield with that header id in extra (4.5.1: id, size, data), its data in
 * *data and *len; false when none fits. */
bool ds_zip_extra_find(const unsigned char *extra, size_t extra_len, uint16_t id,
                       const unsigned char **data, uint16_t *len);

#endif
