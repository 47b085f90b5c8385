/* Package drift: the packages whose versions differ between the two images' manifests (dpkg
 * status inside the root file system, live-build's filesystem.packages on the ISO) are the root
 * cause of the differences in the files they own. The stage that reads the images
 * (stages/packages.c) fills a ds_package_drift_t; this module compares manifests and rewrites
 * the findings: one root difference a changed package, at ["@packages", "/<name>"] with both
 * versions (cause package-version), and every difference in its files, its dpkg info files, the
 * status file and filesystem.packages made its consequence (secondary). */
#ifndef DS_PACKAGES_H
#define DS_PACKAGES_H

#include <stdbool.h>

#include "../decode/dpkg_manifest.h"
#include "../model/findings.h"

#define DS_PACKAGE_CHANGES_MAX 10000u /* changed packages named one by one */

typedef struct ds_package_change {
    char *name;    /* owned */
    char *a, *b;   /* owned versions; NULL where that side does not have the package */
    const char *seen; /* static: which manifests say so ("dpkg status", ...) */
} ds_package_change_t;

typedef struct ds_package_drift {
    ds_package_change_t *changes; /* owned, in name order per manifest compared */
    size_t count, capacity;
    bool in_container;            /* owned paths lie in a squashfs found at container */
    const char *container;        /* its location element; NULL: the inputs themselves */
    ds_dpkg_paths_t owned;        /* the paths the changed packages own: files, and the
                                   * directories only one side has */
} ds_package_drift_t;

/* Adds a change for every package whose version differs between a and b (or that only one has),
 * unless the drift already names it. seen names the manifest. Returns DS_OK or DS_ERR_NOMEM or
 * DS_ERR_LIMIT (past DS_PACKAGE_CHANGES_MAX; the changes so far are kept). */
int ds_package_drift_compare(ds_package_drift_t *drift, const ds_dpkg_manifest_t *a,
                             const ds_dpkg_manifest_t *b, const char *seen);

/* Marks the owned differences secondary (cause package-version), then adds one root difference
 * for each change. Sorts drift->owned. Does nothing when there is no change. */
void ds_package_drift_attribute(ds_findings_t *findings, ds_package_drift_t *drift);

void ds_package_drift_free(ds_package_drift_t *drift);

#endif
