/* A squashfs image read in place through a ds_source_t (a slice of an ISO extent, or a whole
 * input), with libsquashfs (squashfs-tools-ng) behind a custom sqfs_file_t whose read_at goes
 * to the source: the image is never copied out. The superblock and the id, fragment and xattr
 * tables are loaded in memory; the directory tree is walked one directory at a time
 * (squashfs_walk.c); file content is read on demand, and only when the cheap evidence (sizes,
 * the stored compressed bytes) does not already prove two files equal. */
#ifndef DS_SQUASHFS_H
#define DS_SQUASHFS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqfs/predef.h>
#include <sqfs/super.h>

#include "tree.h"
#include "../decode/fields.h"
#include "../util/source.h"

#define DS_SQUASHFS_MAX_ENTRIES 20000000u /* inodes in one image */
#define DS_SQUASHFS_MAX_XATTR_VALUE 65536u /* bytes of one xattr value shown */
/* Bytes one lookup table (fragments, xattr ids) may take in memory: 64 MiB is 4 million
 * fragments, a hundred times what a 1 GB live image has. The library sizes these tables from
 * on-disk counts, so the counts are checked before it is asked to read them. */
#define DS_SQUASHFS_MAX_TABLE_BYTES (64u << 20)

typedef struct ds_squashfs ds_squashfs_t;

/* Opens the squashfs at byte 0 of src (which must outlive it). name names the layer in
 * messages ("squashfs /live/filesystem.squashfs"). Reads and checks the superblock and loads
 * the id, fragment and xattr tables. On error *out is NULL. */
int ds_squashfs_open(ds_squashfs_t **out, ds_source_t *src, const char *name, ds_error_t *err);
void ds_squashfs_close(ds_squashfs_t *sq);

const sqfs_super_t *ds_squashfs_super(const ds_squashfs_t *sq);

/* True when src starts with the squashfs magic "hsqs". */
bool ds_squashfs_probe(ds_source_t *src);

/* Adds the superblock fields ("squashfs.<field>", location "@squashfs.<field>"), the
 * compressor options included, to fields; offsets are absolute in the outermost input. */
void ds_squashfs_super_fields(const ds_squashfs_t *sq, ds_fields_t *fields);

/* Reads the whole directory tree into tree (sorted by path), for a squashfs nested in another
 * layer; the ISO's own images are walked instead (below). Each entry's `native` points at a copy
 * of its inode, valid until ds_squashfs_close. Damage in one entry is a problem in the tree, not
 * an error; an unreadable root is an error. */
int ds_squashfs_load_tree(ds_squashfs_t *sq, ds_tree_t *tree, const ds_deadline_t *deadline,
                          ds_error_t *err);

/* The entries of one image one at a time in bytewise path order (the order of a sorted tree),
 * reading one directory at a time (squashfs_walk.c): memory holds the directories open on the
 * way down, not the tree. Cursors of one image use its directory reader, each reading a whole
 * directory in one call: several may be open on one image, on one thread at a time. An unreadable directory or inode is a problem and its entries are lost (counted);
 * the walk goes on with the rest. */
typedef struct ds_squashfs_cursor ds_squashfs_cursor_t;
int ds_squashfs_cursor_open(ds_squashfs_cursor_t **out, ds_squashfs_t *sq, const ds_deadline_t *deadline,
                            ds_error_t *err);
/* 1 and *entry (valid until the next call or the close; its native until then too), 0 at the
 * end, or a negative error (the time budget, a limit, memory) after which it must be closed. */
int ds_squashfs_cursor_next(ds_squashfs_cursor_t *c, const ds_entry_t **entry, ds_error_t *err);
const ds_problems_t *ds_squashfs_cursor_problems(const ds_squashfs_cursor_t *c);
bool ds_squashfs_cursor_lost(const ds_squashfs_cursor_t *c);
size_t ds_squashfs_cursor_count(const ds_squashfs_cursor_t *c);
void ds_squashfs_cursor_close(ds_squashfs_cursor_t *c);

/* What a walk of two images found besides the entries. */
typedef struct ds_squashfs_walk {
    size_t entries[2];
    bool complete[2];          /* walked to the end, nothing lost */
    bool alive[2], lost[2];    /* during the walk: still walking; entries lost so far */
    ds_problems_t problems[2]; /* owned: ds_squashfs_walk_free */
    ds_error_t error[2];       /* why side i stopped early (or could not start) */
} ds_squashfs_walk_t;

/* Calls visit(a, b) for every path of either image in path order, as ds_tree_merge does for
 * two sorted trees; a or b is NULL where the path is missing on that side (or its image is
 * NULL, or its walk stopped). Entries are valid during the call only. Returns 0, visit's
 * non-zero value, or DS_ERR_TIMEOUT; a side's own failure is in w->error[i]. *w must be freed
 * with ds_squashfs_walk_free in every case. */
int ds_squashfs_walk_pair(ds_squashfs_t *const sq[2], const ds_deadline_t *deadline, ds_tree_visit_fn visit,
                          void *ctx, ds_squashfs_walk_t *w);
/* During a walk: whether side's walk so far vouches for absences (a path it did not give is not
 * in the image): it is still walking or finished, and lost nothing. */
bool ds_squashfs_walk_knows(const ds_squashfs_walk_t *w, int side);
void ds_squashfs_walk_free(ds_squashfs_walk_t *w);

/* A deep copy of src (an entry this reader handed out) into dst that outlives the walk, with its
 * inode copied into *inode (free it with free() after ds_entry_clear(dst)). false when out of
 * memory; dst is then empty. */
bool ds_squashfs_entry_copy(ds_entry_t *dst, const ds_entry_t *src, void **inode);

/* The entry at the absolute path (names as stored, no escapes): 1 and *entry filled (the
 * caller clears it; its native stays valid until ds_squashfs_close), 0 when there is none, or
 * a negative error. */
int ds_squashfs_lookup(ds_squashfs_t *sq, const char *path, ds_entry_t *entry, ds_error_t *err);
/* The first entry of directory dir whose name starts with prefix and ends with suffix, as
 * ds_squashfs_lookup returns it. */
int ds_squashfs_find_in_dir(ds_squashfs_t *sq, const char *dir, const char *prefix, const char *suffix,
                            ds_entry_t *entry, ds_error_t *err);

/* Compares the stored (compressed) bytes of two regular files of equal size without
 * decompressing anything: the block size lists, the data blocks and the fragment tails. Sets
 * *same when every stored byte is equal (then the contents are equal). */
int ds_squashfs_stored_equal(ds_squashfs_t *a, const ds_entry_t *ea, ds_squashfs_t *b,
                             const ds_entry_t *eb, bool *same, ds_error_t *err);

/* The last pair of fragment blocks found equal, for a caller comparing many files in order. */
typedef struct ds_stored_memo {
    bool valid;
    uint64_t start_a, start_b;
    uint32_t size;
} ds_stored_memo_t;

/* The same, remembering in memo (may be NULL) the fragment blocks found equal. */
int ds_squashfs_stored_equal_memo(ds_squashfs_t *a, const ds_entry_t *ea, ds_squashfs_t *b,
                                  const ds_entry_t *eb, ds_stored_memo_t *memo, bool *same, ds_error_t *err);

/* Walks two files of equal size window by window (ascending positions) and tells for each
 * window whether the stored bytes behind it are equal on both sides: every data block it
 * overlaps has the same stored size and bytes, and a tail in a fragment lies at the same offset
 * of fragment blocks with equal stored bytes. Such a window has equal contents and is never
 * decompressed: a large file that differs in one block costs one block. Fields are internal. */
typedef struct ds_stored_cursor {
    ds_squashfs_t *sq[2];
    const ds_entry_t *entry[2];
    bool usable;            /* same compressor and block size, same block count */
    uint32_t block_size;
    size_t block_count, block;  /* blocks of the file; the next block the offsets are at */
    uint64_t at[2];         /* stored offset of `block` on each side */
    size_t last_block;      /* the last block judged, and the verdict */
    bool last_same, have_last;
    int fragment;           /* -1 unknown, 0 differs, 1 equal */
} ds_stored_cursor_t;

void ds_stored_cursor_init(ds_stored_cursor_t *c, ds_squashfs_t *a, const ds_entry_t *ea, ds_squashfs_t *b,
                           const ds_entry_t *eb);
/* *same for uncompressed bytes [pos, pos + len) of the files; positions must not go back. */
int ds_stored_cursor_equal(ds_stored_cursor_t *c, uint64_t pos, uint64_t len, bool *same, ds_error_t *err);

/* Where a regular file's tail fragment block is stored (offset in the squashfs, stored size);
 * false when the file has no fragment. */
bool ds_squashfs_fragment_location(ds_squashfs_t *sq, const ds_entry_t *entry, uint64_t *offset,
                                   uint64_t *size);

/* Block decompressions done so far for file content (data and fragment blocks). */
uint64_t ds_squashfs_decompressions(const ds_squashfs_t *sq);

/* A content reader for one thread: its own compressor and data reader (libsquashfs objects are
 * not shared between threads). Decompressions are counted on the squashfs. */
typedef struct ds_squashfs_data ds_squashfs_data_t;
int ds_squashfs_data_open(ds_squashfs_t *sq, ds_squashfs_data_t **out, ds_error_t *err);
/* Reads up to len bytes of a regular file's content at offset; *got is 0 at the end. */
int ds_squashfs_data_read(ds_squashfs_data_t *data, const ds_entry_t *entry, uint64_t offset,
                          void *buf, size_t len, size_t *got, ds_error_t *err);
void ds_squashfs_data_close(ds_squashfs_data_t *data);

#endif
