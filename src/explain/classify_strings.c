/* The classifier for binary files no format opens: the printable runs of each side (as
 * strings(1) finds them: at least DS_STRINGS_RUN_MIN printable bytes) are compared as lines;
 * when the only differing runs are dates (a PNG tEXt "date:create", a __DATE__ in a binary),
 * the pair is an embedded timestamp. Reads in windows; keeps at most DS_STRINGS_TEXT_MAX bytes
 * of runs a side. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/strbuf.h"
#include "causes.h"
#include "classify_internal.h"
#include "date_lines.h"

#define DS_STRINGS_RUN_MIN 8                /* printable bytes a run needs (strings -n 8) */
#define DS_STRINGS_FILE_MAX (64ull << 20)   /* larger binaries are not read for strings */
#define DS_STRINGS_TEXT_MAX (4u << 20)      /* bytes of runs kept a side */
#define DS_STRINGS_RUNS_MAX 100000u         /* runs kept a side */
#define DS_STRINGS_WINDOW 65536u            /* bytes read at a time */
#define DS_STRINGS_OTHER_BYTES_PER_RUN 16u  /* differing bytes outside the runs allowed for each
                                             * differing run (a chunk's CRC, a length field) */
#define DS_STRINGS_EDGE_BYTES 4u            /* such bytes a run may take in at either end */

typedef struct run_span {
    uint64_t offset, length;
} run_span_t;

typedef struct runs {
    ds_strbuf_t text;  /* one run a line */
    run_span_t *spans; /* where each run is */
    uint64_t *offsets; /* the offset of each line, for date_lines */
    size_t count;
    bool over;         /* a limit was reached */
} runs_t;

static bool printable(unsigned char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

static void run_end(runs_t *r, const unsigned char *run, size_t kept, uint64_t start, uint64_t length)
{
    if (length < DS_STRINGS_RUN_MIN)
        return;
    if (r->count >= DS_STRINGS_RUNS_MAX || r->text.len + kept + 1 > DS_STRINGS_TEXT_MAX) {
        r->over = true;
        return;
    }
    r->spans[r->count] = (run_span_t){start, length};
    r->offsets[r->count++] = start;
    ds_strbuf_append(&r->text, (const char *)run, kept);
    ds_strbuf_puts(&r->text, "\n");
}

/* The runs of src; false when it cannot be read or a limit stops it. */
static bool runs_collect(ds_source_t *src, runs_t *r)
{
    uint64_t size = ds_source_size(src);
    unsigned char *window = malloc(DS_STRINGS_WINDOW), run[DS_DATE_LINES_LINE_MAX];
    r->spans = malloc(DS_STRINGS_RUNS_MAX * sizeof *r->spans);
    r->offsets = malloc(DS_STRINGS_RUNS_MAX * sizeof *r->offsets);
    if (window == NULL || r->spans == NULL || r->offsets == NULL) {
        free(window);
        return false;
    }
    uint64_t start = 0, length = 0;
    size_t kept = 0;
    for (uint64_t at = 0; at < size && !r->over;) {
        size_t n = size - at < DS_STRINGS_WINDOW ? (size_t)(size - at) : DS_STRINGS_WINDOW;
        if (ds_source_read(src, at, window, n, "strings", NULL) != DS_OK) {
            free(window);
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            if (printable(window[i])) {
                if (length++ == 0)
                    start = at + i, kept = 0;
                if (kept < sizeof run)
                    run[kept++] = window[i];
                continue;
            }
            run_end(r, run, kept, start, length);
            length = 0;
        }
        at += n;
    }
    run_end(r, run, kept, start, length);
    free(window);
    return !r->over;
}

static void runs_free(runs_t *r)
{
    ds_strbuf_free(&r->text);
    free(r->spans);
    free(r->offsets);
}

static bool in_runs(const runs_t *r, size_t *cursor, uint64_t offset)
{
    while (*cursor < r->count && r->spans[*cursor].offset + r->spans[*cursor].length <= offset)
        (*cursor)++;
    return *cursor < r->count && r->spans[*cursor].offset <= offset;
}

/* Differing bytes of two equal-sized sources outside the runs of both; more than `allowed`
 * stops the count (returns allowed + 1). */
static uint64_t bytes_outside_runs(ds_source_t *a, ds_source_t *b, const runs_t *ra, const runs_t *rb, uint64_t allowed)
{
    uint64_t size = ds_source_size(a), other = 0;
    unsigned char *wa = malloc(DS_STRINGS_WINDOW), *wb = malloc(DS_STRINGS_WINDOW);
    size_t ca = 0, cb = 0;
    for (uint64_t at = 0; wa != NULL && wb != NULL && at < size && other <= allowed;) {
        size_t n = size - at < DS_STRINGS_WINDOW ? (size_t)(size - at) : DS_STRINGS_WINDOW;
        if (ds_source_read(a, at, wa, n, "strings", NULL) != DS_OK || ds_source_read(b, at, wb, n, "strings", NULL) != DS_OK)
            break;
        for (size_t i = 0; i < n && other <= allowed; i++)
            if (wa[i] != wb[i] && !in_runs(ra, &ca, at + i) && !in_runs(rb, &cb, at + i))
                other++;
        at += n;
    }
    if (wa == NULL || wb == NULL)
        other = allowed + 1;
    free(wa);
    free(wb);
    return other;
}

/* The verdict on the strings of a and b; the bytes outside them are compared when `outside`
 * (a caller that accounted for them already passes false). */
static void strings_judge(ds_source_t *a, ds_source_t *b, bool outside, ds_classified_t *out)
{
    runs_t ra = {0}, rb = {0};
    if (ds_source_size(a) > DS_STRINGS_FILE_MAX || ds_source_size(b) > DS_STRINGS_FILE_MAX ||
        !runs_collect(a, &ra) || !runs_collect(b, &rb))
        goto out;
    ds_date_lines_t d = {.unit = "string", .offsets_a = ra.offsets, .offsets_b = rb.offsets,
                         .offsets_a_count = ra.count, .offsets_b_count = rb.count,
                         .edge_bytes = DS_STRINGS_EDGE_BYTES};
    if (ds_date_lines_judge(ds_strbuf_text(&ra.text), ra.text.len, ds_strbuf_text(&rb.text),
                            rb.text.len, &d) != DS_OK || !ds_date_lines_only(&d))
        goto out;
    char detail[sizeof out->detail];
    ds_date_lines_describe(&d, detail, sizeof detail);
    if (!outside) {
        ds_classify_verdict(out, NULL, ds_cause_name(DS_CAUSE_EMBEDDED_TIMESTAMP), "likely", "strings: %s", detail);
        goto out;
    }
    if (ds_source_size(a) != ds_source_size(b)) {
        /* No verdict: bytes other than the strings differ too. A hint for people. */
        ds_classify_verdict(out, NULL, NULL, NULL, "strings: %s, but the sizes differ: other bytes differ too", detail);
        goto out;
    }
    uint64_t allowed = (uint64_t)DS_STRINGS_OTHER_BYTES_PER_RUN * (d.changed + d.added + d.removed);
    uint64_t other = bytes_outside_runs(a, b, &ra, &rb, allowed);
    if (other <= allowed)
        ds_classify_verdict(out, NULL, ds_cause_name(DS_CAUSE_EMBEDDED_TIMESTAMP), "likely",
                            "strings: %s; %" PRIu64 " other bytes differ", detail, other);
    else
        ds_classify_verdict(out, NULL, NULL, NULL, "strings: %s, but more than %" PRIu64 " other bytes differ", detail, allowed);
out:
    runs_free(&ra);
    runs_free(&rb);
}

void ds_classify_strings(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out)
{
    (void)path;
    strings_judge(a, b, true, out);
}

/* The one section of a document (an ELF's .rodata) whose difference no rule explained, when the
 * only differing strings of the whole pair are dates: a date compiled in. */
void ds_classify_strings_sections(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    ds_difference_t *section = NULL;
    size_t unexplained = 0;
    for (size_t i = 0; i < out->nested.count; i++) {
        ds_difference_t *d = &out->nested.items[i];
        if (d->depth == 1 && d->kind == DS_KIND_HEADER && !d->secondary && strcmp(d->cause, "unknown") == 0 &&
            strstr(d->location[0], ".section.") != NULL)
            section = d, unexplained++;
    }
    if (unexplained != 1)
        return;
    ds_classified_t look = {0};
    strings_judge(a, b, false, &look);
    if (look.cause != NULL) {
        const char *strings = strstr(look.detail, "strings: ");
        const ds_cause_t *c = ds_cause_find(look.cause);
        ds_strbuf_t detail = {0};
        ds_strbuf_printf(&detail, "%s; %s", section->detail ? section->detail : "", strings ? strings : look.detail);
        free(section->detail);
        section->detail = ds_strbuf_take(&detail);
        ds_difference_explain(section, look.cause, "likely", c ? c->fix : NULL, false);
    }
    ds_classified_free(&look);
}
