/* Consequences: differences that follow from another difference in the same layer (a squashfs
 * rebuilt with another block size rewrites its data and every table position; an added file
 * changes its directory's mtime). The rules are a table (consequences.c); each match makes the
 * consequence secondary and names its root in report.json "follows". */
#ifndef DS_CONSEQUENCES_H
#define DS_CONSEQUENCES_H

#include "../model/findings.h"

/* Applies the consequence table to every difference that names no root yet. Run after the
 * causes are set (the explain pass). Out of memory leaves the findings as they were, or with
 * some consequences named: never inconsistent. */
void ds_consequences_apply(ds_findings_t *findings);

#endif
