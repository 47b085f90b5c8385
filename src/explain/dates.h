/* The date recogniser: finds the date and time tokens of a line of text, in every spelling a
 * build writes one (ISO 8601 basic and extended, RFC 2822, date(1)'s default, asctime, C's
 * __DATE__, compact stamps, epoch seconds), and says which spelling each is. Knows nothing
 * about files: callers feed it lines (of a text, or printable runs of a binary). */
#ifndef DS_DATES_H
#define DS_DATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_DATES_YEAR_MIN 1970
#define DS_DATES_YEAR_MAX 2199
#define DS_DATES_REFERENCES_MAX 16 /* reference instants an epoch-seconds token is judged by */
/* Epoch seconds count as a date only this close to a reference (SOURCE_DATE_EPOCH, or another
 * date of the same pair of files): any 10-digit number is not a date. */
#define DS_DATES_EPOCH_WINDOW (5ll * 366 * 86400)

typedef struct ds_date_token {
    size_t start, length; /* bytes of the line */
    const char *spelling; /* "ISO 8601 extended", "RFC 2822", ... (static) */
    char zone[8];         /* "UTC", "+01:00", "CET"; "" when the token names no zone */
    int64_t seconds;      /* since 1970-01-01 UTC (local spellings: as if UTC; a time of day
                           * alone: seconds since midnight) */
    bool calendar;        /* names a day (a time of day alone or epoch seconds do not) */
} ds_date_token_t;

typedef struct ds_date_references {
    int64_t items[DS_DATES_REFERENCES_MAX];
    size_t count;
} ds_date_references_t;

/* Adds an instant to the references (ignored once full or when already there). */
void ds_date_references_add(ds_date_references_t *refs, int64_t seconds);

/* Finds the date tokens of line[0..len), left to right, non-overlapping, the longest spelling
 * at each place. Writes at most max tokens to out and returns how many it wrote. refs may be
 * NULL: then no epoch seconds are recognised. */
size_t ds_dates_find(const char *line, size_t len, const ds_date_references_t *refs, ds_date_token_t *out,
                     size_t max);

#endif
