/* Kernel .config reader. The syntax is what scripts/kconfig/confdata.c (conf_write) writes and
 * conf_read_simple accepts: "CONFIG_NAME=value" (y, m, n, a decimal or 0x hex number, or a
 * "double-quoted string" with \" and \\ escapes), "# CONFIG_NAME is not set", other "#"
 * comments and blank lines. As in Kconfig, the last assignment of a name wins. */
#include "kconfig.h"

#include <stdlib.h>
#include <string.h>

#define GATE_KCONFIG_MAX_LINE 4096u     /* bytes of one line */
#define GATE_KCONFIG_MAX_ENTRIES 65536u /* assignments in one file (a distro config has ~10k) */
#define GATE_KCONFIG_MAX_NAME 256u      /* bytes of a symbol name */

void gate_text_cursor_init(gate_text_cursor_t *cursor, const char *text, size_t len)
{
    cursor->text = text;
    cursor->len = text == NULL ? 0 : len;
    cursor->pos = 0;
    cursor->line = 0;
}

bool gate_text_next_line(gate_text_cursor_t *cursor, const char **start, size_t *length)
{
    if (cursor->pos >= cursor->len)
        return false;
    const char *begin = cursor->text + cursor->pos;
    const char *end = memchr(begin, '\n', cursor->len - cursor->pos);
    size_t n = end == NULL ? cursor->len - cursor->pos : (size_t)(end - begin);
    cursor->pos += n + (end != NULL);
    if (n > 0 && begin[n - 1] == '\r')
        n--;
    cursor->line++;
    *start = begin;
    *length = n;
    return true;
}

char *gate_text_copy(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    if (len > 0)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

bool gate_kconfig_name_valid(const char *name, size_t len)
{
    if (len <= 7 || len > GATE_KCONFIG_MAX_NAME || strncmp(name, "CONFIG_", 7) != 0)
        return false;
    for (size_t i = 7; i < len; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static int entry_compare(const void *a, const void *b)
{
    const gate_kconfig_entry_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->line < y->line ? -1 : x->line > y->line; /* equal names: in file order */
}

/* Unquotes a "string" value in place into out (at least len + 1 bytes); false when the
 * closing quote is missing or text follows it. */
static bool unquote(const char *value, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 1; i < len; i++) {
        if (value[i] == '\\' && i + 1 < len) {
            out[o++] = value[++i];
        } else if (value[i] == '"') {
            out[o] = '\0';
            return i + 1 == len;
        } else {
            out[o++] = value[i];
        }
    }
    return false;
}

/* One line into entry (name and value copied); 1 when the line holds no entry. */
static int parse_line(const char *s, size_t n, gate_kconfig_entry_t *entry, const char *file,
                      unsigned line, ds_error_t *err)
{
    static const char not_set[] = " is not set";
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0)
        return 1;
    if (s[0] == '#') {
        size_t tail = sizeof not_set - 1;
        if (n > 2 + tail && s[1] == ' ' && memcmp(s + n - tail, not_set, tail) == 0 &&
            gate_kconfig_name_valid(s + 2, n - 2 - tail)) {
            entry->name = gate_text_copy(s + 2, n - 2 - tail);
            entry->value = NULL;
            return entry->name == NULL ? ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, line) : 0;
        }
        return 1;
    }
    const char *eq = memchr(s, '=', n);
    if (eq == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: not \"CONFIG_NAME=value\" (no '=')", file, line);
    size_t name_len = (size_t)(eq - s), value_len = n - name_len - 1;
    if (!gate_kconfig_name_valid(s, name_len))
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: \"%.*s\" is not a CONFIG_ symbol name", file, line,
                            (int)(name_len > 64 ? 64 : name_len), s);
    entry->name = gate_text_copy(s, name_len);
    entry->value = malloc(value_len + 1);
    if (entry->name == NULL || entry->value == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    if (value_len > 0 && eq[1] == '"') {
        if (!unquote(eq + 1, value_len, entry->value))
            return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: unterminated string value of %s", file, line,
                                entry->name);
    } else {
        memcpy(entry->value, eq + 1, value_len);
        entry->value[value_len] = '\0';
    }
    return 0;
}

/* Sorts the entries and keeps the last assignment of each name. */
static void keep_last(gate_kconfig_t *config)
{
    qsort(config->entries, config->count, sizeof *config->entries, entry_compare);
    size_t kept = 0;
    for (size_t i = 0; i < config->count; i++) {
        if (kept > 0 && strcmp(config->entries[kept - 1].name, config->entries[i].name) == 0) {
            free(config->entries[kept - 1].name);
            free(config->entries[kept - 1].value);
            kept--;
        }
        config->entries[kept++] = config->entries[i];
    }
    config->count = kept;
}

static int parse_lines(gate_kconfig_t *config, const char *file, const char *text, size_t len,
                       ds_error_t *err)
{
    gate_text_cursor_t cursor;
    const char *s;
    size_t n;
    size_t cap = 0;
    gate_text_cursor_init(&cursor, text, len);
    while (gate_text_next_line(&cursor, &s, &n)) {
        if (n > GATE_KCONFIG_MAX_LINE)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line,
                                GATE_KCONFIG_MAX_LINE);
        if (config->count == cap) {
            if (cap >= GATE_KCONFIG_MAX_ENTRIES)
                return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u entries", file, cursor.line,
                                    GATE_KCONFIG_MAX_ENTRIES);
            size_t grown = cap == 0 ? 256 : cap * 2;
            gate_kconfig_entry_t *more = realloc(config->entries, grown * sizeof *more);
            if (more == NULL)
                return ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, cursor.line);
            config->entries = more;
            cap = grown;
        }
        gate_kconfig_entry_t *entry = &config->entries[config->count];
        memset(entry, 0, sizeof *entry);
        entry->line = cursor.line;
        int rc = parse_line(s, n, entry, file, cursor.line, err);
        if (rc == 0 || rc < 0)
            config->count++; /* a half-made entry is counted so that it is freed */
        if (rc < 0)
            return rc;
    }
    return 0;
}

int gate_kconfig_parse(gate_kconfig_t *config, const char *file, const char *text, size_t len,
                       ds_error_t *err)
{
    memset(config, 0, sizeof *config);
    config->file = gate_text_copy(file, strlen(file));
    if (config->file == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", file);
    int rc = parse_lines(config, file, text, len, err);
    if (rc < 0) {
        gate_kconfig_free(config);
        return rc;
    }
    keep_last(config);
    return 0;
}

static int find_compare(const void *key, const void *element)
{
    return strcmp(key, ((const gate_kconfig_entry_t *)element)->name);
}

const gate_kconfig_entry_t *gate_kconfig_find(const gate_kconfig_t *config, const char *name)
{
    if (config == NULL || config->count == 0)
        return NULL;
    return bsearch(name, config->entries, config->count, sizeof *config->entries, find_compare);
}

void gate_kconfig_free(gate_kconfig_t *config)
{
    if (config == NULL)
        return;
    for (size_t i = 0; i < config->count; i++) {
        free(config->entries[i].name);
        free(config->entries[i].value);
    }
    free(config->entries);
    free(config->file);
    memset(config, 0, sizeof *config);
}
