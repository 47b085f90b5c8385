/* The build-level root: when the dates that differ across the layers are the two builds' own
 * dates (the ISO volume dates, the squashfs mkfs time, the mtimes clamped to SOURCE_DATE_EPOCH,
 * the FAT and cpio dates, gzip/pyc/PE/ext4 header times), one root difference at
 * ["@build.date"] (cause source-date-epoch) holds the build date of each side, and every
 * difference that follows from it names it in "follows". The rule is written down in
 * docs/report-fields.md ("@build.date"). */
#ifndef DS_BUILD_DATE_H
#define DS_BUILD_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../model/findings.h"

#define DS_BUILD_DATE_CARRIERS_MIN 3 /* differences carrying exactly the two instants */
#define DS_BUILD_DATE_SOURCES_MIN 2  /* independent fields among them */

typedef struct ds_build_date {
    bool found;
    int64_t a, b;        /* the build date of each side, Unix seconds */
    size_t carriers;     /* differences carrying exactly a and b */
    size_t sources;      /* independent fields among them */
    char fields[240];    /* the first few of those fields, for people */
} ds_build_date_t;

/* Infers the two build dates from the findings (nothing is changed). */
void ds_build_date_infer(const ds_findings_t *findings, ds_build_date_t *out);

/* Runs after every other explanation (ds_explain_findings calls it last): infers the build
 * dates; when found, adds the @build.date root, makes the date-derived differences follow it
 * and gives the mtimes older than both build dates the cause unclamped-mtime. Then makes the
 * checksum lists whose lines differ only for differing files follow them (checksum_list.c).
 * Out of memory leaves the differences as they were. */
void ds_build_date_explain(ds_findings_t *findings);

/* The first calendar date written in value (any spelling dates.h knows), in Unix seconds. */
bool ds_build_date_instant(const char *value, int64_t *seconds);

#endif
