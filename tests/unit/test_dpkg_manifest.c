/* The dpkg manifest reader (decode/dpkg_manifest.c), table-driven: status files, live-build's
 * filesystem.packages and .list files, each case the text, the result code, what was kept (as
 * "name=version ..." in name order, or the paths) and a piece of the message on error. */
#include "test_helpers.h"

#include "decode/dpkg_manifest.h"

typedef enum { STATUS, PACKAGES, LIST } which_t;

typedef struct manifest_case {
    const char *what;
    which_t which;
    const char *text;
    int rc;
    const char *kept;    /* the packages or paths read, space-separated */
    const char *message; /* a piece of the error message, or NULL */
} manifest_case_t;

#define N16 "nnnnnnnnnnnnnnnn"
#define N256 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16 N16
#define N257 N256 "n"

static const manifest_case_t cases[] = {
    {"two stanzas, continuation lines skipped", STATUS,
     "Package: silver-doc\nStatus: install ok installed\nVersion: 1.1\nDescription: docs\n more\n .\n\n"
     "Package: base-files\nVersion: 12.4\nStatus: install ok installed\n",
     DS_OK, "base-files=12.4 silver-doc=1.1", NULL},
    {"config-files and not-installed skipped", STATUS,
     "Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: b\nStatus: purge ok not-installed\n\n"
     "Package: c\nStatus: install ok unpacked\nVersion: 3\n",
     DS_OK, "c=3", NULL},
    {"blank lines of spaces, CRLF, case of the field names", STATUS,
     "package: x\r\nversion:  2.0-1 \r\n \t\nPACKAGE: y\nVERSION: 1:0.1~rc1\n", DS_OK, "x=2.0-1 y=1:0.1~rc1", NULL},
    {"a stanza without a version is skipped", STATUS, "Package: nov\nStatus: install ok installed\n\n", DS_OK, "",
     NULL},
    {"same name twice: the smaller version", STATUS, "Package: libc6\nVersion: 2.36-9\n\nPackage: libc6\nVersion: 2.36-8\n",
     DS_OK, "libc6=2.36-8", NULL},
    {"a line that is not a field", STATUS, "Package: a\nVersion: 1\ngarbage\n", DS_ERR_FORMAT, "",
     "the line at byte 22 is not \"Field: value\""},
    {"a name of 257 bytes", STATUS, "Package: " N257 "\nVersion: 1\n", DS_ERR_FORMAT, "",
     "the field at byte 0 is longer than 256 bytes"},
    {"a name of 256 bytes", STATUS, "Package: " N256 "\nVersion: 1\n", DS_OK, N256 "=1", NULL},
    {"filesystem.packages: tabs, spaces, architecture qualifiers", PACKAGES,
     "base-files\t12.4+deb12u5\nlibc6:amd64\t2.36-9\n\n  silver-doc   1.0  \n", DS_OK,
     "base-files=12.4+deb12u5 libc6=2.36-9 silver-doc=1.0", NULL},
    {"filesystem.packages: no version, no newline at the end", PACKAGES, "ghost\t\nlast 7", DS_OK, "last=7", NULL},
    {"filesystem.packages: an empty name", PACKAGES, "x 1\n:amd64 2\n", DS_ERR_FORMAT, "x=1",
     "the package at byte 4 has a name of 0 bytes"},
    {".list: paths, /. skipped", LIST, "/.\n/usr\n/usr/share/doc/silver-doc/copyright\n", DS_OK,
     "/usr /usr/share/doc/silver-doc/copyright", NULL},
    {".list: a relative path", LIST, "/usr\nusr/bin\n", DS_ERR_FORMAT, "/usr", "the line at byte 5 is not an absolute path"},
    {"empty file", STATUS, "", DS_OK, "", NULL},
};

static void kept_text(const ds_dpkg_manifest_t *m, const ds_dpkg_paths_t *p, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; m != NULL && i < m->count; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s=%s", i ? " " : "", m->items[i].name,
                 m->items[i].version);
    for (size_t i = 0; p != NULL && i < p->count; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", p->items[i]);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const manifest_case_t *c = &cases[i];
        ds_source_t *src = source_from_bytes(c->text, strlen(c->text));
        ds_dpkg_manifest_t m = {0};
        ds_dpkg_paths_t p = {0};
        ds_error_t err = {0};
        int rc = c->which == STATUS     ? ds_dpkg_read_status(src, "dpkg status", &m, &err)
                 : c->which == PACKAGES ? ds_dpkg_read_packages(src, "filesystem.packages", &m, &err)
                                        : ds_dpkg_read_list(src, "list", &p, &err);
        char kept[1024];
        kept_text(&m, &p, kept, sizeof kept);
        print_message("case: %s -> %d [%s] %s\n", c->what, rc, kept, err.message);
        assert_int_equal(rc, c->rc);
        assert_string_equal(kept, c->kept);
        if (c->message != NULL) {
            assert_non_null(strstr(err.message, c->message));
            assert_non_null(strstr(err.message, "T (test)"));
        }
        ds_dpkg_manifest_free(&m);
        ds_dpkg_paths_free(&p);
        ds_source_close(src);
    }
}

/* A line past the limit is refused with its offset; one byte shorter is read. */
static void test_line_limit(void **state)
{
    (void)state;
    for (size_t extra = 0; extra < 2; extra++) {
        size_t len = 100 + DS_DPKG_LINE_MAX + extra;
        char *text = malloc(len + 1);
        assert_non_null(text);
        memcpy(text, "Package: a\nVersion: 1\nDescription: x\n", 37);
        memset(text + 37, 'd', len - 37);
        text[37] = ' ';
        text[37 + DS_DPKG_LINE_MAX - 1 + 2 * extra] = '\n';
        ds_source_t *src = source_from_bytes(text, len);
        ds_dpkg_manifest_t m = {0};
        ds_error_t err = {0};
        int rc = ds_dpkg_read_status(src, "dpkg status", &m, &err);
        if (extra == 0) {
            assert_int_equal(rc, DS_ERR_FORMAT); /* the tail after the long line is not a field */
            assert_non_null(strstr(err.message, "is not \"Field: value\""));
        } else {
            assert_int_equal(rc, DS_ERR_LIMIT);
            assert_non_null(strstr(err.message, "the line at byte 37 is longer than 8192 bytes"));
        }
        ds_dpkg_manifest_free(&m);
        ds_source_close(src);
        free(text);
    }
}

static void test_lookup(void **state)
{
    (void)state;
    const char *text = "zlib1g:amd64 1:1.2.13\nbase-files 12.4\n";
    ds_source_t *src = source_from_bytes(text, strlen(text));
    ds_dpkg_manifest_t m = {0};
    assert_int_equal(ds_dpkg_read_packages(src, "filesystem.packages", &m, NULL), DS_OK);
    assert_string_equal(ds_dpkg_version(&m, "zlib1g"), "1:1.2.13");
    assert_string_equal(ds_dpkg_version(&m, "zlib1g:i386"), "1:1.2.13");
    assert_string_equal(ds_dpkg_version(&m, "base-files"), "12.4");
    assert_null(ds_dpkg_version(&m, "base"));
    ds_dpkg_manifest_free(&m);
    ds_source_close(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
