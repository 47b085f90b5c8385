/* The content stage's per-file comparison: stored bytes first, then the decompressed contents,
 * whole (small files: a unified diff when both are text) or in bounded windows (large files:
 * differing byte ranges with hex lines). Kept beside the stage rather than in compare/ because
 * it reads through the squashfs reader (stored bytes, data handles) and fills the stage's item
 * and its sqfs-diff.txt budget; compare/ knows no format. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/byte_ranges.h"
#include "../compare/text_diff.h"
#include "../util/limits.h"
#include "../util/strbuf.h"
#include "content_item.h"

#define HEX_RANGES_SHOWN 8

static void hex_line(ds_strbuf_t *out, char side, const unsigned char *buf, size_t buf_len,
                     uint64_t buf_pos, uint64_t line_pos)
{
    ds_strbuf_printf(out, "    %c %08" PRIx64 ":", side, line_pos);
    for (uint64_t k = line_pos; k < line_pos + 16; k++) {
        if (k >= buf_pos && k - buf_pos < buf_len)
            ds_strbuf_printf(out, " %02x", buf[k - buf_pos]);
        else
            ds_strbuf_puts(out, "   ");
    }
    ds_strbuf_puts(out, "  |");
    for (uint64_t k = line_pos; k < line_pos + 16; k++) {
        if (k >= buf_pos && k - buf_pos < buf_len) {
            unsigned char ch = buf[k - buf_pos];
            ds_strbuf_printf(out, "%c", ch >= 0x20 && ch < 0x7F ? ch : '.');
        }
    }
    ds_strbuf_puts(out, "|\n");
}

/* Compares one window pair at file position pos, adding counts and hex for the first ranges. */
static void compare_window(content_item_t *it, const unsigned char *wa, const unsigned char *wb, size_t n,
                           uint64_t pos, ds_strbuf_t *hex)
{
    ds_byte_range_t ranges[HEX_RANGES_SHOWN];
    uint64_t differing = 0;
    size_t total = ds_byte_ranges_find(wa, wb, n, 8, ranges, HEX_RANGES_SHOWN, &differing);
    if (total == 0)
        return;
    if (it->range_count == 0)
        it->first_difference = pos + ranges[0].start;
    for (size_t i = 0; i < total && i < HEX_RANGES_SHOWN && it->range_count + i < HEX_RANGES_SHOWN; i++) {
        uint64_t start = pos + ranges[i].start, end = pos + ranges[i].end;
        ds_strbuf_printf(hex, "  bytes %" PRIu64 "-%" PRIu64 " (0x%" PRIx64 ", %" PRIu64 " bytes):\n",
                         start, end - 1, start, end - start);
        uint64_t line = start & ~(uint64_t)15;
        hex_line(hex, 'A', wa, n, pos, line);
        hex_line(hex, 'B', wb, n, pos, line);
    }
    it->range_count += total;
    it->differing_bytes += differing;
}

static int read_all(ds_squashfs_data_t *d, const ds_entry_t *e, unsigned char *buf, ds_error_t *err)
{
    size_t got = 0;
    int rc = ds_squashfs_data_read(d, e, 0, buf, (size_t)e->size, &got, err);
    if (rc == DS_OK && got != e->size)
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: content ends at byte %zu of %" PRIu64, e->path, got, e->size);
    return rc;
}

/* Two differing contents held whole: a unified diff when both are text and the diff stays
 * small, else the differing byte ranges (counted over the common length) with hex lines. */
static void describe_whole(content_item_t *it, const unsigned char *ba, const unsigned char *bb,
                           ds_strbuf_t *report)
{
    const ds_entry_t *a = it->a, *b = it->b;
    size_t common = a->size < b->size ? a->size : b->size;
    ds_strbuf_t hex = {0};
    compare_window(it, ba, bb, common, 0, &hex);
    if (it->range_count == 0)
        it->first_difference = common; /* one is a prefix of the other */
    bool text = ds_text_is_text(ba, a->size) && ds_text_is_text(bb, b->size);
    size_t edits = 0;
    bool cut = false;
    int drc = text ? ds_text_diff(report, (const char *)ba, a->size, (const char *)bb, b->size, &cut, &edits)
                   : DS_ERR_LIMIT;
    if (drc == DS_OK) {
        if (cut)
            ds_strbuf_printf(report, "... diff cut at %d lines (%zu lines changed in all)\n",
                             DS_TEXT_DIFF_LINES, edits);
    } else {
        it->binary = !text;
        ds_strbuf_free(report); /* whatever part of a text diff was written */
        if (text)
            ds_strbuf_printf(report, "text, but more than %d lines changed: byte ranges instead\n",
                             DS_TEXT_MAX_EDITS);
        ds_strbuf_printf(report, "%" PRIu64 " differing bytes in %zu ranges over the first %zu bytes%s\n",
                         it->differing_bytes, it->range_count, common,
                         it->range_count > HEX_RANGES_SHOWN ? " (first ranges shown)" : "");
        ds_strbuf_puts(report, ds_strbuf_text(&hex));
    }
    ds_strbuf_free(&hex);
}

/* Files up to DS_TEXT_MAX on both sides: read whole, so that text can be diffed by lines. */
static int compare_whole(content_item_t *it, ds_squashfs_data_t *da, ds_squashfs_data_t *db,
                         ds_strbuf_t *report, ds_error_t *err)
{
    const ds_entry_t *a = it->a, *b = it->b;
    int rc = DS_OK;
    unsigned char *ba = malloc(a->size + 1), *bb = malloc(b->size + 1);
    if (ba == NULL || bb == NULL)
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    if (rc == DS_OK)
        rc = read_all(da, a, ba, err);
    if (rc == DS_OK)
        rc = read_all(db, b, bb, err);
    if (rc == DS_OK) {
        it->equal = a->size == b->size && memcmp(ba, bb, a->size) == 0;
        if (!it->equal)
            describe_whole(it, ba, bb, report);
    }
    free(ba);
    free(bb);
    return rc;
}

/* Larger files: two CONTENT_WINDOW buffers at a time over the common length, so memory stays
 * bounded whatever the size; the deadline is checked before every window. A window whose
 * stored blocks are byte-identical on both sides is equal without decompressing it. */
static int compare_windowed(content_item_t *it, ds_squashfs_t *const image[2], ds_squashfs_data_t *da,
                            ds_squashfs_data_t *db, const ds_deadline_t *deadline, ds_strbuf_t *report, ds_error_t *err)
{
    const ds_entry_t *a = it->a, *b = it->b;
    int rc = DS_OK;
    ds_stored_cursor_t stored;
    ds_stored_cursor_init(&stored, image[0], a, image[1], b);
    it->binary = true;
    unsigned char *wa = malloc(CONTENT_WINDOW), *wb = malloc(CONTENT_WINDOW);
    ds_strbuf_t hex = {0};
    uint64_t common = a->size < b->size ? a->size : b->size;
    if (wa == NULL || wb == NULL)
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    for (uint64_t pos = 0; rc == DS_OK && pos < common; pos += CONTENT_WINDOW) {
        if (ds_deadline_passed(deadline)) {
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: time budget exhausted", a->path);
            break;
        }
        size_t n = common - pos < CONTENT_WINDOW ? (size_t)(common - pos) : CONTENT_WINDOW, ga = 0, gb = 0;
        bool same = false; /* stored identically: equal, and not decompressed */
        rc = ds_stored_cursor_equal(&stored, pos, n, &same, err);
        if (rc != DS_OK || same)
            continue;
        rc = ds_squashfs_data_read(da, a, pos, wa, n, &ga, err);
        if (rc == DS_OK)
            rc = ds_squashfs_data_read(db, b, pos, wb, n, &gb, err);
        if (rc == DS_OK && (ga != n || gb != n))
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: content shorter than its size", a->path);
        if (rc == DS_OK)
            compare_window(it, wa, wb, n, pos, &hex);
    }
    if (rc == DS_OK) {
        it->equal = a->size == b->size && it->range_count == 0;
        if (!it->equal) {
            if (it->range_count == 0)
                it->first_difference = common;
            ds_strbuf_printf(report, "%" PRIu64 " differing bytes in %zu ranges over the first %" PRIu64 " bytes\n",
                             it->differing_bytes, it->range_count, common);
            ds_strbuf_puts(report, ds_strbuf_text(&hex));
        }
    }
    ds_strbuf_free(&hex);
    free(wa);
    free(wb);
    return rc;
}

/* Keeps the report unless sqfs-diff.txt's total budget, shared by every thread, is spent. */
static void keep_report(content_item_t *it, ds_strbuf_t *report, atomic_size_t *diff_bytes)
{
    size_t before = atomic_fetch_add(diff_bytes, report->len);
    if (before + report->len <= ds_limits()->diff_text_total) {
        it->report = ds_strbuf_take(report);
    } else {
        ds_strbuf_free(report);
        it->report = strdup("(diff not kept: sqfs-diff.txt reached its total size limit)\n");
    }
}

int content_item_compare(content_item_t *it, ds_squashfs_t *const image[2], ds_squashfs_data_t *const data[2],
                         const ds_deadline_t *deadline, atomic_size_t *diff_bytes, ds_error_t *err)
{
    const ds_entry_t *a = it->a, *b = it->b;
    if (a->size == b->size) {
        bool same = false;
        int rc = ds_squashfs_stored_equal(image[0], a, image[1], b, &same, err);
        if (rc != DS_OK)
            return rc;
        if (same) {
            it->equal = it->settled = true;
            return DS_OK;
        }
    }
    it->decompressed = true;
    ds_strbuf_t report = {0};
    int rc = a->size <= DS_TEXT_MAX && b->size <= DS_TEXT_MAX
                 ? compare_whole(it, data[0], data[1], &report, err)
                 : compare_windowed(it, image, data[0], data[1], deadline, &report, err);
    if (rc == DS_OK && !it->equal && report.len > 0)
        keep_report(it, &report, diff_bytes);
    ds_strbuf_free(&report);
    return rc;
}

bool content_item_take(content_item_t *it, const ds_entry_t *a, const ds_entry_t *b)
{
    if (!ds_squashfs_entry_copy(&it->own[0], a, &it->inode[0]))
        return false;
    if (!ds_squashfs_entry_copy(&it->own[1], b, &it->inode[1])) {
        ds_entry_clear(&it->own[0]);
        free(it->inode[0]);
        it->inode[0] = NULL;
        return false;
    }
    it->a = &it->own[0];
    it->b = &it->own[1];
    return true;
}

void content_item_release(content_item_t *it)
{
    free(it->report);
    free(it->error);
    for (int s = 0; s < 2; s++) {
        ds_entry_clear(&it->own[s]);
        free(it->inode[s]);
    }
    it->report = it->error = NULL;
    it->inode[0] = it->inode[1] = NULL;
}
