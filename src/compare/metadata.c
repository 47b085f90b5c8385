#include "metadata.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/clock.h"
#include "../util/strbuf.h"

static int text_compare(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

void ds_metadata_compare(const ds_entry_t *a, const ds_entry_t *b, ds_metadata_emit_fn emit,
                         void *ctx)
{
    char va[64], vb[64], detail[96];
    if (a->type != b->type) {
        emit(ctx, DS_KIND_TYPE, "type", ds_entry_type_name(a->type), ds_entry_type_name(b->type),
             "entry type differs");
        return;
    }
    if (a->mode != b->mode) {
        snprintf(va, sizeof va, "%04o", a->mode);
        snprintf(vb, sizeof vb, "%04o", b->mode);
        emit(ctx, DS_KIND_MODE, "mode", va, vb, "permission bits differ");
    }
    if (a->uid != b->uid || a->gid != b->gid) {
        snprintf(va, sizeof va, "%" PRIu32 ":%" PRIu32, a->uid, a->gid);
        snprintf(vb, sizeof vb, "%" PRIu32 ":%" PRIu32, b->uid, b->gid);
        emit(ctx, DS_KIND_OWNER, "owner", va, vb, "owner uid:gid differs");
    }
    if (a->mtime != b->mtime) {
        ds_format_utc(a->mtime, va, sizeof va);
        ds_format_utc(b->mtime, vb, sizeof vb);
        snprintf(detail, sizeof detail, "modification time differs by %+" PRId64 " s",
                 b->mtime - a->mtime);
        emit(ctx, DS_KIND_MTIME, "mtime", va, vb, detail);
    }
    if (text_compare(a->link_target, b->link_target) != 0) {
        char *ea = ds_escape_line(a->link_target ? a->link_target : "");
        char *eb = ds_escape_line(b->link_target ? b->link_target : "");
        emit(ctx, DS_KIND_LINK, "link", ea ? ea : "?", eb ? eb : "?", "symlink target differs");
        free(ea);
        free(eb);
    }
    if ((a->type == DS_ENTRY_CHAR || a->type == DS_ENTRY_BLOCK) &&
        (a->rdev_major != b->rdev_major || a->rdev_minor != b->rdev_minor)) {
        snprintf(va, sizeof va, "%" PRIu32 ",%" PRIu32, a->rdev_major, a->rdev_minor);
        snprintf(vb, sizeof vb, "%" PRIu32 ",%" PRIu32, b->rdev_major, b->rdev_minor);
        emit(ctx, DS_KIND_TYPE, "device", va, vb, "device numbers differ");
    }
    if (text_compare(a->xattrs, b->xattrs) != 0)
        emit(ctx, DS_KIND_XATTR, "xattrs", a->xattrs ? a->xattrs : "(none)",
             b->xattrs ? b->xattrs : "(none)", "extended attributes differ");
}
