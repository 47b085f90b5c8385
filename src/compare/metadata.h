/* Metadata comparison of two entries at the same path: one event per field that differs
 * (type, mode, owner, mtime, link target, device numbers, xattrs), handed to a callback with
 * both values readable. Knows nothing about formats or output. */
#ifndef DS_METADATA_H
#define DS_METADATA_H

#include "../readers/reader.h"
#include "../model/findings.h"

typedef void (*ds_metadata_emit_fn)(void *ctx, ds_kind_t kind, const char *field, const char *a,
                                    const char *b, const char *detail);

/* Compares a and b field by field and calls emit for each difference (`field` names it:
 * "type", "mode", "owner", "mtime", "link", "device", "xattrs"). A type difference ends the
 * comparison: the other fields of unlike entries are not comparable. */
void ds_metadata_compare(const ds_entry_t *a, const ds_entry_t *b, ds_metadata_emit_fn emit,
                         void *ctx);

#endif
