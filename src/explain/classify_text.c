/* The classifier for text: /etc/shadow field 3, lines in another order, lines that differ only
 * in dates (date_lines.c), the same text in another encoding. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/text_diff.h"
#include "../util/limits.h"
#include "../util/strbuf.h"
#include "classify_internal.h"
#include "date_lines.h"
#include "../util/error.h"

/* --- text -------------------------------------------------------------------------------- */

typedef struct lines {
    char **items;
    size_t count;
} lines_t;

/* The lines of src, decoded to UTF-8 from any encoding ds_text_encoding knows (*encoding). */
static bool load_lines(ds_source_t *src, lines_t *out, char **buffer, size_t *text_len, const char **encoding)
{
    uint64_t size = ds_source_size(src);
    out->items = NULL;
    out->count = 0;
    *buffer = NULL;
    unsigned char *raw = malloc(size + 1);
    size_t len = 0;
    bool text = raw != NULL && ds_source_read(src, 0, raw, (size_t)size, "text", NULL) == DS_OK &&
                ds_text_to_utf8(raw, (size_t)size, buffer, &len, encoding) == DS_OK;
    free(raw);
    if (!text || memchr(*buffer, 0, len) != NULL)
        return false;
    *text_len = len;
    size_t count = 1;
    for (char *p = *buffer; *p; p++)
        count += *p == '\n';
    out->items = calloc(count, sizeof *out->items);
    if (out->items == NULL)
        return false;
    for (char *p = *buffer, *line = p;; p++) {
        if (*p == '\n' || *p == '\0') {
            bool end = *p == '\0';
            *p = '\0';
            if (!end || p > line)
                out->items[out->count++] = line;
            if (end)
                break;
            line = p + 1;
        }
    }
    return true;
}

static int line_order(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* The same lines, in another order. */
static bool same_lines_reordered(const lines_t *la, const lines_t *lb)
{
    if (la->count != lb->count || la->count < 2)
        return false;
    char **sa = malloc(la->count * sizeof *sa), **sb = malloc(lb->count * sizeof *sb);
    bool same = sa && sb;
    if (same) {
        memcpy(sa, la->items, la->count * sizeof *sa);
        memcpy(sb, lb->items, lb->count * sizeof *sb);
        qsort(sa, la->count, sizeof *sa, line_order);
        qsort(sb, lb->count, sizeof *sb, line_order);
        for (size_t i = 0; i < la->count && same; i++)
            same = strcmp(sa[i], sb[i]) == 0;
    }
    free(sa);
    free(sb);
    return same;
}

/* The text again whole: load_lines cut it at each newline. */
static void rejoin(char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0')
            text[i] = '\n';
}

static bool dates_only(char *ta, size_t na, char *tb, size_t nb, const char *path, ds_classified_t *out)
{
    rejoin(ta, na);
    rejoin(tb, nb);
    ds_date_lines_t d = {.unit = "line"};
    if (ds_date_lines_judge(ta, na, tb, nb, &d) != DS_OK || !ds_date_lines_only(&d))
        return false;
    char detail[sizeof out->detail];
    ds_date_lines_describe(&d, detail, sizeof detail);
    bool log = strncmp(path, "/var/log/", 9) == 0;
    ds_classify_verdict(out, "text", log ? "log-file" : "embedded-timestamp", "likely", "%s", detail);
    return true;
}

/* Text not in plain UTF-8 says so in the verdict ("...; text in ISO-8859-1"). */
static void name_encodings(ds_classified_t *out, const char *ea, const char *eb)
{
    if (out->detail[0] == '\0' || (strcmp(ea, "UTF-8") == 0 && strcmp(eb, "UTF-8") == 0))
        return;
    size_t n = strlen(out->detail);
    if (strcmp(ea, eb) == 0)
        snprintf(out->detail + n, sizeof out->detail - n, "; text in %s", ea);
    else
        snprintf(out->detail + n, sizeof out->detail - n, "; text in A %s, B %s", ea, eb);
}

void ds_classify_text(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out)
{
    lines_t la = {0}, lb = {0};
    char *ba = NULL, *bb = NULL;
    size_t na = 0, nb = 0;
    const char *ea = "UTF-8", *eb = "UTF-8";
    if (ds_source_size(a) > DS_CLASSIFY_TEXT_MAX || ds_source_size(b) > DS_CLASSIFY_TEXT_MAX ||
        !load_lines(a, &la, &ba, &na, &ea) || !load_lines(b, &lb, &bb, &nb, &eb))
        goto out;
    out->format = "text";
    /* /etc/shadow: field 3 (last change, days) alone. */
    if ((strcmp(path, "/etc/shadow") == 0 || strcmp(path, "/etc/shadow-") == 0) && la.count == lb.count) {
        bool only_field3 = true;
        for (size_t i = 0; i < la.count && only_field3; i++) {
            if (strcmp(la.items[i], lb.items[i]) == 0)
                continue;
            const char *x = la.items[i], *y = lb.items[i];
            for (int field = 0; field < 9 && only_field3; field++) {
                size_t nx = strcspn(x, ":"), ny = strcspn(y, ":");
                if (field != 2 && (nx != ny || strncmp(x, y, nx) != 0))
                    only_field3 = false;
                x += nx + (x[nx] == ':'), y += ny + (y[ny] == ':');
            }
        }
        if (only_field3) {
            ds_classify_verdict(out, "text", "shadow-lastchange", "certain", "only field 3 (days since the last password change) differs");
            goto out;
        }
    }
    if (same_lines_reordered(&la, &lb)) {
        ds_classify_verdict(out, "text", "sort-order", "certain", "the same %zu lines in another order", la.count);
        goto out;
    }
    if (la.count == lb.count && strcmp(ea, eb) != 0) {
        bool same = true;
        for (size_t i = 0; i < la.count && same; i++)
            same = strcmp(la.items[i], lb.items[i]) == 0;
        if (same) {
            ds_classify_verdict(out, "text", NULL, NULL, "the same text in another encoding");
            goto out;
        }
    }
    /* Changed lines whose differing tokens are dates, added or removed lines that are a date. */
    if (dates_only(ba, na, bb, nb, path, out))
        goto out;
    ds_classify_verdict(out, "text", NULL, NULL, "text: lines differ");
out:
    name_encodings(out, ea, eb);
    free(la.items);
    free(lb.items);
    free(ba);
    free(bb);
}

