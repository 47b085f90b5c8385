/* ext2/3/4 file system images as a container format, read only, through libext2fs.
 *
 * The layout is the one the Linux kernel documents in Documentation/filesystems/ext4/
 * ("ext4 Data Structures and Algorithms": super.rst for the superblock, inodes.rst for the
 * inode and its times, directory.rst, attributes.rst); field offsets are taken from struct
 * ext2_super_block in e2fsprogs' <ext2fs/ext2_fs.h> (with offsetof), the superblock lies at
 * byte 1024, 1024 bytes long, magic 0xEF53 at its byte 56.
 *
 * libext2fs reads the image through an I/O manager of ours (below): every block it asks for
 * is read from the ds_source_t the format was opened on (an ISO extent, a squashfs member, a
 * spill), nothing else is opened and every write is refused. The file system is opened
 * without EXT2_FLAG_RW (no journal replay, no MMP, no flush: ext2fs_free, never ext2fs_close).
 * libext2fs is not hardened against crafted images, so the superblock is checked against the
 * source before the library sees it, and what is asked of it is bounded (ext4_internal.h).
 *
 * Fields: the superblock (UUID, hash seed, times, volume name, last mount point, counts,
 * features, journal UUID), offsets relative to the image. Entries: every inode reachable from
 * the root (ext4_walk.c). A file's content is read in place through ext2fs_file_read. */
#include <com_err.h>
#include <e2p/e2p.h>
#include <ext2fs/ext2_err.h>
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "ext4_internal.h"

#define SB_AT(field) offsetof(struct ext2_super_block, field)
#define IO_NAME_PREFIX "driftscope-source:"

/* --- the I/O manager: libext2fs reading a ds_source_t -------------------------------------- */

static struct struct_io_manager ds_ext4_io_manager;

static errcode_t io_open(const char *name, int flags, io_channel *channel)
{
    void *io = NULL;
    *channel = NULL;
    if (flags & IO_FLAG_RW)
        return EXT2_ET_RO_FILSYS;
    /* The name carries the ext4_io_t: "driftscope-source:<pointer>", printed by ext4_open. */
    if (name == NULL || sscanf(name, IO_NAME_PREFIX "%p", &io) != 1 || io == NULL)
        return EXT2_ET_BAD_DEVICE_NAME;
    io_channel c = NULL;
    errcode_t rc = ext2fs_get_memzero(sizeof *c, &c);
    if (rc == 0)
        rc = ext2fs_get_mem(strlen(name) + 1, &c->name);
    if (rc != 0) {
        ext2fs_free_mem(&c);
        return rc;
    }
    strcpy(c->name, name);
    c->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    c->manager = &ds_ext4_io_manager;
    c->block_size = 1024;
    c->refcount = 1;
    c->private_data = io;
    *channel = c;
    return 0;
}

static errcode_t io_close(io_channel channel)
{
    if (--channel->refcount > 0)
        return 0;
    ext2fs_free_mem(&channel->name);
    ext2fs_free_mem(&channel);
    return 0;
}

static errcode_t io_set_blksize(io_channel channel, int blksize)
{
    if (blksize <= 0 || blksize > EXT2_MAX_BLOCK_SIZE)
        return EXT2_ET_INVALID_ARGUMENT;
    channel->block_size = blksize;
    return 0;
}

/* count blocks at block, or -count bytes when count is negative (libext2fs's convention). */
static errcode_t io_read_blk64(io_channel channel, unsigned long long block, int count, void *data)
{
    ext4_io_t *io = channel->private_data;
    uint64_t bs = (uint64_t)channel->block_size;
    uint64_t size = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * bs;
    uint64_t total = ds_source_size(io->src);
    if (block > UINT64_MAX / bs || block * bs > total || size > total - block * bs) {
        ds_error_set(&io->failure, DS_ERR_FORMAT,
                     "block %llu (%" PRIu64 " bytes at byte %llu) lies past the image's end (%" PRIu64 " bytes)",
                     block, size, block <= UINT64_MAX / bs ? block * bs : 0ull, total);
        memset(data, 0, (size_t)size);
        return EXT2_ET_SHORT_READ;
    }
    if (ds_source_read(io->src, block * bs, data, (size_t)size, "ext4 block", &io->failure) != DS_OK) {
        memset(data, 0, (size_t)size);
        return EXT2_ET_SHORT_READ;
    }
    io->bytes_read += size;
    return 0;
}

static errcode_t io_read_blk(io_channel channel, unsigned long block, int count, void *data)
{
    return io_read_blk64(channel, block, count, data);
}

static errcode_t io_write_blk64(io_channel channel, unsigned long long block, int count, const void *data)
{
    (void)channel, (void)block, (void)count, (void)data;
    return EXT2_ET_RO_FILSYS;
}

static errcode_t io_write_blk(io_channel channel, unsigned long block, int count, const void *data)
{
    return io_write_blk64(channel, block, count, data);
}

static errcode_t io_write_byte(io_channel channel, unsigned long offset, int count, const void *data)
{
    return io_write_blk64(channel, offset, count, data);
}

static errcode_t io_flush(io_channel channel)
{
    (void)channel;
    return 0;
}

static errcode_t io_set_option(io_channel channel, const char *option, const char *arg)
{
    (void)channel, (void)option, (void)arg;
    return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager ds_ext4_io_manager = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "driftscope source (read only)",
    .open = io_open,
    .close = io_close,
    .set_blksize = io_set_blksize,
    .read_blk = io_read_blk,
    .write_blk = io_write_blk,
    .flush = io_flush,
    .write_byte = io_write_byte,
    .set_option = io_set_option,
    .read_blk64 = io_read_blk64,
    .write_blk64 = io_write_blk64,
};

static pthread_once_t error_table_once = PTHREAD_ONCE_INIT;

const char *ds_ext4_error_text(ext4_state_t *s, errcode_t code, char *buf, size_t size)
{
    pthread_once(&error_table_once, initialize_ext2_error_table);
    if (s->io.failure.code != DS_OK) {
        /* cut when it must be: the return value is looked at (gcc -O3 -Wformat-truncation) */
        if (snprintf(buf, size, "%s (%s)", error_message(code), s->io.failure.message) >= (int)size)
            buf[size - 1] = '\0';
    } else
        snprintf(buf, size, "%s", error_message(code));
    ds_error_clear(&s->io.failure); /* told once: a later failure is named on its own */
    return buf;
}

/* --- bid and open -------------------------------------------------------------------------- */

static uint32_t sb32(const unsigned char *sb, size_t at) { return ds_le32(sb + at); }

/* The magic and a few fields no ext2/3/4 superblock has otherwise; the size is not checked
 * here, so that a truncated image is named as one when it fails to open. */
static int ext4_bid(ds_source_t *src)
{
    unsigned char sb[SB_AT(s_feature_compat)];
    if (ds_source_size(src) < 2 * SUPERBLOCK_OFFSET ||
        ds_source_read(src, SUPERBLOCK_OFFSET, sb, sizeof sb, "ext4 superblock", NULL) != DS_OK)
        return 0;
    bool sane = ds_le16(sb + SB_AT(s_magic)) == EXT2_SUPER_MAGIC &&
                sb32(sb, SB_AT(s_log_block_size)) <= EXT2_MAX_BLOCK_LOG_SIZE - EXT2_MIN_BLOCK_LOG_SIZE &&
                sb32(sb, SB_AT(s_rev_level)) <= EXT2_DYNAMIC_REV && sb32(sb, SB_AT(s_blocks_per_group)) != 0 &&
                sb32(sb, SB_AT(s_inodes_per_group)) != 0;
    return sane ? 60 : 0;
}

/* The superblock against the source: the blocks it counts must be there, the counts within
 * the limits, before libext2fs sizes anything from them. */
static int super_check(ext4_state_t *s, ds_error_t *err)
{
    const char *label = ds_source_label(s->src), *layer = s->how.layer ? s->how.layer : "ext4";
    int rc = ds_source_read(s->src, SUPERBLOCK_OFFSET, s->super, SUPERBLOCK_SIZE, "ext4 superblock", err);
    if (rc != DS_OK)
        return rc;
    const unsigned char *sb = s->super;
    uint32_t log = sb32(sb, SB_AT(s_log_block_size));
    if (ds_le16(sb + SB_AT(s_magic)) != EXT2_SUPER_MAGIC || log > EXT2_MAX_BLOCK_LOG_SIZE - EXT2_MIN_BLOCK_LOG_SIZE)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: %s: ext4: no valid superblock at byte %u (magic 0x%04x, block size log %" PRIu32 ")",
                            label, layer, SUPERBLOCK_OFFSET, ds_le16(sb + SB_AT(s_magic)), log);
    uint64_t block_size = (uint64_t)EXT2_MIN_BLOCK_SIZE << log;
    uint64_t blocks = sb32(sb, SB_AT(s_blocks_count));
    if (sb32(sb, SB_AT(s_feature_incompat)) & EXT4_FEATURE_INCOMPAT_64BIT)
        blocks |= (uint64_t)sb32(sb, SB_AT(s_blocks_count_hi)) << 32;
    uint64_t size = ds_source_size(s->src);
    if (blocks == 0 || blocks > size / block_size)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: %s: ext4: the superblock at byte %u counts %" PRIu64 " blocks of %" PRIu64
                            " bytes, but the image holds %" PRIu64 " bytes: truncated or damaged",
                            label, layer, SUPERBLOCK_OFFSET, blocks, block_size, size);
    uint32_t inodes = sb32(sb, SB_AT(s_inodes_count));
    if (inodes > DS_EXT4_MAX_INODES)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: ext4: the superblock at byte %u counts %" PRIu32
                            " inodes, more than %u", label, layer, SUPERBLOCK_OFFSET, inodes, DS_EXT4_MAX_INODES);
    return DS_OK;
}

static void ext4_close(void *state)
{
    ext4_state_t *s = state;
    if (s == NULL)
        return;
    if (s->fs != NULL)
        ext2fs_free(s->fs); /* not ext2fs_close: nothing is ever flushed */
    free(s);
}

static int ext4_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    *state = NULL;
    ext4_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = s->io.src = src;
    s->how = *how;
    int rc = super_check(s, err);
    if (rc != DS_OK) {
        free(s);
        return rc;
    }
    char name[64], text[DS_ERROR_MESSAGE_MAX];
    snprintf(name, sizeof name, IO_NAME_PREFIX "%p", (void *)&s->io);
    errcode_t e = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP, 0, 0, &ds_ext4_io_manager, &s->fs);
    if (e != 0) {
        s->fs = NULL;
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: ext4: libext2fs cannot open the file system: %s",
                          ds_source_label(src), how->layer ? how->layer : "ext4", ds_ext4_error_text(s, e, text, sizeof text));
        ext4_close(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

/* --- fields -------------------------------------------------------------------------------- */

static void add_uuid(ds_fields_t *fields, const ext4_state_t *s, const char *name, const char *label, size_t at)
{
    const unsigned char *u = s->super + at;
    char key[48], location[48];
    snprintf(key, sizeof key, "ext4.%s", name);
    snprintf(location, sizeof location, "@ext4.%s", name);
    ds_fields_add(fields, key, location, label, SUPERBLOCK_OFFSET + at, u, 16,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4],
                  u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* A time of 32 bits at lo_at and 8 more at hi_at (ext4's times after 2038). */
static void add_time(ds_fields_t *fields, const ext4_state_t *s, const char *name, const char *label, size_t lo_at,
                     size_t hi_at)
{
    int64_t t = (int64_t)sb32(s->super, lo_at) | (int64_t)s->super[hi_at] << 32;
    char key[48], location[48], text[48];
    snprintf(key, sizeof key, "ext4.%s", name);
    snprintf(location, sizeof location, "@ext4.%s", name);
    ds_format_utc(t, text, sizeof text);
    ds_field_t *f = ds_fields_add(fields, key, location, label, SUPERBLOCK_OFFSET + lo_at, s->super + lo_at, 4,
                                  "%s (%" PRId64 ")", t == 0 ? "never" : text, t);
    if (f != NULL)
        f->number = t;
}

static void add_count(ds_fields_t *fields, const ext4_state_t *s, const char *name, const char *label, size_t lo_at,
                      size_t hi_at, bool derived)
{
    uint64_t n = sb32(s->super, lo_at);
    if (hi_at != 0 && (sb32(s->super, SB_AT(s_feature_incompat)) & EXT4_FEATURE_INCOMPAT_64BIT))
        n |= (uint64_t)sb32(s->super, hi_at) << 32;
    char key[48], location[48];
    snprintf(key, sizeof key, "ext4.%s", name);
    snprintf(location, sizeof location, "@ext4.%s", name);
    ds_field_t *f = ds_fields_add_number(fields, key, location, label, SUPERBLOCK_OFFSET + lo_at, s->super + lo_at, 4,
                                         (int64_t)n);
    if (f != NULL)
        f->derived = derived;
}

static void add_features(ds_fields_t *fields, const ext4_state_t *s)
{
    ds_strbuf_t names = {0};
    for (int type = E2P_FEATURE_COMPAT; type <= E2P_FEATURE_RO_INCOMPAT; type++) {
        uint32_t mask = sb32(s->super, SB_AT(s_feature_compat) + 4 * (size_t)type);
        for (unsigned bit = 0; bit < 32; bit++) {
            char name[64];
            if (!(mask & 1u << bit))
                continue;
            e2p_feature_to_string(type, 1u << bit, name, sizeof name);
            ds_strbuf_printf(&names, "%s%s", names.len ? " " : "", name);
        }
    }
    ds_fields_add(fields, "ext4.features", "@ext4.features", "features", SUPERBLOCK_OFFSET + SB_AT(s_feature_compat),
                  s->super + SB_AT(s_feature_compat), 12, "%s", names.len ? ds_strbuf_text(&names) : "(none)");
    ds_strbuf_free(&names);
}

static void add_text(ds_fields_t *fields, const ext4_state_t *s, const char *name, const char *label, size_t at,
                     size_t len)
{
    char key[48], location[48];
    ds_strbuf_t text = {0};
    snprintf(key, sizeof key, "ext4.%s", name);
    snprintf(location, sizeof location, "@ext4.%s", name);
    ds_strbuf_escape_line(&text, (const char *)s->super + at, strnlen((const char *)s->super + at, len));
    ds_fields_add(fields, key, location, label, SUPERBLOCK_OFFSET + at, s->super + at, (uint32_t)len, "\"%s\"",
                  ds_strbuf_text(&text));
    ds_strbuf_free(&text);
}

static int ext4_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    const ext4_state_t *s = state;
    static const unsigned char zero[16];
    add_uuid(fields, s, "uuid", "file system UUID", SB_AT(s_uuid));
    add_uuid(fields, s, "hash_seed", "directory hash seed", SB_AT(s_hash_seed));
    add_time(fields, s, "mkfs_time", "creation time", SB_AT(s_mkfs_time), SB_AT(s_mkfs_time_hi));
    add_time(fields, s, "wtime", "last write time", SB_AT(s_wtime), SB_AT(s_wtime_hi));
    add_time(fields, s, "mtime", "last mount time", SB_AT(s_mtime), SB_AT(s_mtime_hi));
    add_time(fields, s, "lastcheck", "last check time", SB_AT(s_lastcheck), SB_AT(s_lastcheck_hi));
    add_text(fields, s, "volume_name", "volume name", SB_AT(s_volume_name), 16);
    add_text(fields, s, "last_mounted", "last mounted on", SB_AT(s_last_mounted), 64);
    add_count(fields, s, "inodes_count", "inode count", SB_AT(s_inodes_count), 0, false);
    add_count(fields, s, "blocks_count", "block count", SB_AT(s_blocks_count), SB_AT(s_blocks_count_hi), false);
    add_count(fields, s, "r_blocks_count", "reserved block count", SB_AT(s_r_blocks_count),
              SB_AT(s_r_blocks_count_hi), false);
    add_count(fields, s, "free_blocks_count", "free block count", SB_AT(s_free_blocks_count),
              SB_AT(s_free_blocks_hi), true);
    add_count(fields, s, "free_inodes_count", "free inode count", SB_AT(s_free_inodes_count), 0, true);
    ds_fields_add_number(fields, "ext4.mnt_count", "@ext4.mnt_count", "mount count", SUPERBLOCK_OFFSET + SB_AT(s_mnt_count),
                         s->super + SB_AT(s_mnt_count), 2, ds_le16(s->super + SB_AT(s_mnt_count)));
    ds_fields_add(fields, "ext4.state", "@ext4.state", "state", SUPERBLOCK_OFFSET + SB_AT(s_state),
                  s->super + SB_AT(s_state), 2, "0x%04x (%s%s)", ds_le16(s->super + SB_AT(s_state)),
                  ds_le16(s->super + SB_AT(s_state)) & EXT2_VALID_FS ? "clean" : "not clean",
                  ds_le16(s->super + SB_AT(s_state)) & EXT2_ERROR_FS ? ", with errors" : "");
    ds_fields_add_number(fields, "ext4.block_size", "@ext4.block_size", "block size",
                         SUPERBLOCK_OFFSET + SB_AT(s_log_block_size), s->super + SB_AT(s_log_block_size), 4,
                         s->fs->blocksize);
    ds_fields_add_number(fields, "ext4.inode_size", "@ext4.inode_size", "inode size",
                         SUPERBLOCK_OFFSET + SB_AT(s_inode_size), s->super + SB_AT(s_inode_size), 2,
                         ds_le16(s->super + SB_AT(s_inode_size)));
    ds_field_t *written = ds_fields_add_number(fields, "ext4.kbytes_written", "@ext4.kbytes_written", "lifetime writes (KiB)",
                                               SUPERBLOCK_OFFSET + SB_AT(s_kbytes_written), s->super + SB_AT(s_kbytes_written), 8,
                                               (int64_t)ds_le64(s->super + SB_AT(s_kbytes_written)));
    if (written != NULL)
        written->derived = true;
    add_features(fields, s);
    if (memcmp(s->super + SB_AT(s_journal_uuid), zero, 16) != 0)
        add_uuid(fields, s, "journal_uuid", "external journal UUID", SB_AT(s_journal_uuid));
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

static int ext4_entries(void *state, ds_tree_t *tree, ds_error_t *err) { return ds_ext4_walk(state, tree, err); }

/* --- content ------------------------------------------------------------------------------- */

typedef struct content {
    ext4_state_t *s;
    ext2_file_t file;
    ext2_ino_t ino;
    uint64_t size;
    char *path;
} content_t;

static void content_release(void *ctx)
{
    content_t *c = ctx;
    if (c->file != NULL)
        ext2fs_file_close(c->file);
    free(c->path);
    free(c);
}

static int content_fail(content_t *c, errcode_t e, uint64_t offset, ds_error_t *err)
{
    char text[DS_ERROR_MESSAGE_MAX];
    return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: ext4: %s (inode %u): reading byte %" PRIu64 " of %" PRIu64 ": %s",
                        ds_source_label(c->s->src), c->s->how.layer ? c->s->how.layer : "ext4", c->path, c->ino,
                        offset, c->size, e != 0 ? ds_ext4_error_text(c->s, e, text, sizeof text) : "the file ends early");
}

static int content_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    content_t *c = ctx;
    *got = 0;
    if (offset >= c->size)
        return DS_OK;
    if (len > c->size - offset)
        len = (size_t)(c->size - offset);
    errcode_t e = ext2fs_file_llseek(c->file, offset, EXT2_SEEK_SET, NULL);
    while (e == 0 && *got < len) {
        unsigned int want = len - *got > (1u << 30) ? 1u << 30 : (unsigned int)(len - *got), n = 0;
        e = ext2fs_file_read(c->file, (unsigned char *)buf + *got, want, &n);
        if (e == 0 && n == 0)
            return content_fail(c, 0, offset + *got, err);
        *got += n;
    }
    return e == 0 ? DS_OK : content_fail(c, e, offset + *got, err);
}

static int ext4_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    ext4_state_t *s = state;
    const char *label = ds_source_label(s->src), *layer = s->how.layer ? s->how.layer : "ext4";
    *out = NULL;
    if (entry->type != DS_ENTRY_FILE)
        return ds_error_set(err, DS_ERR_USAGE, "%s: %s: ext4: %s is not a regular file", label, layer, entry->path);
    uint64_t image = ds_source_size(s->src);
    uint64_t allowed = image > UINT64_MAX / DS_EXT4_MAX_FILE_RATIO ? UINT64_MAX : image * DS_EXT4_MAX_FILE_RATIO;
    if (allowed < DS_EXT4_MIN_FILE_ALLOWED)
        allowed = DS_EXT4_MIN_FILE_ALLOWED;
    if (entry->size > allowed)
        return ds_error_set(err, DS_ERR_LIMIT,
                            "%s: %s: ext4: %s says it holds %" PRIu64 " bytes, more than %u times the image's %" PRIu64
                            ": not read",
                            label, layer, entry->path, entry->size, DS_EXT4_MAX_FILE_RATIO, image);
    content_t *c = calloc(1, sizeof *c);
    if (c == NULL || (c->path = strdup(entry->path)) == NULL) {
        free(c);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    c->s = s;
    c->ino = ds_ext4_entry_inode(entry);
    c->size = entry->size;
    errcode_t e = ext2fs_file_open(s->fs, c->ino, 0, &c->file);
    if (e != 0) {
        c->file = NULL;
        int rc = content_fail(c, e, 0, err);
        content_release(c);
        return rc;
    }
    return ds_source_open_owned(out, content_read, content_release, c, c->size, entry->path, err);
}

const ds_format_t ds_format_ext4 = {
    .name = "ext4",
    .kind = DS_FORMAT_CONTAINER,
    .summary = "ext2/3/4 image, read only through libext2fs: superblock fields (UUID, hash seed, times, counts, "
               "features), tree with metadata, all inode times and xattrs, file content read in place",
    .bid = ext4_bid,
    .open = ext4_open,
    .close = ext4_close,
    .fields = ext4_fields,
    .entries = ext4_entries,
    .open_entry = ext4_open_entry,
};
