/* What the reports (checklist.md, report.json, report.html) are written from: a finished,
 * read-only result. Every pointer points into the run that built the view
 * (stages/report_view.c) and stays valid while one report is written; nothing here is owned and
 * the writers change nothing. */
#ifndef DS_REPORT_VIEW_H
#define DS_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../compare/content.h"
#include "../model/findings.h"
#include "accept.h"

/* One input. */
typedef struct ds_report_input {
    char name;           /* 'A' or 'B' */
    const char *path;    /* as given (the writer escapes it) */
    const char *type;    /* detected format, or NULL */
    bool is_directory;   /* a directory tree, not a file */
    bool size_known;
    uint64_t size;
    const char *sha256;  /* hex, or NULL when unknown */
    const char *error;   /* why it could not be opened, or NULL */
} ds_report_input_t;

/* One stage's row in the stage table. */
typedef struct ds_report_stage {
    const char *name;
    const char *status;  /* "ok", "failed", ... */
    double seconds;
    const char *message; /* or NULL */
    const char *const *artifacts; /* the files it wrote, artifact_count of them */
    size_t artifact_count;
} ds_report_stage_t;

/* One squashfs found on both sides, with where the differing files' stored data lie and what
 * comparing its files cost. */
typedef struct ds_report_layer {
    const char *path;              /* its location in the outer layer; NULL: the inputs */
    uint64_t length;               /* its length in A */
    const uint64_t (*marks)[2];    /* offset, length in A */
    size_t mark_count;
    uint64_t files_compared;
    uint64_t settled_without_decompression;
    uint64_t files_decompressed;
    uint64_t blocks_decompressed;  /* data and fragment blocks, both sides */
    uint64_t layers_opened;        /* format layers opened inside the differing files */
} ds_report_layer_t;

/* One differing pair handed to --deep-tool; the file names are relative to OUTDIR/deep/. */
typedef struct ds_report_deep {
    const char *location;
    const char *report;
    const char *status;
    const char *file_a, *file_b;
} ds_report_deep_t;

typedef struct ds_report_view {
    const char *version;           /* driftscope's */
    const char *verdict;
    int exit_status;               /* 0 identical, 1 different, 2 trouble */
    bool identity_known;           /* the hash stage compared every byte */
    bool identical;                /* every byte of the inputs is equal */
    bool first_difference_known;
    uint64_t first_difference;     /* first differing byte of the inputs */
    uint64_t differing_chunks;     /* of the 64 KiB chunks they share */
    const ds_findings_t *findings; /* explained, --accept applied */
    size_t max_differences;        /* --max-differences: findings beyond it are only counted */
    ds_report_input_t inputs[2];
    const ds_report_stage_t *stages;
    size_t stage_count;
    const ds_chunk_map_t *chunks;  /* equal chunks at equal offsets, or NULL when not known */
    const ds_report_layer_t *layers;
    size_t layer_count;
    const ds_accept_t *accept;     /* --accept rules with their match counts, or NULL */
    size_t accepted;               /* differences matched by a rule */
    bool all_accepted;             /* the inputs differ, but every root difference is accepted */
    const char *const *limits;     /* each limit hit, in words */
    size_t limit_count;
    const ds_report_deep_t *deep;  /* --deep-tool pairs */
    size_t deep_count;
} ds_report_view_t;

#endif
