/* The answer as plain text, for a terminal, a rebuilder's log or a CI job: the verdict, the
 * root causes with their fixes (as the summary prints them), trouble and limits, then each root
 * difference with its bounded diff. Written from the same read-only view as checklist.md. */
#ifndef DS_TEXT_REPORT_H
#define DS_TEXT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "view.h"

/* Lines of one difference's excerpt shown; the rest is counted. */
#define DS_TEXT_EXCERPT_LINES 20
/* Bytes of one excerpt line shown; a longer line ends in "...". */
#define DS_TEXT_LINE_MAX 400
/* Root differences shown in all; the rest are counted. */
#define DS_TEXT_DIFFERENCES_SHOWN 50

typedef struct ds_text_style {
    bool color;       /* ANSI colours on the verdict, cause ids and diff lines */
    const char *rest; /* where everything not shown is, in words (e.g. "OUTDIR/report.json") */
} ds_text_style_t;

/* Writes the answer to out; write errors are left in out's error state. Every value from the
 * inputs is escaped to one printable line, so no image can write a terminal escape. */
void ds_text_report_write(FILE *out, const ds_report_view_t *view, const ds_text_style_t *style);

#endif
