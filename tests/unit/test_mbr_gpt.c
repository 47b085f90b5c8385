/* MBR and GPT decoded from crafted images: disk id, partitions, GUIDs in mixed-endian form,
 * CRCs checked (valid and broken), a backup header past the end refused with its offset; the
 * disk format's style of the same fields, its partition list (GPT, MBR with an EBR chain, a
 * looping chain) and its bid (not on a FAT boot sector nor on an ISO 9660 hybrid). */
#include "test_helpers.h"

#include <zlib.h>

#include "decode/mbr_gpt.h"
#include "formats/format.h"

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

static void test_disk_style(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_fields_t fields = {0};
    assert_true(ds_mbr_decode_as(image, &fields, DS_MBR_GPT_DISK));
    assert_int_equal(ds_gpt_decode_as(src, &fields, DS_MBR_GPT_DISK, NULL), 0);
    assert_string_equal(ds_fields_find(&fields, "mbr.disk_id")->location, "@disk.mbr.disk_id");
    assert_int_equal(ds_fields_find(&fields, "mbr.boot_code")->length, 440);
    assert_null(ds_fields_find(&fields, "mbr.boot_image_lba"));
    assert_string_equal(ds_fields_find(&fields, "gpt.entry1.name")->location, "@disk.gpt.entry1.name");
    assert_string_equal(value(&fields, "gpt.entry1.first_lba"), "40");
    assert_string_equal(value(&fields, "gpt.entry1.last_lba"), "50");
    assert_null(ds_fields_find(&fields, "gpt.entry1.lbas"));
    assert_true(ds_fields_find(&fields, "gpt.header_crc")->derived);
    assert_true(ds_fields_find(&fields, "gpt.backup.entries_crc")->derived);
    assert_false(ds_fields_find(&fields, "gpt.disk_guid")->derived);
    assert_string_equal(ds_fields_find(&fields, "gpt.backup.disk_guid")->location, "@disk.gpt.backup.disk_guid");
    ds_fields_free(&fields);
    ds_partitions_t parts = {0};
    assert_int_equal(ds_disk_partitions_read(src, &parts, NULL, NULL), 0);
    assert_true(parts.gpt);
    assert_int_equal(parts.count, 1);
    assert_int_equal(parts.items[0].number, 1);
    assert_int_equal(parts.items[0].first_lba, 40);
    assert_int_equal(parts.items[0].sectors, 11);
    assert_int_equal(parts.items[0].record_offset, 2 * 512);
    ds_partitions_free(&parts);
    ds_source_close(src);
    free(image);
}

/* An MBR disk: p1 primary, p2 extended holding two EBRs (logical p5, p6); then a chain that
 * links an EBR to itself, which the limit ends. */
static void mbr_record(unsigned char *e, unsigned type, uint32_t start, uint32_t count)
{
    e[4] = (unsigned char)type;
    put_le32(e + 8, start);
    put_le32(e + 12, count);
}

static void test_mbr_partitions(void **state)
{
    (void)state;
    unsigned char *image = calloc(IMAGE_BLOCKS, 512);
    mbr_record(image + 446, 0x83, 2, 8);
    mbr_record(image + 462, 0x05, 20, 40);
    image[510] = 0x55, image[511] = 0xAA;
    unsigned char *ebr = image + 20 * 512;
    mbr_record(ebr + 446, 0x83, 2, 4); /* LBA 22..25 */
    mbr_record(ebr + 462, 0x05, 10, 10);
    ebr[510] = 0x55, ebr[511] = 0xAA;
    ebr = image + 30 * 512;
    mbr_record(ebr + 446, 0x0c, 1, 5); /* LBA 31..35, the last */
    ebr[510] = 0x55, ebr[511] = 0xAA;
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    assert_string_equal(ds_format_choose(src, NULL)->name, "disk");
    ds_partitions_t parts = {0};
    ds_fields_t fields = {0};
    assert_int_equal(ds_disk_partitions_read(src, &parts, &fields, NULL), 0);
    assert_false(parts.gpt);
    assert_int_equal(parts.count, 3);
    assert_int_equal(parts.items[1].number, 5);
    assert_int_equal(parts.items[1].first_lba, 22);
    assert_int_equal(parts.items[2].number, 6);
    assert_int_equal(parts.items[2].first_lba, 31);
    assert_int_equal(parts.items[2].sectors, 5);
    assert_string_equal(ds_fields_find(&fields, "mbr.logical6")->location, "@disk.mbr.logical6");
    ds_partitions_free(&parts);
    ds_fields_free(&fields);
    ds_source_close(src);
    mbr_record(image + 20 * 512 + 462, 0x05, 0 + 0, 10); /* start 0: the chain ends at p5 */
    src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    assert_int_equal(ds_disk_partitions_read(src, &parts, NULL, NULL), 0);
    assert_int_equal(parts.count, 2);
    ds_partitions_free(&parts);
    ds_source_close(src);
    mbr_record(image + 30 * 512 + 462, 0x05, 10, 10); /* the EBR at 30 links to itself */
    mbr_record(image + 20 * 512 + 462, 0x05, 10, 10);
    src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    ds_error_t err = {0};
    assert_int_equal(ds_disk_partitions_read(src, &parts, NULL, &err), DS_ERR_LIMIT);
    assert_non_null(strstr(err.message, "more than 128 logical partitions"));
    assert_true(parts.count <= 2 + DS_MBR_MAX_LOGICAL);
    ds_partitions_free(&parts);
    ds_source_close(src);
    free(image);
}

/* 0x55AA is not enough: a FAT boot sector stays fat's, an ISO 9660 hybrid iso9660's. */
static void test_disk_bid(void **state)
{
    (void)state;
    const ds_format_t *disk = ds_format_find("disk");
    assert_non_null(disk);
    unsigned char *image = make_image();
    ds_source_t *src = source_from_bytes(image, IMAGE_BLOCKS * 512);
    assert_int_equal(disk->bid(src), 80);
    ds_source_close(src);
    free(image);
    size_t iso_size = 17 * 2048;
    image = calloc(1, iso_size);
    mbr_record(image + 446, 0x17, 64, 8);
    image[510] = 0x55, image[511] = 0xAA;
    src = source_from_bytes(image, iso_size);
    assert_int_equal(disk->bid(src), 50);
    ds_source_close(src);
    memcpy(image + 16 * 2048 + 1, "CD001", 5);
    src = source_from_bytes(image, iso_size);
    assert_int_equal(disk->bid(src), 0);
    ds_source_close(src);
    /* A FAT12 boot sector: a jump, a BPB (512 bytes a sector, 4 a cluster, 1 reserved, 2 FATs). */
    memset(image, 0, iso_size);
    memcpy(image, "\xeb\x3c\x90mkfs.fat", 11);
    put_le16(image + 11, 512);
    image[13] = 4;
    put_le16(image + 14, 1);
    image[16] = 2;
    image[510] = 0x55, image[511] = 0xAA;
    mbr_record(image + 446, 0x83, 2, 8); /* even with a record-like boot code */
    src = source_from_bytes(image, iso_size);
    assert_int_equal(disk->bid(src), 0);
    ds_source_close(src);
    /* Boot code where the records lie: status bytes other than 0x00 and 0x80. */
    memset(image, 0, 512);
    memset(image + 446, 0x4f, 64);
    image[510] = 0x55, image[511] = 0xAA;
    src = source_from_bytes(image, iso_size);
    assert_int_equal(disk->bid(src), 0);
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
        cmocka_unit_test(test_disk_style),
        cmocka_unit_test(test_mbr_partitions),
        cmocka_unit_test(test_disk_bid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
