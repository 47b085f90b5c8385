/* The dtb format on crafted blobs: a valid one listed (paths, a '/' in a name escaped, a
 * property's value opened in place), then one hostile structure block per case: each refused
 * with its message, never a crash. */
#include "test_helpers.h"

#include "formats/format.h"

#define BLOB_MAX 4096

typedef struct blob {
    unsigned char b[BLOB_MAX];
    size_t struct_at, len;
} blob_t;

static void word(blob_t *x, uint32_t v)
{
    put_be32(x->b + x->len, v);
    x->len += 4;
}

static void name(blob_t *x, const char *text)
{
    size_t n = strlen(text) + 1;
    memcpy(x->b + x->len, text, n);
    x->len += (n + 3) & ~(size_t)3;
}

/* Header and an empty memory reservation block; the structure block follows. */
static void begin(blob_t *x)
{
    memset(x, 0, sizeof *x);
    x->len = 56; /* 40 header bytes, 16 for the reservations' terminating pair */
    x->struct_at = x->len;
}

/* strings: "compatible\0reg\0" at offsets 0 and 11. */
static ds_source_t *finish(blob_t *x)
{
    static const char strings[] = "compatible\0reg";
    size_t struct_size = x->len - x->struct_at;
    memcpy(x->b + x->len, strings, sizeof strings);
    size_t total = x->len + sizeof strings;
    put_be32(x->b, 0xd00dfeed);
    put_be32(x->b + 4, (uint32_t)total);
    put_be32(x->b + 8, (uint32_t)x->struct_at);
    put_be32(x->b + 12, (uint32_t)x->len);
    put_be32(x->b + 16, 40);
    put_be32(x->b + 20, 17);
    put_be32(x->b + 24, 16);
    put_be32(x->b + 32, sizeof strings);
    put_be32(x->b + 36, (uint32_t)struct_size);
    return source_from_bytes(x->b, total);
}

static void prop(blob_t *x, uint32_t nameoff, const char *value)
{
    word(x, 3);
    word(x, (uint32_t)strlen(value));
    word(x, nameoff);
    memcpy(x->b + x->len, value, strlen(value));
    x->len += (strlen(value) + 3) & ~(size_t)3;
}

/* Opens the blob and lists it: returns the entries' rc, with err and tree filled. */
static int list(ds_source_t *src, ds_tree_t *tree, ds_error_t *err, void **state)
{
    const ds_format_t *f = ds_format_find("dtb");
    assert_non_null(f);
    assert_int_equal(f->bid(src), 90);
    ds_format_open_t how = {.layer = "test"};
    assert_int_equal(f->open(state, src, &how, err), 0);
    return f->entries(*state, tree, err);
}

static void test_valid(void **state)
{
    (void)state;
    blob_t x;
    begin(&x);
    word(&x, 1), name(&x, "");
    prop(&x, 0, "silver,board");
    word(&x, 4); /* a NOP */
    word(&x, 1), name(&x, "a/b@1");
    prop(&x, 11, "abcd");
    word(&x, 2), word(&x, 2), word(&x, 9);
    ds_source_t *src = finish(&x);
    ds_tree_t tree = {0};
    ds_error_t err = {0};
    void *dtb = NULL;
    assert_int_equal(list(src, &tree, &err, &dtb), 0);
    assert_int_equal(tree.count, 3);
    assert_string_equal(tree.entries[0].path, "/compatible");
    assert_int_equal(tree.entries[0].size, 12);
    assert_string_equal(tree.entries[1].path, "/a\\x2fb@1");
    assert_int_equal(tree.entries[1].type, DS_ENTRY_DIR);
    assert_string_equal(tree.entries[2].path, "/a\\x2fb@1/reg");
    const ds_format_t *f = ds_format_find("dtb");
    ds_source_t *value = NULL;
    assert_int_equal(f->open_entry(dtb, &tree.entries[2], &value, &err), 0);
    char got[4];
    assert_int_equal(ds_source_read(value, 0, got, 4, "test", &err), 0);
    assert_memory_equal(got, "abcd", 4);
    ds_source_close(value);
    ds_fields_t fields = {0};
    assert_int_equal(f->fields(dtb, &fields, &err), 0);
    assert_string_equal(ds_fields_find(&fields, "dtb.version")->location, "@dtb.version");
    assert_true(ds_fields_find(&fields, "dtb.totalsize")->derived);
    assert_null(ds_fields_find(&fields, "dtb.memreserve.1"));
    ds_fields_free(&fields);
    f->close(dtb);
    ds_tree_free(&tree);
    ds_source_close(src);
}

/* One hostile structure block a case, built by a function, and the message it must give. */
struct hostile {
    void (*build)(blob_t *x);
    int code;
    const char *message;
};

static void twice(blob_t *x) { word(x, 1), name(x, ""), prop(x, 11, "1"), prop(x, 11, "2"), word(x, 2), word(x, 9); }
static void outside(blob_t *x) { prop(x, 11, "1"), word(x, 9); }
static void deep(blob_t *x)
{
    for (int i = 0; i < 70; i++)
        word(x, 1), name(x, "n");
}
static void bad_name(blob_t *x) { word(x, 1), name(x, ""), prop(x, 400, "1"), word(x, 2), word(x, 9); }
static void no_end(blob_t *x) { word(x, 1), name(x, ""), word(x, 2); }
static void huge(blob_t *x) { word(x, 1), name(x, ""), word(x, 3), word(x, 0xfffffff0u), word(x, 0), word(x, 2), word(x, 9); }
static void two_roots(blob_t *x) { word(x, 1), name(x, ""), word(x, 2), word(x, 1), name(x, ""), word(x, 2), word(x, 9); }
static void unknown(blob_t *x) { word(x, 1), name(x, ""), word(x, 0x77), word(x, 9); }

static const struct hostile cases[] = {
    {twice, DS_ERR_FORMAT, "/reg at byte 80 is there twice"},
    {outside, DS_ERR_FORMAT, "a property outside every node at byte 56"},
    {deep, DS_ERR_LIMIT, "lies deeper than 64 nodes"},
    {bad_name, DS_ERR_FORMAT, "names string 400, past the strings block"},
    {no_end, DS_ERR_FORMAT, "without FDT_END"},
    {huge, DS_ERR_LIMIT, "holds 4294967280 bytes"},
    {two_roots, DS_ERR_FORMAT, "a second root node at byte 68"},
    {unknown, DS_ERR_FORMAT, "unknown token 0x00000077 at byte 64"},
};

static void test_hostile(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blob_t x;
        begin(&x);
        cases[i].build(&x);
        ds_source_t *src = finish(&x);
        ds_tree_t tree = {0};
        ds_error_t err = {0};
        void *dtb = NULL;
        assert_int_equal(list(src, &tree, &err, &dtb), cases[i].code);
        if (strstr(err.message, cases[i].message) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
        for (size_t k = 0; k < tree.count; k++)
            assert_non_null(tree.entries[k].path);
        ds_format_find("dtb")->close(dtb);
        ds_tree_free(&tree);
        ds_source_close(src);
    }
}

/* totalsize past the file: the open names the truncation. */
static void test_truncated(void **state)
{
    (void)state;
    blob_t x;
    begin(&x);
    word(&x, 1), name(&x, ""), word(&x, 2), word(&x, 9);
    ds_source_close(finish(&x));
    ds_source_t *src = source_from_bytes(x.b, 60);
    void *dtb = NULL;
    ds_error_t err = {0};
    ds_format_open_t how = {.layer = "test"};
    assert_int_equal(ds_format_find("dtb")->open(&dtb, src, &how, &err), DS_ERR_FORMAT);
    assert_null(dtb);
    assert_non_null(strstr(err.message, "exceeds the file (60 bytes): truncated"));
    ds_source_close(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
