/* The inventory of ../shared/CAUSES.md table 1: every row, the cause id driftscope reports it
 * with, the rule that recognises it (or why it cannot be checked on the two images), and the
 * end-to-end test that builds the difference and asserts the cause. driftscope --list-causes
 * prints it after the catalogue (docs/causes.md); test_causes_rows.sh holds it to CAUSES.md. */
#ifndef DS_ROWS_H
#define DS_ROWS_H

#include <stddef.h>
#include <stdio.h>

typedef struct ds_cause_row {
    const char *section; /* "1a" .. "1g": the CAUSES.md table */
    const char *row;     /* the row's first column, verbatim */
    const char *cause;   /* the cause id reported, or NULL when the row cannot be checked */
    const char *rule;    /* where and how it is recognised; or why it cannot be checked */
    const char *test;    /* tests/e2e/<test> that asserts the cause, or NULL */
} ds_cause_row_t;

const ds_cause_row_t *ds_cause_rows(size_t *count);

/* The inventory as a Markdown table, with each cause's notes tag. */
void ds_cause_rows_print(FILE *out);

#endif
