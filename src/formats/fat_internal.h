/* The FAT format's private header, shared by formats/fat.c and formats/fat_walk.c only.
 *
 * For the registry the FAT format is one file: fat.c, which holds ds_format_fat (bid, open,
 * fields, entries, open_entry). fat_walk.c is its private helper and no format of its own: the
 * directory walk, the long and short name decoding and the cluster-chain reading. The
 * specification both follow is cited at the top of fat.c. */
#ifndef DS_FORMATS_FAT_INTERNAL_H
#define DS_FORMATS_FAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define FAT_MAX_ENTRIES 65536u          /* files and directories of one image */
#define FAT_MAX_DEPTH 16u               /* nested directories below the root */
#define FAT_MAX_CHAIN (1u << 24)        /* clusters of one cluster chain */
#define FAT_MAX_READ_RATIO 16u          /* cluster bytes read while listing, times the image's
                                         * size: more means cross-linked chains */
#define FAT_WINDOW 4096u                /* bytes of the FAT read at once */
#define FAT_DIR_BUFFER 4096u            /* bytes of a directory read at once */
#define FAT_LFN_SLOTS 20u               /* long-name entries of one name (255 characters) */

typedef struct fat_geometry {
    uint32_t bytes_per_sector, sectors_per_cluster, reserved, fats, root_entries;
    uint32_t fat_size, total_sectors, root_cluster;
    uint64_t fat_offset, fat_end, root_offset, data_offset, cluster_bytes;
    uint32_t clusters;
} fat_geometry_t;

typedef struct fat_state {
    ds_source_t *src;
    ds_format_open_t how;
    unsigned char boot[512];
    fat_geometry_t g;
    int type; /* 12, 16 or 32 */
} fat_state_t;

/* A position in one cluster chain, followed forward through a window of the first FAT. Loops
 * are found with Brent's algorithm (a saved cluster, moved at powers of two). */
typedef struct fat_chain {
    const fat_state_t *fat;
    const char *what;           /* the entry's path, for messages */
    uint32_t first, cluster;    /* the chain's first cluster, the current one */
    uint64_t index;             /* the current cluster's position in the chain */
    uint64_t entry_at;          /* where the FAT entry read last lies */
    uint32_t saved;
    uint64_t power, lam;
    unsigned char window[FAT_WINDOW];
    uint64_t window_at;
    size_t window_len;
} fat_chain_t;

/* Lists every file and directory of fat into tree (appended; the tree owns them, also when an
 * error ends the listing). Damage met on the way (a chain that leaves the volume, loops or does
 * not end with its file) and directories deeper than FAT_MAX_DEPTH are skipped, the first such
 * code returned once the listing is done (err holds the message set last); out of memory, the
 * other limits and the deadline end the listing at once. */
int ds_fat_walk(fat_state_t *fat, ds_tree_t *tree, ds_error_t *err);

/* The offset in the image of a data cluster (2 .. clusters + 1). */
uint64_t ds_fat_cluster_offset(const fat_state_t *fat, uint32_t cluster);

/* Follows a whole file's chain (size > 0 bytes from cluster first, its directory entry at byte
 * record) without reading its data, then leaves c at its first cluster. c->fat and c->what
 * must be set; c->what is borrowed. On error c is unusable. */
int ds_fat_chain_check_file(fat_chain_t *c, uint32_t first, uint64_t size, uint64_t record, ds_error_t *err);

/* Moves c to the cluster at chain position index (from the chain's start when index lies
 * behind); an error when the chain ends, leaves the volume or loops before it, or a read fails. */
int ds_fat_chain_seek(fat_chain_t *c, uint64_t index, ds_error_t *err);

#endif
