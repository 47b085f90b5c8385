/* A squashfs image read in place through a ds_source_t (a slice of an ISO extent, or a whole
 * input), with libsquashfs (squashfs-tools-ng) behind a custom sqfs_file_t whose read_at goes
 * to the source: the image is never copied out. Metadata (superblock, id/fragment/xattr tables,
 * the directory tree) is loaded in memory; file content is read on demand, and only when the
 * cheap evidence (sizes, the stored compressed bytes) does not already prove two files equal. */
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

/* Reads the whole directory tree into tree (sorted by path). Each entry's `native` points at
 * its inode, valid until ds_squashfs_close. Damage in one entry is a problem in the tree, not
 * an error; an unreadable tree is an error. */
int ds_squashfs_load_tree(ds_squashfs_t *sq, ds_tree_t *tree, const ds_deadline_t *deadline,
                          ds_error_t *err);

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
