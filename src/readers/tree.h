/* A whole container's entries in memory, sorted by path: metadata only (it is small); content
 * stays in the source and is read through the entries' extents. */
#ifndef DS_TREE_H
#define DS_TREE_H

#include "reader.h"

typedef struct ds_tree {
    ds_entry_t *entries;
    size_t count;
    size_t capacity;
    bool complete;         /* the reader reached its end without a fatal error */
    ds_problems_t problems; /* damage the reader survived */
} ds_tree_t;

/* Reads every entry of src with ops and sorts them by path (bytewise). On a fatal reader error
 * the entries read so far are kept (complete stays false) and the error is returned. The tree
 * must be freed with ds_tree_free in every case. */
int ds_tree_load(ds_tree_t *tree, const ds_reader_ops_t *ops, ds_source_t *src,
                 const ds_deadline_t *deadline, ds_error_t *err);

void ds_tree_free(ds_tree_t *tree);

/* Sorts the entries by path (bytewise). */
void ds_tree_sort(ds_tree_t *tree);

/* A new zeroed entry at the end of tree (grown as needed), or NULL when out of memory. The
 * caller fills it; count already includes it. */
ds_entry_t *ds_tree_append(ds_tree_t *tree);

/* Calls visit(a, b) for every path in either tree, in path order; a or b is NULL where the path
 * is missing on that side. Both trees must be sorted. Stops when visit returns non-zero and
 * returns that value. */
typedef int (*ds_tree_visit_fn)(void *ctx, const ds_entry_t *a, const ds_entry_t *b);
int ds_tree_merge(const ds_tree_t *a, const ds_tree_t *b, ds_tree_visit_fn visit, void *ctx);

#endif
