/* The cause catalogue: every known cause of a non-reproducible OS image that driftscope can
 * name, with how it is recognised and its usual fix. Built from ../shared/CAUSES.md and the
 * reproducible-builds issue vocabulary (../shared/data/reproducible-notes-issues.yml). */
#ifndef DS_CAUSES_H
#define DS_CAUSES_H

#include <stdio.h>

typedef struct ds_cause {
    const char *id;          /* report.json "cause" */
    const char *title;       /* one line for people */
    const char *recognised;  /* the evidence driftscope looks for */
    const char *fix;         /* the usual remedy; NULL when none is known */
    const char *notes_tag;   /* the reproducible-notes issue type, when one fits */
} ds_cause_t;

/* Every cause id, once: the rule tables name causes by these constants (DS_CAUSE_GZIP_MTIME),
 * so that a misspelt cause fails to compile. The catalogue (causes.c) has an entry for each;
 * a unit test holds the two equal. */
#define DS_CAUSE_LIST(X) \
    X(ISO_VOLUME_DATE, "iso-volume-date") \
    X(ISO_VOLUME_ID, "iso-volume-id") \
    X(ISO_FILE_DATES, "iso-file-dates") \
    X(ISO_TOOL_VERSION, "iso-tool-version") \
    X(MBR_DISK_ID, "mbr-disk-id") \
    X(GPT_GUID, "gpt-guid") \
    X(FAT_VOLUME_ID, "fat-volume-id") \
    X(FAT_TIMESTAMPS, "fat-timestamps") \
    X(FAT_ORDER, "fat-order") \
    X(FAT_TIMEZONE, "fat-timezone") \
    X(ISO_RR_TIMES, "iso-rr-times") \
    X(SQUASHFS_MKFS_TIME, "squashfs-mkfs-time") \
    X(SQUASHFS_LAYOUT, "squashfs-layout") \
    X(COMPRESSION_ONLY, "compression-only") \
    X(MTIME, "mtime") \
    /* build_date.c, checksum_list.c: the build's own date, mtimes it did not clamp, checksum lists */ \
    X(SOURCE_DATE_EPOCH, "source-date-epoch") \
    X(UNCLAMPED_MTIME, "unclamped-mtime") \
    X(CHECKSUM_LIST, "checksum-list") \
    X(UMASK, "umask") \
    X(OWNER, "owner") \
    X(CPIO_METADATA, "cpio-metadata") \
    X(ARCHIVE_ORDER, "archive-order") \
    X(GZIP_MTIME, "gzip-mtime") \
    X(PYC_TIMESTAMP, "pyc-timestamp") \
    X(BUILD_ID, "build-id") \
    X(EMBEDDED_TIMESTAMP, "embedded-timestamp") \
    X(RANDOM_ID, "random-id") \
    X(CRYPTO_KEY, "crypto-key") \
    X(SHADOW_LASTCHANGE, "shadow-lastchange") \
    X(LDCONFIG_AUX_CACHE, "ldconfig-aux-cache") \
    X(FONTCONFIG_CACHE, "fontconfig-cache") \
    X(APT_CACHE, "apt-cache") \
    X(GTK_ICON_CACHE, "gtk-icon-cache") \
    X(XMLB_GUID, "xmlb-guid") \
    X(CACHE_ORDER, "cache-order") \
    X(TEX_FORMAT, "tex-format") \
    X(JAVA_CACERTS, "java-cacerts") \
    X(PNG_TIMESTAMP, "png-timestamp") \
    X(PYC_MARSHAL_REF, "pyc-marshal-ref") \
    X(BERKELEY_DB, "berkeley-db") \
    X(RANDOM_UUID, "random-uuid") \
    X(MAN_DB_INDEX, "man-db-index") \
    X(LOG_FILE, "log-file") \
    X(SORT_ORDER, "sort-order") \
    X(BACKUP_FILE, "backup-file") \
    X(RUNTIME_LEFTOVER, "runtime-leftover") \
    X(APT_AUTOREMOVE_KERNELS, "apt-autoremove-kernels") \
    X(CRACKLIB_DICTS, "cracklib-dicts") \
    X(GCONF_TREE_ORDER, "gconf-tree-order") \
    X(MDADM_CONF_DATE, "mdadm-conf-date") \
    X(HOST_STATE, "host-state") \
    X(PACKAGE_VERSION, "package-version") \
    X(KERNEL_BUILD_STAMP, "kernel-build-stamp") \
    X(MODULE_SIGNATURE, "module-signature") \
    X(ISO_BUILD_OPTIONS, "iso-build-options") \
    X(LAYOUT_SHIFT, "layout-shift") \
    X(UNKNOWN, "unknown")

typedef enum ds_cause_id {
#define DS_CAUSE_ENUM(name, text) DS_CAUSE_##name,
    DS_CAUSE_LIST(DS_CAUSE_ENUM)
#undef DS_CAUSE_ENUM
    DS_CAUSE_COUNT
} ds_cause_id_t;

/* The report.json id of a cause ("gzip-mtime"). */
const char *ds_cause_name(ds_cause_id_t id);

/* The entry for id, or NULL. */
const ds_cause_t *ds_cause_find(const char *id);

/* Every entry, in catalogue order; *count receives how many. */
const ds_cause_t *ds_causes_all(size_t *count);

/* Writes " text |", a Markdown table cell with its pipes escaped (NULL: an empty cell). */
void ds_markdown_cell(FILE *out, const char *text);

/* Writes the catalogue as a Markdown table (driftscope --list-causes). */
void ds_causes_print(FILE *out);

#endif
