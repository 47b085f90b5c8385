/* The ISO 9660 tree reader on a crafted hostile image: Rock Ridge names that would climb or
 * split the tree ("..", "x/y") are escaped, a directory pointing back at the root is not walked
 * twice, an extent past the end is reported with its offset, a symlink keeps its target. */
#include "test_helpers.h"

#include "formats/format.h"

#include <sys/stat.h>

#include "readers/tree.h"
#include "readers/reader.h"

#define SECTORS 24
#define ROOT_LBA 20

static size_t susp_px(unsigned char *p, uint32_t mode)
{
    memset(p, 0, 44);
    p[0] = 'P', p[1] = 'X', p[2] = 44, p[3] = 1;
    put_both32(p + 4, mode);
    put_both32(p + 12, 1);
    return 44;
}

static size_t susp_nm(unsigned char *p, const char *name)
{
    size_t n = strlen(name);
    p[0] = 'N', p[1] = 'M', p[2] = (unsigned char)(5 + n), p[3] = 1, p[4] = 0;
    memcpy(p + 5, name, n);
    return 5 + n;
}

static size_t susp_sl(unsigned char *p, const char *target)
{
    size_t n = strlen(target);
    p[0] = 'S', p[1] = 'L', p[2] = (unsigned char)(7 + n), p[3] = 1, p[4] = 0;
    p[5] = 0, p[6] = (unsigned char)n;
    memcpy(p + 7, target, n);
    return 7 + n;
}

/* Appends a directory record at *at in dir; returns its length. */
static void record(unsigned char *dir, size_t *at, const char *iso_name, size_t name_len,
                   uint32_t lba, uint32_t size, unsigned flags, const unsigned char *susp,
                   size_t susp_len)
{
    unsigned char *r = dir + *at;
    size_t len = 33 + name_len + ((name_len & 1) ? 0 : 1) + susp_len;
    len += len & 1;
    memset(r, 0, len);
    r[0] = (unsigned char)len;
    put_both32(r + 2, lba);
    put_both32(r + 10, size);
    r[18] = 123, r[19] = 11, r[20] = 14, r[21] = 22, r[22] = 13, r[23] = 20; /* 2023-11-14 */
    r[25] = (unsigned char)flags;
    r[32] = (unsigned char)name_len;
    memcpy(r + 33, iso_name, name_len);
    if (susp_len > 0)
        memcpy(r + 33 + name_len + ((name_len & 1) ? 0 : 1), susp, susp_len);
    *at += len;
}

static unsigned char *make_image(void)
{
    unsigned char *image = calloc(SECTORS, 2048);
    unsigned char *pvd = image + 16 * 2048;
    pvd[0] = 1;
    memcpy(pvd + 1, "CD001", 5);
    put_both16(pvd + 128, 2048);
    put_both32(pvd + 80, SECTORS);
    unsigned char *root = pvd + 156;
    root[0] = 34;
    put_both32(root + 2, ROOT_LBA);
    put_both32(root + 10, 2048);
    root[25] = 2;
    root[32] = 1;
    unsigned char *term = image + 17 * 2048;
    term[0] = 255;
    memcpy(term + 1, "CD001", 5);

    unsigned char *dir = image + ROOT_LBA * 2048;
    size_t at = 0;
    unsigned char susp[128];
    size_t n;
    /* "." with SP (Rock Ridge present), then "..". */
    susp[0] = 'S', susp[1] = 'P', susp[2] = 7, susp[3] = 1, susp[4] = 0xBE, susp[5] = 0xEF, susp[6] = 0;
    n = 7 + susp_px(susp + 7, S_IFDIR | 0755);
    record(dir, &at, "\0", 1, ROOT_LBA, 2048, 2, susp, n);
    record(dir, &at, "\1", 1, ROOT_LBA, 2048, 2, NULL, 0);
    /* A file whose Rock Ridge name is "..". */
    n = susp_px(susp, S_IFREG | 0644);
    n += susp_nm(susp + n, "..");
    record(dir, &at, "A;1", 3, 22, 5, 0, susp, n);
    /* A file whose Rock Ridge name holds a slash. */
    n = susp_px(susp, S_IFREG | 0644);
    n += susp_nm(susp + n, "x/y");
    record(dir, &at, "B;1", 3, 22, 5, 0, susp, n);
    /* A directory whose extent is the root again. */
    n = susp_px(susp, S_IFDIR | 0755);
    n += susp_nm(susp + n, "LOOP");
    record(dir, &at, "LOOP", 4, ROOT_LBA, 2048, 2, susp, n);
    /* A file whose extent lies past the end of the image. */
    n = susp_px(susp, S_IFREG | 0644);
    n += susp_nm(susp + n, "PAST");
    record(dir, &at, "PAST;1", 6, 1000, 100, 0, susp, n);
    /* A symlink. */
    n = susp_px(susp, S_IFLNK | 0777);
    n += susp_nm(susp + n, "L");
    n += susp_sl(susp + n, "target");
    record(dir, &at, "L;1", 3, 0, 0, 0, susp, n);
    memcpy(image + 22 * 2048, "hello", 5);
    return image;
}

static bool any_problem(const ds_tree_t *tree, const char *needle)
{
    for (size_t i = 0; i < tree->problems.count; i++)
        if (strstr(tree->problems.messages[i], needle) != NULL)
            return true;
    return false;
}

static void test_hostile_tree(void **state)
{
    (void)state;
    unsigned char *image = make_image();
    ds_source_t *src = source_from_bytes(image, SECTORS * 2048);
    assert_string_equal(ds_format_choose(src, NULL)->name, "iso9660");
    ds_tree_t tree;
    ds_error_t err = {0};
    assert_int_equal(ds_tree_load(&tree, &ds_iso9660_reader, src, NULL, &err), 0);
    assert_true(tree.complete);
    const char *expected[] = {"/", "/L", "/LOOP", "/PAST", "/\\x2e\\x2e", "/x\\x2fy"};
    assert_int_equal(tree.count, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < tree.count; i++)
        assert_string_equal(tree.entries[i].path, expected[i]);
    assert_int_equal(tree.entries[1].type, DS_ENTRY_SYMLINK);
    assert_string_equal(tree.entries[1].link_target, "target");
    assert_int_equal(tree.entries[2].type, DS_ENTRY_DIR);
    assert_int_equal(tree.entries[4].mode, 0644);
    assert_int_equal(tree.entries[4].mtime, 1700000000);
    assert_true(any_problem(&tree, "cannot be a path component"));
    assert_true(any_problem(&tree, "already walked"));
    assert_true(any_problem(&tree, "runs past the end of the image"));
    assert_true(any_problem(&tree, "extent at byte 2048000"));
    ds_tree_free(&tree);
    ds_source_close(src);
    free(image);
}

static void test_not_iso(void **state)
{
    (void)state;
    unsigned char *image = calloc(SECTORS, 2048);
    ds_source_t *src = source_from_bytes(image, SECTORS * 2048);
    assert_null(ds_format_choose(src, NULL));
    ds_tree_t tree;
    ds_error_t err = {0};
    assert_int_equal(ds_tree_load(&tree, &ds_iso9660_reader, src, NULL, &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "not an ISO 9660 image"));
    ds_tree_free(&tree);
    ds_source_close(src);
    free(image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_tree),
        cmocka_unit_test(test_not_iso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
