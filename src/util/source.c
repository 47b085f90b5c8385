#define _GNU_SOURCE
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ds_source {
    int fd;               /* owned by a file source; -1 in a slice or callback source */
    ds_source_read_fn read_at; /* a callback source */
    void *ctx;
    void (*release)(void *ctx); /* frees ctx when the source closes (owned callback sources) */
    const unsigned char *memory; /* a memory source */
    ds_source_t *parent;  /* the source a slice reads from */
    uint64_t offset;      /* start of a slice in its parent */
    uint64_t size;
    char label[256];
};

static int source_open(ds_source_t **out, const char *path, const char *label, int flags,
                       ds_error_t *err);

int ds_source_open_file(ds_source_t **out, const char *path, const char *label, ds_error_t *err)
{
    return source_open(out, path, label, 0, err);
}

int ds_source_open_file_nofollow(ds_source_t **out, const char *path, const char *label,
                                 ds_error_t *err)
{
    return source_open(out, path, label, O_NOFOLLOW, err);
}

static int source_open(ds_source_t **out, const char *path, const char *label, int flags,
                       ds_error_t *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
    if (fd < 0)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open: %s", label, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        return ds_error_set(err, DS_ERR_IO, "%s: cannot stat: %s", label, strerror(saved));
    }
    uint64_t size;
    if (S_ISREG(st.st_mode)) {
        size = (uint64_t)st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0) {
            close(fd);
            return ds_error_set(err, DS_ERR_IO, "%s: cannot size block device", label);
        }
        size = (uint64_t)end;
    } else {
        close(fd);
        return ds_error_set(err, DS_ERR_USAGE, "%s: not a regular file or block device", label);
    }
    ds_source_t *src = calloc(1, sizeof *src);
    if (src == NULL) {
        close(fd);
        return ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", label);
    }
    src->fd = fd;
    src->size = size;
    snprintf(src->label, sizeof src->label, "%s", label);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *out = src;
    return DS_OK;
}

int ds_source_open_callback(ds_source_t **out, ds_source_read_fn read_at, void *ctx,
                            uint64_t size, const char *label, ds_error_t *err)
{
    *out = NULL;
    ds_source_t *src = calloc(1, sizeof *src);
    if (src == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    src->fd = -1;
    src->read_at = read_at;
    src->ctx = ctx;
    src->size = size;
    snprintf(src->label, sizeof src->label, "%s", label);
    *out = src;
    return DS_OK;
}

int ds_source_open_owned(ds_source_t **out, ds_source_read_fn read_at, void (*release)(void *ctx),
                         void *ctx, uint64_t size, const char *label, ds_error_t *err)
{
    int rc = ds_source_open_callback(out, read_at, ctx, size, label, err);
    if (rc != DS_OK) {
        release(ctx);
        return rc;
    }
    (*out)->release = release;
    return DS_OK;
}

int ds_source_open_memory(ds_source_t **out, const void *data, size_t len, const char *label,
                          ds_error_t *err)
{
    *out = NULL;
    ds_source_t *src = calloc(1, sizeof *src);
    if (src == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    src->fd = -1;
    src->memory = data;
    src->size = len;
    snprintf(src->label, sizeof src->label, "%s", label);
    *out = src;
    return DS_OK;
}

int ds_source_open_slice(ds_source_t **out, ds_source_t *parent, uint64_t offset, uint64_t length,
                         const char *layer, ds_error_t *err)
{
    *out = NULL;
    if (offset > parent->size || length > parent->size - offset)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: %s: bytes %" PRIu64 "..%" PRIu64 " lie past the end (%" PRIu64
                            " bytes)",
                            parent->label, layer, ds_source_base(parent) + offset,
                            ds_source_base(parent) + offset + length, parent->size);
    ds_source_t *src = calloc(1, sizeof *src);
    if (src == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", parent->label);
    src->fd = -1;
    src->parent = parent;
    src->offset = offset;
    src->size = length;
    snprintf(src->label, sizeof src->label, "%s", parent->label);
    *out = src;
    return DS_OK;
}

/* Maps a read on a (possibly nested) slice onto the file at the bottom. */
static ds_source_t *source_root(const ds_source_t *src, uint64_t *offset)
{
    while (src->parent != NULL) {
        *offset += src->offset;
        src = src->parent;
    }
    return (ds_source_t *)src;
}

int ds_source_read_some(ds_source_t *src, uint64_t offset, void *buf, size_t len, size_t *got,
                        ds_error_t *err)
{
    *got = 0;
    if (offset >= src->size)
        return DS_OK;
    if (len > src->size - offset)
        len = (size_t)(src->size - offset);
    /* Slices of callback and memory sources resolve to their root too. */
    uint64_t absolute = offset;
    ds_source_t *base = source_root(src, &absolute);
    if (base->memory != NULL) {
        memcpy(buf, base->memory + absolute, len);
        *got = len;
        return DS_OK;
    }
    if (base->read_at != NULL)
        return base->read_at(base->ctx, absolute, buf, len, got, err);
    absolute = offset;
    ds_source_t *root = source_root(src, &absolute);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(root->fd, (char *)buf + done, len - done, (off_t)(absolute + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ds_error_set(err, DS_ERR_IO, "%s: read error at byte %" PRIu64 ": %s",
                                src->label, absolute + done, strerror(errno));
        }
        if (n == 0)
            break; /* the file shrank under us */
        done += (size_t)n;
    }
    *got = done;
    return DS_OK;
}

int ds_source_read(ds_source_t *src, uint64_t offset, void *buf, size_t len, const char *layer,
                   ds_error_t *err)
{
    uint64_t base = ds_source_base(src);
    if (offset > src->size || len > src->size - offset)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: %s: truncated: %zu bytes wanted at byte %" PRIu64
                            ", but the data ends at byte %" PRIu64,
                            src->label, layer, len, base + offset, base + src->size);
    size_t got = 0;
    int rc = ds_source_read_some(src, offset, buf, len, &got, err);
    if (rc != DS_OK)
        return rc;
    if (got != len)
        return ds_error_set(err, DS_ERR_IO, "%s: %s: short read at byte %" PRIu64, src->label,
                            layer, base + offset + got);
    return DS_OK;
}

uint64_t ds_source_size(const ds_source_t *src) { return src->size; }

const char *ds_source_label(const ds_source_t *src) { return src->label; }

uint64_t ds_source_base(const ds_source_t *src)
{
    uint64_t offset = 0;
    source_root(src, &offset);
    return offset;
}

void ds_source_close(ds_source_t *src)
{
    if (src == NULL)
        return;
    if (src->fd >= 0)
        close(src->fd);
    if (src->release != NULL)
        src->release(src->ctx);
    free(src);
}
