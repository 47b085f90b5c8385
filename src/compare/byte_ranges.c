#include "byte_ranges.h"

size_t ds_byte_ranges_find(const unsigned char *a, const unsigned char *b, size_t len,
                           size_t join_gap, ds_byte_range_t *out, size_t max,
                           uint64_t *differing_bytes)
{
    size_t total = 0;
    uint64_t differing = 0;
    int open = 0;
    ds_byte_range_t current = {0, 0};
    for (size_t i = 0; i < len; i++) {
        if (a[i] == b[i])
            continue;
        differing++;
        if (open && i - current.end < join_gap) {
            current.end = i + 1;
            continue;
        }
        if (open) {
            if (total < max)
                out[total] = current;
            total++;
        }
        current.start = i;
        current.end = i + 1;
        open = 1;
    }
    if (open) {
        if (total < max)
            out[total] = current;
        total++;
    }
    if (differing_bytes != NULL)
        *differing_bytes = differing;
    return total;
}
