/* Squashfs listings and stored-bytes comparisons started beside the hash pass; see preload.h. */
#include "preload.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../readers/squashfs.h"
#include "listing.h"
#include "run.h"

bool ds_preload_add(ds_preloads_t *p, int side, uint64_t offset, uint64_t length, const char *path)
{
    if (p->count >= DS_PRELOADS_MAX)
        return false;
    ds_preload_t *it = &p->items[p->count];
    memset(it, 0, sizeof *it);
    it->side = side;
    it->offset = offset;
    it->length = length;
    it->partner = -1;
    if (path != NULL && (it->path = strdup(path)) == NULL)
        return false;
    p->count++;
    return true;
}

void ds_container_layers(const char *path, char *slice_layer, char *image_layer, size_t size)
{
    snprintf(slice_layer, size, "squashfs %s", path ? path : "");
    snprintf(image_layer, size, "squashfs%s%s", path ? " " : "", path ? path : "");
}

typedef struct ds_preload_task side_task_t;

static void load_one(ds_preload_t *it, ds_source_t *input)
{
    char slice_layer[300], image_layer[300];
    ds_container_layers(it->path, slice_layer, image_layer, sizeof slice_layer);
    ds_error_t err = {0};
    it->ok = input != NULL &&
             ds_source_open_slice(&it->slice, input, it->offset, it->length, slice_layer, &err) == DS_OK &&
             ds_squashfs_open(&it->squashfs, it->slice, image_layer, &err) == DS_OK;
}

static void load_side(side_task_t *t)
{
    for (size_t k = 0; k < t->p->count; k++)
        if (t->p->items[k].side == t->side && !ds_deadline_passed(t->p->deadline))
            load_one(&t->p->items[k], t->source[t->side]);
}

typedef struct settle_ctx {
    ds_preload_t *a, *b;
    const ds_deadline_t *deadline;
    ds_stored_memo_t memo;
    ds_listing_pass_t listing;
    size_t pairs;         /* regular file pairs so far: the index of the next one */
    size_t layout_stride;
    bool failed;
} settle_ctx_t;

static bool grow_settled(ds_preload_t *a, size_t index)
{
    if (index / 8 < a->settled_bytes)
        return true;
    size_t bigger = a->settled_bytes ? a->settled_bytes * 2 : 1024;
    unsigned char *grown = realloc(a->settled, bigger);
    if (grown == NULL)
        return false;
    memset(grown + a->settled_bytes, 0, bigger - a->settled_bytes);
    a->settled = grown;
    a->settled_bytes = bigger;
    return true;
}

/* A file pair whose stored bytes differ goes to the content stage's list while it has room. */
static bool keep_pair(ds_preload_t *pa, const ds_entry_t *a, const ds_entry_t *b)
{
    if (pa->items_overflow)
        return true;
    if (pa->item_count == CONTENT_CHUNK) {
        pa->items_overflow = true;
        return true;
    }
    content_item_t *it = &pa->items[pa->item_count];
    memset(it, 0, sizeof *it);
    if (!content_item_take(it, a, b))
        return false;
    pa->item_count++;
    return true;
}

static int settle_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    settle_ctx_t *s = opaque;
    ds_listing_visit(&s->listing, a, b);
    if (a == NULL || b == NULL || a->type != DS_ENTRY_FILE || b->type != DS_ENTRY_FILE)
        return 0;
    size_t index = s->pairs++;
    ds_preload_t *pa = s->a;
    if (index % s->layout_stride == 0 && pa->layout_count < CONTENT_LAYOUT_SAMPLE && a->extent_count > 0 &&
        b->extent_count > 0)
        pa->layout[pa->layout_count++] = (content_layout_key_t){a->extents[0].offset, b->extents[0].offset};
    bool same = false;
    ds_error_t err = {0};
    if (a->size == b->size &&
        ds_squashfs_stored_equal_memo(pa->squashfs, a, s->b->squashfs, b, &s->memo, &same, &err) != DS_OK)
        return s->failed = true; /* the content stage meets the same error and reports it */
    if (!grow_settled(pa, index))
        return s->failed = true;
    if (same) {
        pa->settled[index / 8] |= (unsigned char)(1u << (index % 8));
        pa->settled_count++;
    } else if (!keep_pair(pa, a, b)) {
        return s->failed = true;
    }
    return 0;
}

/* The temporary files and buffers of a's listing pass; false when they cannot be had. */
static bool pass_begin(ds_preloads_t *p, ds_preload_t *a)
{
    static const char *const names[3] = {"preload-ls-a.txt", "preload-ls-b.txt", "preload-ls-diff.txt"};
    a->items = calloc(CONTENT_CHUNK, sizeof *a->items);
    a->layout = malloc(CONTENT_LAYOUT_SAMPLE * sizeof *a->layout);
    if (a->items == NULL || a->layout == NULL || p->out_fd < 0)
        return false;
    for (int k = 0; k < 3; k++)
        if (ds_outfile_begin(&a->pass_out[k], p->out_fd, names[k], NULL) != DS_OK) {
            while (k-- > 0)
                ds_outfile_abort(&a->pass_out[k]);
            return false;
        }
    a->pass_open = true;
    return true;
}

static void pass_drop(ds_preload_t *a)
{
    if (a->pass_open)
        for (int k = 0; k < 3; k++)
            ds_outfile_abort(&a->pass_out[k]);
    a->pass_open = a->passed = false;
    for (size_t i = 0; a->items != NULL && i < a->item_count; i++)
        content_item_release(&a->items[i]);
    free(a->items);
    free(a->layout);
    a->items = NULL;
    a->layout = NULL;
    a->item_count = a->layout_count = 0;
    ds_findings_free(&a->pass_findings);
}

/* One walk of a pair of payloads at the same path (or the inputs themselves), both opened: the
 * listing pass, and the stored bytes of every file pair of equal size. Kept only when both
 * trees were read whole without a problem (then the stages' own walks would meet the same
 * entries in the same order). */
static void settle_pair(ds_preloads_t *p, ds_preload_t *a, ds_preload_t *b, int partner)
{
    settle_ctx_t s = {.a = a, .b = b, .deadline = p->deadline};
    s.layout_stride = ds_squashfs_super(a->squashfs)->inode_count / CONTENT_LAYOUT_SAMPLE + 1;
    bool open = pass_begin(p, a);
    ds_squashfs_t *const images[2] = {a->squashfs, b->squashfs};
    ds_squashfs_walk_t w;
    int rc = -1;
    if (open) {
        s.listing = (ds_listing_pass_t){.list = {a->pass_out[0].stream, a->pass_out[1].stream},
                                        .diff = a->pass_out[2].stream, .findings = &a->pass_findings,
                                        .container = a->path, .walk = &w};
        rc = ds_squashfs_walk_pair(images, p->deadline, settle_visit, &s, &w);
    } else {
        memset(&w, 0, sizeof w);
    }
    bool whole = rc == 0 && !s.failed && w.complete[0] && w.complete[1] && w.problems[0].count == 0 &&
                 w.problems[1].count == 0;
    for (int k = 0; whole && k < 3; k++)
        whole = fflush(a->pass_out[k].stream) == 0 && !ferror(a->pass_out[k].stream);
    ds_listing_pass_free(&s.listing);
    if (a->items_overflow) { /* the content stage walks itself; only the verdicts serve */
        for (size_t i = 0; i < a->item_count; i++)
            content_item_release(&a->items[i]);
        a->item_count = 0;
    }
    if (whole) {
        a->partner = partner;
        a->settled_pairs = s.pairs;
        a->passed = true;
        a->pass_diff_lines = s.listing.diff_lines;
        a->pass_entries[0] = w.entries[0];
        a->pass_entries[1] = w.entries[1];
        a->pass_pairs = s.pairs;
    } else {
        pass_drop(a);
        free(a->settled);
        a->settled = NULL;
        a->settled_bytes = 0;
        a->settled_count = 0;
    }
    ds_squashfs_walk_free(&w);
}

static void settle_pairs(ds_preloads_t *p)
{
    for (size_t i = 0; i < p->count; i++) {
        ds_preload_t *a = &p->items[i];
        if (a->side != 0 || !a->ok)
            continue;
        for (size_t k = 0; k < p->count; k++) {
            ds_preload_t *b = &p->items[k];
            if (b->side != 1 || !b->ok || (a->path == NULL) != (b->path == NULL) ||
                (a->path != NULL && strcmp(a->path, b->path) != 0))
                continue;
            settle_pair(p, a, b, (int)k);
            break;
        }
    }
}

static void *side_thread(void *opaque)
{
    side_task_t *t = opaque;
    load_side(t);
    if (t->side == 0) {
        /* side B's listing is read by its own thread meanwhile; then the pairs */
        if (t->p->started[1]) {
            pthread_join(t->p->thread[1], NULL);
            t->p->started[1] = false;
        } else {
            side_task_t other = *t;
            other.side = 1;
            load_side(&other);
        }
        settle_pairs(t->p);
    }
    return NULL;
}

void ds_preload_start(ds_preloads_t *p, ds_run_t *run, const ds_deadline_t *deadline)
{
    p->deadline = deadline;
    p->out_fd = run->out_fd;
    if (p->count == 0)
        return;
    for (int i = 1; i >= 0; i--) {
        p->task[i] = (side_task_t){.p = p, .source = {run->side[0].source, run->side[1].source}, .side = i};
        p->started[i] = pthread_create(&p->thread[i], NULL, side_thread, &p->task[i]) == 0;
    }
}

void ds_preload_wait(ds_preloads_t *p)
{
    if (p->started[0]) {
        pthread_join(p->thread[0], NULL);
        p->started[0] = false;
    }
    if (p->started[1]) { /* side A's thread never started: nothing joined B's */
        pthread_join(p->thread[1], NULL);
        p->started[1] = false;
    }
}

bool ds_preload_adopt(ds_preloads_t *p, ds_container_t *c, int side)
{
    for (size_t k = 0; k < p->count; k++) {
        ds_preload_t *it = &p->items[k];
        if (!it->ok || it->adopted || it->side != side || it->offset != c->offset[side] ||
            it->length != c->length[side] || (it->path == NULL) != (c->path == NULL) ||
            (it->path != NULL && strcmp(it->path, c->path) != 0))
            continue;
        c->slice[side] = it->slice;
        c->squashfs[side] = it->squashfs;
        c->preload[side] = (int)k;
        it->slice = NULL;
        it->squashfs = NULL;
        it->adopted = true;
        return true;
    }
    return false;
}

const unsigned char *ds_preload_settled(const ds_preloads_t *p, const ds_container_t *c, size_t *pairs)
{
    *pairs = 0;
    if (c->preload[0] < 0 || c->preload[1] < 0)
        return NULL;
    const ds_preload_t *pa = &p->items[c->preload[0]];
    if (pa->partner != c->preload[1])
        return NULL;
    *pairs = pa->settled_pairs;
    return pa->settled;
}

ds_preload_t *ds_preload_pass(ds_preloads_t *p, const ds_container_t *c)
{
    size_t pairs;
    if (ds_preload_settled(p, c, &pairs) == NULL)
        return NULL;
    ds_preload_t *pa = &p->items[c->preload[0]];
    return pa->passed ? pa : NULL;
}

bool ds_preload_pass_copy(ds_preload_t *pa, int k, FILE *out)
{
    int fd = openat(pa->pass_out[k].dir_fd, pa->pass_out[k].temp_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[65536];
    ssize_t n;
    bool ok = true;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        ok = ok && fwrite(buf, 1, (size_t)n, out) == (size_t)n;
    close(fd);
    return ok && n == 0;
}

void ds_preload_free(ds_preloads_t *p)
{
    ds_preload_wait(p);
    for (size_t k = 0; k < p->count; k++) {
        ds_preload_t *it = &p->items[k];
        pass_drop(it);
        ds_squashfs_close(it->squashfs);
        ds_source_close(it->slice);
        free(it->path);
        free(it->settled);
    }
    p->count = 0;
}
