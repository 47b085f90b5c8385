/* Squashfs file content: per-thread content readers (each with its own counting decompressor),
 * the stored (compressed) bytes of two files compared without decompressing, and where a file's
 * tail fragment lies. Part of the squashfs reader (squashfs_internal.h); the layout is cited at
 * the top of squashfs.c. */
#define _GNU_SOURCE
#include "squashfs_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/block.h>
#include <sqfs/error.h>
#include <sqfs/data_reader.h>
#include <sqfs/frag_table.h>
#include <sqfs/inode.h>


/* A compressor that counts the blocks it decompresses, then hands them to the real one. */
typedef struct counting_compressor {
    squashfs_wrapper_t wrap;
    _Atomic uint64_t *counter;
} counting_compressor_t;

struct ds_squashfs_data {
    ds_squashfs_t *sq;
    source_file_t *file;
    sqfs_compressor_t *compressor; /* a counting_compressor_t */
    sqfs_data_reader_t *reader;
};

static sqfs_s32 counting_do_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size,
                                  sqfs_u8 *out, sqfs_u32 outsize)
{
    counting_compressor_t *c = (counting_compressor_t *)base;
    atomic_fetch_add(c->counter, 1);
    return c->wrap.inner->do_block(c->wrap.inner, in, size, out, outsize);
}

static void counting_destroy(sqfs_object_t *base)
{
    counting_compressor_t *c = (counting_compressor_t *)base;
    sqfs_destroy(c->wrap.inner);
    free(c);
}

/* Where a regular file's stored bytes lie: the data blocks (contiguous from blocks_start) and
 * the fragment holding its tail. */
struct stored_layout {
    uint64_t blocks_start;
    uint64_t blocks_bytes;
    size_t block_count;
    const sqfs_u32 *block_sizes;
    bool has_fragment;
    sqfs_fragment_t fragment;
    uint32_t fragment_offset;
};

static int stored_layout(ds_squashfs_t *sq, const sqfs_inode_generic_t *inode,
                         struct stored_layout *out, ds_error_t *err, const char *path)
{
    memset(out, 0, sizeof *out);
    sqfs_u64 start = 0;
    sqfs_inode_get_file_block_start(inode, &start);
    out->blocks_start = start;
    out->block_count = sqfs_inode_get_file_block_count(inode);
    out->block_sizes = inode->extra;
    for (size_t i = 0; i < out->block_count; i++)
        out->blocks_bytes += inode->extra[i] & ((1u << 24) - 1);
    sqfs_u32 index = 0xFFFFFFFF, offset = 0;
    sqfs_inode_get_frag_location(inode, &index, &offset);
    if (index != 0xFFFFFFFF) {
        int lib = sqfs_frag_table_lookup(sq->fragments, index, &out->fragment);
        if (lib != 0)
            return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: %s: fragment %" PRIu32 " not in the fragment table",
                                ds_source_label(sq->src), sq->name, path, index);
        out->has_fragment = true;
        out->fragment_offset = offset;
    }
    return DS_OK;
}

#define COMPARE_WINDOW (64u * 1024u)

/* Both ranges read window by window into buffers on the stack (this runs for every file of an
 * image: no allocation per call). */
static int compare_ranges(ds_squashfs_t *a, uint64_t at_a, ds_squashfs_t *b, uint64_t at_b,
                          uint64_t len, bool *same, ds_error_t *err)
{
    unsigned char wa[COMPARE_WINDOW], wb[COMPARE_WINDOW];
    int rc = DS_OK;
    *same = true;
    for (uint64_t done = 0; done < len && *same;) {
        size_t n = len - done < COMPARE_WINDOW ? (size_t)(len - done) : COMPARE_WINDOW;
        rc = ds_source_read(a->src, at_a + done, wa, n, a->name, err);
        if (rc == DS_OK)
            rc = ds_source_read(b->src, at_b + done, wb, n, b->name, err);
        if (rc != DS_OK)
            break;
        *same = memcmp(wa, wb, n) == 0;
        done += n;
    }
    return rc;
}

bool ds_squashfs_fragment_location(ds_squashfs_t *sq, const ds_entry_t *entry, uint64_t *offset,
                                   uint64_t *size)
{
    struct stored_layout layout;
    if (entry->type != DS_ENTRY_FILE || stored_layout(sq, entry->native, &layout, NULL, entry->path) != DS_OK ||
        !layout.has_fragment)
        return false;
    *offset = layout.fragment.start_offset;
    *size = layout.fragment.size & ((1u << 24) - 1);
    return true;
}

int ds_squashfs_stored_equal(ds_squashfs_t *a, const ds_entry_t *ea, ds_squashfs_t *b,
                             const ds_entry_t *eb, bool *same, ds_error_t *err)
{
    return ds_squashfs_stored_equal_memo(a, ea, b, eb, NULL, same, err);
}

int ds_squashfs_stored_equal_memo(ds_squashfs_t *a, const ds_entry_t *ea, ds_squashfs_t *b,
                                  const ds_entry_t *eb, ds_stored_memo_t *memo, bool *same, ds_error_t *err)
{
    *same = false;
    if (ea->type != DS_ENTRY_FILE || eb->type != DS_ENTRY_FILE || ea->size != eb->size)
        return DS_OK;
    /* Stored bytes only prove equality when both images decompress the same way. */
    if (a->super.compression_id != b->super.compression_id)
        return DS_OK;
    struct stored_layout la, lb;
    int rc = stored_layout(a, ea->native, &la, err, ea->path);
    if (rc == DS_OK)
        rc = stored_layout(b, eb->native, &lb, err, eb->path);
    if (rc != DS_OK)
        return rc;
    if (la.block_count != lb.block_count || la.has_fragment != lb.has_fragment ||
        memcmp(la.block_sizes, lb.block_sizes, la.block_count * sizeof(sqfs_u32)) != 0)
        return DS_OK;
    bool equal = true;
    rc = compare_ranges(a, la.blocks_start, b, lb.blocks_start, la.blocks_bytes, &equal, err);
    if (rc != DS_OK || !equal)
        return rc;
    if (la.has_fragment) {
        if (la.fragment.size != lb.fragment.size || la.fragment_offset != lb.fragment_offset)
            return DS_OK;
        /* Small files share fragment blocks, and come in order: a pair of blocks already found
         * equal for the file before is not read again. */
        bool known = memo != NULL && memo->valid && memo->start_a == la.fragment.start_offset &&
                     memo->start_b == lb.fragment.start_offset && memo->size == la.fragment.size;
        if (!known) {
            rc = compare_ranges(a, la.fragment.start_offset, b, lb.fragment.start_offset,
                                la.fragment.size & ((1u << 24) - 1), &equal, err);
            if (rc != DS_OK || !equal)
                return rc;
            if (memo != NULL)
                *memo = (ds_stored_memo_t){.valid = true, .start_a = la.fragment.start_offset,
                                           .start_b = lb.fragment.start_offset, .size = la.fragment.size};
        }
    }
    *same = true;
    return DS_OK;
}

void ds_stored_cursor_init(ds_stored_cursor_t *c, ds_squashfs_t *a, const ds_entry_t *ea, ds_squashfs_t *b,
                           const ds_entry_t *eb)
{
    memset(c, 0, sizeof *c);
    c->sq[0] = a, c->sq[1] = b;
    c->entry[0] = ea, c->entry[1] = eb;
    c->fragment = -1;
    if (ea->type != DS_ENTRY_FILE || eb->type != DS_ENTRY_FILE || ea->size != eb->size ||
        a->super.compression_id != b->super.compression_id || a->super.block_size != b->super.block_size ||
        a->super.block_size == 0)
        return;
    const sqfs_inode_generic_t *ia = ea->native, *ib = eb->native;
    c->block_count = sqfs_inode_get_file_block_count(ia);
    if (c->block_count != sqfs_inode_get_file_block_count(ib))
        return;
    sqfs_u64 start = 0;
    sqfs_inode_get_file_block_start(ia, &start);
    c->at[0] = start;
    sqfs_inode_get_file_block_start(ib, &start);
    c->at[1] = start;
    c->block_size = a->super.block_size;
    c->usable = true;
}

/* Data block k of both files: same stored size (and compressed flag) and bytes. */
static int block_same(ds_stored_cursor_t *c, size_t k, bool *same, ds_error_t *err)
{
    const sqfs_inode_generic_t *ia = c->entry[0]->native, *ib = c->entry[1]->native;
    if (c->have_last && c->last_block == k) {
        *same = c->last_same;
        return DS_OK;
    }
    for (; c->block < k; c->block++) { /* positions only go forward */
        c->at[0] += ia->extra[c->block] & ((1u << 24) - 1);
        c->at[1] += ib->extra[c->block] & ((1u << 24) - 1);
    }
    int rc = DS_OK;
    *same = ia->extra[k] == ib->extra[k];
    if (*same)
        rc = compare_ranges(c->sq[0], c->at[0], c->sq[1], c->at[1], ia->extra[k] & ((1u << 24) - 1), same, err);
    c->last_block = k, c->last_same = *same, c->have_last = rc == DS_OK;
    return rc;
}

static int fragment_same(ds_stored_cursor_t *c, bool *same, ds_error_t *err)
{
    if (c->fragment < 0) {
        struct stored_layout la, lb;
        int rc = stored_layout(c->sq[0], c->entry[0]->native, &la, err, c->entry[0]->path);
        if (rc == DS_OK)
            rc = stored_layout(c->sq[1], c->entry[1]->native, &lb, err, c->entry[1]->path);
        if (rc != DS_OK)
            return rc;
        bool equal = la.has_fragment && lb.has_fragment && la.fragment.size == lb.fragment.size &&
                     la.fragment_offset == lb.fragment_offset;
        if (equal)
            rc = compare_ranges(c->sq[0], la.fragment.start_offset, c->sq[1], lb.fragment.start_offset,
                                la.fragment.size & ((1u << 24) - 1), &equal, err);
        if (rc != DS_OK)
            return rc;
        c->fragment = equal ? 1 : 0;
    }
    *same = c->fragment == 1;
    return DS_OK;
}

int ds_stored_cursor_equal(ds_stored_cursor_t *c, uint64_t pos, uint64_t len, bool *same, ds_error_t *err)
{
    *same = false;
    if (!c->usable || len == 0)
        return DS_OK;
    uint64_t first = pos / c->block_size, last = (pos + len - 1) / c->block_size;
    for (uint64_t k = first; k <= last; k++) {
        bool equal = false;
        int rc = k < c->block_count ? block_same(c, (size_t)k, &equal, err) : fragment_same(c, &equal, err);
        if (rc != DS_OK || !equal)
            return rc;
    }
    *same = true;
    return DS_OK;
}

uint64_t ds_squashfs_decompressions(const ds_squashfs_t *sq)
{
    return atomic_load(&((ds_squashfs_t *)sq)->decompressions);
}

int ds_squashfs_data_open(ds_squashfs_t *sq, ds_squashfs_data_t **out, ds_error_t *err)
{
    *out = NULL;
    ds_squashfs_data_t *d = calloc(1, sizeof *d);
    counting_compressor_t *counting = calloc(1, sizeof *counting);
    int rc = DS_OK;
    if (d == NULL || counting == NULL) {
        free(counting);
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    d->sq = sq;
    d->file = squashfs_source_file_create(sq->src);
    if (d->file == NULL) {
        free(counting);
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    rc = squashfs_compressor_create(sq, d->file, &counting->wrap.inner, err);
    if (rc != DS_OK) {
        free(counting);
        goto fail;
    }
    squashfs_wrapper_init(&counting->wrap, counting->wrap.inner, counting_do_block, counting_destroy);
    counting->counter = &sq->decompressions;
    d->compressor = &counting->wrap.base;
    d->reader = sqfs_data_reader_create(&d->file->base, sq->super.block_size, d->compressor, 0);
    if (d->reader == NULL) {
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    int lib = sqfs_data_reader_load_fragment_table(d->reader, &sq->super);
    if (lib != 0) {
        rc = squashfs_fail(err, sq, d->file, lib, "fragment table");
        goto fail;
    }
    *out = d;
    return DS_OK;
fail:
    ds_squashfs_data_close(d);
    return rc;
}

int ds_squashfs_data_read(ds_squashfs_data_t *d, const ds_entry_t *entry, uint64_t offset,
                          void *buf, size_t len, size_t *got, ds_error_t *err)
{
    *got = 0;
    while (*got < len && offset + *got < entry->size) {
        size_t want = len - *got;
        if (want > 0x7FFFFFFF)
            want = 0x7FFFFFFF;
        sqfs_s32 n = sqfs_data_reader_read(d->reader, entry->native, offset + *got,
                                           (char *)buf + *got, (sqfs_u32)want);
        if (n < 0) {
            /* Name the stored block: where its bytes lie in the input. */
            const sqfs_inode_generic_t *inode = entry->native;
            uint64_t pos = offset + *got, block = pos / d->sq->super.block_size;
            size_t blocks = sqfs_inode_get_file_block_count(inode);
            sqfs_u64 stored = 0;
            sqfs_inode_get_file_block_start(inode, &stored);
            char what[300];
            if (block < blocks) {
                for (size_t i = 0; i < block; i++)
                    stored += inode->extra[i] & ((1u << 24) - 1);
                snprintf(what, sizeof what,
                         "content of %.150s: block %" PRIu64 " (file bytes %" PRIu64 "..), stored at byte %" PRIu64 " of the input",
                         entry->path, block, block * d->sq->super.block_size,
                         ds_source_base(d->sq->src) + stored);
            } else {
                snprintf(what, sizeof what, "content of %.150s: its tail in a fragment block (file byte %" PRIu64 ")",
                         entry->path, pos);
            }
            return squashfs_fail(err, d->sq, d->file, n, what);
        }
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return DS_OK;
}

void ds_squashfs_data_close(ds_squashfs_data_t *d)
{
    if (d == NULL)
        return;
    sqfs_destroy(d->reader);
    sqfs_destroy(d->compressor);
    if (d->file != NULL)
        sqfs_destroy(&d->file->base);
    free(d);
}
