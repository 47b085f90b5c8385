/* Small helpers shared by the format files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool ds_source_has_magic(ds_source_t *src, uint64_t at, const void *magic, size_t n)
{
    unsigned char buf[16];
    return n <= sizeof buf && ds_source_read(src, at, buf, n, "magic", NULL) == DS_OK &&
           memcmp(buf, magic, n) == 0;
}

int ds_plain_state_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    ds_plain_state_t *s = calloc(1, sizeof *s);
    *state = s;
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->how = *how;
    return DS_OK;
}

void ds_plain_state_close(void *state) { free(state); }

la_ssize_t ds_la_feed_read(struct archive *a, void *opaque, const void **buffer)
{
    ds_la_feed_t *f = opaque;
    size_t got = 0;
    ds_error_t err = {0};
    if (ds_source_read_some(f->src, f->pos, f->buf, sizeof f->buf, &got, &err) != DS_OK) {
        archive_set_error(a, EIO, "%s", err.message);
        return -1;
    }
    f->pos += got;
    *buffer = f->buf;
    return (la_ssize_t)got;
}

la_int64_t ds_la_feed_seek(struct archive *a, void *opaque, la_int64_t offset, int whence)
{
    (void)a;
    ds_la_feed_t *f = opaque;
    int64_t size = (int64_t)ds_source_size(f->src);
    int64_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? (int64_t)f->pos + offset : size + offset;
    if (to < 0)
        return ARCHIVE_FATAL;
    f->pos = (uint64_t)(to > size ? size : to);
    return (la_int64_t)f->pos;
}

la_int64_t ds_la_feed_skip(struct archive *a, void *opaque, la_int64_t request)
{
    (void)a;
    ds_la_feed_t *f = opaque;
    uint64_t left = ds_source_size(f->src) - f->pos;
    uint64_t n = request < 0 ? 0 : (uint64_t)request > left ? left : (uint64_t)request;
    f->pos += n;
    return (la_int64_t)n;
}

bool ds_pair_key_without_compression(const char *path, char *key, size_t size)
{
    static const char *const suffixes[] = {".gz", ".xz", ".zst", ".bz2", ".lz4", ".lzma", ".lz"};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t m = strlen(suffixes[i]);
        if (n > m && strcmp(path + n - m, suffixes[i]) == 0 && n - m < size) {
            memcpy(key, path, n - m);
            key[n - m] = '\0';
            return true;
        }
    }
    return false;
}
