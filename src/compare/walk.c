/* The recursive comparer's dispatch, streams, documents and leaves (containers: walk_container.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "byte_ranges.h"
#include "text_diff.h"
#include "walk_internal.h"

#define EXCERPT_RANGES 8

void walk_printf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* *same when a and b hold the same bytes once every span (may be NULL) is made equal on both
 * sides: reads both in windows, stops at the first difference. */
static int windows_same(ds_source_t *a, ds_source_t *b, const spans_t *spans, const ds_deadline_t *deadline,
                        bool *same)
{
    *same = ds_source_size(a) == ds_source_size(b);
    unsigned char *wa = *same ? malloc(DS_WALK_WINDOW) : NULL, *wb = *same ? malloc(DS_WALK_WINDOW) : NULL;
    int rc = !*same || (wa && wb) ? DS_OK : DS_ERR_NOMEM;
    uint64_t size = ds_source_size(a);
    for (uint64_t pos = 0; rc == DS_OK && *same && pos < size; pos += DS_WALK_WINDOW) {
        size_t n = size - pos < DS_WALK_WINDOW ? (size_t)(size - pos) : DS_WALK_WINDOW;
        rc = ds_source_read(a, pos, wa, n, "compare", NULL);
        if (rc == DS_OK)
            rc = ds_source_read(b, pos, wb, n, "compare", NULL);
        if (rc == DS_OK && ds_deadline_passed(deadline))
            rc = DS_ERR_TIMEOUT;
        /* Bytes inside a span are made equal; whatever still differs lies outside every span. */
        for (size_t i = 0; rc == DS_OK && spans != NULL && i < spans->count; i++) {
            uint64_t start = spans->items[i].offset, end = start + spans->items[i].length;
            if (end <= pos || start >= pos + n)
                continue;
            uint64_t from = start > pos ? start - pos : 0, to = end < pos + n ? end - pos : n;
            memcpy(wb + from, wa + from, (size_t)(to - from));
        }
        *same = rc == DS_OK && memcmp(wa, wb, n) == 0;
    }
    free(wa);
    free(wb);
    return rc;
}

int ds_sources_equal(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline, bool *equal)
{
    return windows_same(a, b, NULL, deadline, equal);
}

void spans_add(spans_t *spans, uint64_t offset, uint64_t length)
{
    if (spans->count == spans->capacity) {
        size_t capacity = spans->capacity ? spans->capacity * 2 : 16;
        byte_span_t *items = realloc(spans->items, capacity * sizeof *items);
        if (items == NULL)
            return; /* a span not kept only makes the accounting more cautious */
        spans->items = items;
        spans->capacity = capacity;
    }
    spans->items[spans->count++] = (byte_span_t){offset, length};
}

int spans_cover_differences(const spans_t *spans, ds_source_t *a, ds_source_t *b,
                            const ds_deadline_t *deadline, bool *covered)
{
    *covered = false;
    return spans->count > 0 ? windows_same(a, b, spans, deadline, covered) : DS_OK;
}

void walk_emit(ds_walk_t *w, const walk_frame_t *frame, const char *element, ds_kind_t kind,
               const char *a, const char *b, const char *detail, const char *format, bool secondary)
{
    const char *loc[DS_LOCATION_MAX];
    size_t depth = 0;
    for (size_t i = 0; i < frame->depth && depth < DS_LOCATION_MAX; i++)
        loc[depth++] = frame->location[i];
    if (element != NULL && depth < DS_LOCATION_MAX)
        loc[depth++] = element;
    if (depth == 0)
        return;
    ds_walk_finding_t f = {.kind = kind, .location = loc, .depth = depth, .a = a, .b = b, .detail = detail,
                           .format = format, .secondary = secondary, .judged = secondary};
    w->finding(w->ctx, &f);
}

static void hex_excerpt(ds_strbuf_t *out, const unsigned char *a, const unsigned char *b, size_t n)
{
    ds_byte_range_t ranges[EXCERPT_RANGES];
    uint64_t differing = 0;
    size_t total = ds_byte_ranges_find(a, b, n, 8, ranges, EXCERPT_RANGES, &differing);
    ds_strbuf_printf(out, "%" PRIu64 " differing bytes in %zu ranges over the first %zu bytes\n", differing, total, n);
    for (size_t i = 0; i < total && i < EXCERPT_RANGES; i++) {
        ds_strbuf_printf(out, "  bytes %" PRIu64 "-%" PRIu64 ":\n", ranges[i].start, ranges[i].end - 1);
        for (int side = 0; side < 2; side++) {
            const unsigned char *p = side ? b : a;
            ds_strbuf_printf(out, "    %c %08" PRIx64 ":", side ? 'B' : 'A', ranges[i].start);
            for (uint64_t k = ranges[i].start; k < ranges[i].end && k < ranges[i].start + 16; k++)
                ds_strbuf_printf(out, " %02x", p[k]);
            ds_strbuf_puts(out, "\n");
        }
    }
}

/* A bounded diff of a leaf pair: unified for text, the first differing ranges for binary. */
static void leaf_excerpt(ds_source_t *a, ds_source_t *b, ds_walk_result_t *out)
{
    uint64_t la = ds_source_size(a), lb = ds_source_size(b);
    size_t cap = DS_TEXT_MAX;
    size_t na = la < cap ? (size_t)la : cap, nb = lb < cap ? (size_t)lb : cap;
    unsigned char *ba = malloc(na + 1), *bb = malloc(nb + 1);
    ds_strbuf_t text = {0};
    if (ba == NULL || bb == NULL || ds_source_read(a, 0, ba, na, "excerpt", NULL) != DS_OK ||
        ds_source_read(b, 0, bb, nb, "excerpt", NULL) != DS_OK)
        goto out;
    bool is_text = la <= cap && lb <= cap && ds_text_is_text(ba, na) && ds_text_is_text(bb, nb);
    bool cut = false;
    size_t edits = 0;
    out->binary = !is_text;
    if (!is_text || ds_text_diff(&text, (const char *)ba, na, (const char *)bb, nb, &cut, &edits) != DS_OK) {
        ds_strbuf_free(&text);
        hex_excerpt(&text, ba, bb, na < nb ? na : nb);
    } else if (cut) {
        ds_strbuf_printf(&text, "... diff cut at %d lines (%zu lines changed in all)\n", DS_TEXT_DIFF_LINES, edits);
    }
    out->excerpt = ds_strbuf_take(&text);
out:
    ds_strbuf_free(&text);
    free(ba);
    free(bb);
}

static void walk_leaf(ds_walk_t *w, const walk_frame_t *frame, ds_source_t *a, ds_source_t *b, const char *name, ds_walk_result_t *out)
{
    char detail[sizeof out->detail];
    walk_printf(detail, sizeof detail, "%s", out->detail);
    out->detail[0] = '\0';
    if (w->leaf != NULL)
        w->leaf(w->ctx, a, b, name, out);
    if (detail[0] != '\0') {
        char joined[sizeof out->detail];
        walk_printf(joined, sizeof joined, "%s%s%s", detail, out->detail[0] ? "; " : "", out->detail);
        walk_printf(out->detail, sizeof out->detail, "%s", joined);
    }
    free(out->excerpt);
    out->excerpt = NULL;
    if (frame->depth > 0) /* the caller of the walk shows its own pair */
        leaf_excerpt(a, b, out);
}

bool walk_fields_differ(const ds_fields_t *fa, const ds_fields_t *fb, bool derived)
{
    for (int side = 0; side < 2; side++) {
        const ds_fields_t *mine = side ? fb : fa, *other = side ? fa : fb;
        for (size_t i = 0; i < mine->count; i++) {
            const ds_field_t *y = ds_fields_find(other, mine->items[i].key);
            if (mine->items[i].derived == derived && (y == NULL || ds_field_bytes_differ(&mine->items[i], y)))
                return true;
        }
    }
    return false;
}

size_t walk_compare_fields(ds_walk_t *w, const walk_frame_t *frame, const char *format, const ds_fields_t *fa,
                           const ds_fields_t *fb, bool derived_secondary, spans_t *spans, ds_strbuf_t *labels)
{
    size_t count = 0;
    for (int side = 0; side < 2; side++) {
        const ds_fields_t *mine = side ? fb : fa, *other = side ? fa : fb;
        for (size_t i = 0; i < mine->count; i++) {
            const ds_field_t *x = &mine->items[i], *y = ds_fields_find(other, x->key);
            if (side == 1 && y != NULL)
                continue; /* pairs were seen from A's side */
            if (y != NULL && !ds_field_bytes_differ(x, y))
                continue;
            const ds_field_t *fa_field = side ? y : x, *fb_field = side ? x : y;
            char detail[160];
            walk_printf(detail, sizeof detail, "%s header %s (bytes %" PRIu64 "-%" PRIu64 ")", format, x->label,
                     x->offset, x->offset + (x->length ? x->length - 1 : 0));
            walk_emit(w, frame, x->location, DS_KIND_HEADER, fa_field ? fa_field->value : NULL,
                      fb_field ? fb_field->value : NULL, detail, format, x->derived && derived_secondary);
            spans_add(spans, x->offset, x->length);
            if (count < 3)
                ds_strbuf_printf(labels, "%s%s", count ? ", " : "", x->label);
            count++;
        }
    }
    return count;
}

/* The spans of the fields that differ, without reporting them. */
static void field_spans(const ds_fields_t *fa, const ds_fields_t *fb, spans_t *spans)
{
    for (int side = 0; side < 2; side++) {
        const ds_fields_t *mine = side ? fb : fa, *other = side ? fa : fb;
        for (size_t i = 0; i < mine->count; i++) {
            const ds_field_t *y = ds_fields_find(other, mine->items[i].key);
            if (y == NULL || ds_field_bytes_differ(&mine->items[i], y))
                spans_add(spans, mine->items[i].offset, mine->items[i].length);
        }
    }
}

static void describe_accounted(ds_walk_result_t *out, const char *format, size_t count, const ds_strbuf_t *labels)
{
    walk_printf(out->detail, sizeof out->detail, "%s: only the %s%s differ%s", format, ds_strbuf_text(labels),
             count > 3 ? ", ..." : "", count == 1 ? "s" : "");
}

/* Prefixes the inner detail with "gzip: decompressed, "; the same layer repeated is counted,
 * not repeated ("gzip: decompressed (x30), ..."), so that a deep nest stays readable. */
static void layer_detail(ds_walk_result_t *out, const char *format)
{
    char inner[sizeof out->detail], prefix[64];
    walk_printf(inner, sizeof inner, "%s", out->detail[0] ? out->detail : "the data differ");
    int n = snprintf(prefix, sizeof prefix, "%s: decompressed", format);
    unsigned times = 1;
    const char *rest = inner;
    if (n > 0 && strncmp(inner, prefix, (size_t)n) == 0) {
        rest = inner + n;
        unsigned before = 1;
        if (sscanf(rest, " (x%u)", &before) == 1)
            rest = strchr(rest, ')') + 1;
        times = before + 1;
        rest += strncmp(rest, ", ", 2) == 0 ? 2 : 0;
    }
    if (times > 1)
        walk_printf(out->detail, sizeof out->detail, "%s (x%u), %s", prefix, times, rest);
    else
        walk_printf(out->detail, sizeof out->detail, "%s, %s", prefix, rest);
}

static void walk_stream(ds_walk_t *w, const walk_frame_t *frame, const ds_format_t *f, void *sa, void *sb,
                        ds_source_t *a, ds_source_t *b, const char *name, unsigned depth_left,
                        const ds_fields_t *fa, const ds_fields_t *fb, ds_walk_result_t *out)
{
    ds_source_t *pa = NULL, *pb = NULL;
    ds_error_t err = {0};
    if (f->payload(sa, &pa, &err) != DS_OK || f->payload(sb, &pb, &err) != DS_OK) {
        walk_printf(out->detail, sizeof out->detail, "%s: %s", f->name, err.message);
        if (w->limit != NULL) /* a layer not looked into, by a limit or by damage: the report says so */
            w->limit(w->ctx, err.code, err.message);
        walk_leaf(w, frame, a, b, name, out);
        goto out;
    }
    bool equal = false;
    ds_sources_equal(pa, pb, w->deadline, &equal);
    spans_t spans = {0};
    ds_strbuf_t labels = {0};
    if (equal) {
        /* Header fields explain the pair only when the compressed bytes are equal too. */
        bool covered = false;
        field_spans(fa, fb, &spans);
        spans_cover_differences(&spans, a, b, w->deadline, &covered);
        spans.count = 0;
        size_t count = walk_compare_fields(w, frame, f->name, fa, fb, !covered || walk_fields_differ(fa, fb, false),
                                           &spans, &labels);
        out->accounted = covered && count > 0;
        if (out->accounted) {
            describe_accounted(out, f->name, count, &labels);
        } else {
            out->same_payload = true;
            walk_printf(out->detail, sizeof out->detail,
                     "%s: the decompressed data are equal (%" PRIu64 " bytes); only the compressed bytes differ", f->name,
                     ds_source_size(pa));
        }
    } else {
        walk_compare_fields(w, frame, f->name, fa, fb, true, &spans, &labels);
        walk_pair_at(w, frame, pa, pb, name, depth_left - 1, out);
        layer_detail(out, f->name);
    }
    out->format = f->name;
    free(spans.items);
    ds_strbuf_free(&labels);
out:
    ds_source_close(pa);
    ds_source_close(pb);
}

static int section_order(const void *x, const void *y)
{
    return strcmp((*(const ds_section_t *const *)x)->location, (*(const ds_section_t *const *)y)->location);
}

/* B's sections sorted by location, for lookups from A's (a catalog holds 100 000 messages). */
static const ds_section_t **sections_index(const ds_sections_t *xb)
{
    const ds_section_t **index = malloc((xb->count ? xb->count : 1) * sizeof *index);
    if (index == NULL)
        return NULL;
    for (size_t i = 0; i < xb->count; i++)
        index[i] = &xb->items[i];
    qsort(index, xb->count, sizeof *index, section_order);
    return index;
}

static const ds_section_t *section_find(const ds_section_t **index, size_t count, const ds_section_t *x)
{
    const ds_section_t *const *hit = bsearch(&x, index, count, sizeof *index, section_order);
    return hit != NULL ? *hit : NULL;
}

/* True when the section pair differs; *held when what differs is a differing field inside it. */
static bool section_differs(ds_walk_t *w, ds_source_t *a, ds_source_t *b, const ds_section_t *x,
                            const ds_section_t *y, const spans_t *spans, size_t field_spans_count, bool *held)
{
    bool same = x->size == y->size;
    ds_source_t *ra = NULL, *rb = NULL;
    if (same && ds_source_open_slice(&ra, a, x->offset, x->size, x->location, NULL) == DS_OK &&
        ds_source_open_slice(&rb, b, y->offset, y->size, y->location, NULL) == DS_OK)
        ds_sources_equal(ra, rb, w->deadline, &same);
    ds_source_close(ra);
    ds_source_close(rb);
    *held = false;
    for (size_t k = 0; k < field_spans_count && !same; k++)
        *held = *held || (x->size == y->size && x->offset == y->offset && spans->items[k].offset >= x->offset &&
                          spans->items[k].offset + spans->items[k].length <= x->offset + x->size);
    return !same;
}

typedef struct sections_seen {
    size_t count, shown;
    ds_strbuf_t *labels;
} sections_seen_t;

static void section_emit(ds_walk_t *w, const walk_frame_t *frame, const char *format, ds_kind_t kind,
                         const ds_section_t *x, const ds_section_t *y, sections_seen_t *seen)
{
    char va[48] = "", vb[48] = "";
    if (x != NULL)
        snprintf(va, sizeof va, "%" PRIu64 " bytes", x->size);
    if (y != NULL)
        snprintf(vb, sizeof vb, "%" PRIu64 " bytes", y->size);
    const ds_section_t *s = x != NULL ? x : y;
    const char *detail = kind == DS_KIND_ADDED     ? "section only in B"
                         : kind == DS_KIND_REMOVED ? "section only in A"
                         : x->size == y->size      ? "section bytes differ"
                                                   : "section size differs";
    walk_emit(w, frame, s->location, kind, x ? va : NULL, y ? vb : NULL, detail, format, false);
    if (seen->shown + seen->count < 3)
        ds_strbuf_printf(seen->labels, "%s%s", seen->shown + seen->count ? ", " : "", s->location + 1);
    seen->count++;
}

/* Sections whose bytes differ, except those that only hold a differing field; sections only
 * one side has are added or removed. */
static size_t compare_sections(ds_walk_t *w, const walk_frame_t *frame, const char *format, ds_source_t *a,
                               ds_source_t *b, const ds_sections_t *xa, const ds_sections_t *xb, spans_t *spans,
                               size_t field_spans_count, ds_strbuf_t *labels, size_t shown)
{
    sections_seen_t seen = {.shown = shown, .labels = labels};
    const ds_section_t **index = sections_index(xb);
    bool *matched = calloc(xb->count ? xb->count : 1, sizeof *matched);
    if (index == NULL || matched == NULL) {
        free(index);
        free(matched);
        return 0;
    }
    for (size_t i = 0; i < xa->count; i++) {
        const ds_section_t *x = &xa->items[i], *y = section_find(index, xb->count, x);
        bool held = false;
        if (y != NULL)
            matched[y - xb->items] = true;
        if (y == NULL) {
            spans_add(spans, x->offset, x->size);
            section_emit(w, frame, format, DS_KIND_REMOVED, x, NULL, &seen);
        } else if (section_differs(w, a, b, x, y, spans, field_spans_count, &held)) {
            spans_add(spans, x->offset, x->size);
            if (!held)
                section_emit(w, frame, format, DS_KIND_HEADER, x, y, &seen);
        }
    }
    for (size_t k = 0; k < xb->count; k++)
        if (!matched[k]) {
            spans_add(spans, xb->items[k].offset, xb->items[k].size);
            section_emit(w, frame, format, DS_KIND_ADDED, NULL, &xb->items[k], &seen);
        }
    free(index);
    free(matched);
    return seen.count;
}

static void walk_document(ds_walk_t *w, const walk_frame_t *frame, const ds_format_t *f, void *sa, void *sb,
                          ds_source_t *a, ds_source_t *b, const char *name, const ds_fields_t *fa,
                          const ds_fields_t *fb, ds_walk_result_t *out)
{
    ds_sections_t xa = {0}, xb = {0};
    if (f->sections != NULL && (f->sections(sa, &xa, NULL) != DS_OK || f->sections(sb, &xb, NULL) != DS_OK))
        xa.count = xb.count = 0;
    spans_t spans = {0};
    ds_strbuf_t labels = {0};
    /* A derived field (ELF's build-id, PE's CheckSum, a digest over the package) is a
     * consequence when the differing fields do not account for every differing byte, or when a
     * field it is derived from differs too (a link timestamp beside the checksum). */
    bool fields_cover = false;
    field_spans(fa, fb, &spans);
    spans_cover_differences(&spans, a, b, w->deadline, &fields_cover);
    spans.count = 0;
    size_t fields = walk_compare_fields(w, frame, f->name, fa, fb, !fields_cover || walk_fields_differ(fa, fb, false),
                                        &spans, &labels);
    size_t sections = compare_sections(w, frame, f->name, a, b, &xa, &xb, &spans, spans.count, &labels, fields);
    bool covered = false;
    spans_cover_differences(&spans, a, b, w->deadline, &covered);
    out->accounted = covered && fields + sections > 0;
    if (out->accounted) {
        describe_accounted(out, f->name, fields + sections, &labels);
    } else {
        if (fields + sections > 0)
            walk_printf(out->detail, sizeof out->detail, "%s: %zu fields and %zu sections differ (%s%s), and bytes outside them",
                     f->name, fields, sections, ds_strbuf_text(&labels), fields + sections > 3 ? ", ..." : "");
        else
            walk_printf(out->detail, sizeof out->detail, "%s: the bytes differ outside every field and section", f->name);
        walk_leaf(w, frame, a, b, name, out);
        out->binary = true;
    }
    out->format = f->name;
    free(spans.items);
    ds_strbuf_free(&labels);
    ds_sections_free(&xa);
    ds_sections_free(&xb);
}

static void walk_formatted(ds_walk_t *w, const walk_frame_t *frame, const ds_format_t *f, ds_source_t *a,
                           ds_source_t *b, const char *name, unsigned depth_left, ds_walk_result_t *out)
{
    void *sa = NULL, *sb = NULL;
    ds_error_t err = {0};
    ds_format_open_t how = {.deadline = w->deadline, .layer = name};
    ds_fields_t fa = {0}, fb = {0};
    if (f->open(&sa, a, &how, &err) != DS_OK || f->open(&sb, b, &how, &err) != DS_OK) {
        walk_printf(out->detail, sizeof out->detail, "%s unreadable: %s", f->name, err.message);
        if (w->limit != NULL)
            w->limit(w->ctx, err.code, err.message);
        walk_leaf(w, frame, a, b, name, out);
        goto out;
    }
    w->opened++;
    if (f->fields != NULL && (f->fields(sa, &fa, &err) != DS_OK || f->fields(sb, &fb, &err) != DS_OK)) {
        ds_fields_free(&fa);
        ds_fields_free(&fb);
    }
    if (f->kind == DS_FORMAT_STREAM) {
        walk_stream(w, frame, f, sa, sb, a, b, name, depth_left, &fa, &fb, out);
    } else if (f->kind == DS_FORMAT_DOCUMENT) {
        walk_document(w, frame, f, sa, sb, a, b, name, &fa, &fb, out);
    } else {
        spans_t spans = {0};
        ds_strbuf_t labels = {0};
        /* The entries first: a derived field of the container (a directory's offset) is a
         * consequence when something inside, or one of its own non-derived fields, differs. */
        size_t inside = walk_container(w, frame, f, sa, sb, depth_left, out);
        size_t fields = walk_compare_fields(w, frame, f->name, &fa, &fb, inside > 0 || walk_fields_differ(&fa, &fb, false),
                                            &spans, &labels);
        out->accounted = fields + inside > 0;
        if (out->accounted && inside == 0)
            describe_accounted(out, f->name, fields, &labels);
        free(spans.items);
        ds_strbuf_free(&labels);
        out->format = f->name;
    }
out:
    ds_fields_free(&fa);
    ds_fields_free(&fb);
    if (sa != NULL)
        f->close(sa);
    if (sb != NULL)
        f->close(sb);
}

/* One side of a recompressed pair: a stream format's decoded payload (*state must stay open
 * while *payload is), or, for a side that is not a stream, the source itself. */
static int side_payload(const ds_walk_t *w, const ds_format_t *f, ds_source_t *src, const char *name, void **state,
                        ds_source_t **payload, ds_error_t *err)
{
    *state = NULL;
    *payload = NULL;
    if (f == NULL || f->kind != DS_FORMAT_STREAM)
        return DS_OK;
    ds_format_open_t how = {.deadline = w->deadline, .layer = name};
    int rc = f->open(state, src, &how, err);
    return rc == DS_OK ? f->payload(*state, payload, err) : rc;
}

static const char *compressor_name(const ds_format_t *f)
{
    return f != NULL && f->kind == DS_FORMAT_STREAM ? f->name : "none";
}

/* A pair one layer of compression apart (A gzip'd and B xz'd, or one side not compressed): the
 * compressor change is one finding at @stream.compressor, and the decoded payloads are walked
 * one level deeper. False (nothing reported) when a side does not decode. */
static bool walk_recompressed(ds_walk_t *w, const walk_frame_t *frame, const ds_format_t *fa,
                              const ds_format_t *fb, ds_source_t *a, ds_source_t *b, const char *name,
                              unsigned depth_left, ds_walk_result_t *out)
{
    void *sa = NULL, *sb = NULL;
    ds_source_t *pa = NULL, *pb = NULL;
    ds_error_t err = {0};
    int rc = side_payload(w, fa, a, name, &sa, &pa, &err);
    if (rc == DS_OK)
        rc = side_payload(w, fb, b, name, &sb, &pb, &err);
    bool equal = false;
    if (rc == DS_OK)
        rc = ds_sources_equal(pa ? pa : a, pb ? pb : b, w->deadline, &equal);
    if (rc == DS_OK) {
        const char *ca = compressor_name(fa), *cb = compressor_name(fb);
        char detail[160];
        walk_printf(detail, sizeof detail, "%s%s in A, %s%s in B; the decompressed data %s",
                    fa == NULL || fa->kind != DS_FORMAT_STREAM ? "not compressed" : "compressed with ",
                    fa == NULL || fa->kind != DS_FORMAT_STREAM ? "" : ca,
                    fb == NULL || fb->kind != DS_FORMAT_STREAM ? "not compressed" : "compressed with ",
                    fb == NULL || fb->kind != DS_FORMAT_STREAM ? "" : cb, equal ? "are equal" : "differ");
        const char *loc[DS_LOCATION_MAX];
        size_t depth = 0;
        for (size_t i = 0; i < frame->depth && depth < DS_LOCATION_MAX - 1; i++)
            loc[depth++] = frame->location[i];
        loc[depth++] = "@stream.compressor";
        const char *format = strcmp(ca, "none") != 0 ? ca : cb;
        ds_walk_finding_t f = {.kind = DS_KIND_HEADER, .location = loc, .depth = depth, .a = ca, .b = cb,
                               .detail = detail, .format = format, .same_payload = equal};
        w->finding(w->ctx, &f);
        if (equal) {
            out->accounted = out->same_payload = true;
            walk_printf(out->detail, sizeof out->detail, "%s -> %s: the decompressed data are equal (%" PRIu64 " bytes)",
                        ca, cb, ds_source_size(pa ? pa : a));
        } else {
            walk_pair_at(w, frame, pa ? pa : a, pb ? pb : b, name, depth_left - 1, out);
            char inner[sizeof out->detail];
            walk_printf(inner, sizeof inner, "%s", out->detail[0] ? out->detail : "the data differ");
            walk_printf(out->detail, sizeof out->detail, "%s -> %s: decompressed, %s", ca, cb, inner);
        }
        out->format = format;
    } else if (w->limit != NULL) {
        w->limit(w->ctx, err.code != DS_OK ? err.code : DS_ERR_FORMAT,
                 err.message[0] ? err.message : "a recompressed pair could not be compared");
    }
    ds_source_close(pa);
    ds_source_close(pb);
    if (sa != NULL)
        fa->close(sa);
    if (sb != NULL)
        fb->close(sb);
    return rc == DS_OK;
}

int walk_pair_at(ds_walk_t *w, const walk_frame_t *frame, ds_source_t *a, ds_source_t *b, const char *name,
                 unsigned depth_left, ds_walk_result_t *out)
{
    free(out->excerpt);
    memset(out, 0, sizeof *out);
    const ds_format_t *fa = ds_format_choose(a, NULL);
    if (depth_left == 0) {
        if (fa != NULL && w->limit != NULL)
            w->limit(w->ctx, DS_OK, "--max-depth reached: some differing files were not looked into");
        return DS_OK;
    }
    const ds_format_t *fb = ds_format_choose(b, NULL);
    bool recompressed = fa != fb && ((fa != NULL && fa->kind == DS_FORMAT_STREAM) ||
                                     (fb != NULL && fb->kind == DS_FORMAT_STREAM));
    if (fa != NULL && fa == fb)
        walk_formatted(w, frame, fa, a, b, name, depth_left, out);
    else if (!recompressed || !walk_recompressed(w, frame, fa, fb, a, b, name, depth_left, out))
        walk_leaf(w, frame, a, b, name, out);
    return DS_OK;
}

int ds_walk_pair(ds_walk_t *walk, ds_source_t *a, ds_source_t *b, const char *name, unsigned depth_left,
                 ds_walk_result_t *out)
{
    walk_frame_t root = {.depth = 0};
    memset(out, 0, sizeof *out);
    return walk_pair_at(walk, &root, a, b, name, depth_left, out);
}

void ds_walk_result_free(ds_walk_result_t *result)
{
    free(result->excerpt);
    memset(result, 0, sizeof *result);
}
