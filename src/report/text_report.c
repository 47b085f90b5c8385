#include "text_report.h"

#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "../util/strbuf.h"

#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_CYAN "\033[36m"
#define ANSI_BOLD "\033[1m"
#define ANSI_RESET "\033[0m"

/* text escaped to one printable line, between the colour and a reset when one is given. */
static void put_text(FILE *out, const char *text, const char *color)
{
    char *line = ds_escape_line(text ? text : "");
    if (color != NULL)
        fputs(color, out);
    fputs(line ? line : "?", out);
    if (color != NULL)
        fputs(ANSI_RESET, out);
    free(line);
}

static void put_location(FILE *out, char *const *location, size_t depth)
{
    for (size_t i = 0; i < depth; i++) {
        put_text(out, location[i], NULL);
        if (i + 1 < depth)
            fputs(" :: ", out);
    }
}

static size_t count_roots(const ds_findings_t *findings)
{
    size_t n = 0;
    for (size_t i = 0; i < findings->count; i++)
        n += !findings->items[i].secondary;
    return n;
}

static void write_verdict(FILE *out, const ds_report_view_t *view, const ds_text_style_t *style)
{
    const char *color = !style->color ? NULL
                        : view->exit_status == 0 ? ANSI_BOLD ANSI_GREEN
                        : view->exit_status == 1 ? ANSI_BOLD ANSI_RED : ANSI_BOLD ANSI_YELLOW;
    fputs("driftscope: ", out);
    put_text(out, view->verdict, color);
    if (!view->identical)
        fprintf(out, " (%zu differences, %zu root)", ds_findings_total(view->findings),
                count_roots(view->findings));
    fputc('\n', out);
    for (int i = 0; i < 2; i++) {
        const ds_report_input_t *in = &view->inputs[i];
        fprintf(out, "  %c: ", in->name);
        put_text(out, in->path, NULL);
        fprintf(out, " (%s", in->is_directory ? "directory" : in->type ? in->type : "unknown");
        if (in->size_known && !in->is_directory)
            fprintf(out, ", %llu bytes", (unsigned long long)in->size);
        fputs(")", out);
        if (in->error != NULL) {
            fputs(": ", out);
            put_text(out, in->error, NULL);
        }
        fputc('\n', out);
    }
}

/* Stages that did not finish and limits hit: a partial answer says so before anything else. */
static void write_trouble(FILE *out, const ds_report_view_t *view)
{
    for (size_t i = 0; i < view->stage_count; i++) {
        const ds_report_stage_t *s = &view->stages[i];
        if (strcmp(s->status, "failed") != 0 && strcmp(s->status, "timeout") != 0)
            continue;
        fprintf(out, "  stage %s %s: ", s->name, s->status);
        put_text(out, s->message ? s->message : "(no message)", NULL);
        fputc('\n', out);
    }
    for (size_t i = 0; i < view->limit_count; i++) {
        fputs("  limit: ", out);
        put_text(out, view->limits[i], NULL);
        fputc('\n', out);
    }
    if (view->accept != NULL)
        fprintf(out, "  accepted: %zu differences%s\n", view->accepted,
                view->all_accepted ? " (all root differences)" : "");
}

/* The root causes, most differences first, as the summary prints them. */
static void write_causes(FILE *out, const ds_report_view_t *view, const ds_text_style_t *style)
{
    size_t count = 0;
    const ds_cause_t *all = ds_causes_all(&count);
    size_t shown = 0;
    for (size_t c = 0; c < count; c++) {
        size_t roots = 0;
        for (size_t i = 0; i < view->findings->count; i++)
            roots += !view->findings->items[i].secondary && strcmp(view->findings->items[i].cause, all[c].id) == 0;
        if (roots == 0)
            continue;
        if (shown++ == 0)
            fputs("root causes:\n", out);
        fputs("  ", out);
        put_text(out, all[c].id, style->color ? ANSI_CYAN : NULL);
        size_t width = strlen(all[c].id);
        fprintf(out, "%*s %6zu  %s\n", width < 20 ? (int)(20 - width) : 0, "", roots, all[c].fix ? all[c].fix : "look at the diff in the reports");
    }
}

/* The colour of one diff line: removed, added, a hunk header; NULL for context. */
static const char *diff_color(const char *line)
{
    if (strncmp(line, "@@", 2) == 0)
        return ANSI_CYAN;
    if (line[0] == '-')
        return ANSI_RED;
    if (line[0] == '+')
        return ANSI_GREEN;
    return NULL;
}

/* The excerpt, indented, at most DS_TEXT_EXCERPT_LINES lines of at most DS_TEXT_LINE_MAX bytes,
 * saying how many lines were left out. */
static void write_excerpt(FILE *out, const char *text, const ds_text_style_t *style)
{
    const char *p = text;
    size_t lines = 0;
    for (; *p && lines < DS_TEXT_EXCERPT_LINES; lines++) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *line = strndup(p, n < DS_TEXT_LINE_MAX ? n : DS_TEXT_LINE_MAX);
        fputs("      ", out);
        put_text(out, line ? line : "", style->color && line ? diff_color(line) : NULL);
        fputs(n > DS_TEXT_LINE_MAX ? " ...\n" : "\n", out);
        free(line);
        p = end ? end + 1 : p + n;
    }
    size_t more = 0;
    for (; *p; p++)
        more += *p == '\n' || p[1] == '\0';
    if (more > 0)
        fprintf(out, "      ... (%zu more line%s)\n", more, more == 1 ? "" : "s");
}

static void write_field(FILE *out, const char *name, const char *value)
{
    if (value == NULL)
        return;
    fprintf(out, "    %s: ", name);
    put_text(out, value, NULL);
    fputc('\n', out);
}

static void write_difference(FILE *out, const ds_difference_t *d, const ds_text_style_t *style)
{
    fputs("  - ", out);
    put_location(out, d->location, d->depth);
    fprintf(out, "  %s", ds_kind_name(d->kind));
    if (d->a != NULL || d->b != NULL) {
        fputs(": A ", out);
        put_text(out, d->a ? d->a : "(absent)", NULL);
        fputs(" / B ", out);
        put_text(out, d->b ? d->b : "(absent)", NULL);
    }
    fputc('\n', out);
    write_field(out, "detail", d->detail);
    fputs("    cause: ", out);
    put_text(out, d->cause, style->color ? ANSI_CYAN : NULL);
    if (d->confidence != NULL)
        fprintf(out, " (%s)", d->confidence);
    fputc('\n', out);
    write_field(out, "fix", d->fix);
    write_field(out, "hint", d->hint);
    write_field(out, "accepted", d->accepted);
    if (d->excerpt != NULL)
        write_excerpt(out, d->excerpt, style);
}

void ds_text_report_write(FILE *out, const ds_report_view_t *view, const ds_text_style_t *style)
{
    write_verdict(out, view, style);
    write_trouble(out, view);
    write_causes(out, view, style);
    size_t roots = count_roots(view->findings), shown = 0;
    if (roots > 0)
        fputs("root differences:\n", out);
    for (size_t i = 0; i < view->findings->count && shown < DS_TEXT_DIFFERENCES_SHOWN; i++) {
        const ds_difference_t *d = &view->findings->items[i];
        if (d->secondary)
            continue;
        write_difference(out, d, style);
        shown++;
    }
    if (roots > shown)
        fprintf(out, "  ... %zu more root difference%s not shown\n", roots - shown, roots - shown == 1 ? "" : "s");
    size_t secondary = view->findings->count - roots;
    if (secondary > 0)
        fprintf(out, "(%zu secondary differences, consequences of the roots, are not shown)\n", secondary);
    if (view->findings->dropped > 0)
        fprintf(out, "(%zu differences past --max-differences were only counted)\n", view->findings->dropped);
    if (secondary > 0 || roots > shown)
        fprintf(out, "every difference is in %s\n", style->rest);
}
