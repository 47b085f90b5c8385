/* The kspp gate's text parsers (src/gate/kconfig.c, cmdline.c, sysctl.c, kspp_rules.c) on one
 * input: the first byte picks the parser, the rest is the text; a parsed kconfig, boot set or
 * rules table is then looked up or judged, as the gate would. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gate/kspp.h"

static const char rules_text[] = "A | kconfig CONFIG_A=y or cmdline quiet and sysctl k.a>=1 |  | s | r\n"
                                 "B | cmdline init_on_alloc!=0 | kconfig CONFIG_X86_64=y | s | r\n";

static void judge(const gate_kconfig_t *kconfig, const gate_cmdline_set_t *set, const gate_sysctl_t *sysctl)
{
    gate_kspp_rules_t rules = {0};
    gate_kspp_kernel_t kernel;
    if (gate_kspp_rules_parse(&rules, "rules", rules_text, strlen(rules_text), NULL) == DS_OK) {
        gate_kspp_inputs_t in = {kconfig, set, sysctl};
        gate_kspp_evaluate(&rules, NULL, &in, &kernel, NULL);
        gate_kspp_kernel_free(&kernel);
    }
    gate_kspp_rules_free(&rules);
}

static void rules_and_waivers(const char *text, size_t len)
{
    gate_kspp_rules_t rules = {0};
    gate_kspp_waivers_t waivers = {0};
    ds_error_t err = {0};
    gate_kspp_rules_parse(&rules, "rules", text, len, &err);
    gate_kspp_waivers_parse(&waivers, &rules, "waivers", text, len, &err);
    gate_kconfig_t kconfig = {0};
    judge(gate_kconfig_parse(&kconfig, "k", "CONFIG_A=y\n", 11, NULL) == DS_OK ? &kconfig : NULL, NULL, NULL);
    gate_kconfig_free(&kconfig);
    gate_kspp_waivers_free(&waivers);
    gate_kspp_rules_free(&rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    ds_error_t err = {0};
    gate_kconfig_t kconfig = {0};
    gate_cmdline_set_t set = {0};
    gate_sysctl_t sysctl = {0};
    switch (data[0] % 6) {
    case 0:
        if (gate_kconfig_parse(&kconfig, "config", text, len, &err) == DS_OK)
            judge(&kconfig, NULL, NULL);
        break;
    case 1:
        gate_cmdline_parse_grub(&set, "grub.cfg", text, len, &err);
        judge(NULL, &set, NULL);
        break;
    case 2:
        gate_cmdline_parse_syslinux(&set, "isolinux.cfg", text, len, &err);
        judge(NULL, &set, NULL);
        break;
    case 3:
        gate_cmdline_parse_default_grub(&set, "grub", text, len, &err);
        break;
    case 4:
        gate_sysctl_parse(&sysctl, "sysctl.conf", text, len, &err);
        judge(NULL, NULL, &sysctl);
        break;
    default:
        rules_and_waivers(text, len);
        break;
    }
    gate_kconfig_free(&kconfig);
    gate_cmdline_set_free(&set);
    gate_sysctl_free(&sysctl);
    return 0;
}
