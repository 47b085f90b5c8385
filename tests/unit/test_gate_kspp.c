/* The kspp gate's parsers and evaluator (src/gate/kconfig.c, cmdline.c, sysctl.c,
 * kspp_rules.c, kspp.c), table-driven: each case is a text, the result code, what was read
 * (serialised) and a piece of the message on error. Boot loader samples are written like
 * Debian live-build's templates (/usr/share/live/build/bootloaders/) once substituted. */
#include "test_helpers.h"

#include "gate/cmdline.h"
#include "gate/kconfig.h"
#include "gate/kspp.h"
#include "gate/kspp_rules.h"
#include "gate/sysctl.h"
#include "util/strbuf.h"

/* ---- kconfig ---- */

typedef struct kconfig_case {
    const char *what, *text;
    int rc;
    const char *name;     /* looked up after a successful parse */
    const char *expect;   /* "value@line", "unset@line", "absent", or the message piece */
} kconfig_case_t;

static const kconfig_case_t kconfig_cases[] = {
    {"y", "#\n# Automatically generated\nCONFIG_A=y\n", DS_OK, "CONFIG_A", "y@3"},
    {"module, CRLF", "CONFIG_A=m\r\n", DS_OK, "CONFIG_A", "m@1"},
    {"hex", "CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000\n", DS_OK, "CONFIG_ILLEGAL_POINTER_VALUE",
     "0xdead000000000000@1"},
    {"string unquoted, escapes", "CONFIG_LSM=\"landlock,\\\"x\\\\\"\n", DS_OK, "CONFIG_LSM", "landlock,\"x\\@1"},
    {"is not set", "# CONFIG_DEVMEM is not set\n", DS_OK, "CONFIG_DEVMEM", "unset@1"},
    {"absent", "CONFIG_A=y\n", DS_OK, "CONFIG_B", "absent"},
    {"last wins", "CONFIG_A=y\nCONFIG_B=1\n# CONFIG_A is not set\nCONFIG_A=m\n", DS_OK, "CONFIG_A", "m@4"},
    {"last wins, unset", "CONFIG_A=y\n# CONFIG_A is not set\n", DS_OK, "CONFIG_A", "unset@2"},
    {"other comment", "# CONFIG_A is something\n", DS_OK, "CONFIG_A", "absent"},
    {"no =", "CONFIG_A=y\nCONFIG_B y\n", DS_ERR_FORMAT, NULL, "cfg:2: not \"CONFIG_NAME=value\" (no '=')"},
    {"bad name", "\nFOO=y\n", DS_ERR_FORMAT, NULL, "cfg:2: \"FOO\" is not a CONFIG_ symbol name"},
    {"bad name chars", "CONFIG_A-B=y\n", DS_ERR_FORMAT, NULL, "cfg:1: \"CONFIG_A-B\" is not"},
    {"unterminated string", "CONFIG_S=\"abc\n", DS_ERR_FORMAT, NULL, "cfg:1: unterminated string value of CONFIG_S"},
    {"text after string", "CONFIG_S=\"abc\"x\n", DS_ERR_FORMAT, NULL, "cfg:1: unterminated string"},
};

static void test_kconfig(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kconfig_cases / sizeof *kconfig_cases; i++) {
        const kconfig_case_t *c = &kconfig_cases[i];
        gate_kconfig_t k;
        ds_error_t err = {0};
        print_message("kconfig: %s\n", c->what);
        int rc = gate_kconfig_parse(&k, "cfg", c->text, strlen(c->text), &err);
        assert_int_equal(rc, c->rc);
        if (rc != DS_OK) {
            assert_non_null(strstr(err.message, c->expect));
            continue;
        }
        const gate_kconfig_entry_t *e = gate_kconfig_find(&k, c->name);
        char got[128] = "absent";
        if (e != NULL)
            snprintf(got, sizeof got, "%s@%u", e->value != NULL ? e->value : "unset", e->line);
        assert_string_equal(got, c->expect);
        gate_kconfig_free(&k);
    }
}

static void test_kconfig_limits(void **state)
{
    (void)state;
    size_t n = 5000;
    char *text = malloc(n + 16);
    memcpy(text, "CONFIG_A=", 9);
    memset(text + 9, 'x', n);
    text[9 + n] = '\0';
    gate_kconfig_t k;
    ds_error_t err = {0};
    assert_int_equal(gate_kconfig_parse(&k, "big", text, strlen(text), &err), DS_ERR_LIMIT);
    assert_non_null(strstr(err.message, "big:1: line longer than"));
    free(text);
}

/* ---- cmdline ---- */

/* "title|kernel|p p=v ...@file:line" per entry, "\n"-separated, then "include:NAME" lines. */
static char *serialise(const gate_cmdline_set_t *set)
{
    ds_strbuf_t sb = {0};
    for (size_t i = 0; i < set->count; i++) {
        const gate_cmdline_entry_t *e = &set->entries[i];
        ds_strbuf_printf(&sb, "%s%s|%s|", i ? "\n" : "", e->title, e->kernel);
        for (size_t p = 0; p < e->count; p++)
            ds_strbuf_printf(&sb, "%s%s%s%s", p ? " " : "", e->params[p].name, e->params[p].value ? "=" : "",
                             e->params[p].value ? e->params[p].value : "");
        ds_strbuf_printf(&sb, "@%s:%u", e->file, e->line);
    }
    for (size_t i = 0; i < set->include_count; i++)
        ds_strbuf_printf(&sb, "\ninclude:%s", set->includes[i]);
    char *text = ds_strbuf_take(&sb);
    return text != NULL ? text : strdup("");
}

typedef enum { GRUB, SYSLINUX, DEFAULT_GRUB, PARAMS } boot_kind_t;

typedef struct boot_case {
    const char *what;
    boot_kind_t kind;
    const char *text;
    int rc;
    const char *expect; /* serialised set, or the message piece */
} boot_case_t;

static const boot_case_t boot_cases[] = {
    {"live-build grub.cfg", GRUB,
     "source /boot/grub/config.cfg\n\n# Live boot\nmenuentry \"Live system (amd64)\" --hotkey=l {\n"
     "\tlinux\t/live/vmlinuz-6.1.0-27-amd64 boot=live components quiet splash findiso=${iso_path}\n"
     "\tinitrd\t/live/initrd.img-6.1.0-27-amd64\n}\n"
     "submenu 'Text installer ...' --hotkey=t {\n\tmenuentry 'Install' --hotkey=i {\n"
     "\t\tlinux\t/install/vmlinuz vga=788 --- quiet\n\t}\n}\nlinux /x outside\n",
     DS_OK,
     "Live system (amd64)|/live/vmlinuz-6.1.0-27-amd64|boot=live components quiet splash findiso=${iso_path}"
     "@grub.cfg:5\nInstall|/install/vmlinuz|vga=788 --- quiet@grub.cfg:10\n|/x|outside@grub.cfg:13\ninclude:/boot/grub/config.cfg"},
    {"grub quotes, continuation, last wins kept in order", GRUB,
     "menuentry 'a \"b\"' {\n linuxefi /vmlinuz 'x=1 2' \"y=\\\"q\\\"\" \\\n   z init_on_alloc=0 init_on_alloc=1 # c\n}\n",
     DS_OK, "a \"b\"|/vmlinuz|x=1 2 y=\"q\" z init_on_alloc=0 init_on_alloc=1@grub.cfg:2"},
    {"grub quote across lines", GRUB, "menuentry 'two\nlines' {\nlinux /k a\n}\n", DS_OK, "two\nlines|/k|a@grub.cfg:3"},
    {"grub unterminated quote", GRUB, "menuentry 'x' {\n linux /k 'oops\n", DS_ERR_FORMAT,
     "grub.cfg:2: unterminated quote"},
    {"grub unknown directives ignored", GRUB, "set timeout=5\ninsmod all_video\n", DS_OK, ""},
    {"live-build isolinux live.cfg", SYSLINUX,
     "label live-amd64\n\tmenu label ^Live system (amd64)\n\tmenu default\n\tlinux /live/vmlinuz\n"
     "\tinitrd /live/initrd.img\n\tappend boot=live components quiet splash\n\n"
     "label live-amd64-failsafe\n\tmenu label Live system (amd64 fail-safe mode)\n\tlinux /live/vmlinuz\n"
     "\tinitrd /live/initrd.img\n\tAPPEND boot=live components memtest noapic noapm nodma nomce nosmp "
     "nosplash vga=788\n",
     DS_OK,
     "Live system (amd64)|/live/vmlinuz|boot=live components quiet splash@live.cfg:6\n"
     "Live system (amd64 fail-safe mode)|/live/vmlinuz|boot=live components memtest noapic noapm nodma nomce "
     "nosmp nosplash vga=788@live.cfg:12"},
    {"isolinux.cfg includes, keywords in any case", SYSLINUX,
     "include menu.cfg\nDEFAULT vesamenu.c32\nMENU INCLUDE stdmenu.cfg tag\nmenu begin install\n", DS_OK,
     "\ninclude:menu.cfg\ninclude:stdmenu.cfg"},
    {"global append, KERNEL, label without kernel dropped", SYSLINUX,
     "APPEND quiet initrd=/i.img\nLABEL a\nKERNEL /vmlinuz\nlabel mainmenu\n menu label ^Back..\n menu exit\n",
     DS_OK, "a|/vmlinuz|quiet initrd=/i.img@live.cfg:2"},
    {"syslinux unterminated quote", SYSLINUX, "label a\nlinux /k\nappend x=\"y\n", DS_ERR_FORMAT,
     "live.cfg:3: unterminated quote"},
    {"/etc/default/grub", DEFAULT_GRUB,
     "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX='lsm=landlock,yama init_on_free=1'\n",
     DS_OK,
     "GRUB_CMDLINE_LINUX GRUB_CMDLINE_LINUX_DEFAULT||lsm=landlock,yama init_on_free=1 quiet@default:3"},
    {"/etc/default/grub without cmdline", DEFAULT_GRUB, "GRUB_TIMEOUT=5\n", DS_OK, ""},
    {"params", PARAMS, "  BOOT_IMAGE=/vmlinuz  root=UUID=1 quiet  x=\"a b\" ", DS_OK,
     "||BOOT_IMAGE=/vmlinuz root=UUID=1 quiet x=a b@p:7"},
    {"params unterminated", PARAMS, "a=\"b", DS_ERR_FORMAT, "p:7: unterminated quote"},
};

static void test_boot(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof boot_cases / sizeof *boot_cases; i++) {
        const boot_case_t *c = &boot_cases[i];
        gate_cmdline_set_t set = {0};
        ds_error_t err = {0};
        size_t len = strlen(c->text);
        int rc;
        print_message("boot: %s\n", c->what);
        if (c->kind == GRUB)
            rc = gate_cmdline_parse_grub(&set, "grub.cfg", c->text, len, &err);
        else if (c->kind == SYSLINUX)
            rc = gate_cmdline_parse_syslinux(&set, "live.cfg", c->text, len, &err);
        else if (c->kind == DEFAULT_GRUB)
            rc = gate_cmdline_parse_default_grub(&set, "default", c->text, len, &err);
        else {
            set.entries = calloc(1, sizeof *set.entries);
            set.count = 1;
            set.entries[0].title = strdup("");
            set.entries[0].kernel = strdup("");
            set.entries[0].file = strdup("p");
            set.entries[0].line = 7;
            rc = gate_cmdline_parse_params(&set.entries[0], c->text, len, "p", 7, &err);
        }
        assert_int_equal(rc, c->rc);
        char *got = serialise(&set);
        if (rc == DS_OK)
            assert_string_equal(got, c->expect);
        else
            assert_non_null(strstr(err.message, c->expect));
        free(got);
        gate_cmdline_set_free(&set);
    }
}

static void test_cmdline_last_wins(void **state)
{
    (void)state;
    gate_cmdline_set_t set = {0};
    const char *text = "linux /k a=1 b a=2\n";
    assert_int_equal(gate_cmdline_parse_grub(&set, "g", text, strlen(text), NULL), DS_OK);
    assert_string_equal(gate_cmdline_find(&set.entries[0], "a")->value, "2");
    assert_null(gate_cmdline_find(&set.entries[0], "b")->value);
    assert_null(gate_cmdline_find(&set.entries[0], "c"));
    gate_cmdline_set_free(&set);
}

/* ---- sysctl ---- */

typedef struct sysctl_file {
    const char *name, *text;
} sysctl_file_t;

static void test_sysctl_parse(void **state)
{
    (void)state;
    static const sysctl_file_t files[] = {
        {"/usr/lib/sysctl.d/50-default.conf",
         "# comment\n; also\nkernel.kptr_restrict = 1\n  net/ipv4/conf/all/rp_filter=2 \nfs.protected_fifos=1\n"
         "net.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.accept_source_route = 0\n-net.ipv4.conf.lo.x\n"
         "not an assignment\nkernel.printk = 4\t 4  1 7\nnet/ipv4/conf/enp3s0.200/forwarding = 1\n"},
        {"/etc/sysctl.d/99-local.conf", "kernel.kptr_restrict=2\n"},
        {"/etc/sysctl.conf", "kernel/kptr_restrict = 0\n"},
    };
    gate_sysctl_t s = {0};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(gate_sysctl_parse(&s, files[i].name, files[i].text, strlen(files[i].text), NULL), DS_OK);
    const gate_sysctl_setting_t *k = gate_sysctl_find(&s, "kernel.kptr_restrict");
    assert_non_null(k);
    assert_string_equal(k->value, "0");
    assert_string_equal(k->file, "/etc/sysctl.conf");
    assert_int_equal(k->overridden_count, 2);
    assert_string_equal(k->overridden[0], "/usr/lib/sysctl.d/50-default.conf:3");
    assert_string_equal(k->overridden[1], "/etc/sysctl.d/99-local.conf:1");
    const gate_sysctl_setting_t *rp = gate_sysctl_find(&s, "net/ipv4/conf/all/rp_filter");
    assert_non_null(rp);
    assert_string_equal(rp->key, "net.ipv4.conf.all.rp_filter");
    assert_string_equal(rp->value, "2");
    assert_int_equal(rp->line, 4);
    assert_non_null(gate_sysctl_find(&s, "net.ipv4.conf.*.rp_filter"));
    assert_null(gate_sysctl_find(&s, "net.ipv4.conf.default.rp_filter")); /* a glob matches no exact key */
    assert_true(gate_sysctl_find(&s, "net.ipv4.conf.all.accept_source_route")->ignore_errors);
    assert_null(gate_sysctl_find(&s, "net.ipv4.conf.lo.x"));
    assert_string_equal(gate_sysctl_find(&s, "kernel.printk")->value, "4\t 4  1 7");
    assert_non_null(gate_sysctl_find(&s, "net.ipv4.conf.enp3s0/200.forwarding"));
    /* the last line without a newline: the key is not NUL-terminated in the text (fuzz find) */
    char tail[] = {'k', 'e', 'r', 'n', 'e', 'l', '.', 'z', '=', '1'};
    assert_int_equal(gate_sysctl_parse(&s, "t", tail, sizeof tail, NULL), DS_OK);
    assert_string_equal(gate_sysctl_find(&s, "kernel/z")->value, "1");
    gate_sysctl_free(&s);
}

typedef struct order_case {
    const char *what;
    gate_sysctl_candidate_t in[8];
    const char *expect; /* the paths read, space-separated */
} order_case_t;

static const order_case_t order_cases[] = {
    {"sorted by name whatever the directory",
     {{"/usr/lib/sysctl.d/50-default.conf", false}, {"/etc/sysctl.d/10-a.conf", false},
      {"/run/sysctl.d/60-r.conf", false}, {"/lib/sysctl.d/55-l.conf", false}},
     "/etc/sysctl.d/10-a.conf /usr/lib/sysctl.d/50-default.conf /lib/sysctl.d/55-l.conf /run/sysctl.d/60-r.conf"},
    {"an earlier directory replaces the same name",
     {{"/usr/lib/sysctl.d/50-default.conf", false}, {"/etc/sysctl.d/50-default.conf", false},
      {"/usr/local/lib/sysctl.d/50-default.conf", false}},
     "/etc/sysctl.d/50-default.conf"},
    {"a link to /dev/null masks",
     {{"/usr/lib/sysctl.d/50-default.conf", false}, {"/etc/sysctl.d/50-default.conf", true},
      {"/usr/lib/sysctl.d/10-x.conf", false}},
     "/usr/lib/sysctl.d/10-x.conf"},
    {"a mask in a later directory does not mask",
     {{"/run/sysctl.d/50-a.conf", false}, {"/usr/lib/sysctl.d/50-a.conf", true}}, "/run/sysctl.d/50-a.conf"},
    {"not *.conf, other directories",
     {{"/etc/sysctl.d/README", false}, {"/etc/sysctl.d/x.conf.bak", false}, {"/opt/sysctl.d/a.conf", false},
      {"/etc/sysctl.d/sub/a.conf", false}},
     ""},
};

static void test_sysctl_order(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof order_cases / sizeof *order_cases; i++) {
        const order_case_t *c = &order_cases[i];
        size_t n = 0;
        while (n < 8 && c->in[n].path != NULL)
            n++;
        const char **out = NULL;
        size_t count = 0;
        print_message("sysctl order: %s\n", c->what);
        assert_int_equal(gate_sysctl_order(c->in, n, &out, &count, NULL), DS_OK);
        ds_strbuf_t sb = {0};
        for (size_t j = 0; j < count; j++)
            ds_strbuf_printf(&sb, "%s%s", j ? " " : "", out[j]);
        assert_string_equal(ds_strbuf_text(&sb), c->expect);
        ds_strbuf_free(&sb);
        free(out);
    }
}

/* ---- rules and waivers ---- */

typedef struct rules_case {
    const char *what, *text;
    int rc;
    const char *expect; /* "ID:terms" of each rule, or the message piece */
} rules_case_t;

static const rules_case_t rules_cases[] = {
    {"all term kinds", "# c\n\nA | kconfig CONFIG_A=y or kconfig CONFIG_B!=m and cmdline x | kconfig CONFIG_X86_64=y | "
                       "S (1) | r\nB.c:d-e | cmdline a=1 and cmdline b!=2 or cmdline c is not set |  | s | a | b\n"
                       "C | sysctl kernel/x>=0x10 and sysctl k.y<=3 and sysctl k.z=4   4 and kconfig CONFIG_Q is present "
                       "and kconfig CONFIG_R is not set |  | s | r\n",
     DS_OK, "A:3/1 B.c:d-e:3/0 C:5/0"},
    {"unknown kind", "A | kconf CONFIG_A=y |  | s | r\n", DS_ERR_FORMAT, "r:1: unknown term kind"},
    {"bad operator", "A | kconfig CONFIG_A=>y |  | s | r\n", DS_OK, "A:1/0"},
    {"bad operator <", "A | kconfig CONFIG_A<y |  | s | r\n", DS_ERR_FORMAT, "r:1: bad operator"},
    {"cmdline >=", "A | cmdline a>=1 |  | s | r\n", DS_ERR_FORMAT, "r:1: bad operator"},
    {"no operator", "A | kconfig CONFIG_A |  | s | r\n", DS_ERR_FORMAT, "r:1: no operator"},
    {"not a number", "A | sysctl a.b>=x |  | s | r\n", DS_ERR_FORMAT, "\"x\" is not a number"},
    {"missing field", "\nA | kconfig CONFIG_A=y | | s\n", DS_ERR_FORMAT, "r:2: missing field: 4 of 5"},
    {"empty check", "A |  |  | s | r\n", DS_ERR_FORMAT, "CHECK is empty"},
    {"bad id", "A B | kconfig CONFIG_A=y |  | s | r\n", DS_ERR_FORMAT, "bad ID"},
    {"bad kconfig name", "A | kconfig A=y |  | s | r\n", DS_ERR_FORMAT, "bad name \"A\""},
    {"no value", "A | sysctl a.b= |  | s | r\n", DS_ERR_FORMAT, "no value"},
    {"duplicate", "A | kconfig CONFIG_A=y |  | s | r\nA | kconfig CONFIG_A=m |  | s | r\n", DS_ERR_FORMAT,
     "r:2: duplicate ID A (also at line 1)"},
};

static char *rules_serialise(const gate_kspp_rules_t *rules)
{
    ds_strbuf_t sb = {0};
    for (size_t i = 0; i < rules->count; i++)
        ds_strbuf_printf(&sb, "%s%s:%zu/%zu", i ? " " : "", rules->rules[i].id, rules->rules[i].check.count,
                         rules->rules[i].when.count);
    char *text = ds_strbuf_take(&sb);
    return text != NULL ? text : strdup("");
}

static void test_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rules_cases / sizeof *rules_cases; i++) {
        const rules_case_t *c = &rules_cases[i];
        gate_kspp_rules_t rules = {0};
        ds_error_t err = {0};
        print_message("rules: %s\n", c->what);
        int rc = gate_kspp_rules_parse(&rules, "r", c->text, strlen(c->text), &err);
        assert_int_equal(rc, c->rc);
        char *got = rules_serialise(&rules);
        if (rc == DS_OK)
            assert_string_equal(got, c->expect);
        else
            assert_non_null(strstr(err.message, c->expect));
        free(got);
        gate_kspp_rules_free(&rules);
    }
}

static void test_rules_terms(void **state)
{
    (void)state;
    gate_kspp_expr_t e;
    assert_int_equal(gate_kspp_expr_parse(&e, "sysctl net/ipv4/x.y=a \t b or cmdline q is not set and kconfig "
                                              "CONFIG_A>=0x10", "t", 1, NULL), DS_OK);
    assert_int_equal(e.count, 3);
    assert_int_equal(e.terms[0].kind, GATE_KSPP_SYSCTL);
    assert_string_equal(e.terms[0].name, "net.ipv4.x/y");
    assert_string_equal(e.terms[0].value, "a b");
    assert_true(e.terms[1].or_before);
    assert_int_equal(e.terms[1].op, GATE_KSPP_NOT_SET);
    assert_false(e.terms[2].or_before);
    assert_int_equal(e.terms[2].op, GATE_KSPP_GE);
    gate_kspp_expr_free(&e);
}

static void test_rules_project_and_waivers(void **state)
{
    (void)state;
    const char *shipped = "A | kconfig CONFIG_A=y |  | shipped | r\nB | kconfig CONFIG_B=y |  | shipped | r\n";
    const char *project = "B | kconfig CONFIG_B=m |  | project | r\nC | kconfig CONFIG_C=y |  | project | r\n";
    gate_kspp_rules_t rules = {0};
    assert_int_equal(gate_kspp_rules_parse(&rules, "shipped", shipped, strlen(shipped), NULL), DS_OK);
    assert_int_equal(gate_kspp_rules_parse(&rules, "project", project, strlen(project), NULL), DS_OK);
    assert_int_equal(rules.count, 3);
    assert_string_equal(rules.rules[1].id, "B");
    assert_string_equal(rules.rules[1].source, "project");
    assert_string_equal(rules.rules[1].check.terms[0].value, "m");
    gate_kspp_waivers_t w = {0};
    ds_error_t err = {0};
    const char *waivers = "# ours\nA -- we need it\n\nC --  later  \n";
    assert_int_equal(gate_kspp_waivers_parse(&w, &rules, "w", waivers, strlen(waivers), &err), DS_OK);
    assert_string_equal(gate_kspp_waivers_find(&w, "C")->reason, "later");
    assert_null(gate_kspp_waivers_find(&w, "B"));
    const char *bad = "Z -- no such rule\n";
    assert_int_equal(gate_kspp_waivers_parse(&w, &rules, "w", bad, strlen(bad), &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "w:1: waiver for unknown rule ID Z"));
    ds_error_clear(&err);
    assert_int_equal(gate_kspp_waivers_parse(&w, &rules, "w", "A\n", 2, &err), DS_ERR_FORMAT);
    assert_non_null(strstr(err.message, "w:1: not \"ID -- reason\""));
    gate_kspp_waivers_free(&w);
    gate_kspp_rules_free(&rules);
}

/* ---- the evaluator ---- */

static const char eval_kconfig[] = "CONFIG_X86_64=y\nCONFIG_MOD=m\n# CONFIG_DEVMEM is not set\nCONFIG_N=n\n"
                                   "CONFIG_NUM=0x20\nCONFIG_LSM=\"landlock,yama\"\n";
static const char eval_grub[] = "menuentry \"Live system\" {\n linux /vmlinuz quiet init_on_alloc=1 slab_nomerge\n}\n"
                                "menuentry \"Fail-safe\" {\n linux /vmlinuz init_on_alloc=0 slab_nomerge\n}\n";
static const char eval_sysctl[] = "kernel.kptr_restrict = 1\nkernel.printk = 4   4 1 7\n";

typedef struct eval_case {
    const char *what, *rules;
    bool kconfig, grub, sysctl;
    const char *waivers;
    const char *verdicts; /* "VERDICT(unwaived)" per rule, space-separated */
    const char *found;    /* a piece of the first rule's found text (or why, when N/A) */
} eval_case_t;

static const eval_case_t eval_cases[] = {
    {"kconfig =", "A | kconfig CONFIG_MOD=m |  | s | r\nB | kconfig CONFIG_MOD=y |  | s | r\n", true, false, false,
     NULL, "OK FAIL", "CONFIG_MOD=m at kc:2"},
    {"kconfig != and absent", "A | kconfig CONFIG_ABSENT!=y |  | s | r\nB | kconfig CONFIG_MOD!=m |  | s | r\n", true,
     false, false, NULL, "OK FAIL", "CONFIG_ABSENT is not set (absent)"},
    {"kconfig >= <=", "A | kconfig CONFIG_NUM>=32 |  | s | r\nB | kconfig CONFIG_NUM<=0x1f |  | s | r\n"
                      "C | kconfig CONFIG_MOD>=1 |  | s | r\n", true, false, false, NULL, "OK FAIL FAIL", "0x20"},
    {"kconfig is not set / is present", "A | kconfig CONFIG_DEVMEM is not set |  | s | r\n"
     "B | kconfig CONFIG_N is not set |  | s | r\nC | kconfig CONFIG_NOPE is present |  | s | r\n"
     "D | kconfig CONFIG_LSM is present |  | s | r\nE | kconfig CONFIG_LSM=landlock,yama |  | s | r\n",
     true, false, false, NULL, "OK OK FAIL OK OK", "CONFIG_DEVMEM is not set at kc:3"},
    {"no kernel config", "A | kconfig CONFIG_MOD=m |  | s | r\n", false, false, false, NULL, "N/A",
     "no kernel configuration"},
    {"WHEN false / true", "A | kconfig CONFIG_MOD=y | kconfig CONFIG_ARM64=y | s | r\n"
     "B | kconfig CONFIG_MOD=y | kconfig CONFIG_X86_64=y | s | r\n", true, false, false, NULL, "N/A FAIL",
     "WHEN kconfig CONFIG_ARM64=y is false"},
    {"or / and precedence", "A | kconfig CONFIG_MOD=y or kconfig CONFIG_MOD=m and kconfig CONFIG_NUM=0x20 |  | s | r\n"
     "B | kconfig CONFIG_MOD=m and kconfig CONFIG_NUM=1 or kconfig CONFIG_X86_64=n |  | s | r\n",
     true, false, false, NULL, "OK FAIL", "CONFIG_MOD=m at kc:2; CONFIG_MOD=m at kc:2; CONFIG_NUM=0x20"},
    {"cmdline on every entry", "A | cmdline init_on_alloc=1 |  | s | r\nB | cmdline slab_nomerge |  | s | r\n"
     "C | cmdline mitigations!=off |  | s | r\nD | cmdline quiet is not set |  | s | r\n", false, true, false, NULL,
     "FAIL OK OK FAIL", "init_on_alloc=0 in grub.cfg:5 \"Fail-safe\""},
    {"cmdline absent named", "A | cmdline page_alloc.shuffle=1 |  | s | r\n", false, true, false, NULL, "FAIL",
     "page_alloc.shuffle absent from grub.cfg:2 \"Live system\""},
    {"cmdline ok in all", "A | cmdline slab_nomerge |  | s | r\n", false, true, false, NULL, "OK",
     "(and 1 other boot entries)"},
    {"no boot loader configuration", "A | cmdline init_on_alloc=1 |  | s | r\n", true, false, false, NULL, "N/A",
     "no boot loader configuration found"},
    {"kconfig or cmdline without boot config", "A | kconfig CONFIG_MOD=m or cmdline x=1 |  | s | r\n"
     "B | kconfig CONFIG_MOD=y or cmdline x=1 |  | s | r\n", true, false, false, NULL, "OK N/A", "CONFIG_MOD=m"},
    {"sysctl", "A | sysctl kernel.kptr_restrict>=1 |  | s | r\nB | sysctl kernel/kptr_restrict=2 |  | s | r\n"
     "C | sysctl kernel.printk=4 4 1   7 |  | s | r\nD | sysctl kernel.yama.ptrace_scope>=1 |  | s | r\n"
     "E | sysctl kernel.yama.ptrace_scope!=0 |  | s | r\n", false, false, true, NULL, "OK FAIL OK FAIL OK",
     "kernel.kptr_restrict = 1 at sysctl.conf:1"},
    {"waivers keep the verdict", "A | kconfig CONFIG_MOD=y |  | s | r\nB | kconfig CONFIG_MOD=m |  | s | r\n", true,
     false, false, "A -- vendor kernel\nB -- ok anyway\n", "WAIVED(FAIL) WAIVED(OK)", "CONFIG_MOD=m"},
};

static void eval_one(const eval_case_t *c)
{
    gate_kspp_rules_t rules = {0};
    gate_kspp_waivers_t waivers = {0};
    gate_kconfig_t kconfig = {0};
    gate_cmdline_set_t set = {0};
    gate_sysctl_t sysctl = {0};
    gate_kspp_kernel_t kernel;
    assert_int_equal(gate_kspp_rules_parse(&rules, "rules", c->rules, strlen(c->rules), NULL), DS_OK);
    if (c->waivers != NULL)
        assert_int_equal(gate_kspp_waivers_parse(&waivers, &rules, "w", c->waivers, strlen(c->waivers), NULL), DS_OK);
    assert_int_equal(gate_kconfig_parse(&kconfig, "kc", eval_kconfig, strlen(eval_kconfig), NULL), DS_OK);
    assert_int_equal(gate_cmdline_parse_grub(&set, "grub.cfg", eval_grub, strlen(eval_grub), NULL), DS_OK);
    assert_int_equal(gate_sysctl_parse(&sysctl, "sysctl.conf", eval_sysctl, strlen(eval_sysctl), NULL), DS_OK);
    gate_kspp_inputs_t in = {c->kconfig ? &kconfig : NULL, c->grub ? &set : NULL, c->sysctl ? &sysctl : NULL};
    assert_int_equal(gate_kspp_evaluate(&rules, &waivers, &in, &kernel, NULL), DS_OK);
    ds_strbuf_t sb = {0};
    for (size_t i = 0; i < kernel.count; i++) {
        const gate_kspp_result_t *r = &kernel.results[i];
        ds_strbuf_printf(&sb, "%s%s", i ? " " : "", gate_kspp_verdict_name(r->verdict));
        if (r->verdict == GATE_KSPP_WAIVED)
            ds_strbuf_printf(&sb, "(%s)", gate_kspp_verdict_name(r->unwaived));
    }
    assert_string_equal(ds_strbuf_text(&sb), c->verdicts);
    const gate_kspp_result_t *first = &kernel.results[0];
    const char *text = first->unwaived == GATE_KSPP_NA ? first->why : first->found;
    print_message("  found: %s / why: %s\n", first->found, first->why ? first->why : "-");
    assert_non_null(strstr(text, c->found));
    if (first->verdict == GATE_KSPP_WAIVED)
        assert_non_null(first->waiver_reason);
    ds_strbuf_free(&sb);
    gate_kspp_kernel_free(&kernel);
    gate_kspp_waivers_free(&waivers);
    gate_kspp_rules_free(&rules);
    gate_kconfig_free(&kconfig);
    gate_cmdline_set_free(&set);
    gate_sysctl_free(&sysctl);
}

static void test_evaluate(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof eval_cases / sizeof *eval_cases; i++) {
        print_message("evaluate: %s\n", eval_cases[i].what);
        eval_one(&eval_cases[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kconfig),       cmocka_unit_test(test_kconfig_limits),
        cmocka_unit_test(test_boot),          cmocka_unit_test(test_cmdline_last_wins),
        cmocka_unit_test(test_sysctl_parse),  cmocka_unit_test(test_sysctl_order),
        cmocka_unit_test(test_rules),         cmocka_unit_test(test_rules_terms),
        cmocka_unit_test(test_rules_project_and_waivers), cmocka_unit_test(test_evaluate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
