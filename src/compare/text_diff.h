/* Text detection and bounded unified diffs of two buffers, for the reports. */
#ifndef DS_TEXT_DIFF_H
#define DS_TEXT_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/strbuf.h"

#define DS_TEXT_MAX (1024u * 1024u) /* files up to this size are diffed as text when they are text */
#define DS_TEXT_DIFF_LINES 300      /* lines of one file's diff */
#define DS_TEXT_MAX_EDITS 2000      /* line edits before a text diff gives up */

/* The encoding of p when it is text, else NULL: "UTF-16LE" or "UTF-16BE" (with a byte order
 * mark; no NUL, no control but tab, newline, form feed and carriage return, valid surrogate
 * pairs), "UTF-8" or "UTF-8 (BOM)" (valid throughout, no NUL), "ISO-8859-1" (printable ASCII
 * and the Latin-1 letters and few signs prose uses; no control, no C1 control). */
const char *ds_text_encoding(const unsigned char *p, size_t len);

/* Text in one of those encodings. */
bool ds_text_is_text(const unsigned char *p, size_t len);

/* The text p as UTF-8 (a new NUL-terminated buffer the caller frees; a byte order mark dropped)
 * and its encoding. DS_ERR_FORMAT when p is not text (*out NULL), DS_ERR_NOMEM. */
int ds_text_to_utf8(const unsigned char *p, size_t len, char **out, size_t *out_len, const char **encoding);

/* Appends the unified diff of a and b (3 lines of context) to out, each line escaped, at most
 * DS_TEXT_DIFF_LINES lines (*cut says when more were left out). Returns 0, or DS_ERR_LIMIT
 * when more than DS_TEXT_MAX_EDITS lines changed (nothing appended), DS_ERR_FORMAT when either is
 * not text. *edits: lines changed. Text not in plain UTF-8 is decoded to UTF-8 first and the diff
 * opens with a line naming the encodings ("text in another encoding: A ISO-8859-1, B UTF-8"). */
int ds_text_diff(ds_strbuf_t *out, const char *a, size_t a_len, const char *b, size_t b_len,
                 bool *cut, size_t *edits);

#endif
