/* The ext4 format's private header, shared by formats/ext4.c and formats/ext4_walk.c only.
 *
 * For the registry the ext4 format is one file: ext4.c, which holds ds_format_ext4 (bid, open
 * through libext2fs over a ds_source_t, the superblock fields, open_entry). ext4_walk.c is its
 * private helper and no format of its own: the directory walk and each inode's metadata. The
 * layout both follow is cited at the top of ext4.c. */
#ifndef DS_FORMATS_EXT4_INTERNAL_H
#define DS_FORMATS_EXT4_INTERNAL_H

#include <ext2fs/ext2fs.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

#define DS_EXT4_MAX_INODES (1u << 28)        /* inodes of one file system (s_inodes_count) */
#define DS_EXT4_MAX_ENTRIES 20000000u        /* files, directories, links ... listed */
#define DS_EXT4_MAX_DEPTH 128u               /* nested directories below the root */
#define DS_EXT4_MAX_NAME 255u                /* bytes of one directory entry's name */
#define DS_EXT4_MAX_PATH 4096u               /* bytes of one path built from those names */
#define DS_EXT4_MAX_SYMLINK 4096u            /* bytes of one symlink target (PATH_MAX) */
#define DS_EXT4_MAX_XATTRS 256u              /* extended attributes of one inode shown */
#define DS_EXT4_MAX_XATTR_VALUE 65536u       /* bytes of one xattr value shown */
#define DS_EXT4_MAX_FILE_RATIO 1024u         /* a file's size, times the image's size (holes
                                              * read as zeros): more is refused as hostile */
#define DS_EXT4_MIN_FILE_ALLOWED (64ull << 20) /* ... but files this large are always read */
#define DS_EXT4_MAX_READ_RATIO 16u           /* bytes read while listing, times the image's
                                              * size: more means shared or looping blocks */

/* What the I/O channel reads through: the source, the bytes read so far, the first failure. */
typedef struct ext4_io {
    ds_source_t *src;
    uint64_t bytes_read;
    ds_error_t failure;
} ext4_io_t;

typedef struct ext4_state {
    ds_source_t *src;
    ds_format_open_t how;
    ext2_filsys fs;
    ext4_io_t io;
    unsigned char super[SUPERBLOCK_SIZE]; /* the primary superblock as read, byte for byte */
} ext4_state_t;

/* Lists every inode reachable from the root directory into tree (appended; the tree owns
 * them, also when an error ends the listing), "/" first. Damage met on the way (a directory or
 * an inode libext2fs refuses, a loop, a directory deeper than DS_EXT4_MAX_DEPTH) is skipped and
 * the first such code returned once the listing is done (err holds the message set first); out
 * of memory, the entry limits, the read budget and the deadline end the listing at once. Every
 * entry's native field holds its inode number (see ds_ext4_entry_inode). */
int ds_ext4_walk(ext4_state_t *s, ds_tree_t *tree, ds_error_t *err);

/* The inode number ds_ext4_walk stored in an entry. */
static inline ext2_ino_t ds_ext4_entry_inode(const ds_entry_t *entry)
{
    return (ext2_ino_t)(uintptr_t)entry->native;
}

/* libext2fs's text for code into buf, with the I/O failure that caused it when there was one
 * (which is then forgotten). Returns buf. */
const char *ds_ext4_error_text(ext4_state_t *s, errcode_t code, char *buf, size_t size);

#endif
