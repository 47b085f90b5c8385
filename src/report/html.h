/* report.html: one self-contained page (no network, no external scripts, styles or fonts),
 * readable without JavaScript. It leads with the verdict and the cause table, then a picture
 * of where the differing bytes lie, then the layers as collapsible sections with each
 * difference, its secondary consequences folded under it, and its diff excerpt. */
#ifndef DS_HTML_H
#define DS_HTML_H

#include <stdio.h>

#include "view.h"

#define DS_HTML_DIFFERENCES_SHOWN 2000 /* differences rendered into the page; all are in report.json */

void ds_html_write(FILE *out, const ds_report_view_t *view);

#endif
