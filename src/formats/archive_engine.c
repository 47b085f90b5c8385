/* The engine behind the libarchive containers (cpio, tar, ar, zip): libarchive reads the
 * source through callbacks (with seeking, so that zip's central directory is used). Listing
 * reads each member once to take its SHA-256, never keeping the data; opening a member reads
 * the archive again up to it (forward from where the last read stopped when it can) and
 * spills the member's data. Limits: DS_ARCHIVE_MAX_MEMBERS members, and the decompressed
 * bytes bound of ds_limits_inflate_allowed. */
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/spill.h"
#include "internal.h"

#define DS_ARCHIVE_MAX_MEMBERS 1000000u /* members of one archive */

typedef struct engine {
    ds_la_feed_t feed;     /* libarchive's reads of src */
    ds_source_t *src;
    ds_format_open_t how;
    ds_archive_enable_fn enable;
    const char *name;
    struct archive *live;  /* positioned before member `next` */
    size_t next;
    unsigned char data[DS_FORMAT_READ_BUFFER]; /* member data libarchive hands back */
} engine_t;

static const char *la_error(struct archive *a)
{
    return archive_error_string(a) ? archive_error_string(a) : "unreadable";
}

/* A fresh reader at the start of the archive. */
static int engine_restart(engine_t *e, ds_error_t *err)
{
    if (e->live != NULL)
        archive_read_free(e->live);
    e->live = archive_read_new();
    e->next = 0;
    e->feed.pos = 0;
    if (e->live == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    archive_read_support_filter_none(e->live);
    e->enable(e->live);
    archive_read_set_callback_data(e->live, &e->feed);
    archive_read_set_read_callback(e->live, ds_la_feed_read);
    archive_read_set_seek_callback(e->live, ds_la_feed_seek);
    archive_read_set_skip_callback(e->live, ds_la_feed_skip);
    if (archive_read_open1(e->live) != ARCHIVE_OK)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: not readable: %s", ds_source_label(e->src), e->name,
                            la_error(e->live));
    return DS_OK;
}

int ds_archive_format_open(void **state, ds_source_t *src, const ds_format_open_t *how,
                           ds_archive_enable_fn enable, const char *name, ds_error_t *err)
{
    engine_t *e = calloc(1, sizeof *e);
    *state = e;
    if (e == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    e->src = src;
    e->feed.src = src;
    e->how = *how;
    e->enable = enable;
    e->name = name;
    int rc = engine_restart(e, err);
    if (rc != DS_OK) {
        ds_archive_format_close(e);
        *state = NULL;
    }
    return rc;
}

void ds_archive_format_close(void *state)
{
    engine_t *e = state;
    if (e == NULL)
        return;
    if (e->live != NULL)
        archive_read_free(e->live);
    free(e);
}

ds_source_t *ds_archive_format_source(void *state)
{
    return ((engine_t *)state)->src;
}

char *ds_archive_entry_path(const char *name)
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
    if (out != NULL) {
        out[0] = '/';
        memcpy(out + 1, name, n);
        out[n + 1] = '\0';
    }
    return out;
}

static int fill_entry(engine_t *e, struct archive_entry *ae, ds_entry_t *entry, ds_error_t *err)
{
    const char *name = archive_entry_pathname(ae);
    entry->path = ds_archive_entry_path(name ? name : "");
    const char *link = archive_entry_symlink(ae);
    const char *hard = archive_entry_hardlink(ae);
    entry->link_target = link ? strdup(link) : hard ? ds_archive_entry_path(hard) : NULL;
    if (entry->path == NULL || ((link || hard) && entry->link_target == NULL))
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    uint32_t mode = (uint32_t)archive_entry_mode(ae);
    entry->type = hard ? DS_ENTRY_OTHER : ds_entry_type_from_mode(mode);
    if ((mode & 0170000) == 0)
        entry->type = DS_ENTRY_FILE;
    entry->mode = mode & 07777;
    entry->uid = (uint32_t)archive_entry_uid(ae);
    entry->gid = (uint32_t)archive_entry_gid(ae);
    entry->has_owner = true;
    entry->nlink = 1;
    entry->size = archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : 0;
    entry->mtime = archive_entry_mtime(ae);
    entry->rdev_major = (uint32_t)archive_entry_rdevmajor(ae);
    entry->rdev_minor = (uint32_t)archive_entry_rdevminor(ae);
    entry->index = (uint32_t)e->next;
    la_int64_t header_at = archive_read_header_position(e->live);
    entry->record_offset = header_at >= 0 ? (uint64_t)header_at : 0;
    return DS_OK;
}

/* Reads the current member's data into the digest (md) or the spill; counts *total. */
static int read_data(engine_t *e, const char *path, EVP_MD_CTX *md, ds_spill_t *spill, uint64_t *total,
                     ds_error_t *err)
{
    uint64_t allowed = ds_limits_inflate_allowed(ds_source_size(e->src));
    for (;;) {
        la_ssize_t n = archive_read_data(e->live, e->data, sizeof e->data);
        if (n == 0)
            return DS_OK;
        if (n < 0)
            return ds_error_set(err, DS_ERR_FORMAT, "%s: %s member %s (header at offset %lld): %s",
                                ds_source_label(e->src), e->name, path,
                                (long long)archive_read_header_position(e->live), la_error(e->live));
        *total += (uint64_t)n;
        if (*total > allowed)
            return ds_error_set(err, DS_ERR_LIMIT,
                                "%s: %s member %s: more than %u times the archive's size decompressed: stopped as a likely bomb",
                                ds_source_label(e->src), e->name, path, DS_MAX_INFLATE_RATIO);
        if (ds_deadline_passed(e->how.deadline))
            return ds_error_set(err, DS_ERR_TIMEOUT, "%s: %s: time budget exhausted", ds_source_label(e->src), e->name);
        if (md != NULL)
            EVP_DigestUpdate(md, e->data, (size_t)n);
        int rc = spill != NULL ? ds_spill_write(spill, e->data, (size_t)n, err) : DS_OK;
        if (rc != DS_OK)
            return rc;
    }
}

int ds_archive_format_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    engine_t *e = state;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = md ? engine_restart(e, err) : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    uint64_t total = 0;
    struct archive_entry *ae;
    int r = ARCHIVE_OK;
    while (rc == DS_OK && ((r = archive_read_next_header(e->live, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
        if (e->next >= DS_ARCHIVE_MAX_MEMBERS) {
            rc = ds_error_set(err, DS_ERR_LIMIT, "%s: %s: more than %u members", ds_source_label(e->src), e->name,
                              DS_ARCHIVE_MAX_MEMBERS);
            break;
        }
        ds_entry_t *entry = ds_tree_append(tree);
        if (entry == NULL) {
            rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
            break;
        }
        rc = fill_entry(e, ae, entry, err);
        if (rc == DS_OK && entry->type == DS_ENTRY_FILE) {
            EVP_DigestInit_ex(md, EVP_sha256(), NULL);
            uint64_t before = total;
            rc = read_data(e, entry->path, md, NULL, &total, err);
            unsigned int len = 0;
            unsigned char digest[32];
            EVP_DigestFinal_ex(md, digest, &len);
            if (rc == DS_OK && !ds_entry_set_digest(entry, digest))
                rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
            if (!archive_entry_size_is_set(ae))
                entry->size = total - before;
        }
        e->next++;
    }
    if (rc == DS_OK && r != ARCHIVE_EOF)
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: after member %zu (offset %" PRIu64 " read): %s",
                          ds_source_label(e->src), e->name, e->next, e->feed.pos, la_error(e->live));
    EVP_MD_CTX_free(md);
    return rc;
}

int ds_archive_format_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    engine_t *e = state;
    *out = NULL;
    int rc = DS_OK;
    if (e->live == NULL || e->next > entry->index)
        rc = engine_restart(e, err);
    struct archive_entry *ae = NULL;
    while (rc == DS_OK && e->next <= entry->index) {
        int r = archive_read_next_header(e->live, &ae);
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: member %s not found again: %s", ds_source_label(e->src),
                              e->name, entry->path, la_error(e->live));
        else
            e->next++;
    }
    ds_spill_t *spill = NULL;
    uint64_t total = 0;
    if (rc == DS_OK)
        rc = ds_spill_open(&spill, ds_limits()->stream_memory, ds_source_label(e->src), err);
    if (rc == DS_OK)
        rc = read_data(e, entry->path, NULL, spill, &total, err);
    if (rc == DS_OK) {
        rc = ds_spill_to_source(spill, out, err);
        spill = NULL;
    }
    ds_spill_free(spill);
    return rc;
}
