/* The listing pass of one squashfs pair; see listing.h. */
#include "listing.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/metadata.h"
#include "../util/clock.h"

/* Appends e's listing line (no newline) to sb. */
static void listing_line_to(ds_strbuf_t *sb, const ds_entry_t *e)
{
    char when[40];
    ds_format_utc(e->mtime, when, sizeof when);
    ds_strbuf_escape_line(sb, e->path, strlen(e->path));
    ds_strbuf_printf(sb, "\t%s\t%04o\t%" PRIu32 "/%" PRIu32 "\t%" PRIu64 "\t%s\tnlink=%" PRIu32,
                     ds_entry_type_name(e->type), e->mode, e->uid, e->gid, e->size, when, e->nlink);
    if (e->link_target != NULL) {
        ds_strbuf_puts(sb, "\t-> ");
        ds_strbuf_escape_line(sb, e->link_target, strlen(e->link_target));
    }
    if (e->type == DS_ENTRY_CHAR || e->type == DS_ENTRY_BLOCK)
        ds_strbuf_printf(sb, "\tdev=%" PRIu32 ",%" PRIu32, e->rdev_major, e->rdev_minor);
    if (e->xattrs != NULL)
        ds_strbuf_printf(sb, "\txattrs: %s", e->xattrs);
}

static char *listing_line(const ds_entry_t *e)
{
    ds_strbuf_t sb = {0};
    listing_line_to(&sb, e);
    return ds_strbuf_take(&sb);
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* True when the two entries' listing lines are equal, without writing them (the merge sees
 * every entry of both images; only differing ones are formatted). */
static bool listed_equal(const ds_entry_t *a, const ds_entry_t *b)
{
    bool device = a->type == DS_ENTRY_CHAR || a->type == DS_ENTRY_BLOCK;
    return a->type == b->type && a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
           a->size == b->size && a->mtime == b->mtime && a->nlink == b->nlink && strcmp(a->path, b->path) == 0 &&
           same_text(a->link_target, b->link_target) && same_text(a->xattrs, b->xattrs) &&
           (!device || (a->rdev_major == b->rdev_major && a->rdev_minor == b->rdev_minor));
}

static void add_difference(ds_listing_pass_t *p, const char *path, ds_kind_t kind, const char *a, const char *b,
                           const char *detail)
{
    const char *loc[2] = {p->container ? p->container : path, path};
    if (ds_findings_add(p->findings, "squashfs", kind, loc, p->container ? 2 : 1, a, b, detail) != NULL)
        p->differences++;
}

static void metadata_event(void *opaque, ds_kind_t kind, const char *field, const char *a, const char *b,
                           const char *detail)
{
    ds_listing_pass_t *p = opaque;
    (void)field;
    add_difference(p, p->path, kind, a, b, detail);
}

static void list_entry(ds_listing_pass_t *p, int side, const ds_entry_t *e)
{
    ds_strbuf_t *sb = &p->line;
    sb->len = 0;
    sb->failed = false;
    listing_line_to(sb, e);
    ds_strbuf_puts(sb, "\n");
    if (sb->failed)
        fputs("?\n", p->list[side]);
    else
        fwrite(sb->data, 1, sb->len, p->list[side]);
}

static void diff_entries(ds_listing_pass_t *p, const ds_entry_t *a, const ds_entry_t *b)
{
    char *la = a ? listing_line(a) : NULL, *lb = b ? listing_line(b) : NULL;
    if ((la == NULL) != (lb == NULL) || (la && strcmp(la, lb) != 0)) {
        if (p->diff_lines < DS_LISTING_DIFF_LINES_MAX) {
            if (la)
                fprintf(p->diff, "-%s\n", la);
            if (lb)
                fprintf(p->diff, "+%s\n", lb);
        }
        p->diff_lines++;
    }
    free(la);
    free(lb);
}

int ds_listing_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    ds_listing_pass_t *p = opaque;
    if (a != NULL && p->list[0] != NULL)
        list_entry(p, 0, a);
    if (b != NULL && p->list[1] != NULL)
        list_entry(p, 1, b);
    if (p->diff == NULL)
        return 0;
    if (a == NULL || b == NULL || !listed_equal(a, b))
        diff_entries(p, a, b);
    if (a == NULL || b == NULL) {
        const ds_entry_t *e = a ? a : b;
        /* absent from the other side only if that side's walk vouches for it */
        if (ds_squashfs_walk_knows(p->walk, a ? 1 : 0)) {
            char detail[96];
            snprintf(detail, sizeof detail, "%s present only in %c", ds_entry_type_name(e->type), a ? 'A' : 'B');
            add_difference(p, e->path, a ? DS_KIND_REMOVED : DS_KIND_ADDED, NULL, NULL, detail);
        }
        return 0;
    }
    p->path = a->path;
    ds_metadata_compare(a, b, metadata_event, p);
    return 0;
}

void ds_listing_pass_free(ds_listing_pass_t *p) { ds_strbuf_free(&p->line); }
