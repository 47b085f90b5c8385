/* checklist.md, for people: the verdict and the cause table first, then the inputs, the stage
 * table, accepted differences, limits hit, where to look next, and every finding as a box to
 * tick (the first DS_CHECKLIST_DIFFERENCES_SHOWN of them; all are in report.json). */
#ifndef DS_CHECKLIST_H
#define DS_CHECKLIST_H

#include <stdio.h>

#include "view.h"

#define DS_CHECKLIST_DIFFERENCES_SHOWN 300

/* Writes the whole document to out; write errors are left in out's error state. */
void ds_checklist_write(FILE *out, const ds_report_view_t *view);

#endif
