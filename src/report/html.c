#include "html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "../util/strbuf.h"

/* Text made safe for HTML: one printable line (ds_escape_line), then the markup characters. */
static void html_text(FILE *out, const char *text)
{
    char *line = ds_escape_line(text ? text : "");
    for (const char *p = line ? line : ""; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*p, out);
        }
    }
    free(line);
}

/* Multi-line text (a diff excerpt): each line escaped, coloured by its first character. */
static void html_excerpt(FILE *out, const char *text)
{
    fputs("<pre class=\"excerpt\">", out);
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *line = strndup(p, n);
        const char *cls = n == 0 ? "" : p[0] == '+' ? "add" : p[0] == '-' ? "del" : p[0] == '@' ? "hunk" : "";
        fprintf(out, "<span class=\"%s\">", cls);
        html_text(out, line);
        fputs("</span>\n", out);
        free(line);
        p = end ? end + 1 : p + n;
    }
    fputs("</pre>", out);
}

static void html_path(FILE *out, char *const *location, size_t depth)
{
    fputs("<span class=\"crumb\">", out);
    for (size_t i = 0; i < depth; i++) {
        if (i)
            fputs(" <span class=\"sep\">&rsaquo;</span> ", out);
        fputs("<code>", out);
        html_text(out, location[i]);
        fputs("</code>", out);
    }
    fputs("</span>", out);
}

static void html_location(FILE *out, const ds_difference_t *d) { html_path(out, d->location, d->depth); }

static void html_difference(FILE *out, const ds_difference_t *d)
{
    fprintf(out, "<li class=\"diff%s%s\">", d->secondary ? " secondary" : "", d->accepted ? " accepted" : "");
    html_location(out, d);
    fprintf(out, " <span class=\"kind\">%s</span> <span class=\"cause\">", ds_kind_name(d->kind));
    html_text(out, d->cause);
    fputs("</span>", out);
    if (d->a != NULL || d->b != NULL) {
        fputs("<div class=\"values\">A <code>", out);
        html_text(out, d->a ? d->a : "(absent)");
        fputs("</code> B <code>", out);
        html_text(out, d->b ? d->b : "(absent)");
        fputs("</code></div>", out);
    }
    if (d->detail != NULL) {
        fputs("<div class=\"detail\">", out);
        html_text(out, d->detail);
        fputs("</div>", out);
    }
    if (d->fix != NULL && !d->secondary) {
        fputs("<div class=\"fix\">Fix: ", out);
        html_text(out, d->fix);
        fputs("</div>", out);
    }
    if (d->secondary && d->follows_depth > 0) {
        fputs("<div class=\"detail\">Follows ", out);
        html_path(out, d->follows, d->follows_depth);
        fputs("</div>", out);
    }
    if (d->hint != NULL && !d->secondary) {
        fputs("<div class=\"hint\">Hint: ", out);
        html_text(out, d->hint);
        fputs("</div>", out);
    }
    if (d->accepted != NULL) {
        fputs("<div class=\"fix\">Accepted: ", out);
        html_text(out, d->accepted);
        fputs("</div>", out);
    }
    if (d->excerpt != NULL) {
        fputs("<details class=\"diff-body\"><summary>diff</summary>", out);
        html_excerpt(out, d->excerpt);
        fputs("</details>", out);
    }
    fputs("</li>\n", out);
}

/* A bar along [0, length) with the given ranges marked, as inline SVG. */
static void html_bar(FILE *out, const char *title, uint64_t length, const uint64_t (*marks)[2], size_t count,
                     const unsigned char *bits, uint64_t chunk_count, uint64_t chunk_size)
{
    enum { WIDTH = 800, BINS = 400 };
    unsigned char bins[BINS] = {0};
    if (length == 0)
        return;
    for (size_t i = 0; i < count; i++) {
        uint64_t lo = marks[i][0] * BINS / length, hi = (marks[i][0] + (marks[i][1] ? marks[i][1] : 1) - 1) * BINS / length;
        for (uint64_t b = lo; b <= hi && b < BINS; b++)
            bins[b] = 1;
    }
    for (uint64_t c = 0; bits != NULL && c < chunk_count; c++)
        if (!(bits[c / 8] & (1u << (c % 8)))) {
            uint64_t b = c * chunk_size * BINS / length;
            if (b < BINS)
                bins[b] = 1;
        }
    fputs("<figure class=\"bar\"><figcaption>", out);
    html_text(out, title);
    fprintf(out, " (%" PRIu64 " bytes)</figcaption><svg role=\"img\" viewBox=\"0 0 %d 24\" width=\"%d\" height=\"24\">"
                 "<rect x=\"0\" y=\"4\" width=\"%d\" height=\"16\" class=\"track\"/>",
            length, WIDTH, WIDTH, WIDTH);
    for (int b = 0; b < BINS; b++)
        if (bins[b])
            fprintf(out, "<rect x=\"%d\" y=\"2\" width=\"%d\" height=\"20\" class=\"mark\"/>", b * WIDTH / BINS, WIDTH / BINS);
    fputs("</svg></figure>\n", out);
}

static void write_section(FILE *out, const ds_findings_t *findings, const char *id, const char *title,
                          const char *stage, const char *container, size_t *shown)
{
    size_t roots = 0, secondary = 0;
    for (size_t i = 0; i < findings->count; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (strcmp(d->stage, stage) != 0)
            continue;
        if (container && (d->depth < 2 || strcmp(d->location[0], container) != 0))
            continue;
        if (d->secondary)
            secondary++;
        else
            roots++;
    }
    if (roots + secondary == 0)
        return;
    /* Sections with root differences start open: the answer is on the first screen. */
    fprintf(out, "<details class=\"layer\" id=\"%s\"%s><summary><h2>", id, roots > 0 ? " open" : "");
    html_text(out, title);
    fprintf(out, "</h2> <span class=\"count\">%zu root, %zu secondary</span></summary>\n<ul>\n", roots, secondary);
    for (size_t i = 0; i < findings->count && *shown < DS_HTML_DIFFERENCES_SHOWN; i++) {
        const ds_difference_t *d = &findings->items[i];
        if (strcmp(d->stage, stage) == 0 && !d->secondary &&
            (!container || (d->depth >= 2 && strcmp(d->location[0], container) == 0))) {
            html_difference(out, d);
            (*shown)++;
        }
    }
    fputs("</ul>\n", out);
    if (secondary > 0) {
        /* Folded under the cause they follow from, one group a cause. */
        fprintf(out, "<details class=\"secondary-list\"><summary>%zu secondary differences (consequences)</summary>\n",
                secondary);
        size_t count = 0;
        const ds_cause_t *all = ds_causes_all(&count);
        for (size_t c = 0; c < count; c++) {
            bool opened = false;
            for (size_t i = 0; i < findings->count && *shown < DS_HTML_DIFFERENCES_SHOWN; i++) {
                const ds_difference_t *d = &findings->items[i];
                if (strcmp(d->stage, stage) != 0 || !d->secondary || strcmp(d->cause, all[c].id) != 0 ||
                    (container && (d->depth < 2 || strcmp(d->location[0], container) != 0)))
                    continue;
                if (!opened) {
                    fputs("<p class=\"follows\">following from <b>", out);
                    html_text(out, all[c].id);
                    fputs("</b>:</p><ul>\n", out);
                    opened = true;
                }
                html_difference(out, d);
                (*shown)++;
            }
            if (opened)
                fputs("</ul>\n", out);
        }
        fputs("</details>\n", out);
    }
    fputs("</details>\n", out);
}

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#1d2330}"
    "h1{font-size:1.6em;margin:.2em 0}h2{display:inline;font-size:1.15em}"
    ".verdict-different h1{color:#a3261b}.verdict-identical h1{color:#1c7c3c}.verdict-trouble h1{color:#a36a00}"
    "table{border-collapse:collapse;margin:.6em 0;width:100%}th,td{border:1px solid #d5d9e0;padding:.3em .5em;text-align:left;vertical-align:top}"
    "th{background:#f1f3f7}code{font:13px ui-monospace,monospace;background:#f4f5f8;padding:0 .2em;border-radius:3px;word-break:break-all}"
    "details.layer{border:1px solid #d5d9e0;border-radius:6px;margin:.7em 0;padding:.4em .8em}"
    "details>summary{cursor:pointer}.count{color:#5b6578;font-size:.9em}"
    "ul{padding-left:1.2em}li.diff{margin:.45em 0}li.secondary{color:#5b6578}li.accepted{opacity:.7}"
    ".kind{font-weight:600}.cause{background:#e8eefc;border-radius:3px;padding:0 .35em;font-size:.85em}"
    ".detail{color:#3d4556}.fix{color:#1c5f3a}.hint{color:#7a4b00}.values code{margin-right:.6em}"
    "pre.excerpt{background:#fafbfc;border:1px solid #e3e6eb;padding:.5em;overflow:auto;max-height:30em}"
    ".add{color:#116329;background:#e6ffec}.del{color:#82071e;background:#ffebe9}.hunk{color:#0550ae}"
    "figure.bar{margin:.4em 0}figure.bar svg{max-width:100%}.track{fill:#e3e6eb}.mark{fill:#d1242f}"
    "#filter{font:inherit;padding:.3em;width:20em}.hidden{display:none}";

static const char script[] =
    "(function(){"
    "var h=location.hash;"
    "if(h.indexOf('#open=')===0){var w=h.slice(6);document.querySelectorAll('details').forEach(function(d){"
    "if(w==='all'||d.id===w||d.closest('#'+w))d.open=true;});}"
    "var f=document.getElementById('filter');if(!f)return;f.classList.remove('hidden');"
    "f.addEventListener('input',function(){var q=f.value.toLowerCase();"
    "document.querySelectorAll('li.diff').forEach(function(li){"
    "li.style.display=li.textContent.toLowerCase().indexOf(q)<0?'none':'';});"
    "if(q)document.querySelectorAll('details.layer,details.secondary-list').forEach(function(d){d.open=true;});});"
    "})();";

static size_t count_roots(const ds_findings_t *findings)
{
    size_t roots = 0;
    for (size_t i = 0; i < findings->count; i++)
        roots += !findings->items[i].secondary;
    return roots;
}

static void write_head(FILE *out, const ds_report_view_t *view, size_t roots)
{
    int status = view->exit_status;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>driftscope: ",
          out);
    html_text(out, view->verdict);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body class=\"verdict-%s\">\n<header>\n<h1>Verdict: ",
            style, status == 0 ? "identical" : status == 1 ? "different" : "trouble");
    html_text(out, view->verdict);
    fputs("</h1>\n", out);
    fprintf(out, "<p id=\"summary\">%zu differences: %zu root, %zu secondary.</p>\n</header>\n",
            ds_findings_total(view->findings), roots, view->findings->count - roots);
}

/* The cause table: one row a cause with root differences. */
static void write_causes(FILE *out, const ds_findings_t *findings)
{
    size_t count = 0;
    const ds_cause_t *all = ds_causes_all(&count);
    fputs("<section id=\"causes\"><h2>Root causes</h2>\n<table>\n<thead><tr><th>cause</th><th>root differences</th>"
          "<th>secondary</th><th>example</th><th>usual fix</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t c = 0; c < count; c++) {
        size_t r = 0, s = 0;
        const ds_difference_t *example = NULL;
        for (size_t i = 0; i < findings->count; i++) {
            const ds_difference_t *d = &findings->items[i];
            if (strcmp(d->cause, all[c].id) != 0)
                continue;
            if (d->secondary)
                s++;
            else if (r++ == 0)
                example = d;
        }
        if (r == 0)
            continue;
        fputs("<tr><td><b>", out);
        html_text(out, all[c].id);
        fputs("</b><br><small>", out);
        html_text(out, all[c].title);
        fprintf(out, "</small></td><td>%zu</td><td>%zu</td><td>", r, s);
        html_location(out, example);
        fputs("</td><td>", out);
        html_text(out, all[c].fix ? all[c].fix : "look at the diff");
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static void write_inputs(FILE *out, const ds_report_view_t *view)
{
    fputs("<section id=\"inputs\"><h2>Inputs</h2>\n<table>\n<thead><tr><th></th><th>path</th><th>type</th><th>bytes</th>"
          "<th>SHA-256</th></tr></thead>\n<tbody>\n",
          out);
    for (int i = 0; i < 2; i++) {
        const ds_report_input_t *s = &view->inputs[i];
        fprintf(out, "<tr><td>%c</td><td><code>", s->name);
        html_text(out, s->path);
        fputs("</code></td><td>", out);
        html_text(out, s->type);
        fputs("</td><td>", out);
        if (s->size_known)
            fprintf(out, "%" PRIu64, s->size);
        fprintf(out, "</td><td><code>%s</code></td></tr>\n", s->sha256 ? s->sha256 : "");
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

/* Where the bytes differ: the whole image's chunk map, then each squashfs's marks. */
static void write_where(FILE *out, const ds_report_view_t *view)
{
    if (view->identical || (view->chunks == NULL && view->layer_count == 0))
        return;
    fputs("<section id=\"where\"><h2>Where the bytes differ</h2>\n", out);
    if (view->chunks != NULL)
        html_bar(out, "the whole image (64 KiB chunks that differ at equal offsets)", view->chunks->common_length, NULL,
                 0, view->chunks->bits, view->chunks->chunk_count, DS_CHUNK_SIZE);
    for (size_t i = 0; i < view->layer_count; i++) {
        const ds_report_layer_t *c = &view->layers[i];
        char title[400];
        snprintf(title, sizeof title, "squashfs %s (stored data of the files that differ)", c->path ? c->path : "");
        html_bar(out, title, c->length, c->marks, c->mark_count, NULL, 0, 0);
    }
    fputs("</section>\n", out);
}

static void write_layers(FILE *out, const ds_report_view_t *view)
{
    const ds_findings_t *findings = view->findings;
    fputs("<section id=\"layers\"><h2>Differences by layer</h2>\n"
          "<p><input id=\"filter\" class=\"hidden\" type=\"search\" placeholder=\"filter differences\" "
          "aria-label=\"filter differences\"></p>\n",
          out);
    size_t shown = 0;
    write_section(out, findings, "layer-inputs", "Inputs", "hash", NULL, &shown);
    write_section(out, findings, "layer-header", "Image header (system area, volume descriptors, boot catalog)", "header",
                  NULL, &shown);
    write_section(out, findings, "layer-toc", "ISO 9660 tree (and files inside them)", "toc", NULL, &shown);
    for (size_t i = 0; i < view->layer_count; i++) {
        const ds_report_layer_t *c = &view->layers[i];
        char id[48], title[400];
        snprintf(id, sizeof id, "layer-squashfs-%zu", i);
        snprintf(title, sizeof title, "Squashfs %s: superblock and listing", c->path ? c->path : "(the inputs)");
        write_section(out, findings, id, title, "squashfs", c->path, &shown);
        snprintf(id, sizeof id, "layer-content-%zu", i);
        snprintf(title, sizeof title, "Squashfs %s: file contents", c->path ? c->path : "(the inputs)");
        write_section(out, findings, id, title, "content", c->path, &shown);
    }
    if (view->layer_count == 0 || view->layers[0].path == NULL) {
        write_section(out, findings, "layer-squashfs", "Squashfs superblock and listing", "squashfs", NULL, &shown);
        write_section(out, findings, "layer-content", "File contents", "content", NULL, &shown);
    }
    if (shown >= DS_HTML_DIFFERENCES_SHOWN)
        fprintf(out, "<p>The page shows the first %d differences; all %zu are in report.json.</p>\n",
                DS_HTML_DIFFERENCES_SHOWN, ds_findings_total(findings));
    fputs("</section>\n", out);
}

static void write_stages(FILE *out, const ds_report_view_t *view)
{
    fputs("<section id=\"stages\"><h2>Stages</h2>\n<table>\n<thead><tr><th>stage</th><th>status</th>"
          "<th>seconds</th><th>note</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < view->stage_count; i++) {
        const ds_report_stage_t *s = &view->stages[i];
        fprintf(out, "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>", s->name, s->status, s->seconds);
        html_text(out, s->message ? s->message : "");
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

void ds_html_write(FILE *out, const ds_report_view_t *view)
{
    size_t roots = count_roots(view->findings);
    write_head(out, view, roots);
    if (roots > 0)
        write_causes(out, view->findings);
    write_inputs(out, view);
    write_where(out, view);
    write_layers(out, view);
    write_stages(out, view);
    fprintf(out, "<footer><p>driftscope %s. Machine-readable: "
                 "<a href=\"report.json\">report.json</a>; for people: <a href=\"checklist.md\">checklist.md</a>.</p></footer>\n"
                 "<script>%s</script>\n</body>\n</html>\n",
            view->version, script);
}
