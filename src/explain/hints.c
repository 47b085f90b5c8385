/* What to say about a root difference no rule explained: first the catalogue row whose path
 * matches but whose signature did not hold (the nearest miss), then by what kind of difference
 * it is, with the command that shows the two copies. */
#include "hints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "causes.h"
#include "signatures.h"

#define DS_HINT_MAX 600

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* The innermost element naming a file (not a field), or NULL. */
static const char *innermost_file(const ds_difference_t *d)
{
    for (size_t i = d->depth; i > 0; i--)
        if (d->location[i - 1][0] == '/')
            return d->location[i - 1];
    return NULL;
}

/* "; to see both copies: ... unsquashfs -cat ..." when the file sits directly in a squashfs. */
static void extract_command(const ds_difference_t *d, const char *file, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i + 1 < d->depth; i++)
        if (d->location[i + 1] == file && ends_with(d->location[i], ".squashfs")) {
            snprintf(out, size, "; to see both copies: %s%s%sunsquashfs -cat %s '%s' > a, the same for B",
                     i > 0 ? "" : "extract ", i > 0 ? "" : d->location[i], i > 0 ? "" : " from A, then ",
                     i > 0 ? "A's squashfs" : "it", file);
            return;
        }
}

static const char *kind_hint(const ds_difference_t *d, bool text)
{
    switch (d->kind) {
    case DS_KIND_ADDED:
    case DS_KIND_REMOVED:
        return "present in one image only: find what writes it (dpkg -S on the path inside the image, the build's "
               "hooks and includes), or a package that differs (@packages)";
    case DS_KIND_MODE:
        return "permission bits differ beyond the umask bits: look for a chmod in a hook, or another package version";
    case DS_KIND_LINK:
        return "the symlink points elsewhere: an update-alternatives choice, a diversion or another package version";
    case DS_KIND_XATTR:
        return "extended attributes differ: setcap/setfattr in a hook, or a tool that copies attributes on one side";
    case DS_KIND_TYPE:
        return "the entry changed type (file, directory, link): a hook or a package replaced it";
    case DS_KIND_HEADER:
        return "a header field no catalogue rule names (docs/report-fields.md says what it holds): if its values are "
               "the build's date, host or a random id, the tool that wrote it needs SOURCE_DATE_EPOCH or a fixed seed";
    case DS_KIND_CONTENT:
        if (text)
            return "the changed lines hold no date, no reordering and no field a rule knows: read the diff; if a "
                   "generator wrote the file, run that step twice on one machine to see whether it varies by itself";
        return "no signature matched and no format opens it: its printable strings differ in more than dates; "
               "cmp -l on the two copies shows the bytes, file(1) names the format, and driftscope --deep-tool "
               "diffoscope shows the pair in diffoscope";
    default:
        return NULL;
    }
}

static char *hint_for(const ds_difference_t *d)
{
    const char *file = innermost_file(d);
    const char *where = d->location[d->depth - 1];
    char extract[256] = "", text[DS_HINT_MAX];
    if (file != NULL)
        extract_command(d, file, extract, sizeof extract);
    const ds_signature_t *near = file != NULL && where == file ? ds_signature_near(file) : NULL;
    if (near != NULL && d->kind == DS_KIND_CONTENT) {
        const ds_cause_t *c = ds_cause_find(ds_cause_name(near->cause));
        snprintf(text, sizeof text,
                 "nearest signature: the path is where %s lives (cause %s: %s), but the two copies do not show it%s",
                 near->what, ds_cause_name(near->cause), c != NULL ? c->recognised : "", extract);
        return ds_strdup(text);
    }
    bool is_text = d->detail != NULL && (strncmp(d->detail, "text", 4) == 0 || strstr(d->detail, "lines differ"));
    const char *what = kind_hint(d, is_text);
    if (what == NULL)
        return NULL;
    snprintf(text, sizeof text, "%s%s", what, extract);
    return ds_strdup(text);
}

void ds_explain_hints(ds_findings_t *findings)
{
    for (size_t i = 0; i < findings->count; i++) {
        ds_difference_t *d = &findings->items[i];
        if (d->secondary || d->hint != NULL || strcmp(d->cause, ds_cause_name(DS_CAUSE_UNKNOWN)) != 0)
            continue;
        d->hint = hint_for(d);
    }
}
