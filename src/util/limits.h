/* Process-wide resource limits, derived once from --max-memory and read by every reader and
 * comparer: memory is bounded by construction (per-entry estimates for metadata, fixed windows
 * for content), and every limit that bites is reported (report.json "limits"). */
#ifndef DS_LIMITS_H
#define DS_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#define DS_DEFAULT_MAX_MEMORY (512ull << 20)
#define DS_ENTRY_COST 400u             /* bytes one tree entry costs in memory, on both sides */
#define DS_MAX_INFLATE_RATIO 1000u     /* decompressed/compressed bytes before a bomb is assumed */

typedef struct ds_limits {
    uint64_t max_memory;
    size_t max_entries;        /* tree entries per side */
    size_t stream_memory;      /* bytes of one decompressed stream held whole */
    uint64_t spill_memory;     /* bytes all spills (util/spill.c) together hold in memory */
    size_t diff_text_total;    /* bytes of diff text kept for sqfs-diff.txt */
    unsigned max_jobs;         /* content threads the memory allows */
} ds_limits_t;

/* Sets the limits from a memory budget in bytes (0: the default). */
void ds_limits_configure(uint64_t max_memory);
const ds_limits_t *ds_limits(void);

/* The decompressed bytes allowed for `compressed` input bytes (ratio bound, at least 16 MiB). */
uint64_t ds_limits_inflate_allowed(uint64_t compressed);

#endif
