/* Glue shared by the stages that classify differing files: the classifier's verdict goes onto
 * the file's own difference, and what it found inside is added below the file's location. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "run.h"

void ds_stage_add_classified(ds_run_t *run, const char *stage, const char *const *prefix,
                             size_t depth, ds_difference_t *outer, const ds_classified_t *cls)
{
    if (cls->limit[0] != '\0')
        ds_run_limit(run, "%s: %s", stage, cls->limit);
    if (cls->damaged)
        run->damaged_inside = true;
    if (outer != NULL && cls->detail[0] != '\0') {
        size_t len = strlen(outer->detail ? outer->detail : "");
        char *joined = malloc(len + strlen(cls->detail) + 3);
        if (joined != NULL) {
            sprintf(joined, "%s%s%s", outer->detail ? outer->detail : "", len ? "; " : "", cls->detail);
            free(outer->detail);
            outer->detail = joined;
        }
    }
    if (outer != NULL && cls->cause != NULL && strcmp(outer->cause, "unknown") == 0) {
        const ds_cause_t *c = ds_cause_find(cls->cause);
        ds_difference_explain(outer, cls->cause, cls->confidence, c ? c->fix : NULL, false);
    }
    if (outer != NULL && cls->judged) {
        outer->judged = true;
        outer->secondary = cls->accounted;
        outer->format = cls->format;
    }
    for (size_t i = 0; i < cls->nested.count; i++) {
        const ds_difference_t *n = &cls->nested.items[i];
        const char *loc[DS_LOCATION_MAX];
        size_t d = 0;
        for (size_t k = 0; k < depth && d < DS_LOCATION_MAX; k++)
            loc[d++] = prefix[k];
        for (size_t k = 0; k < n->depth && d < DS_LOCATION_MAX; k++)
            loc[d++] = n->location[k];
        ds_difference_t *added = ds_findings_add(&run->findings, stage, n->kind, loc, d, n->a, n->b, n->detail);
        if (added == NULL)
            continue;
        if (strcmp(n->cause, "unknown") != 0) {
            const ds_cause_t *c = ds_cause_find(n->cause);
            ds_difference_explain(added, n->cause, n->confidence, c ? c->fix : NULL, n->secondary);
        }
        added->secondary = n->secondary;
        added->judged = n->judged;
        added->format = n->format;
        if (n->excerpt != NULL && added->excerpt == NULL)
            added->excerpt = strdup(n->excerpt);
    }
}
