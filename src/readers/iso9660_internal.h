/* The ISO 9660 reader's private header, shared by readers/iso9660.c and readers/iso9660_rr.c
 * only; nothing outside the ISO reader includes it.
 *
 * For the registry the reader is one file: iso9660.c, which holds ds_iso9660_reader (probe,
 * open, next, close) and the directory walk. iso9660_rr.c is its private helper: the SUSP and
 * Rock Ridge entries of one directory record. The specifications both follow (ECMA-119, SUSP
 * 1.12, RRIP 1.12) are cited at the top of each file. */
#ifndef DS_READERS_ISO9660_INTERNAL_H
#define DS_READERS_ISO9660_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../decode/volume_descriptor.h"
#include "../util/strbuf.h"
#include "reader.h"

#define ISO_MAX_DEPTH 128                 /* directory nesting */
#define ISO_MAX_ENTRIES 20000000u         /* nodes in one image */
#define ISO_MAX_NAME 1024                 /* bytes of one Rock Ridge name (NM pieces joined) */
#define ISO_MAX_PATH 4096                 /* bytes of one path */
#define ISO_MAX_LINK 4096                 /* bytes of one symlink target */
#define ISO_MAX_CONTINUATIONS 32          /* CE hops for one record */
#define ISO_MAX_EXTENTS_PER_FILE 4096     /* multi-extent sections of one file */
#define ISO_MAX_DIRECTORY_BYTES (1u << 30) /* bytes of one directory's extent */

struct pending_dir {
    char *path;
    uint32_t lba;
    uint32_t size;
    unsigned depth;
};

typedef struct iso_state {
    ds_source_t *src;
    ds_problems_t *problems;
    const ds_deadline_t *deadline;
    uint32_t block;         /* logical block size */
    bool rock_ridge;
    unsigned susp_skip;     /* SP's LEN_SKP */
    bool joliet;            /* names are UCS-2 (no Rock Ridge, Joliet tree chosen) */
    unsigned char root_record[34];
    bool root_emitted;
    /* Directories still to read (a stack), and the one being read. */
    struct pending_dir *stack;
    size_t stack_count, stack_capacity;
    struct pending_dir current;
    bool have_current;
    uint32_t offset_in_dir; /* next record's byte offset within current */
    unsigned char sector[DS_ISO_SECTOR];
    int64_t sector_loaded;  /* index of the sector in `sector`, -1 none */
    /* Directory extents already walked, to refuse loops. */
    uint32_t *visited;
    size_t visited_count, visited_capacity;
    size_t entries;
} iso_state_t;

/* What Rock Ridge says about one record. */
struct rr_info {
    bool has_px, has_tf_modify, relocated, has_child_link, has_pn;
    uint32_t mode, nlink, uid, gid;
    int64_t mtime;
    unsigned tf_have;         /* TF stamps decoded: bit n for flag bit n (RRIP 1.12 4.1.6) */
    int64_t tf[7];            /* creation, modify, access, attributes, backup, expiration, effective */
    uint32_t child_lba;
    uint32_t dev_high, dev_low;
    ds_strbuf_t name;
    bool name_current, name_parent;
    ds_strbuf_t link;
    bool link_open_component; /* the previous SL component continues */
    bool bad;
};

/* Offset of the system use area within a directory record (rec[32] is the name length). */
size_t ds_iso_susp_start(const unsigned char *rec);

/* Fills rr (cleared first) from the Rock Ridge entries of the directory record rec (len bytes,
 * found at byte rec_at of the image), following CE continuation areas. Leaves rr zeroed when the
 * image has no Rock Ridge. Never fails: damaged entries are noted in st->problems and set
 * rr->bad. The caller frees rr with ds_iso_rr_free, also when rr->bad is set. */
void ds_iso_rr_read(iso_state_t *st, const unsigned char *rec, size_t len, uint64_t rec_at,
                    struct rr_info *rr);

/* Fills the common fields of entry (type, mode, nlink, owner, mtime, device numbers) from the
 * directory record rec and what Rock Ridge says about it (rr, all zero without Rock Ridge):
 * PX, TF and PN override the plain ISO 9660 defaults. entry's other fields are left alone. */
void ds_iso_entry_metadata_fill(const unsigned char *rec, const struct rr_info *rr,
                                ds_entry_t *entry);

/* Frees the name and link buffers of rr (the struct itself is the caller's). */
void ds_iso_rr_free(struct rr_info *rr);

#endif
