/* Classifiers for a pair of differing files: look inside the formats a live image is made of
 * (gzip streams, .pyc headers, ELF sections, text, FAT images, cpio/tar archives) and say what
 * differs there and why. Each reads through ds_source_t only, in bounded windows, and reports
 * nested differences with locations relative to the file (["@gzip.mtime"], ["/etc/x"]). */
#ifndef DS_CLASSIFY_H
#define DS_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "../model/findings.h"
#include "../util/clock.h"
#include "../util/source.h"

#define DS_CLASSIFY_TEXT_MAX (4u << 20)      /* text files examined line by line */

typedef struct ds_classified {
    const char *cause;      /* catalogue id, or NULL when no signature matched */
    const char *confidence; /* "certain", "likely", "guess" */
    char detail[400];       /* what was found, for people */
    const char *format;     /* the format recognised ("gzip", "elf", ...), or NULL */
    ds_findings_t nested;   /* differences inside, locations relative to the file */
    char limit[DS_ERROR_MESSAGE_MAX]; /* a limit that stopped the look inside (a bomb, the memory budget) */
    bool damaged;           /* a layer inside was damaged or hostile (not a setting such as
                             * --max-depth): the comparison is incomplete, exit status 2 */
    bool judged;            /* the comparer decided whether the differences inside account for */
    bool accounted;         /* every differing byte of the pair (then its difference is secondary) */
    char *excerpt;          /* owned: a bounded diff of the innermost pair, or NULL */
    uint64_t layers_opened; /* format layers the comparer opened inside the pair (each pair of
                             * sides once): only differing members are opened */
} ds_classified_t;

/* Classifies the pair a/b found at `path` (used for path-based hints such as .pyc). depth_left
 * bounds recursion into nested containers. Returns 0; damage inside a file is described in
 * out->detail, not returned as an error. */
#define DS_CLASSIFY_NOT_TEXT 0x1u /* the caller already knows the pair is binary */

int ds_classify_pair(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                     unsigned flags, const ds_deadline_t *deadline, ds_classified_t *out);

void ds_classified_free(ds_classified_t *c);

#endif
