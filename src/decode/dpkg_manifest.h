/* Package manifests of a Debian-based image, read line by line through a source in fixed
 * windows (a status file has thousands of stanzas; only name and version are kept):
 *   /var/lib/dpkg/status         stanzas of "Field: value" lines (Package, Version, Status)
 *   live/filesystem.packages     live-build's `dpkg-query -W` output: "name<TAB>version" lines
 *   /var/lib/dpkg/info/<p>.list  the paths one package owns, one a line
 * Every function returns DS_OK or a negative DS_ERR_* with a message naming the layer and the
 * byte offset in err; on error the manifest keeps what was read and must still be freed. */
#ifndef DS_DPKG_MANIFEST_H
#define DS_DPKG_MANIFEST_H

#include <stddef.h>

#include "../util/source.h"

#define DS_DPKG_LINE_MAX 8192u          /* bytes of one line (a status Description line included) */
#define DS_DPKG_NAME_MAX 256u           /* bytes of a package name ("libc6:amd64") */
#define DS_DPKG_VERSION_MAX 256u        /* bytes of a version ("1:2.36-9+deb12u4") */
#define DS_DPKG_PACKAGES_MAX 200000u    /* packages in one manifest */
#define DS_DPKG_PATHS_MAX 1000000u      /* paths in one .list file */
#define DS_DPKG_FILE_MAX (512u << 20)   /* bytes of one manifest file */

typedef struct ds_dpkg_package {
    char *name;    /* owned; without an architecture qualifier (":amd64"): a name seen twice
                    * (Multi-Arch: same, two architectures) is kept once, with the smaller version */
    char *version; /* owned */
} ds_dpkg_package_t;

typedef struct ds_dpkg_manifest {
    ds_dpkg_package_t *items; /* sorted by name after a successful read */
    size_t count, capacity;
} ds_dpkg_manifest_t;

typedef struct ds_dpkg_paths {
    char **items; /* owned; as listed (absolute paths) */
    size_t count, capacity;
} ds_dpkg_paths_t;

/* Reads a dpkg status file: one package per stanza with a Package and a Version field whose
 * Status (when present) ends in a state other than "not-installed" or "config-files". */
int ds_dpkg_read_status(ds_source_t *src, const char *layer, ds_dpkg_manifest_t *out, ds_error_t *err);

/* Reads "name version" lines (tab or spaces between; blank lines skipped). */
int ds_dpkg_read_packages(ds_source_t *src, const char *layer, ds_dpkg_manifest_t *out, ds_error_t *err);

/* Appends the paths of a .list file to out ("/." skipped). */
int ds_dpkg_read_list(ds_source_t *src, const char *layer, ds_dpkg_paths_t *out, ds_error_t *err);

/* The version of name (an architecture qualifier in name is ignored), or NULL. */
const char *ds_dpkg_version(const ds_dpkg_manifest_t *m, const char *name);

void ds_dpkg_manifest_free(ds_dpkg_manifest_t *m);
void ds_dpkg_paths_free(ds_dpkg_paths_t *p);

#endif
