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

#endif
