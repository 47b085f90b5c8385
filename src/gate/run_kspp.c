/* imagegate kspp: the rules (the shipped table, then the project's files, then the waivers),
 * the engine (kspp.c) on the image, and its results as gate items. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gates.h"
#include "host_file.h"
#include "kspp.h"

static int load_rules(const gate_kspp_options_t *o, gate_kspp_rules_t *rules, gate_kspp_waivers_t *waivers,
                      ds_error_t *err)
{
    int rc = DS_OK;
    if (!o->no_shipped_rules)
        rc = gate_kspp_rules_parse(rules, "data/kspp-rules.txt", (const char *)gate_kspp_shipped_rules,
                                   gate_kspp_shipped_rules_size, err);
    for (size_t i = 0; i < o->rule_count && rc == DS_OK; i++) {
        char *text;
        size_t len;
        rc = gate_host_file_read(o->rules[i], &text, &len, err);
        if (rc == DS_OK)
            rc = gate_kspp_rules_parse(rules, o->rules[i], text, len, err);
        free(text);
    }
    if (rc == DS_OK && rules->count == 0)
        rc = ds_error_set(err, DS_ERR_USAGE, "no rules to judge (--no-shipped-rules needs --rules FILE)");
    if (rc == DS_OK && o->waivers != NULL) {
        char *text;
        size_t len;
        rc = gate_host_file_read(o->waivers, &text, &len, err);
        if (rc == DS_OK)
            rc = gate_kspp_waivers_parse(waivers, rules, o->waivers, text, len, err);
        free(text);
    }
    return rc;
}

static gate_verdict_t verdict_of(gate_kspp_verdict_t v)
{
    switch (v) {
    case GATE_KSPP_OK: return GATE_VERDICT_OK;
    case GATE_KSPP_FAIL: return GATE_VERDICT_FAIL;
    case GATE_KSPP_WAIVED: return GATE_VERDICT_WAIVED;
    default: return GATE_VERDICT_NA;
    }
}

static void add_kernel(gate_result_t *result, const gate_kspp_kernel_t *k)
{
    for (size_t i = 0; i < k->count; i++) {
        const gate_kspp_result_t *r = &k->results[i];
        gate_item_t item = {
            .subject = r->rule->id,
            .context = k->config_file,
            .verdict = verdict_of(r->verdict),
            .check = r->rule->check_text,
            .found = r->found,
            .source = r->rule->source,
            .reason = r->rule->reason,
            .note = r->verdict == GATE_KSPP_WAIVED ? (char *)r->waiver_reason : r->why,
            .would_be = r->verdict == GATE_KSPP_WAIVED ? (char *)gate_kspp_verdict_name(r->unwaived) : NULL,
        };
        gate_result_add(result, &item);
    }
}

static void add_facts(gate_result_t *result, const gate_kspp_report_t *rep)
{
    for (size_t i = 0; i < rep->kernel_count; i++)
        gate_result_fact(result, "kernel configuration %s", rep->kernels[i].config_file
                                                                  ? rep->kernels[i].config_file
                                                                  : "(none found: kconfig rules are N/A)");
    for (size_t i = 0; i < rep->cmdlines.count; i++) {
        const gate_cmdline_entry_t *e = &rep->cmdlines.entries[i];
        gate_result_fact(result, "boot entry \"%s\" at %s:%u (kernel %s, %zu parameters)", e->title, e->file, e->line,
                         e->kernel[0] ? e->kernel : "?", e->count);
    }
    if (rep->cmdlines.count == 0)
        gate_result_fact(result, "no boot entry found (%zu boot loader files read): cmdline rules are N/A",
                         rep->boot_files);
    gate_result_fact(result, "%zu sysctl settings from the image's sysctl.d files and /etc/sysctl.conf",
                     rep->sysctl.count);
}

int gate_run_kspp(gate_files_t *files, const gate_kspp_options_t *options, gate_result_t *result, ds_error_t *err)
{
    gate_kspp_rules_t rules = {0};
    gate_kspp_waivers_t waivers = {0};
    gate_kspp_report_t report = {0};
    int rc = load_rules(options, &rules, &waivers, err);
    if (rc == DS_OK) {
        gate_result_fact(result, "%zu rules (%s%zu project file%s)%s", rules.count,
                         options->no_shipped_rules ? "" : "data/kspp-rules.txt and ", options->rule_count,
                         options->rule_count == 1 ? "" : "s", waivers.count ? ", waivers" : "");
        rc = gate_kspp_run(files, &rules, &waivers, &report, err);
        add_facts(result, &report);
        for (size_t i = 0; i < report.kernel_count; i++)
            add_kernel(result, &report.kernels[i]);
    }
    gate_kspp_report_free(&report);
    gate_kspp_waivers_free(&waivers);
    gate_kspp_rules_free(&rules);
    return rc;
}
