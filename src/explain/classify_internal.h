/* Shared by the classifiers (explain/classify*.c): one file a format family, one dispatcher. */
#ifndef DS_CLASSIFY_INTERNAL_H
#define DS_CLASSIFY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"

#define DS_CLASSIFY_WINDOW (256u * 1024u)

/* Adds a nested difference (location relative to the classified file) with its cause. */
void ds_classify_nested(ds_classified_t *out, ds_kind_t kind, const char *where, const char *a,
                        const char *b, const char *detail, const char *cause,
                        const char *confidence, bool secondary);
/* Sets the format, cause, confidence and the printf-formatted detail. */
void ds_classify_verdict(ds_classified_t *out, const char *format, const char *cause,
                         const char *confidence, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* *equal when [at_a, at_a + len) of a equals [at_b, at_b + len) of b. */
int ds_classify_ranges_equal(ds_source_t *a, uint64_t at_a, ds_source_t *b, uint64_t at_b,
                             uint64_t len, bool *equal);

/* One per format family; each fills out (see classify.h). */
bool ds_classify_stream_probe(ds_source_t *src, const char **name);
void ds_classify_stream(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                        const ds_deadline_t *deadline, const char *format, ds_classified_t *out);
void ds_classify_gzip(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                      const ds_deadline_t *deadline, ds_classified_t *out);
void ds_classify_archive(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline,
                         ds_classified_t *out);
void ds_classify_fat(ds_source_t *a, ds_source_t *b, ds_classified_t *out);
void ds_classify_text(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out);

#endif
