/* dpkg's manifests, as deb-control(5) and dpkg-query(1) describe them: a status file is a
 * sequence of stanzas separated by blank lines, each line "Field: value" or a continuation line
 * starting with a space or a tab (Debian Policy 5.1); live-build's filesystem.packages is
 * `dpkg-query -W`'s default output, "${binary:Package}\t${Version}\n"; a .list file is one path a
 * line (dpkg's info database). Read through the source in windows; one line at a time in memory. */
#include "dpkg_manifest.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 65536u

typedef int (*line_fn)(void *ctx, const char *line, size_t len, uint64_t at, ds_error_t *err);

typedef struct reader {
    ds_source_t *src;
    const char *layer;
} reader_t;

static int each_line(const reader_t *r, line_fn fn, void *ctx, ds_error_t *err)
{
    uint64_t size = ds_source_size(r->src);
    if (size > DS_DPKG_FILE_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: %" PRIu64 " bytes, more than the %u a manifest may have",
                            ds_source_label(r->src), r->layer, size, DS_DPKG_FILE_MAX);
    char *window = malloc(WINDOW), *line = malloc(DS_DPKG_LINE_MAX + 1);
    int rc = window && line ? DS_OK : ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", ds_source_label(r->src), r->layer);
    size_t len = 0;
    uint64_t line_at = 0;
    for (uint64_t at = 0; rc == DS_OK && at < size;) {
        size_t got = 0;
        rc = ds_source_read_some(r->src, at, window, WINDOW, &got, err);
        if (rc == DS_OK && got == 0)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: truncated at byte %" PRIu64, ds_source_label(r->src), r->layer, at);
        for (size_t i = 0; rc == DS_OK && i < got; i++) {
            if (window[i] == '\n') {
                line[len] = '\0';
                rc = fn(ctx, line, len, line_at, err);
                len = 0;
                line_at = at + i + 1;
            } else if (len == DS_DPKG_LINE_MAX) {
                rc = ds_error_set(err, DS_ERR_LIMIT, "%s: %s: the line at byte %" PRIu64 " is longer than %u bytes",
                                  ds_source_label(r->src), r->layer, line_at, DS_DPKG_LINE_MAX);
            } else {
                line[len++] = window[i];
            }
        }
        at += got;
    }
    if (rc == DS_OK && len > 0) {
        line[len] = '\0';
        rc = fn(ctx, line, len, line_at, err);
    }
    free(window);
    free(line);
    return rc;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* [*start, *end) of text without blanks on either side. */
static void trim(const char **start, const char **end)
{
    while (*start < *end && blank(**start))
        (*start)++;
    while (*end > *start && blank((*end)[-1]))
        (*end)--;
}

static int add_package(ds_dpkg_manifest_t *m, const reader_t *r, const char *name, size_t name_len,
                       const char *version, size_t version_len, uint64_t at, ds_error_t *err)
{
    const char *colon = memchr(name, ':', name_len);
    if (colon != NULL)
        name_len = (size_t)(colon - name);
    if (name_len == 0 || name_len > DS_DPKG_NAME_MAX || version_len > DS_DPKG_VERSION_MAX)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: the package at byte %" PRIu64
                            " has a name of %zu bytes and a version of %zu (1-%u and at most %u)",
                            ds_source_label(r->src), r->layer, at, name_len, version_len, DS_DPKG_NAME_MAX,
                            DS_DPKG_VERSION_MAX);
    if (m->count == DS_DPKG_PACKAGES_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: more than %u packages (at byte %" PRIu64 ")",
                            ds_source_label(r->src), r->layer, DS_DPKG_PACKAGES_MAX, at);
    if (m->count == m->capacity) {
        size_t capacity = m->capacity ? m->capacity * 2 : 256;
        ds_dpkg_package_t *items = realloc(m->items, capacity * sizeof *items);
        if (items == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", ds_source_label(r->src), r->layer);
        m->items = items;
        m->capacity = capacity;
    }
    ds_dpkg_package_t *p = &m->items[m->count];
    p->name = strndup(name, name_len);
    p->version = strndup(version, version_len);
    if (p->name == NULL || p->version == NULL) {
        free(p->name);
        free(p->version);
        return ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", ds_source_label(r->src), r->layer);
    }
    m->count++;
    return DS_OK;
}

static int package_order(const void *x, const void *y)
{
    const ds_dpkg_package_t *p = x, *q = y;
    int c = strcmp(p->name, q->name);
    return c ? c : strcmp(p->version, q->version);
}

/* Sorted by name; a name seen twice keeps its smaller version. */
static void finish_manifest(ds_dpkg_manifest_t *m)
{
    if (m->count == 0)
        return;
    qsort(m->items, m->count, sizeof *m->items, package_order);
    size_t kept = 1;
    for (size_t i = 1; i < m->count; i++) {
        if (strcmp(m->items[i].name, m->items[kept - 1].name) == 0) {
            free(m->items[i].name);
            free(m->items[i].version);
        } else {
            m->items[kept++] = m->items[i];
        }
    }
    m->count = kept;
}

typedef struct stanza {
    const reader_t *r;
    ds_dpkg_manifest_t *m;
    char name[DS_DPKG_NAME_MAX + 1], version[DS_DPKG_VERSION_MAX + 1];
    size_t name_len, version_len;
    bool has_name, has_version, installed;
    uint64_t at;
} stanza_t;

static int stanza_end(stanza_t *s, ds_error_t *err)
{
    int rc = DS_OK;
    if (s->has_name && s->has_version && s->installed)
        rc = add_package(s->m, s->r, s->name, s->name_len, s->version, s->version_len, s->at, err);
    s->has_name = s->has_version = false;
    s->installed = true;
    return rc;
}

/* Keeps a field's value in buf when it fits; a longer one is an error naming the line. */
static int keep_value(stanza_t *s, char *buf, size_t max, size_t *len, const char *value, const char *end,
                      uint64_t at, ds_error_t *err)
{
    if ((size_t)(end - value) > max)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: the field at byte %" PRIu64 " is longer than %zu bytes",
                            ds_source_label(s->r->src), s->r->layer, at, max);
    *len = (size_t)(end - value);
    memcpy(buf, value, *len);
    buf[*len] = '\0';
    return DS_OK;
}

static int status_line(void *ctx, const char *line, size_t len, uint64_t at, ds_error_t *err)
{
    stanza_t *s = ctx;
    const char *end = line + len, *start = line;
    trim(&start, &end);
    if (start == end)
        return stanza_end(s, err);
    if (blank(line[0]))
        return DS_OK; /* a continuation line (Description, Conffiles) */
    const char *colon = memchr(line, ':', len);
    if (colon == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: the line at byte %" PRIu64 " is not \"Field: value\"",
                            ds_source_label(s->r->src), s->r->layer, at);
    if (!s->has_name && !s->has_version)
        s->at = at;
    const char *value = colon + 1;
    trim(&value, &end);
    size_t field = (size_t)(colon - line);
    if (field == 7 && strncasecmp(line, "Package", 7) == 0) {
        s->has_name = true;
        return keep_value(s, s->name, DS_DPKG_NAME_MAX, &s->name_len, value, end, at, err);
    }
    if (field == 7 && strncasecmp(line, "Version", 7) == 0) {
        s->has_version = true;
        return keep_value(s, s->version, DS_DPKG_VERSION_MAX, &s->version_len, value, end, at, err);
    }
    if (field == 6 && strncasecmp(line, "Status", 6) == 0) {
        const char *word = end;
        while (word > value && !blank(word[-1]))
            word--;
        size_t n = (size_t)(end - word);
        s->installed = !((n == 13 && strncmp(word, "not-installed", 13) == 0) ||
                         (n == 12 && strncmp(word, "config-files", 12) == 0));
    }
    return DS_OK;
}

int ds_dpkg_read_status(ds_source_t *src, const char *layer, ds_dpkg_manifest_t *out, ds_error_t *err)
{
    reader_t r = {src, layer};
    stanza_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", ds_source_label(src), layer);
    *s = (stanza_t){.r = &r, .m = out, .installed = true};
    int rc = each_line(&r, status_line, s, err);
    if (rc == DS_OK)
        rc = stanza_end(s, err);
    free(s);
    finish_manifest(out);
    return rc;
}

typedef struct packages_ctx {
    const reader_t *r;
    ds_dpkg_manifest_t *m;
} packages_ctx_t;

static int packages_line(void *ctx, const char *line, size_t len, uint64_t at, ds_error_t *err)
{
    packages_ctx_t *p = ctx;
    const char *start = line, *end = line + len;
    trim(&start, &end);
    if (start == end)
        return DS_OK;
    const char *name_end = start;
    while (name_end < end && !blank(*name_end))
        name_end++;
    const char *version = name_end, *version_end = end;
    trim(&version, &version_end);
    if (version == version_end)
        return DS_OK; /* dpkg-query -W prints no version for a package it only knows of */
    return add_package(p->m, p->r, start, (size_t)(name_end - start), version, (size_t)(version_end - version), at,
                       err);
}

int ds_dpkg_read_packages(ds_source_t *src, const char *layer, ds_dpkg_manifest_t *out, ds_error_t *err)
{
    reader_t r = {src, layer};
    packages_ctx_t ctx = {&r, out};
    int rc = each_line(&r, packages_line, &ctx, err);
    finish_manifest(out);
    return rc;
}

typedef struct list_ctx {
    const reader_t *r;
    ds_dpkg_paths_t *p;
} list_ctx_t;

static int list_line(void *ctx, const char *line, size_t len, uint64_t at, ds_error_t *err)
{
    list_ctx_t *l = ctx;
    if (len == 0 || strcmp(line, "/.") == 0)
        return DS_OK;
    if (line[0] != '/')
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: the line at byte %" PRIu64 " is not an absolute path",
                            ds_source_label(l->r->src), l->r->layer, at);
    if (l->p->count == DS_DPKG_PATHS_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: more than %u paths (at byte %" PRIu64 ")",
                            ds_source_label(l->r->src), l->r->layer, DS_DPKG_PATHS_MAX, at);
    if (l->p->count == l->p->capacity) {
        size_t capacity = l->p->capacity ? l->p->capacity * 2 : 64;
        char **items = realloc(l->p->items, capacity * sizeof *items);
        if (items == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", ds_source_label(l->r->src), l->r->layer);
        l->p->items = items;
        l->p->capacity = capacity;
    }
    if ((l->p->items[l->p->count] = strndup(line, len)) == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", ds_source_label(l->r->src), l->r->layer);
    l->p->count++;
    return DS_OK;
}

int ds_dpkg_read_list(ds_source_t *src, const char *layer, ds_dpkg_paths_t *out, ds_error_t *err)
{
    reader_t r = {src, layer};
    list_ctx_t ctx = {&r, out};
    return each_line(&r, list_line, &ctx, err);
}

static int name_key_order(const void *key, const void *item)
{
    return strcmp(key, ((const ds_dpkg_package_t *)item)->name);
}

const char *ds_dpkg_version(const ds_dpkg_manifest_t *m, const char *name)
{
    char key[DS_DPKG_NAME_MAX + 1];
    size_t n = strcspn(name, ":");
    if (n > DS_DPKG_NAME_MAX || m->count == 0)
        return NULL;
    memcpy(key, name, n);
    key[n] = '\0';
    const ds_dpkg_package_t *p = bsearch(key, m->items, m->count, sizeof *m->items, name_key_order);
    return p ? p->version : NULL;
}

void ds_dpkg_manifest_free(ds_dpkg_manifest_t *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->items[i].name);
        free(m->items[i].version);
    }
    free(m->items);
    *m = (ds_dpkg_manifest_t){0};
}

void ds_dpkg_paths_free(ds_dpkg_paths_t *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->items[i]);
    free(p->items);
    *p = (ds_dpkg_paths_t){0};
}
