/* Text detection and bounded unified diffs of two buffers, for the reports. */
#ifndef DS_TEXT_DIFF_H
#define DS_TEXT_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/strbuf.h"

#define DS_TEXT_MAX (1024u * 1024u) /* files up to this size are diffed as text when they are text */
#define DS_TEXT_DIFF_LINES 300      /* lines of one file's diff */
#define DS_TEXT_MAX_EDITS 2000      /* line edits before a text diff gives up */

/* Text: no NUL and valid UTF-8 throughout. */
bool ds_text_is_text(const unsigned char *p, size_t len);

/* Appends the unified diff of a and b (3 lines of context) to out, each line escaped, at most
 * DS_TEXT_DIFF_LINES lines (*cut says when more were left out). Returns 0, or DS_ERR_LIMIT
 * when more than DS_TEXT_MAX_EDITS lines changed (nothing appended). *edits: lines changed. */
int ds_text_diff(ds_strbuf_t *out, const char *a, size_t a_len, const char *b, size_t b_len,
                 bool *cut, size_t *edits);

#endif
