#include "diffoscope_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/strbuf.h"
#include "json.h"

/* presenters/json.py: JSON_FORMAT_MAGIC and JSON_FORMAT_VERSION. */
#define DIFFOSCOPE_JSON_MAGIC "diffoscope-json-version"
#define DIFFOSCOPE_JSON_VERSION 1

/* The walk over the findings in location order. The nodes open below the root are the first
 * open_depth elements of open's location, each with its "details" array open. */
typedef struct tree_walk {
    ds_json_t json;
    ds_strbuf_t line; /* the comment being written */
    const ds_difference_t *open;
    size_t open_depth;
} tree_walk_t;

/* Outermost element first; a location sorts before the locations inside it; equal locations
 * keep the order they were found in (the pointers point into one array). */
static int location_order(const void *x, const void *y)
{
    const ds_difference_t *p = *(const ds_difference_t *const *)x;
    const ds_difference_t *q = *(const ds_difference_t *const *)y;
    for (size_t i = 0; i < p->depth && i < q->depth; i++) {
        int c = strcmp(p->location[i], q->location[i]);
        if (c != 0)
            return c;
    }
    if (p->depth != q->depth)
        return p->depth < q->depth ? -1 : 1;
    return (p > q) - (p < q);
}

/* How many leading elements of a's first a_depth and b's first b_depth are equal. */
static size_t common_prefix(const ds_difference_t *a, size_t a_depth, const ds_difference_t *b,
                            size_t b_depth)
{
    size_t n = 0;
    while (n < a_depth && n < b_depth && strcmp(a->location[n], b->location[n]) == 0)
        n++;
    return n;
}

static bool same_location(const ds_difference_t *a, const ds_difference_t *b)
{
    return a->depth == b->depth && common_prefix(a, a->depth, b, b->depth) == a->depth;
}

/* True when inner lies inside outer (outer's location is a proper prefix of inner's). */
static bool lies_inside(const ds_difference_t *outer, const ds_difference_t *inner)
{
    return inner->depth > outer->depth &&
           common_prefix(outer, outer->depth, inner, inner->depth) == outer->depth;
}

/* Writes the comment built in w->line and empties it. */
static void comment_flush(tree_walk_t *w)
{
    ds_json_string(&w->json, ds_strbuf_text(&w->line));
    ds_strbuf_free(&w->line);
}

static void value_append(ds_strbuf_t *line, const ds_difference_t *d, int side)
{
    const char *text = side == 0 ? d->a : d->b;
    if (d->numeric)
        ds_strbuf_printf(line, "%" PRId64, side == 0 ? d->a_number : d->b_number);
    else if (text == NULL)
        ds_strbuf_puts(line, "(none)");
    else
        ds_strbuf_escape_line(line, text, strlen(text));
}

/* A location in a comment: its elements as one printable line each, joined by " :: " (the
 * sources keep the names as they are; comments are one line, as diffoscope's are). */
static void location_append(ds_strbuf_t *line, char *const *location, size_t depth)
{
    for (size_t i = 0; i < depth; i++) {
        if (i > 0)
            ds_strbuf_puts(line, " :: ");
        ds_strbuf_escape_line(line, location[i], strlen(location[i]));
    }
}

/* The length of the unified diff excerpt begins with: whole lines from a first hunk header,
 * each a hunk header or a context, removed, added or "\ No newline" line. 0 when the excerpt is
 * no unified diff (a hex excerpt); what follows (a "diff cut" note) becomes a comment. */
static size_t unified_length(const char *text)
{
    if (strncmp(text, "@@ -", 4) != 0)
        return 0;
    size_t n = 0;
    for (;;) {
        const char *end = strchr(text + n, '\n');
        char c = text[n];
        bool diff_line = strncmp(text + n, "@@ ", 3) == 0 || c == ' ' || c == '+' || c == '-' ||
                         c == '\\';
        if (end == NULL || !diff_line)
            return n;
        n = (size_t)(end - text) + 1;
    }
}

/* An excerpt that is no unified diff (a hex excerpt, a "diff cut" note), one comment a line as
 * diffoscope's own comments are: its text presenter prefixes only a comment's first line. */
static void excerpt_comments(tree_walk_t *w, const char *text)
{
    while (*text != '\0') {
        const char *end = strchr(text, '\n');
        size_t n = end != NULL ? (size_t)(end - text) : strlen(text);
        ds_strbuf_append(&w->line, text, n);
        comment_flush(w);
        text += end != NULL ? n + 1 : n;
    }
}

/* The difference's own comments: kind and values, detail, cause and fix, root or secondary,
 * hint, acceptance, and the excerpt when it is not (or not wholly) a unified diff. */
static void difference_comments(tree_walk_t *w, const ds_difference_t *d, size_t unified)
{
    ds_json_t *j = &w->json;
    ds_json_key(j, "comments");
    ds_json_array_begin(j);
    ds_strbuf_printf(&w->line, "%s: A ", ds_kind_name(d->kind));
    value_append(&w->line, d, 0);
    ds_strbuf_puts(&w->line, " / B ");
    value_append(&w->line, d, 1);
    comment_flush(w);
    if (d->detail != NULL)
        ds_json_string(j, d->detail);
    ds_strbuf_printf(&w->line, "cause: %s", d->cause != NULL ? d->cause : "unknown");
    if (d->confidence != NULL)
        ds_strbuf_printf(&w->line, " (%s)", d->confidence);
    comment_flush(w);
    if (d->fix != NULL) {
        ds_strbuf_printf(&w->line, "fix: %s", d->fix);
        comment_flush(w);
    }
    ds_strbuf_puts(&w->line, d->secondary ? "secondary" : "root difference");
    if (d->secondary && d->follows_depth > 0) {
        ds_strbuf_puts(&w->line, ", follows ");
        location_append(&w->line, d->follows, d->follows_depth);
    }
    comment_flush(w);
    if (d->hint != NULL) {
        ds_strbuf_printf(&w->line, "hint: %s", d->hint);
        comment_flush(w);
    }
    if (d->accepted != NULL) {
        ds_strbuf_printf(&w->line, "accepted: %s", d->accepted);
        comment_flush(w);
    }
    if (d->excerpt != NULL)
        excerpt_comments(w, d->excerpt + unified);
    ds_json_array_end(j);
}

static void node_sources(ds_json_t *j, const char *source1, const char *source2)
{
    ds_json_key(j, "source1");
    ds_json_string(j, source1);
    ds_json_key(j, "source2");
    ds_json_string(j, source2);
}

/* A node whose "details" array stays open: a location prefix with no difference of its own. */
static void prefix_open(tree_walk_t *w, const char *name)
{
    ds_json_object_begin(&w->json);
    node_sources(&w->json, name, name);
    ds_json_key(&w->json, "unified_diff");
    ds_json_null(&w->json);
    ds_json_key(&w->json, "details");
    ds_json_array_begin(&w->json);
}

static void prefix_close(tree_walk_t *w)
{
    ds_json_array_end(&w->json);
    ds_json_object_end(&w->json);
}

/* One difference as a node named name; with open_details its "details" array is left open for
 * the differences inside it. */
static void difference_node(tree_walk_t *w, const ds_difference_t *d, const char *name,
                            bool open_details)
{
    ds_json_t *j = &w->json;
    size_t unified = d->excerpt != NULL ? unified_length(d->excerpt) : 0;
    char *diff = unified > 0 ? strndup(d->excerpt, unified) : NULL;
    if (diff == NULL)
        unified = 0;
    ds_json_object_begin(j);
    node_sources(j, name, name);
    difference_comments(w, d, unified);
    ds_json_key(j, "unified_diff");
    ds_json_string(j, diff);
    free(diff);
    if (open_details) {
        ds_json_key(j, "details");
        ds_json_array_begin(j);
    } else {
        ds_json_object_end(j);
    }
}

/* The count differences at one location (order[0..count)), inside the open nodes: one node for
 * the location, or with several differences a node holding one child per difference, named by
 * its kind. with_children leaves the node's "details" open. */
static void location_node(tree_walk_t *w, const ds_difference_t *const *order, size_t count,
                          bool with_children)
{
    const ds_difference_t *d = order[0];
    const char *name = d->depth > 0 ? d->location[d->depth - 1] : ".";
    if (count == 1) {
        difference_node(w, d, name, with_children);
        return;
    }
    prefix_open(w, name);
    for (size_t i = 0; i < count; i++)
        difference_node(w, order[i], ds_kind_name(order[i]->kind), false);
    if (!with_children)
        prefix_close(w);
}

/* The root differences (at most ROOTS_LISTED) named on the root node, as the answer's summary:
 * in a large tree they are otherwise far apart. */
#define ROOTS_LISTED 20
static void root_list(tree_walk_t *w, const ds_findings_t *findings)
{
    size_t listed = 0, roots = 0;
    for (size_t i = 0; i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (d->secondary || roots++ >= ROOTS_LISTED)
            continue;
        ds_strbuf_puts(&w->line, "root difference: ");
        location_append(&w->line, d->location, d->depth);
        ds_strbuf_printf(&w->line, " (%s), cause %s%s%s", ds_kind_name(d->kind),
                         d->cause ? d->cause : "unknown", d->fix ? "; fix: " : "", d->fix ? d->fix : "");
        comment_flush(w);
        listed++;
    }
    if (roots > listed) {
        ds_strbuf_printf(&w->line, "... and %zu more root differences", roots - listed);
        comment_flush(w);
    }
}

static void root_comments(tree_walk_t *w, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    if (view->identical && findings->count == 0)
        return; /* as diffoscope --output-empty writes identical inputs */
    size_t roots = 0;
    for (size_t i = 0; i < findings->count; i++)
        roots += !findings->items[i].secondary;
    ds_json_key(&w->json, "comments");
    ds_json_array_begin(&w->json);
    ds_strbuf_printf(&w->line, "driftscope %s: %s, %zu differences (%zu root, %zu secondary)",
                     view->version, view->verdict, findings->count + findings->dropped, roots,
                     findings->count - roots);
    comment_flush(w);
    root_list(w, findings);
    if (findings->dropped > 0) {
        ds_strbuf_printf(&w->line, "%zu more differences were counted, not kept (--max-differences %zu)",
                         findings->dropped, view->max_differences);
        comment_flush(w);
    }
    for (size_t i = 0; i < view->stage_count; i++) {
        const ds_report_stage_t *s = &view->stages[i];
        if (strcmp(s->status, "ok") == 0 || strcmp(s->status, "skipped") == 0)
            continue;
        ds_strbuf_printf(&w->line, "%s stage %s%s%s", s->name, s->status, s->message ? ": " : "",
                         s->message ? s->message : "");
        comment_flush(w);
    }
    for (size_t i = 0; i < view->limit_count; i++) {
        ds_strbuf_printf(&w->line, "limit: %s", view->limits[i]);
        comment_flush(w);
    }
    if (view->accepted > 0) {
        ds_strbuf_printf(&w->line, "%zu differences accepted by --accept rules", view->accepted);
        comment_flush(w);
    }
    ds_json_array_end(&w->json);
}

/* Closes the open nodes down to keep of them. */
static void close_to(tree_walk_t *w, size_t keep)
{
    for (; w->open_depth > keep; w->open_depth--)
        prefix_close(w);
}

/* The findings in location order, below the root's open "details". */
static void walk_findings(tree_walk_t *w, const ds_difference_t *const *order, size_t count)
{
    size_t i = 0;
    while (i < count) {
        const ds_difference_t *d = order[i];
        size_t group = 1;
        while (i + group < count && same_location(order[i + group], d))
            group++;
        bool children = i + group < count && lies_inside(d, order[i + group]);
        size_t parents = d->depth > 0 ? d->depth - 1 : 0;
        close_to(w, w->open != NULL ? common_prefix(w->open, w->open_depth, d, parents) : 0);
        for (size_t k = w->open_depth; k < parents; k++)
            prefix_open(w, d->location[k]);
        location_node(w, order + i, group, children);
        w->open = d;
        w->open_depth = children ? d->depth : parents;
        i += group;
    }
    close_to(w, 0);
}

int ds_diffoscope_json_write(FILE *out, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    const ds_difference_t **order = calloc(findings->count + 1, sizeof *order);
    if (order == NULL)
        return DS_ERR_NOMEM;
    for (size_t i = 0; i < findings->count; i++)
        order[i] = &findings->items[i];
    qsort(order, findings->count, sizeof *order, location_order);
    tree_walk_t w = {0};
    ds_json_init(&w.json, out);
    ds_json_object_begin(&w.json);
    /* The magic first, as presenters/json.py moves it to the front. */
    ds_json_key(&w.json, DIFFOSCOPE_JSON_MAGIC);
    ds_json_int(&w.json, DIFFOSCOPE_JSON_VERSION);
    node_sources(&w.json, view->inputs[0].path, view->inputs[1].path);
    root_comments(&w, view);
    ds_json_key(&w.json, "unified_diff");
    ds_json_null(&w.json);
    if (findings->count > 0) {
        ds_json_key(&w.json, "details");
        ds_json_array_begin(&w.json);
        walk_findings(&w, order, findings->count);
        ds_json_array_end(&w.json);
    }
    ds_json_object_end(&w.json);
    ds_strbuf_free(&w.line);
    free(order);
    return DS_OK;
}
