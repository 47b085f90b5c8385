/* Shared by formats/rpm.c (the package: lead, payload) and formats/rpm_header.c (the header
 * structure both the signature and the main header use). */
#ifndef DS_RPM_INTERNAL_H
#define DS_RPM_INTERNAL_H

#include "internal.h"

/* One header of a package, as located by ds_rpm_header_open: only its intro has been read. */
typedef struct ds_rpm_header {
    bool signature;      /* the signature header (tags named as rpm's RPMSIGTAG_*) */
    const char *what;    /* "signature header", "main header": for messages */
    uint64_t at;         /* the intro's offset in the source */
    uint32_t count;      /* index entries */
    uint32_t store_size; /* bytes of the data store */
    uint64_t store_at;   /* the store's offset in the source */
    uint64_t end;        /* the byte after the store */
} ds_rpm_header_t;

/* Reads the 16-byte intro of the header at `at` (magic, index count, store size) and checks
 * the counts against the named limits and the index and store against the source's size.
 * layer names the package in messages. */
int ds_rpm_header_open(ds_source_t *src, uint64_t at, bool signature, const char *layer, ds_rpm_header_t *h,
                       ds_error_t *err);

/* Appends one field per index entry ("@rpm.tag.BUILDTIME", "@rpm.sig.SHA256HEADER"; a number
 * for a tag rpm does not name), over the entry's data; an entry whose data cannot be read is a
 * field over its 16 index bytes whose value says why. Digests and sizes are derived. The
 * index and store are read here and not kept. */
int ds_rpm_header_fields(ds_source_t *src, const ds_rpm_header_t *h, const char *layer, ds_fields_t *fields,
                         ds_error_t *err);

#endif
