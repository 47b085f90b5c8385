/* The AppArmor profile parser and the glob matcher (src/gate/apparmor_*.c) on one input: the
 * text up to its last newline is a profile file, the rest a path; the path is matched against
 * every attachment (gate_aa_attach) and against the text's first line taken as a glob. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gate/apparmor_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text); /* a NUL ends the input */
    char *cut = strrchr(text, '\n');
    const char *path = cut != NULL ? cut + 1 : "/usr/bin/x";
    if (cut != NULL)
        *cut = '\0';
    size_t text_len = cut != NULL ? (size_t)(cut - text) : len;
    gate_aa_policy_t policy;
    gate_aa_policy_init(&policy);
    ds_error_t err = {0};
    if (gate_aa_policy_parse(&policy, "/etc/apparmor.d/fuzz", text, text_len, NULL, 0, &err) == 0) {
        gate_aa_attachment_t at;
        (void)gate_aa_attach(&policy, path, &at, &err);
    }
    gate_aa_policy_free(&policy);
    char *nl = strchr(text, '\n');
    if (nl != NULL)
        *nl = '\0';
    gate_aa_match_t how;
    (void)gate_aa_glob_match(text, path, &how, &err);
    free(text);
    return 0;
}
