/* The byte-level helpers of the generated-cache signatures (signatures_caches.c): a pair of
 * files loaded within a bound, and the walks that judge them (signatures_caches_checks.c). */
#ifndef DS_SIGNATURES_CACHES_INTERNAL_H
#define DS_SIGNATURES_CACHES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/source.h"
#include "signatures.h"

#define DS_UUID_SCAN_MAX (64u << 10)   /* files of any path looked through for UUIDs: one squashfs
                                        * block at most, so that a differing binary of any size
                                        * is not decompressed once more for this rule */
#define DS_HEAD_FIELD_MAX (64u << 10)  /* the head of a list searched for a field */
#define DS_LINES_MAX 500000u           /* lines sorted to compare two orders */
#define DS_PNG_CHUNKS_MAX 100000u      /* chunks walked in one PNG */
#define DS_JKS_ENTRIES_MAX 100000u     /* entries walked in one keystore */

/* Where two loaded files differ: the first and last differing offsets and how many bytes
 * differ (the longer file's tail counts as differing). count 0: equal. */
typedef struct ds_span {
    size_t first, last, count;
} ds_span_t;

ds_span_t ds_pair_span(const ds_pair_t *p);

/* Reads the first n bytes of each side; false when either is shorter or unreadable. */
bool ds_pair_head(ds_source_t *a, ds_source_t *b, unsigned char *ha, unsigned char *hb, size_t n);

/* The value of the first line starting with key in the first DS_HEAD_FIELD_MAX bytes. */
bool ds_head_field(ds_source_t *src, const char *key, char *out, size_t size);

/* Both sides are one UUID in text (a .uuid file), and they differ. */
bool ds_uuid_text_pair(ds_source_t *a, ds_source_t *b);

/* Same length; every differing byte lies in a version 4 UUID present on both sides, as text
 * (8-4-4-4-12 hex digits) or as 16 bytes of which at least 8 differ. */
bool ds_uuid_only(const ds_pair_t *p, size_t *text, size_t *binary);

/* No NUL; the same multiset of lines in another order. *lines: how many. */
bool ds_lines_permuted(const ds_pair_t *p, size_t *lines);

/* Both PNGs; the chunks other than tIME and date text (tEXt/iTXt/zTXt whose keyword names a
 * date or time) are equal, and those differ. what: which ("the tIME chunk"). */
bool ds_png_only_time(const ds_pair_t *p, char *what, size_t size);

/* Same pyc header and length; each differing byte is a marshal type byte with FLAG_REF
 * toggled, or a byte of the 4-byte index after a TYPE_REF 'r'; at least one of the former. */
bool ds_pyc_flag_ref_only(const ds_pair_t *p, size_t *flags, size_t *refs);

/* The Berkeley DB metadata magic at bytes 12..15 (either byte order), or 0. h: 16 bytes. */
uint32_t ds_bdb_magic(const unsigned char *h);

/* Two JKS keystores of the same length and structure differing only in entry dates and in
 * the trailing SHA-1. */
bool ds_jks_only_dates(const ds_pair_t *p, size_t *entries);

static inline uint32_t ds_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint32_t ds_be32(const unsigned char *p)
{
    return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}
static inline unsigned ds_be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

#endif
