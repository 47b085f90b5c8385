/* ISO 9660 dates: the 17-byte volume descriptor form and the 7-byte directory record form. */
#include "test_helpers.h"

#include "decode/volume_descriptor.h"

struct date17_case {
    const char *bytes; /* 16 digits */
    signed char offset;
    int expected_rc;
    int64_t expected_utc;
    const char *expected_text_prefix;
};

static const struct date17_case date17_cases[] = {
    {"2023111422132000", 0, 1, 1700000000, "2023-11-14T22:13:20Z"},
    {"2023111522132000", 0, 1, 1700086400, "2023-11-15T22:13:20Z"},
    /* Recorded at GMT+1 (4 quarter hours): the UTC time is an hour earlier. */
    {"2023111423132000", 4, 1, 1700000000, "2023-11-14T22:13:20Z"},
    {"2023111421132000", -4, 1, 1700000000, "2023-11-14T22:13:20Z"},
    {"0000000000000000", 0, 0, 0, "not set"},
    {"2023131422132000", 0, -1, 0, "invalid"},
    {"20231114221320XY", 0, -1, 0, "invalid"},
};

static void test_date17_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof date17_cases / sizeof date17_cases[0]; i++) {
        const struct date17_case *c = &date17_cases[i];
        unsigned char raw[17];
        memcpy(raw, c->bytes, 16);
        raw[16] = (unsigned char)c->offset;
        char text[160];
        int64_t utc = -1;
        int rc = ds_iso_date17_decode(raw, text, sizeof text, &utc);
        assert_int_equal(rc, c->expected_rc);
        if (rc == 1)
            assert_int_equal(utc, c->expected_utc);
        assert_memory_equal(text, c->expected_text_prefix, strlen(c->expected_text_prefix));
    }
}

static void test_date17_offset_is_shown(void **state)
{
    (void)state;
    unsigned char raw[17];
    memcpy(raw, "2023111423132000", 16);
    raw[16] = 4;
    char text[160];
    ds_iso_date17_decode(raw, text, sizeof text, NULL);
    assert_non_null(strstr(text, "GMT+1:00"));
}

static void test_date7(void **state)
{
    (void)state;
    /* 2023-11-14 22:13:20 UTC: years since 1900 = 123. */
    unsigned char utc[7] = {123, 11, 14, 22, 13, 20, 0};
    int64_t when = 0;
    assert_int_equal(ds_iso_date7_decode(utc, &when), 0);
    assert_int_equal(when, 1700000000);
    unsigned char plus_two[7] = {124, 1, 1, 2, 0, 0, 8}; /* 2024-01-01 02:00 at GMT+2 */
    assert_int_equal(ds_iso_date7_decode(plus_two, &when), 0);
    assert_int_equal(when, 1704067200);
    unsigned char bad_month[7] = {123, 13, 1, 0, 0, 0, 0};
    assert_int_equal(ds_iso_date7_decode(bad_month, &when), -1);
    unsigned char zero[7] = {0};
    assert_int_equal(ds_iso_date7_decode(zero, &when), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date17_table),
        cmocka_unit_test(test_date17_offset_is_shown),
        cmocka_unit_test(test_date7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
