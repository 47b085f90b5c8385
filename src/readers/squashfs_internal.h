/* The squashfs reader's private header, shared by readers/squashfs.c, readers/squashfs_super.c
 * and readers/squashfs_data.c only; nothing outside the squashfs reader includes it (the public
 * interface is squashfs.h).
 *
 * squashfs.c opens the image (superblock, tables) and turns inodes into entries; squashfs_walk.c
 * walks the directory tree in path order and looks paths up; squashfs_super.c
 * turns the superblock into fields; squashfs_data.c reads content (per-thread readers, stored
 * bytes compared without decompressing, fragment locations). The layout all three follow is
 * cited at the top of squashfs.c. */
#ifndef DS_SQUASHFS_INTERNAL_H
#define DS_SQUASHFS_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <sqfs/compressor.h>
#include <sqfs/io.h>

#include "squashfs.h"

/* sqfs_file_t over a ds_source_t: reads only. The first failing read is remembered so that a
 * library error can be reported with the offset that caused it. */
typedef struct source_file {
    sqfs_file_t base;
    ds_source_t *src;
    ds_error_t error;
} source_file_t;

struct ds_squashfs {
    ds_source_t *src;
    char name[300];
    source_file_t *file;
    sqfs_super_t super;
    sqfs_compressor_config_t config;
    sqfs_compressor_t *compressor; /* metadata: tables, directories, inodes */
    sqfs_id_table_t *ids;
    sqfs_xattr_reader_t *xattrs;   /* NULL when the image has none */
    sqfs_dir_reader_t *dirs;
    sqfs_frag_table_t *fragments;
    sqfs_inode_generic_t **kept;   /* inodes behind entries handed out by lookups and trees */
    size_t kept_count, kept_capacity;
    unsigned char options[64];     /* raw compressor options block (after its 2-byte header) */
    size_t options_len;
    _Atomic uint64_t decompressions;
};

/* A decompressor that hands its blocks on to another (inner): the base of the wrappers that
 * count decompressions (squashfs_data.c) and cache metadata blocks (squashfs_meta_cache.c). A
 * wrapper's own struct starts with it, so the library's sqfs_compressor_t * can be cast back. */
typedef struct squashfs_wrapper {
    sqfs_compressor_t base;
    sqfs_compressor_t *inner;
} squashfs_wrapper_t;

/* Makes w forward the configuration and option calls to inner (writing options is refused: we
 * only read images) and use do_block and destroy; destroy must sqfs_destroy(w->inner). */
void squashfs_wrapper_init(squashfs_wrapper_t *w, sqfs_compressor_t *inner,
                           sqfs_s32 (*do_block)(sqfs_compressor_t *, const sqfs_u8 *, sqfs_u32, sqfs_u8 *, sqfs_u32),
                           void (*destroy)(sqfs_object_t *));

/* Wraps a metadata decompressor in a cache of decoded blocks (squashfs_meta_cache.c); leaves
 * it as it is when out of memory. */
void squashfs_meta_cache_wrap(sqfs_compressor_t **compressor);

/* The library's word for one of its error codes (SQFS_ERROR_*). */
const char *squashfs_error_text(int code);

/* Sets err for a library failure: what was being read, the library's word, and the first I/O
 * failure underneath it in file (which names the offset; file may be NULL). Returns the code. */
int squashfs_fail(ds_error_t *err, const ds_squashfs_t *sq, const source_file_t *file, int code,
                  const char *what);

/* A new read-only sqfs_file_t over src (which must outlive it); NULL when out of memory. The
 * caller frees it with sqfs_destroy(&file->base). */
source_file_t *squashfs_source_file_create(ds_source_t *src);

/* A decompressor for sq's compressor and options, the options read through file. On error *out
 * is NULL; else the caller frees it with sqfs_destroy. */
int squashfs_compressor_create(ds_squashfs_t *sq, source_file_t *file, sqfs_compressor_t **out,
                               ds_error_t *err);

/* Fills e (zeroed first; the caller clears it) from inode under path: type, mode, owner (through
 * the id table), size, times, link, device, xattrs, the extent of its stored blocks; e->native
 * is inode (not copied). Damage (an unknown id, unreadable xattrs) is a problem. Returns DS_OK
 * or DS_ERR_NOMEM. */
int squashfs_fill_entry(ds_squashfs_t *sq, ds_entry_t *e, const sqfs_inode_generic_t *inode, const char *path,
                        ds_problems_t *problems);

/* A deep copy of src (an entry of this reader) into dst, with a malloc'd copy of its inode in
 * *inode (dst->native points at it; the caller frees it with free after ds_entry_clear(dst)).
 * false when out of memory, dst then empty. */
bool squashfs_entry_copy(ds_entry_t *dst, const ds_entry_t *src, sqfs_inode_generic_t **inode);

#endif
