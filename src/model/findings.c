#include "findings.h"

#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"

static void difference_clear(ds_difference_t *d)
{
    for (size_t i = 0; i < d->depth; i++)
        free(d->location[i]);
    free(d->a);
    free(d->b);
    free(d->detail);
    free(d->cause);
    free(d->fix);
    free(d->accepted);
    free(d->excerpt);
    free(d->hint);
    for (size_t i = 0; i < d->follows_depth; i++)
        free(d->follows[i]);
    memset(d, 0, sizeof *d);
}

ds_difference_t *ds_findings_add(ds_findings_t *findings, const char *stage, ds_kind_t kind,
                                 const char *const *location, size_t depth, const char *a,
                                 const char *b, const char *detail)
{
    if (depth == 0 || depth > DS_LOCATION_MAX ||
        (findings->max > 0 && findings->count >= findings->max)) {
        findings->dropped++;
        return NULL;
    }
    if (findings->count == findings->capacity) {
        size_t capacity = findings->capacity ? findings->capacity * 2 : 64;
        ds_difference_t *items = realloc(findings->items, capacity * sizeof *items);
        if (items == NULL) {
            findings->dropped++;
            return NULL;
        }
        findings->items = items;
        findings->capacity = capacity;
    }
    ds_difference_t *d = &findings->items[findings->count];
    memset(d, 0, sizeof *d);
    d->stage = stage;
    d->kind = kind;
    d->depth = depth;
    bool ok = true;
    for (size_t i = 0; i < depth; i++)
        ok &= (d->location[i] = strdup(location[i])) != NULL;
    d->a = ds_strdup(a);
    d->b = ds_strdup(b);
    d->detail = ds_strdup(detail);
    d->cause = strdup("unknown");
    ok &= (a == NULL || d->a) && (b == NULL || d->b) && (detail == NULL || d->detail) && d->cause;
    if (!ok) {
        difference_clear(d);
        findings->dropped++;
        return NULL;
    }
    findings->count++;
    return d;
}

void ds_difference_explain(ds_difference_t *d, const char *cause, const char *confidence,
                           const char *fix, bool secondary)
{
    char *copy = strdup(cause);
    if (copy != NULL) {
        free(d->cause);
        d->cause = copy;
    }
    d->confidence = confidence;
    free(d->fix);
    d->fix = ds_strdup(fix);
    d->secondary = secondary;
}

bool ds_difference_follows(ds_difference_t *d, const char *const *location, size_t depth)
{
    char *copy[DS_LOCATION_MAX];
    if (depth == 0 || depth > DS_LOCATION_MAX)
        return false;
    for (size_t i = 0; i < depth; i++)
        if ((copy[i] = strdup(location[i])) == NULL) {
            while (i > 0)
                free(copy[--i]);
            return false;
        }
    for (size_t i = 0; i < d->follows_depth; i++)
        free(d->follows[i]);
    memcpy(d->follows, copy, depth * sizeof copy[0]);
    d->follows_depth = depth;
    d->secondary = true;
    return true;
}

void ds_difference_unfollow(ds_difference_t *d)
{
    for (size_t i = 0; i < d->follows_depth; i++) {
        free(d->follows[i]);
        d->follows[i] = NULL;
    }
    d->follows_depth = 0;
}

size_t ds_findings_remove_if(ds_findings_t *findings, bool (*drop)(const ds_difference_t *d, void *ctx),
                             void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < findings->count; i++) {
        ds_difference_t *d = &findings->items[i];
        if (drop(d, ctx)) {
            difference_clear(d);
            continue;
        }
        if (kept != i)
            findings->items[kept] = *d;
        kept++;
    }
    size_t removed = findings->count - kept;
    findings->count = kept;
    return removed;
}

size_t ds_findings_total(const ds_findings_t *findings)
{
    return findings->count + findings->dropped;
}

void ds_findings_free(ds_findings_t *findings)
{
    for (size_t i = 0; i < findings->count; i++)
        difference_clear(&findings->items[i]);
    free(findings->items);
    memset(findings, 0, sizeof *findings);
}

const char *ds_kind_name(ds_kind_t kind)
{
    static const char *const names[] = {"added", "removed", "type",  "content", "size",
                                        "mode",  "owner",   "mtime", "link",    "xattr",
                                        "header", "order"};
    return (size_t)kind < sizeof names / sizeof names[0] ? names[kind] : "content";
}
