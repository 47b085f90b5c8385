/* A line diff (Myers' O(ND) greedy algorithm) that knows nothing about files or output: it is
 * fed two buffers and emits a unified diff through a callback, like git's xdiff. Bounded: more
 * than max_edits line edits is refused (DS_ERR_LIMIT) and the caller falls back to a summary. */
#ifndef DS_LINE_DIFF_H
#define DS_LINE_DIFF_H

#include <stddef.h>

/* op is ' ' (context), '-' (only in A), '+' (only in B), or '@' for a hunk header (text holds
 * "@@ -a,n +b,m @@"). text is not NUL-terminated and excludes the newline. */
typedef void (*ds_diff_emit_fn)(void *ctx, char op, const char *text, size_t len);

/* Diffs a against b by lines with `context` lines around each change. *edits receives the
 * number of lines added plus removed. Returns 0, DS_ERR_LIMIT past max_edits, DS_ERR_NOMEM. */
int ds_line_diff(const char *a, size_t a_len, const char *b, size_t b_len, unsigned context,
                 size_t max_edits, ds_diff_emit_fn emit, void *ctx, size_t *edits);

#endif
