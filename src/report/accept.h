/* --accept FILE: known, documented differences that do not fail the gate. One rule a line:
 *
 *     LOCATION-GLOB [kind=KIND] [cause=CAUSE] -- REASON
 *
 * LOCATION-GLOB matches the difference's location written with " :: " between its elements
 * (fnmatch: "* :: /var/log/dpkg.log" matches it inside any container). Blank lines and lines that
 * start with '#' are ignored. A difference matched by a rule is reported as accepted with the
 * rule's reason; when every root difference is accepted the exit status is 0. */
#ifndef DS_ACCEPT_H
#define DS_ACCEPT_H

#include <stddef.h>

#include "../util/error.h"
#include "../model/findings.h"

typedef struct ds_accept_rule {
    char *glob;
    char *kind;   /* NULL: any */
    char *cause;  /* NULL: any */
    char *reason;
    unsigned line;
    size_t matched;
} ds_accept_rule_t;

typedef struct ds_accept {
    ds_accept_rule_t *rules;
    size_t count;
} ds_accept_t;

/* Reads the rules; a malformed line is an error naming the file and the line number. */
int ds_accept_load(ds_accept_t *accept, const char *path, ds_error_t *err);

/* The first rule matching d, or NULL. */
ds_accept_rule_t *ds_accept_match(ds_accept_t *accept, const ds_difference_t *d);

void ds_accept_free(ds_accept_t *accept);

#endif
