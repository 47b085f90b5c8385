/* Every catalogue signature check (src/explain/signatures_*.c) on a pair, and the dpkg manifest
 * readers (src/decode/dpkg_manifest.c) on one input: the first byte picks the rule (or a
 * reader), the next three where the input is split into the two sides. */
#include <string.h>

#include "decode/dpkg_manifest.h"
#include "explain/signatures.h"
#include "fuzz_common.h"

static void manifests(ds_source_t *src, unsigned which)
{
    ds_dpkg_manifest_t m;
    ds_dpkg_paths_t p;
    ds_error_t err = {0};
    memset(&m, 0, sizeof m);
    memset(&p, 0, sizeof p);
    if (which == 0 && ds_dpkg_read_status(src, "status", &m, &err) == DS_OK)
        (void)ds_dpkg_version(&m, "silver-doc");
    else if (which == 1)
        ds_dpkg_read_packages(src, "packages", &m, &err);
    else if (which == 2)
        ds_dpkg_read_list(src, "list", &p, &err);
    ds_dpkg_manifest_free(&m);
    ds_dpkg_paths_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t rules = 0;
    while (ds_signature_at(rules) != NULL)
        rules++;
    size_t pick = data[0] % (rules + 3);
    size_t split = ((size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3]) % (size - 3);
    const uint8_t *a = data + 4;
    size_t la = split, lb = size - 4 - split;
    ds_source_t *sa = fuzz_source(a, la), *sb = fuzz_source(a + la, lb);
    if (sa != NULL && sb != NULL) {
        if (pick >= rules) {
            manifests(sa, (unsigned)(pick - rules));
        } else if (ds_signature_at(pick)->check != NULL) {
            char detail[400];
            ds_signature_at(pick)->check(sa, sb, detail, sizeof detail);
        }
    }
    ds_source_close(sa);
    ds_source_close(sb);
    return 0;
}
