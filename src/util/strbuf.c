#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool strbuf_reserve(ds_strbuf_t *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            sb->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *data = realloc(sb->data, cap);
    if (data == NULL) {
        sb->failed = true;
        return false;
    }
    sb->data = data;
    sb->cap = cap;
    return true;
}

void ds_strbuf_append(ds_strbuf_t *sb, const char *text, size_t len)
{
    if (!strbuf_reserve(sb, len))
        return;
    memcpy(sb->data + sb->len, text, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void ds_strbuf_puts(ds_strbuf_t *sb, const char *text) { ds_strbuf_append(sb, text, strlen(text)); }

void ds_strbuf_vprintf(ds_strbuf_t *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int need = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (need < 0 || !strbuf_reserve(sb, (size_t)need))
        return;
    vsnprintf(sb->data + sb->len, (size_t)need + 1, fmt, ap);
    sb->len += (size_t)need;
}

void ds_strbuf_printf(ds_strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ds_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

const char *ds_strbuf_text(const ds_strbuf_t *sb) { return sb->data ? sb->data : ""; }

char *ds_strbuf_take(ds_strbuf_t *sb)
{
    char *text = sb->data ? sb->data : strdup("");
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
    return text;
}

void ds_strbuf_free(ds_strbuf_t *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
}

size_t ds_utf8_sequence_length(const unsigned char *s, size_t avail)
{
    size_t need;
    unsigned int min;
    unsigned int cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        need = 2, min = 0x80, cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        need = 3, min = 0x800, cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        need = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (avail < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

void ds_strbuf_escape_line(ds_strbuf_t *sb, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '\\') {
            ds_strbuf_append(sb, "\\\\", 2);
            i++;
        } else if (c == '\n') {
            ds_strbuf_append(sb, "\\n", 2);
            i++;
        } else if (c == '\t') {
            ds_strbuf_append(sb, "\\t", 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            ds_strbuf_printf(sb, "\\x%02x", c);
            i++;
        } else {
            size_t n = ds_utf8_sequence_length(s + i, len - i);
            if (n == 0) {
                ds_strbuf_printf(sb, "\\x%02x", c);
                i++;
            } else {
                ds_strbuf_append(sb, text + i, n);
                i += n;
            }
        }
    }
}

char *ds_escape_line(const char *text)
{
    ds_strbuf_t sb = {0};
    ds_strbuf_escape_line(&sb, text, strlen(text));
    return ds_strbuf_take(&sb);
}

void ds_strbuf_xattr_value(ds_strbuf_t *sb, const unsigned char *value, size_t len)
{
    bool printable = len > 0;
    for (size_t k = 0; k < len && printable; k++)
        printable = value[k] >= 0x20 && value[k] < 0x7F && value[k] != ',';
    if (printable) {
        ds_strbuf_puts(sb, "\"");
        ds_strbuf_append(sb, (const char *)value, len);
        ds_strbuf_puts(sb, "\"");
        return;
    }
    ds_strbuf_puts(sb, "0x");
    for (size_t k = 0; k < len; k++)
        ds_strbuf_printf(sb, "%02x", value[k]);
}

char *ds_strdup(const char *text) { return text ? strdup(text) : NULL; }
