/* What report.html is written from: a finished, read-only result. Every pointer points into the
 * run that built the view (stages/report_view.c) and stays valid while the page is written;
 * nothing here is owned and the writer changes nothing. */
#ifndef DS_REPORT_VIEW_H
#define DS_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../compare/content.h"
#include "../model/findings.h"

/* One input. */
typedef struct ds_report_input {
    char name;           /* 'A' or 'B' */
    const char *path;    /* as given (the writer escapes it) */
    const char *type;    /* detected format, or NULL */
    bool size_known;
    uint64_t size;
    const char *sha256;  /* hex, or NULL when unknown */
} ds_report_input_t;

/* One stage's row in the stage table. */
typedef struct ds_report_stage {
    const char *name;
    const char *status;  /* "ok", "failed", ... */
    double seconds;
    const char *message; /* or NULL */
} ds_report_stage_t;

/* One squashfs found on both sides, with where the differing files' stored data lie. */
typedef struct ds_report_layer {
    const char *path;              /* its location in the outer layer; NULL: the inputs */
    uint64_t length;               /* its length in A */
    const uint64_t (*marks)[2];    /* offset, length in A */
    size_t mark_count;
} ds_report_layer_t;

typedef struct ds_report_view {
    const char *version;           /* driftscope's */
    const char *verdict;
    int exit_status;               /* 0 identical, 1 different, 2 trouble */
    bool identical;                /* every byte of the inputs is equal */
    const ds_findings_t *findings; /* explained, --accept applied */
    ds_report_input_t inputs[2];
    const ds_report_stage_t *stages;
    size_t stage_count;
    const ds_chunk_map_t *chunks;  /* equal chunks at equal offsets, or NULL when not known */
    const ds_report_layer_t *layers;
    size_t layer_count;
} ds_report_view_t;

#endif
