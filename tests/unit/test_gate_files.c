/* The gates' view of an image's files, on a directory tree laid out here: symlinks resolved
 * inside the tree (absolute targets from the tree's root, ".." stopping at it, loops refused),
 * listing and walking in bytewise order, bounded reads. */
#include "test_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gate/files.h"

static char root[256];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void dir(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/test_gate_files.XXXXXX");
    assert_non_null(mkdtemp(root));
    dir("usr");
    dir("usr/bin");
    dir("usr/lib");
    dir("etc");
    put("usr/bin/tool", "ELF-ish");
    put("usr/lib/libx.so.1.2", "library");
    link_to("libx.so.1.2", "usr/lib/libx.so.1");
    link_to("usr/bin", "bin");                /* merged /usr */
    link_to("/etc/passwd", "usr/lib/passwd"); /* absolute: the tree's /etc, not the host's */
    link_to("../../../../../etc/hostname", "usr/lib/up");
    put("etc/hostname", "inside\n");
    link_to("loop2", "etc/loop1");
    link_to("loop1", "etc/loop2");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd);
}

static gate_files_t *open_tree(void)
{
    gate_files_t *f = NULL;
    ds_error_t err = {0};
    assert_int_equal(gate_files_open(&f, root, "tree", NULL, &err), DS_OK);
    assert_false(gate_files_has_boot(f));
    return f;
}

static void resolves_inside(void **state)
{
    (void)state;
    gate_files_t *f = open_tree();
    char got[GATE_FILES_MAX_PATH];
    ds_error_t err = {0};
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/bin/tool", got, sizeof got, &err), DS_OK);
    assert_string_equal(got, "/usr/bin/tool");
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/usr/lib/libx.so.1", got, sizeof got, &err), DS_OK);
    assert_string_equal(got, "/usr/lib/libx.so.1.2");
    /* The host has an /etc/passwd; the tree does not: absent, never the host's. */
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/usr/lib/passwd", got, sizeof got, &err),
                     GATE_FILES_NOT_FOUND);
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/usr/lib/up", got, sizeof got, &err), DS_OK);
    assert_string_equal(got, "/etc/hostname");
    /* /bin is /usr/bin, so its .. is /usr (as the kernel walks it), not the root. */
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/bin/../lib/./libx.so.1", got, sizeof got, &err),
                     DS_OK);
    assert_string_equal(got, "/usr/lib/libx.so.1.2");
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/bin/../etc/hostname", got, sizeof got, &err),
                     GATE_FILES_NOT_FOUND);
    gate_files_close(f);
}

static void refuses_loops(void **state)
{
    (void)state;
    gate_files_t *f = open_tree();
    char got[GATE_FILES_MAX_PATH];
    ds_error_t err = {0};
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/etc/loop1", got, sizeof got, &err), DS_ERR_LIMIT);
    assert_non_null(strstr(err.message, "/etc/loop1"));
    assert_int_equal(gate_files_resolve(f, GATE_SPACE_ROOT, "/usr/bin/tool/x", got, sizeof got, &err),
                     GATE_FILES_NOT_FOUND);
    gate_files_close(f);
}

typedef struct seen {
    char names[16][128];
    int count;
} seen_t;

static int remember(void *arg, const char *path, const gate_stat_t *st)
{
    seen_t *s = arg;
    if (s->count < 16)
        snprintf(s->names[s->count++], 128, "%s%s", path, st->type == GATE_FILE_SYMLINK ? "@" : "");
    return 0;
}

static void lists_and_walks(void **state)
{
    (void)state;
    gate_files_t *f = open_tree();
    ds_error_t err = {0};
    seen_t s = {0};
    assert_int_equal(gate_files_list(f, GATE_SPACE_ROOT, "/bin", remember, &s, &err), DS_OK);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.names[0], "/usr/bin/tool");
    memset(&s, 0, sizeof s);
    assert_int_equal(gate_files_walk(f, GATE_SPACE_ROOT, "/usr", remember, &s, &err), DS_OK);
    assert_int_equal(s.count, 7);
    assert_string_equal(s.names[0], "/usr/bin");
    assert_string_equal(s.names[3], "/usr/lib/libx.so.1@");
    assert_int_equal(gate_files_list(f, GATE_SPACE_BOOT, "/", remember, &s, &err), GATE_FILES_NOT_FOUND);
    gate_files_close(f);
}

static void reads_bounded(void **state)
{
    (void)state;
    gate_files_t *f = open_tree();
    ds_error_t err = {0};
    char *data;
    size_t len;
    assert_int_equal(gate_files_read(f, GATE_SPACE_ROOT, "/usr/lib/up", 100, &data, &len, &err), DS_OK);
    assert_string_equal(data, "inside\n");
    free(data);
    assert_int_equal(gate_files_read(f, GATE_SPACE_ROOT, "/etc/hostname", 3, &data, &len, &err), DS_ERR_LIMIT);
    assert_null(data);
    assert_int_equal(gate_files_read(f, GATE_SPACE_ROOT, "/usr/bin", 100, &data, &len, &err), DS_ERR_USAGE);
    gate_files_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resolves_inside),
        cmocka_unit_test(refuses_loops),
        cmocka_unit_test(lists_and_walks),
        cmocka_unit_test(reads_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
