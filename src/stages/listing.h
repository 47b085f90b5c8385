/* One squashfs pair's listing pass: for each path of either image (in walk order), its line in
 * each image's listing, the listing diff's lines, and its metadata differences (type, mode,
 * owner, size, times, link, xattrs; added and removed entries) into a findings collection.
 * Shared by the squashfs stage's own walk and the preload's walk beside the hash pass, which
 * writes to temporary files and a findings collection of its own that the stage then adopts. */
#ifndef DS_LISTING_H
#define DS_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../model/findings.h"
#include "../readers/squashfs.h"
#include "../util/strbuf.h"

#define DS_LISTING_DIFF_LINES_MAX 200000 /* listing diff lines written (the rest counted) */

typedef struct ds_listing_pass {
    FILE *list[2];             /* each image's listing; NULL: not written */
    FILE *diff;                /* NULL: the listings only (a side could not be opened) */
    ds_findings_t *findings;   /* where the metadata differences go */
    const char *container;     /* the image's location in the outer layer; NULL: the inputs */
    const ds_squashfs_walk_t *walk; /* the walk feeding it (what it vouches for) */
    size_t diff_lines;         /* listing lines that differ */
    size_t differences;        /* findings added */
    ds_strbuf_t line;          /* scratch */
    const char *path;          /* the entry being compared */
} ds_listing_pass_t;

/* A ds_tree_visit_fn over a ds_listing_pass_t. */
int ds_listing_visit(void *pass, const ds_entry_t *a, const ds_entry_t *b);
void ds_listing_pass_free(ds_listing_pass_t *pass);

#endif
