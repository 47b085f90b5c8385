/* Checksum lists (checksum_list.h). The line format is coreutils md5sum(1)/sha256sum(1)'s
 * (coreutils manual, "md5sum invocation"): the hex digest, a space, a space or '*' (binary
 * mode), the name; a name with a backslash or newline is written escaped, the line then
 * starting with a backslash. live-build's binary_checksums lists "./path" names. */
#include "checksum_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "signatures.h"

#define MARK "checksum lines differ for "
#define CUT "(list cut)"

typedef struct entry {
    const char *hash, *name; /* into the loaded text */
} entry_t;

static bool hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* One line, cut in place into digest and name. */
static bool parse_line(char *line, entry_t *e)
{
    line += line[0] == '\\';
    size_t h = 0;
    while (hex_digit(line[h]))
        h++;
    if ((h != 32 && h != 40 && h != 56 && h != 64 && h != 96 && h != 128) || line[h] != ' ' ||
        (line[h + 1] != ' ' && line[h + 1] != '*') || line[h + 2] == '\0')
        return false;
    line[h] = '\0';
    e->hash = line;
    e->name = line + h + 2;
    return true;
}

static int entry_order(const void *x, const void *y)
{
    const entry_t *p = x, *q = y;
    int c = strcmp(p->name, q->name);
    return c != 0 ? c : strcmp(p->hash, q->hash);
}

/* The entries of a list, sorted by name; false when a line is not a checksum line. */
static bool parse_list(char *text, size_t len, entry_t **out, size_t *count)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    *out = NULL;
    *count = 0;
    if (lines > DS_CHECKSUM_LIST_LINES_MAX || memchr(text, '\0', len) != NULL)
        return false;
    entry_t *entries = calloc(lines, sizeof *entries);
    bool ok = entries != NULL;
    for (char *line = text; ok && line < text + len;) {
        char *end = memchr(line, '\n', (size_t)(text + len - line));
        if (end == NULL)
            end = text + len;
        *end = '\0';
        if (end > line && end[-1] == '\r')
            end[-1] = '\0';
        if (line[0] != '\0')
            ok = *count < lines && parse_line(line, &entries[(*count)++]);
        line = end + 1;
    }
    if (!ok || *count == 0) {
        free(entries);
        *count = 0;
        return false;
    }
    qsort(entries, *count, sizeof *entries, entry_order);
    *out = entries;
    return true;
}

static void append_name(char *detail, size_t size, const char *name, size_t *shown, bool *cut)
{
    size_t n = strlen(detail), need = strlen(name) + 2;
    if (*cut)
        return;
    if (n + need + sizeof ", ... " CUT >= size || strstr(name, ", ") != NULL) {
        snprintf(detail + n, size - n, "%s... " CUT, *shown ? ", " : "");
        *cut = true;
        return;
    }
    snprintf(detail + n, size - n, "%s%s", *shown ? ", " : "", name);
    (*shown)++;
}

/* Walks the two sorted lists together and names each file whose line differs. */
static size_t differing_names(const entry_t *ea, size_t na, const entry_t *eb, size_t nb, char *detail, size_t size)
{
    size_t i = 0, j = 0, differing = 0, shown = 0;
    bool cut = false;
    char names[240] = ""; /* the walk puts its own words before the detail: leave room */
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(ea[i].name, eb[j].name);
        const char *name = c <= 0 ? ea[i].name : eb[j].name;
        bool same = c == 0 && strcmp(ea[i].hash, eb[j].hash) == 0;
        i += c <= 0;
        j += c >= 0;
        if (same)
            continue;
        differing++;
        append_name(names, sizeof names < size ? sizeof names : size, name, &shown, &cut);
    }
    snprintf(detail, size, MARK "%zu files: %s", differing, names);
    return differing;
}

bool ds_checksum_list_check(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    size_t la = 0, lb = 0, na = 0, nb = 0;
    char *ta = (char *)ds_signature_load(a, DS_SIGNATURE_READ_MAX, &la);
    char *tb = (char *)ds_signature_load(b, DS_SIGNATURE_READ_MAX, &lb);
    entry_t *ea = NULL, *eb = NULL;
    bool lists = ta != NULL && tb != NULL && parse_list(ta, la, &ea, &na) && parse_list(tb, lb, &eb, &nb);
    bool differ = lists && differing_names(ea, na, eb, nb, detail, size) > 0;
    if (!differ && size > 0)
        detail[0] = '\0';
    free(ea);
    free(eb);
    free(ta);
    free(tb);
    return differ;
}

/* The difference in the bytes of the file named, in the list's directory; NULL when none. */
static const ds_difference_t *listed_file(const ds_findings_t *f, const ds_difference_t *list, const char *name)
{
    const char *self = list->location[list->depth - 1], *slash = strrchr(self, '/');
    size_t dir = slash != NULL ? (size_t)(slash - self) : 0;
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    name += name[0] == '/';
    for (size_t i = 0; i < f->count; i++) {
        const ds_difference_t *d = &f->items[i];
        const char *at = d->location[d->depth - 1];
        bool kind = d->kind == DS_KIND_CONTENT || d->kind == DS_KIND_SIZE || d->kind == DS_KIND_TYPE ||
                    d->kind == DS_KIND_ADDED || d->kind == DS_KIND_REMOVED;
        bool same = kind && d != list && d->depth == list->depth && strncmp(at, self, dir) == 0 && at[dir] == '/' &&
                    strcmp(at + dir + 1, name) == 0;
        for (size_t k = 0; same && k + 1 < d->depth; k++)
            same = strcmp(d->location[k], list->location[k]) == 0;
        if (same)
            return d;
    }
    return NULL;
}

/* Whether every name in the list's detail differs; *first receives the first one's. The count
 * written before the names must be the number of names read: a detail cut short is no list. */
static bool all_listed_differ(const ds_findings_t *f, const ds_difference_t *list, const ds_difference_t **first)
{
    const char *mark = list->detail != NULL ? strstr(list->detail, MARK) : NULL;
    const char *names = mark != NULL ? strstr(mark, ": ") : NULL;
    char *end = NULL;
    unsigned long want = mark != NULL ? strtoul(mark + strlen(MARK), &end, 10) : 0, read = 0;
    if (names == NULL || end == NULL || strncmp(end, " files: ", 8) != 0 || strstr(names, CUT) != NULL)
        return false;
    char *copy = strdup(names + 2);
    bool all = copy != NULL && copy[0] != '\0';
    *first = NULL;
    for (char *name = copy; all && name != NULL; read++) {
        char *next = strstr(name, ", ");
        if (next != NULL)
            *next = '\0';
        const ds_difference_t *d = listed_file(f, list, name);
        all = d != NULL;
        if (*first == NULL)
            *first = d;
        name = next != NULL ? next + 2 : NULL;
    }
    free(copy);
    return all && read == want && *first != NULL;
}

void ds_checksum_list_explain(ds_findings_t *findings)
{
    for (size_t i = 0; i < findings->count; i++) {
        ds_difference_t *list = &findings->items[i];
        const ds_difference_t *first = NULL;
        if (list->kind != DS_KIND_CONTENT || strcmp(list->cause, ds_cause_name(DS_CAUSE_CHECKSUM_LIST)) != 0 ||
            !all_listed_differ(findings, list, &first))
            continue;
        ds_difference_follows(list, (const char *const *)first->location, first->depth);
    }
}
