/* The cause catalogue: every known cause of a non-reproducible OS image that driftscope can
 * name, with how it is recognised and its usual fix. Built from ../shared/CAUSES.md and the
 * reproducible-builds issue vocabulary (../shared/data/reproducible-notes-issues.yml). */
#ifndef DS_CAUSES_H
#define DS_CAUSES_H

#include <stdio.h>

typedef struct ds_cause {
    const char *id;          /* report.json "cause" */
    const char *title;       /* one line for people */
    const char *recognised;  /* the evidence driftscope looks for */
    const char *fix;         /* the usual remedy; NULL when none is known */
    const char *notes_tag;   /* the reproducible-notes issue type, when one fits */
} ds_cause_t;

/* The entry for id, or NULL. */
const ds_cause_t *ds_cause_find(const char *id);

/* Every entry, in catalogue order; *count receives how many. */
const ds_cause_t *ds_causes_all(size_t *count);

/* Writes the catalogue as a Markdown table (driftscope --list-causes). */
void ds_causes_print(FILE *out);

#endif
