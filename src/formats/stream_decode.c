/* A compressed stream decoded through one libarchive filter ("raw" format) into a spill. The
 * filter is appended, not chosen by bidding: libarchive would otherwise peel every compressed
 * layer it recognises in one go (up to 25, then fail), and the comparer walks layers itself. */
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/spill.h"
#include "internal.h"

int ds_stream_decode_libarchive(ds_source_t *src, const char *layer, int filter, ds_source_t **out,
                                const ds_deadline_t *deadline, ds_error_t *err)
{
    *out = NULL;
    struct archive *a = archive_read_new();
    ds_la_feed_t *f = calloc(1, sizeof *f);
    unsigned char *buf = malloc(DS_FORMAT_READ_BUFFER);
    ds_spill_t *spill = NULL;
    int rc = DS_OK;
    if (a == NULL || f == NULL || buf == NULL) {
        rc = ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", layer);
        goto out;
    }
    f->src = src;
    archive_read_append_filter(a, filter);
    archive_read_support_format_raw(a);
    struct archive_entry *entry;
    if (archive_read_open(a, f, NULL, ds_la_feed_read, NULL) != ARCHIVE_OK ||
        archive_read_next_header(a, &entry) != ARCHIVE_OK || archive_filter_count(a) < 2) {
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: the stream does not decompress: %s", ds_source_label(src),
                          layer, archive_error_string(a) ? archive_error_string(a) : "no filter");
        goto out;
    }
    rc = ds_spill_open(&spill, ds_limits()->stream_memory, ds_source_label(src), err);
    uint64_t allowed = ds_limits_inflate_allowed(ds_source_size(src)), total = 0;
    while (rc == DS_OK) {
        la_ssize_t n = archive_read_data(a, buf, DS_FORMAT_READ_BUFFER);
        if (n < 0) {
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: %s: decompression failed after %llu bytes: %s",
                              ds_source_label(src), layer, (unsigned long long)total,
                              archive_error_string(a) ? archive_error_string(a) : "corrupt");
            break;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > allowed) {
            rc = ds_error_set(err, DS_ERR_LIMIT,
                              "%s: %s: more than %llu decompressed bytes (%u times the compressed size): stopped as a likely bomb",
                              ds_source_label(src), layer, (unsigned long long)allowed, DS_MAX_INFLATE_RATIO);
            break;
        }
        if (ds_deadline_passed(deadline)) {
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: %s: time budget exhausted", ds_source_label(src), layer);
            break;
        }
        rc = ds_spill_write(spill, buf, (size_t)n, err);
    }
    if (rc == DS_OK) {
        rc = ds_spill_to_source(spill, out, err);
        spill = NULL;
    }
out:
    ds_spill_free(spill);
    if (a != NULL)
        archive_read_free(a);
    free(f);
    free(buf);
    return rc;
}
