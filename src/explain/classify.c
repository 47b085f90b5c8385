/* The classifiers' shared helpers and the dispatcher: which format a differing pair is, by
 * content, and which classifier looks inside it. */
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/strbuf.h"
#include "causes.h"
#include "classify_internal.h"
#include "signatures.h"
#include "../compare/walk.h"
#include "../formats/format.h"

void ds_classify_verdict(ds_classified_t *out, const char *format, const char *cause,
                    const char *confidence, const char *fmt, ...)
{
    out->format = format;
    out->cause = cause;
    out->confidence = confidence;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof out->detail, fmt, ap);
    va_end(ap);
}

/* --- the recursive comparer, for formats behind the format interface -------------------- */

typedef struct walk_ctx {
    ds_classified_t *out;
    unsigned flags;
    bool top;
} walk_ctx_t;

static void walk_finding(void *opaque, const ds_walk_finding_t *f)
{
    walk_ctx_t *c = opaque;
    ds_difference_t *d = ds_findings_add(&c->out->nested, "content", f->kind, f->location, f->depth, f->a, f->b,
                                         f->detail);
    if (d == NULL)
        return;
    if (f->same_payload)
        ds_difference_explain(d, ds_cause_name(DS_CAUSE_COMPRESSION_ONLY), "certain", NULL, f->secondary);
    else if (f->cause != NULL)
        ds_difference_explain(d, f->cause, f->confidence, NULL, f->secondary);
    d->secondary = f->secondary;
    d->judged = f->judged;
    d->format = f->format;
    if (f->excerpt != NULL)
        d->excerpt = strdup(f->excerpt);
}

static void walk_limit(void *opaque, int code, const char *message)
{
    walk_ctx_t *c = opaque;
    /* Damage and hostile input (a bomb, a count past its limit) are trouble, as a truncated
     * image is; --max-depth and time budgets are the run's settings. */
    if (code != DS_OK && code != DS_ERR_TIMEOUT)
        c->out->damaged = true;
    if (c->out->limit[0] == '\0')
        snprintf(c->out->limit, sizeof c->out->limit, "%s", message);
}

/* A pair no common format opens: text, or the strings of a binary. */
static void walk_leaf(void *opaque, ds_source_t *a, ds_source_t *b, const char *name, ds_walk_result_t *result)
{
    walk_ctx_t *c = opaque;
    ds_classified_t leaf = {0};
    bool top = c->top;
    c->top = false;
    /* A catalogue row's own signature first (signatures_*.c): it names the specific cause. */
    const ds_signature_t *near = NULL;
    const ds_signature_t *rule = ds_signature_match(a, b, name, result->detail, sizeof result->detail, &near);
    if (rule != NULL) {
        result->cause = ds_cause_name(rule->cause);
        result->confidence = rule->confidence;
        return;
    }
    if (!(top && (c->flags & DS_CLASSIFY_NOT_TEXT)))
        ds_classify_text(a, b, name, &leaf);
    if (leaf.format == NULL && leaf.cause == NULL) /* not text: its strings */
        ds_classify_strings(a, b, name, &leaf);
    result->cause = leaf.cause;
    result->confidence = leaf.confidence;
    snprintf(result->detail, sizeof result->detail, "%s", leaf.detail);
    ds_classified_free(&leaf);
}

/* A file a format opened whose differences inside no rule explains, but whose path and bytes
 * show a catalogue row's signature as a whole (an EFI-stub kernel opens as PE; its build stamp
 * is what differs): the row's cause is the file's, the unexplained differences inside follow. */
static void whole_file_signature(ds_source_t *a, ds_source_t *b, const char *path, ds_classified_t *out)
{
    if (out->cause != NULL && strcmp(out->cause, ds_cause_name(DS_CAUSE_UNKNOWN)) != 0)
        return;
    for (size_t i = 0; i < out->nested.count; i++) {
        const ds_difference_t *d = &out->nested.items[i];
        if (!d->secondary && d->confidence != NULL)
            return; /* something inside is explained: the walk's verdict stands */
    }
    char detail[sizeof out->detail];
    const ds_signature_t *rule = ds_signature_match(a, b, path, detail, sizeof detail, NULL);
    if (rule == NULL)
        return;
    out->cause = ds_cause_name(rule->cause);
    out->confidence = rule->confidence;
    snprintf(out->detail, sizeof out->detail, "%s", detail);
    out->accounted = false; /* the file's own difference is the root */
    for (size_t i = 0; i < out->nested.count; i++)
        out->nested.items[i].secondary = true;
}

int ds_classify_pair(ds_source_t *a, ds_source_t *b, const char *path, unsigned depth_left,
                     unsigned flags, const ds_deadline_t *deadline, ds_classified_t *out)
{
    memset(out, 0, sizeof *out);
    walk_ctx_t ctx = {.out = out, .flags = flags, .top = true};
    ds_walk_t walk = {.ctx = &ctx, .finding = walk_finding, .limit = walk_limit, .leaf = walk_leaf,
                      .deadline = deadline};
    ds_walk_result_t result = {0};
    int rc = ds_walk_pair(&walk, a, b, path, depth_left, &result);
    ds_classify_strings_sections(a, b, out);
    out->format = result.format;
    out->cause = result.same_payload ? ds_cause_name(DS_CAUSE_COMPRESSION_ONLY) : result.cause;
    out->confidence = result.same_payload ? "certain" : result.confidence;
    snprintf(out->detail, sizeof out->detail, "%s", result.detail);
    out->judged = result.format != NULL;
    out->accounted = result.accounted;
    out->layers_opened = walk.opened;
    out->excerpt = result.format != NULL ? result.excerpt : NULL;
    if (out->excerpt == NULL)
        free(result.excerpt);
    if (result.format != NULL && !result.same_payload)
        whole_file_signature(a, b, path, out);
    return rc;
}

void ds_classified_free(ds_classified_t *c)
{
    ds_findings_free(&c->nested);
    free(c->excerpt);
    memset(c, 0, sizeof *c);
}
