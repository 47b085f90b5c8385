/* Which bytes are text, in which encoding, and how they read as UTF-8 (compare/text_diff.c):
 * a table of inputs with the encoding each must be given (NULL: not text) and its UTF-8. */
#include "test_helpers.h"

#include <string.h>

#include "compare/text_diff.h"

struct encoding_case {
    const char *bytes;
    size_t len;
    const char *encoding; /* NULL: not text */
    const char *utf8;
};

#define B(s) s, sizeof s - 1

static const struct encoding_case cases[] = {
    {B("plain ASCII\n"), "UTF-8", "plain ASCII\n"},
    {B("caf\xc3\xa9\n"), "UTF-8", "caf\xc3\xa9\n"},
    {B("\xef\xbb\xbfwith BOM\n"), "UTF-8 (BOM)", "with BOM\n"},
    {B("caf\xe9 \xa9 2023\n"), "ISO-8859-1", "caf\xc3\xa9 \xc2\xa9 2023\n"},
    {B("Gr\xfc\xdf" "e\r\n"), "ISO-8859-1", "Gr\xc3\xbc\xc3\x9f" "e\r\n"},
    {B("\xff\xfeG\0r\0\xfc\0\n\0"), "UTF-16LE", "Gr\xc3\xbc\n"},
    {B("\xfe\xff\0G\0r\0\xfc\0\n"), "UTF-16BE", "Gr\xc3\xbc\n"},
    {B("\xff\xfe=\xd8\0\xde"), "UTF-16LE", "\xf0\x9f\x98\x80"}, /* a surrogate pair: U+1F600 */
    {B("\xff\xfe\0\xd8" "a\0"), NULL, NULL},                   /* an unpaired high surrogate */
    {B("\xff\xfeG\0r"), NULL, NULL},                          /* a cut code unit */
    {B("\xff\xfe\x01\0"), NULL, NULL},                        /* a control character */
    {B("nul\0inside"), NULL, NULL},
    {B("bell\a"), "UTF-8", "bell\a"}, /* UTF-8 keeps its controls (escape sequences in logs) */
    {B("text with \xde\xad\xbe\xef in it"), NULL, NULL}, /* binary bytes: not Latin-1 prose */
    {B("C1 \x85 control"), NULL, NULL},
    {B("\xc3\x28"), NULL, NULL}, /* invalid UTF-8, and 0xc3 0x28 is Latin-1 "Ã(": but see below */
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct encoding_case *c = &cases[i];
        const char *got = ds_text_encoding((const unsigned char *)c->bytes, c->len);
        print_message("case %zu: %s\n", i, got ? got : "not text");
        if (c->encoding == NULL && i == sizeof cases / sizeof cases[0] - 1) {
            /* 0xc3 is a Latin-1 letter: invalid UTF-8 made of prose bytes reads as Latin-1. */
            assert_non_null(got);
            assert_string_equal(got, "ISO-8859-1");
            continue;
        }
        if (c->encoding == NULL) {
            assert_null(got);
            assert_false(ds_text_is_text((const unsigned char *)c->bytes, c->len));
            continue;
        }
        assert_non_null(got);
        assert_string_equal(got, c->encoding);
        char *utf8 = NULL;
        size_t len = 0;
        const char *encoding = NULL;
        assert_int_equal(ds_text_to_utf8((const unsigned char *)c->bytes, c->len, &utf8, &len, &encoding), DS_OK);
        assert_string_equal(encoding, c->encoding);
        assert_int_equal(len, strlen(c->utf8));
        assert_memory_equal(utf8, c->utf8, len);
        free(utf8);
    }
}

/* Two encodings of one text: the diff says so and finds no changed line. */
static void test_same_text_other_encoding(void **state)
{
    (void)state;
    ds_strbuf_t out = {0};
    bool cut = false;
    size_t edits = 99;
    const char a[] = "Gr\xc3\xbc\xc3\x9f" "e\n", b[] = "Gr\xfc\xdf" "e\n";
    assert_int_equal(ds_text_diff(&out, a, sizeof a - 1, b, sizeof b - 1, &cut, &edits), DS_OK);
    assert_int_equal(edits, 0);
    assert_string_equal(ds_strbuf_text(&out),
                        "text in another encoding: A UTF-8, B ISO-8859-1; decoded to UTF-8 for this diff: the same text\n");
    ds_strbuf_free(&out);
    assert_int_equal(ds_text_diff(&out, a, sizeof a - 1, "\0", 1, &cut, &edits), DS_ERR_FORMAT);
    ds_strbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_same_text_other_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
