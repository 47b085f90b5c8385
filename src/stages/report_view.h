/* The read-only view the reports are written from, taken from the run once every stage but the
 * report has finished (stages/report_view.c). */
#ifndef DS_STAGES_REPORT_VIEW_H
#define DS_STAGES_REPORT_VIEW_H

#include "run.h"
#include "../report/view.h"

/* The rows a view points to, kept by the caller while the view is used. */
typedef struct ds_report_rows {
    ds_report_stage_t stages[DS_STAGE_COUNT];
    ds_report_layer_t layers[DS_CONTAINERS_MAX];
    ds_report_deep_t deep[DS_DEEP_JOBS_MAX];
} ds_report_rows_t;

/* Fills view from run, its rows in rows; both point into run and are valid until run changes
 * (a stage message may move when a failure is appended: build the view again after one). The
 * report stage, still running, reads "ok" with the seconds recorded so far. */
void ds_report_view_build(const ds_run_t *run, const char *verdict, ds_report_view_t *view,
                          ds_report_rows_t *rows);

/* The verdict in words ("IDENTICAL", "DIFFERENT", ...), from the exit status (stages/report.c). */
const char *ds_run_verdict(const ds_run_t *run);

#endif
