/* The signature dispatcher: which rule of which family applies to a pair at a path. */
#include "signatures.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures_internal.h"

typedef const ds_signature_t *(*table_fn)(size_t *count);

static const table_fn tables[] = {ds_signatures_caches, ds_signatures_files, ds_signatures_image};

/* "etc/x", "./etc/x" and "/etc/x" name the same file: tar and cpio members carry no slash. */
static void normalise(const char *path, char *out, size_t size)
{
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    snprintf(out, size, "%s%s", path[0] == '/' ? "" : "/", path);
}

bool ds_patterns_match(const char *patterns, const char *path)
{
    char one[256];
    for (const char *p = patterns; *p != '\0';) {
        size_t n = strcspn(p, "|");
        if (n < sizeof one) {
            memcpy(one, p, n);
            one[n] = '\0';
            if (fnmatch(one, path, 0) == 0)
                return true;
        }
        p += n + (p[n] == '|');
    }
    return false;
}

typedef bool (*want_fn)(const ds_signature_t *rule);

static bool path_matches(const char *patterns, const char *path)
{
    return patterns == NULL || ds_patterns_match(patterns, path);
}

/* The nearest signature of a path is a row's own: a rule for any path (random UUIDs) is near to
 * every file and says nothing about this one. */
static bool has_check(const ds_signature_t *rule) { return rule->check != NULL && rule->paths != NULL; }
static bool no_check(const ds_signature_t *rule) { return rule->check == NULL; }

static const ds_signature_t *first(const char *path, want_fn want)
{
    char norm[4096];
    normalise(path, norm, sizeof norm);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        size_t count = 0;
        const ds_signature_t *rules = tables[t](&count);
        for (size_t i = 0; i < count; i++)
            if (want(&rules[i]) && path_matches(rules[i].paths, norm))
                return &rules[i];
    }
    return NULL;
}

const ds_signature_t *ds_signature_by_path(const char *path) { return first(path, no_check); }

const ds_signature_t *ds_signature_near(const char *path) { return first(path, has_check); }

const ds_signature_t *ds_signature_match(ds_source_t *a, ds_source_t *b, const char *path, char *detail,
                                         size_t size, const ds_signature_t **near)
{
    char norm[4096];
    normalise(path, norm, sizeof norm);
    if (near != NULL)
        *near = NULL;
    /* The rows' own paths first, in every family; then the rules for any path. */
    for (int any = 0; any < 2; any++)
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
            size_t count = 0;
            const ds_signature_t *rules = tables[t](&count);
            for (size_t i = 0; i < count; i++) {
                const ds_signature_t *rule = &rules[i];
                if (rule->check == NULL || (rule->paths == NULL) != any || !path_matches(rule->paths, norm))
                    continue;
                detail[0] = '\0';
                if (rule->check(a, b, detail, size))
                    return rule;
                if (near != NULL && *near == NULL && rule->paths != NULL)
                    *near = rule;
            }
        }
    return NULL;
}

const ds_signature_t *ds_signature_at(size_t index)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        size_t count = 0;
        const ds_signature_t *rules = tables[t](&count);
        if (index < count)
            return &rules[index];
        index -= count;
    }
    return NULL;
}

unsigned char *ds_signature_load(ds_source_t *src, size_t max, size_t *len)
{
    uint64_t size = ds_source_size(src);
    if (max > DS_SIGNATURE_READ_MAX)
        max = DS_SIGNATURE_READ_MAX;
    if (size > max)
        return NULL;
    unsigned char *buf = malloc((size_t)size + 1);
    ds_error_t err = {0};
    if (buf == NULL || (size > 0 && ds_source_read(src, 0, buf, (size_t)size, "signature", &err) != DS_OK)) {
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

bool ds_pair_load(ds_source_t *a, ds_source_t *b, size_t max, ds_pair_t *p)
{
    memset(p, 0, sizeof *p);
    p->a = ds_signature_load(a, max, &p->na);
    p->b = p->a != NULL ? ds_signature_load(b, max, &p->nb) : NULL;
    if (p->b == NULL) {
        ds_pair_free(p);
        return false;
    }
    return true;
}

void ds_pair_free(ds_pair_t *p)
{
    free(p->a);
    free(p->b);
    memset(p, 0, sizeof *p);
}
