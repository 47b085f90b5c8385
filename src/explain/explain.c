#include "explain.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "build_date.h"
#include "causes.h"
#include "consequences.h"
#include "explain_layers.h"
#include "signatures.h"

static const char *last(const ds_difference_t *d) { return d->location[d->depth - 1]; }

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* "@iso.pvd.creation_date" -> true for field "creation_date" of any volume descriptor. */
static bool vd_field(const char *location, const char *field)
{
    return strncmp(location, "@iso.", 5) == 0 && ends_with(location, field) &&
           strchr(location + 5, '.') != NULL;
}

static bool any_cause(const ds_findings_t *f, ds_cause_id_t cause)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->items[i].cause, ds_cause_name(cause)) == 0)
            return true;
    return false;
}

static void set(ds_difference_t *d, ds_cause_id_t cause, const char *confidence, bool secondary)
{
    const ds_cause_t *c = ds_cause_find(ds_cause_name(cause));
    ds_difference_explain(d, ds_cause_name(cause), confidence, c ? c->fix : NULL, secondary);
}

/* Fields of the formats inside files: the last location element, matched with fnmatch. */
struct field_rule {
    const char *pattern;
    ds_cause_id_t cause;
    const char *confidence;
};

static const struct field_rule field_rules[] = {
    {"@fat.volume_id", DS_CAUSE_FAT_VOLUME_ID, "certain"},
    {"@fat.oem_name", DS_CAUSE_ISO_TOOL_VERSION, "likely"},
    {"@gzip.mtime", DS_CAUSE_GZIP_MTIME, "certain"},
    {"@gzip.name", DS_CAUSE_GZIP_MTIME, "certain"},
    {"@pyc.source_mtime", DS_CAUSE_PYC_TIMESTAMP, "certain"},
    {"@elf.build_id", DS_CAUSE_BUILD_ID, "certain"},
    /* pe: link timestamps (COFF header, debug directory entries), CodeView ids */
    {"@pe.coff.TimeDateStamp", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@pe.debug.TimeDateStamp*", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@pe.debug.codeview.signature", DS_CAUSE_EMBEDDED_TIMESTAMP, "likely"},
    {"@pe.debug.codeview.guid", DS_CAUSE_RANDOM_ID, "likely"},
    /* zip members (fmt-zipdeb): the method; Info-ZIP's UT field and the extra fields holding times */
    {"@zip.member.method", DS_CAUSE_COMPRESSION_ONLY, "likely"},
    {"@zip.member.ut.mtime", DS_CAUSE_MTIME, "certain"},
    {"@zip.member.ut.*", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@zip.member.*extra.0x000a", DS_CAUSE_EMBEDDED_TIMESTAMP, "likely"},
    {"@zip.member.*extra.0x000d", DS_CAUSE_EMBEDDED_TIMESTAMP, "likely"},
    {"@zip.member.*extra.0x5855", DS_CAUSE_EMBEDDED_TIMESTAMP, "likely"},
    {"@fat.order", DS_CAUSE_FAT_ORDER, "certain"},
    /* rpm (formats/rpm.c): the build's time, the package's version, the payload's compression */
    {"@rpm.tag.BUILDTIME", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@rpm.tag.COOKIE", DS_CAUSE_EMBEDDED_TIMESTAMP, "likely"},
    {"@rpm.tag.VERSION", DS_CAUSE_PACKAGE_VERSION, "certain"},
    {"@rpm.tag.RELEASE", DS_CAUSE_PACKAGE_VERSION, "certain"},
    {"@rpm.tag.EPOCH", DS_CAUSE_PACKAGE_VERSION, "certain"},
    {"@rpm.tag.PAYLOADFLAGS", DS_CAUSE_COMPRESSION_ONLY, "likely"},
    {"@rpm.tag.PAYLOADCOMPRESSOR", DS_CAUSE_COMPRESSION_ONLY, "likely"},
    /* gettext .mo (formats/mo.c): the catalog header's dates and version */
    {"@mo.header.POT-Creation-Date", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@mo.header.PO-Revision-Date", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@mo.header.Project-Id-Version", DS_CAUSE_PACKAGE_VERSION, "likely"},
    {"@*.order", DS_CAUSE_ARCHIVE_ORDER, "certain"},
    /* ext4 superblock fields (formats/ext4.c); free counts and lifetime writes follow from the data */
    {"@ext4.uuid", DS_CAUSE_RANDOM_ID, "certain"},
    {"@ext4.hash_seed", DS_CAUSE_RANDOM_ID, "certain"},
    {"@ext4.journal_uuid", DS_CAUSE_RANDOM_ID, "likely"},
    {"@ext4.mkfs_time", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@ext4.wtime", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@ext4.mtime", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@ext4.lastcheck", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain"},
    {"@ext4.free_*_count", DS_CAUSE_LAYOUT_SHIFT, "likely"},
    {"@ext4.kbytes_written", DS_CAUSE_LAYOUT_SHIFT, "likely"},
    /* layers (ISO, FAT, initrd): cpio member headers (formats/cpio.c): GNU cpio without
     * --reproducible keeps the host's inode and device numbers and directories' link counts */
    {"@cpio.member.ino", DS_CAUSE_CPIO_METADATA, "certain"},
    {"@cpio.member.nlink", DS_CAUSE_CPIO_METADATA, "certain"},
    {"@cpio.member.dev*", DS_CAUSE_CPIO_METADATA, "certain"},
    /* Rock Ridge TF stamps besides the modification time (stages/toc.c): the input's atime/ctime */
    {"@iso.rr.tf.*", DS_CAUSE_ISO_RR_TIMES, "certain"},
};

static void explain_field(ds_difference_t *d, const char *where)
{
    /* FLG differing only in its FNAME bit: what gzip without -n records, with the name. */
    if (strcmp(where, "@gzip.flags") == 0 && d->a != NULL && d->b != NULL &&
        ((strtoul(d->a, NULL, 16) ^ strtoul(d->b, NULL, 16)) & ~0x08UL) == 0) {
        set(d, DS_CAUSE_GZIP_MTIME, "certain", d->secondary);
        return;
    }
    for (size_t i = 0; i < sizeof field_rules / sizeof field_rules[0]; i++)
        if (fnmatch(field_rules[i].pattern, where, 0) == 0) {
            set(d, field_rules[i].cause, field_rules[i].confidence, d->secondary);
            return;
        }
}

/* disk (GPT/MBR images, formats/disk.c): ids by what they are; CRCs, the backup header's copies
 * and a resized partition's bytes follow from what they cover. */
static bool disk_sibling_differs(const ds_findings_t *f, const ds_difference_t *d, const char *where, bool prefix)
{
    for (size_t i = 0; i < f->count; i++) {
        const ds_difference_t *e = &f->items[i];
        bool same_disk = e->depth == d->depth && e != d;
        for (size_t k = 0; same_disk && k + 1 < d->depth; k++)
            same_disk = strcmp(e->location[k], d->location[k]) == 0;
        const char *at = last(e);
        if (same_disk && e->a != NULL && e->b != NULL && (prefix ? strncmp(at, where, strlen(where)) == 0 : strcmp(at, where) == 0) &&
            (!prefix || (ends_with(at, "_guid") && !ends_with(at, "type_guid"))))
            return true;
    }
    return false;
}

static bool explain_disk(ds_findings_t *findings, ds_difference_t *d, const char *where)
{
    char other[80];
    unsigned n = 0;
    if (d->kind == DS_KIND_CONTENT && d->format != NULL && strcmp(d->format, "disk") == 0 &&
        sscanf(where, "/p%u", &n) == 1 && d->a != NULL && d->b != NULL && strcmp(d->a, d->b) != 0) {
        static const char *const fields[][2] = {{"@disk.gpt.entry", ".first_lba"}, {"@disk.gpt.entry", ".last_lba"},
                                                {"@disk.mbr.partition", ""}, {"@disk.mbr.logical", ""}};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            snprintf(other, sizeof other, "%s%u%s", fields[i][0], n, fields[i][1]);
            if (disk_sibling_differs(findings, d, other, false)) {
                set(d, DS_CAUSE_LAYOUT_SHIFT, "likely", true);
                return true;
            }
        }
        return false;
    }
    if (strncmp(where, "@disk.", 6) != 0)
        return false;
    if (d->a == NULL || d->b == NULL) {
        /* A field one side lacks: what a damaged table lost, when the other side says so. */
        for (size_t i = 0; i < findings->count; i++)
            if (findings->items[i].depth == d->depth && ends_with(last(&findings->items[i]), ".damage") &&
                strncmp(last(&findings->items[i]), "@disk.", 6) == 0 && &findings->items[i] != d)
                d->secondary = true;
        return true;
    }
    bool backup = strncmp(where, "@disk.gpt.backup.", 17) == 0;
    snprintf(other, sizeof other, "@disk.gpt.%s", backup ? where + 17 : "");
    bool copy = backup && disk_sibling_differs(findings, d, other, false);
    if (ends_with(where, "_crc"))
        set(d, disk_sibling_differs(findings, d, "@disk.gpt.", true) ? DS_CAUSE_GPT_GUID : DS_CAUSE_LAYOUT_SHIFT,
            "certain", true);
    else if (strcmp(where, "@disk.mbr.disk_id") == 0)
        set(d, DS_CAUSE_MBR_DISK_ID, "certain", false);
    else if (ends_with(where, "disk_guid") || ends_with(where, "unique_guid"))
        set(d, DS_CAUSE_GPT_GUID, "certain", copy);
    else
        d->secondary = d->secondary || copy;
    return true;
}

/* dtb (devicetree blobs, formats/dtb.c): totalsize and the blocks' offsets and sizes follow from
 * the contents (derived: the walk makes them secondary when the contents differ); the other
 * header words and the memory reservations have no known cause. */
static bool explain_dtb(ds_difference_t *d, const char *where)
{
    if (strncmp(where, "@dtb.", 5) != 0)
        return false;
    if (strcmp(where, "@dtb.totalsize") == 0 || strncmp(where, "@dtb.off_", 9) == 0 ||
        strncmp(where, "@dtb.size_", 10) == 0)
        set(d, DS_CAUSE_LAYOUT_SHIFT, "certain", d->secondary);
    return true;
}

/* A field of a header ("@iso.pvd.creation_date", "@gzip.mtime"): the ISO's own, then the
 * field rules of the formats inside files. */
static void explain_header(ds_findings_t *findings, ds_difference_t *d, const char *where, bool volume_dates)
{
    if (vd_field(where, "_date")) {
        set(d, DS_CAUSE_ISO_VOLUME_DATE, "certain", false);
    } else if (vd_field(where, ".volume_id")) {
        set(d, DS_CAUSE_ISO_VOLUME_ID, "certain", false);
    } else if (vd_field(where, "preparer_id") || vd_field(where, "application_id") ||
               vd_field(where, "publisher_id") || vd_field(where, "system_id") ||
               vd_field(where, "volume_set_id")) {
        set(d, DS_CAUSE_ISO_TOOL_VERSION, "likely", false);
    } else if (vd_field(where, "root_directory")) {
        /* The root's record date is the "/" node's mtime, reported there. */
        set(d, DS_CAUSE_ISO_FILE_DATES, "certain", true);
    } else if (vd_field(where, "volume_space_size") || vd_field(where, "path_table_size") ||
               strstr(where, ".path_table") != NULL || strcmp(where, "@iso.boot_catalog") == 0 ||
               strcmp(where, "@iso.mbr.partition") == 0 || strcmp(where, "@gpt.header") == 0 ||
               strcmp(where, "@iso.mbr.boot_image_lba") == 0 ||
               strcmp(where, "@gpt.partition") == 0) {
        set(d, DS_CAUSE_LAYOUT_SHIFT, "likely", true);
    } else if (strcmp(where, "@iso.mbr.disk_id") == 0) {
        /* xorriso computes it from the volume date. */
        set(d, volume_dates ? DS_CAUSE_ISO_VOLUME_DATE : DS_CAUSE_MBR_DISK_ID, "likely", volume_dates);
    } else if (strcmp(where, "@gpt.disk_guid") == 0 || strcmp(where, "@gpt.partition_guid") == 0) {
        set(d, volume_dates ? DS_CAUSE_ISO_VOLUME_DATE : DS_CAUSE_GPT_GUID, "likely", volume_dates);
    } else if (strcmp(where, "@gpt.crc") == 0) {
        set(d, any_cause(findings, DS_CAUSE_GPT_GUID) ? DS_CAUSE_GPT_GUID
               : volume_dates                 ? DS_CAUSE_ISO_VOLUME_DATE
                                              : DS_CAUSE_LAYOUT_SHIFT,
            "certain", true);
    } else if (strcmp(where, "@iso.system_area") == 0) {
        set(d, DS_CAUSE_ISO_TOOL_VERSION, "guess", false);
    } else {
        explain_field(d, where);
    }
}

static void explain_one(ds_findings_t *findings, ds_difference_t *d, bool volume_dates)
{
    const char *where = last(d);
    /* layers (ISO, FAT, initrd): rules over several differences, explain_layers.c */
    if (ds_explain_layers(findings, d))
        return;
    if (explain_disk(findings, d, where)) /* disk: see above */
        return;
    if (explain_dtb(d, where)) /* dtb: see above */
        return;
    if (where[0] == '@') {
        explain_header(findings, d, where, volume_dates);
        return;
    }
    /* signatures_files.c: a lock or runtime leftover's own mtime is the leftover (CAUSES.md 1e
     * "presence/mtime differences"): the fix is to remove it, not to clamp it. */
    const ds_signature_t *leftover = d->kind == DS_KIND_MTIME ? ds_signature_by_path(where) : NULL;
    if (leftover != NULL && leftover->cause == DS_CAUSE_RUNTIME_LEFTOVER) {
        set(d, DS_CAUSE_RUNTIME_LEFTOVER, leftover->confidence, false);
        return;
    }
    switch (d->kind) {
    case DS_KIND_MTIME:
        set(d, d->format != NULL && strcmp(d->format, "cpio") == 0 ? DS_CAUSE_CPIO_METADATA
               : d->format != NULL && strcmp(d->format, "fat") == 0  ? DS_CAUSE_FAT_TIMESTAMPS
               : d->format != NULL                                   ? DS_CAUSE_MTIME
               : strcmp(d->stage, "toc") == 0                         ? DS_CAUSE_ISO_FILE_DATES
                                                                     : DS_CAUSE_MTIME,
            "certain", false);
        return;
    case DS_KIND_OWNER:
        set(d, DS_CAUSE_OWNER, "certain", false);
        return;
    case DS_KIND_MODE:
        if (d->a != NULL && d->b != NULL) {
            unsigned long ma = strtoul(d->a, NULL, 8), mb = strtoul(d->b, NULL, 8);
            if (((ma ^ mb) & ~0022UL) == 0)
                set(d, DS_CAUSE_UMASK, "likely", false);
        }
        return;
    default:
        break;
    }
    if (d->kind == DS_KIND_CONTENT || d->kind == DS_KIND_ADDED || d->kind == DS_KIND_REMOVED) {
        /* Files recognised by where they are (signatures_*.c): a cache, a key, a leftover.
         * Where the same cause has a content check for the path, differing content that
         * failed it does not show the row's signature: the path stands in for presence only. */
        const ds_signature_t *rule = ds_signature_by_path(where), *near = ds_signature_near(where);
        if (rule != NULL && d->kind == DS_KIND_CONTENT && near != NULL && near->cause == rule->cause)
            rule = NULL;
        if (rule != NULL)
            set(d, rule->cause, rule->confidence, false);
    }
}

/* A location as one string, elements joined by \x1f (which no element contains unescaped). */
static char *joined(const ds_difference_t *d, size_t depth)
{
    size_t len = 1;
    for (size_t i = 0; i < depth; i++)
        len += strlen(d->location[i]) + 1;
    char *out = malloc(len), *p = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < depth; i++) {
        size_t n = strlen(d->location[i]);
        memcpy(p, d->location[i], n);
        p += n;
        *p++ = '\x1f';
    }
    *p = '\0';
    return out;
}

static int string_order(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

void ds_explain_findings(ds_findings_t *findings)
{
    bool volume_dates = false;
    for (size_t i = 0; i < findings->count; i++) {
        const char *where = last(&findings->items[i]);
        if (vd_field(where, "creation_date") || vd_field(where, "modification_date"))
            volume_dates = true;
    }
    for (size_t i = 0; i < findings->count; i++) {
        ds_difference_t *d = &findings->items[i];
        if (strcmp(d->cause, ds_cause_name(DS_CAUSE_UNKNOWN)) == 0)
            explain_one(findings, d, volume_dates);
        else if (d->fix == NULL && ds_cause_find(d->cause) != NULL && ds_cause_find(d->cause)->fix)
            d->fix = strdup(ds_cause_find(d->cause)->fix);
    }
    /* What follows from another difference in its layer (consequences.c: the table). */
    ds_consequences_apply(findings);
    /* A container's own content difference is a consequence of what differs inside it: collect
     * every location that has root differences below it, then look each content difference up. */
    char **inside = calloc(findings->count + 1, sizeof *inside);
    size_t count = 0;
    for (size_t i = 0; inside != NULL && i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        /* An entry's own field (its Rock Ridge stamps, a zip or cpio member's header) is about the
         * entry, not inside its content: it does not make the content's difference secondary. */
        if (d->depth >= 2 && !d->secondary && !ds_explain_entry_field(last(d)) &&
            (inside[count] = joined(d, d->depth - 1)) != NULL)
            count++;
    }
    if (inside != NULL)
        qsort(inside, count, sizeof *inside, string_order);
    for (size_t i = 0; inside != NULL && i < findings->count; i++) {
        ds_difference_t *outer = &findings->items[i];
        if (outer->kind != DS_KIND_CONTENT || outer->secondary || outer->judged)
            continue;
        char *key = joined(outer, outer->depth);
        /* Any stored prefix that starts with key means something below differs. */
        size_t lo = 0, hi = count;
        while (key != NULL && lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(inside[mid], key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (key != NULL && lo < count && strncmp(inside[lo], key, strlen(key)) == 0)
            outer->secondary = true;
        free(key);
    }
    for (size_t i = 0; i < count; i++)
        free(inside[i]);
    free(inside);
    /* The builds' own dates: one root at @build.date, the dates that follow from it, checksum
     * lists (build_date.c). Last, once every other difference has its cause. */
    ds_build_date_explain(findings);
}

void ds_explain_notes_tags(ds_findings_t *findings)
{
    for (size_t i = 0; i < findings->count; i++) {
        const ds_cause_t *c = ds_cause_find(findings->items[i].cause);
        findings->items[i].notes_tag = c != NULL ? c->notes_tag : NULL;
    }
}

bool ds_explain_entry_field(const char *where)
{
    return strncmp(where, "@iso.rr.", 8) == 0 || (where[0] == '@' && strstr(where, ".member.") != NULL);
}
