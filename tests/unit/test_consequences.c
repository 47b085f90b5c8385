/* The consequence table (explain/consequences.c) on hand-made findings: what follows, what
 * stays a root, and that a root in another layer is never named. */
#include "test_helpers.h"

#include <stdbool.h>

#include "explain/consequences.h"

static ds_difference_t *add(ds_findings_t *f, ds_kind_t kind, const char *a, const char *b, size_t depth, ...)
{
    const char *loc[DS_LOCATION_MAX];
    va_list ap;
    va_start(ap, depth);
    for (size_t i = 0; i < depth; i++)
        loc[i] = va_arg(ap, const char *);
    va_end(ap);
    ds_difference_t *d = ds_findings_add(f, "test", kind, loc, depth, a, b, NULL);
    assert_non_null(d);
    return d;
}

static void assert_follows(const ds_difference_t *d, size_t depth, const char *first, const char *second)
{
    assert_true(d->secondary);
    assert_int_equal(d->follows_depth, depth);
    assert_string_equal(d->follows[0], first);
    if (depth > 1)
        assert_string_equal(d->follows[1], second);
}

static void test_squashfs_settings(void **state)
{
    (void)state;
    ds_findings_t f = {0};
    add(&f, DS_KIND_HEADER, "131072", "65536", 2, "/live/fs.squashfs", "@squashfs.block_size");
    add(&f, DS_KIND_HEADER, "17", "16", 2, "/live/fs.squashfs", "@squashfs.block_log");
    add(&f, DS_KIND_CONTENT, NULL, NULL, 2, "/live/fs.squashfs", "@squashfs.data");
    add(&f, DS_KIND_HEADER, "1", "2", 2, "/live/fs.squashfs", "@squashfs.bytes_used");
    add(&f, DS_KIND_CONTENT, "1", "2", 1, "/live/fs.squashfs");
    /* another squashfs's table start: not this one's consequence */
    add(&f, DS_KIND_HEADER, "1", "2", 2, "/other.squashfs", "@squashfs.bytes_used");
    ds_consequences_apply(&f);
    assert_false(f.items[0].secondary);
    for (size_t i = 1; i < 4; i++)
        assert_follows(&f.items[i], 2, "/live/fs.squashfs", "@squashfs.block_size");
    assert_follows(&f.items[4], 2, "/live/fs.squashfs", "@squashfs.block_size");
    assert_int_equal(f.items[5].follows_depth, 0);
    ds_findings_free(&f);
}

static void test_flags(void **state)
{
    (void)state;
    ds_findings_t f = {0};
    add(&f, DS_KIND_HEADER, "none", "01 00", 1, "@squashfs.compressor_options");
    add(&f, DS_KIND_HEADER, "0x00c0 (x)", "0x04c0 (x)", 1, "@squashfs.flags");
    ds_consequences_apply(&f);
    assert_follows(&f.items[1], 1, "@squashfs.compressor_options", NULL);
    ds_findings_free(&f);
    /* another bit as well: the flags are a root */
    add(&f, DS_KIND_HEADER, "none", "01 00", 1, "@squashfs.compressor_options");
    add(&f, DS_KIND_HEADER, "0x00c0 (x)", "0x04c2 (x)", 1, "@squashfs.flags");
    ds_consequences_apply(&f);
    assert_false(f.items[1].secondary);
    assert_int_equal(f.items[1].follows_depth, 0);
    ds_findings_free(&f);
}

static void test_directories(void **state)
{
    (void)state;
    ds_findings_t f = {0};
    add(&f, DS_KIND_MTIME, "t1", "t2", 1, "/etc");
    add(&f, DS_KIND_ADDED, NULL, NULL, 1, "/etc/new.conf");
    add(&f, DS_KIND_MTIME, "t1", "t2", 1, "/usr");        /* only a grandchild added */
    add(&f, DS_KIND_ADDED, NULL, NULL, 1, "/usr/lib/x/y");
    add(&f, DS_KIND_MTIME, "t1", "t2", 1, "/");
    add(&f, DS_KIND_REMOVED, NULL, NULL, 1, "/old");
    add(&f, DS_KIND_MTIME, "t1", "t2", 2, "/a.tar", "/d");  /* inside: its own entries only */
    add(&f, DS_KIND_MTIME, "t1", "t2", 2, "/b.tar", "/etc"); /* /etc/new.conf is not in b.tar */
    add(&f, DS_KIND_ADDED, NULL, NULL, 2, "/a.tar", "/d/n");
    add(&f, DS_KIND_MTIME, "t1", "t2", 1, "/srv");        /* nothing added: a root */
    ds_consequences_apply(&f);
    assert_follows(&f.items[0], 1, "/etc/new.conf", NULL);
    assert_false(f.items[2].secondary);
    assert_follows(&f.items[4], 1, "/old", NULL);
    assert_follows(&f.items[6], 2, "/a.tar", "/d/n");
    assert_false(f.items[7].secondary);
    assert_false(f.items[9].secondary);
    for (size_t i = 0; i < f.count; i++)
        if (f.items[i].kind == DS_KIND_ADDED || f.items[i].kind == DS_KIND_REMOVED)
            assert_false(f.items[i].secondary);
    ds_findings_free(&f);
}

static void test_alone(void **state)
{
    (void)state;
    ds_findings_t f = {0};
    add(&f, DS_KIND_ADDED, NULL, NULL, 1, "/etc/new.conf");
    add(&f, DS_KIND_HEADER, "633", "634", 1, "@iso.pvd.volume_space_size");
    add(&f, DS_KIND_HEADER, "LBA 40", "LBA 41", 2, "/etc/x", "@iso.extent");
    ds_consequences_apply(&f);
    assert_follows(&f.items[1], 1, "/etc/new.conf", NULL);
    assert_follows(&f.items[2], 1, "/etc/new.conf", NULL);
    ds_findings_free(&f);
    /* a file grown as well: the volume size names no entry */
    add(&f, DS_KIND_ADDED, NULL, NULL, 1, "/etc/new.conf");
    add(&f, DS_KIND_HEADER, "633", "634", 1, "@iso.pvd.volume_space_size");
    add(&f, DS_KIND_CONTENT, "1", "2", 1, "/etc/grown");
    ds_consequences_apply(&f);
    assert_int_equal(f.items[1].follows_depth, 0);
    ds_findings_free(&f);
}

static void test_path_table(void **state)
{
    (void)state;
    ds_findings_t f = {0};
    const char *file[] = {"/a/file"}, *dir[] = {"/a/sub"}, *table[] = {"@iso.pvd.path_table_size"};
    assert_non_null(ds_findings_add(&f, "toc", DS_KIND_ADDED, file, 1, NULL, NULL, "file present only in B"));
    assert_non_null(ds_findings_add(&f, "toc", DS_KIND_ADDED, dir, 1, NULL, NULL, "dir present only in B"));
    assert_non_null(ds_findings_add(&f, "toc", DS_KIND_HEADER, table, 1, "20", "32", NULL));
    ds_consequences_apply(&f);
    assert_follows(&f.items[2], 1, "/a/sub", NULL); /* the directory, not the first entry */
    ds_findings_free(&f);
}

static void test_empty_and_odd(void **state)
{
    (void)state;
    ds_findings_t f = {0};
    ds_consequences_apply(&f);
    add(&f, DS_KIND_HEADER, "2", "4", 1, "@gzip.xfl"); /* no container around it */
    add(&f, DS_KIND_MTIME, "t1", "t2", 1, "");
    add(&f, DS_KIND_ADDED, NULL, NULL, 1, "");
    ds_consequences_apply(&f);
    assert_int_equal(f.items[0].follows_depth, 0);
    ds_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_squashfs_settings),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_directories),
        cmocka_unit_test(test_alone),
        cmocka_unit_test(test_path_table),
        cmocka_unit_test(test_empty_and_odd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
