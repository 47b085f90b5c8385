/* One interface for every container format. A reader is probed against a source, opened, and
 * then hands out entries one at a time (path, type, mode, owner, size, time, link, where its
 * content lies); it never compares and never reports. Recoverable damage (one bad record) is
 * recorded as a problem and the entry skipped; only an unusable container fails `open`/`next`.
 * The stages read the ISO itself through it; everything else goes through formats/. */
#ifndef DS_READER_H
#define DS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/clock.h"
#include "../util/source.h"

typedef enum ds_entry_type {
    DS_ENTRY_FILE,
    DS_ENTRY_DIR,
    DS_ENTRY_SYMLINK,
    DS_ENTRY_CHAR,
    DS_ENTRY_BLOCK,
    DS_ENTRY_FIFO,
    DS_ENTRY_SOCKET,
    DS_ENTRY_OTHER,
} ds_entry_type_t;

/* A byte range of the reader's source holding (part of) an entry's content, in order. */
typedef struct ds_extent {
    uint64_t offset;
    uint64_t length;
} ds_extent_t;

typedef struct ds_entry {
    char *path;            /* absolute, '/'-separated, as the container names it; owned */
    uint8_t type;          /* a ds_entry_type_t (packed: a tree holds millions of entries) */
    bool has_owner;        /* mode/uid/gid/nlink were recorded (Rock Ridge PX), not defaulted */
    uint32_t mode;         /* permission bits (07777) */
    uint32_t uid, gid;
    uint32_t nlink;
    uint32_t index;        /* position in the container's own order (stream or directory order) */
    uint64_t size;
    int64_t mtime;         /* UTC seconds */
    char *link_target;     /* symlinks; owned, else NULL */
    uint32_t rdev_major, rdev_minor;
    ds_extent_t *extents;  /* owned; extent_count of them */
    size_t extent_count;
    uint64_t record_offset; /* where the entry's metadata lies in the source, for messages */
    char *xattrs;          /* "name=value, ..." sorted by name, values escaped; owned, or NULL */
    char *host_path;       /* directory trees: the file on the host to read the content from
                            * (opened without following links); owned, or NULL */
    unsigned char *digest; /* SHA-256 of the content (32 bytes) when the format reads the
                            * content anyway (a stream-only archive); owned, or NULL */
    char *mtime_text;      /* how the format shows its times, when richer than mtime (FAT's
                            * written/created/accessed); owned, or NULL */
    const void *native;    /* the reader's own record (a squashfs inode); valid while the
                            * reader that produced it is open; not owned */
} ds_entry_t;

/* Gives the entry a copy of a 32-byte SHA-256; false when out of memory. */
bool ds_entry_set_digest(ds_entry_t *entry, const unsigned char digest[32]);

/* Frees what an entry owns and zeroes it. Accepts an empty entry. */
void ds_entry_clear(ds_entry_t *entry);
const char *ds_entry_type_name(ds_entry_type_t type);
/* The entry type of a POSIX st_mode (S_IFMT bits). */
ds_entry_type_t ds_entry_type_from_mode(uint32_t mode);

/* Problems a reader met and survived (one per skipped record), kept for the report. */
typedef struct ds_problems {
    char **messages;
    size_t count;
    size_t capacity;
    size_t dropped; /* past DS_PROBLEMS_MAX, only counted */
} ds_problems_t;

#define DS_PROBLEMS_MAX 1000

void ds_problems_add(ds_problems_t *problems, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ds_problems_free(ds_problems_t *problems);

typedef struct ds_reader_ops {
    const char *name; /* "iso9660" */
    /* 0 (not this format) to 100 (certain). Reads a few header bytes only. */
    int (*probe)(ds_source_t *src);
    /* Opens the container; *state is freed by close. problems collects survivable damage. */
    int (*open)(void **state, ds_source_t *src, const ds_deadline_t *deadline,
                ds_problems_t *problems, ds_error_t *err);
    /* Fills *entry (which the caller then owns) and returns 1, returns 0 at the end, or a
     * negative error when the container cannot be read further. */
    int (*next)(void *state, ds_entry_t *entry, ds_error_t *err);
    void (*close)(void *state);
} ds_reader_ops_t;

extern const ds_reader_ops_t ds_iso9660_reader;


#endif
