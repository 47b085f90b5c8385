/* Names from hostile images are escaped for every output: one printable line for text and
 * markdown, valid JSON with invalid UTF-8 kept visible. */
#include "test_helpers.h"

#include "report/json.h"
#include "util/strbuf.h"

struct escape_case {
    const char *input;
    const char *line;
    const char *json;
};

static const struct escape_case cases[] = {
    {"plain/path.txt", "plain/path.txt", "plain/path.txt"},
    {"new\nline", "new\\nline", "new\\nline"},
    {"tab\there", "tab\\there", "tab\\there"},
    {"back\\slash", "back\\\\slash", "back\\\\slash"},
    {"bell\a", "bell\\x07", "bell\\u0007"},
    {"quote\"", "quote\"", "quote\\\""},
    {"caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9"},
    {"bad\xff", "bad\\xff", "bad\\\\xff"},
    {"overlong\xc0\xaf", "overlong\\xc0\\xaf", "overlong\\\\xc0\\\\xaf"},
    {"surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80", "surrogate\\\\xed\\\\xa0\\\\x80"},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *line = ds_escape_line(cases[i].input);
        assert_string_equal(line, cases[i].line);
        free(line);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        ds_json_escape(f, cases[i].input);
        fclose(f);
        assert_string_equal(buf, cases[i].json);
        free(buf);
    }
}

static void test_json_document(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ds_json_t j;
    ds_json_init(&j, f);
    ds_json_object_begin(&j);
    ds_json_key(&j, "a");
    ds_json_array_begin(&j);
    ds_json_int(&j, 1);
    ds_json_string(&j, "x");
    ds_json_null(&j);
    ds_json_array_end(&j);
    ds_json_key(&j, "b");
    ds_json_bool(&j, true);
    ds_json_key(&j, "e");
    ds_json_object_begin(&j);
    ds_json_object_end(&j);
    ds_json_object_end(&j);
    fclose(f);
    assert_string_equal(buf, "{\n  \"a\": [\n    1,\n    \"x\",\n    null\n  ],\n  \"b\": true,\n  \"e\": {}\n}\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_json_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
