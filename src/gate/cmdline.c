/* Kernel command lines from boot loader configurations.
 * - grub: the GNU GRUB manual, "Shell-like scripting": words split at blanks, '...' quotes
 *   everything literally, "..." keeps \\ \" \$ escapes, a backslash outside quotes escapes the
 *   next character, a backslash at the end of a line continues it, '#' at the start of a word
 *   begins a comment; menuentry/submenu blocks are { ... }. "linux FILE ARGS" (linuxefi and
 *   linux16 too) hands ARGS to the kernel.
 * - syslinux: doc/syslinux.txt and doc/menu.txt: one keyword a line, case-insensitive; LABEL
 *   starts an entry, KERNEL/LINUX names its kernel, APPEND its parameters (a global APPEND
 *   serves labels without one), MENU LABEL its title, INCLUDE / MENU INCLUDE read another file.
 * - the kernel: Documentation/admin-guide/kernel-parameters.rst: parameters are split at
 *   blanks, double quotes may hold blanks, and for most parameters the last one wins. */
#include "cmdline.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kconfig.h"

#define GATE_CMDLINE_MAX_LINE 8192u      /* bytes of a (logical) line */
#define GATE_CMDLINE_MAX_WORDS 512u      /* words of a grub command / parameters of an entry */
#define GATE_CMDLINE_MAX_ENTRIES 4096u   /* boot entries in one set */
#define GATE_CMDLINE_MAX_INCLUDES 256u   /* include names in one set */
#define GATE_CMDLINE_MAX_DEPTH 32u       /* nested grub { } blocks */

#define NOMEM(file, line) ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, line)

static int add_param(gate_cmdline_entry_t *entry, const char *word, size_t len, const char *file,
                     unsigned line, ds_error_t *err)
{
    if (entry->count >= GATE_CMDLINE_MAX_WORDS)
        return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u parameters", file, line,
                            GATE_CMDLINE_MAX_WORDS);
    gate_cmdline_param_t *more = realloc(entry->params, (entry->count + 1) * sizeof *more);
    if (more == NULL)
        return NOMEM(file, line);
    entry->params = more;
    const char *eq = memchr(word, '=', len);
    size_t name_len = eq == NULL ? len : (size_t)(eq - word);
    gate_cmdline_param_t *param = &entry->params[entry->count++];
    param->name = gate_text_copy(word, name_len);
    param->value = eq == NULL ? NULL : gate_text_copy(eq + 1, len - name_len - 1);
    if (param->name == NULL || (eq != NULL && param->value == NULL))
        return NOMEM(file, line);
    return 0;
}

int gate_cmdline_parse_params(gate_cmdline_entry_t *entry, const char *text, size_t len,
                              const char *file, unsigned line, ds_error_t *err)
{
    char *word = malloc(len + 1);
    if (word == NULL)
        return NOMEM(file, line);
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < len) {
        while (i < len && isspace((unsigned char)text[i]))
            i++;
        if (i == len)
            break;
        size_t n = 0;
        bool quoted = false;
        for (; i < len && (quoted || !isspace((unsigned char)text[i])); i++) {
            if (text[i] == '"')
                quoted = !quoted;
            else
                word[n++] = text[i];
        }
        if (quoted)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s:%u: unterminated quote in the kernel parameters", file, line);
        else
            rc = add_param(entry, word, n, file, line, err);
    }
    free(word);
    return rc;
}

const gate_cmdline_param_t *gate_cmdline_find(const gate_cmdline_entry_t *entry, const char *name)
{
    for (size_t i = entry->count; i-- > 0;)
        if (strcmp(entry->params[i].name, name) == 0)
            return &entry->params[i];
    return NULL;
}

/* A new entry at the end of set, with copies of title, kernel and file. */
static int add_entry(gate_cmdline_set_t *set, const char *title, const char *kernel, const char *file,
                     unsigned line, gate_cmdline_entry_t **out, ds_error_t *err)
{
    if (set->count >= GATE_CMDLINE_MAX_ENTRIES)
        return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u boot entries", file, line,
                            GATE_CMDLINE_MAX_ENTRIES);
    gate_cmdline_entry_t *more = realloc(set->entries, (set->count + 1) * sizeof *more);
    if (more == NULL)
        return NOMEM(file, line);
    set->entries = more;
    gate_cmdline_entry_t *entry = &set->entries[set->count++];
    memset(entry, 0, sizeof *entry);
    entry->title = gate_text_copy(title, strlen(title));
    entry->kernel = gate_text_copy(kernel, strlen(kernel));
    entry->file = gate_text_copy(file, strlen(file));
    entry->line = line;
    *out = entry;
    return entry->title && entry->kernel && entry->file ? 0 : NOMEM(file, line);
}

static int add_include(gate_cmdline_set_t *set, const char *name, size_t len, const char *file,
                       unsigned line, ds_error_t *err);

/* ---- grub ---- */

typedef struct grub_words {
    char *buffer;   /* the words, each NUL-terminated, one after the other */
    char *word[GATE_CMDLINE_MAX_WORDS];
    size_t count;
} grub_words_t;

/* Splits the logical line s into words; returns 1 when a quote is still open at its end (the
 * caller joins the next line, as grub does), 0, or an error. */
static int grub_split(const char *s, size_t n, grub_words_t *words, const char *file, unsigned line,
                      ds_error_t *err)
{
    size_t i = 0, o = 0;
    words->count = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n || s[i] == '#')
            break;
        if (words->count == GATE_CMDLINE_MAX_WORDS)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u words", file, line, GATE_CMDLINE_MAX_WORDS);
        words->word[words->count++] = words->buffer + o;
        char quote = 0;
        for (; i < n && (quote != 0 || (s[i] != ' ' && s[i] != '\t')); i++) {
            char c = s[i];
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote != '\'' && i + 1 < n &&
                       (quote == 0 || strchr("\\\"$", s[i + 1]) != NULL)) {
                words->buffer[o++] = s[++i];
            } else {
                words->buffer[o++] = c;
            }
        }
        words->buffer[o++] = '\0';
        if (quote != 0)
            return 1;
    }
    return 0;
}

typedef struct grub_state {
    char *title[GATE_CMDLINE_MAX_DEPTH]; /* per open block: its menuentry title, or NULL */
    size_t depth;
} grub_state_t;

static const char *grub_title(const grub_state_t *state)
{
    for (size_t i = state->depth; i-- > 0;)
        if (state->title[i] != NULL)
            return state->title[i];
    return "";
}

/* Acts on one command: opens and closes blocks, records linux lines. */
static int grub_command(gate_cmdline_set_t *set, grub_state_t *state, const grub_words_t *w,
                        const char *file, unsigned line, ds_error_t *err)
{
    if (w->count == 0)
        return 0;
    const char *first = w->word[0];
    if (strcmp(first, "}") == 0) {
        if (state->depth > 0)
            free(state->title[--state->depth]);
        return 0;
    }
    if (strcmp(w->word[w->count - 1], "{") == 0) {
        if (state->depth == GATE_CMDLINE_MAX_DEPTH)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: blocks nested deeper than %u", file, line,
                                GATE_CMDLINE_MAX_DEPTH);
        char *title = NULL;
        if ((strcmp(first, "menuentry") == 0 || strcmp(first, "submenu") == 0) && w->count > 2 &&
            (title = gate_text_copy(w->word[1], strlen(w->word[1]))) == NULL)
            return NOMEM(file, line);
        state->title[state->depth++] = title;
        return 0;
    }
    if (strcmp(first, "source") == 0 && w->count > 1)
        return add_include(set, w->word[1], strlen(w->word[1]), file, line, err);
    if (strcmp(first, "linux") != 0 && strcmp(first, "linuxefi") != 0 && strcmp(first, "linux16") != 0)
        return 0;
    gate_cmdline_entry_t *entry = NULL;
    int rc = add_entry(set, grub_title(state), w->count > 1 ? w->word[1] : "", file, line, &entry, err);
    for (size_t i = 2; rc == 0 && i < w->count; i++)
        rc = add_param(entry, w->word[i], strlen(w->word[i]), file, line, err);
    return rc;
}

/* Appends physical lines to the logical line in *logical until one does not end in a
 * backslash or an open quote; runs each logical line. */
static int grub_lines(gate_cmdline_set_t *set, grub_state_t *state, grub_words_t *words, char *logical,
                      const char *file, const char *text, size_t len, ds_error_t *err)
{
    gate_text_cursor_t cursor;
    const char *s;
    size_t n, used = 0;
    unsigned first_line = 0;
    int rc = 0;
    gate_text_cursor_init(&cursor, text, len);
    while (gate_text_next_line(&cursor, &s, &n)) {
        if (used == 0)
            first_line = cursor.line;
        if (used + n + 1 > GATE_CMDLINE_MAX_LINE)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line,
                                GATE_CMDLINE_MAX_LINE);
        memcpy(logical + used, s, n);
        used += n;
        if (used > 0 && logical[used - 1] == '\\') {
            used--; /* the backslash and the newline vanish */
            continue;
        }
        rc = grub_split(logical, used, words, file, first_line, err);
        if (rc == 1) {
            logical[used++] = '\n';
            continue;
        }
        if (rc == 0)
            rc = grub_command(set, state, words, file, first_line, err);
        if (rc < 0)
            return rc;
        used = 0;
    }
    if (used > 0 && grub_split(logical, used, words, file, first_line, err) == 1)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: unterminated quote", file, first_line);
    return used > 0 ? grub_command(set, state, words, file, first_line, err) : 0;
}

int gate_cmdline_parse_grub(gate_cmdline_set_t *set, const char *file, const char *text, size_t len,
                            ds_error_t *err)
{
    grub_state_t state = {.depth = 0};
    grub_words_t *words = calloc(1, sizeof *words);
    char *logical = malloc(GATE_CMDLINE_MAX_LINE);
    int rc;
    if (words != NULL && logical != NULL && (words->buffer = malloc(2 * GATE_CMDLINE_MAX_LINE)) != NULL)
        rc = grub_lines(set, &state, words, logical, file, text, len, err);
    else
        rc = NOMEM(file, 0u);
    while (state.depth > 0)
        free(state.title[--state.depth]);
    if (words != NULL)
        free(words->buffer);
    free(words);
    free(logical);
    return rc;
}

/* ---- syslinux ---- */

typedef struct syslinux_label {
    char *name;     /* NULL before the first LABEL */
    char *title;    /* MENU LABEL, '^' accelerators removed */
    char *kernel;
    char *append;   /* NULL when the label has no APPEND */
    unsigned line;  /* of APPEND, else of LABEL */
} syslinux_label_t;

static void label_clear(syslinux_label_t *label)
{
    free(label->name);
    free(label->title);
    free(label->kernel);
    free(label->append);
    memset(label, 0, sizeof *label);
}

/* Records the finished label (when it names a kernel) as an entry. */
static int label_finish(gate_cmdline_set_t *set, syslinux_label_t *label, const char *global_append,
                        const char *file, ds_error_t *err)
{
    int rc = 0;
    if (label->name != NULL && label->kernel != NULL) {
        gate_cmdline_entry_t *entry = NULL;
        const char *append = label->append != NULL ? label->append : global_append;
        rc = add_entry(set, label->title != NULL ? label->title : label->name, label->kernel, file, label->line,
                       &entry, err);
        if (rc == 0 && append != NULL)
            rc = gate_cmdline_parse_params(entry, append, strlen(append), file, label->line, err);
    }
    label_clear(label);
    return rc;
}

static int add_include(gate_cmdline_set_t *set, const char *name, size_t len, const char *file,
                       unsigned line, ds_error_t *err)
{
    if (set->include_count >= GATE_CMDLINE_MAX_INCLUDES)
        return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u includes", file, line,
                            GATE_CMDLINE_MAX_INCLUDES);
    char **more = realloc(set->includes, (set->include_count + 1) * sizeof *more);
    if (more == NULL)
        return NOMEM(file, line);
    set->includes = more;
    if ((set->includes[set->include_count] = gate_text_copy(name, len)) == NULL)
        return NOMEM(file, line);
    set->include_count++;
    return 0;
}

/* The next blank-separated word of s (n bytes) from *pos: its start and length. */
static size_t next_word(const char *s, size_t n, size_t *pos, const char **word)
{
    while (*pos < n && isspace((unsigned char)s[*pos]))
        (*pos)++;
    *word = s + *pos;
    size_t start = *pos;
    while (*pos < n && !isspace((unsigned char)s[*pos]))
        (*pos)++;
    return *pos - start;
}

static bool keyword_is(const char *word, size_t len, const char *keyword)
{
    return len == strlen(keyword) && strncasecmp(word, keyword, len) == 0;
}

/* Replaces *slot by a copy of the rest of the line (blanks around it stripped). */
static int set_rest(char **slot, const char *rest, size_t len, bool drop_carets)
{
    while (len > 0 && isspace((unsigned char)*rest))
        rest++, len--;
    while (len > 0 && isspace((unsigned char)rest[len - 1]))
        len--;
    free(*slot);
    if ((*slot = gate_text_copy(rest, len)) == NULL)
        return DS_ERR_NOMEM;
    if (drop_carets) {
        char *o = *slot;
        for (const char *c = *slot; *c != '\0'; c++)
            if (*c != '^')
                *o++ = *c;
        *o = '\0';
    }
    return 0;
}

/* One line of a syslinux configuration. */
static int syslinux_line(gate_cmdline_set_t *set, syslinux_label_t *label, char **global_append,
                         const char *s, size_t n, const char *file, unsigned line, ds_error_t *err)
{
    size_t pos = 0;
    const char *word;
    size_t wl = next_word(s, n, &pos, &word);
    int rc = 0;
    if (keyword_is(word, wl, "menu")) {
        wl = next_word(s, n, &pos, &word);
        if (keyword_is(word, wl, "label") && label->name != NULL)
            rc = set_rest(&label->title, s + pos, n - pos, true);
        else if (keyword_is(word, wl, "include") && (wl = next_word(s, n, &pos, &word)) > 0)
            rc = add_include(set, word, wl, file, line, err);
    } else if (keyword_is(word, wl, "include") && (wl = next_word(s, n, &pos, &word)) > 0) {
        rc = add_include(set, word, wl, file, line, err);
    } else if (keyword_is(word, wl, "label")) {
        rc = label_finish(set, label, *global_append, file, err);
        if (rc == 0 && (rc = set_rest(&label->name, s + pos, n - pos, false)) == 0)
            label->line = line;
    } else if (keyword_is(word, wl, "kernel") || keyword_is(word, wl, "linux")) {
        if (label->name != NULL && (wl = next_word(s, n, &pos, &word)) > 0) {
            free(label->kernel);
            rc = (label->kernel = gate_text_copy(word, wl)) == NULL ? DS_ERR_NOMEM : 0;
        }
    } else if (keyword_is(word, wl, "append")) {
        rc = set_rest(label->name != NULL ? &label->append : global_append, s + pos, n - pos, false);
        if (label->name != NULL)
            label->line = line;
    }
    return rc == DS_ERR_NOMEM ? NOMEM(file, line) : rc;
}

int gate_cmdline_parse_syslinux(gate_cmdline_set_t *set, const char *file, const char *text,
                                size_t len, ds_error_t *err)
{
    syslinux_label_t label;
    char *global_append = NULL;
    gate_text_cursor_t cursor;
    const char *s;
    size_t n;
    int rc = 0;
    memset(&label, 0, sizeof label);
    gate_text_cursor_init(&cursor, text, len);
    while (rc == 0 && gate_text_next_line(&cursor, &s, &n)) {
        if (n > GATE_CMDLINE_MAX_LINE)
            rc = ds_error_set(err, DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line,
                              GATE_CMDLINE_MAX_LINE);
        else
            rc = syslinux_line(set, &label, &global_append, s, n, file, cursor.line, err);
    }
    if (rc == 0)
        rc = label_finish(set, &label, global_append, file, err);
    label_clear(&label);
    free(global_append);
    return rc;
}

/* ---- /etc/default/grub ---- */

/* The value of a shell assignment NAME=value (one level of '...' or "..." removed) into out. */
static bool shell_value(const char *s, size_t n, const char *name, const char **value, size_t *len)
{
    size_t name_len = strlen(name);
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    if (n <= name_len || memcmp(s, name, name_len) != 0 || s[name_len] != '=')
        return false;
    s += name_len + 1;
    n -= name_len + 1;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
        s++, n -= 2;
    *value = s;
    *len = n;
    return true;
}

int gate_cmdline_parse_default_grub(gate_cmdline_set_t *set, const char *file, const char *text,
                                    size_t len, ds_error_t *err)
{
    static const char *const names[] = {"GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"};
    const char *found[2] = {NULL, NULL};
    size_t found_len[2] = {0, 0};
    unsigned found_line[2] = {0, 0};
    gate_text_cursor_t cursor;
    const char *s;
    size_t n;
    gate_text_cursor_init(&cursor, text, len);
    while (gate_text_next_line(&cursor, &s, &n))
        for (size_t k = 0; k < 2; k++)
            if (shell_value(s, n, names[k], &found[k], &found_len[k]))
                found_line[k] = cursor.line;
    if (found[0] == NULL && found[1] == NULL)
        return 0;
    gate_cmdline_entry_t *entry = NULL;
    unsigned line = found_line[1] > found_line[0] ? found_line[1] : found_line[0];
    int rc = add_entry(set, "GRUB_CMDLINE_LINUX GRUB_CMDLINE_LINUX_DEFAULT", "", file, line, &entry, err);
    for (size_t k = 0; rc == 0 && k < 2; k++)
        if (found[k] != NULL)
            rc = gate_cmdline_parse_params(entry, found[k], found_len[k], file, found_line[k], err);
    return rc;
}

void gate_cmdline_set_free(gate_cmdline_set_t *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++) {
        gate_cmdline_entry_t *entry = &set->entries[i];
        for (size_t p = 0; p < entry->count; p++) {
            free(entry->params[p].name);
            free(entry->params[p].value);
        }
        free(entry->params);
        free(entry->title);
        free(entry->kernel);
        free(entry->file);
    }
    free(set->entries);
    for (size_t i = 0; i < set->include_count; i++)
        free(set->includes[i]);
    free(set->includes);
    memset(set, 0, sizeof *set);
}
