/* The classifiers on a pair: the input is split in two at a point its first bytes choose, and
 * its first byte picks the path hint (.pyc, /etc/shadow, a log, a plain name). Covers the pyc,
 * text, gzip, compressed-stream, archive, FAT and ELF comparisons. */
#include <string.h>

#include "explain/classify.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    static const char *const paths[] = {"/usr/lib/x.pyc", "/etc/shadow", "/var/log/dpkg.log", "/etc/file"};
    const char *path = paths[data[0] & 3];
    size_t split = ((size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3]) % (size - 3);
    const uint8_t *a = data + 4;
    size_t la = split, lb = size - 4 - split;
    ds_source_t *sa = fuzz_source(a, la), *sb = fuzz_source(a + la, lb);
    if (sa != NULL && sb != NULL) {
        ds_classified_t out;
        ds_classify_pair(sa, sb, path, 4, 0, NULL, &out);
        ds_classified_free(&out);
    }
    ds_source_close(sa);
    ds_source_close(sb);
    return 0;
}
