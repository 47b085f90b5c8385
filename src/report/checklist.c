#include "checklist.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "../util/strbuf.h"

/* Markdown-safe inline text: escaped as one line, with characters that would start markup,
 * break a table cell or open HTML written as entities or escapes. */
static void md_text(FILE *out, const char *text)
{
    char *line = ds_escape_line(text ? text : "");
    for (const char *p = line ? line : ""; *p; p++) {
        switch (*p) {
        case '|': fputs("\\|", out); break;
        case '<': fputs("&lt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '`': fputs("'", out); break;
        case '*': case '[': case ']': case '#':
            fputc('\\', out);
            fputc(*p, out);
            break;
        default: fputc(*p, out);
        }
    }
    free(line);
}

/* What the content stage compared, in words: its heading depends on the inputs. */
static const char *content_title(const ds_report_view_t *view)
{
    if (view->layer_count > 0)
        return "File contents inside squashfs";
    if (view->inputs[0].is_directory && view->inputs[1].is_directory)
        return "Files of the two directory trees";
    if (view->inputs[0].is_directory || view->inputs[1].is_directory)
        return "The two inputs";
    return "Contents of the two inputs (and what they hold)";
}

/* A diff excerpt as an indented fenced block under its bullet, at most 40 lines, each escaped
 * to one printable line; the fence is ~~~ so that no ``` inside can close it. */
static void md_excerpt(FILE *out, const char *text)
{
    fputs("\n  ~~~diff\n", out);
    const char *p = text;
    for (int lines = 0; *p && lines < 40; lines++) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *line = strndup(p, n);
        char *shown = ds_escape_line(line ? line : "");
        fprintf(out, "  %s\n", shown && strncmp(shown, "~~~", 3) != 0 ? shown : "");
        free(shown);
        free(line);
        p = end ? end + 1 : p + n;
    }
    if (*p)
        fputs("  ...\n", out);
    fputs("  ~~~\n\n", out);
}

static void md_path(FILE *out, char *const *location, size_t depth)
{
    fputc('`', out);
    for (size_t i = 0; i < depth; i++) {
        char *line = ds_escape_line(location[i]);
        for (const char *p = line ? line : ""; *p; p++)
            fputc(*p == '`' ? '\'' : *p, out);
        free(line);
        if (i + 1 < depth)
            fputs(" :: ", out);
    }
    fputc('`', out);
}

static void md_location(FILE *out, const ds_difference_t *d) { md_path(out, d->location, d->depth); }

static size_t count_stage(const ds_findings_t *findings, const char *stage, bool secondary)
{
    size_t n = 0;
    for (size_t i = 0; i < findings->count; i++)
        if (strcmp(findings->items[i].stage, stage) == 0 && findings->items[i].secondary == secondary)
            n++;
    return n;
}

static size_t count_secondary(const ds_findings_t *findings)
{
    size_t n = 0;
    for (size_t i = 0; i < findings->count; i++)
        n += findings->items[i].secondary;
    return n;
}

static bool has_location(const ds_findings_t *findings, const char *prefix)
{
    for (size_t i = 0; i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (strncmp(d->location[d->depth - 1], prefix, strlen(prefix)) == 0)
            return true;
    }
    return false;
}

/* One next step per squashfs of the outer layer that differs: how much inside it does. Returns
 * whether it wrote any. */
static bool write_squashfs_steps(FILE *out, const ds_findings_t *findings)
{
    bool any = false;
    for (size_t i = 0; i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (d->kind != DS_KIND_CONTENT || d->depth != 1)
            continue;
        const char *path = d->location[0];
        size_t len = strlen(path);
        if (len <= 9 || strcmp(path + len - 9, ".squashfs") != 0)
            continue;
        size_t inside = 0;
        for (size_t k = 0; k < findings->count; k++) {
            const ds_difference_t *e = &findings->items[k];
            inside += e->depth >= 2 && strcmp(e->location[0], path) == 0 &&
                      (!e->secondary || strcmp(e->cause, "package-version") == 0) && e->location[1][0] == '/';
        }
        fputs("- ", out);
        md_location(out, d);
        if (inside > 0)
            fprintf(out, " differs: %zu differences inside it (files and metadata) are listed "
                         "below; their diffs are in sqfs-diff.txt and sqfs-ls-diff.txt.\n", inside);
        else
            fputs(" differs, but no file inside it does: see sqfs-diff.txt for why (superblock, "
                  "compression or layout).\n", out);
        any = true;
    }
    return any;
}

/* Next steps that follow from what was found; no cause is claimed here (that is the explain
 * layer's job), only where to look. */
static void write_next_steps(FILE *out, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    fputs("\n## What to look at next\n\n", out);
    bool any = false;
    if (view->exit_status == 2) {
        fputs("- Some stages could not finish: read their messages above; the findings below may "
              "be incomplete.\n",
              out);
        any = true;
    }
    if (has_location(findings, "@iso.pvd.creation_date") || has_location(findings, "@iso.pvd.modification_date")) {
        fputs("- The volume dates differ: both builds should run with the same "
              "`SOURCE_DATE_EPOCH` (xorriso derives the volume dates, the MBR id and the GPT "
              "GUIDs from it).\n",
              out);
        any = true;
    }
    any |= write_squashfs_steps(out, findings);
    if (has_location(findings, "@iso.extent")) {
        fputs("- Moved extents (marked secondary) follow from a size change earlier in the image; "
              "look at the content differences first.\n",
              out);
        any = true;
    }
    if (!any)
        fputs(view->identical ? "- Nothing: the images are bit-identical.\n"
                              : "- Read the findings below, outermost layer first.\n",
              out);
}

/* The sentence above the cause table: how many root differences the known causes explain. */
static void write_cause_summary(FILE *f, const ds_findings_t *findings, const ds_cause_t *all, size_t count)
{
    size_t roots_total = 0, roots_known = 0, causes = 0;
    for (size_t c = 0; c < count; c++) {
        size_t roots = 0;
        for (size_t i = 0; i < findings->count; i++)
            roots += !findings->items[i].secondary && strcmp(findings->items[i].cause, all[c].id) == 0;
        bool known = strcmp(all[c].id, "unknown") != 0;
        causes += roots > 0 && known;
        roots_known += known ? roots : 0;
        roots_total += roots;
    }
    if (causes == 0)
        fprintf(f, "\nNo known cause matched: the %zu root difference%s %s listed below with %s diff "
                   "(%zu differences in all, the rest are consequences).\n\n",
                roots_total, roots_total == 1 ? "" : "s", roots_total == 1 ? "is" : "are",
                roots_total == 1 ? "its" : "their", findings->count);
    else
        fprintf(f, "\n%zu known root cause%s explain%s %zu of the %zu root differences (%zu differences in all, "
                   "the rest are their consequences).\n\n",
                causes, causes == 1 ? "" : "s", causes == 1 ? "s" : "", roots_known, roots_total,
                findings->count);
}

/* A location as one string, elements joined by \x1f. */
static char *joined_location(char *const *location, size_t depth)
{
    ds_strbuf_t b = {0};
    for (size_t i = 0; i < depth; i++)
        ds_strbuf_printf(&b, "%s\x1f", location[i]);
    char *out = ds_strdup(ds_strbuf_text(&b));
    ds_strbuf_free(&b);
    return out;
}

typedef struct location_key {
    char *where;
    size_t index;
} location_key_t;

static int key_order(const void *x, const void *y)
{
    const location_key_t *p = x, *q = y;
    int c = strcmp(p->where, q->where);
    return c != 0 ? c : (p->index > q->index) - (p->index < q->index);
}

/* The difference a secondary one follows (the first at that location, a root preferred), or
 * NULL when it names none or none is found. */
static const ds_difference_t *followed(const ds_findings_t *findings, const location_key_t *keys, size_t n,
                                       const ds_difference_t *d)
{
    if (d->follows_depth == 0)
        return NULL;
    location_key_t key = {.where = joined_location(d->follows, d->follows_depth), .index = 0};
    if (key.where == NULL)
        return NULL;
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first key at that location */
        size_t mid = (lo + hi) / 2;
        if (strcmp(keys[mid].where, key.where) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const ds_difference_t *hit = NULL;
    for (size_t i = lo; i < n && strcmp(keys[i].where, key.where) == 0; i++) {
        const ds_difference_t *e = &findings->items[keys[i].index];
        if (hit == NULL || (!e->secondary && hit->secondary))
            hit = e;
    }
    free(key.where);
    return hit;
}

/* The cause each difference is counted under: a root's own; a secondary one's root's when it
 * names one (follows, through a chain of at most DS_LOCATION_MAX), else its own. NULL when out
 * of memory. */
static const char **counted_causes(const ds_findings_t *findings)
{
    const char **out = calloc(findings->count + 1, sizeof *out);
    location_key_t *keys = calloc(findings->count + 1, sizeof *keys);
    size_t n = 0;
    for (size_t i = 0; out != NULL && keys != NULL && i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        out[i] = d->cause;
        if ((keys[n].where = joined_location(d->location, d->depth)) != NULL)
            keys[n++].index = i;
    }
    if (out != NULL && keys != NULL) {
        qsort(keys, n, sizeof *keys, key_order);
        for (size_t i = 0; i < findings->count; i++) {
            const ds_difference_t *d = &findings->items[i];
            for (int hop = 0; d->secondary && hop < DS_LOCATION_MAX; hop++) {
                const ds_difference_t *next = followed(findings, keys, n, d);
                if (next == NULL || next == d)
                    break;
                d = next;
            }
            if (!d->secondary)
                out[i] = d->cause;
        }
    }
    for (size_t i = 0; keys != NULL && i < n; i++)
        free(keys[i].where);
    free(keys);
    return out;
}

/* The answer first: each root cause, how many differences it explains (its secondary ones
 * included: those naming a root of it in follows, and those of its cause naming none), one
 * example location and the usual fix. */
static void write_cause_table(FILE *f, const ds_findings_t *findings)
{
    if (findings->count == 0)
        return;
    size_t count = 0;
    const ds_cause_t *all = ds_causes_all(&count);
    write_cause_summary(f, findings, all, count);
    const char **counted = counted_causes(findings);
    fputs("| cause | root differences | secondary | example | usual fix |\n|---|---|---|---|---|\n", f);
    for (size_t c = 0; c < count; c++) {
        size_t roots = 0, secondary = 0;
        const ds_difference_t *example = NULL;
        for (size_t i = 0; i < findings->count; i++) {
            const ds_difference_t *d = &findings->items[i];
            const char *cause = counted != NULL ? counted[i] : d->cause;
            if (d->secondary) {
                secondary += strcmp(cause, all[c].id) == 0;
            } else if (strcmp(d->cause, all[c].id) == 0) {
                roots++;
                if (example == NULL)
                    example = d;
            }
        }
        if (roots == 0)
            continue;
        fprintf(f, "| %s | %zu | %zu | ", all[c].id, roots, secondary);
        md_location(f, example);
        fputs(" | ", f);
        md_text(f, all[c].fix ? all[c].fix : (strcmp(all[c].id, "unknown") == 0 ? "look at the diff" : ""));
        fputs(" |\n", f);
    }
    free(counted);
}

/* Package drift first (explain/packages.c): the changed packages, named, and how many
 * differences follow from them. */
static void write_package_lead(FILE *f, const ds_findings_t *findings)
{
    size_t changed = 0, follow = 0;
    for (size_t i = 0; i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        bool package = strcmp(d->cause, "package-version") == 0;
        changed += package && !d->secondary && d->depth == 2 && strcmp(d->location[0], "@packages") == 0;
        follow += package && d->secondary;
    }
    if (changed == 0)
        return;
    fprintf(f, "\n**%zu package%s changed version:", changed, changed == 1 ? "" : "s");
    size_t named = 0;
    for (size_t i = 0; i < findings->count && named < 10; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (d->secondary || d->depth != 2 || strcmp(d->location[0], "@packages") != 0 ||
            strcmp(d->cause, "package-version") != 0)
            continue;
        fputs(named++ ? ", " : " ", f);
        md_text(f, d->location[1] + 1);
        fputc(' ', f);
        md_text(f, d->a ? d->a : "(not installed)");
        fputs(" -> ", f);
        md_text(f, d->b ? d->b : "(not installed)");
    }
    fprintf(f, "%s; these %zu difference%s follow.**\n", named < changed ? ", ..." : "", follow,
            follow == 1 ? "" : "s");
}

/* The verdict, the cause table, the inputs and where their bytes first differ. */
static void write_head(FILE *f, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    fprintf(f, "# driftscope checklist\n\n**Verdict: %s**", view->verdict);
    if (view->identical && view->inputs[0].is_directory)
        fputs(" - every entry of the two trees is identical (metadata and content).\n", f);
    else if (view->identical)
        fputs(" - the inputs are bit-identical (same size and SHA-256); nothing else to do.\n", f);
    else
        fprintf(f, " - %zu differences found (%zu root, %zu secondary).\n", ds_findings_total(findings),
                findings->count - count_secondary(findings), count_secondary(findings));
    write_package_lead(f, findings);
    write_cause_table(f, findings);
    fputs("\n| input | path | size (bytes) | SHA-256 |\n|---|---|---|---|\n", f);
    for (int i = 0; i < 2; i++) {
        const ds_report_input_t *s = &view->inputs[i];
        fprintf(f, "| %c | ", s->name);
        md_text(f, s->path);
        if (s->size_known)
            fprintf(f, " | %" PRIu64 " | ", s->size);
        else
            fputs(" | unknown | ", f);
        fprintf(f, "%s |\n", s->sha256 ? s->sha256 : "not computed");
    }
    if (view->first_difference_known && !view->identical)
        fprintf(f, "\nFirst differing byte: %" PRIu64 " (0x%" PRIx64 "); %" PRIu64
                   " of the 64 KiB chunks they share differ.\n",
                view->first_difference, view->first_difference, view->differing_chunks);
}

static void write_stages(FILE *f, const ds_report_view_t *view)
{
    fputs("\n## Stages\n\n| stage | status | seconds | artifacts | note |\n|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < view->stage_count; i++) {
        const ds_report_stage_t *s = &view->stages[i];
        fprintf(f, "| %s | %s | %.2f | ", s->name, s->status, s->seconds);
        for (size_t k = 0; k < s->artifact_count; k++)
            fprintf(f, "%s%s", k ? ", " : "", s->artifacts[k]);
        fputs(" | ", f);
        md_text(f, s->message ? s->message : "");
        fputs(" |\n", f);
    }
}

/* The --accept rules with what each matched, the limits hit and the --deep-tool reports. */
static void write_accepted_limits(FILE *f, const ds_report_view_t *view)
{
    if (view->accept != NULL) {
        fprintf(f, "\n## Accepted differences (--accept)\n\n%zu differences matched the accept rules%s.\n",
                view->accepted, view->all_accepted ? "; every root difference is accepted, so the gate passes" : "");
        for (size_t i = 0; i < view->accept->count; i++) {
            const ds_accept_rule_t *r = &view->accept->rules[i];
            fprintf(f, "- line %u `", r->line);
            md_text(f, r->glob);
            fprintf(f, "`: %zu matched - ", r->matched);
            md_text(f, r->reason);
            fputs(r->matched ? "\n" : " (matched nothing: is the rule still needed?)\n", f);
        }
    }
    if (view->limit_count > 0) {
        fputs("\n## Limits hit\n\n", f);
        for (size_t i = 0; i < view->limit_count; i++) {
            fputs("- ", f);
            md_text(f, view->limits[i]);
            fputc('\n', f);
        }
    }
}

static void write_deep(FILE *f, const ds_report_view_t *view)
{
    if (view->deep_count == 0)
        return;
    fputs("\n## diffoscope on the differing pairs (--deep-tool)\n\n", f);
    for (size_t i = 0; i < view->deep_count; i++) {
        const ds_report_deep_t *job = &view->deep[i];
        fputs("- ", f);
        md_text(f, job->location);
        fprintf(f, ": [deep/%s](deep/%s) (%s; inputs deep/%s, deep/%s)\n", job->report, job->report,
                job->status, job->file_a, job->file_b);
    }
}

/* One finding as a box to tick, with its diff excerpt when it is a root. */
static void write_item(FILE *f, const ds_difference_t *d)
{
    fputs("- [ ] ", f);
    md_location(f, d);
    fprintf(f, " %s%s", ds_kind_name(d->kind), d->secondary && d->follows_depth == 0 ? " (secondary)" : "");
    if (d->secondary && d->follows_depth > 0) {
        fputs(" (secondary, follows ", f);
        md_path(f, d->follows, d->follows_depth);
        fputc(')', f);
    }
    if (d->a != NULL || d->b != NULL) {
        fputs(": A ", f);
        md_text(f, d->a ? d->a : "(absent)");
        fputs(" / B ", f);
        md_text(f, d->b ? d->b : "(absent)");
    }
    if (d->detail != NULL) {
        fputs(" - ", f);
        md_text(f, d->detail);
    }
    fprintf(f, " (cause: %s)", d->cause);
    if (d->hint != NULL && !d->secondary) {
        fputs(" - hint: ", f);
        md_text(f, d->hint);
    }
    if (d->accepted != NULL) {
        fputs(" - ACCEPTED: ", f);
        md_text(f, d->accepted);
    }
    fputc('\n', f);
    if (d->excerpt != NULL && !d->secondary)
        md_excerpt(f, d->excerpt);
}

/* The findings by stage, roots before their secondary ones, up to the number shown. */
static void write_findings(FILE *f, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    fputs("\n## Findings\n", f);
    if (findings->count == 0)
        fputs(view->identical ? "\nNone: the inputs are identical.\n" : "\nNone recorded.\n", f);
    static const char *const stages[] = {"hash", "header", "toc", "squashfs", "content"};
    const char *titles[] = {"Inputs", "Image header (system area, volume descriptors, boot catalog)",
                            "ISO 9660 tree", "Squashfs superblocks and listings", content_title(view)};
    size_t shown = 0;
    for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
        size_t root = count_stage(findings, stages[s], false), secondary = count_stage(findings, stages[s], true);
        if (root + secondary == 0)
            continue;
        fprintf(f, "\n### %s: %zu differences (%zu secondary)\n\n", titles[s], root + secondary, secondary);
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < findings->count; i++) {
                const ds_difference_t *d = &findings->items[i];
                if (strcmp(d->stage, stages[s]) != 0 || d->secondary != (pass == 1))
                    continue;
                if (shown++ < DS_CHECKLIST_DIFFERENCES_SHOWN)
                    write_item(f, d);
            }
        }
    }
    if (shown > DS_CHECKLIST_DIFFERENCES_SHOWN)
        fprintf(f, "\n%zu more differences are in report.json.\n", shown - DS_CHECKLIST_DIFFERENCES_SHOWN);
    if (findings->dropped > 0)
        fprintf(f, "\n%zu differences were counted but not kept (--max-differences %zu).\n",
                findings->dropped, view->max_differences);
}

void ds_checklist_write(FILE *out, const ds_report_view_t *view)
{
    write_head(out, view);
    write_stages(out, view);
    write_accepted_limits(out, view);
    write_next_steps(out, view);
    write_deep(out, view);
    write_findings(out, view);
}
