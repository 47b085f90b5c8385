/* ar archives ("!<arch>\n": a .deb, static libraries): members with mtime, owner and mode,
 * read through libarchive, which decodes the 60-byte member header (FreeBSD ar(5): name 16,
 * date 12, uid 6, gid 6, mode 8, size 10, "`\n"; GNU's "name/" and "/offset" into the "//"
 * long-name table, BSD's "#1/length") into the entry but drops how the name was written:
 * dpkg-deb pads "debian-binary" with spaces, GNU ar ends it with '/' (deb(5) allows both).
 * This file walks the headers itself for that one field, and names GNU's symbol table ("/")
 * and long-name table ("//") members, which libarchive lists under those bare names. A
 * member's compression suffix is its pairing key: a .deb's control.tar.gz in A and
 * control.tar.xz in B are one member, recompressed. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DS_AR_MAX_MEMBERS 1000000u /* headers walked for their name form */
#define DS_AR_HEADER 60u

/* How a member's name is written: the bytes that say so (a terminator or a prefix). */
typedef struct ar_header {
    uint64_t offset;      /* of the 60-byte header */
    uint8_t marker_at;    /* where the form's bytes lie in the name field */
    uint8_t marker_len;   /* 0: a 16-character name with no terminator */
    const char *form;     /* for people */
    const char *special;  /* the path given to a GNU table member, or NULL */
} ar_header_t;

typedef struct ar_state {
    void *engine;
    ds_source_t *src;
    ar_header_t *headers;
    size_t count;
    bool matched; /* the headers walked are libarchive's entries, one for one */
} ar_state_t;

static int ar_bid(ds_source_t *src) { return ds_source_has_magic(src, 0, "!<arch>\n", 8) ? 90 : 0; }

static int ar_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    ar_state_t *s = calloc(1, sizeof *s);
    *state = s;
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    int rc = ds_archive_format_open(&s->engine, src, how, archive_read_support_format_ar, "ar", err);
    if (rc != DS_OK) {
        free(s);
        *state = NULL;
    }
    return rc;
}

static void ar_close(void *state)
{
    ar_state_t *s = state;
    if (s == NULL)
        return;
    ds_archive_format_close(s->engine);
    free(s->headers);
    free(s);
}

/* The form of a name field (16 bytes). */
static void name_form(const unsigned char *name, ar_header_t *h)
{
    static const struct {
        const char *name, *form, *path;
    } tables[] = {
        {"/               ", "GNU symbol table \"/\"", "/(GNU symbol table)"},
        {"/SYM64/         ", "GNU 64-bit symbol table \"/SYM64/\"", "/(GNU 64-bit symbol table)"},
        {"//              ", "GNU long-name table \"//\"", "/(GNU long-name table)"},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (memcmp(name, tables[i].name, 16) == 0) {
            *h = (ar_header_t){h->offset, 0, (uint8_t)strcspn(tables[i].name, " "), tables[i].form, tables[i].path};
            return;
        }
    if (memcmp(name, "#1/", 3) == 0) {
        *h = (ar_header_t){h->offset, 0, 3, "\"#1/length\": the name after the header (BSD ar)", NULL};
        return;
    }
    if (name[0] == '/') {
        *h = (ar_header_t){h->offset, 0, 1, "\"/offset\" into the long-name table (GNU ar)", NULL};
        return;
    }
    uint8_t n = 0;
    while (n < 16 && name[n] != '/' && name[n] != ' ')
        n++;
    h->marker_at = n;
    h->marker_len = n < 16 ? 1 : 0;
    h->form = n == 16 ? "16 characters, no terminator"
              : name[n] == '/' ? "'/' after the name (GNU ar)"
                               : "' ' after the name (System V ar, dpkg-deb)";
    h->special = NULL;
}

/* Walks the member headers: *count of them into s->headers; false when they cannot be walked
 * (libarchive has already said why, or listed what it could). */
static bool headers_walk(ar_state_t *s)
{
    uint64_t size = ds_source_size(s->src), pos = 8;
    size_t capacity = 0;
    s->count = 0;
    while (pos < size) {
        unsigned char h[DS_AR_HEADER];
        if (s->count >= DS_AR_MAX_MEMBERS || size - pos < DS_AR_HEADER ||
            ds_source_read(s->src, pos, h, sizeof h, "ar", NULL) != DS_OK || memcmp(h + 58, "`\n", 2) != 0)
            return false;
        uint64_t length = 0;
        for (size_t i = 48; i < 58 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '9')
                return false;
            length = length * 10 + (uint64_t)(h[i] - '0'); /* ten digits: no overflow */
        }
        if (s->count == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            ar_header_t *grown = realloc(s->headers, capacity * sizeof *grown);
            if (grown == NULL)
                return false;
            s->headers = grown;
        }
        ar_header_t *header = &s->headers[s->count++];
        header->offset = pos;
        name_form(h, header);
        uint64_t data = length + (length & 1);
        if (data > size - pos - DS_AR_HEADER)
            return pos + DS_AR_HEADER + length == size; /* a last odd member may lack its pad byte */
        pos += DS_AR_HEADER + data;
    }
    return true;
}

static int ar_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    ar_state_t *s = state;
    size_t first = tree->count;
    int rc = ds_archive_format_entries(s->engine, tree, err);
    s->matched = rc == DS_OK && headers_walk(s) && s->count == tree->count - first;
    for (size_t i = first; s->matched && i < tree->count; i++) {
        ds_entry_t *e = &tree->entries[i];
        const ar_header_t *h = e->index < s->count ? &s->headers[e->index] : NULL;
        char *path = h != NULL && h->special != NULL ? strdup(h->special) : NULL;
        if (path != NULL) {
            free(e->path);
            e->path = path;
        }
    }
    return rc;
}

static int ar_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    return ds_archive_format_open_entry(((ar_state_t *)state)->engine, entry, out, err);
}

static int ar_entry_fields(void *state, const ds_entry_t *entry, ds_fields_t *fields, ds_error_t *err)
{
    ar_state_t *s = state;
    if (!s->matched || entry->index >= s->count)
        return DS_OK; /* the headers were not walked: the entry has no fields of its own */
    const ar_header_t *h = &s->headers[entry->index];
    unsigned char marker[16] = {0};
    uint64_t at = h->offset + h->marker_at;
    if (h->marker_len > 0 && ds_source_read(s->src, at, marker, h->marker_len, "ar", err) != DS_OK)
        return DS_ERR_FORMAT;
    ds_fields_add(fields, "ar.member.name_form", "@ar.member.name_form", "name form", at, marker, h->marker_len,
                  "%s", h->form);
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

const ds_format_t ds_format_ar = {
    .name = "ar", .kind = DS_FORMAT_CONTAINER,
    .summary = "ar archive (.deb, .a): member list and order, mtime, owner, mode, name form; "
               "control.tar.gz and control.tar.xz paired as one recompressed member",
    .bid = ar_bid, .open = ar_open, .close = ar_close,
    .entries = ar_entries, .open_entry = ar_open_entry,
    .entry_fields = ar_entry_fields, .pair_key = ds_pair_key_without_compression,
};
