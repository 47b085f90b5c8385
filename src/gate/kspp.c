/* The kspp gate's evaluator. Terms are judged in three values (true, false, unknown when their
 * input is missing: no kernel config, no boot loader configuration); " and " binds tighter than
 * " or " and both follow Kleene's logic, so "kconfig A=y or cmdline b=1" is true from A alone.
 * A rule whose WHEN is not true, or whose CHECK stays unknown, is N/A. */
#include "kspp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"

#define GATE_KSPP_MAX_CONFIG_SIZE (16u << 20) /* bytes of one /boot/config-* */
#define GATE_KSPP_MAX_BOOT_SIZE (4u << 20)    /* bytes of one boot loader configuration */
#define GATE_KSPP_MAX_KERNELS 64u             /* /boot/config-* judged */
#define GATE_KSPP_MAX_BOOT_FILES 256u         /* boot loader configurations read */

typedef enum { TV_FALSE, TV_TRUE, TV_UNKNOWN } truth_t;

const char *gate_kspp_verdict_name(gate_kspp_verdict_t verdict)
{
    static const char *const names[] = {"OK", "FAIL", "WAIVED", "N/A"};
    return (unsigned)verdict < 4 ? names[verdict] : "?";
}

static bool number(const char *s, long long *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtoll(s, &end, 0);
    return s[0] != '\0' && errno == 0 && *end == '\0';
}

/* EQ / NE / GE / LE of a value that is there (have) or not. */
static bool compare(gate_kspp_op_t op, const char *have, const char *want)
{
    long long a, b;
    switch (op) {
    case GATE_KSPP_EQ:
        return have != NULL && strcmp(have, want) == 0;
    case GATE_KSPP_NE:
        return have == NULL || strcmp(have, want) != 0;
    case GATE_KSPP_GE:
        return have != NULL && number(have, &a) && number(want, &b) && a >= b;
    case GATE_KSPP_LE:
        return have != NULL && number(have, &a) && number(want, &b) && a <= b;
    default:
        return have != NULL;
    }
}

static truth_t term_kconfig(const gate_kspp_term_t *t, const gate_kconfig_t *k, ds_strbuf_t *found,
                            const char **why)
{
    if (k == NULL) {
        *why = "no kernel configuration (/boot/config-*) found";
        ds_strbuf_printf(found, "%s: no kernel configuration", t->name);
        return TV_UNKNOWN;
    }
    const gate_kconfig_entry_t *e = gate_kconfig_find(k, t->name);
    const char *value = e != NULL && e->value != NULL && strcmp(e->value, "n") != 0 ? e->value : NULL;
    if (e == NULL)
        ds_strbuf_printf(found, "%s is not set (absent)", t->name);
    else if (e->value == NULL)
        ds_strbuf_printf(found, "%s is not set at %s:%u", t->name, k->file, e->line);
    else
        ds_strbuf_printf(found, "%s=%s at %s:%u", t->name, e->value, k->file, e->line);
    if (t->op == GATE_KSPP_NOT_SET)
        return value == NULL ? TV_TRUE : TV_FALSE;
    if (t->op == GATE_KSPP_EQ && strcmp(t->value, "n") == 0)
        return value == NULL ? TV_TRUE : TV_FALSE;
    return compare(t->op, value, t->value) ? TV_TRUE : TV_FALSE;
}

static truth_t term_cmdline(const gate_kspp_term_t *t, const gate_cmdline_set_t *set,
                            const gate_cmdline_entry_t *entry, ds_strbuf_t *found, const char **why)
{
    if (entry == NULL) {
        *why = set == NULL ? "no boot loader configuration found"
                           : "no kernel command line in the boot loader configuration";
        ds_strbuf_printf(found, "%s: no boot loader configuration", t->name);
        return TV_UNKNOWN;
    }
    const gate_cmdline_param_t *p = gate_cmdline_find(entry, t->name);
    if (p == NULL)
        ds_strbuf_printf(found, "%s absent from", t->name);
    else if (p->value == NULL)
        ds_strbuf_printf(found, "%s in", t->name);
    else
        ds_strbuf_printf(found, "%s=%s in", t->name, p->value);
    ds_strbuf_printf(found, " %s:%u \"", entry->file, entry->line);
    ds_strbuf_escape_line(found, entry->title, strlen(entry->title));
    ds_strbuf_puts(found, "\"");
    if (t->op == GATE_KSPP_NOT_SET)
        return p == NULL ? TV_TRUE : TV_FALSE;
    if (t->op == GATE_KSPP_PRESENT)
        return p != NULL ? TV_TRUE : TV_FALSE;
    return compare(t->op, p != NULL ? (p->value != NULL ? p->value : "") : NULL, t->value) ? TV_TRUE : TV_FALSE;
}

/* A value with its blanks collapsed, as the rule's value was. */
static void collapse(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s != '\0' && o + 1 < size; s++) {
        bool blank = *s == ' ' || *s == '\t';
        if (!blank || (o > 0 && out[o - 1] != ' '))
            out[o++] = blank ? ' ' : *s;
    }
    out[o] = '\0';
}

static truth_t term_sysctl(const gate_kspp_term_t *t, const gate_sysctl_t *sysctl, ds_strbuf_t *found,
                           const char **why)
{
    if (sysctl == NULL) {
        *why = "sysctl settings were not read";
        ds_strbuf_printf(found, "%s: sysctl settings not read", t->name);
        return TV_UNKNOWN;
    }
    const gate_sysctl_setting_t *s = gate_sysctl_find(sysctl, t->name);
    if (s == NULL || s->value == NULL) {
        ds_strbuf_printf(found, "%s not set by any sysctl file (the kernel's default applies)", t->name);
        return compare(t->op, NULL, t->value) ? TV_TRUE : TV_FALSE;
    }
    char value[1024];
    collapse(s->value, value, sizeof value);
    ds_strbuf_printf(found, "%s = %s at %s:%u", t->name, value, s->file, s->line);
    for (size_t i = 0; i < s->overridden_count; i++)
        ds_strbuf_printf(found, "%s%s", i == 0 ? " (overrides " : ", ", s->overridden[i]);
    if (s->overridden_count > 0)
        ds_strbuf_puts(found, ")");
    return compare(t->op, value, t->value) ? TV_TRUE : TV_FALSE;
}

static truth_t truth_and(truth_t a, truth_t b)
{
    return a == TV_FALSE || b == TV_FALSE ? TV_FALSE : a == TV_UNKNOWN || b == TV_UNKNOWN ? TV_UNKNOWN : TV_TRUE;
}

static truth_t truth_or(truth_t a, truth_t b)
{
    return a == TV_TRUE || b == TV_TRUE ? TV_TRUE : a == TV_UNKNOWN || b == TV_UNKNOWN ? TV_UNKNOWN : TV_FALSE;
}

/* The value of expr on inputs (entry: the boot entry judged, or NULL); each term's found text
 * goes to found, "; "-separated; *why is set when a term is unknown. Empty expr is true. */
static truth_t expr_value(const gate_kspp_expr_t *expr, const gate_kspp_inputs_t *in,
                          const gate_cmdline_entry_t *entry, ds_strbuf_t *found, const char **why)
{
    truth_t any = TV_FALSE, group = TV_TRUE;
    for (size_t i = 0; i < expr->count; i++) {
        const gate_kspp_term_t *t = &expr->terms[i];
        if (i > 0 && t->or_before) {
            any = truth_or(any, group);
            group = TV_TRUE;
        }
        if (i > 0)
            ds_strbuf_puts(found, "; ");
        truth_t v = t->kind == GATE_KSPP_KCONFIG   ? term_kconfig(t, in->kconfig, found, why)
                    : t->kind == GATE_KSPP_CMDLINE ? term_cmdline(t, in->cmdlines, entry, found, why)
                                                   : term_sysctl(t, in->sysctl, found, why);
        group = truth_and(group, v);
    }
    return expr->count == 0 ? TV_TRUE : truth_or(any, group);
}

static bool uses_cmdline(const gate_kspp_expr_t *expr)
{
    for (size_t i = 0; i < expr->count; i++)
        if (expr->terms[i].kind == GATE_KSPP_CMDLINE)
            return true;
    return false;
}

/* The verdict of rule on one boot entry (or none); found and why are filled. */
static gate_kspp_verdict_t judge_once(const gate_kspp_rule_t *rule, const gate_kspp_inputs_t *in,
                                      const gate_cmdline_entry_t *entry, ds_strbuf_t *found, ds_strbuf_t *why)
{
    const char *unknown = NULL;
    ds_strbuf_t when = {0};
    truth_t w = expr_value(&rule->when, in, entry, &when, &unknown);
    gate_kspp_verdict_t verdict = GATE_KSPP_NA;
    if (w == TV_UNKNOWN) {
        ds_strbuf_printf(why, "WHEN unknown: %s", unknown);
    } else if (w == TV_FALSE) {
        ds_strbuf_printf(why, "WHEN %s is false: %s", rule->when_text, ds_strbuf_text(&when));
    } else {
        truth_t c = expr_value(&rule->check, in, entry, found, &unknown);
        if (c == TV_UNKNOWN)
            ds_strbuf_printf(why, "%s", unknown);
        verdict = c == TV_TRUE ? GATE_KSPP_OK : c == TV_FALSE ? GATE_KSPP_FAIL : GATE_KSPP_NA;
    }
    ds_strbuf_free(&when);
    return verdict;
}

/* A cmdline rule on every boot entry: FAIL naming the first entry that fails, else OK naming
 * the first that passes (and how many others do), else N/A. */
static gate_kspp_verdict_t judge_entries(const gate_kspp_rule_t *rule, const gate_kspp_inputs_t *in,
                                         ds_strbuf_t *found, ds_strbuf_t *why)
{
    const gate_cmdline_set_t *set = in->cmdlines;
    size_t ok = 0, na = 0;
    for (size_t i = 0; i < set->count; i++) {
        ds_strbuf_t f = {0}, y = {0};
        gate_kspp_verdict_t v = judge_once(rule, in, &set->entries[i], &f, &y);
        if (v == GATE_KSPP_FAIL || (v == GATE_KSPP_OK && ok == 0) || (v == GATE_KSPP_NA && na == 0 && ok == 0)) {
            ds_strbuf_free(found), ds_strbuf_free(why);
            *found = f, *why = y;
        } else {
            ds_strbuf_free(&f), ds_strbuf_free(&y);
        }
        if (v == GATE_KSPP_FAIL)
            return GATE_KSPP_FAIL;
        ok += v == GATE_KSPP_OK;
        na += v == GATE_KSPP_NA;
    }
    if (ok > 1)
        ds_strbuf_printf(found, " (and %zu other boot entries)", ok - 1);
    if (ok > 0)
        ds_strbuf_free(why);
    return ok > 0 ? GATE_KSPP_OK : GATE_KSPP_NA;
}

static int judge(const gate_kspp_rule_t *rule, const gate_kspp_waivers_t *waivers, const gate_kspp_inputs_t *in,
                 gate_kspp_result_t *result)
{
    ds_strbuf_t found = {0}, why = {0};
    bool per_entry = (uses_cmdline(&rule->check) || uses_cmdline(&rule->when)) && in->cmdlines != NULL &&
                     in->cmdlines->count > 0;
    result->rule = rule;
    result->unwaived = per_entry ? judge_entries(rule, in, &found, &why) : judge_once(rule, in, NULL, &found, &why);
    result->verdict = result->unwaived;
    const gate_kspp_waiver_t *waiver = gate_kspp_waivers_find(waivers, rule->id);
    if (waiver != NULL) {
        result->verdict = GATE_KSPP_WAIVED;
        result->waiver_reason = waiver->reason;
    }
    bool failed = found.failed || why.failed;
    result->found = ds_strbuf_take(&found);
    result->why = why.len > 0 ? ds_strbuf_take(&why) : NULL;
    ds_strbuf_free(&why);
    return failed || result->found == NULL ? DS_ERR_NOMEM : 0;
}

int gate_kspp_evaluate(const gate_kspp_rules_t *rules, const gate_kspp_waivers_t *waivers,
                       const gate_kspp_inputs_t *inputs, gate_kspp_kernel_t *kernel, ds_error_t *err)
{
    memset(kernel, 0, sizeof *kernel);
    if (inputs->kconfig != NULL &&
        (kernel->config_file = gate_text_copy(inputs->kconfig->file != NULL ? inputs->kconfig->file : "", inputs->kconfig->file != NULL ? strlen(inputs->kconfig->file) : 0)) == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "kspp: out of memory");
    kernel->results = calloc(rules->count + 1, sizeof *kernel->results);
    if (kernel->results == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "kspp: out of memory");
    for (size_t i = 0; i < rules->count; i++) {
        gate_kspp_result_t *result = &kernel->results[kernel->count++];
        if (judge(&rules->rules[i], waivers, inputs, result) < 0)
            return ds_error_set(err, DS_ERR_NOMEM, "kspp: out of memory judging %s", rules->rules[i].id);
        kernel->verdicts[result->verdict]++;
    }
    return 0;
}

void gate_kspp_kernel_free(gate_kspp_kernel_t *kernel)
{
    if (kernel == NULL)
        return;
    for (size_t i = 0; i < kernel->count; i++) {
        free(kernel->results[i].found);
        free(kernel->results[i].why);
    }
    free(kernel->results);
    free(kernel->config_file);
    memset(kernel, 0, sizeof *kernel);
}

/* ---- the gate on an image ---- */

typedef struct name_list {
    char *path[GATE_KSPP_MAX_BOOT_FILES];
    size_t count;
    const char *prefix; /* entries kept: names starting so (config-) or ending ".cfg" when NULL */
} name_list_t;

static bool list_has(const name_list_t *list, const char *path)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->path[i], path) == 0)
            return true;
    return false;
}

static int list_add(name_list_t *list, const char *path)
{
    if (list_has(list, path))
        return 0;
    if (list->count == GATE_KSPP_MAX_BOOT_FILES)
        return DS_ERR_LIMIT;
    return (list->path[list->count++] = gate_text_copy(path, strlen(path))) == NULL ? DS_ERR_NOMEM : 0;
}

static int collect_names(void *arg, const char *path, const gate_stat_t *st)
{
    name_list_t *list = arg;
    const char *name = strrchr(path, '/');
    name = name != NULL ? name + 1 : path;
    size_t n = strlen(name);
    bool wanted = list->prefix != NULL ? strncmp(name, list->prefix, strlen(list->prefix)) == 0
                                       : n > 4 && strcmp(name + n - 4, ".cfg") == 0;
    if (!wanted || (st->type != GATE_FILE_REGULAR && st->type != GATE_FILE_SYMLINK))
        return 0;
    return list->prefix != NULL && list->count == GATE_KSPP_MAX_KERNELS ? 0 : list_add(list, path);
}

static void list_free(name_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->path[i]);
    list->count = 0;
}

/* Lists dir into list; a missing dir is no trouble. */
static int list_dir(gate_files_t *files, gate_space_t space, const char *dir, name_list_t *list, ds_error_t *err)
{
    int rc = gate_files_list(files, space, dir, collect_names, list, err);
    if (rc == DS_ERR_LIMIT || rc == DS_ERR_NOMEM)
        return ds_error_set(err, rc, "%s: more than %u files or out of memory", dir, GATE_KSPP_MAX_BOOT_FILES);
    return rc == GATE_FILES_NOT_FOUND ? 0 : rc;
}

typedef int (*boot_parse_fn)(gate_cmdline_set_t *set, const char *file, const char *text, size_t len,
                             ds_error_t *err);

/* Reads and parses one boot loader configuration; 1 when it is not there. */
static int read_boot(gate_files_t *files, gate_space_t space, const char *path, boot_parse_fn parse,
                     gate_kspp_report_t *report, ds_error_t *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = gate_files_read(files, space, path, GATE_KSPP_MAX_BOOT_SIZE, &data, &len, err);
    if (rc == 0) {
        report->boot_files++;
        rc = parse(&report->cmdlines, path, data, len, err);
    }
    free(data);
    return rc;
}

/* The syslinux include name as a path: absolute, else beside the including configurations. */
static void include_path(const char *name, const char *dir, char *out, size_t size)
{
    if (name[0] == '/')
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "%s/%s", dir, name);
}

/* /isolinux, /syslinux, /boot/syslinux: every *.cfg, then the files they include (among those
 * directories) that were not read yet. */
static int read_syslinux(gate_files_t *files, gate_space_t space, gate_kspp_report_t *report, ds_error_t *err)
{
    static const char *const dirs[] = {"/isolinux", "/syslinux", "/boot/syslinux"};
    name_list_t *list = calloc(1, sizeof *list);
    if (list == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "kspp: out of memory");
    int rc = 0, trouble = 0; /* a bad file is trouble, but the others are still read */
    for (size_t d = 0; rc >= 0 && d < 3; d++) {
        size_t first = list->count;
        rc = list_dir(files, space, dirs[d], list, err);
        for (size_t i = first; rc >= 0 && i < list->count; i++) {
            size_t seen_includes = report->cmdlines.include_count;
            rc = read_boot(files, space, list->path[i], gate_cmdline_parse_syslinux, report, err);
            trouble = trouble < 0 ? trouble : rc < 0 ? rc : 0;
            rc = rc == DS_ERR_NOMEM ? rc : 0;
            for (size_t k = seen_includes; rc == 0 && k < report->cmdlines.include_count; k++) {
                char path[GATE_FILES_MAX_PATH];
                include_path(report->cmdlines.includes[k], dirs[d], path, sizeof path);
                bool among = strncmp(path, dirs[d], strlen(dirs[d])) == 0 && path[strlen(dirs[d])] == '/';
                if (among && !list_has(list, path) && (rc = list_add(list, path)) < 0)
                    rc = ds_error_set(err, rc, "%s: more than %u includes", list->path[i], GATE_KSPP_MAX_BOOT_FILES);
            }
        }
    }
    list_free(list);
    free(list);
    return trouble < 0 ? trouble : rc;
}

/* /boot/grub/grub.cfg and loopback.cfg, then the files they "source" under /boot/grub/ (as
 * live-build's grub.cfg sources install_start.cfg and install.cfg); paths with a variable are
 * left out. */
static int read_grub(gate_files_t *files, gate_space_t space, gate_kspp_report_t *report, ds_error_t *err)
{
    static const char prefix[] = "/boot/grub/";
    name_list_t *list = calloc(1, sizeof *list);
    int trouble = 0, rc = list == NULL ? DS_ERR_NOMEM : 0;
    if (rc == 0 && (rc = list_add(list, "/boot/grub/grub.cfg")) == 0)
        rc = list_add(list, "/boot/grub/loopback.cfg");
    for (size_t i = 0; rc == 0 && i < list->count; i++) {
        size_t seen_includes = report->cmdlines.include_count;
        int read = read_boot(files, space, list->path[i], gate_cmdline_parse_grub, report, err);
        trouble = trouble < 0 ? trouble : read < 0 ? read : 0;
        for (size_t k = seen_includes; rc == 0 && k < report->cmdlines.include_count; k++) {
            const char *name = report->cmdlines.includes[k];
            if (strncmp(name, prefix, sizeof prefix - 1) == 0 && strchr(name, '$') == NULL)
                rc = list_add(list, name);
        }
    }
    if (rc < 0)
        rc = ds_error_set(err, rc, "%s: more than %u sourced files or out of memory", prefix, GATE_KSPP_MAX_BOOT_FILES);
    if (list != NULL)
        list_free(list);
    free(list);
    return trouble < 0 ? trouble : rc;
}

/* Every boot loader configuration of space. Keeps going past a bad file; returns the first
 * trouble. */
static int read_boot_space(gate_files_t *files, gate_space_t space, bool default_grub, gate_kspp_report_t *report,
                           ds_error_t *err)
{
    int first = read_grub(files, space, report, err);
    int rc = read_syslinux(files, space, report, err);
    first = first < 0 ? first : rc;
    if (default_grub) {
        rc = read_boot(files, space, "/etc/default/grub", gate_cmdline_parse_default_grub, report, err);
        first = first < 0 ? first : rc < 0 ? rc : 0;
    }
    return first;
}

static int add_kernel(gate_kspp_report_t *report, const gate_kspp_rules_t *rules, const gate_kspp_waivers_t *waivers,
                      const gate_kconfig_t *kconfig, ds_error_t *err)
{
    gate_kspp_kernel_t *more = realloc(report->kernels, (report->kernel_count + 1) * sizeof *more);
    if (more == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "kspp: out of memory");
    report->kernels = more;
    gate_kspp_inputs_t inputs = {kconfig, &report->cmdlines, &report->sysctl};
    if (report->boot_files == 0 && report->cmdlines.count == 0)
        inputs.cmdlines = NULL;
    return gate_kspp_evaluate(rules, waivers, &inputs, &more[report->kernel_count++], err);
}

/* Judges the rules once per readable /boot/config-* (once without one when none is). */
static int judge_kernels(gate_files_t *files, const gate_kspp_rules_t *rules, const gate_kspp_waivers_t *waivers,
                         gate_kspp_report_t *report, ds_error_t *err)
{
    name_list_t *configs = calloc(1, sizeof *configs);
    if (configs == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "kspp: out of memory");
    configs->prefix = "config-";
    int first = list_dir(files, GATE_SPACE_ROOT, "/boot", configs, err);
    for (size_t i = 0; i < configs->count; i++) {
        char *data = NULL;
        size_t len = 0;
        gate_kconfig_t kconfig = {0};
        int rc = gate_files_read(files, GATE_SPACE_ROOT, configs->path[i], GATE_KSPP_MAX_CONFIG_SIZE, &data, &len, err);
        if (rc == 0 && (rc = gate_kconfig_parse(&kconfig, configs->path[i], data, len, err)) == 0)
            rc = add_kernel(report, rules, waivers, &kconfig, err);
        first = first < 0 ? first : rc < 0 ? rc : 0;
        gate_kconfig_free(&kconfig);
        free(data);
    }
    if (report->kernel_count == 0) { /* none, or none readable: the other rules still count */
        int rc = add_kernel(report, rules, waivers, NULL, err);
        first = first < 0 ? first : rc;
    }
    list_free(configs);
    free(configs);
    return first;
}

int gate_kspp_run(gate_files_t *files, const gate_kspp_rules_t *rules, const gate_kspp_waivers_t *waivers,
                  gate_kspp_report_t *report, ds_error_t *err)
{
    bool has_boot = gate_files_has_boot(files);
    int first = read_boot_space(files, has_boot ? GATE_SPACE_BOOT : GATE_SPACE_ROOT, !has_boot, report, err);
    int rc = gate_sysctl_read(&report->sysctl, files, err);
    first = first < 0 ? first : rc;
    rc = judge_kernels(files, rules, waivers, report, err);
    return first < 0 ? first : rc;
}

void gate_kspp_report_free(gate_kspp_report_t *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->kernel_count; i++)
        gate_kspp_kernel_free(&report->kernels[i]);
    free(report->kernels);
    gate_cmdline_set_free(&report->cmdlines);
    gate_sysctl_free(&report->sysctl);
    memset(report, 0, sizeof *report);
}
