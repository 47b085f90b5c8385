/* The line diff: hunks, context, empty sides, a missing final newline, and the edit bound. */
#include "test_helpers.h"

#include "compare/line_diff.h"
#include "util/error.h"
#include "util/strbuf.h"

static void collect(void *ctx, char op, const char *text, size_t len)
{
    ds_strbuf_t *sb = ctx;
    if (op != '@')
        ds_strbuf_append(sb, &op, 1);
    ds_strbuf_append(sb, text, len);
    ds_strbuf_puts(sb, "\n");
}

struct diff_case {
    const char *a, *b;
    unsigned context;
    size_t edits;
    const char *expected;
};

static const struct diff_case cases[] = {
    {"same\n", "same\n", 3, 0, ""},
    {"a\nb\nc\n", "a\nB\nc\n", 3, 2, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
    {"a\nb\nc\n", "a\nB\nc\n", 0, 2, "@@ -2,1 +2,1 @@\n-b\n+B\n"},
    {"", "new\n", 3, 1, "@@ -0,0 +1,1 @@\n+new\n"},
    {"old\n", "", 3, 1, "@@ -1,1 +0,0 @@\n-old\n"},
    {"x\ny", "x\nz", 3, 2, "@@ -1,2 +1,2 @@\n x\n-y\n+z\n"},
    {"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\nX\n3\n4\n5\n6\n7\n8\nY\n10\n", 1, 4,
     "@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n@@ -8,3 +8,3 @@\n 8\n-9\n+Y\n 10\n"},
    {"b\na\n", "a\nb\n", 3, 2, "@@ -1,2 +1,2 @@\n-b\n a\n+b\n"},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct diff_case *c = &cases[i];
        ds_strbuf_t out = {0};
        size_t edits = 99;
        assert_int_equal(ds_line_diff(c->a, strlen(c->a), c->b, strlen(c->b), c->context, 100,
                                      collect, &out, &edits),
                         0);
        assert_int_equal(edits, c->edits);
        assert_string_equal(ds_strbuf_text(&out), c->expected);
        ds_strbuf_free(&out);
    }
}

static void test_edit_bound(void **state)
{
    (void)state;
    ds_strbuf_t a = {0}, b = {0}, out = {0};
    for (int i = 0; i < 50; i++) {
        ds_strbuf_printf(&a, "a%d\n", i);
        ds_strbuf_printf(&b, "b%d\n", i);
    }
    size_t edits = 0;
    assert_int_equal(ds_line_diff(a.data, a.len, b.data, b.len, 3, 10, collect, &out, &edits),
                     DS_ERR_LIMIT);
    assert_int_equal(ds_line_diff(a.data, a.len, b.data, b.len, 3, 100, collect, &out, &edits), 0);
    assert_int_equal(edits, 100);
    ds_strbuf_free(&a);
    ds_strbuf_free(&b);
    ds_strbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_edit_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
