/* MBR and GPT decoded from crafted images: disk id, partitions, GUIDs in mixed-endian form,
 * CRCs checked (valid and broken), a backup header past the end refused with its offset. */
#include "test_helpers.h"

#include <zlib.h>

#include "decode/mbr_gpt.h"

#define IMAGE_BLOCKS 64

static const unsigned char disk_guid[16] = {0x33, 0x32, 0x30, 0x32, 0x31, 0x31, 0x31, 0x44,
                                            0xb2, 0x30, 0x30, 0x32, 0x31, 0x33, 0x32, 0x30};

static void write_header(unsigned char *image, uint64_t lba, uint64_t backup, uint64_t entries_lba)
{
    unsigned char *h = image + lba * 512;
    memcpy(h, "EFI PART", 8);
    put_le32(h + 8, 0x00010000);
    put_le32(h + 12, 92);
    put_le64(h + 24, lba);
    put_le64(h + 32, backup);
    put_le64(h + 40, 34);
    put_le64(h + 48, IMAGE_BLOCKS - 34);
    memcpy(h + 56, disk_guid, 16);
    put_le64(h + 72, entries_lba);
    put_le32(h + 80, 4);
    put_le32(h + 84, 128);
    put_le32(h + 88, (uint32_t)crc32(0L, image + entries_lba * 512, 4 * 128));
    put_le32(h + 16, 0);
    put_le32(h + 16, (uint32_t)crc32(0L, h, 92));
}

static unsigned char *make_image(void)
{
    unsigned char *image = calloc(IMAGE_BLOCKS, 512);
    /* MBR: disk id, one protective partition. */
    put_le32(image + 440, 0x624e3853);
    image[446 + 4] = 0xee;
    put_le32(image + 446 + 8, 1);
    put_le32(image + 446 + 12, IMAGE_BLOCKS - 1);
    image[510] = 0x55;
    image[511] = 0xAA;
    /* One EFI system partition entry at LBA 2, named "ESP". */
    unsigned char *e = image + 2 * 512;
    static const unsigned char esp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                          0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
    memcpy(e, esp, 16);
    memcpy(e + 16, disk_guid, 16);
    e[31] = 0x21;
    put_le64(e + 32, 40);
    put_le64(e + 40, 50);
    put_le16(e + 56, 'E');
    put_le16(e + 58, 'S');
    put_le16(e + 60, 'P');
    /* Backup entries and header at the end. */
    memcpy(image + (IMAGE_BLOCKS - 5) * 512, e, 128);
    write_header(image, 1, IMAGE_BLOCKS - 1, 2);
    write_header(image, IMAGE_BLOCKS - 1, 1, IMAGE_BLOCKS - 5);
    return image;
}

static const char *value(const ds_fields_t *fields, const char *key)
{
    const ds_field_t *f = ds_fields_find(fields, key);
    assert_non_null(f);
    return f->value;
}

static void test_mbr(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    ds_fields_t fields = {0};
    assert_true(ds_mbr_decode(image, &fields));
    assert_string_equal(value(&fields, "mbr.disk_id"), "0x624e3853");
    assert_string_equal(ds_fields_find(&fields, "mbr.disk_id")->location, "@iso.mbr.disk_id");
    assert_non_null(strstr(value(&fields, "mbr.partition1"), "type 0xee (GPT protective)"));
    assert_string_equal(value(&fields, "mbr.partition2"), "empty");
    ds_fields_free(&fields);
    image[511] = 0;
    assert_false(ds_mbr_decode(image, &fields));
    assert_non_null(strstr(value(&fields, "mbr.signature"), "no MBR"));
    ds_fields_free(&fields);
    free(image);
}

static void test_gpt_valid(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_fields_t fields = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_gpt_decode(src, &fields, &err), 0);
    assert_string_equal(value(&fields, "gpt.disk_guid"), "32303233-3131-4431-b230-303231333230");
    assert_string_equal(ds_fields_find(&fields, "gpt.disk_guid")->location, "@gpt.disk_guid");
    assert_non_null(strstr(value(&fields, "gpt.header_crc"), "(valid)"));
    assert_non_null(strstr(value(&fields, "gpt.entries_crc"), "(valid)"));
    assert_non_null(strstr(value(&fields, "gpt.entry1.type_guid"), "EFI system partition"));
    assert_string_equal(value(&fields, "gpt.entry1.name"), "\"ESP\"");
    assert_string_equal(value(&fields, "gpt.entry1.lbas"), "40..50");
    assert_string_equal(ds_fields_find(&fields, "gpt.entry1.unique_guid")->location,
                        "@gpt.partition_guid");
    assert_non_null(strstr(value(&fields, "gpt.backup.header_crc"), "(valid)"));
    assert_non_null(strstr(value(&fields, "gpt.backup.entries_crc"), "(valid)"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

static void test_gpt_bad_crc(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    image[512 + 60] ^= 0xff; /* a GUID byte changed without fixing the CRC */
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_fields_t fields = {0};
    assert_int_equal(ds_gpt_decode(src, &fields, NULL), 0);
    assert_non_null(strstr(value(&fields, "gpt.header_crc"), "INVALID"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

static void test_gpt_backup_past_end(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    put_le64(image + 512 + 32, 1000000);
    put_le32(image + 512 + 16, 0);
    put_le32(image + 512 + 16, (uint32_t)crc32(0L, image + 512, 92));
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_fields_t fields = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_gpt_decode(src, &fields, &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "backup header LBA 1000000"));
    assert_non_null(strstr(err.message, "T (test)"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

static void test_gpt_hostile_entry_count(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    put_le32(image + 512 + 80, 0x7fffffff);
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_fields_t fields = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_gpt_decode(src, &fields, &err), DS_ERR_LIMIT);
    assert_non_null(strstr(err.message, "beyond the limits"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

static void test_no_gpt(void **state)
{
    (void)state;
    unsigned char *image = calloc(IMAGE_BLOCKS, 512);
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_fields_t fields = {0};
    assert_int_equal(ds_gpt_decode(src, &fields, NULL), 0);
    assert_non_null(strstr(value(&fields, "gpt.signature"), "absent"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbr),
        cmocka_unit_test(test_gpt_valid),
        cmocka_unit_test(test_gpt_bad_crc),
        cmocka_unit_test(test_gpt_backup_past_end),
        cmocka_unit_test(test_gpt_hostile_entry_count),
        cmocka_unit_test(test_no_gpt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
