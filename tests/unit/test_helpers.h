/* Shared by the unit tests: cmocka includes and a source over bytes written to a temp file. */
#ifndef DS_TEST_HELPERS_H
#define DS_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/source.h"

/* Writes len bytes to a new temporary file and opens it as a source labelled "T (test)". The
 * file is unlinked at once; closing the source frees everything. */
static inline ds_source_t *source_from_bytes(const void *bytes, size_t len)
{
    char path[] = "/tmp/ds-unit-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    ds_source_t *src = NULL;
    ds_error_t err = {0};
    assert_int_equal(ds_source_open_file(&src, path, "T (test)", &err), 0);
    unlink(path);
    return src;
}

static inline void put_le16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static inline void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline void put_be32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[3 - i] = (unsigned char)(v >> (8 * i));
}
static inline void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline void put_both32(unsigned char *p, uint32_t v) { put_le32(p, v); put_be32(p + 4, v); }
static inline void put_both16(unsigned char *p, uint16_t v)
{
    put_le16(p, v);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

#endif
