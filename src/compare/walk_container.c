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

/* An entry present on one side only, kept until the pairing keys have been tried. */
typedef struct leftover {
    char *key;
    const ds_entry_t *entry;
    int side; /* 0: A, 1: B */
} leftover_t;

typedef struct merge {
    ds_walk_t *w;
    const walk_frame_t *frame;
    const ds_format_t *format;
    void *state[2];
    unsigned depth_left;
    size_t differences, content, metadata, present;
    ds_walk_result_t *out;
    leftover_t *leftovers; /* formats with a pair_key: the one-sided entries that have a key */
    size_t leftover_count, leftover_capacity;
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
        m->w->limit(m->w->ctx, err.code, err.message);
    char va[48], vb[48], size[64], renamed[160] = "", detail[sizeof child.detail + sizeof renamed + 64];
    snprintf(va, sizeof va, "%" PRIu64 " bytes", a->size);
    snprintf(vb, sizeof vb, "%" PRIu64 " bytes", b->size);
    if (a->size == b->size)
        snprintf(size, sizeof size, "same size");
    else
        snprintf(size, sizeof size, "size %" PRIu64 " -> %" PRIu64 " bytes", a->size, b->size);
    if (strcmp(a->path, b->path) != 0) /* paired by the format's key */
        walk_printf(renamed, sizeof renamed, "; named %s in B", b->path);
    walk_printf(detail, sizeof detail, "member data differ (%s)%s%s%s", size, renamed, child.detail[0] ? "; " : "",
                child.detail);
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

/* The format's own fields of an entry pair (a zip member's CRC, method, extra fields), at
 * [..., "/member", "@zip.member.crc32"]. Derived ones are consequences when the content or a
 * non-derived field differs. */
static void compare_entry_fields(merge_t *m, const ds_entry_t *a, const ds_entry_t *b, bool content_differs)
{
    ds_fields_t fa = {0}, fb = {0};
    ds_error_t err = {0};
    if (m->format->entry_fields(m->state[0], a, &fa, &err) == DS_OK &&
        m->format->entry_fields(m->state[1], b, &fb, &err) == DS_OK) {
        walk_frame_t frame = *m->frame;
        if (frame.depth < DS_LOCATION_MAX - 1)
            frame.location[frame.depth++] = a->path;
        spans_t spans = {0};
        ds_strbuf_t labels = {0};
        bool derived_secondary = content_differs || walk_fields_differ(&fa, &fb, false);
        size_t count = walk_compare_fields(m->w, &frame, m->format->name, &fa, &fb, derived_secondary, &spans, &labels);
        m->differences += count;
        m->metadata += count;
        free(spans.items);
        ds_strbuf_free(&labels);
    } else if (m->w->limit != NULL) {
        m->w->limit(m->w->ctx, err.code != DS_OK ? err.code : DS_ERR_FORMAT,
                    err.message[0] ? err.message : "an entry's fields could not be read");
    }
    ds_fields_free(&fa);
    ds_fields_free(&fb);
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
    bool files = a->type == DS_ENTRY_FILE && b->type == DS_ENTRY_FILE, equal = false;
    /* When the contents cannot be compared (a broken cluster chain), opening them again
     * reports why on the entry itself. */
    bool differs = files && (content_equal(m, a, b, &equal) != DS_OK || !equal);
    if (m->format->entry_fields != NULL)
        compare_entry_fields(m, a, b, differs || a->type != b->type);
    if (differs)
        content_differs(m, a, b);
}

/* An entry one side lacks, held back: the format may pair it under another name. */
static bool leftover_keep(merge_t *m, const ds_entry_t *e, int side)
{
    size_t size = strlen(e->path) + 1;
    char *key = malloc(size);
    if (key == NULL)
        return false;
    if (!m->format->pair_key(e->path, key, size))
        memcpy(key, e->path, size); /* a name without a key pairs with its keyed other ("data.tar") */
    if (m->leftover_count == m->leftover_capacity) {
        size_t capacity = m->leftover_capacity ? m->leftover_capacity * 2 : 16;
        leftover_t *items = realloc(m->leftovers, capacity * sizeof *items);
        if (items == NULL) {
            free(key);
            return false;
        }
        m->leftovers = items;
        m->leftover_capacity = capacity;
    }
    m->leftovers[m->leftover_count++] = (leftover_t){key, e, side};
    return true;
}

static int visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    merge_t *m = opaque;
    if (ds_deadline_passed(m->w->deadline))
        return 1;
    if ((a == NULL || b == NULL) && m->format->pair_key != NULL && leftover_keep(m, a ? a : b, a ? 0 : 1))
        return 0;
    visit_pair(m, a, b);
    return 0;
}

static int by_key(const void *x, const void *y)
{
    const leftover_t *a = x, *b = y;
    int order = strcmp(a->key, b->key);
    return order != 0 ? order : (a->side > b->side) - (a->side < b->side);
}

/* The held-back entries: one of A and one of B with the same key, and no other with it, are a
 * pair; every other one is present on one side only. */
static void visit_leftovers(merge_t *m)
{
    if (m->leftover_count == 0)
        return;
    qsort(m->leftovers, m->leftover_count, sizeof *m->leftovers, by_key);
    for (size_t i = 0; i < m->leftover_count;) {
        size_t n = 1;
        while (i + n < m->leftover_count && strcmp(m->leftovers[i].key, m->leftovers[i + n].key) == 0)
            n++;
        if (ds_deadline_passed(m->w->deadline))
            break;
        if (n == 2 && m->leftovers[i].side == 0 && m->leftovers[i + 1].side == 1) {
            visit_pair(m, m->leftovers[i].entry, m->leftovers[i + 1].entry);
        } else {
            for (size_t k = i; k < i + n; k++)
                visit_pair(m, m->leftovers[k].side == 0 ? m->leftovers[k].entry : NULL,
                           m->leftovers[k].side == 1 ? m->leftovers[k].entry : NULL);
        }
        i += n;
    }
    for (size_t i = 0; i < m->leftover_count; i++)
        free(m->leftovers[i].key);
    free(m->leftovers);
    m->leftovers = NULL;
    m->leftover_count = m->leftover_capacity = 0;
}

typedef struct ordered {
    uint32_t index;
    const char *key;
} ordered_t;

static int ordered_by_index(const void *x, const void *y)
{
    const ordered_t *a = x, *b = y;
    return (a->index > b->index) - (a->index < b->index);
}

static int ordered_by_key(const void *x, const void *y)
{
    return strcmp(((const ordered_t *)x)->key, ((const ordered_t *)y)->key);
}

/* Each entry's pairing key (its name, or the format's pair_key) in the container's own order;
 * keys the format made are in *owned (freed by the caller). NULL when out of memory. */
static ordered_t *order_keys(const ds_format_t *format, const ds_tree_t *tree, char ***owned)
{
    ordered_t *keys = malloc(tree->count * sizeof *keys);
    *owned = format->pair_key ? calloc(tree->count, sizeof **owned) : NULL;
    if (keys == NULL || (format->pair_key && *owned == NULL)) {
        free(keys);
        return NULL;
    }
    for (size_t i = 0; i < tree->count; i++) {
        const ds_entry_t *e = &tree->entries[i];
        size_t size = strlen(e->path) + 1;
        char *key = format->pair_key ? malloc(size) : NULL;
        if (key != NULL && format->pair_key(e->path, key, size))
            (*owned)[i] = key;
        else
            free(key);
        keys[i] = (ordered_t){e->index, format->pair_key && (*owned)[i] ? (*owned)[i] : e->path};
    }
    qsort(keys, tree->count, sizeof *keys, ordered_by_index);
    return keys;
}

static void owned_free(char **owned, size_t count)
{
    for (size_t i = 0; owned != NULL && i < count; i++)
        free(owned[i]);
    free(owned);
}

/* The same keys (names) on both sides, in another sequence: true. */
static bool reordered(const ds_format_t *format, const ds_tree_t *ta, const ds_tree_t *tb)
{
    if (ta->count != tb->count || ta->count < 2)
        return false;
    char **owned_a = NULL, **owned_b = NULL;
    ordered_t *oa = order_keys(format, ta, &owned_a), *ob = order_keys(format, tb, &owned_b);
    ordered_t *sa = oa ? malloc(ta->count * sizeof *sa) : NULL, *sb = ob ? malloc(tb->count * sizeof *sb) : NULL;
    bool same_keys = sa != NULL && sb != NULL, differ = false;
    if (same_keys) {
        memcpy(sa, oa, ta->count * sizeof *sa);
        memcpy(sb, ob, tb->count * sizeof *sb);
        qsort(sa, ta->count, sizeof *sa, ordered_by_key);
        qsort(sb, tb->count, sizeof *sb, ordered_by_key);
    }
    for (size_t i = 0; same_keys && i < ta->count; i++)
        same_keys = strcmp(sa[i].key, sb[i].key) == 0;
    for (size_t i = 0; same_keys && i < ta->count && !differ; i++)
        differ = strcmp(oa[i].key, ob[i].key) != 0;
    free(sa);
    free(sb);
    free(oa);
    free(ob);
    owned_free(owned_a, ta->count);
    owned_free(owned_b, tb->count);
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
        w->limit(w->ctx, err.code, err.message);
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
        visit_leftovers(&m);
        if (reordered(format, &ta, &tb)) {
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
