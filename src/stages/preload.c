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

static void load_one(ds_preload_t *it, ds_source_t *input, const ds_deadline_t *deadline)
{
    char slice_layer[300], image_layer[300];
    ds_container_layers(it->path, slice_layer, image_layer, sizeof slice_layer);
    ds_error_t err = {0};
    if (input == NULL ||
        ds_source_open_slice(&it->slice, input, it->offset, it->length, slice_layer, &err) != DS_OK ||
        ds_squashfs_open(&it->squashfs, it->slice, image_layer, &err) != DS_OK)
        return;
    int rc = ds_squashfs_load_tree(it->squashfs, &it->tree, deadline, &err);
    it->ok = rc == DS_OK && it->tree.complete && it->tree.problems.count == 0;
}

static void load_side(side_task_t *t)
{
    for (size_t k = 0; k < t->p->count; k++)
        if (t->p->items[k].side == t->side && !ds_deadline_passed(t->p->deadline))
            load_one(&t->p->items[k], t->source[t->side], t->p->deadline);
}

typedef struct settle_ctx {
    ds_preload_t *a, *b;
    const ds_deadline_t *deadline;
    ds_stored_memo_t memo;
    size_t visited;
    bool stop;
} settle_ctx_t;

static int settle_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    settle_ctx_t *s = opaque;
    if (a == NULL || b == NULL || a->type != DS_ENTRY_FILE || b->type != DS_ENTRY_FILE || a->size != b->size)
        return 0;
    if (++s->visited % 256 == 0 && ds_deadline_passed(s->deadline))
        return 1;
    bool same = false;
    ds_error_t err = {0};
    if (ds_squashfs_stored_equal_memo(s->a->squashfs, a, s->b->squashfs, b, &s->memo, &same, &err) != DS_OK)
        return 1; /* the content stage meets the same error and reports it */
    if (same) {
        size_t index = (size_t)(a - s->a->tree.entries);
        s->a->settled[index / 8] |= (unsigned char)(1u << (index % 8));
        s->a->settled_count++;
    }
    return 0;
}

/* Pairs of payloads at the same path (or the inputs themselves), both listed: stored bytes. */
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
            a->partner = (int)k;
            a->settled = calloc(a->tree.count / 8 + 1, 1);
            if (a->settled == NULL)
                break;
            settle_ctx_t s = {.a = a, .b = b, .deadline = p->deadline};
            ds_tree_merge(&a->tree, &b->tree, settle_visit, &s);
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
        c->tree[side] = it->tree;
        c->tree_loaded[side] = true;
        c->preload[side] = (int)k;
        it->slice = NULL;
        it->squashfs = NULL;
        memset(&it->tree, 0, sizeof it->tree);
        it->adopted = true;
        return true;
    }
    return false;
}

const unsigned char *ds_preload_settled(const ds_preloads_t *p, const ds_container_t *c)
{
    if (c->preload[0] < 0 || c->preload[1] < 0)
        return NULL;
    const ds_preload_t *pa = &p->items[c->preload[0]];
    return pa->partner == c->preload[1] ? pa->settled : NULL;
}

void ds_preload_free(ds_preloads_t *p)
{
    ds_preload_wait(p);
    for (size_t k = 0; k < p->count; k++) {
        ds_preload_t *it = &p->items[k];
        ds_tree_free(&it->tree);
        ds_squashfs_close(it->squashfs);
        ds_source_close(it->slice);
        free(it->path);
        free(it->settled);
    }
    p->count = 0;
}
