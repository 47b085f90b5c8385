/* Stage 2, header: the system area (MBR, GPT) and the volume descriptor set, first as differing
 * byte ranges, then decoded field by field with both values side by side. Every field whose
 * bytes differ becomes one difference located at its report name (@iso.pvd.creation_date...). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/byte_ranges.h"
#include "../decode/boot_catalog.h"
#include "../decode/mbr_gpt.h"
#include "../decode/volume_descriptor.h"
#include "run.h"
#include "../util/outfile.h"

#define SYSTEM_AREA_BYTES (16u * DS_ISO_SECTOR)
#define RANGES_SHOWN 64 /* differing ranges listed per region */
#define HEX_SHOWN 16    /* bytes of each range shown in hex */

typedef struct header_side {
    ds_fields_t fields;
    unsigned char *system_area; /* SYSTEM_AREA_BYTES, zero-filled past the end of a short input */
    size_t system_area_len;
    unsigned char *descriptors; /* the volume descriptor sectors read */
    size_t descriptor_count;
    ds_volume_info_t info;
    bool decoded;
} header_side_t;

static void decode_side(ds_run_t *run, int i, header_side_t *hs, ds_stage_result_t *result)
{
    ds_side_t *side = &run->side[i];
    if (side->source == NULL) {
        ds_stage_fail(result, DS_ERR_IO, "%s: not read: %s", side->label,
                      side->open_error ? side->open_error : "not opened");
        return;
    }
    ds_error_t err = {0};
    hs->system_area = calloc(1, SYSTEM_AREA_BYTES);
    hs->descriptors = calloc(DS_ISO_MAX_DESCRIPTORS, DS_ISO_SECTOR);
    if (hs->system_area == NULL || hs->descriptors == NULL) {
        ds_stage_fail(result, DS_ERR_NOMEM, "out of memory");
        return;
    }
    if (ds_source_read_some(side->source, 0, hs->system_area, SYSTEM_AREA_BYTES,
                            &hs->system_area_len, &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    hs->decoded = true;
    if (hs->system_area_len < SYSTEM_AREA_BYTES)
        ds_stage_fail(result, DS_ERR_FORMAT,
                      "%s: system area: truncated: the input ends at byte %zu, inside the first "
                      "%u bytes",
                      side->label, hs->system_area_len, SYSTEM_AREA_BYTES);
    if (hs->system_area_len >= 512)
        ds_mbr_decode(hs->system_area, &hs->fields);
    ds_error_clear(&err);
    if (ds_gpt_decode(side->source, &hs->fields, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);

    ds_error_clear(&err);
    int rc = ds_volume_descriptors_read(side->source, &hs->fields, &hs->info, &err);
    hs->descriptor_count = hs->info.descriptor_count;
    for (size_t k = 0; k < hs->descriptor_count; k++) {
        size_t got = 0;
        ds_source_read_some(side->source, (DS_ISO_FIRST_DESCRIPTOR_SECTOR + k) * (uint64_t)DS_ISO_SECTOR,
                            hs->descriptors + k * DS_ISO_SECTOR, DS_ISO_SECTOR, &got, NULL);
    }
    if (rc != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        return;
    }
    if (hs->info.has_boot_record) {
        run->boot_catalog_offset[i] = (uint64_t)hs->info.boot_catalog_lba * DS_ISO_SECTOR;
        ds_error_clear(&err);
        if (ds_boot_catalog_decode(side->source, hs->info.boot_catalog_lba, &hs->fields, &err) != DS_OK)
            ds_stage_fail(result, err.code, "%s", err.message);
    }
}

/* The decoded field of `fields` whose bytes include absolute byte `at`, or NULL. */
static const ds_field_t *field_at(const ds_fields_t *fields, uint64_t at)
{
    for (size_t i = 0; i < fields->count; i++) {
        const ds_field_t *f = &fields->items[i];
        if (f->length > 0 && at >= f->offset && at < f->offset + f->length)
            return f;
    }
    return NULL;
}

/* Writes the differing ranges of one region and returns the ranges no decoded field covers
 * (their count), reporting them as one difference at `location`. */
static void compare_region(ds_run_t *run, FILE *out, const char *title, const unsigned char *a,
                           const unsigned char *b, size_t len, uint64_t base,
                           const ds_fields_t *fields_a, const char *location)
{
    ds_byte_range_t ranges[RANGES_SHOWN];
    uint64_t differing = 0;
    size_t total = ds_byte_ranges_find(a, b, len, 4, ranges, RANGES_SHOWN, &differing);
    fprintf(out, "\n== %s: bytes %" PRIu64 "-%" PRIu64 " ==\n", title, base, base + len - 1);
    if (total == 0) {
        fprintf(out, "identical\n");
        return;
    }
    fprintf(out, "%" PRIu64 " differing bytes in %zu ranges\n", differing, total);
    size_t uncovered = 0;
    uint64_t first_uncovered = 0;
    for (size_t i = 0; i < total && i < RANGES_SHOWN; i++) {
        const ds_byte_range_t *r = &ranges[i];
        const ds_field_t *f = field_at(fields_a, base + r->start);
        bool covered = f != NULL && field_at(fields_a, base + r->end - 1) != NULL;
        if (!covered && uncovered++ == 0)
            first_uncovered = base + r->start;
        char ha[HEX_SHOWN * 3 + 8], hb[HEX_SHOWN * 3 + 8];
        ds_format_hex(a + r->start, (size_t)(r->end - r->start), HEX_SHOWN, ha, sizeof ha);
        ds_format_hex(b + r->start, (size_t)(r->end - r->start), HEX_SHOWN, hb, sizeof hb);
        fprintf(out, "  %" PRIu64 "-%" PRIu64 " (%" PRIu64 " bytes)  %s%s%s\n", base + r->start,
                base + r->end - 1, r->end - r->start, f ? f->key : "(no decoded field)",
                f ? " - " : "", f ? f->label : "");
        fprintf(out, "      A: %s\n      B: %s\n", ha, hb);
    }
    if (total > RANGES_SHOWN)
        fprintf(out, "  ... %zu more ranges not listed\n", total - RANGES_SHOWN);
    if (uncovered > 0) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "%zu differing byte ranges outside any decoded field, the first at byte %" PRIu64,
                 uncovered, first_uncovered);
        const char *loc[] = {location};
        ds_findings_add(&run->findings, "header", DS_KIND_HEADER, loc, 1, NULL, NULL, detail);
    }
}

static void report_field(ds_run_t *run, const ds_field_t *fa, const ds_field_t *fb)
{
    const ds_field_t *f = fa ? fa : fb;
    char detail[400];
    snprintf(detail, sizeof detail, "%s (%s), %u bytes at byte %" PRIu64 "%s", f->label, f->key,
             f->length, f->offset, fa && fb ? "" : (fa ? ": absent in B" : ": absent in A"));
    const char *loc[] = {f->location};
    ds_difference_t *d = ds_findings_add(&run->findings, "header", DS_KIND_HEADER, loc, 1,
                                         fa ? fa->value : NULL, fb ? fb->value : NULL, detail);
    if (d != NULL && fa && fb && fa->numeric && fb->numeric) {
        d->numeric = true;
        d->a_number = fa->number;
        d->b_number = fb->number;
    }
}

static void write_fields(ds_run_t *run, FILE *out, const ds_fields_t *a, const ds_fields_t *b)
{
    fprintf(out, "\n== Decoded fields (= same, ! differs, < only in A, > only in B) ==\n");
    for (size_t i = 0; i < a->count; i++) {
        const ds_field_t *fa = &a->items[i];
        const ds_field_t *fb = ds_fields_find(b, fa->key);
        if (fb == NULL) {
            fprintf(out, "< %-34s %s\n", fa->key, fa->value);
            report_field(run, fa, NULL);
        } else if (!ds_field_bytes_differ(fa, fb)) {
            fprintf(out, "= %-34s %s\n", fa->key, fa->value);
        } else {
            fprintf(out, "! %-34s %s, byte %" PRIu64 ", %u bytes\n      A: %s\n      B: %s\n",
                    fa->key, fa->label, fa->offset, fa->length, fa->value, fb->value);
            report_field(run, fa, fb);
        }
    }
    for (size_t i = 0; i < b->count; i++) {
        const ds_field_t *fb = &b->items[i];
        if (ds_fields_find(a, fb->key) == NULL) {
            fprintf(out, "> %-34s %s\n", fb->key, fb->value);
            report_field(run, NULL, fb);
        }
    }
}

static void write_one_side(FILE *out, const ds_side_t *side, const ds_fields_t *fields)
{
    fprintf(out, "\n== Decoded fields of %s only ==\n", side->label);
    for (size_t i = 0; i < fields->count; i++)
        fprintf(out, "  %-34s %s\n", fields->items[i].key, fields->items[i].value);
}

void ds_stage_header_run(ds_run_t *run, ds_stage_result_t *result)
{
    if (ds_stage_skip_unless_iso(run, result))
        return;
    header_side_t hs[2];
    memset(hs, 0, sizeof hs);
    for (int i = 0; i < 2; i++)
        decode_side(run, i, &hs[i], result);

    ds_outfile_t out;
    ds_error_t err = {0};
    if (ds_outfile_begin(&out, run->out_fd, "iso-header-cmp.txt", &err) != DS_OK) {
        ds_stage_fail(result, err.code, "%s", err.message);
        goto done;
    }
    ds_stage_artifact(result, "iso-header-cmp.txt");
    fprintf(out.stream, "driftscope: system area and volume descriptors, field by field\nA: %s\nB: %s\n",
            run->side[0].display_path, run->side[1].display_path);
    if (result->message != NULL)
        fprintf(out.stream, "\nPARTIAL: %s\n", result->message);
    if (hs[0].decoded && hs[1].decoded) {
        size_t len = hs[0].system_area_len < hs[1].system_area_len ? hs[0].system_area_len
                                                                    : hs[1].system_area_len;
        if (len > 0)
            compare_region(run, out.stream, "System area", hs[0].system_area, hs[1].system_area,
                           len, 0, &hs[0].fields, "@iso.system_area");
        size_t count = hs[0].descriptor_count < hs[1].descriptor_count ? hs[0].descriptor_count
                                                                        : hs[1].descriptor_count;
        for (size_t k = 0; k < count; k++) {
            char title[64];
            snprintf(title, sizeof title, "Volume descriptor in sector %zu (type %u)",
                     DS_ISO_FIRST_DESCRIPTOR_SECTOR + k, hs[0].descriptors[k * DS_ISO_SECTOR]);
            compare_region(run, out.stream, title, hs[0].descriptors + k * DS_ISO_SECTOR,
                           hs[1].descriptors + k * DS_ISO_SECTOR, DS_ISO_SECTOR,
                           (DS_ISO_FIRST_DESCRIPTOR_SECTOR + k) * (uint64_t)DS_ISO_SECTOR,
                           &hs[0].fields, "@iso.volume_descriptors");
        }
        write_fields(run, out.stream, &hs[0].fields, &hs[1].fields);
    } else {
        for (int i = 0; i < 2; i++)
            if (hs[i].decoded)
                write_one_side(out.stream, &run->side[i], &hs[i].fields);
    }
    if (ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
done:
    for (int i = 0; i < 2; i++) {
        ds_fields_free(&hs[i].fields);
        free(hs[i].system_area);
        free(hs[i].descriptors);
    }
}
