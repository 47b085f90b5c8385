/* Hints for the roots nothing explained (issue 11 item 6): the nearest catalogue signature that
 * almost matched, and what to run next. */
#ifndef DS_HINTS_H
#define DS_HINTS_H

#include "../model/findings.h"

/* Gives every root difference whose cause is "unknown" a one-line hint (report.json "hint"). */
void ds_explain_hints(ds_findings_t *findings);

#endif
