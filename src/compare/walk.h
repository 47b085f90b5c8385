/* The one recursive comparer. Given two byte sources that differ, it asks the format registry
 * what they are; when both sides are the same format it compares the format's header fields
 * and then, for a container, merges the entries (by name, or by position for segment lists),
 * compares their metadata and recurses into the pairs whose content differs; for a stream, the
 * decoded payloads; for a document, its named sections. Anything else is a leaf: the caller's
 * leaf callback says what it is (text, a date in it, ...).
 *
 * Cheapest evidence first: equal digests or equal fingerprints settle an entry pair without
 * opening its content; only differing pairs are decoded, through bounded spills.
 *
 * The comparer knows no format by name and no output: findings go out through the callbacks
 * below, with locations relative to the pair it was given (["/data.tar.xz", "/usr/x",
 * "@gzip.mtime"]). It decides one thing about every content difference it reports: whether the
 * differences found inside account for all of it (then that difference is `secondary`). */
#ifndef DS_WALK_H
#define DS_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/findings.h"
#include "../util/clock.h"
#include "../util/source.h"

typedef struct ds_walk_finding {
    ds_kind_t kind;
    const char *const *location; /* relative to the walk's pair; depth elements */
    size_t depth;
    const char *a, *b, *detail;
    const char *format;     /* the format of the layer it lies in ("tar"), or NULL */
    const char *cause;      /* a leaf classifier's verdict, or NULL (explain/ decides) */
    const char *confidence;
    bool secondary;         /* decided by the walk: accounted for by what it found inside */
    bool judged;            /* secondary (true or false) is the walk's decision */
    bool same_payload;      /* a content difference of streams whose decoded payloads are equal */
    const char *excerpt;    /* a bounded diff of the pair, or NULL */
} ds_walk_finding_t;

/* What the walk found about one pair: how to describe the pair's own content difference. */
typedef struct ds_walk_result {
    bool accounted;         /* the differences reported inside account for every differing byte */
    bool binary;
    bool same_payload;      /* a stream whose decoded payloads are equal: only the compressed
                             * bytes differ (explain/ names the cause) */
    const char *format;     /* the outermost format recognised, or NULL */
    const char *cause;      /* for the pair's own difference, or NULL */
    const char *confidence;
    char detail[400];
    char *excerpt;          /* owned: text diff or hex of the innermost leaf, or NULL */
} ds_walk_result_t;

typedef struct ds_walk ds_walk_t;
typedef void (*ds_walk_finding_fn)(void *ctx, const ds_walk_finding_t *finding);
/* A layer not looked into, and why: code is the error that stopped it (DS_ERR_FORMAT for
 * damage, DS_ERR_LIMIT for a bomb or a budget, DS_ERR_TIMEOUT), or DS_OK for a setting of the
 * run (--max-depth). */
typedef void (*ds_walk_limit_fn)(void *ctx, int code, const char *message);
/* A pair no common format opens: set result->cause/confidence/detail (may leave them empty). */
typedef void (*ds_walk_leaf_fn)(void *ctx, ds_source_t *a, ds_source_t *b, const char *name,
                                ds_walk_result_t *result);

struct ds_walk {
    void *ctx;
    ds_walk_finding_fn finding;
    ds_walk_limit_fn limit;   /* may be NULL */
    ds_walk_leaf_fn leaf;     /* may be NULL */
    const ds_deadline_t *deadline;
    uint64_t opened;          /* format layers opened (both sides count once) */
};

#define DS_WALK_WINDOW (256u * 1024u)

/* Compares a and b (known or suspected to differ) at `name` (for messages and leaf hints) with
 * depth_left levels still allowed. Fills *out (free it with ds_walk_result_free). Damage inside
 * a format is described in out->detail, never returned: the return value is 0 or DS_ERR_NOMEM. */
int ds_walk_pair(ds_walk_t *walk, ds_source_t *a, ds_source_t *b, const char *name,
                 unsigned depth_left, ds_walk_result_t *out);
void ds_walk_result_free(ds_walk_result_t *result);

/* *equal when the two sources hold the same bytes (sizes first, then windows). */
int ds_sources_equal(ds_source_t *a, ds_source_t *b, const ds_deadline_t *deadline, bool *equal);

#endif
