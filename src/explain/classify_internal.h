/* Shared by the classifiers (explain/classify*.c): one file a format family, one dispatcher. */
#ifndef DS_CLASSIFY_INTERNAL_H
#define DS_CLASSIFY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"

/* Sets the format, cause, confidence and the printf-formatted detail. */
void ds_classify_verdict(ds_classified_t *out, const char *format, const char *cause,
                         const char *confidence, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* One per format family; each fills out (see classify.h). */
void ds_classify_text(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out);
/* Binary files: the printable runs compared, dates among them recognised (classify_strings.c). */
void ds_classify_strings(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out);
/* A document's one unexplained differing section, when the only differing strings are dates. */
void ds_classify_strings_sections(ds_source_t *a, ds_source_t *b, ds_classified_t *out);

#endif
