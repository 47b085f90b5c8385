#define _GNU_SOURCE
#include "dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../util/pathname.h"
#include "../util/limits.h"
#include "../util/strbuf.h"

static int name_order(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* "name=value, ..." sorted, as the squashfs reader writes them. */
static char *read_xattrs(const char *host)
{
    char names[4096];
    ssize_t len = llistxattr(host, names, sizeof names);
    if (len <= 0)
        return NULL;
    char *items[256];
    size_t count = 0;
    for (ssize_t i = 0; i < len && count < 256; i += (ssize_t)strlen(names + i) + 1)
        items[count++] = names + i;
    qsort(items, count, sizeof *items, name_order);
    ds_strbuf_t sb = {0};
    for (size_t i = 0; i < count; i++) {
        unsigned char value[1024];
        ssize_t n = lgetxattr(host, items[i], value, sizeof value);
        if (n < 0)
            continue;
        ds_strbuf_printf(&sb, "%s%s=", sb.len ? ", " : "", items[i]);
        ds_strbuf_xattr_value(&sb, value, (size_t)n);
    }
    return sb.len ? ds_strbuf_take(&sb) : (ds_strbuf_free(&sb), NULL);
}

static int add(ds_tree_t *tree, const char *path, const char *host, const struct stat *st)
{
    ds_entry_t *e = ds_tree_append(tree);
    if (e == NULL)
        return DS_ERR_NOMEM;
    e->path = strdup(path);
    e->host_path = strdup(host);
    if (e->path == NULL || e->host_path == NULL)
        return DS_ERR_NOMEM; /* the entry is freed with the tree */
    e->type = ds_entry_type_from_mode(st->st_mode);
    e->mode = st->st_mode & 07777;
    e->uid = st->st_uid;
    e->gid = st->st_gid;
    e->nlink = (uint32_t)st->st_nlink;
    e->has_owner = true;
    e->size = e->type == DS_ENTRY_DIR ? 0 : (uint64_t)st->st_size;
    e->mtime = st->st_mtime;
    if (e->type == DS_ENTRY_CHAR || e->type == DS_ENTRY_BLOCK) {
        e->rdev_major = major(st->st_rdev);
        e->rdev_minor = minor(st->st_rdev);
    }
    if (e->type == DS_ENTRY_SYMLINK) {
        char target[4096];
        ssize_t n = readlink(host, target, sizeof target - 1);
        if (n >= 0) {
            ds_strbuf_t sb = {0};
            ds_strbuf_append(&sb, target, (size_t)n);
            e->link_target = ds_strbuf_take(&sb);
        }
    }
    e->xattrs = read_xattrs(host);
    return DS_OK;
}

static int entry_order(const void *x, const void *y)
{
    return strcmp(((const ds_entry_t *)x)->path, ((const ds_entry_t *)y)->path);
}

/* A directory still to read: its host path, tree path and depth. */
struct pending {
    char *host, *path;
    unsigned depth;
};

/* One walk: the tree it fills and the stack of directories still to read. */
struct walk {
    ds_tree_t *tree;
    const char *label;
    ds_error_t *err;
    struct pending *stack;
    size_t count, capacity;
};

/* Queues the subdirectory at host/path (taking their text), or notes that it is too deep. */
static int subdir_queue(struct walk *w, const struct pending *dir, ds_strbuf_t *host,
                        ds_strbuf_t *path)
{
    if (dir->depth + 1 > DS_DIR_MAX_DEPTH) {
        ds_problems_add(&w->tree->problems, "%s: %s: nested deeper than %u; not entered", w->label,
                        ds_strbuf_text(path), DS_DIR_MAX_DEPTH);
        return DS_OK;
    }
    if (w->count == w->capacity) {
        size_t capacity = w->capacity * 2;
        struct pending *bigger = realloc(w->stack, capacity * sizeof *bigger);
        if (bigger == NULL)
            return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
        w->stack = bigger;
        w->capacity = capacity;
    }
    w->stack[w->count++] = (struct pending){ds_strbuf_take(host), ds_strbuf_take(path), dir->depth + 1};
    return DS_OK;
}

/* Adds the entry `name` of dir (open as dir_fd) to the tree, and queues it if a directory.
 * An entry that cannot be stat'ed is a problem, not an error. */
static int dir_entry_add(struct walk *w, const struct pending *dir, int dir_fd, const char *name)
{
    int rc = DS_OK;
    ds_strbuf_t host = {0}, path = {0};
    ds_strbuf_printf(&host, "%s/%s", dir->host, name);
    ds_strbuf_puts(&path, dir->path);
    ds_path_append_component(&path, name, strlen(name));
    struct stat est;
    if (host.failed || path.failed) {
        rc = ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    } else if (fstatat(dir_fd, name, &est, AT_SYMLINK_NOFOLLOW) != 0) {
        ds_problems_add(&w->tree->problems, "%s: %s: cannot stat: %s", w->label, ds_strbuf_text(&path), strerror(errno));
    } else if ((rc = add(w->tree, ds_strbuf_text(&path), ds_strbuf_text(&host), &est)) != DS_OK) {
        rc = ds_error_set(w->err, rc, "out of memory");
    } else if (S_ISDIR(est.st_mode)) {
        rc = subdir_queue(w, dir, &host, &path);
    }
    ds_strbuf_free(&host);
    ds_strbuf_free(&path);
    return rc;
}

/* Reads one directory into the tree, within the entry limits. A directory that cannot be
 * opened is a problem, not an error. */
static int dir_read(struct walk *w, const struct pending *dir)
{
    int fd = open(dir->host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        ds_problems_add(&w->tree->problems, "%s: %s: cannot read the directory: %s", w->label,
                        dir->path[0] ? dir->path : "/", strerror(errno));
        if (fd >= 0)
            close(fd);
        return DS_OK;
    }
    int rc = DS_OK;
    struct dirent *de;
    while (rc == DS_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (w->tree->count >= DS_DIR_MAX_ENTRIES || w->tree->count >= ds_limits()->max_entries) {
            rc = ds_error_set(w->err, DS_ERR_LIMIT, "%s: more than %zu entries (the --max-memory budget)", w->label,
                              w->tree->count);
            break;
        }
        rc = dir_entry_add(w, dir, dirfd(d), de->d_name);
    }
    closedir(d);
    return rc;
}

int ds_dir_tree_load(const char *root, const char *label, ds_tree_t *tree,
                     const ds_deadline_t *deadline, ds_error_t *err)
{
    memset(tree, 0, sizeof *tree);
    struct stat st;
    if (lstat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return ds_error_set(err, DS_ERR_IO, "%s: not a directory", label);
    int rc = add(tree, "/", root, &st);
    struct walk w = {tree, label, err, malloc(64 * sizeof(struct pending)), 0, 64};
    if (w.stack == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    w.stack[w.count++] = (struct pending){strdup(root), strdup(""), 0};
    while (rc == DS_OK && w.count > 0) {
        struct pending dir = w.stack[--w.count];
        if (ds_deadline_passed(deadline))
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: directory walk: time budget exhausted", label);
        else
            rc = dir_read(&w, &dir);
        free(dir.host), free(dir.path);
    }
    while (w.count > 0) {
        w.count--;
        free(w.stack[w.count].host);
        free(w.stack[w.count].path);
    }
    free(w.stack);
    if (tree->count > 0) /* qsort must not be given the NULL of an empty list */
        qsort(tree->entries, tree->count, sizeof *tree->entries, entry_order);
    tree->complete = rc == DS_OK;
    return rc;
}
