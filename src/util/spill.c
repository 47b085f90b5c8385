#include "spill.h"

#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ds_spill {
    unsigned char *memory;
    size_t memory_len, memory_capacity, memory_max;
    int fd;               /* -1 until the memory budget is exceeded */
    uint64_t file_len;
    char label[256];
};

static atomic_uint_fast64_t file_bytes;
static atomic_uint_fast64_t memory_bytes; /* capacity held in memory by all live spills */
static atomic_uint_fast64_t file_peak;

uint64_t ds_spill_file_bytes(void) { return atomic_load(&file_bytes); }
uint64_t ds_spill_file_peak(void) { return atomic_load(&file_peak); }

int ds_spill_open(ds_spill_t **out, size_t memory_max, const char *label, ds_error_t *err)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", label);
    (*out)->fd = -1;
    (*out)->memory_max = memory_max;
    snprintf((*out)->label, sizeof (*out)->label, "%s", label);
    return DS_OK;
}

/* An unlinked file in $TMPDIR (or /tmp): nothing is left behind, whatever happens. */
static int temp_file(ds_spill_t *spill, ds_error_t *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/driftscope-spill.XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot create a temporary file: %s", spill->label,
                            strerror(errno));
    unlink(path);
    spill->fd = fd;
    return DS_OK;
}

static int file_write(ds_spill_t *spill, const unsigned char *p, size_t len, ds_error_t *err)
{
    uint64_t now = atomic_fetch_add(&file_bytes, len) + len;
    if (now > DS_SPILL_FILE_MAX) {
        atomic_fetch_sub(&file_bytes, len);
        return ds_error_set(err, DS_ERR_LIMIT,
                            "%s: more than %llu bytes in temporary files (DS_SPILL_FILE_MAX): not looked into",
                            spill->label, (unsigned long long)DS_SPILL_FILE_MAX);
    }
    uint64_t peak = atomic_load(&file_peak);
    while (now > peak && !atomic_compare_exchange_weak(&file_peak, &peak, now))
        ;
    spill->file_len += len;
    while (len > 0) {
        ssize_t n = write(spill->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ds_error_set(err, DS_ERR_IO, "%s: temporary file write failed: %s", spill->label,
                                strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return DS_OK;
}

int ds_spill_write(ds_spill_t *spill, const void *data, size_t len, ds_error_t *err)
{
    const unsigned char *p = data;
    if (spill->fd < 0 && spill->memory_len + len <= spill->memory_max) {
        if (spill->memory_len + len <= spill->memory_capacity) {
            memcpy(spill->memory + spill->memory_len, p, len);
            spill->memory_len += len;
            return DS_OK;
        }
        size_t capacity = spill->memory_capacity ? spill->memory_capacity : 65536;
        while (capacity < spill->memory_len + len)
            capacity *= 2;
        if (capacity > spill->memory_max)
            capacity = spill->memory_max;
        /* All spills together stay inside their share of --max-memory; past it, to a file. */
        uint64_t grow = capacity - spill->memory_capacity;
        if (atomic_fetch_add(&memory_bytes, grow) + grow <= ds_limits()->spill_memory) {
            unsigned char *bigger = realloc(spill->memory, capacity ? capacity : 1);
            if (bigger != NULL) {
                spill->memory = bigger;
                spill->memory_capacity = capacity;
                memcpy(spill->memory + spill->memory_len, p, len);
                spill->memory_len += len;
                return DS_OK;
            }
        }
        atomic_fetch_sub(&memory_bytes, grow);
    }
    if (spill->fd < 0) {
        int rc = temp_file(spill, err);
        if (rc == DS_OK && spill->memory_len > 0)
            rc = file_write(spill, spill->memory, spill->memory_len, err);
        if (rc != DS_OK)
            return rc;
        free(spill->memory);
        atomic_fetch_sub(&memory_bytes, spill->memory_capacity);
        spill->memory = NULL;
        spill->memory_len = spill->memory_capacity = 0;
    }
    return file_write(spill, p, len, err);
}

uint64_t ds_spill_size(const ds_spill_t *spill)
{
    return spill->fd >= 0 ? spill->file_len : spill->memory_len;
}

static int spill_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got, ds_error_t *err)
{
    ds_spill_t *spill = ctx;
    uint64_t size = ds_spill_size(spill);
    *got = 0;
    if (offset >= size)
        return DS_OK;
    if (len > size - offset)
        len = (size_t)(size - offset);
    if (spill->fd < 0) {
        memcpy(buf, spill->memory + offset, len);
        *got = len;
        return DS_OK;
    }
    while (*got < len) {
        ssize_t n = pread(spill->fd, (unsigned char *)buf + *got, len - *got, (off_t)(offset + *got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ds_error_set(err, DS_ERR_IO, "%s: temporary file read failed at byte %llu", spill->label,
                                (unsigned long long)(offset + *got));
        *got += (size_t)n;
    }
    return DS_OK;
}

static void spill_release(void *ctx) { ds_spill_free(ctx); }

int ds_spill_to_source(ds_spill_t *spill, ds_source_t **out, ds_error_t *err)
{
    return ds_source_open_owned(out, spill_read, spill_release, spill, ds_spill_size(spill), spill->label, err);
}

void ds_spill_free(ds_spill_t *spill)
{
    if (spill == NULL)
        return;
    if (spill->fd >= 0) {
        close(spill->fd);
        atomic_fetch_sub(&file_bytes, spill->file_len);
    }
    free(spill->memory);
    atomic_fetch_sub(&memory_bytes, spill->memory_capacity);
    free(spill);
}
