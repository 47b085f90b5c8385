/* gate_kspp_run on an image: a directory tree made here in /tmp (a plain tree: no boot medium,
 * so the boot loader files and /etc/default/grub are looked for in the root filesystem), read
 * through src/gate/files.c. */
#include "test_helpers.h"

#include <sys/stat.h>

#include "gate/kspp.h"

static char root[64];

static void put(const char *path, const char *text)
{
    char full[512], dir[512];
    snprintf(full, sizeof full, "%s%s", root, path);
    for (char *slash = strchr(full + strlen(root) + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - full), full);
        mkdir(dir, 0755);
    }
    if (text[0] == '@') { /* "@target": a symbolic link */
        assert_int_equal(symlink(text + 1, full), 0);
        return;
    }
    FILE *f = fopen(full, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char rules_text[] =
    "A | kconfig CONFIG_A=y |  | s | r\n"
    "B | cmdline init_on_alloc=1 |  | s | r\n"
    "C | sysctl kernel.kptr_restrict>=1 |  | s | r\n"
    "D | sysctl kernel.masked=1 |  | s | r\n"
    "E | sysctl kernel.yama.ptrace_scope=2 |  | s | r\n";

static void make_tree(const char *second_config)
{
    snprintf(root, sizeof root, "/tmp/ds-kspp-run-XXXXXX");
    assert_non_null(mkdtemp(root));
    put("/boot/config-6.1.0-27-amd64", "CONFIG_X86_64=y\nCONFIG_A=m\n");
    put("/boot/config-6.1.0-28-amd64", second_config);
    put("/boot/vmlinuz-6.1.0-28-amd64", "kernel");
    put("/boot/grub/grub.cfg", "source /boot/grub/install.cfg\nsource ${prefix}/x.cfg\n"
                               "menuentry 'Debian' {\n\tlinux /vmlinuz init_on_alloc=1 quiet\n}\n");
    put("/boot/grub/install.cfg", "menuentry 'Install' {\n\tlinux /install/vmlinuz init_on_alloc=1\n}\n");
    put("/isolinux/isolinux.cfg", "include live.cfg\n");
    put("/isolinux/live.cfg", "label live\n menu label ^Live\n linux /live/vmlinuz\n append boot=live\n");
    put("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"init_on_alloc=1\"\n");
    put("/usr/lib/sysctl.d/50-default.conf", "kernel.kptr_restrict = 1\n");
    put("/usr/lib/sysctl.d/10-masked.conf", "kernel.masked = 1\n");
    put("/etc/sysctl.d/10-masked.conf", "@/dev/null");
    put("/etc/sysctl.d/99-sysctl.conf", "@../sysctl.conf");
    put("/etc/sysctl.conf", "kernel.yama.ptrace_scope = 2\n");
}

static void remove_tree(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    assert_int_equal(system(command), 0);
}

static char *verdicts(const gate_kspp_kernel_t *kernel)
{
    static char text[256];
    size_t o = 0;
    text[0] = '\0';
    for (size_t i = 0; i < kernel->count && o < sizeof text - 16; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", i ? " " : "",
                              gate_kspp_verdict_name(kernel->results[i].verdict));
    return text;
}

/* Runs the gate on a fresh tree; the results borrow rules, which the caller frees after. */
static void run(const char *second_config, const gate_kspp_rules_t *rules, gate_kspp_report_t *report,
                int expect_rc, ds_error_t *err)
{
    gate_files_t *files = NULL;
    make_tree(second_config);
    assert_int_equal(gate_files_open(&files, root, "tree", NULL, err), DS_OK);
    assert_int_equal(gate_kspp_run(files, rules, NULL, report, err), expect_rc);
    gate_files_close(files);
    for (size_t k = 0; k < report->kernel_count; k++)
        print_message("%s: %s\n", report->kernels[k].config_file ? report->kernels[k].config_file : "(none)",
                      verdicts(&report->kernels[k]));
    remove_tree();
}

static void rules_load(gate_kspp_rules_t *rules)
{
    assert_int_equal(gate_kspp_rules_parse(rules, "rules", rules_text, strlen(rules_text), NULL), DS_OK);
}

static void test_run_tree(void **state)
{
    (void)state;
    gate_kspp_report_t report = {0};
    gate_kspp_rules_t rules = {0};
    ds_error_t err = {0};
    rules_load(&rules);
    run("CONFIG_X86_64=y\nCONFIG_A=y\n", &rules, &report, DS_OK, &err);
    assert_int_equal(report.kernel_count, 2);
    assert_string_equal(report.kernels[0].config_file, "/boot/config-6.1.0-27-amd64");
    assert_string_equal(verdicts(&report.kernels[0]), "FAIL FAIL OK FAIL OK");
    assert_string_equal(verdicts(&report.kernels[1]), "OK FAIL OK FAIL OK");
    /* grub.cfg, the install.cfg it sources, /etc/default/grub and both isolinux files; the live
     * label lacks init_on_alloc */
    assert_int_equal(report.cmdlines.count, 4);
    assert_string_equal(report.cmdlines.entries[1].title, "Install");
    assert_non_null(strstr(report.kernels[0].results[1].found, "/isolinux/live.cfg:4 \"Live\""));
    assert_non_null(strstr(report.kernels[0].results[4].found, "/etc/sysctl.d/99-sysctl.conf:1"));
    assert_non_null(strstr(report.kernels[0].results[3].found, "not set by any sysctl file"));
    gate_kspp_report_free(&report);
    gate_kspp_rules_free(&rules);
}

static void test_run_partial(void **state)
{
    (void)state;
    gate_kspp_report_t report = {0};
    gate_kspp_rules_t rules = {0};
    ds_error_t err = {0};
    rules_load(&rules);
    run("CONFIG_X86_64=y\nbroken line\n", &rules, &report, DS_ERR_FORMAT, &err);
    assert_non_null(strstr(err.message, "/boot/config-6.1.0-28-amd64:2:"));
    assert_int_equal(report.kernel_count, 1); /* the good kernel is still judged */
    assert_string_equal(verdicts(&report.kernels[0]), "FAIL FAIL OK FAIL OK");
    gate_kspp_report_free(&report);
    gate_kspp_rules_free(&rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_tree),
        cmocka_unit_test(test_run_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
