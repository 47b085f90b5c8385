#include "tree.h"

#include <stdlib.h>
#include <string.h>

static int entry_order(const void *x, const void *y)
{
    const ds_entry_t *a = x, *b = y;
    return strcmp(a->path, b->path);
}

int ds_tree_load(ds_tree_t *tree, const ds_reader_ops_t *ops, ds_source_t *src,
                 const ds_deadline_t *deadline, ds_error_t *err)
{
    memset(tree, 0, sizeof *tree);
    void *state = NULL;
    int rc = ops->open(&state, src, deadline, &tree->problems, err);
    if (rc != DS_OK)
        return rc;
    for (;;) {
        if (tree->count == tree->capacity) {
            size_t capacity = tree->capacity ? tree->capacity * 2 : 256;
            ds_entry_t *entries = realloc(tree->entries, capacity * sizeof *entries);
            if (entries == NULL) {
                rc = ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory reading the tree",
                                  ds_source_label(src));
                break;
            }
            tree->entries = entries;
            tree->capacity = capacity;
        }
        rc = ops->next(state, &tree->entries[tree->count], err);
        if (rc == 1) {
            tree->count++;
            continue;
        }
        if (rc == 0)
            tree->complete = true;
        break;
    }
    ops->close(state);
    if (tree->count > 0) /* qsort must not be given the NULL of an empty list */
        qsort(tree->entries, tree->count, sizeof *tree->entries, entry_order);
    return rc < 0 ? rc : DS_OK;
}

void ds_tree_sort(ds_tree_t *tree)
{
    if (tree->count > 0)
        qsort(tree->entries, tree->count, sizeof *tree->entries, entry_order);
}

ds_entry_t *ds_tree_append(ds_tree_t *tree)
{
    if (tree->count == tree->capacity) {
        size_t capacity = tree->capacity ? tree->capacity * 2 : 256;
        ds_entry_t *entries = realloc(tree->entries, capacity * sizeof *entries);
        if (entries == NULL)
            return NULL;
        tree->entries = entries;
        tree->capacity = capacity;
    }
    ds_entry_t *e = &tree->entries[tree->count++];
    memset(e, 0, sizeof *e);
    return e;
}

void ds_tree_free(ds_tree_t *tree)
{
    for (size_t i = 0; i < tree->count; i++)
        ds_entry_clear(&tree->entries[i]);
    free(tree->entries);
    ds_problems_free(&tree->problems);
    memset(tree, 0, sizeof *tree);
}

int ds_tree_merge(const ds_tree_t *a, const ds_tree_t *b, ds_tree_visit_fn visit, void *ctx)
{
    size_t i = 0, j = 0;
    while (i < a->count || j < b->count) {
        int order;
        if (i == a->count)
            order = 1;
        else if (j == b->count)
            order = -1;
        else
            order = strcmp(a->entries[i].path, b->entries[j].path);
        int rc;
        if (order < 0)
            rc = visit(ctx, &a->entries[i++], NULL);
        else if (order > 0)
            rc = visit(ctx, NULL, &b->entries[j++]);
        else
            rc = visit(ctx, &a->entries[i++], &b->entries[j++]);
        if (rc != 0)
            return rc;
    }
    return 0;
}
