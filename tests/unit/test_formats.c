/* The format registry: which format wins the bid for a header (table-driven), names unique,
 * every format with the operations its kind needs. */
#include "test_helpers.h"

#include "formats/format.h"

struct bid_case {
    const char *bytes;
    size_t len;
    const char *expected; /* NULL: no format */
};

static const struct bid_case cases[] = {
    {"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10, "gzip"},
    {"\xfd" "7zXZ\0\0\x04", 8, "xz"},
    {"\x28\xb5\x2f\xfd\x24\x00", 6, "zstd"},
    {"\x04\x22\x4d\x18\x64\x40", 6, "lz4"},
    {"BZh91AY&SY\x00\x00", 12, "bzip2"},
    {"LZIP\x01\x0c", 6, "lzip"},
    {"\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff", 13, "lzma"},
    {"!<arch>\ndebian-binary   ", 24, "ar"},
    {"PK\x03\x04\x14\x00", 6, "zip"},
    {"070701000000000000000000", 24, "cpio"},
    {"hsqs\x00\x00\x00\x00", 8, "squashfs"},
    {"plain text, no magic\n", 21, NULL},
    {"", 0, NULL},
};

static void test_bids(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_source_t *src = source_from_bytes(cases[i].bytes, cases[i].len);
        const ds_format_t *f = ds_format_choose(src, NULL);
        if (cases[i].expected == NULL)
            assert_null(f);
        else {
            assert_non_null(f);
            assert_string_equal(f->name, cases[i].expected);
        }
        ds_source_close(src);
    }
}

/* A ustar header with a valid checksum bids tar; one byte off, nothing. */
static void test_tar_checksum(void **state)
{
    (void)state;
    unsigned char h[1024] = {0};
    memcpy(h, "etc/hostname", 12);
    memcpy(h + 100, "0000644", 7);
    memcpy(h + 124, "00000000000", 11);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    h[156] = '0';
    unsigned sum = 0;
    for (size_t i = 0; i < 512; i++)
        sum += i >= 148 && i < 156 ? ' ' : h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    ds_source_t *src = source_from_bytes(h, sizeof h);
    const ds_format_t *f = ds_format_choose(src, NULL);
    assert_non_null(f);
    assert_string_equal(f->name, "tar");
    ds_source_close(src);
    h[0] ^= 1;
    src = source_from_bytes(h, sizeof h);
    assert_null(ds_format_choose(src, NULL));
    ds_source_close(src);
}

static void test_registry(void **state)
{
    (void)state;
    size_t count = 0;
    const ds_format_t *const *all = ds_formats_all(&count);
    assert_true(count >= 14);
    for (size_t i = 0; i < count; i++) {
        const ds_format_t *f = all[i];
        assert_non_null(f->bid);
        assert_non_null(f->open);
        assert_non_null(f->close);
        if (f->kind == DS_FORMAT_CONTAINER) {
            assert_non_null(f->entries);
            assert_non_null(f->open_entry);
        }
        if (f->kind == DS_FORMAT_STREAM)
            assert_non_null(f->payload);
        assert_ptr_equal(ds_format_find(f->name), f);
        for (size_t k = i + 1; k < count; k++)
            assert_string_not_equal(f->name, all[k]->name);
    }
}

/* The pairing key of recompressed members: the compression suffix stripped, else none. */
static void test_pair_key(void **state)
{
    (void)state;
    static const struct {
        const char *path, *key; /* key NULL: none */
    } keys[] = {
        {"/control.tar.gz", "/control.tar"}, {"/data.tar.xz", "/data.tar"}, {"/data.tar.zst", "/data.tar"},
        {"/data.tar.bz2", "/data.tar"},      {"/x.lzma", "/x"},             {"/x.lz", "/x"},
        {"/data.tar", NULL},                 {"/debian-binary", NULL},      {".gz", NULL},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char key[64];
        bool has = ds_pair_key_without_compression(keys[i].path, key, sizeof key);
        assert_int_equal(has, keys[i].key != NULL);
        if (has)
            assert_string_equal(key, keys[i].key);
    }
    char small[4];
    assert_false(ds_pair_key_without_compression("/data.tar.xz", small, sizeof small)); /* no room */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bids),
        cmocka_unit_test(test_tar_checksum),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_pair_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
