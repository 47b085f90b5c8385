/* A bounded spill: bytes that arrive as a stream (a decompressed payload, an archive member
 * read through libarchive) kept so that a format needing random access can read them. They are
 * held in memory up to a per-spill budget, then in an unlinked temporary file (deleted by the
 * kernel when it closes, also when the process dies). Temporary-file bytes of all live spills
 * together are counted against DS_SPILL_FILE_MAX: past it, writing fails with DS_ERR_LIMIT. */
#ifndef DS_SPILL_H
#define DS_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "source.h"

#define DS_SPILL_FILE_MAX (8ull << 30) /* temporary-file bytes of all live spills */

typedef struct ds_spill ds_spill_t;

/* Starts an empty spill that keeps up to memory_max bytes in memory. label names it in
 * messages. On error *out is NULL. */
int ds_spill_open(ds_spill_t **out, size_t memory_max, const char *label, ds_error_t *err);

/* Appends len bytes. DS_ERR_LIMIT when the temporary-file budget is exhausted. */
int ds_spill_write(ds_spill_t *spill, const void *data, size_t len, ds_error_t *err);

uint64_t ds_spill_size(const ds_spill_t *spill);

/* Turns the spill into a source that owns it (closing the source frees the spill and its
 * file). The spill is consumed in every case; on error *out is NULL. */
int ds_spill_to_source(ds_spill_t *spill, ds_source_t **out, ds_error_t *err);

/* Frees a spill that was not turned into a source. Accepts NULL. */
void ds_spill_free(ds_spill_t *spill);

/* Temporary-file bytes held by live spills now, and the most ever held (for report.json). */
uint64_t ds_spill_file_bytes(void);
uint64_t ds_spill_file_peak(void);

#endif
