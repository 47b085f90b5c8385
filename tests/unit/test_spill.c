/* Bounded spills: bytes kept in memory up to the per-spill budget, then in an unlinked file;
 * read back whole and across the boundary; the in-memory share of --max-memory respected. */
#include "test_helpers.h"

#include <stdbool.h>

#include "util/limits.h"
#include "util/spill.h"

static void fill(unsigned char *buf, size_t len, size_t from)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)((from + i) * 131u >> 3);
}

static void check_back(ds_source_t *src, size_t total)
{
    unsigned char got[1000], want[1000];
    for (size_t at = 0; at < total; at += 997) {
        size_t n = total - at < sizeof got ? total - at : sizeof got;
        assert_int_equal(ds_source_read(src, at, got, n, "test", NULL), DS_OK);
        fill(want, n, at);
        assert_memory_equal(got, want, n);
    }
}

static void spill_of(size_t memory_max, size_t total, bool expect_file)
{
    ds_spill_t *spill = NULL;
    ds_error_t err = {0};
    assert_int_equal(ds_spill_open(&spill, memory_max, "T (test)", &err), DS_OK);
    unsigned char chunk[4096];
    uint64_t files_before = ds_spill_file_bytes();
    for (size_t at = 0; at < total; at += sizeof chunk) {
        size_t n = total - at < sizeof chunk ? total - at : sizeof chunk;
        fill(chunk, n, at);
        assert_int_equal(ds_spill_write(spill, chunk, n, &err), DS_OK);
    }
    assert_int_equal(ds_spill_size(spill), total);
    assert_int_equal(ds_spill_file_bytes() - files_before, expect_file ? total : 0);
    ds_source_t *src = NULL;
    assert_int_equal(ds_spill_to_source(spill, &src, &err), DS_OK);
    assert_int_equal(ds_source_size(src), total);
    check_back(src, total);
    size_t got = 1;
    unsigned char byte;
    assert_int_equal(ds_source_read_some(src, total, &byte, 1, &got, NULL), DS_OK);
    assert_int_equal(got, 0);
    ds_source_close(src);
    assert_int_equal(ds_spill_file_bytes(), files_before); /* the file went with the source */
}

static void test_in_memory(void **state)
{
    (void)state;
    spill_of(1 << 20, 300000, false);
}

static void test_to_file(void **state)
{
    (void)state;
    spill_of(65536, 300000, true);
}

static void test_empty(void **state)
{
    (void)state;
    spill_of(65536, 0, false);
}

/* With a budget of 8 MiB the spills' share is 1 MiB: a second spill that would pass it goes to
 * a file even though its own budget allows memory. */
static void test_shared_budget(void **state)
{
    (void)state;
    ds_limits_configure(8u << 20);
    ds_spill_t *first = NULL;
    unsigned char chunk[4096];
    fill(chunk, sizeof chunk, 0);
    assert_int_equal(ds_spill_open(&first, 1u << 20, "T (first)", NULL), DS_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(ds_spill_write(first, chunk, sizeof chunk, NULL), DS_OK);
    uint64_t before = ds_spill_file_bytes();
    spill_of(1u << 20, 600000, true);
    assert_int_equal(ds_spill_file_bytes(), before);
    ds_spill_free(first);
    ds_limits_configure(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_memory),
        cmocka_unit_test(test_to_file),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_shared_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
