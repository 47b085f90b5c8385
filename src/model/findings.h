/* Every difference goes through ds_findings_add(), which records the event and, with it, what
 * the exit status will be. Reporters read the collection; they never read an image. */
#ifndef DS_FINDINGS_H
#define DS_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ds_kind {
    DS_KIND_ADDED,
    DS_KIND_REMOVED,
    DS_KIND_TYPE,
    DS_KIND_CONTENT,
    DS_KIND_SIZE,
    DS_KIND_MODE,
    DS_KIND_OWNER,
    DS_KIND_MTIME,
    DS_KIND_LINK,
    DS_KIND_XATTR,
    DS_KIND_HEADER,
    DS_KIND_ORDER,
} ds_kind_t;

#define DS_LOCATION_MAX 16

typedef struct ds_difference {
    const char *stage;               /* static: "header", "toc", ... */
    char *location[DS_LOCATION_MAX]; /* owned; outermost first */
    size_t depth;
    ds_kind_t kind;
    char *a, *b;                     /* owned; NULL when that side has no value */
    bool numeric;                    /* a/b are integers: JSON writes numbers */
    int64_t a_number, b_number;
    char *detail;                    /* owned; one line for people */
    char *cause;                     /* owned; catalogue id, "unknown" by default */
    const char *confidence;          /* static: "certain", "likely", "guess" or NULL */
    char *fix;                       /* owned; NULL when none is known */
    const char *notes_tag;           /* static: the cause's reproducible-builds notes issue type
                                      * (the catalogue's), or NULL */
    bool secondary;
    bool judged;                     /* secondary was decided by the comparer (the differences
                                      * inside account, or do not account, for every byte) */
    const char *format;              /* static: the format of the layer it lies in, or NULL */
    char *accepted;                  /* owned: the --accept rule's reason, or NULL */
    char *excerpt;                   /* owned: a bounded diff or hex excerpt, or NULL */
    char *follows[DS_LOCATION_MAX];  /* owned: the location of the root difference this one is a
                                      * consequence of (report.json "follows"), when known */
    size_t follows_depth;            /* 0: none named */
    char *hint;                      /* owned: for a root nothing explained, the nearest signature
                                      * and what to run next (report.json "hint"), or NULL */
} ds_difference_t;

typedef struct ds_findings {
    ds_difference_t *items;
    size_t count;
    size_t capacity;
    size_t max;     /* 0: no limit */
    size_t dropped; /* differences past max: counted, not kept */
} ds_findings_t;

/* Records a difference (all strings copied). location has depth elements (1..DS_LOCATION_MAX).
 * Returns the stored difference so that the caller can add numbers, cause or detail, or NULL
 * when it was only counted (limit reached, or out of memory). */
ds_difference_t *ds_findings_add(ds_findings_t *findings, const char *stage, ds_kind_t kind,
                                 const char *const *location, size_t depth, const char *a,
                                 const char *b, const char *detail);

/* Sets a difference's cause (copied), confidence and fix (copied, may be NULL). */
void ds_difference_explain(ds_difference_t *d, const char *cause, const char *confidence,
                           const char *fix, bool secondary);

/* Makes d a consequence (secondary) of the difference at location (depth elements, copied):
 * report.json names it in "follows". Returns false when out of memory (d is left unchanged). */
bool ds_difference_follows(ds_difference_t *d, const char *const *location, size_t depth);

/* Forgets the root d followed (it stays secondary). */
void ds_difference_unfollow(ds_difference_t *d);

/* Removes (and frees) every kept difference for which drop(d, ctx) is true, keeping the order
 * of the rest. Returns how many it removed. */
size_t ds_findings_remove_if(ds_findings_t *findings, bool (*drop)(const ds_difference_t *d, void *ctx),
                             void *ctx);

/* All differences, the dropped ones included. */
size_t ds_findings_total(const ds_findings_t *findings);

void ds_findings_free(ds_findings_t *findings);

const char *ds_kind_name(ds_kind_t kind);

#endif
