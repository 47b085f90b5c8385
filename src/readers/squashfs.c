/* Squashfs 4.0 read in place. Layout (squashfs-tools TECHNICAL-INFO, sqfs/super.h): a 96-byte
 * little-endian superblock (magic "hsqs" 0, inode count 4, mkfs time 8, block size 12,
 * fragment count 16, compressor 20, block log 22, flags 24, id count 26, version 28/30, root
 * inode 32, bytes used 40, then the table starts 48..88), optional compressor options right
 * after it, data blocks and fragments, then the metadata tables. The library does the parsing;
 * this file supplies in-place I/O, opens the image and translates its tree into driftscope
 * entries; content reading and decompression counting are in squashfs_data.c. */
#define _GNU_SOURCE
#include "squashfs_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/xattr.h>
#include <sqfs/xattr_reader.h>

#include "../util/pathname.h"
#include "../util/limits.h"
#include "../util/strbuf.h"

const char *squashfs_error_text(int code)
{
    switch (code) {
    case SQFS_ERROR_ALLOC: return "an allocation the image asks for failed (corrupt sizes or counts?)";
    case SQFS_ERROR_IO: return "read error";
    case SQFS_ERROR_COMPRESSOR: return "a block does not decompress";
    case SQFS_ERROR_INTERNAL: return "internal library error";
    case SQFS_ERROR_CORRUPTED: return "corrupted data";
    case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
    case SQFS_ERROR_OVERFLOW: return "a size or count overflows";
    case SQFS_ERROR_OUT_OF_BOUNDS: return "an offset or index points outside its table";
    case SFQS_ERROR_SUPER_MAGIC: return "no squashfs magic";
    case SFQS_ERROR_SUPER_VERSION: return "not squashfs version 4.0";
    case SQFS_ERROR_SUPER_BLOCK_SIZE: return "invalid block size";
    case SQFS_ERROR_NOT_DIR: return "a directory inode is not a directory";
    case SQFS_ERROR_NO_ENTRY: return "no such entry";
    case SQFS_ERROR_LINK_LOOP: return "a directory loop";
    case SQFS_ERROR_NOT_FILE: return "not a regular file";
    case SQFS_ERROR_ARG_INVALID: return "invalid argument";
    case SQFS_ERROR_SEQUENCE: return "calls out of sequence";
    default: return "unknown error";
    }
}

/* Formats a library failure: what was being read, the library's word, and the first I/O
 * failure underneath it (which names the offset). */
int squashfs_fail(ds_error_t *err, const ds_squashfs_t *sq, const source_file_t *file, int code,
                  const char *what)
{
    if (file != NULL && file->error.message[0] != '\0')
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: %s: %s", ds_source_label(sq->src),
                            sq->name, what, file->error.message);
    return ds_error_set(err, code == SQFS_ERROR_ALLOC ? DS_ERR_NOMEM : DS_ERR_FORMAT,
                        "%s: %s: %s: %s", ds_source_label(sq->src), sq->name, what,
                        squashfs_error_text(code));
}

static int file_read_at(sqfs_file_t *base, sqfs_u64 offset, void *buffer, size_t size)
{
    source_file_t *file = (source_file_t *)base;
    ds_error_t err = {0};
    if (ds_source_read(file->src, offset, buffer, size, "squashfs", &err) != DS_OK) {
        if (file->error.message[0] == '\0')
            file->error = err;
        return err.code == DS_ERR_IO ? SQFS_ERROR_IO : SQFS_ERROR_OUT_OF_BOUNDS;
    }
    return 0;
}

static int file_write_at(sqfs_file_t *base, sqfs_u64 offset, const void *buffer, size_t size)
{
    (void)base, (void)offset, (void)buffer, (void)size;
    return SQFS_ERROR_IO; /* read only, by design */
}

static sqfs_u64 file_get_size(const sqfs_file_t *base)
{
    return ds_source_size(((const source_file_t *)base)->src);
}

static int file_truncate(sqfs_file_t *base, sqfs_u64 size)
{
    (void)base, (void)size;
    return SQFS_ERROR_IO;
}

static void file_destroy(sqfs_object_t *base) { free(base); }

source_file_t *squashfs_source_file_create(ds_source_t *src)
{
    source_file_t *file = calloc(1, sizeof *file);
    if (file == NULL)
        return NULL;
    file->base.base.destroy = file_destroy;
    file->base.base.copy = NULL;
    file->base.read_at = file_read_at;
    file->base.write_at = file_write_at;
    file->base.get_size = file_get_size;
    file->base.truncate = file_truncate;
    file->src = src;
    return file;
}

/* A decompressor for this image's compressor and options, read through file. */
int squashfs_compressor_create(ds_squashfs_t *sq, source_file_t *file, sqfs_compressor_t **out,
                               ds_error_t *err)
{
    *out = NULL;
    int rc = sqfs_compressor_create(&sq->config, out);
    if (rc != 0)
        return squashfs_fail(err, sq, NULL, rc, "creating the decompressor");
    if (sq->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) {
        rc = (*out)->read_options(*out, &file->base);
        if (rc != 0) {
            sqfs_destroy(*out);
            *out = NULL;
            return squashfs_fail(err, sq, file, rc, "reading the compressor options at byte 96");
        }
    }
    return DS_OK;
}

bool ds_squashfs_probe(ds_source_t *src)
{
    unsigned char magic[4];
    return ds_source_read(src, 0, magic, 4, "squashfs", NULL) == DS_OK &&
           memcmp(magic, "hsqs", 4) == 0;
}

/* A lookup table of `count` entries of `entry` bytes whose index of 8-byte block pointers starts
 * at `index_at`: refuse counts whose table would exceed the memory limit or whose index would
 * not fit in the image. */
static int check_table(const ds_squashfs_t *sq, const char *what, uint64_t count, unsigned entry,
                       uint64_t index_at, ds_error_t *err)
{
    uint64_t bytes = count * entry;
    uint64_t index_bytes = (bytes + 8191) / 8192 * 8;
    if (count > DS_SQUASHFS_MAX_TABLE_BYTES / entry || index_at > sq->super.bytes_used ||
        index_bytes > sq->super.bytes_used - index_at)
        return ds_error_set(err, DS_ERR_LIMIT,
                            "%s: %s: %s: %" PRIu64 " entries (index at byte %" PRIu64
                            ") is beyond the image or the %u MiB table limit",
                            ds_source_label(sq->src), sq->name, what, count,
                            ds_source_base(sq->src) + index_at, DS_SQUASHFS_MAX_TABLE_BYTES >> 20);
    return DS_OK;
}

static int check_table_counts(ds_squashfs_t *sq, ds_error_t *err)
{
    const sqfs_super_t *s = &sq->super;
    int rc = DS_OK;
    if (!(s->flags & SQFS_FLAG_NO_FRAGMENTS) && s->fragment_entry_count > 0)
        rc = check_table(sq, "fragment table (superblock bytes 16-19)", s->fragment_entry_count, 16,
                         s->fragment_table_start, err);
    if (rc == DS_OK)
        rc = check_table(sq, "id table (superblock bytes 26-27)", s->id_count, 4, s->id_table_start, err);
    if (rc == DS_OK && !(s->flags & SQFS_FLAG_NO_XATTRS) && s->xattr_id_table_start != 0xFFFFFFFFFFFFFFFFull) {
        /* The xattr id table starts with kv_start (8), count (4), unused (4), then the index. */
        unsigned char header[16];
        if (s->xattr_id_table_start > s->bytes_used || s->bytes_used - s->xattr_id_table_start < 16 ||
            ds_source_read(sq->src, s->xattr_id_table_start, header, 16, "squashfs xattr id table", err) != DS_OK)
            return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: xattr id table at byte %" PRIu64 " lies outside the image",
                                ds_source_label(sq->src), sq->name, ds_source_base(sq->src) + s->xattr_id_table_start);
        rc = check_table(sq, "xattr id table", ds_le32(header + 8), 16, s->xattr_id_table_start + 16, err);
    }
    return rc;
}

/* Reads the superblock into sq->super, checks that the bytes it says are used are there and
 * sets up sq->config for its compressor. name is the layer's name as the caller gave it. */
static int read_superblock(ds_squashfs_t *sq, const char *name, ds_error_t *err)
{
    ds_source_t *src = sq->src;
    int lib = sqfs_super_read(&sq->super, &sq->file->base);
    if (lib != 0)
        return squashfs_fail(err, sq, sq->file, lib, "superblock (bytes 0-95)");
    if (sq->super.bytes_used > ds_source_size(src))
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: %s: superblock says %" PRIu64 " bytes are used, but only %" PRIu64
                            " are there (byte %" PRIu64 " of the input): truncated",
                            ds_source_label(src), name, (uint64_t)sq->super.bytes_used,
                            ds_source_size(src), ds_source_base(src) + ds_source_size(src));
    lib = sqfs_compressor_config_init(&sq->config, (SQFS_COMPRESSOR)sq->super.compression_id,
                                      sq->super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
    if (lib != 0)
        return squashfs_fail(err, sq, NULL, lib, "compressor id at byte 20");
    return DS_OK;
}

/* Keeps the raw compressor options block (for the fields), when the superblock flags one and it
 * can be read; the decompressor reads the options itself, so a failure here is no error. */
static void read_compressor_options(ds_squashfs_t *sq)
{
    ds_source_t *src = sq->src;
    if (sq->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) {
        unsigned char header[2];
        if (ds_source_read(src, 96, header, 2, "squashfs compressor options", NULL) == DS_OK) {
            size_t len = header[0] | ((header[1] & 0x7F) << 8);
            if (len > sizeof sq->options)
                len = sizeof sq->options;
            if (ds_source_read(src, 98, sq->options, len, "squashfs compressor options", NULL) == DS_OK)
                sq->options_len = len;
        }
    }
}

/* Creates the directory reader and loads the id, fragment and xattr tables, their on-disk counts
 * checked first (check_table_counts). Needs sq->compressor. */
static int load_tables(ds_squashfs_t *sq, ds_error_t *err)
{
    int rc, lib;
    sq->ids = sqfs_id_table_create(0);
    sq->dirs = sqfs_dir_reader_create(&sq->super, sq->compressor, &sq->file->base, 0);
    sq->fragments = sqfs_frag_table_create(0);
    if (sq->ids == NULL || sq->dirs == NULL || sq->fragments == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    lib = sqfs_id_table_read(sq->ids, &sq->file->base, &sq->super, sq->compressor);
    if (lib != 0)
        return squashfs_fail(err, sq, sq->file, lib, "id table");
    rc = check_table_counts(sq, err);
    if (rc != DS_OK)
        return rc;
    if (!(sq->super.flags & SQFS_FLAG_NO_FRAGMENTS) && sq->super.fragment_entry_count > 0) {
        lib = sqfs_frag_table_read(sq->fragments, &sq->file->base, &sq->super, sq->compressor);
        if (lib != 0)
            return squashfs_fail(err, sq, sq->file, lib, "fragment table");
    }
    if (!(sq->super.flags & SQFS_FLAG_NO_XATTRS) && sq->super.xattr_id_table_start != 0xFFFFFFFFFFFFFFFFull) {
        sq->xattrs = sqfs_xattr_reader_create(0);
        if (sq->xattrs == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        lib = sqfs_xattr_reader_load(sq->xattrs, &sq->super, &sq->file->base, sq->compressor);
        if (lib != 0)
            return squashfs_fail(err, sq, sq->file, lib, "xattr table");
    }
    return DS_OK;
}

int ds_squashfs_open(ds_squashfs_t **out, ds_source_t *src, const char *name, ds_error_t *err)
{
    *out = NULL;
    ds_squashfs_t *sq = calloc(1, sizeof *sq);
    if (sq == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    sq->src = src;
    snprintf(sq->name, sizeof sq->name, "%s", name);
    int rc = DS_OK;
    sq->file = squashfs_source_file_create(src);
    if (sq->file == NULL) {
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    rc = read_superblock(sq, name, err);
    if (rc != DS_OK)
        goto fail;
    read_compressor_options(sq);
    rc = squashfs_compressor_create(sq, sq->file, &sq->compressor, err);
    if (rc != DS_OK)
        goto fail;
    squashfs_meta_cache_wrap(&sq->compressor);
    rc = load_tables(sq, err);
    if (rc != DS_OK)
        goto fail;
    *out = sq;
    return DS_OK;
fail:
    ds_squashfs_close(sq);
    return rc;
}

void ds_squashfs_close(ds_squashfs_t *sq)
{
    if (sq == NULL)
        return;
    for (size_t i = 0; i < sq->kept_count; i++)
        sqfs_free(sq->kept[i]);
    free(sq->kept);
    sqfs_destroy(sq->xattrs);
    sqfs_destroy(sq->fragments);
    sqfs_destroy(sq->dirs);
    sqfs_destroy(sq->ids);
    sqfs_destroy(sq->compressor);
    if (sq->file != NULL)
        sqfs_destroy(&sq->file->base);
    free(sq);
}

const sqfs_super_t *ds_squashfs_super(const ds_squashfs_t *sq) { return &sq->super; }

static ds_entry_type_t inode_type(const sqfs_inode_generic_t *inode)
{
    switch (inode->base.type) {
    case SQFS_INODE_DIR: case SQFS_INODE_EXT_DIR: return DS_ENTRY_DIR;
    case SQFS_INODE_FILE: case SQFS_INODE_EXT_FILE: return DS_ENTRY_FILE;
    case SQFS_INODE_SLINK: case SQFS_INODE_EXT_SLINK: return DS_ENTRY_SYMLINK;
    case SQFS_INODE_BDEV: case SQFS_INODE_EXT_BDEV: return DS_ENTRY_BLOCK;
    case SQFS_INODE_CDEV: case SQFS_INODE_EXT_CDEV: return DS_ENTRY_CHAR;
    case SQFS_INODE_FIFO: case SQFS_INODE_EXT_FIFO: return DS_ENTRY_FIFO;
    case SQFS_INODE_SOCKET: case SQFS_INODE_EXT_SOCKET: return DS_ENTRY_SOCKET;
    default: return DS_ENTRY_OTHER;
    }
}

static uint32_t inode_nlink(const sqfs_inode_generic_t *inode)
{
    switch (inode->base.type) {
    case SQFS_INODE_DIR: return inode->data.dir.nlink;
    case SQFS_INODE_EXT_DIR: return inode->data.dir_ext.nlink;
    case SQFS_INODE_FILE: return 1;
    case SQFS_INODE_EXT_FILE: return inode->data.file_ext.nlink;
    case SQFS_INODE_SLINK: case SQFS_INODE_EXT_SLINK: return inode->data.slink.nlink;
    case SQFS_INODE_BDEV: case SQFS_INODE_CDEV: return inode->data.dev.nlink;
    case SQFS_INODE_EXT_BDEV: case SQFS_INODE_EXT_CDEV: return inode->data.dev_ext.nlink;
    case SQFS_INODE_FIFO: case SQFS_INODE_SOCKET: return inode->data.ipc.nlink;
    case SQFS_INODE_EXT_FIFO: case SQFS_INODE_EXT_SOCKET: return inode->data.ipc_ext.nlink;
    default: return 0;
    }
}

/* "security.capability=0x0100..., user.note=\"text\"": values that are printable UTF-8 are
 * quoted and escaped, others written in hex (cut at DS_SQUASHFS_MAX_XATTR_VALUE). */
static char *read_xattrs(ds_squashfs_t *sq, const sqfs_inode_generic_t *inode, ds_problems_t *problems,
                         const char *path)
{
    sqfs_u32 index;
    if (sq->xattrs == NULL || sqfs_inode_get_xattr_index(inode, &index) != 0 || index == 0xFFFFFFFF)
        return NULL;
    sqfs_xattr_id_t desc;
    int rc = sqfs_xattr_reader_get_desc(sq->xattrs, index, &desc);
    if (rc == 0)
        rc = sqfs_xattr_reader_seek_kv(sq->xattrs, &desc);
    if (rc != 0) {
        ds_problems_add(problems, "%s: %s: %s: xattrs unreadable: %s", ds_source_label(sq->src),
                        sq->name, path, squashfs_error_text(rc));
        return NULL;
    }
    /* Collect "name=value" strings, then sort them by name. */
    char **items = calloc(desc.count ? desc.count : 1, sizeof *items);
    size_t count = 0;
    for (sqfs_u32 i = 0; items != NULL && i < desc.count && i < 4096; i++) {
        sqfs_xattr_entry_t *key = NULL;
        sqfs_xattr_value_t *value = NULL;
        rc = sqfs_xattr_reader_read_key(sq->xattrs, &key);
        if (rc == 0)
            rc = sqfs_xattr_reader_read_value(sq->xattrs, key, &value);
        if (rc != 0) {
            ds_problems_add(problems, "%s: %s: %s: xattr %u unreadable: %s",
                            ds_source_label(sq->src), sq->name, path, i, squashfs_error_text(rc));
            sqfs_free(key);
            break;
        }
        /* The library hands back the full name, prefix included ("security.capability"),
         * NUL-terminated; key->size counts only the part after the prefix. */
        ds_strbuf_t sb = {0};
        ds_strbuf_escape_line(&sb, (const char *)key->key, strnlen((const char *)key->key, (size_t)key->size + 16));
        ds_strbuf_puts(&sb, "=");
        size_t len = value->size < DS_SQUASHFS_MAX_XATTR_VALUE ? value->size : DS_SQUASHFS_MAX_XATTR_VALUE;
        ds_strbuf_xattr_value(&sb, value->value, len);
        if (len < value->size)
            ds_strbuf_printf(&sb, "...(%" PRIu32 " bytes)", value->size);
        items[count++] = ds_strbuf_take(&sb);
        sqfs_free(key);
        sqfs_free(value);
    }
    for (size_t i = 1; i < count; i++) /* insertion sort: a handful of items */
        for (size_t k = i; k > 0 && strcmp(items[k - 1], items[k]) > 0; k--) {
            char *t = items[k];
            items[k] = items[k - 1];
            items[k - 1] = t;
        }
    ds_strbuf_t all = {0};
    for (size_t i = 0; i < count; i++) {
        if (i)
            ds_strbuf_puts(&all, ", ");
        ds_strbuf_puts(&all, items[i]);
        free(items[i]);
    }
    free(items);
    return count ? ds_strbuf_take(&all) : (ds_strbuf_free(&all), NULL);
}

int squashfs_fill_entry(ds_squashfs_t *sq, ds_entry_t *e, const sqfs_inode_generic_t *inode, const char *path,
                        ds_problems_t *problems)
{
    memset(e, 0, sizeof *e);
    if ((e->path = strdup(path)) == NULL)
        return DS_ERR_NOMEM;
    e->type = inode_type(inode);
    e->mode = inode->base.mode & 07777;
    sqfs_u32 uid = 0, gid = 0;
    if (sqfs_id_table_index_to_id(sq->ids, inode->base.uid_idx, &uid) != 0 ||
        sqfs_id_table_index_to_id(sq->ids, inode->base.gid_idx, &gid) != 0)
        ds_problems_add(problems, "%s: %s: %s: owner id index %u/%u is beyond the id table (%u ids)",
                        ds_source_label(sq->src), sq->name, path, inode->base.uid_idx, inode->base.gid_idx,
                        sq->super.id_count);
    e->uid = uid;
    e->gid = gid;
    e->has_owner = true;
    e->nlink = inode_nlink(inode);
    e->mtime = inode->base.mod_time;
    e->native = inode;
    switch (e->type) {
    case DS_ENTRY_FILE: {
        sqfs_u64 size = 0, start = 0;
        sqfs_inode_get_file_size(inode, &size);
        e->size = size;
        /* The extent is where the stored (compressed) blocks lie, not readable content. */
        size_t blocks = sqfs_inode_get_file_block_count(inode);
        if (blocks > 0 && sqfs_inode_get_file_block_start(inode, &start) == 0 &&
            (e->extents = malloc(sizeof *e->extents)) != NULL) {
            uint64_t stored = 0;
            for (size_t i = 0; i < blocks; i++)
                stored += inode->extra[i] & ((1u << 24) - 1);
            e->extents[0] = (ds_extent_t){start, stored};
            e->extent_count = 1;
        }
        break;
    }
    case DS_ENTRY_DIR:
        e->size = inode->base.type == SQFS_INODE_DIR ? inode->data.dir.size : inode->data.dir_ext.size;
        break;
    case DS_ENTRY_SYMLINK: {
        size_t len = inode->data.slink.target_size;
        if (len > inode->payload_bytes_used)
            len = inode->payload_bytes_used;
        e->size = len;
        e->link_target = malloc(len + 1);
        if (e->link_target != NULL) {
            memcpy(e->link_target, (const char *)inode->extra, len);
            e->link_target[len] = '\0';
            /* A NUL inside a target would hide the rest: show it escaped instead. */
            if (strlen(e->link_target) != len) {
                ds_strbuf_t sb = {0};
                ds_strbuf_escape_line(&sb, (const char *)inode->extra, len);
                free(e->link_target);
                e->link_target = ds_strbuf_take(&sb);
            }
        }
        break;
    }
    case DS_ENTRY_CHAR:
    case DS_ENTRY_BLOCK: {
        uint32_t devno = (inode->base.type == SQFS_INODE_BDEV || inode->base.type == SQFS_INODE_CDEV)
                             ? inode->data.dev.devno
                             : inode->data.dev_ext.devno;
        e->rdev_major = (devno >> 8) & 0xFFF;
        e->rdev_minor = (devno & 0xFF) | ((devno >> 12) & 0xFFF00);
        break;
    }
    default:
        break;
    }
    e->xattrs = read_xattrs(sq, inode, problems, path);
    return DS_OK;
}

/* Each entry keeps a copy of its inode, held by sq until it closes. */
int ds_squashfs_load_tree(ds_squashfs_t *sq, ds_tree_t *tree, const ds_deadline_t *deadline,
                          ds_error_t *err)
{
    memset(tree, 0, sizeof *tree);
    ds_squashfs_cursor_t *cursor = NULL;
    int rc = ds_squashfs_cursor_open(&cursor, sq, deadline, err);
    const ds_entry_t *e = NULL;
    while (rc == DS_OK && (rc = ds_squashfs_cursor_next(cursor, &e, err)) == 1) {
        ds_entry_t *copy = ds_tree_append(tree);
        sqfs_inode_generic_t *inode = NULL;
        if (copy == NULL || !squashfs_entry_copy(copy, e, &inode)) {
            if (copy != NULL)
                tree->count--;
            rc = ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory reading the tree", ds_source_label(sq->src),
                              sq->name);
            break;
        }
        if (sq->kept_count == sq->kept_capacity) {
            size_t bigger = sq->kept_capacity ? sq->kept_capacity * 2 : 256;
            sqfs_inode_generic_t **grown = realloc(sq->kept, bigger * sizeof *grown);
            if (grown == NULL) {
                free(inode);
                copy->native = NULL;
                rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
                break;
            }
            sq->kept = grown;
            sq->kept_capacity = bigger;
        }
        sq->kept[sq->kept_count++] = inode;
        rc = DS_OK;
    }
    if (cursor != NULL) {
        const ds_problems_t *problems = ds_squashfs_cursor_problems(cursor);
        for (size_t i = 0; i < problems->count; i++)
            ds_problems_add(&tree->problems, "%s", problems->messages[i]);
        tree->complete = rc == 0 && !ds_squashfs_cursor_lost(cursor);
        ds_squashfs_cursor_close(cursor);
    }
    return rc < 0 ? rc : DS_OK;
}
