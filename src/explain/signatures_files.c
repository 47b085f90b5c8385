/* Configuration, state, logs and leftovers in the root file system (CAUSES.md table 1e):
 * where each lives and what differs in it. */
#include <stddef.h>

#include "signatures_internal.h"

static const ds_signature_t rules[] = {
    {"/etc/machine-id|/var/lib/dbus/machine-id", DS_CAUSE_RANDOM_ID, "likely", NULL, "a machine id"},
    {"/etc/ssh/ssh_host_*", DS_CAUSE_CRYPTO_KEY, "likely", NULL, "an SSH host key"},
    {"/etc/ssl/certs/ssl-cert-snakeoil.pem|/etc/ssl/private/ssl-cert-snakeoil.key", DS_CAUSE_CRYPTO_KEY, "likely",
     NULL, "the snakeoil certificate"},
    {"/var/log/*", DS_CAUSE_LOG_FILE, "likely", NULL, "a log file"},
    {"/var/lib/dpkg/status|/var/lib/dpkg/status-old", DS_CAUSE_PACKAGE_VERSION, "likely", NULL,
     "dpkg's status database"},
};

const ds_signature_t *ds_signatures_files(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}
