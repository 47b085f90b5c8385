/* Differing byte ranges of two buffers (cmp -l, grouped): the algorithm only; callers decide
 * what the ranges mean and how to print them. */
#ifndef DS_BYTE_RANGES_H
#define DS_BYTE_RANGES_H

#include <stddef.h>
#include <stdint.h>

typedef struct ds_byte_range {
    uint64_t start; /* first differing byte, relative to the buffers */
    uint64_t end;   /* one past the last */
} ds_byte_range_t;

/* Finds the differing ranges of a and b (len bytes each), joining ranges separated by fewer than
 * `join_gap` equal bytes. Writes at most max ranges into out and returns how many ranges there
 * are in all (which may exceed max). *differing_bytes receives the count of differing bytes. */
size_t ds_byte_ranges_find(const unsigned char *a, const unsigned char *b, size_t len,
                           size_t join_gap, ds_byte_range_t *out, size_t max,
                           uint64_t *differing_bytes);

#endif
