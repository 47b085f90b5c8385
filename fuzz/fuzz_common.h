/* Shared by the libFuzzer harnesses: a source over the fuzzer's bytes. */
#ifndef DS_FUZZ_COMMON_H
#define DS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "util/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline ds_source_t *fuzz_source(const uint8_t *data, size_t size)
{
    ds_source_t *src = NULL;
    ds_source_open_memory(&src, data, size, "F (fuzz)", NULL);
    return src;
}

/* Reads src to its end, as a comparer would (errors end it quietly). */
static inline void fuzz_drain(ds_source_t *src)
{
    unsigned char buf[4096];
    size_t got = 0;
    for (uint64_t pos = 0; pos < ds_source_size(src); pos += got)
        if (ds_source_read_some(src, pos, buf, sizeof buf, &got, NULL) != DS_OK || got == 0)
            break;
}

#endif
