/* Containers in the recursive comparer: entries merged by name (or by position for segment
 * lists), metadata compared, order checked, and the pairs whose content differs opened and
 * walked one level deeper. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "metadata.h"
#include "walk_internal.h"

typedef struct merge {
    ds_walk_t *w;
    const walk_frame_t *frame;
    const ds_format_t *format;
    void *state[2];
    unsigned depth_left;
    size_t differences, content, metadata, present;
    ds_walk_result_t *out;
} merge_t;

typedef struct meta_ctx {
    merge_t *m;
    const ds_entry_t *a, *b;
} meta_ctx_t;

static void meta_emit(void *opaque, ds_kind_t kind, const char *field, const char *a, const char *b,
                      const char *detail)
{
    meta_ctx_t *c = opaque;
    /* A format with richer times shows them (FAT: written, created, accessed). */
    if (strcmp(field, "mtime") == 0 && c->a->mtime_text != NULL && c->b->mtime_text != NULL) {
        a = c->a->mtime_text;
        b = c->b->mtime_text;
    }
    walk_emit(c->m->w, c->m->frame, c->a->path, kind, a, b, detail, c->m->format->name, false);
    c->m->differences++;
    c->m->metadata++;
}

static int content_equal(merge_t *m, const ds_entry_t *a, const ds_entry_t *b, bool *equal)
{
    *equal = false;
    if (a->size != b->size)
        return DS_OK;
    if (a->digest != NULL && b->digest != NULL) {
        *equal = memcmp(a->digest, b->digest, 32) == 0;
        return DS_OK;
    }
    bool known = false;
    if (m->format->same_content != NULL &&
        m->format->same_content(m->state[0], a, m->state[1], b, &known, equal, NULL) == DS_OK && known)
        return DS_OK;
    ds_source_t *ca = NULL, *cb = NULL;
    int rc = m->format->open_entry(m->state[0], a, &ca, NULL);
    if (rc == DS_OK)
        rc = m->format->open_entry(m->state[1], b, &cb, NULL);
    if (rc == DS_OK)
        rc = ds_sources_equal(ca, cb, m->w->deadline, equal);
    ds_source_close(ca);
    ds_source_close(cb);
    return rc;
}

/* The content pair differs: open both and walk one level deeper. */
static void content_differs(merge_t *m, const ds_entry_t *a, const ds_entry_t *b)
{
    ds_source_t *ca = NULL, *cb = NULL;
    ds_error_t err = {0};
    ds_walk_result_t child = {0};
    walk_frame_t frame = *m->frame;
    if (frame.depth < DS_LOCATION_MAX)
        frame.location[frame.depth++] = a->path;
    if (m->format->open_entry(m->state[0], a, &ca, &err) == DS_OK &&
        m->format->open_entry(m->state[1], b, &cb, &err) == DS_OK)
        walk_pair_at(m->w, &frame, ca, cb, a->path, m->depth_left - 1, &child);
    else
        walk_printf(child.detail, sizeof child.detail, "not opened: %s", err.message);
    if (err.code != DS_OK && m->w->limit != NULL)
        m->w->limit(m->w->ctx, err.message);
    char va[48], vb[48], detail[sizeof child.detail + 64];
    snprintf(va, sizeof va, "%" PRIu64 " bytes", a->size);
    snprintf(vb, sizeof vb, "%" PRIu64 " bytes", b->size);
    if (a->size == b->size)
        walk_printf(detail, sizeof detail, "member data differ (same size)%s%s", child.detail[0] ? "; " : "", child.detail);
    else
        walk_printf(detail, sizeof detail, "member data differ (size %" PRIu64 " -> %" PRIu64 " bytes)%s%s", a->size,
                 b->size, child.detail[0] ? "; " : "", child.detail);
    const char *loc[DS_LOCATION_MAX];
    for (size_t i = 0; i < frame.depth; i++)
        loc[i] = frame.location[i];
    ds_walk_finding_t f = {.kind = DS_KIND_CONTENT, .location = loc, .depth = frame.depth, .a = va, .b = vb,
                           .detail = detail, .format = m->format->name, .cause = child.cause,
                           .confidence = child.confidence, .secondary = child.accounted, .judged = true,
                           .same_payload = child.same_payload,
                           .excerpt = child.excerpt};
    m->w->finding(m->w->ctx, &f);
    m->differences++;
    m->content++;
    ds_walk_result_free(&child);
    ds_source_close(ca);
    ds_source_close(cb);
}

static void visit_pair(merge_t *m, const ds_entry_t *a, const ds_entry_t *b)
{
    if (a == NULL || b == NULL) {
        const ds_entry_t *e = a ? a : b;
        char detail[64];
        walk_printf(detail, sizeof detail, "%s present only in %c", ds_entry_type_name(e->type), a ? 'A' : 'B');
        walk_emit(m->w, m->frame, e->path, a ? DS_KIND_REMOVED : DS_KIND_ADDED, NULL, NULL, detail, m->format->name,
                  false);
        m->differences++;
        return;
    }
    m->present++;
    meta_ctx_t ctx = {m, a, b};
    size_t before = m->metadata;
    ds_metadata_compare(a, b, meta_emit, &ctx);
    if (m->metadata == before && a->mtime == b->mtime && a->mtime_text && b->mtime_text &&
        strcmp(a->mtime_text, b->mtime_text) != 0)
        meta_emit(&ctx, DS_KIND_MTIME, "mtime", a->mtime_text, b->mtime_text, "times differ");
    if (a->type != DS_ENTRY_FILE || b->type != DS_ENTRY_FILE)
        return;
    bool equal = false;
    /* When the contents cannot be compared (a broken cluster chain), opening them again
     * reports why on the entry itself. */
    if (content_equal(m, a, b, &equal) != DS_OK || !equal)
        content_differs(m, a, b);
}

static int visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    merge_t *m = opaque;
    if (ds_deadline_passed(m->w->deadline))
        return 1;
    visit_pair(m, a, b);
    return 0;
}

static int by_index(const void *x, const void *y)
{
    const ds_entry_t *const *a = x, *const *b = y;
    return ((*a)->index > (*b)->index) - ((*a)->index < (*b)->index);
}

/* Same names on both sides, another sequence: true. */
static bool reordered(const ds_tree_t *ta, const ds_tree_t *tb)
{
    if (ta->count != tb->count || ta->count < 2)
        return false;
    for (size_t i = 0; i < ta->count; i++)
        if (strcmp(ta->entries[i].path, tb->entries[i].path) != 0)
            return false;
    const ds_entry_t **oa = malloc(ta->count * sizeof *oa), **ob = malloc(tb->count * sizeof *ob);
    bool differ = false;
    for (size_t i = 0; oa && ob && i < ta->count; i++) {
        oa[i] = &ta->entries[i];
        ob[i] = &tb->entries[i];
    }
    if (oa != NULL && ob != NULL) {
        qsort(oa, ta->count, sizeof *oa, by_index);
        qsort(ob, tb->count, sizeof *ob, by_index);
        for (size_t i = 0; i < ta->count && !differ; i++)
            differ = strcmp(oa[i]->path, ob[i]->path) != 0;
    }
    free(oa);
    free(ob);
    return differ;
}

/* Segment lists: the same contents in another order is one finding, not a pair per segment. */
static bool segments_reordered(const ds_tree_t *ta, const ds_tree_t *tb)
{
    if (ta->count != tb->count || ta->count < 2)
        return false;
    bool same_place = true;
    for (size_t i = 0; i < ta->count; i++) {
        bool found = false;
        for (size_t k = 0; k < tb->count && !found; k++)
            found = ta->entries[i].digest != NULL && tb->entries[k].digest != NULL &&
                    ta->entries[i].size == tb->entries[k].size &&
                    memcmp(ta->entries[i].digest, tb->entries[k].digest, 32) == 0;
        if (!found)
            return false;
        same_place = same_place && tb->entries[i].digest != NULL &&
                     memcmp(ta->entries[i].digest, tb->entries[i].digest, 32) == 0;
    }
    return !same_place;
}

static int load(const ds_format_t *format, void *state, ds_tree_t *tree, ds_error_t *err)
{
    int rc = format->entries(state, tree, err);
    if (!(format->flags & DS_FORMAT_BY_INDEX))
        ds_tree_sort(tree);
    return rc;
}

size_t walk_container(ds_walk_t *w, const walk_frame_t *frame, const ds_format_t *format, void *state_a,
                      void *state_b, unsigned depth_left, ds_walk_result_t *out)
{
    ds_tree_t ta = {0}, tb = {0};
    ds_error_t err = {0};
    merge_t m = {.w = w, .frame = frame, .format = format, .state = {state_a, state_b}, .depth_left = depth_left,
                 .out = out};
    int rc = load(format, state_a, &ta, &err);
    int rc_b = load(format, state_b, &tb, rc == DS_OK ? &err : NULL);
    if (rc == DS_OK)
        rc = rc_b;
    if (rc != DS_OK && w->limit != NULL)
        w->limit(w->ctx, err.message);
    char order[64];
    snprintf(order, sizeof order, "@%s.order", format->name);
    if (rc != DS_OK) {
        /* One side could not be listed whole: pairing what was read would report every
         * missing entry as removed. The pair stays a root, with why in its detail. */
    } else if (format->flags & DS_FORMAT_BY_INDEX) {
        if (segments_reordered(&ta, &tb)) {
            walk_emit(w, frame, order, DS_KIND_ORDER, NULL, NULL, "the same segments in another order", format->name,
                      false);
            m.differences++;
        } else {
            for (size_t i = 0; i < ta.count || i < tb.count; i++)
                visit(&m, i < ta.count ? &ta.entries[i] : NULL, i < tb.count ? &tb.entries[i] : NULL);
        }
    } else {
        ds_tree_merge(&ta, &tb, visit, &m);
        if (reordered(&ta, &tb)) {
            walk_emit(w, frame, order, DS_KIND_ORDER, NULL, NULL, "the same entries in another order", format->name,
                      false);
            m.differences++;
        }
    }
    if (rc != DS_OK)
        walk_printf(out->detail, sizeof out->detail, "%s not fully read: %s", format->name, err.message);
    else if (m.differences == 0)
        walk_printf(out->detail, sizeof out->detail,
                 "%s: every entry is equal; the bytes differ outside them (padding, packing or the format's own records)",
                 format->name);
    else if (format->flags & DS_FORMAT_BY_INDEX)
        walk_printf(out->detail, sizeof out->detail, "%s (%zu segments): %zu differ in content", format->name, ta.count,
                 m.content);
    else
        walk_printf(out->detail, sizeof out->detail, "%s: %zu entries differ in content, %zu in metadata", format->name,
                 m.content, m.metadata);
    ds_tree_free(&ta);
    ds_tree_free(&tb);
    return m.differences;
}
