#include "archive.h"

#include "../util/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARCHIVE_BUFFER 65536

typedef struct reader_ctx {
    ds_source_t *src;
    uint64_t base; /* where this segment starts */
    uint64_t pos;
    unsigned char buf[ARCHIVE_BUFFER];
} reader_ctx_t;

static la_ssize_t read_cb(struct archive *a, void *opaque, const void **buffer)
{
    reader_ctx_t *ctx = opaque;
    size_t got = 0;
    ds_error_t err = {0};
    if (ds_source_read_some(ctx->src, ctx->base + ctx->pos, ctx->buf, sizeof ctx->buf, &got, &err) != DS_OK) {
        archive_set_error(a, EIO, "%s", err.message);
        return -1;
    }
    ctx->pos += got;
    *buffer = ctx->buf;
    return (la_ssize_t)got;
}

static struct archive *archive_new(void)
{
    struct archive *a = archive_read_new();
    if (a == NULL)
        return NULL;
    archive_read_support_filter_all(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    return a;
}

bool ds_archive_probe(ds_source_t *src)
{
    reader_ctx_t *ctx = calloc(1, sizeof *ctx);
    struct archive *a = archive_new();
    bool ok = false;
    if (ctx != NULL && a != NULL) {
        ctx->src = src;
        struct archive_entry *entry;
        ok = archive_read_open(a, ctx, NULL, read_cb, NULL) == ARCHIVE_OK &&
             archive_read_next_header(a, &entry) == ARCHIVE_OK;
    }
    if (a != NULL)
        archive_read_free(a);
    free(ctx);
    return ok;
}

static uint64_t hex8(const unsigned char *p, bool *ok)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        int c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            *ok = false;
        v = v * 16 + (uint64_t)(d < 0 ? 0 : d);
    }
    return v;
}

/* Walks the newc headers (110 bytes: magic 070701/070702, file size at 54, name size at 94;
 * name and data each padded to 4 bytes) from `at` to the end of the TRAILER!!! entry. */
static bool newc_end(ds_source_t *src, uint64_t at, uint64_t *end)
{
    for (unsigned members = 0; members < DS_ARCHIVE_MAX_MEMBERS; members++) {
        unsigned char h[110 + 11];
        if (ds_source_read(src, at, h, 110, "cpio header", NULL) != DS_OK ||
            (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0))
            return false;
        bool ok = true;
        uint64_t file_size = hex8(h + 54, &ok), name_size = hex8(h + 94, &ok);
        if (!ok || name_size == 0 || name_size > 4096 || file_size > ds_source_size(src))
            return false;
        bool trailer = name_size == 11 && ds_source_read(src, at + 110, h + 110, 11, "cpio name", NULL) == DS_OK &&
                       memcmp(h + 110, "TRAILER!!!", 11) == 0;
        at = (at + 110 + name_size + 3) & ~(uint64_t)3;
        at = (at + file_size + 3) & ~(uint64_t)3;
        if (at > ds_source_size(src))
            return false;
        if (trailer) {
            *end = at;
            return true;
        }
    }
    return false;
}

static int member_order(const void *x, const void *y)
{
    const ds_archive_member_t *a = x, *b = y;
    int c = strcmp(a->path, b->path);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

static char *absolute(const char *name)
{
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    if (strcmp(name, ".") == 0)
        name = "";
    while (name[0] == '/')
        name++;
    size_t n = strlen(name);
    while (n > 0 && name[n - 1] == '/')
        n--;
    char *out = malloc(n + 2);
    if (out == NULL)
        return NULL;
    out[0] = '/';
    memcpy(out + 1, name, n);
    out[n + 1] = '\0';
    return out;
}

int ds_archive_list_read(ds_source_t *src, ds_archive_list_t *list, const ds_deadline_t *deadline,
                         ds_error_t *err)
{
    memset(list, 0, sizeof *list);
    reader_ctx_t *ctx = calloc(1, sizeof *ctx);
    unsigned char *data = malloc(ARCHIVE_BUFFER);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = DS_OK;
    if (ctx == NULL || data == NULL || md == NULL) {
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        goto out;
    }
    ctx->src = src;
    uint64_t start = 0;
    for (unsigned segment = 0; segment < DS_ARCHIVE_MAX_SEGMENTS && start < ds_source_size(src); segment++) {
        struct archive *a = archive_new();
        if (a == NULL) {
            rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
            break;
        }
        ctx->base = start;
        ctx->pos = 0;
        if (archive_read_open(a, ctx, NULL, read_cb, NULL) != ARCHIVE_OK) {
            if (segment == 0)
                rc = ds_error_set(err, DS_ERR_FORMAT, "%s: archive: %s", ds_source_label(src),
                                  archive_error_string(a) ? archive_error_string(a) : "not an archive");
            archive_read_free(a);
            break;
        }
        struct archive_entry *entry;
        int r;
        bool any = false;
        while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
            any = true;
            if (ds_deadline_passed(deadline)) {
                rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: archive: time budget exhausted", ds_source_label(src));
                break;
            }
            if (list->count >= DS_ARCHIVE_MAX_MEMBERS) {
                rc = ds_error_set(err, DS_ERR_LIMIT, "%s: archive: more than %u members", ds_source_label(src),
                                  DS_ARCHIVE_MAX_MEMBERS);
                break;
            }
            if (list->count == list->capacity) {
                size_t capacity = list->capacity ? list->capacity * 2 : 256;
                ds_archive_member_t *items = realloc(list->items, capacity * sizeof *items);
                if (items == NULL) {
                    rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
                    break;
                }
                list->items = items;
                list->capacity = capacity;
            }
            ds_archive_member_t *m = &list->items[list->count];
            memset(m, 0, sizeof *m);
            const char *name = archive_entry_pathname(entry);
            m->path = absolute(name ? name : "");
            if (m->path == NULL) {
                rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
                break;
            }
            const char *link = archive_entry_symlink(entry);
            m->link = link ? strdup(link) : NULL;
            m->mode = archive_entry_mode(entry);
            m->uid = (uint32_t)archive_entry_uid(entry);
            m->gid = (uint32_t)archive_entry_gid(entry);
            m->nlink = archive_entry_nlink(entry);
            m->mtime = archive_entry_mtime(entry);
            m->size = (uint64_t)archive_entry_size(entry);
            m->ino = (uint64_t)archive_entry_ino64(entry);
            m->dev = (uint64_t)archive_entry_dev(entry);
            m->index = list->count;
            m->segment = segment;
            list->count++;
            EVP_DigestInit_ex(md, EVP_sha256(), NULL);
            la_ssize_t n;
            while ((n = archive_read_data(a, data, ARCHIVE_BUFFER)) > 0) {
                EVP_DigestUpdate(md, data, (size_t)n);
                list->data_bytes += (uint64_t)n;
                if (list->data_bytes > ds_limits_inflate_allowed(ds_source_size(src))) {
                    n = -1;
                    break;
                }
            }
            unsigned int len = 0;
            EVP_DigestFinal_ex(md, m->sha256, &len);
            if (n < 0 && list->data_bytes > ds_limits_inflate_allowed(ds_source_size(src))) {
                rc = ds_error_set(err, DS_ERR_LIMIT,
                                  "%s: archive member %s: more than %u times the archive's size decompressed: stopped as a likely bomb",
                                  ds_source_label(src), m->path, DS_MAX_INFLATE_RATIO);
                break;
            }
            if (n < 0) {
                rc = ds_error_set(err, DS_ERR_FORMAT, "%s: archive member %s: %s", ds_source_label(src),
                                  m->path, archive_error_string(a) ? archive_error_string(a) : "unreadable");
                break;
            }
        }
        if (rc == DS_OK && r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: archive at byte %" PRIu64 ": %s", ds_source_label(src),
                              start, archive_error_string(a) ? archive_error_string(a) : "unreadable");
        if (segment == 0)
            snprintf(list->format, sizeof list->format, "%s%s%s", archive_format_name(a) ? archive_format_name(a) : "archive",
                     archive_filter_count(a) > 1 ? " with " : "",
                     archive_filter_count(a) > 1 ? archive_filter_name(a, 0) : "");
        /* An initrd is often an uncompressed early cpio (microcode) followed by the compressed
         * main one. The end of an uncompressed newc segment is found by walking its headers;
         * after a compressed segment nothing further is looked for. */
        bool uncompressed = archive_filter_count(a) == 1;
        archive_read_free(a);
        list->segments = segment + 1;
        uint64_t end = 0;
        if (rc != DS_OK || !any || !uncompressed || !newc_end(src, start, &end))
            break;
        start = end;
        unsigned char probe[512];
        size_t got = 0;
        while (start < ds_source_size(src) &&
               ds_source_read_some(src, start, probe, sizeof probe, &got, NULL) == DS_OK && got > 0) {
            size_t k = 0;
            while (k < got && probe[k] == 0)
                k++;
            start += k;
            if (k < got)
                break;
        }
    }
    if (list->count > 0) /* qsort must not be given the NULL of an empty list */
        qsort(list->items, list->count, sizeof *list->items, member_order);
out:
    EVP_MD_CTX_free(md);
    free(data);
    free(ctx);
    return rc;
}

void ds_archive_list_free(ds_archive_list_t *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].path);
        free(list->items[i].link);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}
