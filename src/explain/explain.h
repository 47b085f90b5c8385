/* The explain pass: gives every difference that still says "unknown" a cause from the
 * catalogue where its location and kind match a known signature, and marks consequences as
 * secondary (layout moves, CRCs, values derived from another difference, a container whose
 * differences are all reported inside it). Runs once, over the findings, before the reports. */
#ifndef DS_EXPLAIN_H
#define DS_EXPLAIN_H

#include "../model/findings.h"

void ds_explain_findings(ds_findings_t *findings);

/* Gives every difference its cause's reproducible-builds notes tag (report.json "notes_tag"):
 * run last, once every cause is settled. */
void ds_explain_notes_tags(ds_findings_t *findings);

/* True for a location element naming a field of one entry rather than of a container: an ISO
 * node's Rock Ridge stamps ("@iso.rr.tf.access"), a zip/cpio/ar member's header fields
 * ("@zip.member.ut.mtime", "@cpio.member.ino"). */
bool ds_explain_entry_field(const char *where);

#endif
