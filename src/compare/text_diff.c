#include "text_diff.h"

#include <stdint.h>
#include <string.h>

#include "../util/error.h"
#include "line_diff.h"

/* UTF-8 throughout, no NUL. */
static bool is_utf8(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (p[i] == 0)
            return false;
        size_t n = ds_utf8_sequence_length(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* A code point text may hold: not NUL, no C0 control but tab, newline, form feed and carriage
 * return, no DEL and no C1 control (which Latin-1 text never uses, and binary data often does). */
static bool printable(uint32_t c)
{
    if (c < 0x20)
        return c == '\t' || c == '\n' || c == '\f' || c == '\r';
    return c != 0x7f && (c < 0x80 || c >= 0xa0);
}

/* A byte above 0x7f that Latin-1 prose uses: a letter (0xc0-0xff but the multiplication and
 * division signs), or no-break space, section sign, copyright sign, guillemets, degree sign,
 * micro sign. Binary bytes in a text file (0xde 0xad 0xbe 0xef: a soft hyphen, three-quarters)
 * are not taken for Latin-1 text. */
static bool latin1_prose(unsigned char c)
{
    if (c >= 0xc0)
        return c != 0xd7 && c != 0xf7;
    return c == 0xa0 || c == 0xa7 || c == 0xa9 || c == 0xab || c == 0xb0 || c == 0xb5 || c == 0xbb;
}

/* ISO-8859-1: printable ASCII and Latin-1 prose bytes only (then at least one is above 0x7f,
 * or the buffer would have been UTF-8). */
static bool is_latin1(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x80 ? !printable(p[i]) : !latin1_prose(p[i]))
            return false;
    return true;
}

/* The code point of UTF-16 text at p[*i] (big_endian or not), *i moved past it; 0 when the
 * text is not valid UTF-16 there (an unpaired surrogate, a cut unit). */
static uint32_t utf16_next(const unsigned char *p, size_t len, size_t *i, bool big_endian)
{
    if (*i + 2 > len)
        return 0;
    uint32_t u = big_endian ? (uint32_t)p[*i] << 8 | p[*i + 1] : (uint32_t)p[*i + 1] << 8 | p[*i];
    *i += 2;
    if (u >= 0xdc00 && u < 0xe000)
        return 0;
    if (u < 0xd800 || u >= 0xe000)
        return u;
    if (*i + 2 > len)
        return 0;
    uint32_t lo = big_endian ? (uint32_t)p[*i] << 8 | p[*i + 1] : (uint32_t)p[*i + 1] << 8 | p[*i];
    if (lo < 0xdc00 || lo >= 0xe000)
        return 0;
    *i += 2;
    return 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
}

static bool is_utf16(const unsigned char *p, size_t len, bool big_endian)
{
    if (len % 2 != 0)
        return false;
    for (size_t i = 2; i < len;) {
        uint32_t c = utf16_next(p, len, &i, big_endian);
        if (c == 0 || !printable(c))
            return false;
    }
    return true;
}

const char *ds_text_encoding(const unsigned char *p, size_t len)
{
    if (len >= 2 && p[0] == 0xff && p[1] == 0xfe && is_utf16(p, len, false))
        return "UTF-16LE";
    if (len >= 2 && p[0] == 0xfe && p[1] == 0xff && is_utf16(p, len, true))
        return "UTF-16BE";
    if (is_utf8(p, len))
        return len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? "UTF-8 (BOM)" : "UTF-8";
    return is_latin1(p, len) ? "ISO-8859-1" : NULL;
}

bool ds_text_is_text(const unsigned char *p, size_t len) { return ds_text_encoding(p, len) != NULL; }

static void put_utf8(ds_strbuf_t *out, uint32_t c)
{
    char b[4];
    size_t n = 0;
    if (c < 0x80) {
        b[n++] = (char)c;
    } else if (c < 0x800) {
        b[n++] = (char)(0xc0 | c >> 6);
        b[n++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        b[n++] = (char)(0xe0 | c >> 12);
        b[n++] = (char)(0x80 | (c >> 6 & 0x3f));
        b[n++] = (char)(0x80 | (c & 0x3f));
    } else {
        b[n++] = (char)(0xf0 | c >> 18);
        b[n++] = (char)(0x80 | (c >> 12 & 0x3f));
        b[n++] = (char)(0x80 | (c >> 6 & 0x3f));
        b[n++] = (char)(0x80 | (c & 0x3f));
    }
    ds_strbuf_append(out, b, n);
}

/* The text as UTF-8, into out (the BOM dropped); encoding from ds_text_encoding. */
static void decode_text(const unsigned char *p, size_t len, const char *encoding, ds_strbuf_t *out)
{
    if (strncmp(encoding, "UTF-16", 6) == 0) {
        bool big_endian = encoding[6] == 'B';
        for (size_t i = 2; i < len;)
            put_utf8(out, utf16_next(p, len, &i, big_endian));
    } else if (strcmp(encoding, "ISO-8859-1") == 0) {
        for (size_t i = 0; i < len; i++)
            put_utf8(out, p[i]);
    } else {
        size_t skip = strcmp(encoding, "UTF-8 (BOM)") == 0 ? 3 : 0;
        ds_strbuf_append(out, (const char *)p + skip, len - skip);
    }
}

typedef struct text_sink {
    ds_strbuf_t *out;
    size_t lines;
    bool cut;
} text_sink_t;

static void emit_line(void *opaque, char op, const char *text, size_t len)
{
    text_sink_t *sink = opaque;
    if (sink->lines >= DS_TEXT_DIFF_LINES) {
        sink->cut = true;
        return;
    }
    sink->lines++;
    if (op != '@')
        ds_strbuf_append(sink->out, &op, 1);
    ds_strbuf_escape_line(sink->out, text, len);
    ds_strbuf_puts(sink->out, "\n");
}

int ds_text_to_utf8(const unsigned char *p, size_t len, char **out, size_t *out_len, const char **encoding)
{
    *out = NULL;
    *out_len = 0;
    *encoding = ds_text_encoding(p, len);
    if (*encoding == NULL)
        return DS_ERR_FORMAT;
    ds_strbuf_t text = {0};
    decode_text(p, len, *encoding, &text);
    if (text.failed) {
        ds_strbuf_free(&text);
        return DS_ERR_NOMEM;
    }
    *out_len = text.len;
    *out = ds_strbuf_take(&text);
    return *out != NULL ? DS_OK : DS_ERR_NOMEM;
}

static int line_diff_utf8(ds_strbuf_t *out, const char *a, size_t a_len, const char *b, size_t b_len, bool *cut,
                          size_t *edits)
{
    ds_strbuf_t diff = {0};
    text_sink_t sink = {.out = &diff};
    int rc = ds_line_diff(a, a_len, b, b_len, 3, DS_TEXT_MAX_EDITS, emit_line, &sink, edits);
    if (rc == DS_OK)
        ds_strbuf_append(out, ds_strbuf_text(&diff), diff.len);
    ds_strbuf_free(&diff);
    *cut = sink.cut;
    return rc;
}

int ds_text_diff(ds_strbuf_t *out, const char *a, size_t a_len, const char *b, size_t b_len,
                 bool *cut, size_t *edits)
{
    const char *ea = ds_text_encoding((const unsigned char *)a, a_len);
    const char *eb = ds_text_encoding((const unsigned char *)b, b_len);
    *cut = false;
    *edits = 0;
    if (ea == NULL || eb == NULL)
        return DS_ERR_FORMAT;
    if (strcmp(ea, "UTF-8") == 0 && strcmp(eb, "UTF-8") == 0)
        return line_diff_utf8(out, a, a_len, b, b_len, cut, edits);
    ds_strbuf_t da = {0}, db = {0}, diff = {0};
    decode_text((const unsigned char *)a, a_len, ea, &da);
    decode_text((const unsigned char *)b, b_len, eb, &db);
    int rc = line_diff_utf8(&diff, ds_strbuf_text(&da), da.len, ds_strbuf_text(&db), db.len, cut, edits);
    if (rc == DS_OK) {
        if (strcmp(ea, eb) == 0)
            ds_strbuf_printf(out, "text in %s, decoded to UTF-8 for this diff\n", ea);
        else
            ds_strbuf_printf(out, "text in another encoding: A %s, B %s; decoded to UTF-8 for this diff%s\n", ea, eb,
                             diff.len == 0 ? ": the same text" : "");
        ds_strbuf_append(out, ds_strbuf_text(&diff), diff.len);
    }
    ds_strbuf_free(&da);
    ds_strbuf_free(&db);
    ds_strbuf_free(&diff);
    return rc;
}
