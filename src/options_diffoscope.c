#include "options_diffoscope.h"

#include <string.h>

/* diffoscope 240's long options (diffoscope/main.py), but those options.c accepts itself. */
static const char *const diffoscope_options[] = {
    "css", "debug", "diff-context", "diff-mask", "difftool", "exclude-command",
    "exclude-directory-metadata", "extended-filesystem-attributes", "force-details",
    "fuzzy-threshold", "html-dir", "jquery", "list-debian-substvars", "list-missing-tools",
    "list-tools", "load-existing-diff", "markdown", "max-container-depth",
    "max-diff-block-lines", "max-diff-block-lines-saved", "max-diff-input-lines",
    "max-page-diff-block-lines", "max-page-size", "max-text-report-size", "new-file", "no",
    "no-default-limits", "no-extended-filesystem-attributes", "no-progress", "output-empty",
    "pdb", "profile", "progress", "restructured-text", "status-fd", "tool-prefix-binutils",
    "use-dbgsym",
};

bool ds_diffoscope_option_known(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return false;
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    for (size_t i = 0; i < sizeof diffoscope_options / sizeof diffoscope_options[0]; i++)
        if (strlen(diffoscope_options[i]) == len && strncmp(diffoscope_options[i], name, len) == 0)
            return true;
    return false;
}
