/* Image-level files on the ISO, outside the squashfs (CAUSES.md table 1f: .disk/info, checksum
 * lists, boot menus, the on-image repository) and the kernel and its modules (1g). */
#include <stddef.h>

#include "signatures_internal.h"

static const ds_signature_t rules[] = {
    {"/live/filesystem.packages", DS_CAUSE_PACKAGE_VERSION, "likely", NULL, "live-build's package list"},
};

const ds_signature_t *ds_signatures_image(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}
