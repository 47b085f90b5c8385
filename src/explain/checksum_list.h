/* Checksum lists on the image: live-build's binary_checksums writes md5sum.txt, sha256sum.txt
 * (one line per file of the ISO). Their lines change whenever a file they list changes: the
 * list is then a consequence of those files, not a cause of its own. */
#ifndef DS_CHECKSUM_LIST_H
#define DS_CHECKSUM_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/findings.h"
#include "../util/source.h"

#define DS_CHECKSUM_LIST_LINES_MAX 200000 /* lines of one list; more: not judged */

/* The signature check (signatures_image.c): both sides are checksum lists and some of their
 * lines differ (not only their order: that is sort-order, for the text classifier). detail
 * receives "checksum lines differ for N files: ./a, ./b" (", ... (list cut)" when they do not
 * all fit). Reads at most DS_SIGNATURE_READ_MAX bytes per side. */
bool ds_checksum_list_check(ds_source_t *a, ds_source_t *b, char *detail, size_t size);

/* Makes each checksum-list difference whose every differing line names a file that itself
 * differs in the comparison (content, size, type, added, removed) follow the first of them.
 * A list naming a file that does not differ, or whose names were cut, stays a root. */
void ds_checksum_list_explain(ds_findings_t *findings);

#endif
