/* The squashfs work that can start before the stages that own it: while the hash stage reads
 * both inputs once (two threads hashing), one more thread per side opens each squashfs payload
 * as soon as its extent is known (a quick look at the ISO tree); then, for each pair of
 * payloads at the same path, one walk of both directory tables (one directory at a time: the
 * trees are never held) compares the stored (compressed) bytes of every file pair of equal
 * size, so the content stage decompresses only what this pass left unsettled. The verdicts are
 * one bit per regular file pair, in walk order. The bytes are in the page cache already (the
 * hash pass reads them at the same time).
 *
 * The squashfs stage adopts a preloaded payload whose side, extent and path match one of its
 * containers (ds_preload_adopt); anything that failed, hit a problem or ran out of time is
 * discarded and done again by the stage that owns it, so that its messages and artifacts are
 * exactly those of the stage. */
#ifndef DS_PRELOAD_H
#define DS_PRELOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/findings.h"
#include "../readers/reader.h"
#include "../util/outfile.h"
#include "content_item.h"
#include "../util/clock.h"
#include "../util/source.h"

struct ds_squashfs;
struct ds_run;
struct ds_container;

#define DS_PRELOADS_MAX 16

typedef struct ds_preload {
    int side;
    uint64_t offset, length;       /* the extent in the side's input */
    char *path;                    /* the path in the ISO; NULL: the input itself; owned */
    ds_source_t *slice;            /* owned until adopted */
    struct ds_squashfs *squashfs;  /* owned until adopted */
    bool ok;                       /* opened */
    bool adopted;
    /* on side A's preload of a pair: bit k is set when the k-th pair of regular files at one
     * path (in walk order) has equal stored bytes; NULL when not compared or not whole */
    unsigned char *settled;
    size_t settled_bytes;          /* allocated bytes of settled */
    size_t settled_pairs;          /* file pairs the walk met */
    int partner;                   /* index of side B's preload, or -1 */
    uint64_t settled_count;
    /* The same walk's listing pass (listing.h), on side A's preload of a pair: both listings
     * and the listing diff in temporary files in OUTDIR, the metadata findings kept here; and
     * the content stage's share: the file pairs whose stored bytes differ (at most
     * CONTENT_CHUNK; more and the content stage walks the images itself), a layout sample. */
    bool passed;                   /* both trees read whole, nothing failed: adoptable */
    bool pass_open;                /* pass_out are open (to be aborted when not adopted) */
    ds_outfile_t pass_out[3];      /* listing A, listing B, listing diff */
    ds_findings_t pass_findings;
    size_t pass_diff_lines, pass_entries[2], pass_pairs;
    struct content_item *items;    /* CONTENT_CHUNK of them; owned until taken */
    size_t item_count;
    bool items_overflow;
    content_layout_key_t *layout;  /* CONTENT_LAYOUT_SAMPLE of them; owned until taken */
    size_t layout_count;
} ds_preload_t;

struct ds_preloads;
struct ds_preload_task {
    struct ds_preloads *p;
    ds_source_t *source[2];
    int side;
};

typedef struct ds_preloads {
    ds_preload_t items[DS_PRELOADS_MAX];
    int out_fd;                    /* OUTDIR, for the listing pass's temporary files */
    struct ds_preload_task task[2];
    size_t count;
    const ds_deadline_t *deadline;
    pthread_t thread[2];
    bool started[2];
} ds_preloads_t;

/* Records a payload to preload (path may be NULL). false when the table is full. */
bool ds_preload_add(ds_preloads_t *p, int side, uint64_t offset, uint64_t length, const char *path);
/* Starts the side threads over run->side[i].source; they stop at deadline. */
void ds_preload_start(ds_preloads_t *p, struct ds_run *run, const ds_deadline_t *deadline);
/* Waits for both threads (the hash stage calls it before it returns). */
void ds_preload_wait(ds_preloads_t *p);
/* Moves the preloaded slice and squashfs of side i into c when they match; true then. */
bool ds_preload_adopt(ds_preloads_t *p, struct ds_container *c, int side);
/* The settled bits for container c's pair (both sides adopted from one pair), or NULL; *pairs
 * is how many file pairs they cover. */
const unsigned char *ds_preload_settled(const ds_preloads_t *p, const struct ds_container *c, size_t *pairs);
/* Side A's preload of container c's pair when its listing pass is adoptable, else NULL. */
ds_preload_t *ds_preload_pass(ds_preloads_t *p, const struct ds_container *c);
/* Copies the pass's temporary file k (0, 1: listings, 2: diff) to out; false on a read error. */
bool ds_preload_pass_copy(ds_preload_t *pa, int k, FILE *out);
void ds_preload_free(ds_preloads_t *p);

/* The layer names the squashfs stage gives a container's slice and image in messages. */
void ds_container_layers(const char *path, char *slice_layer, char *image_layer, size_t size);

#endif
