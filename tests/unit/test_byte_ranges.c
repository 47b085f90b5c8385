/* Differing byte ranges: grouping, joining across small gaps, the kept-range bound, counts. */
#include "test_helpers.h"

#include "compare/byte_ranges.h"

struct range_case {
    const char *a, *b;
    size_t join_gap;
    size_t expected_total;
    uint64_t expected_bytes;
    uint64_t first_start, first_end;
};

static const struct range_case cases[] = {
    {"abcdefgh", "abcdefgh", 4, 0, 0, 0, 0},
    {"abcdefgh", "abXdefgh", 4, 1, 1, 2, 3},
    {"abcdefgh", "XXcdefXX", 1, 2, 4, 0, 2},
    {"abcdefgh", "XbcdefgX", 8, 1, 2, 0, 8},  /* joined across the equal middle */
    {"abcdefgh", "XbXdXfXh", 2, 1, 4, 0, 7},
    {"abcdefgh", "XbXdXfXh", 1, 4, 4, 0, 1},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct range_case *c = &cases[i];
        ds_byte_range_t ranges[8];
        uint64_t bytes = 0;
        size_t total = ds_byte_ranges_find((const unsigned char *)c->a, (const unsigned char *)c->b,
                                           strlen(c->a), c->join_gap, ranges, 8, &bytes);
        assert_int_equal(total, c->expected_total);
        assert_int_equal(bytes, c->expected_bytes);
        if (total > 0) {
            assert_int_equal(ranges[0].start, c->first_start);
            assert_int_equal(ranges[0].end, c->first_end);
        }
    }
}

static void test_bound(void **state)
{
    (void)state;
    unsigned char a[1000] = {0}, b[1000] = {0};
    for (int i = 0; i < 1000; i += 10)
        b[i] = 1;
    ds_byte_range_t ranges[3];
    uint64_t bytes = 0;
    size_t total = ds_byte_ranges_find(a, b, sizeof a, 1, ranges, 3, &bytes);
    assert_int_equal(total, 100); /* all counted, three kept */
    assert_int_equal(bytes, 100);
    assert_int_equal(ranges[2].start, 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
