/* A growable, always NUL-terminated string, and the escaping every report format needs:
 * names come from hostile images and may hold newlines, control bytes or invalid UTF-8. */
#ifndef DS_STRBUF_H
#define DS_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ds_strbuf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; the contents are cut short */
} ds_strbuf_t;

void ds_strbuf_append(ds_strbuf_t *sb, const char *text, size_t len);
void ds_strbuf_puts(ds_strbuf_t *sb, const char *text);
void ds_strbuf_printf(ds_strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ds_strbuf_vprintf(ds_strbuf_t *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* The text, "" when empty. Still owned by sb. */
const char *ds_strbuf_text(const ds_strbuf_t *sb);
/* Hands the text to the caller (free() it) and empties sb. Never NULL unless out of memory. */
char *ds_strbuf_take(ds_strbuf_t *sb);
void ds_strbuf_free(ds_strbuf_t *sb);

/* Appends text (len bytes, may hold any byte) so that it is one printable line: backslash,
 * control bytes, DEL and bytes that are not valid UTF-8 become \\, \n, \t, \xNN. */
void ds_strbuf_escape_line(ds_strbuf_t *sb, const char *text, size_t len);

/* Returns a malloc'd escaped copy of the NUL-terminated text (see ds_strbuf_escape_line). */
char *ds_escape_line(const char *text);

/* Length of a valid UTF-8 sequence starting at s (at most avail bytes), or 0 if invalid. */
size_t ds_utf8_sequence_length(const unsigned char *s, size_t avail);

/* Appends an extended attribute's value: "quoted" when it is printable ASCII without commas,
 * else 0x and hex. */
void ds_strbuf_xattr_value(ds_strbuf_t *sb, const unsigned char *value, size_t len);

/* strdup that tolerates NULL (returns NULL). */
char *ds_strdup(const char *text);

#endif
