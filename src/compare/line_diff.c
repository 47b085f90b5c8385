#include "line_diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

typedef struct line {
    const char *text;
    size_t len;
    uint64_t hash;
} line_t;

static size_t split_lines(const char *buf, size_t len, line_t **out)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += buf[i] == '\n';
    if (len > 0 && buf[len - 1] != '\n')
        count++;
    line_t *lines = calloc(count ? count : 1, sizeof *lines);
    if (lines == NULL) {
        *out = NULL;
        return (size_t)-1;
    }
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len && n < count; i++) {
        if (i == len || buf[i] == '\n') {
            if (i == len && i == start)
                break;
            uint64_t h = 1469598103934665603ull;
            for (size_t k = start; k < i; k++)
                h = (h ^ (unsigned char)buf[k]) * 1099511628211ull;
            lines[n++] = (line_t){buf + start, i - start, h};
            start = i + 1;
        }
    }
    *out = lines;
    return n;
}

static int line_equal(const line_t *x, const line_t *y)
{
    return x->hash == y->hash && x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

enum { OP_EQUAL, OP_DELETE, OP_INSERT };

typedef struct edit {
    unsigned char op;
    size_t a, b; /* line indexes (the line deleted/inserted/kept) */
} edit_t;

static void emit_hunks(const edit_t *script, size_t count, const line_t *la, const line_t *lb,
                       unsigned context, ds_diff_emit_fn emit, void *ctx)
{
    size_t i = 0;
    while (i < count) {
        if (script[i].op == OP_EQUAL) {
            i++;
            continue;
        }
        size_t start = i >= context ? i - context : 0;
        size_t end = i, j = i;
        while (j < count) {
            if (script[j].op != OP_EQUAL) {
                end = j + 1;
                j++;
                continue;
            }
            if (j - end >= 2 * (size_t)context)
                break;
            j++;
        }
        end = end + context < count ? end + context : count;
        size_t a_start = 0, b_start = 0, a_count = 0, b_count = 0;
        int have_a = 0, have_b = 0;
        for (size_t k = start; k < end; k++) {
            if (script[k].op != OP_INSERT) {
                if (!have_a)
                    a_start = script[k].a, have_a = 1;
                a_count++;
            }
            if (script[k].op != OP_DELETE) {
                if (!have_b)
                    b_start = script[k].b, have_b = 1;
                b_count++;
            }
        }
        /* An empty side names the line before the hunk, as diff -u does. */
        if (!have_a)
            a_start = script[start].a;
        if (!have_b)
            b_start = script[start].b;
        char header[96];
        int n = snprintf(header, sizeof header, "@@ -%zu,%zu +%zu,%zu @@",
                         have_a ? a_start + 1 : a_start, a_count, have_b ? b_start + 1 : b_start,
                         b_count);
        emit(ctx, '@', header, (size_t)n);
        for (size_t k = start; k < end; k++) {
            const edit_t *e = &script[k];
            if (e->op == OP_EQUAL)
                emit(ctx, ' ', la[e->a].text, la[e->a].len);
            else if (e->op == OP_DELETE)
                emit(ctx, '-', la[e->a].text, la[e->a].len);
            else
                emit(ctx, '+', lb[e->b].text, lb[e->b].len);
        }
        i = end;
    }
}

/* Lengths of the common prefix and suffix, which need no search. */
static void common_ends(const line_t *la, size_t n, const line_t *lb, size_t m, size_t *prefix,
                        size_t *suffix)
{
    size_t p = 0;
    while (p < n && p < m && line_equal(&la[p], &lb[p]))
        p++;
    size_t s = 0;
    while (s < n - p && s < m - p && line_equal(&la[n - 1 - s], &lb[m - 1 - s]))
        s++;
    *prefix = p, *suffix = s;
}

/* One step d of Myers' greedy search: extends every diagonal k in -d..d (vk is v centred on
 * k = 0). Returns true when a path reaches (N, M). */
static bool myers_step(const line_t *A, long N, const line_t *B, long M, long *vk, long d)
{
    for (long k = -d; k <= d; k += 2) {
        long x;
        if (k == -d || (k != d && vk[k - 1] < vk[k + 1]))
            x = vk[k + 1];
        else
            x = vk[k - 1] + 1;
        long y = x - k;
        while (x < N && y < M && line_equal(&A[x], &B[y]))
            x++, y++;
        vk[k] = x;
        if (x >= N && y >= M)
            return true;
    }
    return false;
}

/* Frees a trace of max + 2 steps (NULL, or steps not taken, are fine). */
static void trace_free(long **trace, long max)
{
    if (trace != NULL)
        for (long d = 0; d < max + 2; d++)
            free(trace[d]);
    free(trace);
}

/* Searches at most max steps; *trace_out gets v after each step taken (the caller frees it with
 * trace_free, also on error), *found_out the edit distance or -1 when max steps were too few. */
static int myers_search(const line_t *A, long N, const line_t *B, long M, long max,
                        long ***trace_out, long *found_out)
{
    long *v = calloc((size_t)(2 * max + 3), sizeof *v);
    long **trace = calloc((size_t)max + 2, sizeof *trace);
    *trace_out = trace;
    *found_out = -1;
    if (v == NULL || trace == NULL) {
        free(v);
        return DS_ERR_NOMEM;
    }
    long offset = max + 1, found = -1;
    int rc = DS_OK;
    for (long d = 0; d <= max && found < 0; d++) {
        if (myers_step(A, N, B, M, v + offset, d))
            found = d;
        trace[d] = malloc((size_t)(2 * d + 1) * sizeof **trace);
        if (trace[d] == NULL) {
            rc = DS_ERR_NOMEM;
            break;
        }
        memcpy(trace[d], v + offset - d, (size_t)(2 * d + 1) * sizeof **trace);
    }
    free(v);
    *found_out = found;
    return rc;
}

/* Backtracks from (N, M) through the trace of a search that found distance `found`, writing
 * the middle of the script backwards so that it ends at script[total]; line indexes are
 * shifted by prefix. Returns the index of the middle's first edit. */
static size_t backtrack(long *const *trace, long found, long N, long M, size_t prefix,
                        edit_t *script, size_t total)
{
    size_t count = total;
    long x = N, y = M;
    for (long d = found; d > 0; d--) {
        const long *prev = trace[d - 1]; /* v after step d-1, indexed k + (d - 1) */
        long k = x - y;
        long prev_k;
        if (k == -d || (k != d && prev[k - 1 + (d - 1)] < prev[k + 1 + (d - 1)]))
            prev_k = k + 1;
        else
            prev_k = k - 1;
        long prev_x = prev[prev_k + (d - 1)], prev_y = prev_x - prev_k;
        while (x > prev_x && y > prev_y) {
            x--, y--;
            script[--count] = (edit_t){OP_EQUAL, prefix + (size_t)x, prefix + (size_t)y};
        }
        if (x == prev_x)
            script[--count] = (edit_t){OP_INSERT, prefix + (size_t)x, prefix + (size_t)prev_y};
        else
            script[--count] = (edit_t){OP_DELETE, prefix + (size_t)prev_x, prefix + (size_t)y};
        x = prev_x, y = prev_y;
    }
    while (x > 0 && y > 0) {
        x--, y--;
        script[--count] = (edit_t){OP_EQUAL, prefix + (size_t)x, prefix + (size_t)y};
    }
    return count;
}

/* The whole script: prefix in front, the middle, suffix behind (n and m lines in all).
 * Returns a new array of *count edits, or NULL when out of memory. */
static edit_t *script_assemble(const edit_t *middle, size_t middle_count, size_t prefix,
                               size_t suffix, size_t n, size_t m, size_t *count)
{
    edit_t *ordered = malloc((prefix + middle_count + suffix + 1) * sizeof *ordered);
    if (ordered == NULL)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < prefix; i++)
        ordered[w++] = (edit_t){OP_EQUAL, i, i};
    memcpy(ordered + w, middle, middle_count * sizeof *ordered);
    w += middle_count;
    for (size_t i = 0; i < suffix; i++)
        ordered[w++] = (edit_t){OP_EQUAL, n - suffix + i, m - suffix + i};
    *count = w;
    return ordered;
}

int ds_line_diff(const char *a, size_t a_len, const char *b, size_t b_len, unsigned context,
                 size_t max_edits, ds_diff_emit_fn emit, void *ctx, size_t *edits)
{
    line_t *la = NULL, *lb = NULL;
    size_t n = split_lines(a, a_len, &la), m = split_lines(b, b_len, &lb);
    int rc = DS_OK;
    long max = 0;
    long **trace = NULL;
    edit_t *script = NULL;
    *edits = 0;
    if (n == (size_t)-1 || m == (size_t)-1) {
        rc = DS_ERR_NOMEM;
        goto out;
    }
    size_t prefix, suffix;
    common_ends(la, n, lb, m, &prefix, &suffix);
    long N = (long)(n - prefix - suffix), M = (long)(m - prefix - suffix);
    max = N + M;
    if ((size_t)max > max_edits)
        max = (long)max_edits;
    long found = -1;
    rc = myers_search(la + prefix, N, lb + prefix, M, max, &trace, &found);
    if (rc == DS_OK && found < 0)
        rc = DS_ERR_LIMIT;
    if (rc != DS_OK)
        goto out;
    *edits = (size_t)found;
    size_t total = prefix + suffix + (size_t)N + (size_t)M; /* an upper bound on the script */
    script = malloc((total ? total : 1) * sizeof *script);
    if (script == NULL) {
        rc = DS_ERR_NOMEM;
        goto out;
    }
    size_t first = backtrack(trace, found, N, M, prefix, script, total);
    size_t count;
    edit_t *ordered = script_assemble(script + first, total - first, prefix, suffix, n, m, &count);
    if (ordered == NULL) {
        rc = DS_ERR_NOMEM;
        goto out;
    }
    emit_hunks(ordered, count, la, lb, context, emit, ctx);
    free(ordered);
out:
    trace_free(trace, max);
    free(script);
    free(la);
    free(lb);
    return rc;
}
