/* AppArmor: the AARE glob matcher (table-driven), the profile parser on text with includes
 * served from memory, attachment precedence, and the real /etc/apparmor.d of the
 * apparmor-profiles package copied into a tree (skipped when the package is not installed). */
#include "test_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/apparmor_policy.h"
#include "gate/files.h"

typedef struct glob_case {
    const char *pattern, *path;
    int want;
} glob_case_t;

static void glob_table(void **state)
{
    (void)state;
    static const glob_case_t cases[] = {
        {"/usr/bin/ping", "/usr/bin/ping", 1},
        {"/usr/bin/ping", "/usr/bin/ping6", 0},
        {"/usr/bin/*", "/usr/bin/ping", 1},
        {"/usr/bin/*", "/usr/bin/", 0},          /* a whole-component '*' needs a character */
        {"/usr/bin/*", "/usr/bin/a/b", 0},
        {"/usr/**", "/usr/bin/a/b", 1},
        {"/usr/bin/p*", "/usr/bin/p", 1},
        {"/usr/bin/p?ng", "/usr/bin/pong", 1},
        {"/usr/bin/p?ng", "/usr/bin/p/ng", 0},
        {"/usr/bin/[a-c]x", "/usr/bin/bx", 1},
        {"/usr/bin/[^a-c]x", "/usr/bin/bx", 0},
        {"/usr/bin/[^a-c]x", "/usr/bin/dx", 1},
        {"/{usr/,}bin/{,iputils-}ping", "/bin/ping", 1},
        {"/{usr/,}bin/{,iputils-}ping", "/usr/bin/iputils-ping", 1},
        {"/{usr/,}bin/{,iputils-}ping", "/usr/sbin/ping", 0},
        {"/usr/{{bin,sbin}/traceroute,bin/linux-traceroute}", "/usr/sbin/traceroute", 1},
        {"/a/{b,{c,{d,e*}}}", "/a/exx", 1},
        {"/a/\\*", "/a/*", 1},
        {"/a/\\*", "/a/b", 0},
        {"/a/{b,c", "/a/b", DS_ERR_FORMAT},
        {"/a/{b}", "/a/b", DS_ERR_FORMAT},
        {"/a/[b", "/a/b", DS_ERR_FORMAT},
        {"/a/b]", "/a/b", DS_ERR_FORMAT},
        {"/a/b\\", "/a/b", DS_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_error_t err = {0};
        int got = gate_aa_glob_match(cases[i].pattern, cases[i].path, NULL, &err);
        if (got != cases[i].want)
            fail_msg("%s vs %s: %d, wanted %d", cases[i].pattern, cases[i].path, got, cases[i].want);
    }
}

static void glob_hostile_is_bounded(void **state)
{
    (void)state;
    char pattern[4200], path[4100];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(pattern + n, sizeof pattern - n, "**a");
    snprintf(pattern + n, sizeof pattern - n, "b");
    memset(path, 'a', 4000);
    path[4000] = '\0';
    ds_error_t err = {0};
    int rc = gate_aa_glob_match(pattern, path, NULL, &err);
    assert_true(rc == 0 || rc == DS_ERR_LIMIT);
    n = 0;
    for (int i = 0; i < 49; i++)
        n += (size_t)snprintf(pattern + n, sizeof pattern - n, "{a,");
    n += (size_t)snprintf(pattern + n, sizeof pattern - n, "b");
    for (int i = 0; i < 49; i++)
        n += (size_t)snprintf(pattern + n, sizeof pattern - n, "}");
    assert_int_equal(gate_aa_glob_match(pattern, "b", NULL, &err), 1);
    assert_int_equal(gate_aa_glob_match(pattern, "a", NULL, &err), 1);
}

static void glob_specificity(void **state)
{
    (void)state;
    gate_aa_match_t a, b;
    ds_error_t err = {0};
    assert_int_equal(gate_aa_glob_match("/usr/bin/*", "/usr/bin/foo", &a, &err), 1);
    assert_int_equal(gate_aa_glob_match("/usr/**", "/usr/bin/foo", &b, &err), 1);
    assert_true(a.specificity > b.specificity);
    assert_int_equal(gate_aa_glob_match("/usr/bin/foo", "/usr/bin/foo", &b, &err), 1);
    assert_true(b.literal);
    assert_true(b.specificity > a.specificity);
}

/* Includes served from a table. */
typedef struct mem_file {
    const char *path, *text;
} mem_file_t;

static const mem_file_t mem_files[] = {
    {"/etc/apparmor.d/tunables/global", "include <tunables/multiarch>\n@{HOMEDIRS}=/home/\n"},
    {"/etc/apparmor.d/tunables/multiarch", "@{multiarch}=*-linux-gnu*\n"},
    {"/etc/apparmor.d/abstractions/base", "  /etc/ld.so.cache r,\n  /{usr/,}lib{,32,64}/** r,\n"},
    {"/etc/apparmor.d/abstractions/loop", "include <abstractions/loop>\n"},
    {"/etc/apparmor.d/abstractions/d", NULL},
    {"/etc/apparmor.d/abstractions/d/one", "/one r,\n"},
    {"/etc/apparmor.d/abstractions/d/two.dpkg-old", "}}}\n"},
};

static int mem_read(void *ctx, const char *path, char **data, size_t *len, ds_error_t *err)
{
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < sizeof mem_files / sizeof mem_files[0]; i++) {
        if (strcmp(mem_files[i].path, path) != 0)
            continue;
        if (mem_files[i].text == NULL)
            return GATE_AA_IS_DIRECTORY;
        *data = strdup(mem_files[i].text);
        *len = strlen(*data);
        return 0;
    }
    return GATE_FILES_NOT_FOUND;
}

static int mem_list(void *ctx, const char *dir, gate_aa_entry_fn visit, void *arg, ds_error_t *err)
{
    (void)ctx;
    (void)err;
    size_t n = strlen(dir);
    for (size_t i = 0; i < sizeof mem_files / sizeof mem_files[0]; i++)
        if (strncmp(mem_files[i].path, dir, n) == 0 && mem_files[i].path[n] == '/')
            visit(arg, mem_files[i].path + n + 1, false);
    return 0;
}

static const gate_aa_reader_t mem_reader = {NULL, mem_read, mem_list};

static void parse(gate_aa_policy_t *p, const char *text)
{
    gate_aa_policy_init(p);
    ds_error_t err = {0};
    assert_int_equal(gate_aa_policy_parse(p, "/etc/apparmor.d/t", text, strlen(text), &mem_reader, 0, &err), 0);
}

static const gate_aa_profile_t *named(const gate_aa_policy_t *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->profiles[i].name, name) == 0)
            return &p->profiles[i];
    return NULL;
}

static void parses_profiles(void **state)
{
    (void)state;
    gate_aa_policy_t p;
    parse(&p, "abi <abi/3.0>,\n#include <tunables/global>\n"
              "@{exec} = /usr/bin/a \"/usr/bin/b c\"\n@{exec} += /opt/@{multiarch}/x\n"
              "alias /usr/ -> /mnt/usr/,\n"
              "profile one @{exec} flags=(attach_disconnected, complain) {\n"
              "  include <abstractions/base>\n  include if exists <local/one>\n"
              "  include <abstractions/d>\n"
              "  /{a,b}/** rw,  # comment with { brace\n"
              "  dbus send bus=session path=/org/{a,b}\n       member=X,\n"
              "  owner {\n    @{HOMEDIRS}/** r,\n  }\n"
              "  ^hat { }\n  profile kid { }\n}\n"
              "/usr/sbin/two {\n}\n"
              "profile \"three\" /usr/bin/three flags=(kill) {\n}\n"
              "profile four {\n}\n");
    for (size_t i = 0; i < p.problem_count; i++)
        print_message("problem: %s\n", p.problems[i].message);
    assert_int_equal(p.problem_count, 0);
    assert_int_equal(p.count, 6);
    const gate_aa_profile_t *one = named(&p, "one");
    assert_non_null(one);
    assert_string_equal(one->attachment, "{/usr/bin/a,/usr/bin/b c,/opt/*-linux-gnu*/x}");
    assert_int_equal(one->mode, GATE_AA_COMPLAIN);
    assert_int_equal(one->line, 6);
    assert_true(named(&p, "one//hat")->hat);
    assert_true(named(&p, "one//kid")->child);
    assert_string_equal(named(&p, "/usr/sbin/two")->attachment, "/usr/sbin/two");
    assert_int_equal(named(&p, "three")->mode, GATE_AA_KILL);
    assert_null(named(&p, "four")->attachment);

    gate_aa_attachment_t at;
    ds_error_t err = {0};
    assert_int_equal(gate_aa_attach(&p, "/opt/x86_64-linux-gnu/x", &at, &err), 0);
    assert_ptr_equal(at.profile, one);
    assert_int_equal(gate_aa_attach(&p, "/usr/sbin/two", &at, &err), 0);
    assert_true(at.exact);
    assert_int_equal(gate_aa_attach(&p, "/usr/bin/four", &at, &err), 0);
    assert_null(at.profile);
    gate_aa_policy_free(&p);
}

static void precedence(void **state)
{
    (void)state;
    gate_aa_policy_t p;
    parse(&p, "profile wide /usr/** {\n}\nprofile narrow /usr/bin/* {\n}\n"
              "profile a /opt/{x,y}* {\n}\nprofile b /opt/{x,z}* {\n}\n");
    assert_int_equal(p.problem_count, 0);
    gate_aa_attachment_t at;
    ds_error_t err = {0};
    assert_int_equal(gate_aa_attach(&p, "/usr/bin/ls", &at, &err), 0);
    assert_string_equal(at.profile->name, "narrow");
    assert_int_equal(gate_aa_attach(&p, "/usr/lib/x", &at, &err), 0);
    assert_string_equal(at.profile->name, "wide");
    assert_int_equal(gate_aa_attach(&p, "/opt/xq", &at, &err), 0);
    assert_true(at.conflict);
    gate_aa_policy_free(&p);
}

typedef struct bad_case {
    const char *text, *where;
} bad_case_t;

static void reports_problems(void **state)
{
    (void)state;
    static const bad_case_t cases[] = {
        {"profile x /x {\n", "/etc/apparmor.d/t:1:"},
        {"profile x /x {\n}\n}\n", "/etc/apparmor.d/t:3:"},
        {"profile x \"/x {\n}\n", "/etc/apparmor.d/t:1:"},
        {"\n@{A}=@{B}\nprofile x @{A} {\n}\n", "/etc/apparmor.d/t:3:"},
        {"include <abstractions/missing>\n", "/etc/apparmor.d/t:1:"},
        {"include <abstractions/loop>\n", "include cycle"},
        {"profile x /x flags=(complain,kill) {\n}\n", "conflicts"},
        {"profile x /x flags=(bogus) {\n}\n", "invalid profile flag"},
        {"profile x /x{a} {\n}\n", "single item"},
        {"@{A}=a\n@{A}=b\n", "declared before"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gate_aa_policy_t p;
        parse(&p, cases[i].text);
        if (p.problem_count != 1 || strstr(p.problems[0].message, cases[i].where) == NULL)
            fail_msg("case %zu: %zu problems, first '%s'", i, p.problem_count,
                     p.problem_count ? p.problems[0].message : "");
        assert_int_equal(p.count, 0); /* a bad file loads no profile */
        gate_aa_policy_free(&p);
    }
}

/* Variables doubling at every level: bounded, a problem, no hang. */
static void hostile_variables(void **state)
{
    (void)state;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "@{V0}=a b\n");
    for (int i = 1; i < 30; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "@{V%d}=@{V%d}@{V%d} @{V%d}x\n", i, i - 1,
                              i - 1, i - 1);
    snprintf(text + n, sizeof text - n, "profile x @{V29} {\n}\n");
    gate_aa_policy_t p;
    parse(&p, text);
    assert_int_equal(p.problem_count, 1);
    assert_int_equal(p.problems[0].code, DS_ERR_LIMIT);
    assert_non_null(strstr(p.problems[0].message, "/etc/apparmor.d/t:31:"));
    assert_int_equal(p.count, 0);
    gate_aa_policy_free(&p);
}

/* The real profiles of apparmor-profiles, copied into a tree laid out as an image. */
static void real_profiles(void **state)
{
    (void)state;
    if (access("/etc/apparmor.d/bin.ping", R_OK) != 0) {
        print_message("apparmor-profiles not installed: skipped\n");
        skip();
    }
    char root[] = "/tmp/test_gate_apparmor.XXXXXX";
    assert_non_null(mkdtemp(root));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/etc && cp -a /etc/apparmor.d %s/etc/ && "
             "ln -s ../usr.sbin.identd %s/etc/apparmor.d/disable/usr.sbin.identd && "
             "ln -s ../lsb_release %s/etc/apparmor.d/force-complain/lsb_release", root, root, root, root);
    assert_int_equal(system(cmd), 0);
    gate_files_t *files = NULL;
    ds_error_t err = {0};
    assert_int_equal(gate_files_open(&files, root, "tree", NULL, &err), 0);
    gate_aa_policy_t p;
    gate_aa_policy_init(&p);
    assert_int_equal(gate_aa_policy_load(&p, files, &err), 0);
    for (size_t i = 0; i < p.problem_count; i++)
        print_message("problem: %s\n", p.problems[i].message);
    assert_int_equal(p.problem_count, 0);
    assert_true(p.count >= 30);
    gate_aa_attachment_t at;
    assert_int_equal(gate_aa_attach(&p, "/usr/bin/ping", &at, &err), 0);
    assert_string_equal(at.profile->name, "ping");
    assert_int_equal(at.profile->mode, GATE_AA_COMPLAIN);
    assert_int_equal(gate_aa_attach(&p, "/usr/sbin/traceroute", &at, &err), 0);
    assert_string_equal(at.profile->name, "traceroute");
    assert_int_equal(gate_aa_attach(&p, "/usr/sbin/dnsmasq", &at, &err), 0);
    assert_string_equal(at.profile->name, "dnsmasq");
    assert_non_null(named(&p, "dnsmasq//libvirt_leaseshelper"));
    assert_int_equal(gate_aa_attach(&p, "/usr/bin/man", &at, &err), 0);
    assert_true(at.exact);
    assert_int_equal(at.profile->mode, GATE_AA_ENFORCE);
    assert_int_equal(gate_aa_attach(&p, "/usr/sbin/identd", &at, &err), 0);
    assert_null(at.profile); /* disabled */
    assert_true(named(&p, "identd")->disabled);
    const gate_aa_profile_t *lsb = named(&p, "lsb_release"); /* enforce in its file */
    assert_int_equal(lsb->mode, GATE_AA_COMPLAIN);
    assert_true(lsb->forced_complain);
    assert_null(lsb->attachment); /* "profile lsb_release {": attaches to nothing */
    assert_int_equal(gate_aa_attach(&p, "/usr/bin/true", &at, &err), 0);
    assert_null(at.profile);
    gate_aa_policy_free(&p);
    gate_files_close(files);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    assert_int_equal(system(cmd), 0);
}

/* The 117 upstream profiles of apparmor-profiles' extra-profiles beside the real abstractions:
 * every one parses (apparmor_parser -N lists the same 121 names). */
static void extra_profiles(void **state)
{
    (void)state;
    if (access("/usr/share/apparmor/extra-profiles/README", R_OK) != 0 ||
        access("/etc/apparmor.d/abstractions/base", R_OK) != 0) {
        print_message("apparmor-profiles not installed: skipped\n");
        skip();
    }
    char root[] = "/tmp/test_gate_apparmor_extra.XXXXXX";
    assert_non_null(mkdtemp(root));
    char cmd[768];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/etc/apparmor.d && cd /etc/apparmor.d && "
             "cp -a abstractions tunables abi local %s/etc/apparmor.d/ && "
             "cp -a /usr/share/apparmor/extra-profiles/. %s/etc/apparmor.d/", root, root, root);
    assert_int_equal(system(cmd), 0);
    gate_files_t *files = NULL;
    ds_error_t err = {0};
    assert_int_equal(gate_files_open(&files, root, "tree", NULL, &err), 0);
    gate_aa_policy_t p;
    gate_aa_policy_init(&p);
    assert_int_equal(gate_aa_policy_load(&p, files, &err), 0);
    for (size_t i = 0; i < p.problem_count; i++)
        print_message("problem: %s\n", p.problems[i].message);
    assert_int_equal(p.problem_count, 0);
    assert_true(p.count >= 100);
    gate_aa_policy_free(&p);
    gate_files_close(files);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glob_table),
        cmocka_unit_test(glob_hostile_is_bounded),
        cmocka_unit_test(glob_specificity),
        cmocka_unit_test(parses_profiles),
        cmocka_unit_test(precedence),
        cmocka_unit_test(reports_problems),
        cmocka_unit_test(hostile_variables),
        cmocka_unit_test(real_profiles),
        cmocka_unit_test(extra_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
