/* The ext4 format's directory walk and each inode's metadata: the private helper of ext4.c
 * (one format for the registry; see ext4_internal.h). The layout it follows is cited at the
 * top of ext4.c; inode times, device numbers and symlinks as the kernel decodes them
 * (Documentation/filesystems/ext4/inodes.rst; fs/ext4/inode.c, ext4_iget). Nothing is
 * followed but directory entries: a symlink's target is read, never resolved. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/pathname.h"
#include "../util/strbuf.h"
#include "ext4_internal.h"

#define INODE_EXTRA_END(field) (offsetof(struct ext2_inode_large, field) + sizeof(((struct ext2_inode_large *)0)->field))

typedef struct walker {
    ext4_state_t *s;
    ds_tree_t *tree;
    ds_error_t *err;
    int deferred;          /* the first damage met, returned after the listing */
    int fatal;             /* an error that ends the listing, met inside a callback */
    uint32_t index;        /* entries listed so far, in directory order */
    uint64_t read_start, read_max;
    unsigned inode_size;   /* bytes of one on-disk inode */
    unsigned char *inode;  /* max(inode_size, sizeof(struct ext2_inode_large)) bytes */
    ext2_ino_t ancestors[DS_EXT4_MAX_DEPTH + 2];
} walker_t;

/* A subdirectory met in a directory, walked once the directory is read. */
typedef struct subdir {
    ext2_ino_t ino;
    size_t slot;  /* its entry in the tree (entries move as the tree grows; slots do not) */
} subdir_t;

typedef struct dir_ctx {
    walker_t *w;
    ext2_ino_t ino;
    ds_strbuf_t *path;  /* the directory's path, its children appended in turn */
    size_t base_len;
    subdir_t *subdirs;
    size_t count, capacity;
} dir_ctx_t;

static const char *layer_of(const walker_t *w) { return w->s->how.layer ? w->s->how.layer : "ext4"; }

/* Damage the listing goes on after: the first is kept for the end. */
static int defer(walker_t *w, int rc)
{
    if (rc == DS_ERR_FORMAT || rc == DS_ERR_IO || rc == DS_ERR_LIMIT) {
        if (w->deferred == DS_OK)
            w->deferred = rc;
        return DS_OK;
    }
    return rc;
}

static uint64_t inode_offset(const walker_t *w, ext2_ino_t ino);

static int damage(walker_t *w, const char *path, ext2_ino_t ino, const char *what, errcode_t e)
{
    char text[DS_ERROR_MESSAGE_MAX];
    return defer(w, ds_error_set(w->err, DS_ERR_FORMAT, "%s: %s: ext4: %s (inode %u at byte %" PRIu64 "): %s: %s",
                                 ds_source_label(w->s->src), layer_of(w), path[0] ? path : "/", ino,
                                 inode_offset(w, ino), what, ds_ext4_error_text(w->s, e, text, sizeof text)));
}

/* --- one inode's metadata ------------------------------------------------------------------ */

static bool has_extra(const walker_t *w, const struct ext2_inode_large *in, size_t end)
{
    return w->inode_size > EXT2_GOOD_OLD_INODE_SIZE && end <= w->inode_size &&
           (size_t)EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize >= end;
}

/* A time as the kernel decodes it: 32 signed bits, and from the extra field two epoch bits and
 * the nanoseconds. */
static int64_t inode_time(uint32_t lo, uint32_t extra, bool with_extra, uint32_t *ns)
{
    *ns = with_extra ? extra >> 2 : 0;
    return (int64_t)(int32_t)lo + (with_extra ? (int64_t)(extra & EXT4_EPOCH_MASK) << 32 : 0);
}

static void put_time(ds_strbuf_t *sb, const char *name, int64_t t, uint32_t ns)
{
    char text[48];
    ds_format_utc(t, text, sizeof text);
    size_t n = strlen(text);
    if (ns != 0 && n > 0 && text[n - 1] == 'Z')
        ds_strbuf_printf(sb, "%s%s %.*s.%09" PRIu32 "Z", sb->len ? ", " : "", name, (int)(n - 1), text, ns);
    else
        ds_strbuf_printf(sb, "%s%s %s", sb->len ? ", " : "", name, text);
}

/* mtime into the entry; "mtime ..., atime ..., ctime ..., crtime ..." as its mtime_text. */
static int set_times(walker_t *w, ds_entry_t *e, const struct ext2_inode_large *in)
{
    uint32_t ns = 0;
    ds_strbuf_t sb = {0};
    e->mtime = inode_time(in->i_mtime, in->i_mtime_extra, has_extra(w, in, INODE_EXTRA_END(i_mtime_extra)), &ns);
    put_time(&sb, "mtime", e->mtime, ns);
    int64_t t = inode_time(in->i_atime, in->i_atime_extra, has_extra(w, in, INODE_EXTRA_END(i_atime_extra)), &ns);
    put_time(&sb, "atime", t, ns);
    t = inode_time(in->i_ctime, in->i_ctime_extra, has_extra(w, in, INODE_EXTRA_END(i_ctime_extra)), &ns);
    put_time(&sb, "ctime", t, ns);
    if (has_extra(w, in, INODE_EXTRA_END(i_crtime))) {
        bool extra = has_extra(w, in, INODE_EXTRA_END(i_crtime_extra));
        t = inode_time(in->i_crtime, in->i_crtime_extra, extra, &ns);
        put_time(&sb, "crtime", t, ns);
    }
    e->mtime_text = ds_strbuf_take(&sb);
    return e->mtime_text != NULL ? DS_OK : ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
}

/* The target, never followed: in the inode (a fast symlink, under 60 bytes) or in its data. */
static int read_link(walker_t *w, ds_entry_t *e, ext2_ino_t ino, struct ext2_inode_large *in)
{
    uint64_t size = EXT2_I_SIZE(in);
    if (size == 0 || size > DS_EXT4_MAX_SYMLINK)
        return defer(w, ds_error_set(w->err, size ? DS_ERR_LIMIT : DS_ERR_FORMAT,
                                     "%s: %s: ext4: %s (inode %u): a symlink of %" PRIu64 " bytes (1 to %u allowed)",
                                     ds_source_label(w->s->src), layer_of(w), e->path, ino, size, DS_EXT4_MAX_SYMLINK));
    char *target = calloc(1, (size_t)size + 1);
    if (target == NULL)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    errcode_t rc = 0;
    if (ext2fs_is_fast_symlink((struct ext2_inode *)in)) {
        memcpy(target, in->i_block, (size_t)size);
    } else {
        ext2_file_t file = NULL;
        unsigned int got = 0;
        rc = ext2fs_file_open2(w->s->fs, ino, (struct ext2_inode *)in, 0, &file);
        if (rc == 0) {
            rc = ext2fs_file_read(file, target, (unsigned int)size, &got);
            ext2fs_file_close(file);
        }
        if (rc == 0 && got != size)
            rc = EXT2_ET_SHORT_READ;
    }
    if (rc != 0) {
        free(target);
        return damage(w, e->path, ino, "symlink target unreadable", rc);
    }
    e->link_target = target; /* up to its first NUL, which no target holds */
    return DS_OK;
}

typedef struct xattr_list {
    char *items[DS_EXT4_MAX_XATTRS];
    size_t count;
    bool failed;
} xattr_list_t;

static int xattr_visit(char *name, char *value, size_t value_len, void *data)
{
    xattr_list_t *l = data;
    if (l->count == DS_EXT4_MAX_XATTRS)
        return XATTR_ABORT;
    ds_strbuf_t sb = {0};
    ds_strbuf_escape_line(&sb, name, strlen(name));
    ds_strbuf_puts(&sb, "=");
    size_t len = value_len < DS_EXT4_MAX_XATTR_VALUE ? value_len : DS_EXT4_MAX_XATTR_VALUE;
    ds_strbuf_xattr_value(&sb, (const unsigned char *)value, len);
    if (len < value_len)
        ds_strbuf_printf(&sb, "...(%zu bytes)", value_len);
    l->failed = l->failed || sb.failed;
    l->items[l->count++] = ds_strbuf_take(&sb);
    return 0;
}

static int name_order(const void *x, const void *y)
{
    const char *a = *(char *const *)x, *b = *(char *const *)y;
    return strcmp(a ? a : "", b ? b : "");
}

/* The inode's extended attributes, "name=value, ..." sorted by name: asked of libext2fs only
 * when the inode has an xattr block or its in-inode area starts with the xattr magic. */
static int read_xattrs(walker_t *w, ds_entry_t *e, ext2_ino_t ino, struct ext2_inode_large *in)
{
    size_t at = (size_t)EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize;
    bool in_inode = w->inode_size > EXT2_GOOD_OLD_INODE_SIZE && at + 4 <= w->inode_size &&
                    ds_le32(w->inode + at) == EXT2_EXT_ATTR_MAGIC;
    if (!in_inode && ext2fs_file_acl_block(w->s->fs, (struct ext2_inode *)in) == 0)
        return DS_OK;
    struct ext2_xattr_handle *h = NULL;
    xattr_list_t l = {.count = 0};
    errcode_t rc = ext2fs_xattrs_open(w->s->fs, ino, &h);
    if (rc == 0)
        rc = ext2fs_xattrs_read_inode(h, in);
    if (rc == 0)
        rc = ext2fs_xattrs_iterate(h, xattr_visit, &l);
    if (h != NULL)
        ext2fs_xattrs_close(&h);
    qsort(l.items, l.count, sizeof l.items[0], name_order);
    ds_strbuf_t all = {0};
    for (size_t i = 0; i < l.count; i++) {
        ds_strbuf_printf(&all, "%s%s", i ? ", " : "", l.items[i] ? l.items[i] : "");
        free(l.items[i]);
    }
    if (l.failed || all.failed) {
        ds_strbuf_free(&all);
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    }
    e->xattrs = all.len ? ds_strbuf_take(&all) : NULL;
    ds_strbuf_free(&all);
    return rc == 0 ? DS_OK : damage(w, e->path, ino, "extended attributes unreadable", rc);
}

/* Where the inode lies in the image (for messages), 0 when its group's table is out of range. */
static uint64_t inode_offset(const walker_t *w, ext2_ino_t ino)
{
    ext2_filsys fs = w->s->fs;
    uint32_t per_group = EXT2_INODES_PER_GROUP(fs->super);
    if (ino == 0 || per_group == 0)
        return 0;
    dgrp_t group = (ino - 1) / per_group;
    if (group >= fs->group_desc_count)
        return 0;
    uint64_t table = ext2fs_inode_table_loc(fs, group);
    if (table > ds_source_size(w->s->src) / fs->blocksize)
        return 0;
    return table * fs->blocksize + (uint64_t)((ino - 1) % per_group) * w->inode_size;
}

/* Fills e (whose path is set) from inode ino, just read into w->inode. */
static int fill_entry(walker_t *w, ds_entry_t *e, ext2_ino_t ino)
{
    struct ext2_inode_large *in = (struct ext2_inode_large *)w->inode;
    e->type = (uint8_t)ds_entry_type_from_mode(in->i_mode & LINUX_S_IFMT);
    e->has_owner = true;
    e->mode = in->i_mode & 07777;
    e->uid = inode_uid(*in);
    e->gid = inode_gid(*in);
    e->nlink = in->i_links_count;
    e->size = e->type == DS_ENTRY_FILE || e->type == DS_ENTRY_SYMLINK ? EXT2_I_SIZE(in) : 0;
    e->index = w->index++;
    e->record_offset = inode_offset(w, ino);
    e->native = (const void *)(uintptr_t)ino;
    if (e->type == DS_ENTRY_CHAR || e->type == DS_ENTRY_BLOCK) {
        uint32_t old = in->i_block[0], dev = in->i_block[1];
        e->rdev_major = old ? (old >> 8) & 0xFF : (dev & 0xFFF00) >> 8;
        e->rdev_minor = old ? old & 0xFF : (dev & 0xFF) | ((dev >> 12) & 0xFFF00);
    }
    int rc = set_times(w, e, in);
    if (rc == DS_OK && e->type == DS_ENTRY_SYMLINK)
        rc = read_link(w, e, ino, in);
    if (rc == DS_OK)
        rc = read_xattrs(w, e, ino, in);
    return rc;
}

/* Checks the budgets, reads inode ino and appends it as path; *slot is its place in the tree,
 * or SIZE_MAX when it was skipped (damage, deferred). */
static int add_inode(walker_t *w, ext2_ino_t ino, const char *path, size_t *slot)
{
    const char *label = ds_source_label(w->s->src);
    *slot = SIZE_MAX;
    if (ds_deadline_passed(w->s->how.deadline))
        return ds_error_set(w->err, DS_ERR_TIMEOUT, "%s: %s: ext4: time budget exhausted", label, layer_of(w));
    if (w->tree->count >= DS_EXT4_MAX_ENTRIES || w->tree->count >= ds_limits()->max_entries)
        return ds_error_set(w->err, DS_ERR_LIMIT, "%s: %s: ext4: more than %zu entries (the --max-memory budget)",
                            label, layer_of(w), w->tree->count);
    if (w->s->io.bytes_read - w->read_start > w->read_max)
        return ds_error_set(w->err, DS_ERR_LIMIT,
                            "%s: %s: ext4: more than %u times the image's size read listing it: shared or looping blocks",
                            label, layer_of(w), DS_EXT4_MAX_READ_RATIO);
    memset(w->inode, 0, w->inode_size > sizeof(struct ext2_inode_large) ? w->inode_size : sizeof(struct ext2_inode_large));
    errcode_t e = ext2fs_read_inode_full(w->s->fs, ino, (struct ext2_inode *)w->inode, (int)w->inode_size);
    if (e != 0)
        return damage(w, path, ino, "inode unreadable", e);
    ds_entry_t *entry = ds_tree_append(w->tree);
    if (entry == NULL || (entry->path = strdup(path[0] ? path : "/")) == NULL)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    *slot = w->tree->count - 1;
    return fill_entry(w, entry, ino);
}

/* --- directories --------------------------------------------------------------------------- */

static int dir_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset, int blocksize, char *buf,
                     void *priv)
{
    (void)dir, (void)offset, (void)blocksize, (void)buf;
    dir_ctx_t *d = priv;
    walker_t *w = d->w;
    size_t len = (size_t)ext2fs_dirent_name_len(dirent);
    if (entry == DIRENT_DOT_FILE || entry == DIRENT_DOT_DOT_FILE || dirent->inode == 0 ||
        (len == 1 && dirent->name[0] == '.') || (len == 2 && dirent->name[0] == '.' && dirent->name[1] == '.'))
        return 0;
    d->path->len = d->base_len;
    if (d->path->data != NULL)
        d->path->data[d->base_len] = '\0';
    if (ds_path_append_component(d->path, dirent->name, len > DS_EXT4_MAX_NAME ? DS_EXT4_MAX_NAME : len))
        ds_problems_add(&w->tree->problems, "%s: %s: ext4: a name cannot be a path component; shown escaped as %s",
                        ds_source_label(w->s->src), layer_of(w), ds_strbuf_text(d->path));
    int rc = DS_OK;
    size_t slot = SIZE_MAX;
    if (d->path->failed)
        rc = ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    else if (d->path->len > DS_EXT4_MAX_PATH)
        rc = defer(w, ds_error_set(w->err, DS_ERR_LIMIT, "%s: %s: ext4: a path longer than %u bytes in inode %u",
                                   ds_source_label(w->s->src), layer_of(w), DS_EXT4_MAX_PATH, d->ino));
    else
        rc = add_inode(w, dirent->inode, ds_strbuf_text(d->path), &slot);
    if (rc == DS_OK && slot != SIZE_MAX && w->tree->entries[slot].type == DS_ENTRY_DIR) {
        if (d->count == d->capacity) {
            size_t capacity = d->capacity ? d->capacity * 2 : 16;
            subdir_t *more = realloc(d->subdirs, capacity * sizeof *more);
            if (more == NULL)
                rc = ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
            else
                d->subdirs = more, d->capacity = capacity;
        }
        if (rc == DS_OK)
            d->subdirs[d->count++] = (subdir_t){dirent->inode, slot};
    }
    if (rc != DS_OK) {
        w->fatal = rc;
        return DIRENT_ABORT;
    }
    return 0;
}

static int walk_dir(walker_t *w, ext2_ino_t ino, const char *path, unsigned depth)
{
    ds_strbuf_t buf = {0};
    ds_strbuf_puts(&buf, path);
    if (buf.failed) {
        ds_strbuf_free(&buf);
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    }
    dir_ctx_t d = {.w = w, .ino = ino, .path = &buf, .base_len = buf.len};
    w->ancestors[depth] = ino;
    errcode_t e = ext2fs_dir_iterate2(w->s->fs, ino, 0, NULL, dir_entry, &d);
    int rc = w->fatal;
    if (rc == DS_OK && e != 0)
        rc = damage(w, path, ino, "directory unreadable", e);
    for (size_t i = 0; rc == DS_OK && i < d.count; i++) {
        const char *sub = w->tree->entries[d.subdirs[i].slot].path;
        bool loop = false;
        for (unsigned k = 0; k <= depth; k++)
            loop = loop || w->ancestors[k] == d.subdirs[i].ino;
        if (loop)
            rc = defer(w, ds_error_set(w->err, DS_ERR_FORMAT,
                                       "%s: %s: ext4: %s (inode %u): a directory that holds itself or one above it",
                                       ds_source_label(w->s->src), layer_of(w), sub, d.subdirs[i].ino));
        else if (depth + 1 > DS_EXT4_MAX_DEPTH)
            rc = defer(w, ds_error_set(w->err, DS_ERR_LIMIT, "%s: %s: ext4: %s: more than %u directory levels",
                                       ds_source_label(w->s->src), layer_of(w), sub, DS_EXT4_MAX_DEPTH));
        else
            rc = walk_dir(w, d.subdirs[i].ino, sub, depth + 1);
    }
    free(d.subdirs);
    ds_strbuf_free(&buf);
    return rc;
}

int ds_ext4_walk(ext4_state_t *s, ds_tree_t *tree, ds_error_t *err)
{
    walker_t w = {.s = s, .tree = tree, .err = err, .inode_size = EXT2_INODE_SIZE(s->fs->super)};
    uint64_t size = ds_source_size(s->src);
    w.read_start = s->io.bytes_read;
    w.read_max = size > UINT64_MAX / DS_EXT4_MAX_READ_RATIO ? UINT64_MAX : size * DS_EXT4_MAX_READ_RATIO;
    w.inode = calloc(1, w.inode_size > sizeof(struct ext2_inode_large) ? w.inode_size : sizeof(struct ext2_inode_large));
    if (w.inode == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    size_t slot = SIZE_MAX;
    int rc = add_inode(&w, EXT2_ROOT_INO, "", &slot);
    if (rc == DS_OK && (slot == SIZE_MAX || tree->entries[slot].type != DS_ENTRY_DIR))
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: ext4: the root (inode %u) is not a readable directory",
                          ds_source_label(s->src), layer_of(&w), EXT2_ROOT_INO);
    if (rc == DS_OK)
        rc = walk_dir(&w, EXT2_ROOT_INO, "", 0);
    free(w.inode);
    return rc != DS_OK ? rc : w.deferred;
}
