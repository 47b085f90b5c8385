#include "limits.h"

static ds_limits_t limits;

void ds_limits_configure(uint64_t max_memory)
{
    if (max_memory == 0)
        max_memory = DS_DEFAULT_MAX_MEMORY;
    limits.max_memory = max_memory;
    /* Three quarters of the budget for metadata, shared by both sides. */
    limits.max_entries = (size_t)(max_memory * 3 / 4 / 2 / DS_ENTRY_COST);
    uint64_t stream = max_memory / 16;
    limits.stream_memory = (size_t)(stream > (16u << 20) ? (16u << 20) : stream < (1u << 20) ? (1u << 20) : stream);
    limits.spill_memory = max_memory / 8;
    uint64_t diff = max_memory / 32;
    limits.diff_text_total = (size_t)(diff > (16u << 20) ? (16u << 20) : diff);
    /* One job holds two streams, two 1 MiB text buffers and two 1 MiB block caches. */
    uint64_t per_job = 2 * (uint64_t)limits.stream_memory + (6u << 20);
    uint64_t jobs = (max_memory / 4) / per_job;
    limits.max_jobs = jobs < 1 ? 1 : jobs > 64 ? 64 : (unsigned)jobs;
}

const ds_limits_t *ds_limits(void)
{
    if (limits.max_memory == 0)
        ds_limits_configure(0);
    return &limits;
}

uint64_t ds_limits_inflate_allowed(uint64_t compressed)
{
    uint64_t allowed = compressed * DS_MAX_INFLATE_RATIO;
    return allowed < (16u << 20) ? (16u << 20) : allowed;
}
