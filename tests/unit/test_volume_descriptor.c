/* Volume descriptors decoded field by field: PVD ids, dates and sizes, Joliet names in UCS-2,
 * the El Torito boot record, and refusal of a sector that is no descriptor. */
#include "test_helpers.h"

#include "decode/volume_descriptor.h"

static void pad(unsigned char *p, size_t len, const char *text)
{
    memset(p, ' ', len);
    memcpy(p, text, strlen(text));
}

static void make_pvd(unsigned char *s)
{
    memset(s, 0, DS_ISO_SECTOR);
    s[0] = 1;
    memcpy(s + 1, "CD001", 5);
    s[6] = 1;
    pad(s + 8, 32, "LINUX");
    pad(s + 40, 32, "SilverMetal 1.0 amd64");
    put_both32(s + 80, 2560);
    put_both16(s + 120, 1);
    put_both16(s + 124, 1);
    put_both16(s + 128, 2048);
    pad(s + 190, 128, "");
    pad(s + 318, 128, "SilverMetal project");
    pad(s + 446, 128, "live-build 20230502");
    pad(s + 574, 128, "SilverMetal Live");
    memcpy(s + 813, "2023111422132000", 16);
    memcpy(s + 830, "2023111422132000", 16);
    memcpy(s + 847, "0000000000000000", 16);
    memcpy(s + 864, "2023111422132000", 16);
    s[881] = 1;
}

struct expected_field {
    const char *key;
    const char *location;
    const char *value;
};

static const struct expected_field pvd_expected[] = {
    {"pvd.system_id", "@iso.pvd.system_id", "\"LINUX\""},
    {"pvd.volume_id", "@iso.pvd.volume_id", "\"SilverMetal 1.0 amd64\""},
    {"pvd.volume_space_size", "@iso.pvd.volume_space_size", "2560"},
    {"pvd.logical_block_size", "@iso.pvd.logical_block_size", "2048"},
    {"pvd.volume_set_id", "@iso.pvd.volume_set_id", "\"\""},
    {"pvd.publisher_id", "@iso.pvd.publisher_id", "\"SilverMetal project\""},
    {"pvd.preparer_id", "@iso.pvd.preparer_id", "\"live-build 20230502\""},
    {"pvd.application_id", "@iso.pvd.application_id", "\"SilverMetal Live\""},
    {"pvd.creation_date", "@iso.pvd.creation_date", "2023-11-14T22:13:20Z (2023111422132000, .00 s)"},
    {"pvd.expiration_date", "@iso.pvd.expiration_date", "not set"},
    {"pvd.file_structure_version", "@iso.pvd.file_structure_version", "1"},
};

static void test_pvd_fields(void **state)
{
    (void)state;
    unsigned char s[DS_ISO_SECTOR];
    make_pvd(s);
    ds_fields_t fields = {0};
    ds_volume_info_t info = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_volume_descriptor_decode(s, 32768, 0, &fields, &info, &err), 0);
    for (size_t i = 0; i < sizeof pvd_expected / sizeof pvd_expected[0]; i++) {
        const ds_field_t *f = ds_fields_find(&fields, pvd_expected[i].key);
        assert_non_null(f);
        assert_string_equal(f->location, pvd_expected[i].location);
        assert_string_equal(f->value, pvd_expected[i].value);
    }
    const ds_field_t *date = ds_fields_find(&fields, "pvd.creation_date");
    assert_int_equal(date->offset, 32768 + 813);
    assert_int_equal(date->length, 17);
    assert_true(info.has_primary);
    assert_int_equal(info.volume_space_size, 2560);
    ds_fields_free(&fields);
}

static void test_inconsistent_both_endian(void **state)
{
    (void)state;
    unsigned char s[DS_ISO_SECTOR];
    make_pvd(s);
    put_be32(s + 84, 9999); /* big-endian copy disagrees */
    ds_fields_t fields = {0};
    ds_volume_info_t info = {0};
    assert_int_equal(ds_volume_descriptor_decode(s, 32768, 0, &fields, &info, NULL), 0);
    const ds_field_t *f = ds_fields_find(&fields, "pvd.volume_space_size");
    assert_non_null(strstr(f->value, "inconsistent"));
    ds_fields_free(&fields);
}

static void test_joliet_ucs2(void **state)
{
    (void)state;
    unsigned char s[DS_ISO_SECTOR];
    make_pvd(s);
    s[0] = 2;
    memcpy(s + 88, "%/E", 3);
    memset(s + 40, 0, 32);
    const char *name = "Silver\xc3\xa9"; /* "Silveré" */
    unsigned cps[] = {'S', 'i', 'l', 'v', 'e', 'r', 0xE9};
    for (int i = 0; i < 16; i++) {
        unsigned cp = i < 7 ? cps[i] : ' ';
        s[40 + 2 * i] = (unsigned char)(cp >> 8);
        s[41 + 2 * i] = (unsigned char)cp;
    }
    ds_fields_t fields = {0};
    ds_volume_info_t info = {0};
    assert_int_equal(ds_volume_descriptor_decode(s, 36864, 0, &fields, &info, NULL), 0);
    const ds_field_t *f = ds_fields_find(&fields, "joliet.volume_id");
    assert_non_null(f);
    char expected[64];
    snprintf(expected, sizeof expected, "\"%s\"", name);
    assert_string_equal(f->value, expected);
    assert_string_equal(f->location, "@iso.joliet.volume_id");
    assert_true(info.has_joliet);
    ds_fields_free(&fields);
}

static void test_boot_record(void **state)
{
    (void)state;
    unsigned char s[DS_ISO_SECTOR] = {0};
    s[0] = 0;
    memcpy(s + 1, "CD001", 5);
    s[6] = 1;
    memcpy(s + 7, "EL TORITO SPECIFICATION", 23);
    put_le32(s + 71, 70);
    ds_fields_t fields = {0};
    ds_volume_info_t info = {0};
    assert_int_equal(ds_volume_descriptor_decode(s, 34816, 0, &fields, &info, NULL), 0);
    const ds_field_t *f = ds_fields_find(&fields, "boot_record.catalog_lba");
    assert_non_null(f);
    assert_string_equal(f->location, "@iso.boot_catalog");
    assert_int_equal(f->number, 70);
    assert_true(info.has_boot_record);
    assert_int_equal(info.boot_catalog_lba, 70);
    ds_fields_free(&fields);
}

static void test_not_a_descriptor(void **state)
{
    (void)state;
    unsigned char s[DS_ISO_SECTOR] = {0};
    ds_fields_t fields = {0};
    ds_volume_info_t info = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_volume_descriptor_decode(s, 32768, 0, &fields, &info, &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "byte 32769"));
    ds_fields_free(&fields);
}

static void test_set_without_terminator(void **state)
{
    (void)state;
    /* 16 empty sectors, then PVDs forever: the reader stops at its limit with a message. */
    size_t len = (16 + DS_ISO_MAX_DESCRIPTORS + 1) * DS_ISO_SECTOR;
    unsigned char *image = calloc(1, len);
    for (unsigned i = 0; i <= DS_ISO_MAX_DESCRIPTORS; i++)
        make_pvd(image + (16 + i) * DS_ISO_SECTOR);
    ds_source_t *src = source_from_bytes(image, len);
    ds_fields_t fields = {0};
    ds_volume_info_t info;
    ds_error_t err = {0};
    assert_int_equal(ds_volume_descriptors_read(src, &fields, &info, &err), DS_ERR_LIMIT);
    assert_non_null(strstr(err.message, "no set terminator"));
    assert_non_null(strstr(err.message, "T (test)"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pvd_fields),
        cmocka_unit_test(test_inconsistent_both_endian),
        cmocka_unit_test(test_joliet_ucs2),
        cmocka_unit_test(test_boot_record),
        cmocka_unit_test(test_not_a_descriptor),
        cmocka_unit_test(test_set_without_terminator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
