/* Generated caches and binary databases in the root file system (CAUSES.md table 1e): where
 * each lives and what differs in it when the build is the only thing that changed. */
#include <stddef.h>

#include "signatures_internal.h"

static const ds_signature_t rules[] = {
    {"/var/cache/ldconfig/aux-cache", DS_CAUSE_LDCONFIG_AUX_CACHE, "likely", NULL, "ldconfig's auxiliary cache"},
    {"/var/cache/fontconfig/*", DS_CAUSE_FONTCONFIG_CACHE, "likely", NULL, "a fontconfig cache"},
    {"*/.uuid", DS_CAUSE_FONTCONFIG_CACHE, "likely", NULL, "a fontconfig directory UUID"},
    {"/var/cache/man/*", DS_CAUSE_MAN_DB_INDEX, "likely", NULL, "a man-db index"},
};

const ds_signature_t *ds_signatures_caches(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}
