/* The apparmor gate's exceptions file: the networked programs a project documents instead of
 * confining. One per line, `GLOB -- reason` (`#` comments, blank lines ignored); GLOB is an
 * absolute path in AppArmor's glob syntax (`*`, `**`, `?`, `[...]`, `{a,b}`). */
#ifndef GATE_EXCEPTIONS_H
#define GATE_EXCEPTIONS_H

#include <stddef.h>

#include "../util/error.h"

#define GATE_EXCEPTIONS_MAX 10000u    /* exceptions in one file */
#define GATE_EXCEPTION_LINE_MAX 4096u /* bytes of one line */

typedef struct gate_exception {
    char *glob;
    char *reason;
    unsigned line;
    size_t used; /* how many programs it documented (an unused one is worth a note) */
} gate_exception_t;

typedef struct gate_exceptions {
    char *file;
    gate_exception_t *items;
    size_t count;
} gate_exceptions_t;

/* Parses text (the file named file) into *out (start zeroed; free with gate_exceptions_free,
 * also after an error). A line without " -- ", with an empty reason, or a glob that is not an
 * absolute path is an error naming file and line. */
int gate_exceptions_parse(gate_exceptions_t *out, const char *file, const char *text, size_t len, ds_error_t *err);
void gate_exceptions_free(gate_exceptions_t *exceptions);

#endif
