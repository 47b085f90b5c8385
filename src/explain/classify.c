/* The classifiers' shared helpers and the dispatcher: which format a differing pair is, by
 * content, and which classifier looks inside it. */
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/strbuf.h"
#include "classify_internal.h"
#include "../decode/elf_sections.h"
#include "../decode/fat.h"
#include "../decode/gzip_stream.h"
#include "../readers/archive.h"

void ds_classify_nested(ds_classified_t *out, ds_kind_t kind, const char *where, const char *a,
                   const char *b, const char *detail, const char *cause, const char *confidence,
                   bool secondary)
{
    const char *loc[] = {where};
    ds_difference_t *d = ds_findings_add(&out->nested, "content", kind, loc, 1, a, b, detail);
    if (d != NULL && cause != NULL)
        ds_difference_explain(d, cause, confidence, NULL, secondary);
}

void ds_classify_verdict(ds_classified_t *out, const char *format, const char *cause,
                    const char *confidence, const char *fmt, ...)
{
    out->format = format;
    out->cause = cause;
    out->confidence = confidence;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof out->detail, fmt, ap);
    va_end(ap);
}

int ds_classify_ranges_equal(ds_source_t *a, uint64_t at_a, ds_source_t *b, uint64_t at_b, uint64_t len,
                        bool *equal)
{
    unsigned char *wa = malloc(DS_CLASSIFY_WINDOW), *wb = malloc(DS_CLASSIFY_WINDOW);
    *equal = wa && wb;
    int rc = *equal ? DS_OK : DS_ERR_NOMEM;
    for (uint64_t done = 0; rc == DS_OK && *equal && done < len; done += DS_CLASSIFY_WINDOW) {
        size_t n = len - done < DS_CLASSIFY_WINDOW ? (size_t)(len - done) : DS_CLASSIFY_WINDOW;
        rc = ds_source_read(a, at_a + done, wa, n, "elf", NULL);
        if (rc == DS_OK)
            rc = ds_source_read(b, at_b + done, wb, n, "elf", NULL);
        *equal = rc == DS_OK && memcmp(wa, wb, n) == 0;
    }
    free(wa);
    free(wb);
    return rc;
}

/* --- dispatch ------------------------------------------------------------------------------ */

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

int ds_classify_pair(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                     unsigned flags, const ds_deadline_t *deadline, ds_classified_t *out)
{
    memset(out, 0, sizeof *out);
    if (depth_left == 0) {
        /* Say so when there was something to open: a limit, not a silent stop. */
        const char *kind = NULL;
        if (ds_gzip_probe(a) || ds_fat_probe(a) || ds_elf_probe(a) || ds_classify_stream_probe(a, &kind))
            snprintf(out->limit, sizeof out->limit,
                     "--max-depth reached: some differing files were not looked into");
        return DS_OK;
    }
    const char *stream = NULL, *stream_b = NULL;
    if (ds_fat_probe(a) && ds_fat_probe(b)) {
        ds_classify_fat(a, b, out);
    } else if (ds_archive_probe(a) && ds_archive_probe(b)) {
        ds_classify_archive(a, b, deadline, out);
        /* A compressed archive whose members are all equal: look at the compression header. */
        if (out->cause != NULL && strcmp(out->cause, "compression-only") == 0 && ds_gzip_probe(a) && ds_gzip_probe(b)) {
            ds_findings_free(&out->nested);
            ds_classify_gzip(a, b, path, 1, deadline, out);
        }
    } else if (ds_gzip_probe(a) && ds_gzip_probe(b)) {
        ds_classify_gzip(a, b, path, depth_left, deadline, out);
    } else if (ds_classify_stream_probe(a, &stream) && ds_classify_stream_probe(b, &stream_b) && strcmp(stream, stream_b) == 0) {
        ds_classify_stream(a, b, path, depth_left - 1, deadline, stream, out);
    } else if (ds_elf_probe(a) && ds_elf_probe(b)) {
        ds_classify_elf(a, b, out);
    } else if (ends_with(path, ".pyc") && ds_source_size(a) >= 16 && ds_source_size(b) >= 16) {
        ds_classify_pyc(a, b, out);
    } else if (!(flags & DS_CLASSIFY_NOT_TEXT)) {
        ds_classify_text(a, b, path, out);
    }
    return DS_OK;
}

void ds_classified_free(ds_classified_t *c)
{
    ds_findings_free(&c->nested);
    memset(c, 0, sizeof *c);
}
