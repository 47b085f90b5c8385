/* cpio (newc, odc) and tar archives, under any compression libarchive knows (gzip, xz, zstd,
 * lz4, bzip2), read through a ds_source_t callback. An initrd is often an uncompressed early
 * cpio followed by a compressed main cpio: segments are read one after the other. Only member
 * metadata and a SHA-256 of each member's data are kept, never the data. */
#ifndef DS_ARCHIVE_H
#define DS_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/clock.h"
#include "../util/source.h"

#define DS_ARCHIVE_MAX_MEMBERS 1000000u
#define DS_ARCHIVE_MAX_SEGMENTS 8u /* concatenated initrd segments */

typedef struct ds_archive_member {
    char *path;       /* owned, absolute ("/etc/initrd-release") */
    char *link;       /* owned symlink target or NULL */
    uint32_t mode;    /* full st_mode */
    uint32_t uid, gid, nlink;
    int64_t mtime;
    uint64_t size, ino, dev;
    size_t index;     /* position in the archive stream */
    unsigned segment;
    unsigned char sha256[32];
} ds_archive_member_t;

typedef struct ds_archive_list {
    ds_archive_member_t *items;
    size_t count, capacity;
    char format[64];  /* e.g. "SVR4 cpio with gzip" */
    unsigned segments;
    uint64_t data_bytes; /* decompressed member bytes read */
} ds_archive_list_t;

/* True when libarchive recognises src as a cpio or tar archive (possibly compressed). */
bool ds_archive_probe(ds_source_t *src);

/* Reads every member of every segment; the list is sorted by path afterwards (index keeps the
 * stream order). On error the members read so far stay in the list. */
int ds_archive_list_read(ds_source_t *src, ds_archive_list_t *list, const ds_deadline_t *deadline,
                         ds_error_t *err);

void ds_archive_list_free(ds_archive_list_t *list);

#endif
