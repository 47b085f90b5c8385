/* The walks behind the generated-cache signatures (signatures_caches_internal.h). Every walk
 * reads a pair already loaded within a bound and checks each length and offset against the
 * buffer before use: the files are hostile. Layouts are cited in signatures_caches.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signatures.h"
#include "signatures_caches_internal.h"

ds_span_t ds_pair_span(const ds_pair_t *p)
{
    ds_span_t s = {0};
    size_t n = p->na < p->nb ? p->na : p->nb, longer = p->na > p->nb ? p->na : p->nb;
    for (size_t i = 0; i < longer; i++) {
        if (i < n && p->a[i] == p->b[i])
            continue;
        if (s.count++ == 0)
            s.first = i;
        s.last = i;
    }
    return s;
}

bool ds_pair_head(ds_source_t *a, ds_source_t *b, unsigned char *ha, unsigned char *hb, size_t n)
{
    ds_error_t err = {0};
    return ds_source_size(a) >= n && ds_source_size(b) >= n && ds_source_read(a, 0, ha, n, "signature", &err) == DS_OK &&
           ds_source_read(b, 0, hb, n, "signature", &err) == DS_OK;
}

bool ds_head_field(ds_source_t *src, const char *key, char *out, size_t size)
{
    uint64_t total = ds_source_size(src);
    size_t n = total < DS_HEAD_FIELD_MAX ? (size_t)total : DS_HEAD_FIELD_MAX, klen = strlen(key);
    char *buf = malloc(n + 1);
    ds_error_t err = {0};
    if (buf == NULL || size == 0 || ds_source_read(src, 0, buf, n, "signature", &err) != DS_OK) {
        free(buf);
        return false;
    }
    buf[n] = '\0';
    bool found = false;
    for (size_t i = 0; i + klen <= n && !found; i++) {
        if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, key, klen) == 0) {
            size_t v = i + klen, e = v;
            while (v < n && buf[v] == ' ')
                v++;
            for (e = v; e < n && buf[e] != '\n' && e - v + 1 < size; e++)
                ;
            memcpy(out, buf + v, e - v);
            out[e - v] = '\0';
            found = true;
        }
    }
    free(buf);
    return found;
}

/* 8-4-4-4-12 hex digits at p (36 bytes available); v4: the version and variant digits too. */
static bool uuid_text(const unsigned char *p, bool v4)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? p[i] != '-' : !isxdigit(p[i]))
            return false;
    }
    return !v4 || (p[14] == '4' && strchr("89abAB", p[19]) != NULL);
}

static bool uuid_binary(const unsigned char *p) { return (p[6] >> 4) == 4 && (p[8] & 0xc0) == 0x80; }

bool ds_uuid_text_pair(ds_source_t *a, ds_source_t *b)
{
    ds_pair_t p = {0};
    if (!ds_pair_load(a, b, 64, &p))
        return false;
    size_t na = p.na, nb = p.nb;
    while (na > 0 && isspace(p.a[na - 1]))
        na--;
    while (nb > 0 && isspace(p.b[nb - 1]))
        nb--;
    bool ok = na == 36 && nb == 36 && uuid_text(p.a, false) && uuid_text(p.b, false) && memcmp(p.a, p.b, 36) != 0;
    ds_pair_free(&p);
    return ok;
}

/* The start of a UUID on both sides covering offset i, as text (*len 36) or bytes (16). */
static bool uuid_at(const ds_pair_t *p, size_t i, size_t *start, size_t *len)
{
    for (size_t j = i >= 35 ? i - 35 : 0; j <= i; j++)
        if (j + 36 <= p->na && uuid_text(p->a + j, true) && uuid_text(p->b + j, true)) {
            *start = j;
            *len = 36;
            return true;
        }
    for (size_t j = i >= 15 ? i - 15 : 0; j <= i; j++) {
        if (j + 16 > p->na || !uuid_binary(p->a + j) || !uuid_binary(p->b + j))
            continue;
        size_t differ = 0;
        for (size_t k = j; k < j + 16; k++)
            differ += p->a[k] != p->b[k];
        if (differ >= 8) {
            *start = j;
            *len = 16;
            return true;
        }
    }
    return false;
}

bool ds_uuid_only(const ds_pair_t *p, size_t *text, size_t *binary)
{
    *text = *binary = 0;
    if (p->na != p->nb)
        return false;
    for (size_t i = 0; i < p->na; i++) {
        if (p->a[i] == p->b[i])
            continue;
        size_t start = 0, len = 0;
        if (!uuid_at(p, i, &start, &len))
            return false;
        ++*(len == 36 ? text : binary);
        i = start + len - 1;
    }
    return *text + *binary > 0;
}

typedef struct line {
    const unsigned char *at;
    size_t len;
} line_t;

static int line_cmp(const void *x, const void *y)
{
    const line_t *l = x, *r = y;
    size_t n = l->len < r->len ? l->len : r->len;
    int c = memcmp(l->at, r->at, n);
    return c != 0 ? c : (l->len > r->len) - (l->len < r->len);
}

/* Splits buf into lines (the last one may lack its newline); NULL when too many. */
static line_t *lines_split(const unsigned char *buf, size_t n, size_t *count)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += buf[i] == '\n';
    c += n > 0 && buf[n - 1] != '\n';
    if (c == 0 || c > DS_LINES_MAX)
        return NULL;
    line_t *lines = malloc(c * sizeof *lines);
    if (lines == NULL)
        return NULL;
    size_t k = 0, from = 0;
    for (size_t i = 0; i <= n && k < c; i++)
        if (i == n ? i > from : buf[i] == '\n') {
            lines[k++] = (line_t){buf + from, i - from};
            from = i + 1;
        }
    *count = k;
    return lines;
}

bool ds_lines_permuted(const ds_pair_t *p, size_t *count)
{
    if (memchr(p->a, '\0', p->na) != NULL || memchr(p->b, '\0', p->nb) != NULL || p->na != p->nb ||
        memcmp(p->a, p->b, p->na) == 0)
        return false;
    size_t ca = 0, cb = 0;
    line_t *la = lines_split(p->a, p->na, &ca), *lb = lines_split(p->b, p->nb, &cb);
    bool ok = la != NULL && lb != NULL && ca == cb;
    if (ok) {
        qsort(la, ca, sizeof *la, line_cmp);
        qsort(lb, cb, sizeof *lb, line_cmp);
        for (size_t i = 0; i < ca && ok; i++)
            ok = line_cmp(&la[i], &lb[i]) == 0;
    }
    free(la);
    free(lb);
    *count = ca;
    return ok;
}
