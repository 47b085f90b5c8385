/* The metadata decompressor of a squashfs image, with a small cache of decoded blocks.
 * libsquashfs's directory reader walks the directory table and the inode table with one meta
 * reader each, and each keeps only its current 8 KiB block: reading a whole tree seeks back to
 * blocks it has decoded before (an inode block for every directory whose inodes it holds), and
 * on an xz image most of the listing's time was spent decoding the same blocks again. Blocks
 * are keyed by their compressed bytes (compared whole, so a hit is exact) and replaced least
 * recently used. The library uses this decompressor from one thread at a time (the tree is read
 * once; content readers have their own decompressors). Also the base every such wrapper shares
 * (squashfs_wrapper_t). Part of the squashfs reader. */
#include "squashfs_internal.h"

#include <stdlib.h>
#include <string.h>

#include <sqfs/error.h>

#define META_SLOTS 64           /* 64 x (8 KiB + 8 KiB): 1 MiB per image at most */
#define META_BLOCK_MAX 8192     /* a metadata block is at most 8 KiB, compressed or not */

typedef struct meta_slot {
    unsigned char in[META_BLOCK_MAX], out[META_BLOCK_MAX];
    sqfs_u32 in_size;
    sqfs_s32 out_size;
    uint64_t used; /* 0: empty */
} meta_slot_t;

typedef struct meta_cache {
    squashfs_wrapper_t wrap;
    meta_slot_t *slots; /* META_SLOTS of them, allocated on first use */
    uint64_t tick;
} meta_cache_t;

static sqfs_s32 cached_do_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
                                sqfs_u32 outsize)
{
    meta_cache_t *c = (meta_cache_t *)base;
    if (size > META_BLOCK_MAX)
        return c->wrap.inner->do_block(c->wrap.inner, in, size, out, outsize);
    if (c->slots == NULL)
        c->slots = calloc(META_SLOTS, sizeof *c->slots);
    if (c->slots == NULL)
        return c->wrap.inner->do_block(c->wrap.inner, in, size, out, outsize);
    meta_slot_t *victim = &c->slots[0];
    for (size_t i = 0; i < META_SLOTS; i++) {
        meta_slot_t *s = &c->slots[i];
        if (s->used != 0 && s->in_size == size && (sqfs_u32)s->out_size <= outsize && memcmp(s->in, in, size) == 0) {
            memcpy(out, s->out, (size_t)s->out_size);
            s->used = ++c->tick;
            return s->out_size;
        }
        if (s->used < victim->used)
            victim = s;
    }
    sqfs_s32 n = c->wrap.inner->do_block(c->wrap.inner, in, size, out, outsize);
    if (n > 0 && n <= META_BLOCK_MAX) {
        memcpy(victim->in, in, size);
        memcpy(victim->out, out, (size_t)n);
        victim->in_size = size;
        victim->out_size = n;
        victim->used = ++c->tick;
    }
    return n;
}

static void wrapper_get_configuration(const sqfs_compressor_t *base, sqfs_compressor_config_t *cfg)
{
    const squashfs_wrapper_t *w = (const squashfs_wrapper_t *)base;
    w->inner->get_configuration(w->inner, cfg);
}

static int wrapper_read_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
    squashfs_wrapper_t *w = (squashfs_wrapper_t *)base;
    return w->inner->read_options(w->inner, file);
}

static int wrapper_write_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
    (void)base, (void)file;
    return SQFS_ERROR_IO;
}

void squashfs_wrapper_init(squashfs_wrapper_t *w, sqfs_compressor_t *inner,
                           sqfs_s32 (*do_block)(sqfs_compressor_t *, const sqfs_u8 *, sqfs_u32, sqfs_u8 *, sqfs_u32),
                           void (*destroy)(sqfs_object_t *))
{
    w->inner = inner;
    w->base.base.destroy = destroy;
    w->base.do_block = do_block;
    w->base.get_configuration = wrapper_get_configuration;
    w->base.read_options = wrapper_read_options;
    w->base.write_options = wrapper_write_options;
}

static void cached_destroy(sqfs_object_t *base)
{
    meta_cache_t *c = (meta_cache_t *)base;
    sqfs_destroy(c->wrap.inner);
    free(c->slots);
    free(c);
}

void squashfs_meta_cache_wrap(sqfs_compressor_t **compressor)
{
    meta_cache_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return; /* the plain decompressor does the same work, only slower */
    squashfs_wrapper_init(&c->wrap, *compressor, cached_do_block, cached_destroy);
    *compressor = &c->wrap.base;
}
