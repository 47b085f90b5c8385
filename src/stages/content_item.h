/* Shared by stages/content*.c: one squashfs file pair of the content stage, and its comparison. */
#ifndef DS_CONTENT_ITEM_H
#define DS_CONTENT_ITEM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../readers/squashfs.h"
#include "../util/clock.h"

/* Only pointed to here: the item knows nothing of the run (pipeline.h) or the classifiers. */
struct ds_container;
struct ds_classified;

#define CONTENT_WINDOW (256u * 1024u) /* window for larger files */
#define CONTENT_CHUNK 2048           /* file pairs held (copied out of a walk) at a time */
#define CONTENT_LAYOUT_SAMPLE 16384  /* file pairs whose storage order the layout check sees */

/* Where A and B store one file pair's first data block: a sample of these, taken every
 * stride-th pair of a walk (stride from the inode count), tells a layout change. */
typedef struct content_layout_key {
    uint64_t a, b;
} content_layout_key_t;

/* A regular file present in both images of one squashfs pair; the results are filled by
 * content_item_compare and the classifiers, then read by the stage's report. */
typedef struct content_item {
    struct ds_container *c; /* the squashfs pair it belongs to */
    size_t container;
    const ds_entry_t *a, *b; /* &own[0], &own[1] */
    ds_entry_t own[2];       /* copies of the walk's entries; owned */
    void *inode[2];          /* their inodes' copies (own[i].native); owned */
    /* results */
    bool done, equal, settled, decompressed, binary;
    uint64_t differing_bytes, first_difference;
    size_t range_count;
    char *report; /* owned: the diff or hex text for sqfs-diff.txt */
    char *error;  /* owned */
    struct ds_classified *classified; /* what the classifiers found inside; only for files
                                       * that differ (most items never need its kilobyte); owned */
} content_item_t;

/* Makes it the pair (a, b) of a walk: copies both entries (and their inodes) into it->own, so it
 * outlives the walk. false when out of memory, it then empty. */
bool content_item_take(content_item_t *it, const ds_entry_t *a, const ds_entry_t *b);
/* Frees the copies, the report and the error (not the classified results: content.c's). */
void content_item_release(content_item_t *it);

/* Compares one pair, cheapest evidence first: equal size and equal stored (compressed) bytes in
 * image[0] and image[1] settle it without decompressing; otherwise both contents are read
 * through data[0] and data[1], whole up to DS_TEXT_MAX, else in CONTENT_WINDOW windows until
 * deadline. A differing pair gets its report text in item->report, owned by the item, while the
 * running total in diff_bytes (shared by all threads) stays within the limit on sqfs-diff.txt.
 * Returns DS_OK or the error set in err; item->report stays NULL after an error. */
int content_item_compare(content_item_t *item, ds_squashfs_t *const image[2], ds_squashfs_data_t *const data[2],
                         const ds_deadline_t *deadline, atomic_size_t *diff_bytes, ds_error_t *err);

#endif
