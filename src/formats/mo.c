/* GNU gettext message catalogs (.mo) as a document format (GNU gettext manual, "The Format of
 * GNU MO Files"): a header of 32-bit words in the file's byte order (magic 0x950412de,
 * revision, N strings, offset O of the table of original strings, offset T of the table of
 * translations, size S and offset H of the hash table; revision 0.1 and 1.1 add five words
 * for system-dependent strings), two tables of N (length, offset) pairs (lengths without the
 * terminating NUL) and the strings.
 *
 * Fields: "@mo.magic" (either byte order), "@mo.revision", "@mo.count", the table offsets and
 * the hash size (derived: they follow from the strings' sizes and the count), and every line of
 * the header entry (the translation of msgid "") by its name ("@mo.header.POT-Creation-Date").
 * Sections: one per message, over its translation's bytes, named by its msgid escaped and cut
 * to fit ("@mo.message.Hello, world"; "#2" for a name seen again). System-dependent strings
 * (revision x.1) are not decoded: a difference in them is bytes outside every section. Every
 * table and string is checked to lie inside the file when the catalog is opened. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "internal.h"

#define DS_MO_MAGIC 0x950412deu
#define DS_MO_HEADER_SIZE 28u        /* the words of revision 0.0 */
#define DS_MO_HEADER_SYSDEP_SIZE 48u /* with the system-dependent words (revision x.1) */
#define DS_MO_MESSAGES_MAX 100000u   /* messages of one catalog */
#define DS_MO_HEADER_ENTRY_MAX 65536u /* bytes of the header entry split into fields */
#define DS_MO_HEADER_LINES_MAX 256u  /* lines of the header entry made fields */
#define DS_MO_NAME_READ 128u         /* bytes of a msgid read to name its section */
#define DS_MO_NAME_ROOM 72u          /* characters of an escaped msgid in a section's name */

typedef struct mo_string {
    uint32_t length, offset;
} mo_string_t;

typedef struct mo_state {
    ds_source_t *src;
    const char *layer;
    bool big_endian;
    unsigned char header[DS_MO_HEADER_SYSDEP_SIZE];
    uint32_t header_size; /* 28, or 48 with the system-dependent words */
    uint32_t revision, count, originals_at, translations_at, hash_size, hash_at;
    mo_string_t *originals, *translations; /* count each */
} mo_state_t;

static uint32_t word(const mo_state_t *s, const unsigned char *p) { return s->big_endian ? ds_be32(p) : ds_le32(p); }

static int mo_bid(ds_source_t *src)
{
    unsigned char h[8];
    if (ds_source_read(src, 0, h, sizeof h, "mo", NULL) != DS_OK)
        return 0;
    bool le = ds_le32(h) == DS_MO_MAGIC, be = ds_be32(h) == DS_MO_MAGIC;
    if (!le && !be)
        return 0;
    uint32_t major = (le ? ds_le32(h + 4) : ds_be32(h + 4)) >> 16;
    return major <= 1 ? 90 : 40;
}

static void mo_close(void *state)
{
    mo_state_t *s = state;
    if (s == NULL)
        return;
    free(s->originals);
    free(s->translations);
    free(s);
}

/* Reads a table of count (length, offset) pairs at `at` and checks every string against the
 * file. */
static int read_table(mo_state_t *s, uint64_t at, const char *what, mo_string_t **out, ds_error_t *err)
{
    uint64_t size = ds_source_size(s->src), bytes = (uint64_t)s->count * 8u;
    const char *label = ds_source_label(s->src);
    if (at > size || bytes > size - at)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: mo: the table of %s (%" PRIu32 " entries at byte %" PRIu64
                            ") runs past the end of the file (%" PRIu64 " bytes)", label, s->layer, what, s->count, at,
                            size);
    unsigned char *raw = malloc((size_t)bytes + 1);
    *out = calloc((size_t)s->count + 1, sizeof **out);
    int rc = raw && *out ? ds_source_read(s->src, at, raw, (size_t)bytes, "mo string table", err)
                         : ds_error_set(err, DS_ERR_NOMEM, "%s: %s: mo: out of memory", label, s->layer);
    for (uint32_t i = 0; rc == DS_OK && i < s->count; i++) {
        mo_string_t *m = &(*out)[i];
        m->length = word(s, raw + 8u * i);
        m->offset = word(s, raw + 8u * i + 4);
        if (m->offset > size || m->length > size - m->offset)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: mo: %s %" PRIu32 " (table entry at byte %" PRIu64
                              "): %" PRIu32 " bytes at byte %" PRIu32 " run past the end of the file", label, s->layer,
                              what, i, at + 8u * i, m->length, m->offset);
    }
    free(raw);
    return rc;
}

static int mo_header(mo_state_t *s, ds_error_t *err)
{
    const char *label = ds_source_label(s->src);
    int rc = ds_source_read(s->src, 0, s->header, DS_MO_HEADER_SIZE, "mo header", err);
    if (rc != DS_OK)
        return rc;
    s->big_endian = ds_be32(s->header) == DS_MO_MAGIC;
    if (!s->big_endian && ds_le32(s->header) != DS_MO_MAGIC)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: mo: no magic 0x950412de at byte 0", label, s->layer);
    s->revision = word(s, s->header + 4);
    if (s->revision >> 16 > 1)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: mo: major revision %" PRIu32 " at byte 4 (known: 0, 1)", label,
                            s->layer, s->revision >> 16);
    s->header_size = DS_MO_HEADER_SIZE;
    if ((s->revision & 0xffffu) >= 1) {
        rc = ds_source_read(s->src, 0, s->header, DS_MO_HEADER_SYSDEP_SIZE, "mo header", err);
        s->header_size = DS_MO_HEADER_SYSDEP_SIZE;
    }
    s->count = word(s, s->header + 8);
    s->originals_at = word(s, s->header + 12);
    s->translations_at = word(s, s->header + 16);
    s->hash_size = word(s, s->header + 20);
    s->hash_at = word(s, s->header + 24);
    if (rc == DS_OK && s->count > DS_MO_MESSAGES_MAX)
        rc = ds_error_set(err, DS_ERR_LIMIT, "%s: %s: mo: %" PRIu32 " messages (byte 8), more than %u", label, s->layer,
                          s->count, DS_MO_MESSAGES_MAX);
    uint64_t size = ds_source_size(s->src);
    if (rc == DS_OK && s->hash_size > 0 &&
        (s->hash_at > size || (uint64_t)s->hash_size * 4u > size - s->hash_at))
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: mo: the hash table (%" PRIu32 " words at byte %" PRIu32
                          ") runs past the end of the file", label, s->layer, s->hash_size, s->hash_at);
    return rc;
}

static int mo_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    *state = NULL;
    mo_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->layer = how->layer != NULL ? how->layer : "mo";
    int rc = mo_header(s, err);
    if (rc == DS_OK)
        rc = read_table(s, s->originals_at, "original", &s->originals, err);
    if (rc == DS_OK)
        rc = read_table(s, s->translations_at, "translation", &s->translations, err);
    if (rc != DS_OK) {
        mo_close(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

/* A header word as a field. Its raw bytes are the value in little-endian order whatever the
 * file's, so that catalogs of the two byte orders differ in "@mo.magic" alone. */
static void header_word(mo_state_t *s, ds_fields_t *fields, const char *name, const char *label, unsigned at,
                        bool derived)
{
    char key[48], location[48];
    snprintf(key, sizeof key, "mo.%s", name);
    snprintf(location, sizeof location, "@mo.%s", name);
    uint32_t v = word(s, s->header + at);
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    ds_field_t *f = ds_fields_add_number(fields, key, location, label, at, le, 4, v);
    if (f != NULL)
        f->derived = derived;
}

/* The index of the header entry (msgid ""), or count when there is none. */
static uint32_t header_entry(const mo_state_t *s)
{
    for (uint32_t i = 0; i < s->count; i++)
        if (s->originals[i].length == 0)
            return i;
    return s->count;
}

/* One line "Name: value" of the header entry as "@mo.header.Name" (the n-th line without a
 * name: "@mo.header.line<n>"), over the line's bytes. */
static void header_line(ds_fields_t *fields, const char *line, size_t len, uint64_t at, unsigned number,
                        size_t first)
{
    const char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : 0;
    ds_strbuf_t name = {0}, value = {0};
    if (name_len > 0 && name_len <= 48)
        ds_strbuf_escape_line(&name, line, name_len);
    else
        ds_strbuf_printf(&name, "line%u", number);
    const char *v = name_len > 0 && name_len <= 48 ? colon + 1 : line;
    size_t vlen = len - (size_t)(v - line);
    while (vlen > 0 && *v == ' ')
        v++, vlen--;
    ds_strbuf_escape_line(&value, v, vlen);
    char location[64], label[64];
    snprintf(location, sizeof location, "@mo.header.%s", ds_strbuf_text(&name));
    unsigned seen = 1;
    for (size_t i = first; i < fields->count; i++)
        seen += strncmp(fields->items[i].location, location, strlen(location)) == 0 &&
                (fields->items[i].location[strlen(location)] == '\0' || fields->items[i].location[strlen(location)] == '#');
    if (seen > 1 && strlen(location) + 4 < sizeof location)
        snprintf(location + strlen(location), sizeof location - strlen(location), "#%u", seen);
    snprintf(label, sizeof label, "header line %s", ds_strbuf_text(&name));
    ds_fields_add(fields, location + 1, location, label, at, (const unsigned char *)line, (uint32_t)len, "%s",
                  ds_strbuf_text(&value));
    ds_strbuf_free(&name);
    ds_strbuf_free(&value);
}

static int header_fields(mo_state_t *s, ds_fields_t *fields, ds_error_t *err)
{
    uint32_t i = header_entry(s);
    if (i == s->count)
        return DS_OK;
    const mo_string_t *t = &s->translations[i];
    uint32_t n = t->length < DS_MO_HEADER_ENTRY_MAX ? t->length : DS_MO_HEADER_ENTRY_MAX;
    char *text = malloc((size_t)n + 1);
    if (text == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    int rc = ds_source_read(s->src, t->offset, text, n, "mo header entry", err);
    size_t first = fields->count;
    unsigned lines = 0;
    for (uint32_t at = 0; rc == DS_OK && at < n && lines < DS_MO_HEADER_LINES_MAX;) {
        const char *nl = memchr(text + at, '\n', n - at);
        uint32_t len = nl ? (uint32_t)(nl - (text + at)) : n - at;
        if (len > 0)
            header_line(fields, text + at, len, (uint64_t)t->offset + at, ++lines, first);
        at += len + 1;
    }
    free(text);
    return rc;
}

static int mo_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    mo_state_t *s = state;
    ds_fields_add(fields, "mo.magic", "@mo.magic", "magic", 0, s->header, 4, "0x950412de (%s)",
                  s->big_endian ? "big-endian" : "little-endian");
    header_word(s, fields, "revision", "file format revision", 4, false);
    header_word(s, fields, "count", "number of strings", 8, false);
    header_word(s, fields, "originals_offset", "offset of the original strings' table", 12, true);
    header_word(s, fields, "translations_offset", "offset of the translations' table", 16, true);
    header_word(s, fields, "hash_size", "size of the hash table", 20, true);
    header_word(s, fields, "hash_offset", "offset of the hash table", 24, true);
    if (s->header_size == DS_MO_HEADER_SYSDEP_SIZE) {
        header_word(s, fields, "sysdep_segments", "number of system-dependent segments", 28, false);
        header_word(s, fields, "sysdep_segments_offset", "offset of the segments' table", 32, true);
        header_word(s, fields, "sysdep_count", "number of system-dependent strings", 36, false);
        header_word(s, fields, "sysdep_originals_offset", "offset of the system-dependent originals", 40, true);
        header_word(s, fields, "sysdep_translations_offset", "offset of the system-dependent translations", 44, true);
    }
    int rc = header_fields(s, fields, err);
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : rc;
}

/* "@mo.message.<msgid>": the msgid (up to its first NUL: the singular of a plural) escaped,
 * cut at a character boundary to DS_MO_NAME_ROOM characters. */
static int message_name(mo_state_t *s, uint32_t i, char *buf, size_t size)
{
    unsigned char id[DS_MO_NAME_READ];
    size_t n = s->originals[i].length < sizeof id ? s->originals[i].length : sizeof id;
    int rc = ds_source_read(s->src, s->originals[i].offset, id, n, "mo msgid", NULL);
    if (rc != DS_OK)
        return rc;
    const unsigned char *nul = memchr(id, 0, n);
    if (nul != NULL)
        n = (size_t)(nul - id);
    ds_strbuf_t sb = {0};
    ds_strbuf_puts(&sb, "@mo.message.");
    size_t room = sb.len + DS_MO_NAME_ROOM;
    for (size_t k = 0; k < n;) {
        size_t step = id[k] >= 0x20 ? ds_utf8_sequence_length(id + k, n - k) : 0, before = sb.len;
        step = step ? step : 1;
        ds_strbuf_escape_line(&sb, (const char *)id + k, step);
        if (sb.len > room) {
            sb.len = before;
            break;
        }
        k += step;
    }
    snprintf(buf, size, "%.*s", (int)sb.len, ds_strbuf_text(&sb));
    ds_strbuf_free(&sb);
    return DS_OK;
}

typedef struct named {
    char location[sizeof(((ds_section_t *)0)->location)];
    uint32_t index;
} named_t;

static int by_name(const void *x, const void *y)
{
    const named_t *a = x, *b = y;
    int c = strcmp(a->location, b->location);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

static int by_index(const void *x, const void *y)
{
    const named_t *a = x, *b = y;
    return (a->index > b->index) - (a->index < b->index);
}

/* Every message but the header, named; a name seen again gets "#2", "#3", ... in file order. */
static int mo_sections(void *state, ds_sections_t *sections, ds_error_t *err)
{
    mo_state_t *s = state;
    uint32_t header = header_entry(s);
    named_t *names = calloc((size_t)s->count + 1, sizeof *names);
    if (names == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    size_t count = 0;
    int rc = DS_OK;
    for (uint32_t i = 0; rc == DS_OK && i < s->count; i++) {
        if (i == header)
            continue;
        names[count].index = i;
        rc = message_name(s, i, names[count].location, sizeof names[count].location);
        count++;
    }
    qsort(names, count, sizeof *names, by_name);
    unsigned seen = 1; /* at most DS_MO_MESSAGES_MAX */
    for (size_t k = 1, run = 0; k < count; k++) {
        seen = strcmp(names[k].location, names[run].location) == 0 ? seen + 1 : 1;
        run = seen > 1 ? run : k; /* the run's first keeps its name, the one compared with */
        if (seen > 1) /* the name was cut to leave room for this */
            snprintf(names[k].location + strlen(names[k].location), 12, "#%u", seen % 10000000u);
    }
    qsort(names, count, sizeof *names, by_index);
    for (size_t k = 0; rc == DS_OK && k < count; k++) {
        const mo_string_t *t = &s->translations[names[k].index];
        if (!ds_sections_add(sections, names[k].location, t->offset, t->length))
            rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    free(names);
    return rc;
}

const ds_format_t ds_format_mo = {
    .name = "mo",
    .kind = DS_FORMAT_DOCUMENT,
    .summary = "GNU gettext catalog (.mo, either byte order): revision, counts and table offsets, the header "
               "entry's lines (@mo.header.POT-Creation-Date), one section per message named by its msgid",
    .bid = mo_bid,
    .open = mo_open,
    .close = mo_close,
    .fields = mo_fields,
    .sections = mo_sections,
};
