/* The files of an image for the gates: one sorted entry list per namespace (the ISO's tree, the
 * squashfs's tree, or a host directory's tree), looked up by binary search, symlinks resolved
 * by walking components inside that list (never on the host), content opened through the
 * format that listed the entry (in place) or, for a host tree, with O_NOFOLLOW. */
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../formats/format.h"
#include "../readers/dir.h"
#include "../readers/tree.h"

#define GATE_FILES_LABEL_MAX 600u

typedef struct gate_space_data {
    bool present;
    ds_tree_t tree;
    const ds_format_t *format; /* NULL: a host directory tree (entries carry host_path) */
    void *state;
    ds_source_t *source;       /* what format was opened on (owned) */
    char label[GATE_FILES_LABEL_MAX];
} gate_space_data_t;

struct gate_files {
    ds_source_t *input; /* the image file (NULL for a directory) */
    ds_deadline_t deadline; /* --timeout: every listing and every opened file polls it */
    gate_space_data_t spaces[2];
};

static gate_space_data_t *space_of(gate_files_t *files, gate_space_t space)
{
    return &files->spaces[space == GATE_SPACE_BOOT ? 1 : 0];
}

static void space_free(gate_space_data_t *s)
{
    if (s->format != NULL && s->state != NULL)
        s->format->close(s->state);
    ds_source_close(s->source);
    ds_tree_free(&s->tree);
    memset(s, 0, sizeof *s);
}

void gate_files_close(gate_files_t *files)
{
    if (files == NULL)
        return;
    space_free(&files->spaces[1]);
    space_free(&files->spaces[0]);
    ds_source_close(files->input);
    free(files);
}

const char *gate_files_label(const gate_files_t *files, gate_space_t space)
{
    return files->spaces[space == GATE_SPACE_BOOT ? 1 : 0].label;
}

bool gate_files_has_boot(const gate_files_t *files) { return files->spaces[1].present; }

/* Opens format on src (consumed: owned by the space from here on) and lists its entries. */
static int space_open_format(gate_space_data_t *s, const ds_format_t *format, ds_source_t *src,
                             const char *label, const ds_deadline_t *deadline, ds_error_t *err)
{
    s->format = format;
    s->source = src;
    snprintf(s->label, sizeof s->label, "%s", label);
    ds_format_open_t how = {.deadline = deadline, .layer = s->label};
    int rc = format->open(&s->state, src, &how, err);
    if (rc == DS_OK)
        rc = format->entries(s->state, &s->tree, err);
    if (rc != DS_OK)
        return rc;
    ds_tree_sort(&s->tree);
    s->present = true;
    return DS_OK;
}

static const ds_entry_t *find_entry(const ds_tree_t *tree, const char *path)
{
    size_t lo = 0, hi = tree->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(tree->entries[mid].path, path);
        if (c == 0)
            return &tree->entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The first entry whose path is >= key. */
static size_t lower_bound(const ds_tree_t *tree, const char *key)
{
    size_t lo = 0, hi = tree->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(tree->entries[mid].path, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The squashfs the live system boots: /live/filesystem.squashfs, else the first *.squashfs
 * under /live, else anywhere. */
static const ds_entry_t *find_root_squashfs(const ds_tree_t *tree)
{
    const ds_entry_t *found = find_entry(tree, "/live/filesystem.squashfs");
    for (int pass = 0; pass < 2 && found == NULL; pass++) {
        for (size_t i = 0; i < tree->count && found == NULL; i++) {
            const ds_entry_t *e = &tree->entries[i];
            size_t n = strlen(e->path);
            if (e->type == DS_ENTRY_FILE && n > 9 && strcmp(e->path + n - 9, ".squashfs") == 0 &&
                (pass == 1 || strncmp(e->path, "/live/", 6) == 0))
                found = e;
        }
    }
    return found;
}

static int open_root_squashfs_in(gate_files_t *f, const char *label, const ds_deadline_t *deadline,
                                 ds_error_t *err)
{
    gate_space_data_t *boot = &f->spaces[1];
    const ds_entry_t *sq = find_root_squashfs(&boot->tree);
    if (sq == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: no live/filesystem.squashfs (nor any *.squashfs) in the image", label);
    ds_source_t *src = NULL;
    int rc;
    if (boot->format != NULL)
        rc = boot->format->open_entry(boot->state, sq, &src, err);
    else
        rc = ds_source_open_file_nofollow(&src, sq->host_path, sq->path, err);
    if (rc != DS_OK)
        return rc;
    const ds_format_t *squashfs = ds_format_find("squashfs");
    if (squashfs == NULL || squashfs->bid(src) == 0) {
        ds_source_close(src);
        return ds_error_set(err, DS_ERR_FORMAT, "%s :: %s: not a squashfs image", label, sq->path);
    }
    char root_label[GATE_FILES_LABEL_MAX];
    snprintf(root_label, sizeof root_label, "%s :: %s", label, sq->path);
    return space_open_format(&f->spaces[0], squashfs, src, root_label, deadline, err);
}

static int open_directory(gate_files_t *f, const char *path, const char *label,
                          const ds_deadline_t *deadline, ds_error_t *err)
{
    gate_space_data_t *tree = &f->spaces[0];
    snprintf(tree->label, sizeof tree->label, "%s", label);
    int rc = ds_dir_tree_load(path, label, &tree->tree, deadline, err);
    if (rc != DS_OK)
        return rc;
    tree->present = true;
    if (find_entry(&tree->tree, "/live/filesystem.squashfs") == NULL)
        return DS_OK;
    /* An unpacked ISO tree: it is the boot medium, its squashfs the root filesystem. */
    f->spaces[1] = *tree;
    memset(tree, 0, sizeof *tree);
    return open_root_squashfs_in(f, label, deadline, err);
}

static int open_image_file(gate_files_t *f, const char *path, const char *label,
                           const ds_deadline_t *deadline, ds_error_t *err)
{
    int rc = ds_source_open_file(&f->input, path, label, err);
    if (rc != DS_OK)
        return rc;
    const ds_format_t *iso = ds_format_find("iso9660"), *squashfs = ds_format_find("squashfs");
    ds_source_t *view = NULL;
    rc = ds_source_open_slice(&view, f->input, 0, ds_source_size(f->input), label, err);
    if (rc != DS_OK)
        return rc;
    if (squashfs != NULL && squashfs->bid(view) > 0)
        return space_open_format(&f->spaces[0], squashfs, view, label, deadline, err);
    if (iso != NULL && iso->bid(view) > 0) {
        rc = space_open_format(&f->spaces[1], iso, view, label, deadline, err);
        return rc != DS_OK ? rc : open_root_squashfs_in(f, label, deadline, err);
    }
    ds_source_close(view);
    return ds_error_set(err, DS_ERR_FORMAT, "%s: neither an ISO 9660 image, a squashfs image nor a directory", label);
}

int gate_files_open(gate_files_t **out, const char *path, const char *label,
                    const ds_deadline_t *deadline, ds_error_t *err)
{
    *out = NULL;
    gate_files_t *f = calloc(1, sizeof *f);
    if (f == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    if (deadline != NULL)
        f->deadline = *deadline;
    struct stat st;
    int rc;
    if (stat(path, &st) != 0)
        rc = ds_error_set(err, DS_ERR_IO, "%s: cannot open: %s", label, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = open_directory(f, path, label, deadline, err);
    else
        rc = open_image_file(f, path, label, deadline, err);
    if (rc != DS_OK) {
        gate_files_close(f);
        return rc;
    }
    *out = f;
    return DS_OK;
}

static gate_file_type_t type_of(const ds_entry_t *e)
{
    if (e == NULL || e->type == DS_ENTRY_DIR)
        return GATE_FILE_DIRECTORY; /* NULL: the root, which a tree need not list */
    if (e->type == DS_ENTRY_FILE)
        return GATE_FILE_REGULAR;
    return e->type == DS_ENTRY_SYMLINK ? GATE_FILE_SYMLINK : GATE_FILE_OTHER;
}

typedef struct walker {
    const gate_space_data_t *space;
    char done[GATE_FILES_MAX_PATH + 1]; /* the part resolved so far, no link left in it */
    size_t done_len;
    char rest[2 * GATE_FILES_MAX_PATH + 2]; /* what is left to walk */
    const ds_entry_t *entry;  /* what done names; NULL for the root */
    unsigned links;
} walker_t;

static void walker_up(walker_t *w)
{
    while (w->done_len > 0 && w->done[w->done_len - 1] != '/')
        w->done_len--;
    if (w->done_len > 0)
        w->done_len--; /* the '/' itself */
    w->done[w->done_len] = '\0';
    w->entry = w->done_len ? find_entry(&w->space->tree, w->done) : NULL;
}

/* Replaces the link just walked (the last component of done) by its target, followed by what
 * was left after it. */
static int walker_follow(walker_t *w, const char *after, const char *path, ds_error_t *err)
{
    const char *target = w->entry->link_target;
    if (++w->links > GATE_FILES_MAX_LINKS)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: more than %u symbolic links (a loop?)", w->space->label, path,
                            GATE_FILES_MAX_LINKS);
    if (target == NULL || target[0] == '\0')
        return GATE_FILES_NOT_FOUND;
    char next[sizeof w->rest];
    int n = snprintf(next, sizeof next, "%s/%s", target, after);
    if (n < 0 || (size_t)n >= sizeof next || strlen(target) > GATE_FILES_MAX_PATH)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: path longer than %u bytes after its links", w->space->label,
                            path, GATE_FILES_MAX_PATH);
    if (target[0] == '/') {
        w->done_len = 0;
        w->done[0] = '\0';
        w->entry = NULL;
    } else {
        walker_up(w);
    }
    memcpy(w->rest, next, (size_t)n + 1);
    return DS_OK;
}

/* Walks path component by component; follow_last: resolve a link in the last component too. */
static int walker_run(walker_t *w, const char *path, bool follow_last, ds_error_t *err)
{
    if (path[0] != '/')
        return ds_error_set(err, DS_ERR_USAGE, "%s: %s: not an absolute path", w->space->label, path);
    if (strlen(path) > GATE_FILES_MAX_PATH)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: path longer than %u bytes", w->space->label, GATE_FILES_MAX_PATH);
    snprintf(w->rest, sizeof w->rest, "%s", path);
    const char *p = w->rest;
    for (;;) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            return DS_OK;
        size_t len = strcspn(p, "/");
        const char *after = p + len;
        while (*after == '/')
            after++;
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
            if (len == 2)
                walker_up(w);
            p += len;
            continue;
        }
        if (type_of(w->entry) != GATE_FILE_DIRECTORY)
            return GATE_FILES_NOT_FOUND; /* a component below a file */
        if (w->done_len + 1 + len > GATE_FILES_MAX_PATH)
            return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: path longer than %u bytes", w->space->label, path,
                                GATE_FILES_MAX_PATH);
        w->done[w->done_len++] = '/';
        memcpy(w->done + w->done_len, p, len);
        w->done_len += len;
        w->done[w->done_len] = '\0';
        w->entry = find_entry(&w->space->tree, w->done);
        if (w->entry == NULL)
            return GATE_FILES_NOT_FOUND;
        if (w->entry->type == DS_ENTRY_SYMLINK && (*after != '\0' || follow_last)) {
            int rc = walker_follow(w, after, path, err);
            if (rc != DS_OK)
                return rc;
            p = w->rest;
            continue;
        }
        p += len;
    }
}

static int lookup(gate_files_t *files, gate_space_t space, const char *path, bool follow_last, walker_t **out,
                  ds_error_t *err)
{
    *out = NULL;
    gate_space_data_t *s = space_of(files, space);
    if (!s->present)
        return GATE_FILES_NOT_FOUND;
    walker_t *w = calloc(1, sizeof *w);
    if (w == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    w->space = s;
    int rc = walker_run(w, path, follow_last, err);
    if (rc != DS_OK) {
        free(w);
        return rc;
    }
    *out = w;
    return DS_OK;
}

int gate_files_resolve(gate_files_t *files, gate_space_t space, const char *path, char *resolved, size_t size,
                       ds_error_t *err)
{
    walker_t *w;
    int rc = lookup(files, space, path, true, &w, err);
    if (rc != DS_OK)
        return rc;
    const char *name = w->done_len ? w->done : "/";
    if (strlen(name) >= size)
        rc = ds_error_set(err, DS_ERR_LIMIT, "%s: %s: resolved path longer than the buffer", w->space->label, path);
    else
        memcpy(resolved, name, strlen(name) + 1);
    free(w);
    return rc;
}

static void stat_of(const ds_entry_t *e, gate_stat_t *st)
{
    st->type = type_of(e);
    st->mode = e ? e->mode & 07777u : 0755u;
    st->size = e ? e->size : 0;
    st->link_target = e ? e->link_target : NULL;
}

int gate_files_stat(gate_files_t *files, gate_space_t space, const char *path, gate_stat_t *st, ds_error_t *err)
{
    walker_t *w;
    int rc = lookup(files, space, path, true, &w, err);
    if (rc == DS_OK) {
        stat_of(w->entry, st);
        st->link_target = NULL;
        free(w);
    }
    return rc;
}

static int open_entry(const gate_space_data_t *s, const ds_entry_t *e, const char *path, ds_source_t **out,
                      ds_error_t *err)
{
    if (e == NULL || e->type != DS_ENTRY_FILE)
        return ds_error_set(err, DS_ERR_USAGE, "%s: %s: not a regular file", s->label, path);
    if (s->format != NULL)
        return s->format->open_entry(s->state, e, out, err);
    char label[GATE_FILES_LABEL_MAX];
    snprintf(label, sizeof label, "%s%s", s->label, e->path);
    return ds_source_open_file_nofollow(out, e->host_path, label, err);
}

int gate_files_open_source(gate_files_t *files, gate_space_t space, const char *path, ds_source_t **out,
                           ds_error_t *err)
{
    *out = NULL;
    if (ds_deadline_passed(&files->deadline))
        return ds_error_set(err, DS_ERR_TIMEOUT, "%s: the time budget ran out before %s was read",
                            gate_files_label(files, space), path);
    walker_t *w;
    int rc = lookup(files, space, path, true, &w, err);
    if (rc != DS_OK)
        return rc;
    rc = open_entry(w->space, w->entry, path, out, err);
    free(w);
    return rc;
}

int gate_files_read(gate_files_t *files, gate_space_t space, const char *path, size_t max, char **data,
                    size_t *len, ds_error_t *err)
{
    *data = NULL;
    *len = 0;
    ds_source_t *src;
    int rc = gate_files_open_source(files, space, path, &src, err);
    if (rc != DS_OK)
        return rc;
    uint64_t size = ds_source_size(src);
    char *buf = NULL;
    if (size > max)
        rc = ds_error_set(err, DS_ERR_LIMIT, "%s: %s: %llu bytes, more than the %zu this gate reads",
                          gate_files_label(files, space), path, (unsigned long long)size, max);
    else if ((buf = malloc((size_t)size + 1)) == NULL)
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    else
        rc = ds_source_read(src, 0, buf, (size_t)size, path, err);
    ds_source_close(src);
    if (rc != DS_OK) {
        free(buf);
        return rc;
    }
    buf[size] = '\0';
    *data = buf;
    *len = (size_t)size;
    return DS_OK;
}

static int visit_below(gate_files_t *files, gate_space_t space, const char *dir, bool deep,
                       gate_files_visit_fn visit, void *arg, ds_error_t *err)
{
    walker_t *w;
    int rc = lookup(files, space, dir, true, &w, err);
    if (rc != DS_OK)
        return rc;
    if (type_of(w->entry) != GATE_FILE_DIRECTORY) {
        free(w);
        return GATE_FILES_NOT_FOUND;
    }
    char prefix[GATE_FILES_MAX_PATH + 2];
    snprintf(prefix, sizeof prefix, "%s/", w->done);
    size_t plen = strlen(prefix);
    const ds_tree_t *tree = &w->space->tree;
    for (size_t i = lower_bound(tree, prefix); i < tree->count && rc == DS_OK; i++) {
        const ds_entry_t *e = &tree->entries[i];
        if (strncmp(e->path, prefix, plen) != 0)
            break;
        const char *name = e->path + plen;
        if (*name == '\0' || (!deep && strchr(name, '/') != NULL))
            continue;
        if (ds_deadline_passed(&files->deadline)) {
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: the time budget ran out while listing %s",
                              gate_files_label(files, space), dir);
            break;
        }
        gate_stat_t st;
        stat_of(e, &st);
        rc = visit(arg, e->path, &st);
    }
    free(w);
    return rc;
}

int gate_files_list(gate_files_t *files, gate_space_t space, const char *dir, gate_files_visit_fn visit, void *arg,
                    ds_error_t *err)
{
    return visit_below(files, space, dir, false, visit, arg, err);
}

int gate_files_walk(gate_files_t *files, gate_space_t space, const char *dir, gate_files_visit_fn visit, void *arg,
                    ds_error_t *err)
{
    return visit_below(files, space, dir, true, visit, arg, err);
}
