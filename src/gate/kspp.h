/* The kspp gate: every rule of a rules table judged against an image's kernel configuration,
 * kernel command lines and sysctl settings. */
#ifndef GATE_KSPP_H
#define GATE_KSPP_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "cmdline.h"
#include "files.h"
#include "kconfig.h"
#include "kspp_rules.h"
#include "sysctl.h"

typedef enum gate_kspp_verdict {
    GATE_KSPP_OK,
    GATE_KSPP_FAIL,
    GATE_KSPP_WAIVED,
    GATE_KSPP_NA,
} gate_kspp_verdict_t;

/* A short upper-case name: "OK", "FAIL", "WAIVED", "N/A". */
const char *gate_kspp_verdict_name(gate_kspp_verdict_t verdict);

typedef struct gate_kspp_result {
    const gate_kspp_rule_t *rule; /* borrowed from the rules: id, check_text, source, reason */
    gate_kspp_verdict_t verdict;
    gate_kspp_verdict_t unwaived; /* OK, FAIL or N/A: the verdict without the waiver */
    char *found;  /* owned: each term's value and where ("CONFIG_X=m at /boot/config-6.1.0:1234") */
    char *why;    /* owned: why N/A (also kept when waived), else NULL */
    const char *waiver_reason; /* borrowed from the waivers when WAIVED, else NULL */
} gate_kspp_result_t;

/* The results for one kernel configuration. */
typedef struct gate_kspp_kernel {
    char *config_file; /* "/boot/config-6.1.0-27-amd64", or NULL when the image has none */
    gate_kspp_result_t *results; /* one per rule, in the rules' order */
    size_t count;
    size_t verdicts[4]; /* how many results have each verdict (index: gate_kspp_verdict_t) */
} gate_kspp_kernel_t;

/* What the rules are judged against; any may be NULL (its terms are then N/A). */
typedef struct gate_kspp_inputs {
    const gate_kconfig_t *kconfig;
    const gate_cmdline_set_t *cmdlines; /* NULL or empty: no boot loader configuration */
    const gate_sysctl_t *sysctl;
} gate_kspp_inputs_t;

/* Judges every rule against inputs into *kernel (config_file is copied from inputs->kconfig;
 * waivers may be NULL). A cmdline rule is judged on every boot entry and fails if any entry
 * fails. Free with gate_kspp_kernel_free; rules and waivers must outlive it. */
int gate_kspp_evaluate(const gate_kspp_rules_t *rules, const gate_kspp_waivers_t *waivers,
                       const gate_kspp_inputs_t *inputs, gate_kspp_kernel_t *kernel, ds_error_t *err);
void gate_kspp_kernel_free(gate_kspp_kernel_t *kernel);

/* The whole gate on an image. */
typedef struct gate_kspp_report {
    gate_kspp_kernel_t *kernels; /* one per readable /boot/config-* in name order; one with
                                    config_file NULL when there is none (or none parses) */
    size_t kernel_count;
    gate_cmdline_set_t cmdlines; /* the boot entries found */
    gate_sysctl_t sysctl;        /* the sysctl settings found */
    size_t boot_files;           /* boot loader configuration files read */
} gate_kspp_report_t;

/* Runs the gate on files: reads /boot/config-* (root filesystem), the boot loader
 * configurations (boot medium; on an image without one, the same files in the root filesystem
 * and /etc/default/grub), the sysctl files, and judges the rules for each kernel. Start with a
 * zeroed *report; free it with gate_kspp_report_free in every case. On trouble (an unreadable
 * or malformed file) the first error is returned and named in err, and report keeps everything
 * that could still be judged (a partial report). */
int gate_kspp_run(gate_files_t *files, const gate_kspp_rules_t *rules, const gate_kspp_waivers_t *waivers,
                  gate_kspp_report_t *report, ds_error_t *err);
void gate_kspp_report_free(gate_kspp_report_t *report);

#endif
