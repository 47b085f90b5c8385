/* Signatures of the catalogue's rows (../shared/CAUSES.md table 1) on one differing pair of
 * files: a path pattern saying where the row applies and, where the row gives one, a check of
 * the two byte streams (a GUID at bytes 8..23, the one line mkconf writes, a PNG chunk walk).
 * One rule per row; the tables live in signatures_*.c by family, the row inventory in rows.c. */
#ifndef DS_SIGNATURES_H
#define DS_SIGNATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/source.h"
#include "causes.h"

/* Returns true when the pair shows the row's signature, with one line of evidence in detail
 * ("bytes 8-23 (the libxmlb GUID) differ, the rest is equal"). Reads a and b through
 * ds_source_read in bounded windows only (DS_SIGNATURE_READ_MAX at most per side). */
typedef bool (*ds_signature_check_fn)(ds_source_t *a, ds_source_t *b, char *detail, size_t size);

#define DS_SIGNATURE_READ_MAX (4u << 20)

typedef struct ds_signature {
    const char *paths;           /* '|'-separated fnmatch(3) patterns on the file's path in its
                                  * file system (/var/cache/swcatalog/cache/NAME.xb); NULL: any */
    ds_cause_id_t cause;
    const char *confidence;      /* "certain", "likely", "guess" */
    ds_signature_check_fn check; /* NULL: the path is the evidence (presence, a known cache) */
    const char *what;            /* the evidence in a few words, for the detail and for hints */
} ds_signature_t;

/* The first rule whose path matches and whose check holds for the pair at path; NULL when none.
 * detail receives the evidence. *near (may be NULL) receives the first rule whose path matched
 * but whose check did not hold: the nearest signature, for an unknown's hint. */
const ds_signature_t *ds_signature_match(ds_source_t *a, ds_source_t *b, const char *path, char *detail,
                                         size_t size, const ds_signature_t **near);

/* The first rule without a check whose path matches (a file present on one side only, a
 * difference no content reached); NULL when none. */
const ds_signature_t *ds_signature_by_path(const char *path);

/* The first rule with a check whose path matches, whatever the content: the nearest signature
 * for a difference that stayed unknown. */
const ds_signature_t *ds_signature_near(const char *path);

/* Rule number index across every table, in match order; NULL past the last (the fuzz harness
 * drives each check through it). */
const ds_signature_t *ds_signature_at(size_t index);

/* Both files, whole (the caller frees with ds_pair_free, which accepts a zeroed pair). */
typedef struct ds_pair {
    unsigned char *a, *b;
    size_t na, nb;
} ds_pair_t;

/* Loads both sides when each is at most max bytes; false (nothing to free) otherwise. */
bool ds_pair_load(ds_source_t *a, ds_source_t *b, size_t max, ds_pair_t *p);
void ds_pair_free(ds_pair_t *p);

/* True when text matches one of the '|'-separated fnmatch(3) patterns (each under 256 bytes). */
bool ds_patterns_match(const char *patterns, const char *text);

/* Helpers for the checks. Reads up to max bytes of src from offset 0 into a new buffer
 * (NUL-terminated, *len its length); NULL when the source is larger than max or unreadable. */
unsigned char *ds_signature_load(ds_source_t *src, size_t max, size_t *len);

#endif
