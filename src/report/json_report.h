/* report.json, for machines: format driftscope-report/1 (../shared/report-schema.json), written
 * from the view alone with the streaming writer of json.h. */
#ifndef DS_JSON_REPORT_H
#define DS_JSON_REPORT_H

#include <stdio.h>

#include "view.h"

/* Writes the whole document to out; write errors are left in out's error state. */
void ds_json_report_write(FILE *out, const ds_report_view_t *view);

#endif
