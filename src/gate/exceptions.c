#include "exceptions.h"

#include <stdlib.h>
#include <string.h>

#include "kconfig.h" /* the gates' text cursor and copy */

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

static int parse_line(gate_exceptions_t *out, const char *line, size_t n, unsigned number, ds_error_t *err)
{
    trim(&line, &n);
    if (n == 0 || line[0] == '#')
        return DS_OK;
    const char *sep = NULL;
    for (size_t i = 0; i + 4 <= n && sep == NULL; i++)
        if (memcmp(line + i, " -- ", 4) == 0)
            sep = line + i;
    if (sep == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: not \"GLOB -- reason\"", out->file, number);
    const char *glob = line, *reason = sep + 4;
    size_t glob_len = (size_t)(sep - line), reason_len = n - glob_len - 4;
    trim(&glob, &glob_len);
    trim(&reason, &reason_len);
    if (glob_len == 0 || glob[0] != '/')
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: the glob must be an absolute path", out->file, number);
    if (reason_len == 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: an exception needs a reason", out->file, number);
    if (out->count >= GATE_EXCEPTIONS_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u exceptions", out->file, number, GATE_EXCEPTIONS_MAX);
    gate_exception_t *grown = realloc(out->items, (out->count + 1) * sizeof *grown);
    if (grown == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    out->items = grown;
    gate_exception_t *e = &out->items[out->count];
    *e = (gate_exception_t){.glob = gate_text_copy(glob, glob_len), .reason = gate_text_copy(reason, reason_len), .line = number};
    if (e->glob == NULL || e->reason == NULL) {
        free(e->glob);
        free(e->reason);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    out->count++;
    return DS_OK;
}

int gate_exceptions_parse(gate_exceptions_t *out, const char *file, const char *text, size_t len, ds_error_t *err)
{
    out->file = gate_text_copy(file, strlen(file));
    if (out->file == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    gate_text_cursor_t cursor;
    gate_text_cursor_init(&cursor, text, len);
    const char *line;
    size_t n;
    while (gate_text_next_line(&cursor, &line, &n)) {
        if (n > GATE_EXCEPTION_LINE_MAX)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line,
                                GATE_EXCEPTION_LINE_MAX);
        if (memchr(line, '\0', n) != NULL)
            return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: a NUL byte", file, cursor.line);
        int rc = parse_line(out, line, n, cursor.line, err);
        if (rc != DS_OK)
            return rc;
    }
    return DS_OK;
}

void gate_exceptions_free(gate_exceptions_t *ex)
{
    for (size_t i = 0; i < ex->count; i++) {
        free(ex->items[i].glob);
        free(ex->items[i].reason);
    }
    free(ex->items);
    free(ex->file);
    memset(ex, 0, sizeof *ex);
}
