/* El Torito boot catalog: validation entry checked, BIOS default entry and an EFI section
 * decoded; a catalog with a bad checksum or outside the image refused with its offset. */
#include "test_helpers.h"

#include "decode/boot_catalog.h"

static unsigned char *make_catalog_image(size_t *len)
{
    *len = 80 * 2048;
    unsigned char *image = calloc(1, *len);
    unsigned char *c = image + 70 * 2048;
    c[0] = 1;    /* validation entry */
    c[1] = 0;    /* x86 */
    c[30] = 0x55;
    c[31] = 0xAA;
    uint16_t sum = 0;
    for (int i = 0; i < 32; i += 2)
        sum = (uint16_t)(sum + (c[i] | (c[i + 1] << 8)));
    put_le16(c + 28, (uint16_t)(0x10000 - sum));
    c[32] = 0x88; /* default: bootable, no emulation, 4 sectors at LBA 791 */
    put_le16(c + 32 + 6, 4);
    put_le32(c + 32 + 8, 791);
    c[64] = 0x91; /* last section header: EFI, one entry */
    c[65] = 0xEF;
    put_le16(c + 66, 1);
    c[96] = 0x88;
    put_le16(c + 96 + 6, 2880);
    put_le32(c + 96 + 8, 71);
    return image;
}

static const char *value(const ds_fields_t *fields, const char *key)
{
    const ds_field_t *f = ds_fields_find(fields, key);
    assert_non_null(f);
    return f->value;
}

static void test_catalog(void **state)
{
    (void)state;
    size_t len;
    unsigned char *image = make_catalog_image(&len);
    ds_source_t *src = source_from_bytes(image, len);
    ds_fields_t fields = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_boot_catalog_decode(src, 70, &fields, &err), 0);
    assert_non_null(strstr(value(&fields, "boot_catalog.validation"), "platform x86 BIOS"));
    assert_string_equal(value(&fields, "boot_catalog.default"),
                        "bootable, no emulation, load segment 0x0000, system type 0x00, "
                        "load size 4 sectors, image LBA 791");
    assert_non_null(strstr(value(&fields, "boot_catalog.section1"), "platform EFI (0xef), 1 entries"));
    assert_non_null(strstr(value(&fields, "boot_catalog.section1.entry1"), "image LBA 71"));
    assert_string_equal(ds_fields_find(&fields, "boot_catalog.default")->location, "@iso.boot_catalog");
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    size_t len;
    unsigned char *image = make_catalog_image(&len);
    image[70 * 2048 + 28] ^= 1;
    ds_source_t *src = source_from_bytes(image, len);
    ds_fields_t fields = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_boot_catalog_decode(src, 70, &fields, &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "byte 143360"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

static void test_outside_image(void **state)
{
    (void)state;
    size_t len;
    unsigned char *image = make_catalog_image(&len);
    ds_source_t *src = source_from_bytes(image, len);
    ds_fields_t fields = {0};
    ds_error_t err = {0};
    assert_int_equal(ds_boot_catalog_decode(src, 0xFFFFFFFFu, &fields, &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "truncated"));
    ds_fields_free(&fields);
    ds_source_close(src);
    free(image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_outside_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
