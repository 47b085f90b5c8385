/* The classifier for FAT images: boot sector fields, directory entries and their times. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/strbuf.h"
#include "classify_internal.h"
#include "../decode/fat.h"
#include "../decode/fields.h"

/* --- FAT ------------------------------------------------------------------------------------ */

static void fat_times(const ds_fat_entry_t *e, char *buf, size_t size)
{
    char w[32], c[32], a[32];
    ds_fat_format_time(e->write_date, e->write_time, w, sizeof w);
    ds_fat_format_time(e->create_date, e->create_time, c, sizeof c);
    ds_fat_format_time(e->access_date, 0, a, sizeof a);
    snprintf(buf, size, "written %s, created %s, accessed %.10s", w, c, a);
}

static int64_t fat_seconds(uint16_t date, uint16_t time)
{
    /* Days are enough for a difference: a rough count of seconds since 1980. */
    int64_t days = (int64_t)(date >> 9) * 366 + ((date >> 5) & 15) * 31 + (date & 31);
    return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
}

void ds_classify_fat(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    ds_fat_t fa, fb;
    ds_error_t err = {0};
    int ra = ds_fat_open(a, &fa, &err);
    int rb = ds_fat_open(b, &fb, &err);
    size_t volume = 0, times = 0, other = 0;
    for (size_t i = 0; i < fa.fields.count; i++) {
        const ds_field_t *x = &fa.fields.items[i], *y = ds_fields_find(&fb.fields, x->key);
        if (y == NULL || !ds_field_bytes_differ(x, y))
            continue;
        bool id = strcmp(x->key, "fat.volume_id") == 0, oem = strcmp(x->key, "fat.oem_name") == 0;
        char detail[96];
        snprintf(detail, sizeof detail, "FAT boot sector %s (bytes %" PRIu64 "-%" PRIu64 ")", x->label, x->offset,
                 x->offset + x->length - 1);
        ds_classify_nested(out, DS_KIND_HEADER, x->location, x->value, y->value, detail,
               id ? "fat-volume-id" : oem ? "iso-tool-version" : NULL, id ? "certain" : "likely", false);
        if (id)
            volume++;
        else
            other++;
    }
    size_t i = 0, k = 0;
    bool same_set = fa.count == fb.count, reordered = false;
    while (i < fa.count || k < fb.count) {
        int order = i == fa.count ? 1 : k == fb.count ? -1 : strcmp(fa.entries[i].path, fb.entries[k].path);
        if (order != 0) {
            same_set = false;
            const ds_fat_entry_t *e = order < 0 ? &fa.entries[i++] : &fb.entries[k++];
            ds_classify_nested(out, order < 0 ? DS_KIND_REMOVED : DS_KIND_ADDED, e->path, NULL, NULL,
                   order < 0 ? "FAT entry present only in A" : "FAT entry present only in B", NULL, NULL, false);
            other++;
            continue;
        }
        const ds_fat_entry_t *x = &fa.entries[i++], *y = &fb.entries[k++];
        reordered |= x->order != y->order;
        if (x->write_date != y->write_date || x->write_time != y->write_time || x->create_date != y->create_date ||
            x->create_time != y->create_time || x->create_tenths != y->create_tenths || x->access_date != y->access_date) {
            char va[128], vb[128], detail[160];
            fat_times(x, va, sizeof va);
            fat_times(y, vb, sizeof vb);
            int64_t delta = fat_seconds(y->write_date, y->write_time) - fat_seconds(x->write_date, x->write_time);
            if (delta != 0 && delta % 3600 == 0 && delta > -86400 && delta < 86400)
                snprintf(detail, sizeof detail, "FAT entry times differ by a whole number of hours (%+lld h): often a time zone; run mtools with TZ=UTC",
                         (long long)(delta / 3600));
            else
                snprintf(detail, sizeof detail, "FAT directory entry times differ");
            ds_classify_nested(out, DS_KIND_MTIME, x->path, va, vb, detail, "fat-timestamps", "certain", false);
            times++;
        }
        if (!x->directory && (x->size != y->size || memcmp(x->sha256, y->sha256, 32) != 0)) {
            char va[40], vb[40];
            snprintf(va, sizeof va, "%" PRIu32 " bytes", x->size);
            snprintf(vb, sizeof vb, "%" PRIu32 " bytes", y->size);
            ds_classify_nested(out, DS_KIND_CONTENT, x->path, va, vb, "file data differ (SHA-256)", NULL, NULL, false);
            other++;
        }
    }
    if (same_set && reordered) {
        ds_classify_nested(out, DS_KIND_ORDER, "@fat.order", NULL, NULL, "the same entries in another order", "fat-order",
               "certain", false);
        other++;
    }
    if (ra != DS_OK || rb != DS_OK)
        ds_classify_verdict(out, "fat", NULL, NULL, "FAT%d: not fully read: %s", fa.type, err.message);
    else if (other == 0 && volume > 0 && times == 0)
        ds_classify_verdict(out, "fat", "fat-volume-id", "certain", "FAT%d: only the volume serial differs", fa.type);
    else if (other == 0 && volume == 0 && times > 0)
        ds_classify_verdict(out, "fat", "fat-timestamps", "certain", "FAT%d: only directory entry times differ (%zu entries)",
                fa.type, times);
    else
        ds_classify_verdict(out, "fat", NULL, NULL, "FAT%d: %zu entries with other times, %s, %zu other differences", fa.type,
                times, volume ? "another volume serial" : "the same volume serial", other);
    ds_fat_free(&fa);
    ds_fat_free(&fb);
}

