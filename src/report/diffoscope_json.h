/* The comparison tree in diffoscope's JSON format (diffoscope-json-version 1, as diffoscope's
 * presenters/json.py writes it and readers/json.py loads it), so that
 * `diffoscope --load-existing-diff FILE --html out.html` renders driftscope's findings with
 * diffoscope's own presenters.
 *
 * The root node is the two inputs; below it one node per location prefix, outermost first (a
 * location [/live/filesystem.squashfs, /etc/x, @gzip.mtime] nests as three nodes), each named
 * as diffoscope names a nested member: source1 = source2 = the location element (the member's
 * path inside its container). A difference is the node of its own location: unified_diff is its
 * excerpt when that is a unified text diff, else null; comments name the kind, the values A / B,
 * the cause, confidence and fix, and whether it is a root or secondary (follows X). Several
 * differences at one location become one child each, named by the kind. Every node has a
 * unified_diff, comments or details: diffoscope renders an empty node as a bare name.
 * Identical inputs give what `diffoscope --output-empty` writes: the root with no details. */
#ifndef DS_DIFFOSCOPE_JSON_H
#define DS_DIFFOSCOPE_JSON_H

#include <stdio.h>

#include "view.h"

/* Writes the tree to out, walking the findings once in location order (an index of pointers is
 * sorted; nothing else is held). Returns DS_OK, or DS_ERR_NOMEM with nothing written; write
 * errors are left in out's error state. */
int ds_diffoscope_json_write(FILE *out, const ds_report_view_t *view);

#endif
