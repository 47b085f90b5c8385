/* imagegate's reporters: gate.json (docs/gate-schema.json) and the text table, from a finished
 * gate_result_t only (they never read an image). */
#ifndef GATE_REPORT_H
#define GATE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

typedef struct gate_report_info {
    const char *version;  /* imagegate's version */
    double seconds;       /* how long the gate ran */
    bool complete;        /* false when the gate stopped early (trouble): the report is partial */
} gate_report_info_t;

/* gate.json: every item, the counts per verdict, the problems, the verdict and exit status. */
void gate_report_json(FILE *out, const gate_result_t *result, const gate_report_info_t *info);
/* The text answer: the verdict line, what was examined, every failing, waived or documented
 * item (all items when all is true), the problems, and a count per verdict. */
void gate_report_text(FILE *out, const gate_result_t *result, bool all);
/* "PASS", "FAIL" or "TROUBLE" for an exit status. */
const char *gate_report_verdict(int exit_status);

#endif
