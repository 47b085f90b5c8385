/* Which differing lines of two texts are about dates: a changed line whose differing tokens are
 * all dates, an added or removed line whose only content beyond a few fixed words is a date (a
 * generator's "# built 2026-11-27T11:52:47Z"). Used for text files and for the printable runs
 * of binary files (classify_strings.c). */
#ifndef DS_DATE_LINES_H
#define DS_DATE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dates.h"

#define DS_DATE_LINES_EDITS_MAX 20000 /* line edits examined; more: not only dates */
#define DS_DATE_LINES_LINE_MAX 4096   /* longer lines are not examined for dates */
#define DS_DATE_LINES_WORDS_MAX 6     /* fixed words beside the date of an added line */
#define DS_DATE_LINES_TOKENS_MAX 16   /* date tokens looked for in one line */

typedef struct ds_date_lines {
    size_t changed, added, removed; /* lines that differ only in dates */
    bool other;                     /* a differing line that is not only about dates */
    char first[280];                /* the first such line, for people: "line 3 added: '...'
                                     * (ISO 8601 extended, UTC)" */
    const char *unit;               /* "line" or "string" */
    const uint64_t *offsets_a, *offsets_b; /* when set: the byte offset of each line, named
                                            * instead of its number */
    size_t offsets_a_count, offsets_b_count;
    size_t edge_bytes;              /* bytes before the first and after the last date of a changed
                                     * line that may differ: a binary's printable run takes in the
                                     * CRC or length bytes beside it */
} ds_date_lines_t;

/* The references for epoch seconds: SOURCE_DATE_EPOCH of this run when set, and the calendar
 * dates written in either text. */
void ds_date_lines_references(const char *a, size_t na, const char *b, size_t nb, ds_date_references_t *refs);

/* Diffs a against b by lines and judges each differing line (out->unit and the offsets set by
 * the caller, the rest is filled). Returns 0, or DS_ERR_LIMIT / DS_ERR_NOMEM from the diff (then
 * out->other is true). */
int ds_date_lines_judge(const char *a, size_t na, const char *b, size_t nb, ds_date_lines_t *out);

/* True when every differing line is about dates and there is at least one. */
bool ds_date_lines_only(const ds_date_lines_t *d);

/* "line 3 added: '# built ...' (ISO 8601 extended, UTC)", or for several "4 lines differ only
 * in dates (2 changed, 2 added); line 3 added: ...". */
void ds_date_lines_describe(const ds_date_lines_t *d, char *out, size_t size);

#endif
