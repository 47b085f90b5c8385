/* The classifier for cpio and tar archives: member headers, data digests and order. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/strbuf.h"
#include "classify_internal.h"
#include "../readers/archive.h"

/* --- archives (cpio, tar) ----------------------------------------------------------------- */

void ds_classify_archive(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline,
                             ds_classified_t *out)
{
    ds_archive_list_t la, lb;
    ds_error_t err = {0};
    int ra = ds_archive_list_read(a, &la, deadline, &err);
    int rb = ra == DS_OK ? ds_archive_list_read(b, &lb, deadline, &err) : (memset(&lb, 0, sizeof lb), -1);
    if (ra != DS_OK || rb != DS_OK) {
        ds_classify_verdict(out, "archive", NULL, NULL, "archive not fully read: %s", err.message);
        if (err.code == DS_ERR_LIMIT)
            snprintf(out->limit, sizeof out->limit, "%s", err.message);
        goto out;
    }
    size_t i = 0, k = 0, differences = 0, metadata_only = 0;
    bool same_set = la.count == lb.count;
    while (i < la.count || k < lb.count) {
        int order = i == la.count ? 1 : k == lb.count ? -1 : strcmp(la.items[i].path, lb.items[k].path);
        if (order != 0) {
            same_set = false;
            const ds_archive_member_t *m = order < 0 ? &la.items[i++] : &lb.items[k++];
            ds_classify_nested(out, order < 0 ? DS_KIND_REMOVED : DS_KIND_ADDED, m->path, NULL, NULL,
                   order < 0 ? "member present only in A" : "member present only in B", NULL, NULL, false);
            differences++;
            continue;
        }
        const ds_archive_member_t *x = &la.items[i++], *y = &lb.items[k++];
        char va[64], vb[64], detail[128];
        bool meta = false;
        if (x->mtime != y->mtime) {
            ds_format_utc(x->mtime, va, sizeof va);
            ds_format_utc(y->mtime, vb, sizeof vb);
            snprintf(detail, sizeof detail, "member mtime differs by %+" PRId64 " s", y->mtime - x->mtime);
            ds_classify_nested(out, DS_KIND_MTIME, x->path, va, vb, detail, "cpio-metadata", "certain", false);
            meta = true;
        }
        if (x->mode != y->mode) {
            snprintf(va, sizeof va, "%04o", x->mode & 07777);
            snprintf(vb, sizeof vb, "%04o", y->mode & 07777);
            ds_classify_nested(out, (x->mode ^ y->mode) & 0170000 ? DS_KIND_TYPE : DS_KIND_MODE, x->path, va, vb,
                   "member mode differs", NULL, NULL, false);
            meta = true;
        }
        if (x->uid != y->uid || x->gid != y->gid) {
            snprintf(va, sizeof va, "%" PRIu32 ":%" PRIu32, x->uid, x->gid);
            snprintf(vb, sizeof vb, "%" PRIu32 ":%" PRIu32, y->uid, y->gid);
            ds_classify_nested(out, DS_KIND_OWNER, x->path, va, vb, "member owner differs", "owner", "certain", false);
            meta = true;
        }
        if (x->ino != y->ino || x->nlink != y->nlink || x->dev != y->dev) {
            snprintf(va, sizeof va, "ino %" PRIu64 " nlink %" PRIu32, x->ino, x->nlink);
            snprintf(vb, sizeof vb, "ino %" PRIu64 " nlink %" PRIu32, y->ino, y->nlink);
            ds_classify_nested(out, DS_KIND_HEADER, x->path, va, vb, "member inode/device/nlink fields differ",
                   "cpio-metadata", "certain", false);
            meta = true;
        }
        if (strcmp(x->link ? x->link : "", y->link ? y->link : "") != 0) {
            ds_classify_nested(out, DS_KIND_LINK, x->path, x->link ? x->link : "", y->link ? y->link : "",
                   "symlink target differs", NULL, NULL, false);
            meta = true;
        }
        if (x->size != y->size || memcmp(x->sha256, y->sha256, 32) != 0) {
            snprintf(va, sizeof va, "%" PRIu64 " bytes", x->size);
            snprintf(vb, sizeof vb, "%" PRIu64 " bytes", y->size);
            ds_classify_nested(out, DS_KIND_CONTENT, x->path, va, vb, "member data differ (SHA-256)", NULL, NULL, false);
            differences++;
        } else if (meta) {
            metadata_only++;
        }
    }
    /* Same members, another sequence: the order is the difference. */
    bool reordered = false;
    if (same_set) {
        for (size_t m = 0; m < la.count && !reordered; m++)
            reordered = la.items[m].index != lb.items[m].index;
        if (reordered)
            ds_classify_nested(out, DS_KIND_ORDER, "@cpio.order", NULL, NULL, "the same members in another order",
                   "archive-order", "certain", false);
    }
    if (differences == 0 && metadata_only > 0)
        ds_classify_verdict(out, "archive", "cpio-metadata", "certain",
                "%s: %zu members differ only in their headers (mtime, owner, inode, nlink)", la.format, metadata_only);
    else if (differences == 0 && reordered)
        ds_classify_verdict(out, "archive", "archive-order", "certain", "%s: the same members in another order", la.format);
    else if (differences == 0 && out->nested.count == 0)
        ds_classify_verdict(out, "archive", "compression-only", "likely",
                "%s: every member is equal; only the packing or compression differs", la.format);
    else
        ds_classify_verdict(out, "archive", NULL, NULL,
                            "%s (%u segment%s): %zu members differ or were added/removed, %zu in their headers only",
                            la.format, la.segments, la.segments == 1 ? "" : "s", differences, metadata_only);
out:
    ds_archive_list_free(&la);
    ds_archive_list_free(&lb);
}

