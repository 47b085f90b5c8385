/* Which differing lines of two texts are about dates (date_lines.h). The lines of one change
 * (a hunk of a diff without context) are paired in order: pairs are changed lines, the rest
 * added or removed. */
#include "date_lines.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/line_diff.h"
#include "../util/error.h"

#define HUNK_LINES_MAX 64 /* lines of one side of a change judged in pairs; more are judged alone */

typedef struct line_ref {
    const char *text;
    size_t len;
    size_t number; /* 1-based */
} line_ref_t;

typedef struct judge {
    ds_date_lines_t *out;
    ds_date_references_t refs;
    line_ref_t minus[HUNK_LINES_MAX], plus[HUNK_LINES_MAX];
    size_t minus_count, plus_count, next_a, next_b;
} judge_t;

/* The line with every date token replaced by one \x01 byte (at most size-1 bytes). */
static size_t without_dates(const char *line, size_t len, const ds_date_token_t *toks, size_t count, char *out,
                            size_t size)
{
    size_t o = 0, at = 0;
    for (size_t k = 0; k <= count && o + 1 < size; k++) {
        size_t end = k < count ? toks[k].start : len;
        for (; at < end && o + 1 < size; at++)
            out[o++] = line[at];
        if (k < count && o + 1 < size) {
            out[o++] = '\x01';
            at = toks[k].start + toks[k].length;
        }
    }
    out[o] = '\0';
    return o;
}

/* Drops up to `edge` bytes before the first date and after the last (text is a remainder of
 * without_dates). */
static const char *trim_edges(char *text, size_t edge)
{
    char *first = strchr(text, '\x01'), *last = strrchr(text, '\x01');
    if (first == NULL || edge == 0)
        return text;
    if (strlen(last + 1) <= edge)
        last[1] = '\0';
    return (size_t)(first - text) <= edge ? first : text;
}

/* "line 3" or "string at 0x1c40". */
static void name_line(const judge_t *j, size_t number, bool side_b, char *out, size_t size)
{
    const uint64_t *offsets = side_b ? j->out->offsets_b : j->out->offsets_a;
    size_t count = side_b ? j->out->offsets_b_count : j->out->offsets_a_count;
    if (offsets != NULL && number >= 1 && number <= count)
        snprintf(out, size, "%s at 0x%" PRIx64 " in %c", j->out->unit, offsets[number - 1], side_b ? 'B' : 'A');
    else
        snprintf(out, size, "%s %zu", j->out->unit, number);
}

static void zone_note(const ds_date_token_t *t, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", t->spelling, t->zone[0] ? ", " : "", t->zone);
}

/* A changed pair whose differing tokens are all dates. */
static bool judge_changed(judge_t *j, const line_ref_t *x, const line_ref_t *y)
{
    ds_date_token_t tx[DS_DATE_LINES_TOKENS_MAX], ty[DS_DATE_LINES_TOKENS_MAX];
    if (x->len > DS_DATE_LINES_LINE_MAX || y->len > DS_DATE_LINES_LINE_MAX)
        return false;
    size_t nx = ds_dates_find(x->text, x->len, &j->refs, tx, DS_DATE_LINES_TOKENS_MAX);
    size_t ny = ds_dates_find(y->text, y->len, &j->refs, ty, DS_DATE_LINES_TOKENS_MAX);
    char rx[DS_DATE_LINES_LINE_MAX + 1], ry[DS_DATE_LINES_LINE_MAX + 1];
    if (nx == 0 || nx != ny)
        return false;
    without_dates(x->text, x->len, tx, nx, rx, sizeof rx);
    without_dates(y->text, y->len, ty, ny, ry, sizeof ry);
    if (strcmp(rx, ry) != 0 && strcmp(trim_edges(rx, j->out->edge_bytes), trim_edges(ry, j->out->edge_bytes)) != 0)
        return false;
    if (j->out->first[0] == '\0') {
        size_t k = 0;
        while (k + 1 < nx && tx[k].length == ty[k].length && memcmp(x->text + tx[k].start, y->text + ty[k].start, tx[k].length) == 0)
            k++;
        char where[64], note[48];
        name_line(j, y->number, j->out->offsets_b != NULL, where, sizeof where);
        zone_note(&ty[k], note, sizeof note);
        snprintf(j->out->first, sizeof j->out->first, "%s changed: '%.*s' -> '%.*s' (%s)", where, (int)tx[k].length,
                 x->text + tx[k].start, (int)ty[k].length, y->text + ty[k].start, note);
    }
    j->out->changed++;
    return true;
}

/* An added or removed line that is a date and at most a few words without digits. */
static bool judge_alone(judge_t *j, const line_ref_t *x, bool added)
{
    ds_date_token_t t[DS_DATE_LINES_TOKENS_MAX];
    if (x->len > DS_DATE_LINES_LINE_MAX)
        return false;
    size_t n = ds_dates_find(x->text, x->len, &j->refs, t, DS_DATE_LINES_TOKENS_MAX);
    char rest[DS_DATE_LINES_LINE_MAX + 1];
    if (n == 0)
        return false;
    size_t len = without_dates(x->text, x->len, t, n, rest, sizeof rest), words = 0;
    for (size_t i = 0; i < len; i++) {
        if (rest[i] >= '0' && rest[i] <= '9')
            return false;
        bool letter = (rest[i] >= 'a' && rest[i] <= 'z') || (rest[i] >= 'A' && rest[i] <= 'Z');
        bool after = i > 0 && ((rest[i - 1] >= 'a' && rest[i - 1] <= 'z') || (rest[i - 1] >= 'A' && rest[i - 1] <= 'Z'));
        words += letter && !after;
    }
    if (words > DS_DATE_LINES_WORDS_MAX)
        return false;
    if (j->out->first[0] == '\0') {
        char where[64], note[48];
        name_line(j, x->number, added, where, sizeof where);
        zone_note(&t[0], note, sizeof note);
        snprintf(j->out->first, sizeof j->out->first, "%s %s: '%.*s' (%s)", where, added ? "added" : "removed",
                 (int)(x->len > 120 ? 120 : x->len), x->text, note);
    }
    if (added)
        j->out->added++;
    else
        j->out->removed++;
    return true;
}

static void flush_hunk(judge_t *j)
{
    size_t pairs = j->minus_count < j->plus_count ? j->minus_count : j->plus_count;
    for (size_t i = 0; i < pairs && !j->out->other; i++)
        j->out->other = !judge_changed(j, &j->minus[i], &j->plus[i]);
    for (size_t i = pairs; i < j->minus_count && !j->out->other; i++)
        j->out->other = !judge_alone(j, &j->minus[i], false);
    for (size_t i = pairs; i < j->plus_count && !j->out->other; i++)
        j->out->other = !judge_alone(j, &j->plus[i], true);
    j->minus_count = j->plus_count = 0;
}

static void on_diff(void *ctx, char op, const char *text, size_t len)
{
    judge_t *j = ctx;
    if (op == '@') {
        flush_hunk(j);
        size_t a = 0, an = 0, b = 0, bn = 0;
        char header[96];
        snprintf(header, sizeof header, "%.*s", (int)len, text);
        if (sscanf(header, "@@ -%zu,%zu +%zu,%zu @@", &a, &an, &b, &bn) == 4)
            j->next_a = a, j->next_b = b;
        return;
    }
    line_ref_t ref = {.text = text, .len = len};
    if (op == '-' && j->minus_count < HUNK_LINES_MAX) {
        ref.number = j->next_a++;
        j->minus[j->minus_count++] = ref;
    } else if (op == '+' && j->plus_count < HUNK_LINES_MAX) {
        ref.number = j->next_b++;
        j->plus[j->plus_count++] = ref;
    } else if (op == '-' || op == '+') {
        ref.number = op == '-' ? j->next_a++ : j->next_b++;
        j->out->other = j->out->other || !judge_alone(j, &ref, op == '+');
    }
}

static void references_of(const char *text, size_t len, ds_date_references_t *refs)
{
    ds_date_token_t t[DS_DATE_LINES_TOKENS_MAX];
    for (size_t at = 0; at < len && refs->count < DS_DATES_REFERENCES_MAX;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t n = end - at <= DS_DATE_LINES_LINE_MAX ? ds_dates_find(text + at, end - at, NULL, t, DS_DATE_LINES_TOKENS_MAX) : 0;
        for (size_t k = 0; k < n; k++)
            if (t[k].calendar)
                ds_date_references_add(refs, t[k].seconds);
        at = end + 1;
    }
}

void ds_date_lines_references(const char *a, size_t na, const char *b, size_t nb, ds_date_references_t *refs)
{
    memset(refs, 0, sizeof *refs);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long v = sde != NULL ? strtoll(sde, &end, 10) : 0;
    if (sde != NULL && end != sde && *end == '\0' && v > 0)
        ds_date_references_add(refs, (int64_t)v);
    references_of(a, na, refs);
    references_of(b, nb, refs);
}

int ds_date_lines_judge(const char *a, size_t na, const char *b, size_t nb, ds_date_lines_t *out)
{
    judge_t *j = calloc(1, sizeof *j);
    if (j == NULL) {
        out->other = true;
        return DS_ERR_NOMEM;
    }
    out->changed = out->added = out->removed = 0;
    out->other = false;
    out->first[0] = '\0';
    if (out->unit == NULL)
        out->unit = "line";
    j->out = out;
    ds_date_lines_references(a, na, b, nb, &j->refs);
    size_t edits = 0;
    int rc = ds_line_diff(a, na, b, nb, 0, DS_DATE_LINES_EDITS_MAX, on_diff, j, &edits);
    flush_hunk(j);
    if (rc != DS_OK)
        out->other = true;
    free(j);
    return rc;
}

bool ds_date_lines_only(const ds_date_lines_t *d)
{
    return !d->other && d->changed + d->added + d->removed > 0;
}

void ds_date_lines_describe(const ds_date_lines_t *d, char *out, size_t size)
{
    size_t all = d->changed + d->added + d->removed;
    if (all == 1) {
        snprintf(out, size, "%s", d->first);
        return;
    }
    snprintf(out, size, "%zu %ss differ only in dates (%zu changed, %zu added, %zu removed); %s", all, d->unit,
             d->changed, d->added, d->removed, d->first);
}
