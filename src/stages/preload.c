/* Squashfs listings and stored-bytes comparisons started beside the hash pass; see preload.h. */
#include "preload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../readers/squashfs.h"
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
    size_t pairs; /* regular file pairs so far: the index of the next one */
    bool failed;
} settle_ctx_t;

static int settle_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    settle_ctx_t *s = opaque;
    if (a == NULL || b == NULL || a->type != DS_ENTRY_FILE || b->type != DS_ENTRY_FILE)
        return 0;
    size_t index = s->pairs++;
    if (a->size != b->size)
        return 0;
    if (index / 8 >= s->a->settled_bytes) {
        size_t bigger = s->a->settled_bytes ? s->a->settled_bytes * 2 : 1024;
        unsigned char *grown = realloc(s->a->settled, bigger);
        if (grown == NULL)
            return s->failed = true;
        memset(grown + s->a->settled_bytes, 0, bigger - s->a->settled_bytes);
        s->a->settled = grown;
        s->a->settled_bytes = bigger;
    }
    bool same = false;
    ds_error_t err = {0};
    if (ds_squashfs_stored_equal_memo(s->a->squashfs, a, s->b->squashfs, b, &s->memo, &same, &err) != DS_OK)
        return s->failed = true; /* the content stage meets the same error and reports it */
    if (same) {
        s->a->settled[index / 8] |= (unsigned char)(1u << (index % 8));
        s->a->settled_count++;
    }
    return 0;
}

/* Pairs of payloads at the same path (or the inputs themselves), both opened: one walk of both
 * directory tables compares the stored bytes of every file pair of equal size. The verdicts are
 * kept only when both trees were read whole without a problem (then the content stage's own
 * walk meets the same pairs in the same order). */
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
            settle_ctx_t s = {.a = a, .b = b, .deadline = p->deadline};
            ds_squashfs_t *const images[2] = {a->squashfs, b->squashfs};
            ds_squashfs_walk_t w;
            int rc = ds_squashfs_walk_pair(images, p->deadline, settle_visit, &s, &w);
            bool whole = rc == 0 && !s.failed && w.complete[0] && w.complete[1] && w.problems[0].count == 0 &&
                         w.problems[1].count == 0;
            ds_squashfs_walk_free(&w);
            if (whole) {
                a->partner = (int)k;
                a->settled_pairs = s.pairs;
            } else {
                free(a->settled);
                a->settled = NULL;
                a->settled_bytes = 0;
                a->settled_count = 0;
            }
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

void ds_preload_free(ds_preloads_t *p)
{
    ds_preload_wait(p);
    for (size_t k = 0; k < p->count; k++) {
        ds_preload_t *it = &p->items[k];
        ds_squashfs_close(it->squashfs);
        ds_source_close(it->slice);
        free(it->path);
        free(it->settled);
    }
    p->count = 0;
}
