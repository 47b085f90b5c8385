/* The date recogniser (dates.h). Spellings follow ISO 8601:2004 (sections 4.1.2 and 4.2.2: basic
 * and extended formats), RFC 5322 section 3.3 (date -R), C11 7.27.3.1 (asctime, and __DATE__
 * of 6.10.8.1), and the formats of coreutils date(1). Each spelling is a small pattern; the
 * longest that matches at a token boundary wins, and every field is range-checked, so that an
 * ordinary number is not taken for a date. */
#include "dates.h"

#include <stdio.h>
#include <string.h>

/* Pattern letters: Y year (4 digits), M month, D day, h hour, m minute, s second (2 digits
 * each), d day of month ("7", " 7", "07", "27"), b month name, a weekday name, f an optional
 * fraction of a second, z an optional zone after the time ("Z", "+01:00", "+0100", " UTC"),
 * Z a zone in the middle (date(1): "UTC", "CET", "+0100"). Other characters are literal. */
typedef struct spelling {
    const char *name;
    const char *pattern;
} spelling_t;

static const spelling_t spellings[] = {
    {"ISO 8601 extended", "Y-M-DTh:m:sfz"},
    {"ISO 8601 extended", "Y-M-DTh:mz"},
    {"ISO 8601 extended", "Y-M-D h:m:sfz"},
    {"ISO 8601 extended", "Y-M-D h:mz"},
    {"ISO 8601 basic", "YMDThmsfz"},
    {"ISO 8601 basic", "YMDThmz"},
    {"RFC 2822", "a, d b Y h:m:sz"},
    {"RFC 2822", "a, d b Y h:mz"},
    {"RFC 2822", "d b Y h:m:sz"},
    {"date default", "a b d h:m:s Z Y"},
    {"asctime", "a b d h:m:s Y"},
    {"%Y%m%d-%H:%M", "YMD-h:m"},
    {"%Y%m%d%H%M%S", "YMDhms"},
    {"C __DATE__", "b d Y"},
    {"ISO 8601 date", "Y-M-D"},
    {"time of day", "h:m:sf"},
};

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

typedef struct parsed {
    int year, month, day, hour, minute, second;
    int offset; /* seconds east of UTC */
    bool has_day;
    char zone[8];
} parsed_t;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

/* Exactly k digits at p (k <= 4) into *value; 0 when not there. */
static size_t digits(const char *p, size_t n, size_t k, int *value)
{
    if (n < k)
        return 0;
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (!is_digit(p[i]))
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return k;
}

static size_t name_of(const char *p, size_t n, const char *const *names, size_t count, int *index)
{
    for (size_t i = 0; n >= 3 && i < count; i++)
        if (strncmp(p, names[i], 3) == 0) {
            *index = (int)i;
            return 3;
        }
    return 0;
}

/* A day of the month: " 7", "07", "7" or "27". */
static size_t day_of_month(const char *p, size_t n, int *day)
{
    if (n >= 2 && p[0] == ' ' && is_digit(p[1]))
        return digits(p + 1, n - 1, 1, day) + 1;
    if (digits(p, n, 2, day))
        return 2;
    return digits(p, n, 1, day);
}

static size_t fraction(const char *p, size_t n)
{
    size_t i = 0;
    if (n >= 2 && (p[0] == '.' || p[0] == ',') && is_digit(p[1]))
        for (i = 1; i < n && is_digit(p[i]); i++)
            ;
    return i;
}

/* A numeric offset "+hh:mm", "+hhmm" or "+hh"; sets the offset and the zone's name. */
static size_t offset_zone(const char *p, size_t n, parsed_t *t)
{
    int hh = 0, mm = 0;
    if (n < 3 || (p[0] != '+' && p[0] != '-') || !digits(p + 1, n - 1, 2, &hh))
        return 0;
    size_t used = 3;
    if (n >= 6 && p[3] == ':' && digits(p + 4, n - 4, 2, &mm))
        used = 6;
    else if (digits(p + 3, n - 3, 2, &mm))
        used = 5;
    if (hh > 14 || mm > 59)
        return 0;
    t->offset = (p[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    if (t->offset == 0)
        snprintf(t->zone, sizeof t->zone, "UTC");
    else
        snprintf(t->zone, sizeof t->zone, "%c%02d:%02d", p[0], hh, mm);
    return used;
}

/* A zone named by letters ("UTC", "CET"): 1 to 5 capitals. Only UTC and GMT move the time. */
static size_t named_zone(const char *p, size_t n, parsed_t *t)
{
    size_t i = 0;
    while (i < n && i < 6 && p[i] >= 'A' && p[i] <= 'Z')
        i++;
    if (i == 0 || i > 5 || (i < n && is_alnum(p[i])))
        return 0;
    bool utc = (i == 3 && (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0)) || (i == 1 && p[0] == 'Z');
    if (utc)
        snprintf(t->zone, sizeof t->zone, "UTC");
    else
        snprintf(t->zone, sizeof t->zone, "%.*s", (int)i, p);
    return i;
}

/* The optional zone after a time: "Z", an offset, or a space and a zone. */
static size_t zone_after(const char *p, size_t n, parsed_t *t)
{
    size_t used = 0;
    if (n >= 1 && p[0] == 'Z' && (n == 1 || !is_alnum(p[1])))
        return named_zone(p, n, t);
    if ((used = offset_zone(p, n, t)) > 0)
        return used;
    if (n >= 2 && p[0] == ' ' && ((used = offset_zone(p + 1, n - 1, t)) > 0 || (used = named_zone(p + 1, n - 1, t)) > 0))
        return used + 1;
    return 0;
}

/* One pattern letter at p: how many bytes it takes, 0 when it does not match (the optional
 * ones, f and z, match empty: *ok says whether the letter matched). */
static size_t match_letter(char letter, const char *p, size_t n, parsed_t *t, bool *ok)
{
    size_t used = 0;
    int index = 0;
    *ok = true;
    switch (letter) {
    case 'Y': used = digits(p, n, 4, &t->year); break;
    case 'M': used = digits(p, n, 2, &t->month); break;
    case 'D': used = digits(p, n, 2, &t->day); break;
    case 'd': used = day_of_month(p, n, &t->day); break;
    case 'h': used = digits(p, n, 2, &t->hour); break;
    case 'm': used = digits(p, n, 2, &t->minute); break;
    case 's': used = digits(p, n, 2, &t->second); break;
    case 'b':
        used = name_of(p, n, month_names, 12, &index);
        t->month = index + 1;
        break;
    case 'a': used = name_of(p, n, day_names, 7, &index); break;
    case 'f': return fraction(p, n);
    case 'z': return zone_after(p, n, t);
    case 'Z':
        if ((used = offset_zone(p, n, t)) == 0)
            used = named_zone(p, n, t);
        break;
    default: used = n >= 1 && p[0] == letter ? 1 : 0; break;
    }
    *ok = used > 0;
    return used;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_since_epoch(int y, int m, int d)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t days = (int64_t)(y - 1970) * 365;
    for (int k = 1970; k < y; k++)
        days += leap(k);
    return days + before[m - 1] + (m > 2 && leap(y)) + d - 1;
}

static bool plausible(const parsed_t *t)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (t->hour > 23 || t->minute > 59 || t->second > 60)
        return false;
    if (!t->has_day)
        return true;
    return t->year >= DS_DATES_YEAR_MIN && t->year <= DS_DATES_YEAR_MAX && t->month >= 1 && t->month <= 12 &&
           t->day >= 1 && t->day <= month_days[t->month - 1] && (t->month != 2 || t->day < 29 || leap(t->year));
}

/* The whole pattern at p: bytes taken, 0 when it does not match or a field is out of range. */
static size_t match_spelling(const spelling_t *s, const char *p, size_t n, parsed_t *t)
{
    memset(t, 0, sizeof *t);
    t->has_day = strchr(s->pattern, 'Y') != NULL;
    size_t at = 0;
    for (const char *letter = s->pattern; *letter; letter++) {
        bool ok = false;
        at += match_letter(*letter, p + at, n - at, t, &ok);
        if (!ok && *letter != 'f' && *letter != 'z')
            return 0;
    }
    return plausible(t) ? at : 0;
}

/* Epoch seconds: 9 or 10 digits (and a fraction) within the window of a reference. */
static size_t match_epoch(const char *p, size_t n, const ds_date_references_t *refs, int64_t *seconds)
{
    size_t k = 0;
    int64_t v = 0;
    while (k < n && k < 11 && is_digit(p[k]))
        v = v * 10 + (p[k++] - '0');
    if (refs == NULL || k < 9 || k > 10)
        return 0;
    for (size_t i = 0; i < refs->count; i++) {
        int64_t gap = v > refs->items[i] ? v - refs->items[i] : refs->items[i] - v;
        if (gap <= DS_DATES_EPOCH_WINDOW) {
            *seconds = v;
            return k + fraction(p + k, n - k);
        }
    }
    return 0;
}

/* A token may start after no letter or digit, nor a digit and a separator ("1.2023-11-14"). */
static bool boundary_before(const char *line, size_t i)
{
    if (i == 0)
        return true;
    char c = line[i - 1];
    return !is_alnum(c) && !(i >= 2 && strchr(":.-/", c) != NULL && is_digit(line[i - 2]));
}

static bool boundary_after(const char *line, size_t len, size_t end)
{
    if (end >= len)
        return true;
    char c = line[end];
    return !is_alnum(c) && !(end + 1 < len && strchr(":.-/", c) != NULL && is_digit(line[end + 1]));
}

/* The longest spelling at line[i]; 0 when none. */
static size_t token_at(const char *line, size_t len, size_t i, const ds_date_references_t *refs, ds_date_token_t *tok)
{
    size_t best = 0;
    parsed_t t, kept = {0};
    for (size_t s = 0; s < sizeof spellings / sizeof spellings[0]; s++) {
        size_t used = match_spelling(&spellings[s], line + i, len - i, &t);
        if (used > best && boundary_after(line, len, i + used)) {
            best = used;
            kept = t;
            tok->spelling = spellings[s].name;
        }
    }
    if (best > 0) {
        int64_t day = kept.has_day ? days_since_epoch(kept.year, kept.month, kept.day) : 0;
        tok->seconds = day * 86400 + kept.hour * 3600 + kept.minute * 60 + kept.second - kept.offset;
        tok->calendar = kept.has_day;
        memcpy(tok->zone, kept.zone, sizeof tok->zone);
        return best;
    }
    int64_t seconds = 0;
    best = match_epoch(line + i, len - i, refs, &seconds);
    if (best > 0 && boundary_after(line, len, i + best)) {
        tok->spelling = "epoch seconds";
        tok->seconds = seconds;
        tok->calendar = false;
        snprintf(tok->zone, sizeof tok->zone, "UTC");
        return best;
    }
    return 0;
}

size_t ds_dates_find(const char *line, size_t len, const ds_date_references_t *refs, ds_date_token_t *out,
                     size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < len && found < max;) {
        ds_date_token_t tok = {0};
        size_t used = boundary_before(line, i) ? token_at(line, len, i, refs, &tok) : 0;
        if (used == 0) {
            i++;
            continue;
        }
        tok.start = i;
        tok.length = used;
        out[found++] = tok;
        i += used;
    }
    return found;
}

void ds_date_references_add(ds_date_references_t *refs, int64_t seconds)
{
    for (size_t i = 0; i < refs->count; i++)
        if (refs->items[i] == seconds)
            return;
    if (refs->count < DS_DATES_REFERENCES_MAX)
        refs->items[refs->count++] = seconds;
}
