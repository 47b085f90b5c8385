#include "explain_layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causes.h"

static const char *last(const ds_difference_t *d) { return d->location[d->depth - 1]; }

static void set(ds_difference_t *d, ds_cause_id_t cause, const char *confidence, bool secondary)
{
    const ds_cause_t *c = ds_cause_find(ds_cause_name(cause));
    ds_difference_explain(d, ds_cause_name(cause), confidence, c ? c->fix : NULL, secondary);
}

/* True when e lies in the same layer as d: the same location but for the last element. */
static bool same_layer(const ds_difference_t *d, const ds_difference_t *e, size_t depth)
{
    if (e->depth != depth || d->depth < depth - 1 + 1)
        return false;
    for (size_t k = 0; k + 1 < depth; k++)
        if (strcmp(e->location[k], d->location[k]) != 0)
            return false;
    return true;
}

/* The difference at d's layer (d's location without its last `up` elements) + name; NULL when
 * there is none. */
static const ds_difference_t *in_layer(const ds_findings_t *f, const ds_difference_t *d, size_t up, const char *name)
{
    if (d->depth <= up)
        return NULL;
    size_t depth = d->depth - up + 1;
    for (size_t i = 0; i < f->count; i++) {
        const ds_difference_t *e = &f->items[i];
        if (e != d && same_layer(d, e, depth) && strcmp(last(e), name) == 0)
            return e;
    }
    return NULL;
}

static void follow(ds_difference_t *d, const ds_difference_t *root)
{
    ds_difference_follows(d, (const char *const *)root->location, root->depth);
}

/* "written YYYY-MM-DD hh:mm:ss" in a FAT entry's times (formats/fat_walk.c) as seconds. */
static bool fat_written(const char *text, const char *what, long long *out)
{
    const char *p = text != NULL ? strstr(text, what) : NULL;
    struct tm tm = {0};
    if (p == NULL || sscanf(p + strlen(what), " %d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (long long)timegm(&tm);
    return true;
}

/* How far B's written (and created, where both have it) time is from A's; false when the
 * entry's times cannot be read or the two stamps moved by different amounts. */
static bool fat_shift(const ds_difference_t *d, long long *shift)
{
    long long a, b, ca, cb;
    if (!fat_written(d->a, "written", &a) || !fat_written(d->b, "written", &b))
        return false;
    *shift = b - a;
    if (fat_written(d->a, "created", &ca) && fat_written(d->b, "created", &cb) && cb - ca != *shift)
        return false;
    return true;
}

/* CAUSES.md 1b "FAT timestamps shifted by time zone": every entry of the FAT image whose times
 * differ moved by the same amount, a whole number of 15-minute steps within the world's zones
 * (UTC-12 .. UTC+14): mtools converting to local time (mcopy -m) under another TZ. One entry
 * alone an hour off is as likely one file's own time: at least two entries must have moved. */
static bool fat_timezone(const ds_findings_t *f, const ds_difference_t *d)
{
    long long shift, other;
    size_t moved = 1;
    if (!fat_shift(d, &shift) || shift == 0 || shift % 900 != 0 || shift < -14 * 3600 || shift > 14 * 3600)
        return false;
    for (size_t i = 0; i < f->count; i++) {
        const ds_difference_t *e = &f->items[i];
        if (e == d || e->kind != DS_KIND_MTIME || e->format == NULL || strcmp(e->format, "fat") != 0 ||
            !same_layer(d, e, d->depth))
            continue;
        if (!fat_shift(e, &other) || other != shift)
            return false;
        moved++;
    }
    return moved >= 2;
}

/* An ISO inside another file (formats/iso9660.c) whose node times differ only outside the
 * modification stamp: the Rock Ridge TF text of the ISO reader ("modify <UTC>, access <UTC>,
 * ...") on both sides, with equal "modify" parts (stages/toc.c does this per stamp for the
 * top-level ISO). */
static bool rr_other_stamps(const ds_difference_t *d)
{
    if (d->kind != DS_KIND_MTIME || d->format == NULL || strcmp(d->format, "iso9660") != 0 || d->a == NULL ||
        d->b == NULL || strcmp(d->a, d->b) == 0)
        return false;
    const char *ma = strstr(d->a, "modify "), *mb = strstr(d->b, "modify ");
    if (ma == NULL || mb == NULL)
        return false;
    size_t la = strcspn(ma, ","), lb = strcspn(mb, ",");
    return la == lb && strncmp(ma, mb, la) == 0;
}

bool ds_explain_layers(ds_findings_t *findings, ds_difference_t *d)
{
    const char *where = last(d);
    const ds_difference_t *root;
    /* GNU cpio --renumber-inodes numbers members in archive order: in another order, the
     * numbers follow from it. */
    if (strcmp(where, "@cpio.member.ino") == 0 && (root = in_layer(findings, d, 2, "@cpio.order")) != NULL) {
        set(d, DS_CAUSE_ARCHIVE_ORDER, "likely", true);
        follow(d, root);
        return true;
    }
    /* Another FAT creator (mformat vs mkfs.fat: the OEM name) lays the volume out its own way. */
    if (strcmp(where, "@fat.geometry") == 0 && (root = in_layer(findings, d, 1, "@fat.oem_name")) != NULL) {
        set(d, DS_CAUSE_ISO_TOOL_VERSION, "likely", true);
        follow(d, root);
        return true;
    }
    if (d->kind == DS_KIND_MTIME && d->format != NULL && strcmp(d->format, "fat") == 0 && fat_timezone(findings, d)) {
        set(d, DS_CAUSE_FAT_TIMEZONE, "likely", false);
        return true;
    }
    if (rr_other_stamps(d)) {
        set(d, DS_CAUSE_ISO_RR_TIMES, "certain", false);
        return true;
    }
    return false;
}
