/* A kernel configuration (.config, /boot/config-*) as the kspp gate reads it, and the line
 * cursor the gate's text parsers share. */
#ifndef GATE_KCONFIG_H
#define GATE_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"

/* Walks text (len bytes, any bytes) one line at a time; "\r\n" counts as "\n". */
typedef struct gate_text_cursor {
    const char *text;
    size_t len;
    size_t pos;
    unsigned line; /* number of the line last returned, from 1 */
} gate_text_cursor_t;

/* Starts a cursor over text. */
void gate_text_cursor_init(gate_text_cursor_t *cursor, const char *text, size_t len);
/* Hands back the next line (without its end) in *start / *length; false at the end. */
bool gate_text_next_line(gate_text_cursor_t *cursor, const char **start, size_t *length);
/* A malloc'd NUL-terminated copy of len bytes, or NULL when out of memory. */
char *gate_text_copy(const char *text, size_t len);

typedef struct gate_kconfig_entry {
    char *name;    /* CONFIG_* */
    char *value;   /* "y", "m", "n", "123", "0x10", a string without its quotes; NULL when the
                      config says "# NAME is not set" */
    unsigned line; /* where (the last assignment wins, as in Kconfig) */
} gate_kconfig_entry_t;

typedef struct gate_kconfig {
    char *file;                    /* as given to gate_kconfig_parse */
    gate_kconfig_entry_t *entries; /* sorted by name, one per name */
    size_t count;
} gate_kconfig_t;

/* Parses a .config text read from file (named in messages as "file:line: ..."). On success
 * *config owns its entries (free with gate_kconfig_free); on error it is left empty (and may be
 * freed all the same) and err names file and line. */
int gate_kconfig_parse(gate_kconfig_t *config, const char *file, const char *text, size_t len,
                       ds_error_t *err);
/* The entry for name, or NULL when the config does not mention it. Borrowed from config. */
const gate_kconfig_entry_t *gate_kconfig_find(const gate_kconfig_t *config, const char *name);
/* Whether name is a well-formed CONFIG_ symbol name. */
bool gate_kconfig_name_valid(const char *name, size_t len);
/* Frees what config holds and empties it; accepts an empty one. */
void gate_kconfig_free(gate_kconfig_t *config);

#endif
