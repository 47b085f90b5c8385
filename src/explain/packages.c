/* Package drift as a root cause (see packages.h). The files a package owns come from its dpkg
 * info .list file (dpkg's database, as dpkg-query -L prints it); a difference in one of them, in
 * /var/lib/dpkg/info/<package>.* (list, md5sums, maintainer scripts), in /var/lib/dpkg/status
 * (and its -old copy) or in the ISO's live/filesystem.packages follows from the new version. */
#include "packages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "causes.h"

#define DS_PACKAGES_ISO_LIST "/live/filesystem.packages"
#define DS_PACKAGES_INFO_DIR "/var/lib/dpkg/info/"

static int add_change(ds_package_drift_t *drift, const char *name, const char *a, const char *b, const char *seen)
{
    for (size_t i = 0; i < drift->count; i++)
        if (strcmp(drift->changes[i].name, name) == 0)
            return DS_OK;
    if (drift->count == DS_PACKAGE_CHANGES_MAX)
        return DS_ERR_LIMIT;
    if (drift->count == drift->capacity) {
        size_t capacity = drift->capacity ? drift->capacity * 2 : 16;
        ds_package_change_t *changes = realloc(drift->changes, capacity * sizeof *changes);
        if (changes == NULL)
            return DS_ERR_NOMEM;
        drift->changes = changes;
        drift->capacity = capacity;
    }
    ds_package_change_t *c = &drift->changes[drift->count];
    *c = (ds_package_change_t){strdup(name), a ? strdup(a) : NULL, b ? strdup(b) : NULL, seen};
    if (c->name == NULL || (a && c->a == NULL) || (b && c->b == NULL)) {
        free(c->name);
        free(c->a);
        free(c->b);
        return DS_ERR_NOMEM;
    }
    drift->count++;
    return DS_OK;
}

int ds_package_drift_compare(ds_package_drift_t *drift, const ds_dpkg_manifest_t *a,
                             const ds_dpkg_manifest_t *b, const char *seen)
{
    size_t i = 0, k = 0;
    int rc = DS_OK;
    while (rc == DS_OK && (i < a->count || k < b->count)) {
        int order = i == a->count ? 1 : k == b->count ? -1 : strcmp(a->items[i].name, b->items[k].name);
        if (order < 0) {
            rc = add_change(drift, a->items[i].name, a->items[i].version, NULL, seen);
            i++;
        } else if (order > 0) {
            rc = add_change(drift, b->items[k].name, NULL, b->items[k].version, seen);
            k++;
        } else {
            if (strcmp(a->items[i].version, b->items[k].version) != 0)
                rc = add_change(drift, a->items[i].name, a->items[i].version, b->items[k].version, seen);
            i++;
            k++;
        }
    }
    return rc;
}

static int path_order(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* /var/lib/dpkg/info/<name>.<anything> or <name>:<arch>.<anything> of a changed package. */
static bool info_file_of_change(const ds_package_drift_t *drift, const char *path)
{
    size_t dir = strlen(DS_PACKAGES_INFO_DIR);
    if (strncmp(path, DS_PACKAGES_INFO_DIR, dir) != 0)
        return false;
    for (size_t i = 0; i < drift->count; i++) {
        size_t n = strlen(drift->changes[i].name);
        if (strncmp(path + dir, drift->changes[i].name, n) == 0 && (path[dir + n] == '.' || path[dir + n] == ':'))
            return true;
    }
    return false;
}

/* The path inside the root file system a difference lies at, or NULL when it lies elsewhere. */
static const char *inner_path(const ds_package_drift_t *drift, const ds_difference_t *d)
{
    if (!drift->in_container)
        return NULL;
    if (drift->container == NULL)
        return d->location[0];
    return d->depth >= 2 && strcmp(d->location[0], drift->container) == 0 ? d->location[1] : NULL;
}

static bool follows_from_drift(const ds_package_drift_t *drift, const ds_difference_t *d)
{
    if (strcmp(d->location[0], DS_PACKAGES_ISO_LIST) == 0)
        return true;
    const char *inner = inner_path(drift, d);
    if (inner == NULL || inner[0] != '/')
        return false;
    if (strcmp(inner, "/var/lib/dpkg/status") == 0 || strcmp(inner, "/var/lib/dpkg/status-old") == 0 ||
        info_file_of_change(drift, inner))
        return true;
    return drift->owned.count > 0 &&
           bsearch(&inner, drift->owned.items, drift->owned.count, sizeof *drift->owned.items, path_order) != NULL;
}

static void add_root(ds_findings_t *findings, const ds_package_change_t *c, size_t consequences)
{
    ds_strbuf_t name = {0}, detail = {0};
    ds_strbuf_printf(&name, "/%s", c->name);
    ds_strbuf_printf(&detail, "package %s: %s -> %s (%s); %zu difference%s in its files and the package "
                              "manifests follow",
                     c->name, c->a ? c->a : "not installed", c->b ? c->b : "not installed", c->seen,
                     consequences, consequences == 1 ? "" : "s");
    const char *location[2] = {"@packages", ds_strbuf_text(&name)};
    ds_kind_t kind = c->a == NULL ? DS_KIND_ADDED : c->b == NULL ? DS_KIND_REMOVED : DS_KIND_HEADER;
    ds_difference_t *d = ds_findings_add(findings, "content", kind, location, 2, c->a, c->b, ds_strbuf_text(&detail));
    if (d != NULL) {
        const ds_cause_t *cause = ds_cause_find(ds_cause_name(DS_CAUSE_PACKAGE_VERSION));
        ds_difference_explain(d, cause->id, "certain", cause->fix, false);
    }
    ds_strbuf_free(&name);
    ds_strbuf_free(&detail);
}

void ds_package_drift_attribute(ds_findings_t *findings, ds_package_drift_t *drift)
{
    if (drift->count == 0)
        return;
    if (drift->owned.count > 0)
        qsort(drift->owned.items, drift->owned.count, sizeof *drift->owned.items, path_order);
    const ds_cause_t *cause = ds_cause_find(ds_cause_name(DS_CAUSE_PACKAGE_VERSION));
    size_t consequences = 0;
    /* One changed package: its files follow its root (the package is the more specific root
     * than a build date the same differences may carry). Several: the owned paths are merged,
     * so which one is not known; they name none. */
    ds_strbuf_t name = {0};
    ds_strbuf_printf(&name, "/%s", drift->changes[0].name);
    const char *root[2] = {"@packages", ds_strbuf_text(&name)};
    for (size_t i = 0; i < findings->count; i++) {
        ds_difference_t *d = &findings->items[i];
        if (follows_from_drift(drift, d)) {
            ds_difference_explain(d, cause->id, "likely", cause->fix, true);
            if (drift->count == 1)
                ds_difference_follows(d, root, 2);
            else
                ds_difference_unfollow(d);
            consequences++;
        }
    }
    ds_strbuf_free(&name);
    /* The consequences are counted for all changes together: a file may belong to several. */
    for (size_t i = 0; i < drift->count; i++)
        add_root(findings, &drift->changes[i], consequences);
}

void ds_package_drift_free(ds_package_drift_t *drift)
{
    for (size_t i = 0; i < drift->count; i++) {
        free(drift->changes[i].name);
        free(drift->changes[i].a);
        free(drift->changes[i].b);
    }
    free(drift->changes);
    ds_dpkg_paths_free(&drift->owned);
    *drift = (ds_package_drift_t){0};
}
