/* Structure walks behind the generated-cache signatures: PNG chunks, pyc marshal type bytes,
 * the Berkeley DB metadata page, JKS keystore entries (signatures_caches_internal.h; layouts
 * cited in signatures_caches.c). Every length and offset is checked against the buffer. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "signatures_caches_internal.h"

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* A tIME chunk, or a text chunk whose keyword names a date or a time ("date:create",
 * "Creation Time"). */
static bool png_time_chunk(const unsigned char *chunk, size_t len)
{
    if (memcmp(chunk + 4, "tIME", 4) == 0)
        return true;
    if (memcmp(chunk + 4, "tEXt", 4) != 0 && memcmp(chunk + 4, "iTXt", 4) != 0 && memcmp(chunk + 4, "zTXt", 4) != 0)
        return false;
    char keyword[80];
    size_t k = 0;
    while (k < len && k < sizeof keyword - 1 && chunk[8 + k] != '\0') {
        keyword[k] = (char)chunk[8 + k];
        k++;
    }
    keyword[k] = '\0';
    for (char *c = keyword; *c != '\0'; c++)
        if (strncasecmp(c, "date", 4) == 0 || strncasecmp(c, "time", 4) == 0)
            return true;
    return false;
}

typedef struct png_walk {
    size_t offset;        /* of the next chunk */
    size_t chunks;
    bool done;
} png_walk_t;

/* The next chunk of the wanted class (time or not) at or after w->offset: *at, *size (whole
 * chunk, 12 + length). False at the end or on a damaged chunk (then *bad). */
static bool png_next(const unsigned char *buf, size_t n, png_walk_t *w, bool time, size_t *at, size_t *size, bool *bad)
{
    while (!w->done) {
        if (w->offset == n) {
            w->done = true;
            break;
        }
        if (n - w->offset < 12 || ++w->chunks > DS_PNG_CHUNKS_MAX) {
            *bad = true;
            return false;
        }
        uint32_t len = ds_be32(buf + w->offset);
        if (len > n - w->offset - 12) {
            *bad = true;
            return false;
        }
        size_t here = w->offset;
        w->offset += 12 + (size_t)len;
        if (memcmp(buf + here + 4, "IEND", 4) == 0)
            w->offset = n;
        if (png_time_chunk(buf + here, len) == time) {
            *at = here;
            *size = 12 + (size_t)len;
            return true;
        }
    }
    return false;
}

/* Compares the chunks of one class on both sides: 1 equal, 0 different, -1 damaged. */
static int png_compare(const ds_pair_t *p, bool time, size_t *count)
{
    png_walk_t wa = {.offset = 8}, wb = {.offset = 8};
    bool bad = false;
    int same = 1;
    *count = 0;
    for (;;) {
        size_t a0 = 0, an = 0, b0 = 0, bn = 0;
        bool ha = png_next(p->a, p->na, &wa, time, &a0, &an, &bad);
        bool hb = png_next(p->b, p->nb, &wb, time, &b0, &bn, &bad);
        if (bad)
            return -1;
        if (!ha && !hb)
            return same;
        *count += 1;
        if (ha != hb || an != bn || memcmp(p->a + a0, p->b + b0, an) != 0)
            same = 0;
    }
}

bool ds_png_only_time(const ds_pair_t *p, char *what, size_t size)
{
    if (p->na < 8 || p->nb < 8 || memcmp(p->a, png_signature, 8) != 0 || memcmp(p->b, png_signature, 8) != 0)
        return false;
    size_t others = 0, times = 0;
    if (png_compare(p, false, &others) != 1 || png_compare(p, true, &times) != 0)
        return false;
    snprintf(what, size, "the tIME or date text chunks (%zu; %zu other chunks equal)", times, others);
    return true;
}

/* The marshal type codes of CPython's Python/marshal.c (TYPE_NULL '0' .. TYPE_SHORT_ASCII_INTERNED 'Z'). */
static bool marshal_type(unsigned char c) { return c != 0 && strchr("0NFS.ilfgxyITtrs()[{}<>cu?aAzZ", c) != NULL; }

bool ds_pyc_flag_ref_only(const ds_pair_t *p, size_t *flags, size_t *refs)
{
    *flags = *refs = 0;
    if (p->na != p->nb || p->na <= 16 || memcmp(p->a, p->b, 16) != 0 || p->a[2] != '\r' || p->a[3] != '\n')
        return false;
    for (size_t i = 16; i < p->na; i++) {
        unsigned char x = p->a[i], y = p->b[i];
        if (x == y)
            continue;
        if ((x ^ y) == 0x80 && marshal_type(x & 0x7f)) {
            ++*flags;
            continue;
        }
        bool in_ref = false;
        for (size_t k = i >= 4 ? i - 4 : 16; k < i && !in_ref; k++)
            in_ref = k >= 16 && p->a[k] == 'r' && p->b[k] == 'r';
        if (!in_ref)
            return false;
        ++*refs;
    }
    return *flags > 0;
}

uint32_t ds_bdb_magic(const unsigned char *h)
{
    /* btree 0x053162, hash 0x061561, queue 0x042253, heap 0x074582, log 0x040988 (db_page.h). */
    static const uint32_t magics[] = {0x053162u, 0x061561u, 0x042253u, 0x074582u};
    uint32_t le = ds_le32(h + 12), be = ds_be32(h + 12);
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (le == magics[i] || be == magics[i])
            return magics[i];
    return 0;
}

/* Skips a u16-length string (*at moves past it); false when it does not fit. */
static bool jks_skip_utf(const ds_pair_t *p, size_t *at)
{
    if (p->na - *at < 2)
        return false;
    size_t len = ds_be16(p->a + *at);
    if (len > p->na - *at - 2)
        return false;
    *at += 2 + len;
    return true;
}

/* Skips a u32-length blob, preceded by its u16-length type name when version 2. */
static bool jks_skip_cert(const ds_pair_t *p, size_t *at, uint32_t version)
{
    if (version == 2 && !jks_skip_utf(p, at))
        return false;
    if (p->na - *at < 4)
        return false;
    uint32_t len = ds_be32(p->a + *at);
    if (len > p->na - *at - 4)
        return false;
    *at += 4 + (size_t)len;
    return true;
}

/* One entry from *at: the offset of its 8-byte date in *date; false when damaged. */
static bool jks_entry(const ds_pair_t *p, size_t *at, uint32_t version, size_t *date)
{
    if (p->na - *at < 4)
        return false;
    uint32_t tag = ds_be32(p->a + *at);
    *at += 4;
    if ((tag != 1 && tag != 2) || !jks_skip_utf(p, at) || p->na - *at < 8)
        return false;
    *date = *at;
    *at += 8;
    if (tag == 2)
        return jks_skip_cert(p, at, version);
    if (p->na - *at < 4)
        return false;
    uint32_t key = ds_be32(p->a + *at);
    if (key > p->na - *at - 4)
        return false;
    *at += 4 + (size_t)key;
    if (p->na - *at < 4)
        return false;
    uint32_t chain = ds_be32(p->a + *at);
    *at += 4;
    for (uint32_t c = 0; c < chain; c++)
        if (!jks_skip_cert(p, at, version))
            return false;
    return true;
}

bool ds_jks_only_dates(const ds_pair_t *p, size_t *entries)
{
    *entries = 0;
    if (p->na != p->nb || p->na < 32 || ds_be32(p->a) != 0xFEEDFEEDu || ds_be32(p->b) != 0xFEEDFEEDu ||
        memcmp(p->a, p->b, 12) != 0)
        return false;
    uint32_t version = ds_be32(p->a + 4), count = ds_be32(p->a + 8);
    if ((version != 1 && version != 2) || count > DS_JKS_ENTRIES_MAX)
        return false;
    size_t at = 12, dates = 0;
    for (uint32_t e = 0; e < count; e++) {
        size_t date = 0, from = at;
        if (!jks_entry(p, &at, version, &date))
            return false;
        /* The entry's bytes are equal on both sides but for its date. */
        if (memcmp(p->a + from, p->b + from, date - from) != 0 || memcmp(p->a + date + 8, p->b + date + 8, at - date - 8) != 0)
            return false;
        dates += memcmp(p->a + date, p->b + date, 8) != 0;
    }
    *entries = count;
    return at + 20 == p->na && dates > 0;
}
