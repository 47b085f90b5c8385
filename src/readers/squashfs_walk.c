/* A squashfs image's entries one at a time, in bytewise order of their full paths (the order of
 * a sorted ds_tree_t), read from the directory and inode tables one directory at a time: memory
 * holds the directories open on the way down (their children's inodes), never the whole tree.
 *
 * The order: a directory's children are read in one go (squashfs keeps them sorted by name) and
 * each child is given the key of its name; a subdirectory gets a second key, its name with "/"
 * appended, under which its contents are visited. Sorting the keys with strcmp gives exactly the
 * full paths' order: "/etc/foo", "/etc/foo.conf", "/etc/foo/a" (bytes below '/', such as '.' and
 * '-', sort before it). Escaped names (ds_path_append_component) never contain '/'.
 *
 * Limits: DS_SQUASHFS_MAX_ENTRIES (and --max-memory's entry budget) for the whole walk, which
 * also stops a directory graph that revisits a subtree; WALK_MAX_DEPTH nested directories; a
 * directory that is its own ancestor (by the position of its listing) is a problem, not a loop. */
#define _GNU_SOURCE
#include "squashfs_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/dir.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>

#include "../util/limits.h"
#include "../util/pathname.h"
#include "../util/strbuf.h"

#define WALK_MAX_DEPTH 1024u /* nested directories */

typedef struct walk_child {
    char *key;                    /* escaped name, "/" appended for the descent; owned */
    size_t name_len;              /* bytes of key that are the name */
    bool descend;
    sqfs_inode_generic_t *inode;  /* owned by the entry item; the descent borrows it */
} walk_child_t;

typedef struct walk_frame {
    walk_child_t *children;
    size_t count, next;
    size_t path_len;              /* the directory's path in cursor->path ("" for the root) */
    uint64_t listing;             /* where its listing is: block << 16 | offset */
} walk_frame_t;

struct ds_squashfs_cursor {
    ds_squashfs_t *sq;
    const ds_deadline_t *deadline;
    walk_frame_t *frames;
    size_t depth, capacity;
    ds_strbuf_t path;
    ds_entry_t entry;             /* the current one */
    sqfs_inode_generic_t *root;
    bool root_done;
    size_t count;
    bool lost;                    /* entries were skipped (an unreadable directory or inode) */
    ds_problems_t problems;
};

static uint64_t dir_listing(const sqfs_inode_generic_t *inode)
{
    if (inode->base.type == SQFS_INODE_EXT_DIR)
        return (uint64_t)inode->data.dir_ext.start_block << 16 | inode->data.dir_ext.offset;
    return (uint64_t)inode->data.dir.start_block << 16 | inode->data.dir.offset;
}

static bool is_dir(const sqfs_inode_generic_t *inode)
{
    return inode->base.type == SQFS_INODE_DIR || inode->base.type == SQFS_INODE_EXT_DIR;
}

static int child_order(const void *x, const void *y)
{
    return strcmp(((const walk_child_t *)x)->key, ((const walk_child_t *)y)->key);
}

static void frame_free(walk_frame_t *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->children[i].key);
        if (!f->children[i].descend)
            sqfs_free(f->children[i].inode);
    }
    free(f->children);
    memset(f, 0, sizeof *f);
}

/* A problem naming the directory whose listing or child could not be read. */
static void lost_problem(ds_squashfs_cursor_t *c, const char *what, const char *path, int lib)
{
    ds_squashfs_t *sq = c->sq;
    const char *why = sq->file->error.message[0] ? sq->file->error.message : squashfs_error_text(lib);
    uint64_t base = ds_source_base(sq->src);
    ds_problems_add(&c->problems,
                    "%s: %s: %s %s unreadable (directory table at byte %" PRIu64 ", inode table at byte %" PRIu64
                    " of the input): %s",
                    ds_source_label(sq->src), sq->name, what, path[0] ? path : "/", base + sq->super.directory_table_start,
                    base + sq->super.inode_table_start, why);
    sq->file->error.message[0] = '\0';
    c->lost = true;
}

static int add_child(walk_child_t **children, size_t *count, size_t *capacity, walk_child_t child)
{
    if (*count == *capacity) {
        size_t bigger = *capacity ? *capacity * 2 : 16;
        walk_child_t *grown = realloc(*children, bigger * sizeof *grown);
        if (grown == NULL)
            return DS_ERR_NOMEM;
        *children = grown;
        *capacity = bigger;
    }
    (*children)[(*count)++] = child;
    return DS_OK;
}

/* The children of dir (whose path is in c->path) into a new frame, sorted by key. An unreadable
 * listing is a problem and leaves the frame with what was read before the damage. */
static int read_directory(ds_squashfs_cursor_t *c, const sqfs_inode_generic_t *dir, walk_frame_t *frame,
                          ds_error_t *err)
{
    ds_squashfs_t *sq = c->sq;
    memset(frame, 0, sizeof *frame);
    frame->path_len = c->path.len;
    frame->listing = dir_listing(dir);
    size_t capacity = 0;
    int lib = sqfs_dir_reader_open_dir(sq->dirs, dir, 0);
    if (lib != 0) {
        lost_problem(c, "directory", ds_strbuf_text(&c->path), lib);
        return DS_OK;
    }
    ds_strbuf_t name = {0};
    int rc = DS_OK;
    for (;;) {
        sqfs_dir_entry_t *ent = NULL;
        lib = sqfs_dir_reader_read(sq->dirs, &ent);
        if (lib > 0)
            break;
        if (lib < 0) {
            lost_problem(c, "directory", ds_strbuf_text(&c->path), lib);
            break;
        }
        if (c->count + frame->count >= DS_SQUASHFS_MAX_ENTRIES || c->count + frame->count >= ds_limits()->max_entries) {
            sqfs_free(ent);
            rc = ds_error_set(err, DS_ERR_LIMIT, "%s: %s: more than %zu entries (the --max-memory budget)",
                              ds_source_label(sq->src), sq->name, c->count + frame->count);
            break;
        }
        name.len = 0;
        bool escaped = ds_path_append_component(&name, (const char *)ent->name, (size_t)ent->size + 1);
        sqfs_free(ent);
        if (escaped)
            ds_problems_add(&c->problems, "%s: %s: a name cannot be a path component; shown escaped as %s%s",
                            ds_source_label(sq->src), sq->name, ds_strbuf_text(&c->path), ds_strbuf_text(&name));
        sqfs_inode_generic_t *inode = NULL;
        lib = sqfs_dir_reader_get_inode(sq->dirs, &inode);
        if (lib != 0) {
            ds_strbuf_t where = {0};
            ds_strbuf_printf(&where, "%s%s", ds_strbuf_text(&c->path), ds_strbuf_text(&name));
            lost_problem(c, "the inode of", ds_strbuf_text(&where), lib);
            ds_strbuf_free(&where);
            continue;
        }
        walk_child_t child = {.key = name.failed ? NULL : strdup(ds_strbuf_text(&name) + 1),
                              .name_len = name.len - 1, .inode = inode};
        if (child.key == NULL || add_child(&frame->children, &frame->count, &capacity, child) != DS_OK) {
            free(child.key);
            sqfs_free(inode);
            rc = ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory reading %s", ds_source_label(sq->src),
                              sq->name, ds_strbuf_text(&c->path));
            break;
        }
        if (!is_dir(inode))
            continue;
        walk_child_t descent = {.name_len = child.name_len, .descend = true, .inode = inode};
        if (asprintf(&descent.key, "%s/", child.key) < 0 ||
            add_child(&frame->children, &frame->count, &capacity, descent) != DS_OK) {
            free(descent.key);
            rc = ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory reading %s", ds_source_label(sq->src),
                              sq->name, ds_strbuf_text(&c->path));
            break;
        }
    }
    ds_strbuf_free(&name);
    if (frame->count > 1)
        qsort(frame->children, frame->count, sizeof *frame->children, child_order);
    return rc;
}

int ds_squashfs_cursor_open(ds_squashfs_cursor_t **out, ds_squashfs_t *sq, const ds_deadline_t *deadline,
                            ds_error_t *err)
{
    *out = NULL;
    ds_squashfs_cursor_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    c->sq = sq;
    c->deadline = deadline;
    int lib = sqfs_dir_reader_get_root_inode(sq->dirs, &c->root);
    if (lib != 0 || !is_dir(c->root)) {
        char what[160];
        snprintf(what, sizeof what, "root inode (inode table at byte %" PRIu64 " of the input)",
                 ds_source_base(sq->src) + sq->super.inode_table_start);
        int rc = lib != 0 ? squashfs_fail(err, sq, sq->file, lib, what)
                          : ds_error_set(err, DS_ERR_FORMAT, "%s: %s: the %s is not a directory",
                                         ds_source_label(sq->src), sq->name, what);
        ds_squashfs_cursor_close(c);
        return rc;
    }
    *out = c;
    return DS_OK;
}

void ds_squashfs_cursor_close(ds_squashfs_cursor_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->depth; i++)
        frame_free(&c->frames[i]);
    free(c->frames);
    sqfs_free(c->root);
    ds_entry_clear(&c->entry);
    ds_strbuf_free(&c->path);
    ds_problems_free(&c->problems);
    free(c);
}

const ds_problems_t *ds_squashfs_cursor_problems(const ds_squashfs_cursor_t *c) { return &c->problems; }
bool ds_squashfs_cursor_lost(const ds_squashfs_cursor_t *c) { return c->lost; }
size_t ds_squashfs_cursor_count(const ds_squashfs_cursor_t *c) { return c->count; }

/* Opens the directory child (whose path is now c->path) as a new frame on top. */
static int descend(ds_squashfs_cursor_t *c, const sqfs_inode_generic_t *dir, ds_error_t *err)
{
    /* An empty directory (listing size 3: no header) may point anywhere; nothing to follow. */
    uint32_t size = dir->base.type == SQFS_INODE_EXT_DIR ? dir->data.dir_ext.size : dir->data.dir.size;
    for (size_t i = 0; size > 3 && i < c->depth; i++)
        if (c->frames[i].listing == dir_listing(dir)) {
            ds_problems_add(&c->problems, "%s: %s: %s: a directory listing that is its own ancestor's (a loop); not followed",
                            ds_source_label(c->sq->src), c->sq->name, ds_strbuf_text(&c->path));
            return DS_OK;
        }
    if (c->depth >= WALK_MAX_DEPTH)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: %s: more than %u nested directories",
                            ds_source_label(c->sq->src), c->sq->name, ds_strbuf_text(&c->path), WALK_MAX_DEPTH);
    if (c->depth == c->capacity) {
        size_t bigger = c->capacity ? c->capacity * 2 : 32;
        walk_frame_t *grown = realloc(c->frames, bigger * sizeof *grown);
        if (grown == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        c->frames = grown;
        c->capacity = bigger;
    }
    int rc = read_directory(c, dir, &c->frames[c->depth], err);
    c->depth++; /* pushed even after an error: the close frees what it holds */
    return rc;
}

int ds_squashfs_cursor_next(ds_squashfs_cursor_t *c, const ds_entry_t **entry, ds_error_t *err)
{
    *entry = NULL;
    ds_entry_clear(&c->entry);
    if (++c->count % 256 == 0 && ds_deadline_passed(c->deadline))
        return ds_error_set(err, DS_ERR_TIMEOUT, "%s: %s: time budget exhausted reading the tree",
                            ds_source_label(c->sq->src), c->sq->name);
    if (!c->root_done) {
        c->root_done = true;
        int rc = squashfs_fill_entry(c->sq, &c->entry, c->root, "/", &c->problems);
        if (rc == DS_OK)
            rc = descend(c, c->root, err);
        if (rc != DS_OK)
            return rc == DS_ERR_NOMEM ? ds_error_set(err, rc, "out of memory") : rc;
        *entry = &c->entry;
        return 1;
    }
    while (c->depth > 0) {
        walk_frame_t *top = &c->frames[c->depth - 1];
        if (top->next == top->count) {
            frame_free(top);
            c->depth--;
            continue;
        }
        walk_child_t *child = &top->children[top->next++];
        c->path.len = top->path_len;
        ds_strbuf_puts(&c->path, "/");
        ds_strbuf_append(&c->path, child->key, child->name_len);
        if (c->path.failed)
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        if (child->descend) {
            int rc = descend(c, child->inode, err);
            if (rc != DS_OK)
                return rc;
            continue;
        }
        int rc = squashfs_fill_entry(c->sq, &c->entry, child->inode, ds_strbuf_text(&c->path), &c->problems);
        if (rc != DS_OK)
            return ds_error_set(err, rc, "out of memory");
        *entry = &c->entry;
        return 1;
    }
    c->count--;
    return 0;
}

bool squashfs_entry_copy(ds_entry_t *dst, const ds_entry_t *src, sqfs_inode_generic_t **inode)
{
    memset(dst, 0, sizeof *dst);
    *inode = NULL;
    const sqfs_inode_generic_t *from = src->native;
    size_t bytes = sizeof *from + (from ? from->payload_bytes_used : 0);
    *dst = *src;
    dst->path = dst->link_target = dst->xattrs = dst->host_path = dst->mtime_text = NULL;
    dst->extents = NULL;
    dst->digest = NULL;
    dst->native = NULL;
    bool ok = (dst->path = strdup(src->path)) != NULL &&
              (src->link_target == NULL || (dst->link_target = strdup(src->link_target)) != NULL) &&
              (src->xattrs == NULL || (dst->xattrs = strdup(src->xattrs)) != NULL) &&
              (src->extent_count == 0 ||
               (dst->extents = malloc(src->extent_count * sizeof *dst->extents)) != NULL) &&
              (from == NULL || (*inode = malloc(bytes)) != NULL);
    if (!ok) {
        free(*inode);
        *inode = NULL;
        dst->extent_count = 0;
        ds_entry_clear(dst);
        return false;
    }
    if (src->extent_count)
        memcpy(dst->extents, src->extents, src->extent_count * sizeof *dst->extents);
    if (from != NULL) {
        memcpy(*inode, from, bytes);
        (*inode)->payload_bytes_available = from->payload_bytes_used;
        dst->native = *inode;
    }
    return true;
}

bool ds_squashfs_entry_copy(ds_entry_t *dst, const ds_entry_t *src, void **inode)
{
    sqfs_inode_generic_t *copy = NULL;
    bool ok = squashfs_entry_copy(dst, src, &copy);
    *inode = copy;
    return ok;
}

/* ---- two images side by side ---- */

static int advance(ds_squashfs_walk_t *w, ds_squashfs_cursor_t *cur[2], const ds_entry_t *e[2], int i)
{
    ds_error_t err = {0};
    int rc = ds_squashfs_cursor_next(cur[i], &e[i], &err);
    w->lost[i] = cur[i]->lost;
    if (rc == 1)
        return DS_OK;
    e[i] = NULL;
    w->alive[i] = false;
    if (rc == 0) {
        w->complete[i] = !cur[i]->lost;
        return DS_OK;
    }
    w->error[i] = err;
    return rc;
}

int ds_squashfs_walk_pair(ds_squashfs_t *const sq[2], const ds_deadline_t *deadline, ds_tree_visit_fn visit,
                          void *ctx, ds_squashfs_walk_t *w)
{
    memset(w, 0, sizeof *w);
    ds_squashfs_cursor_t *cur[2] = {NULL, NULL};
    const ds_entry_t *e[2] = {NULL, NULL};
    int stop = DS_OK;
    for (int i = 0; i < 2; i++) {
        if (sq[i] == NULL)
            continue;
        if (ds_squashfs_cursor_open(&cur[i], sq[i], deadline, &w->error[i]) != DS_OK)
            continue;
        w->alive[i] = true;
        int rc = advance(w, cur, e, i);
        if (rc == DS_ERR_TIMEOUT)
            stop = rc;
    }
    while (stop == DS_OK && (e[0] != NULL || e[1] != NULL)) {
        int order = e[0] == NULL ? 1 : e[1] == NULL ? -1 : strcmp(e[0]->path, e[1]->path);
        int rc = visit(ctx, order <= 0 ? e[0] : NULL, order >= 0 ? e[1] : NULL);
        if (rc != 0) {
            stop = rc;
            break;
        }
        for (int i = 0; i < 2 && stop == DS_OK; i++)
            if ((i == 0 ? order <= 0 : order >= 0) && advance(w, cur, e, i) == DS_ERR_TIMEOUT)
                stop = DS_ERR_TIMEOUT;
    }
    for (int i = 0; i < 2; i++) {
        if (cur[i] == NULL)
            continue;
        w->entries[i] = cur[i]->count;
        w->problems[i] = cur[i]->problems;
        memset(&cur[i]->problems, 0, sizeof cur[i]->problems);
        if (stop != DS_OK)
            w->complete[i] = false;
        ds_squashfs_cursor_close(cur[i]);
    }
    return stop;
}

bool ds_squashfs_walk_knows(const ds_squashfs_walk_t *w, int side)
{
    return (w->alive[side] || w->complete[side]) && !w->lost[side];
}

void ds_squashfs_walk_free(ds_squashfs_walk_t *w)
{
    ds_problems_free(&w->problems[0]);
    ds_problems_free(&w->problems[1]);
}

/* ---- single paths ---- */

/* Keeps inode until ds_squashfs_close (entries handed out by lookups point at it). */
static bool keep_inode(ds_squashfs_t *sq, sqfs_inode_generic_t *inode)
{
    if (sq->kept_count == sq->kept_capacity) {
        size_t bigger = sq->kept_capacity ? sq->kept_capacity * 2 : 16;
        sqfs_inode_generic_t **grown = realloc(sq->kept, bigger * sizeof *grown);
        if (grown == NULL)
            return false;
        sq->kept = grown;
        sq->kept_capacity = bigger;
    }
    sq->kept[sq->kept_count++] = inode;
    return true;
}

/* Fills entry from inode (then kept by sq) under path; 1, or an error. */
static int hand_out(ds_squashfs_t *sq, sqfs_inode_generic_t *inode, const char *path, ds_entry_t *entry,
                    ds_error_t *err)
{
    ds_problems_t problems = {0};
    if (!keep_inode(sq, inode)) {
        sqfs_free(inode);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    int rc = squashfs_fill_entry(sq, entry, inode, path, &problems);
    ds_problems_free(&problems);
    return rc == DS_OK ? 1 : ds_error_set(err, rc, "out of memory");
}

/* The inode at path, resolved one component at a time from the root (names as stored, no
 * escapes); *out NULL when there is none. */
static int resolve(ds_squashfs_t *sq, const char *path, sqfs_inode_generic_t **out, ds_error_t *err)
{
    *out = NULL;
    sqfs_inode_generic_t *inode = NULL;
    int lib = sqfs_dir_reader_get_root_inode(sq->dirs, &inode);
    char name[512];
    for (const char *p = path; lib == 0;) {
        p += strspn(p, "/");
        size_t n = strcspn(p, "/");
        if (n == 0)
            break;
        if (!is_dir(inode) || n >= sizeof name) {
            sqfs_free(inode);
            return DS_OK;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        lib = sqfs_dir_reader_open_dir(sq->dirs, inode, 0);
        sqfs_free(inode);
        inode = NULL;
        if (lib == 0)
            lib = sqfs_dir_reader_find(sq->dirs, name);
        if (lib > 0 || lib == SQFS_ERROR_NO_ENTRY)
            return DS_OK;
        if (lib == 0)
            lib = sqfs_dir_reader_get_inode(sq->dirs, &inode);
    }
    if (lib != 0) {
        sqfs_free(inode);
        char what[300];
        snprintf(what, sizeof what, "looking up %.200s", path);
        return squashfs_fail(err, sq, sq->file, lib, what);
    }
    *out = inode;
    return DS_OK;
}

int ds_squashfs_lookup(ds_squashfs_t *sq, const char *path, ds_entry_t *entry, ds_error_t *err)
{
    memset(entry, 0, sizeof *entry);
    sqfs_inode_generic_t *inode = NULL;
    int rc = resolve(sq, path, &inode, err);
    if (rc != DS_OK || inode == NULL)
        return rc;
    return hand_out(sq, inode, path, entry, err);
}

int ds_squashfs_find_in_dir(ds_squashfs_t *sq, const char *dir, const char *prefix, const char *suffix,
                            ds_entry_t *entry, ds_error_t *err)
{
    memset(entry, 0, sizeof *entry);
    sqfs_inode_generic_t *inode = NULL;
    int rc = resolve(sq, dir, &inode, err);
    if (rc != DS_OK || inode == NULL)
        return rc;
    int lib = is_dir(inode) ? sqfs_dir_reader_open_dir(sq->dirs, inode, 0) : 1;
    sqfs_free(inode);
    size_t np = strlen(prefix), ns = strlen(suffix);
    while (lib == 0) {
        sqfs_dir_entry_t *ent = NULL;
        lib = sqfs_dir_reader_read(sq->dirs, &ent);
        if (lib != 0)
            break;
        size_t len = strnlen((const char *)ent->name, (size_t)ent->size + 1);
        const char *name = (const char *)ent->name;
        if (len >= np + ns && memcmp(name, prefix, np) == 0 && memcmp(name + len - ns, suffix, ns) == 0) {
            char *path = NULL;
            bool named = asprintf(&path, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name) >= 0;
            sqfs_free(ent);
            lib = named ? sqfs_dir_reader_get_inode(sq->dirs, &inode) : SQFS_ERROR_ALLOC;
            if (lib == 0)
                rc = hand_out(sq, inode, path, entry, err);
            free(path);
            if (lib == 0)
                return rc;
            break;
        }
        sqfs_free(ent);
    }
    if (lib < 0) {
        char what[300];
        snprintf(what, sizeof what, "reading directory %.200s", dir);
        return squashfs_fail(err, sq, sq->file, lib, what);
    }
    return 0;
}
