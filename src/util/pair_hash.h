/* Reads two byte ranges side by side in fixed windows, hashing each with SHA-256 in its own
 * thread, and hands every pair of windows to a callback (which compares them). Both inputs are
 * read exactly once; on two cores the wall time is that of the larger side. Extra "taps" hash a
 * sub-range of one side on the way (a squashfs inside an ISO), so that its payload digest costs
 * no second read. */
#ifndef DS_PAIR_HASH_H
#define DS_PAIR_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "source.h"

#define DS_PAIR_HASH_WINDOW (1024u * 1024u)
#define DS_PAIR_HASH_TAPS_MAX 16

typedef struct ds_hash_tap {
    int side;                /* 0 or 1 */
    uint64_t offset, length; /* range of that side's source */
    bool done;               /* digest is valid */
    unsigned char digest[32];
    void *state;             /* internal */
} ds_hash_tap_t;

/* Called once per window with both sides' bytes at `offset` (na/nb may differ near the end,
 * or be 0 for a side that ended or failed). */
typedef void (*ds_pair_window_fn)(void *ctx, uint64_t offset, const unsigned char *a, size_t na,
                                  const unsigned char *b, size_t nb);

typedef struct ds_pair_hash_result {
    bool hashed[2];           /* the side was read to its end and its digest is valid */
    unsigned char digest[2][32];
    ds_error_t error[2];      /* why a side stopped */
    bool timed_out;
    uint64_t bytes_read[2];
} ds_pair_hash_result_t;

/* Hashes src[0] and src[1] (either may be NULL) in full, feeding taps. window may be NULL. */
void ds_pair_hash(ds_source_t *const src[2], const ds_deadline_t *deadline, ds_hash_tap_t *taps,
                  size_t tap_count, ds_pair_window_fn window, void *ctx,
                  ds_pair_hash_result_t *result);

#endif
