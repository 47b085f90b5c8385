/* Small text helpers for the signature checks of signatures_files.c: both files of a pair
 * loaded whole but bounded, their lines walked without copying. Static: one user. */
#ifndef DS_SIGNATURES_TEXT_H
#define DS_SIGNATURES_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures.h"

typedef ds_pair_t pair_t;

static inline void pair_free(pair_t *p) { ds_pair_free(p); }

/* Both files, each at most max bytes; false (nothing held) when either is larger or unreadable,
 * or when the two are equal. */
static inline bool pair_load(ds_source_t *a, ds_source_t *b, size_t max, pair_t *p)
{
    if (!ds_pair_load(a, b, max, p))
        return false;
    if (p->na == p->nb && memcmp(p->a, p->b, p->na) == 0) {
        ds_pair_free(p);
        return false;
    }
    return true;
}

typedef struct line {
    const char *s;
    size_t n;
} line_t;

/* The line at *pos (without its newline); false at the end. */
static inline bool line_next(const unsigned char *buf, size_t len, size_t *pos, line_t *out)
{
    if (*pos >= len)
        return false;
    const char *s = (const char *)buf + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    out->s = s;
    out->n = nl != NULL ? (size_t)(nl - s) : len - *pos;
    *pos += out->n + (nl != NULL);
    return true;
}

static inline bool line_is(line_t l, const char *text) { return l.n == strlen(text) && memcmp(l.s, text, l.n) == 0; }

static inline bool line_starts(line_t l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l.n >= n && memcmp(l.s, prefix, n) == 0;
}

static inline bool line_ends(line_t l, const char *suffix)
{
    size_t n = strlen(suffix);
    return l.n >= n && memcmp(l.s + l.n - n, suffix, n) == 0;
}

static inline bool lines_equal(line_t x, line_t y) { return x.n == y.n && memcmp(x.s, y.s, x.n) == 0; }

/* The line without its leading and trailing blanks. */
static inline line_t line_trim(line_t l)
{
    while (l.n > 0 && (l.s[0] == ' ' || l.s[0] == '\t'))
        l.s++, l.n--;
    while (l.n > 0 && (l.s[l.n - 1] == ' ' || l.s[l.n - 1] == '\t' || l.s[l.n - 1] == '\r'))
        l.n--;
    return l;
}

/* The line for a detail: at most 60 bytes of it, printable. */
static inline void line_show(line_t l, char *out, size_t size)
{
    size_t n = l.n < 60 ? l.n : 60;
    snprintf(out, size, "%.*s%s", (int)n, l.s, l.n > n ? "..." : "");
    for (char *p = out; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = '?';
}

typedef bool (*line_pred_fn)(line_t l);

/* The files have the same number of lines and every pair of lines that differs satisfies want
 * on both sides; *count receives how many pairs differ, first_a and first_b the first such. */
static inline bool only_lines_differ(const pair_t *p, line_pred_fn want, size_t *count, line_t *first_a, line_t *first_b)
{
    size_t pa = 0, pb = 0;
    line_t la, lb;
    *count = 0;
    for (;;) {
        bool ha = line_next(p->a, p->na, &pa, &la), hb = line_next(p->b, p->nb, &pb, &lb);
        if (ha != hb)
            return false;
        if (!ha) /* both ended: the same lines but for these, and the same final newline */
            return *count > 0 && (p->a[p->na - 1] == '\n') == (p->b[p->nb - 1] == '\n');
        if (lines_equal(la, lb))
            continue;
        if (!want(la) || !want(lb))
            return false;
        if ((*count)++ == 0)
            *first_a = la, *first_b = lb;
    }
}

#endif
