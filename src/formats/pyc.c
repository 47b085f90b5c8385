/* CPython bytecode caches (.pyc) as a document format. The header (PEP 552, "Deterministic
 * pycs", for Python 3.7 and later): a 4-byte magic (a little-endian version number followed by
 * "\r\n"), a 32-bit flags word, then either the source's mtime and size (flags 0: a timestamp
 * pyc) or a 64-bit hash of the source (flag bit 0: a hash-based pyc). Older pycs have no flags
 * word: magic and mtime (before 3.3a1's number 3210), then the source size too (until 3.7a4's
 * 3392, PEP 552). The marshalled code object follows the header.
 *
 * Fields: "@pyc.magic", "@pyc.flags", "@pyc.source_mtime", "@pyc.source_size" or
 * "@pyc.source_hash". The code object is not a named section: a pair whose code differs has
 * bytes outside every field, so the file's own difference stays a root (the cause is in the
 * code, not the header), and a pair differing only in header fields is explained by them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DS_PYC_HEADER_MAX 16u       /* bytes of the longest header (PEP 552) */
#define DS_PYC_MIN_SIZE 16u         /* a header and at least the start of a code object */
#define DS_PYC_MAGIC_LOW 3000u      /* Python 3.0 */
#define DS_PYC_MAGIC_HIGH 4000u     /* beyond every Python 3 so far */
#define DS_PYC_MAGIC_SIZE_FIELD 3210u  /* 3.3a1: the source size added to the header */
#define DS_PYC_MAGIC_PEP552 3392u   /* 3.7a4: the flags word */
#define DS_PYC_FLAG_HASH 0x1u       /* hash-based; bit 1 is check_source */

typedef struct pyc_state {
    ds_source_t *src;
    unsigned char header[DS_PYC_HEADER_MAX];
    unsigned magic;
} pyc_state_t;

static bool pyc_magic(const unsigned char *h, unsigned *magic)
{
    *magic = ds_le16(h);
    return h[2] == '\r' && h[3] == '\n' && *magic >= DS_PYC_MAGIC_LOW && *magic <= DS_PYC_MAGIC_HIGH;
}

static int pyc_bid(ds_source_t *src)
{
    unsigned char h[4];
    unsigned magic;
    if (ds_source_size(src) < DS_PYC_MIN_SIZE || ds_source_read(src, 0, h, sizeof h, "pyc", NULL) != DS_OK)
        return 0;
    return pyc_magic(h, &magic) ? 60 : 0;
}

static int pyc_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    (void)how;
    *state = NULL;
    pyc_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    int rc = ds_source_size(src) < DS_PYC_MIN_SIZE
                 ? ds_error_set(err, DS_ERR_FORMAT, "%s: pyc: shorter than its header", ds_source_label(src))
                 : ds_source_read(src, 0, s->header, DS_PYC_HEADER_MAX, "pyc header", err);
    if (rc == DS_OK && !pyc_magic(s->header, &s->magic))
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: pyc: not a Python 3 bytecode magic", ds_source_label(src));
    if (rc != DS_OK) {
        free(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

static void pyc_close(void *state) { free(state); }

static void add_mtime(ds_fields_t *fields, const unsigned char *h, unsigned at)
{
    char when[40];
    ds_format_utc(ds_le32(h + at), when, sizeof when);
    ds_fields_add(fields, "pyc.source_mtime", "@pyc.source_mtime", "recorded source mtime", at, h + at, 4, "%s", when);
}

/* The source's size and hash follow from the source, as the code object does: derived (a
 * consequence when the code differs too). The mtime does not: it is a cause of its own. */
static void add_size(ds_fields_t *fields, const unsigned char *h, unsigned at)
{
    ds_field_t *f = ds_fields_add_number(fields, "pyc.source_size", "@pyc.source_size", "recorded source size", at,
                                         h + at, 4, ds_le32(h + at));
    if (f != NULL)
        f->derived = true;
}

static int pyc_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    pyc_state_t *s = state;
    const unsigned char *h = s->header;
    ds_fields_add_number(fields, "pyc.magic", "@pyc.magic", "bytecode magic", 0, h, 4, s->magic);
    if (s->magic < DS_PYC_MAGIC_PEP552) {
        add_mtime(fields, h, 4);
        if (s->magic >= DS_PYC_MAGIC_SIZE_FIELD)
            add_size(fields, h, 8);
    } else {
        uint32_t flags = ds_le32(h + 4);
        ds_fields_add(fields, "pyc.flags", "@pyc.flags", "flags", 4, h + 4, 4, "0x%08" PRIx32, flags);
        if (flags & DS_PYC_FLAG_HASH) {
            char hex[17];
            for (unsigned i = 0; i < 8; i++)
                snprintf(hex + 2 * i, 3, "%02x", h[8 + i]);
            ds_field_t *f = ds_fields_add(fields, "pyc.source_hash", "@pyc.source_hash", "recorded source hash", 8,
                                          h + 8, 8, "%s", hex);
            if (f != NULL)
                f->derived = true;
        } else {
            add_mtime(fields, h, 8);
            add_size(fields, h, 12);
        }
    }
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

const ds_format_t ds_format_pyc = {
    .name = "pyc",
    .kind = DS_FORMAT_DOCUMENT,
    .summary = "CPython bytecode cache (PEP 552): magic, flags, recorded source mtime and size or hash",
    .bid = pyc_bid,
    .open = pyc_open,
    .close = pyc_close,
    .fields = pyc_fields,
};
