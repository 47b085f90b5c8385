/* Package drift, read from the images for the report stage: the dpkg status of every squashfs
 * pair whose status differs (and the .list files of the packages that changed, only those), and
 * the ISO's live/filesystem.packages when it differs; explain/packages.c turns what changed into
 * root differences and their consequences. Nothing is read when neither manifest differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/packages.h"
#include "../readers/squashfs.h"
#include "run.h"

#define DS_PACKAGES_STATUS "/var/lib/dpkg/status"
#define DS_PACKAGES_ISO_LIST "/live/filesystem.packages"

/* True when a difference lies at [outer, inner] (outer NULL: at [inner]) or below it. */
static bool differs_at(const ds_findings_t *findings, const char *outer, const char *inner)
{
    size_t at = outer != NULL;
    for (size_t i = 0; i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (d->depth > at && strcmp(d->location[at], inner) == 0 && (outer == NULL || strcmp(d->location[0], outer) == 0))
            return true;
    }
    return false;
}

static int entry_order(const void *key, const void *item)
{
    return strcmp(key, ((const ds_entry_t *)item)->path);
}

static const ds_entry_t *tree_find(const ds_tree_t *tree, const char *path)
{
    return tree->count ? bsearch(path, tree->entries, tree->count, sizeof *tree->entries, entry_order) : NULL;
}

typedef struct file_reader {
    ds_squashfs_data_t *data;
    const ds_entry_t *entry;
} file_reader_t;

static int squashfs_file_read(void *opaque, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    file_reader_t *f = opaque;
    return ds_squashfs_data_read(f->data, f->entry, offset, buf, len, got, err);
}

typedef enum { READ_STATUS, READ_LIST } read_what_t;

/* Reads one regular file of side s of c as a status file or a .list file. */
static int read_squashfs_file(ds_run_t *run, ds_container_t *c, int s, const ds_entry_t *e, read_what_t what,
                              void *out, ds_error_t *err)
{
    if (e->type != DS_ENTRY_FILE)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: squashfs %s: %s is not a regular file", run->side[s].label,
                            c->path ? c->path : "", e->path);
    char layer[600];
    snprintf(layer, sizeof layer, "%s in squashfs %s", e->path, c->path ? c->path : "(the input)");
    ds_squashfs_data_t *data = NULL;
    ds_source_t *src = NULL;
    int rc = ds_squashfs_data_open(c->squashfs[s], &data, err);
    file_reader_t f = {data, e};
    if (rc == DS_OK)
        rc = ds_source_open_callback(&src, squashfs_file_read, &f, e->size, run->side[s].label, err);
    if (rc == DS_OK)
        rc = what == READ_STATUS ? ds_dpkg_read_status(src, layer, out, err) : ds_dpkg_read_list(src, layer, out, err);
    ds_source_close(src);
    ds_squashfs_data_close(data);
    return rc;
}

/* The .list file of package name on side s: <name>.list, else <name>:<arch>.list; 1 and *e
 * (cleared by the caller), 0 when there is none, or an error. */
static int find_list(ds_container_t *c, int s, const char *name, ds_entry_t *e, ds_error_t *err)
{
    char path[DS_DPKG_NAME_MAX + 64];
    snprintf(path, sizeof path, "/var/lib/dpkg/info/%s.list", name);
    int rc = ds_squashfs_lookup(c->squashfs[s], path, e, err);
    if (rc != 0)
        return rc;
    snprintf(path, sizeof path, "%s:", name);
    return ds_squashfs_find_in_dir(c->squashfs[s], "/var/lib/dpkg/info", path, ".list", e, err);
}

/* True when path is a directory on side s and present on the other side too. */
static bool shared_directory(ds_container_t *c, int s, const char *path)
{
    ds_entry_t e[2];
    bool shared = ds_squashfs_lookup(c->squashfs[s], path, &e[0], NULL) == 1 && e[0].type == DS_ENTRY_DIR;
    ds_entry_clear(&e[0]);
    if (shared) {
        shared = ds_squashfs_lookup(c->squashfs[1 - s], path, &e[1], NULL) == 1;
        ds_entry_clear(&e[1]);
    }
    return shared;
}

/* Adds the paths the changed packages own on side s to drift->owned: files, and directories
 * the other side lacks (they came or went with the package; a directory both sides have is
 * shared with other packages, its own differences are not the package's). */
static int read_owned(ds_run_t *run, ds_container_t *c, int s, ds_package_drift_t *drift, ds_error_t *err)
{
    for (size_t i = 0; i < drift->count; i++) {
        ds_entry_t list;
        int rc = find_list(c, s, drift->changes[i].name, &list, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        ds_dpkg_paths_t paths = {0};
        rc = read_squashfs_file(run, c, s, &list, READ_LIST, &paths, err);
        ds_entry_clear(&list);
        for (size_t k = 0; rc == DS_OK && k < paths.count; k++) {
            if (shared_directory(c, s, paths.items[k]))
                continue;
            if (drift->owned.count == DS_DPKG_PATHS_MAX) {
                rc = ds_error_set(err, DS_ERR_LIMIT, "%s: more than %u files owned by the changed packages",
                                  run->side[s].label, DS_DPKG_PATHS_MAX);
                break;
            }
            if (drift->owned.count == drift->owned.capacity) {
                size_t capacity = drift->owned.capacity ? drift->owned.capacity * 2 : 64;
                char **items = realloc(drift->owned.items, capacity * sizeof *items);
                if (items == NULL) {
                    rc = ds_error_set(err, DS_ERR_NOMEM, "%s: the files of package %s: out of memory",
                                      run->side[s].label, drift->changes[i].name);
                    break;
                }
                drift->owned.items = items;
                drift->owned.capacity = capacity;
            }
            drift->owned.items[drift->owned.count++] = paths.items[k];
            paths.items[k] = NULL;
        }
        ds_dpkg_paths_free(&paths);
        if (rc != DS_OK)
            return rc;
    }
    return DS_OK;
}

/* The first squashfs pair whose dpkg status differs: both statuses compared, then the changed
 * packages' files read. */
static int drift_in_squashfs(ds_run_t *run, ds_package_drift_t *drift, ds_error_t *err)
{
    for (size_t i = 0; i < run->container_count; i++) {
        ds_container_t *c = &run->containers[i];
        if (!c->squashfs[0] || !c->squashfs[1] || !differs_at(&run->findings, c->path, DS_PACKAGES_STATUS))
            continue;
        ds_entry_t e[2];
        int found[2];
        for (int s = 0; s < 2; s++)
            found[s] = ds_squashfs_lookup(c->squashfs[s], DS_PACKAGES_STATUS, &e[s], NULL);
        ds_dpkg_manifest_t m[2] = {{0}, {0}};
        int rc = DS_OK;
        for (int s = 0; s < 2 && rc == DS_OK && found[0] == 1 && found[1] == 1; s++)
            rc = read_squashfs_file(run, c, s, &e[s], READ_STATUS, &m[s], err);
        ds_entry_clear(&e[0]);
        ds_entry_clear(&e[1]);
        if (found[0] != 1 || found[1] != 1)
            continue;
        if (rc == DS_OK)
            rc = ds_package_drift_compare(drift, &m[0], &m[1], "dpkg status");
        ds_dpkg_manifest_free(&m[0]);
        ds_dpkg_manifest_free(&m[1]);
        drift->in_container = true;
        drift->container = c->path;
        for (int s = 0; s < 2 && rc == DS_OK; s++)
            rc = read_owned(run, c, s, drift, err);
        return rc;
    }
    return DS_OK;
}

static int iso_extents_read(void *opaque, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    const ds_entry_t *e = ((const ds_entry_t *const *)opaque)[0];
    ds_source_t *src = ((ds_source_t *const *)opaque)[1];
    *got = 0;
    for (size_t i = 0; i < e->extent_count; i++) {
        if (offset >= e->extents[i].length) {
            offset -= e->extents[i].length;
            continue;
        }
        uint64_t left = e->extents[i].length - offset;
        return ds_source_read_some(src, e->extents[i].offset + offset, buf, len < left ? len : (size_t)left, got, err);
    }
    return DS_OK;
}

/* live/filesystem.packages of both ISOs, when it differs. */
static int drift_in_iso(ds_run_t *run, ds_package_drift_t *drift, ds_error_t *err)
{
    if (!differs_at(&run->findings, NULL, DS_PACKAGES_ISO_LIST))
        return DS_OK;
    ds_tree_t tree[2] = {{0}, {0}};
    ds_dpkg_manifest_t m[2] = {{0}, {0}};
    int rc = DS_OK;
    for (int s = 0; s < 2 && rc == DS_OK; s++) {
        ds_source_t *side = run->side[s].source, *src = NULL;
        if (side == NULL || ds_iso9660_reader.probe(side) <= 0)
            rc = DS_ERR_USAGE; /* not an ISO: nothing to read */
        if (rc == DS_OK)
            rc = ds_tree_load(&tree[s], &ds_iso9660_reader, side, &run->deadline, err);
        const ds_entry_t *e = rc == DS_OK ? tree_find(&tree[s], DS_PACKAGES_ISO_LIST) : NULL;
        if (rc == DS_OK && (e == NULL || e->type != DS_ENTRY_FILE))
            rc = DS_ERR_USAGE;
        const void *ctx[2] = {e, side};
        if (rc == DS_OK)
            rc = ds_source_open_callback(&src, iso_extents_read, ctx, e->size, run->side[s].label, err);
        if (rc == DS_OK)
            rc = ds_dpkg_read_packages(src, "iso9660 " DS_PACKAGES_ISO_LIST, &m[s], err);
        ds_source_close(src);
    }
    if (rc == DS_OK)
        rc = ds_package_drift_compare(drift, &m[0], &m[1], "live/filesystem.packages");
    for (int s = 0; s < 2; s++) {
        ds_dpkg_manifest_free(&m[s]);
        ds_tree_free(&tree[s]);
    }
    return rc == DS_ERR_USAGE ? DS_OK : rc;
}

void ds_stage_packages_run(ds_run_t *run, ds_stage_result_t *result)
{
    ds_package_drift_t drift = {0};
    ds_error_t err = {0};
    int rc = drift_in_squashfs(run, &drift, &err);
    if (rc == DS_OK)
        rc = drift_in_iso(run, &drift, &err);
    if (rc == DS_ERR_LIMIT && err.message[0] == '\0')
        ds_run_limit(run, "package drift: more than %u changed packages named", DS_PACKAGE_CHANGES_MAX);
    else if (rc != DS_OK)
        ds_stage_fail(result, rc, "package manifests: %s", err.message[0] ? err.message : ds_error_name(rc));
    ds_package_drift_attribute(&run->findings, &drift);
    ds_package_drift_free(&drift);
}
