/* One interface for every format driftscope opens: containers (entries with metadata and
 * content), streams (one decoded payload plus header fields) and documents (named fields and
 * named byte ranges of one file). A format bids on a source (0: not this format, 100: certain;
 * the highest bid wins, as in libarchive's choose_format), is opened, and hands out what it
 * holds; it never compares and never reports. Each format is one file and one line in
 * registry.c.
 *
 * Offsets of fields and sections are relative to the source the format was opened on. Every
 * content source a format returns is owned by the caller and must be closed before the
 * format's state; it may read the format's source, which must outlive the state. */
#ifndef DS_FORMAT_H
#define DS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../readers/tree.h"
#include "../decode/fields.h"
#include "../readers/reader.h"
#include "../util/clock.h"
#include "../util/source.h"

typedef enum ds_format_kind {
    DS_FORMAT_CONTAINER,
    DS_FORMAT_STREAM,
    DS_FORMAT_DOCUMENT,
} ds_format_kind_t;

/* Entries are paired by position, not by name (the segments of a concatenated archive). */
#define DS_FORMAT_BY_INDEX 0x1u

/* A named byte range of a document ("@elf.section..text"). */
typedef struct ds_section {
    char location[96]; /* the location element, "@elf.section.<name>" */
    uint64_t offset, size;
} ds_section_t;

typedef struct ds_sections {
    ds_section_t *items;
    size_t count, capacity;
} ds_sections_t;

/* Appends a section; false when out of memory. */
bool ds_sections_add(ds_sections_t *sections, const char *location, uint64_t offset, uint64_t size);
void ds_sections_free(ds_sections_t *sections);

typedef struct ds_format_open {
    const ds_deadline_t *deadline; /* may be NULL */
    const char *layer;             /* names the layer in messages ("data.tar.xz") */
} ds_format_open_t;

typedef struct ds_format {
    const char *name;    /* "gzip"; also the prefix of its field locations ("@gzip.mtime") */
    ds_format_kind_t kind;
    const char *summary; /* one line for --list-formats */
    unsigned flags;      /* DS_FORMAT_* */
    /* 0..100 from a few header bytes. */
    int (*bid)(ds_source_t *src);
    /* Opens the format on src (which must outlive *state). On error *state is NULL. */
    int (*open)(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err);
    void (*close)(void *state);
    /* Optional: the format's own header fields, appended to fields. */
    int (*fields)(void *state, ds_fields_t *fields, ds_error_t *err);
    /* Containers: every entry, appended to tree (the caller sorts). Entries carry a digest
     * when the format reads the content anyway (a stream-only archive). */
    int (*entries)(void *state, ds_tree_t *tree, ds_error_t *err);
    /* Containers: an entry's content as a new source (the caller closes it). */
    int (*open_entry)(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err);
    /* Optional, containers: decides from the format's cheap fingerprint (stored compressed
     * bytes, CRCs) whether two entries of equal size have equal content; *known false when it
     * cannot tell. */
    int (*same_content)(void *state_a, const ds_entry_t *a, void *state_b, const ds_entry_t *b,
                        bool *known, bool *same, ds_error_t *err);
    /* Streams: the decoded payload as a new source (the caller closes it). */
    int (*payload)(void *state, ds_source_t **out, ds_error_t *err);
    /* Optional, documents: named byte ranges, appended to sections. */
    int (*sections)(void *state, ds_sections_t *sections, ds_error_t *err);
    /* Optional, containers: the named fields of one entry that ds_entry_t does not hold (a
     * zip member's method, CRC-32, extra fields and comment; an ar member's name form),
     * appended to fields. entry is one this state's `entries` produced (its index says
     * which). Keys and locations are the same for every entry ("zip.member.crc32",
     * "@zip.member.crc32"); offsets are in the state's source. Fields restating what
     * ds_entry_t holds (mode, owner, mtime, size) are left out: the comparer reports those
     * from the entries. The comparer compares both sides' fields by key for every entry
     * present on both sides and reports each that differs at [..., "/member",
     * "@zip.member.crc32"] (kind header); a derived field (a CRC or a compressed size
     * follows from the content) is a consequence (secondary) when the entry's content or one
     * of its non-derived fields differs. */
    int (*entry_fields)(void *state, const ds_entry_t *entry, ds_fields_t *fields, ds_error_t *err);
    /* Optional, containers: the key under which an entry may pair with an entry the other
     * side names differently, when both are the same member: a .deb's "/control.tar.gz" and
     * "/control.tar.xz" are both "/control.tar" (ds_pair_key_without_compression). Writes
     * the key (NUL included, at most size bytes) and returns true, or returns false when the
     * name has no key but itself. Entries pair by exact name first; of those left over, an
     * entry of A and one of B pair when their keys are equal and neither side has another
     * left-over entry with that key. Such a pair is compared as any other (its content
     * walked: a gzip'd and an xz'd tar are both decoded and the tars compared) and reported
     * at A's name; the member order is judged by keys. */
    bool (*pair_key)(const char *path, char *key, size_t size);
} ds_format_t;

/* A pair_key for containers whose members may be recompressed between builds: path without a
 * compression suffix (.gz, .xz, .zst, .bz2, .lz4, .lzma, .lz); false when it has none. */
bool ds_pair_key_without_compression(const char *path, char *key, size_t size);

/* The registered format with the highest bid above 0 for src, or NULL. *bid (may be NULL)
 * receives the winning bid. Reads a few header bytes per format. */
const ds_format_t *ds_format_choose(ds_source_t *src, int *bid);
const ds_format_t *ds_format_find(const char *name);
/* Every registered format, in registry order. */
const ds_format_t *const *ds_formats_all(size_t *count);
/* The registry as a table (driftscope --list-formats). */
void ds_formats_print(FILE *out);
const char *ds_format_kind_name(ds_format_kind_t kind);

#endif
