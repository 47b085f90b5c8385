/* The run as the stages see it: the options, the two inputs, each stage's result, the findings
 * and what one stage leaves for the next; and the stages themselves (src/stages/). pipeline.c
 * runs them in order; reporters never see this struct (they read report/view.h). */
#ifndef DS_RUN_H
#define DS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../compare/content.h"
#include "../readers/tree.h"
#include "../explain/classify.h"
#include "../model/findings.h"
#include "../util/clock.h"
#include "../util/source.h"
#include "preload.h"

/* What the command line asked for (parsed by options.c, read by every stage). */
#define DS_VERSION "0.1.0"
#define DS_DEFAULT_STAGE_TIMEOUT 600.0
#define DS_DEFAULT_MAX_DIFFERENCES 100000u
#define DS_EXCLUDE_MAX 64

typedef struct ds_options {
    const char *input[2];     /* A and B */
    const char *output_dir;
    double stage_timeout;     /* seconds per stage; 0 means none */
    size_t max_differences;   /* differences kept; 0 means no limit */
    unsigned jobs;            /* threads comparing file contents; 0 means one per core */
    unsigned max_depth;       /* nested layers the classifiers open (0: none) */
    const char *deep_tool;    /* "diffoscope", or NULL */
    unsigned long long max_memory; /* bytes; memory budgets derive from it */
    const char *accept_file;  /* --accept FILE, or NULL */
    const char *diffoscope_json; /* --diffoscope-json FILE ("-": stdout), or NULL */
    bool quiet;
    /* The answer as text, and what rebuilders pass to diffoscope (issue 12). */
    bool answer_on_stdout;    /* no -o: output_dir is a private temporary directory */
    const char *text_file;    /* --text FILE ("-": stdout), or NULL */
    int color;                /* DS_COLOR_AUTO, DS_COLOR_ALWAYS or DS_COLOR_NEVER */
    double total_timeout;     /* --timeout: seconds for the whole run; 0 means none */
    const char *html_copy;    /* --html FILE: a copy of report.html, or NULL */
    size_t max_report_size;   /* --max-report-size: bytes of the text and --html copy; 0: all */
    const char *exclude[DS_EXCLUDE_MAX]; /* --exclude GLOB: innermost paths left out */
    size_t exclude_count;
} ds_options_t;

enum { DS_COLOR_AUTO, DS_COLOR_ALWAYS, DS_COLOR_NEVER };

#define DS_DEFAULT_MAX_DEPTH 8

typedef enum ds_stage_id {
    DS_STAGE_HASH,
    DS_STAGE_HEADER,
    DS_STAGE_TOC,
    DS_STAGE_SQUASHFS,
    DS_STAGE_CONTENT,
    DS_STAGE_REPORT,
    DS_STAGE_COUNT,
} ds_stage_id_t;

typedef enum ds_stage_status {
    DS_STATUS_OK,
    DS_STATUS_FAILED,
    DS_STATUS_TIMEOUT,
    DS_STATUS_SKIPPED,
} ds_stage_status_t;

#define DS_STAGE_ARTIFACTS_MAX 8

typedef struct ds_stage_result {
    ds_stage_status_t status;
    bool ran;
    double seconds;
    char *message; /* owned; NULL when there is nothing to say */
    bool limited;  /* a named limit stopped part of it (reported in report.json "limits") */
    const char *artifacts[DS_STAGE_ARTIFACTS_MAX];
    size_t artifact_count;
} ds_stage_result_t;

/* One input as the stages see it. */
typedef struct ds_side {
    const char *path;
    char name;               /* 'A' or 'B' */
    char label[300];         /* "B (/tmp/b.iso)", used in every message */
    char display_path[280];  /* the path escaped as one printable line */
    ds_source_t *source;     /* NULL when it could not be opened */
    char *open_error;        /* owned; why source is NULL */
    bool size_known;
    uint64_t size;
    bool sha256_known;
    char sha256[65];
    const char *type;        /* detected format: "iso9660", "squashfs", "directory", ... */
    bool is_directory;       /* a directory tree: no source, compared by the content stage */
} ds_side_t;

/* A squashfs found on both sides (inside the ISO at the same path, or the inputs themselves),
 * opened by the squashfs stage and compared by the content stage. */
struct ds_squashfs;
typedef struct ds_container {
    char *path;                  /* location element in the outer layer; NULL: the inputs */
    uint64_t offset[2], length[2]; /* the extent in each input */
    ds_source_t *slice[2];       /* owned */
    struct ds_squashfs *squashfs[2]; /* owned; NULL when it could not be opened */
    size_t entries[2];           /* entries the squashfs stage's walk listed on each side */
    bool tree_complete[2];       /* that walk read the side's whole tree without a problem */
    int preload[2];              /* the hash stage's preload adopted for each side, or -1 */
    bool compared_whole;         /* the toc stage already compared the payloads as wholes */
    bool payload_digest_known[2];
    unsigned char payload_digest[2][32];
    size_t differences;          /* findings inside this container (files, metadata) */
    uint64_t decompressed_files;
    uint64_t settled_by_stored_bytes;
    uint64_t compared_files;
    uint64_t blocks_decompressed; /* data and fragment blocks, both sides */
    uint64_t layers_opened;       /* format layers opened inside the differing files */
    uint64_t marks[256][2];      /* where differing files' stored data lie (offset, length in A) */
    size_t mark_count;
} ds_container_t;

#define DS_CONTAINERS_MAX 64

/* A squashfs payload whose SHA-256 the hash stage computed on its single pass over the input. */
typedef struct ds_payload_digest {
    int side;
    uint64_t offset, length;
    bool done;
    unsigned char digest[32];
} ds_payload_digest_t;

#define DS_DEEP_JOBS_MAX 16

/* One pair handed to --deep-tool: files under OUTDIR/deep/. */
typedef struct ds_deep_job {
    char location[600];
    char file_a[64], file_b[64], report[64];
    char status[96];
    bool ran;
} ds_deep_job_t;

typedef struct ds_run {
    const ds_options_t *options;
    int out_fd;
    ds_side_t side[2];
    bool identity_known;     /* the hash stage compared every byte */
    bool damaged_inside;     /* a layer inside a differing file was damaged or hostile */
    bool identical;
    uint64_t boot_catalog_offset[2]; /* byte offset of each side's El Torito catalog, 0: none */
    bool have_first_difference;
    uint64_t first_difference; /* first differing byte of the inputs */
    uint64_t differing_chunks;
    size_t content_diff_bytes; /* sqfs-diff.txt text kept so far (the content stage, chunk by chunk) */
    ds_chunk_map_t chunks;   /* equal 64 KiB chunks at equal offsets */
    bool chunks_valid;
    ds_findings_t findings;
    ds_stage_result_t stages[DS_STAGE_COUNT];
    ds_deadline_t deadline;  /* the running stage's */
    ds_payload_digest_t payloads[DS_CONTAINERS_MAX];
    size_t payload_count;
    ds_preloads_t preloads;  /* squashfs listings read beside the hash pass (preload.h) */
    ds_container_t containers[DS_CONTAINERS_MAX];
    size_t container_count;
    unsigned jobs;           /* threads for content comparison */
    ds_deep_job_t deep[DS_DEEP_JOBS_MAX];
    size_t deep_count;
    char *limits[16];        /* each limit hit, in words; owned */
    struct ds_accept *accept; /* --accept rules, or NULL; owned */
    size_t accepted;         /* differences matched by a rule */
    size_t excluded;         /* differences left out by --exclude */
    bool all_accepted;       /* the inputs differ, but every root difference is accepted */
    size_t limit_count;
    double started;
    bool progress;           /* stderr is a terminal and --quiet is off */
    double progress_last;
} ds_run_t;

const char *ds_stage_name(ds_stage_id_t id);
const char *ds_stage_status_name(ds_stage_status_t status);

/* Records that the stage failed (or timed out, for DS_ERR_TIMEOUT) with a message; the first
 * message is kept, later ones are appended after "; ". */
void ds_stage_fail(ds_stage_result_t *result, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ds_stage_artifact(ds_stage_result_t *result, const char *name);
/* Marks the stage skipped (not applicable to these inputs), saying why. */
void ds_stage_skip(ds_stage_result_t *result, const char *why);
/* Skips an ISO-only stage when both inputs are present and neither is an ISO 9660 image;
 * returns true when it did. */
bool ds_stage_skip_unless_iso(const ds_run_t *run, ds_stage_result_t *result);
void ds_run_limit(ds_run_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One progress line on stderr (rewritten in place, at most 5 a second) when run->progress. */
void ds_progress(ds_run_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void ds_run_free(ds_run_t *run);

/* The stages (src/stages/). Each returns nothing: it records its status in result. */
void ds_stage_hash_run(ds_run_t *run, ds_stage_result_t *result);
void ds_stage_header_run(ds_run_t *run, ds_stage_result_t *result);
void ds_stage_toc_run(ds_run_t *run, ds_stage_result_t *result);
void ds_stage_squashfs_run(ds_run_t *run, ds_stage_result_t *result);
void ds_stage_content_run(ds_run_t *run, ds_stage_result_t *result);
void ds_stage_report_run(ds_run_t *run, ds_stage_result_t *result);
/* Package drift (stages/packages.c): reads the differing manifests, makes each changed package a
 * root difference and the differences in its files its consequences; run after the explain pass. */
void ds_stage_packages_run(ds_run_t *run, ds_stage_result_t *result);
/* The content stage's paths for plain files and directory trees (stages/content_files.c). */
void ds_content_plain_files(ds_run_t *run, ds_stage_result_t *result);
void ds_content_directories(ds_run_t *run, ds_stage_result_t *result);
/* A directory tree against a file: one type difference at the inputs' own location. */
void ds_content_mixed(ds_run_t *run, ds_stage_result_t *result);

/* The digest the hash stage took of the payload at [offset, offset + length) of side, or NULL. */
const unsigned char *ds_run_payload_digest(const ds_run_t *run, int side, uint64_t offset,
                                           uint64_t length);

/* Registers a squashfs container found at `path` (NULL: the inputs themselves) with its extent
 * in each input. Returns false when the table is full. */
bool ds_run_add_container(ds_run_t *run, const char *path, const uint64_t offset[2],
                          const uint64_t length[2]);

/* The location of `inner` (a path or "@field") inside container c: [c->path, inner], or
 * [inner] when c is the inputs themselves. Returns the depth (1 or 2). */
size_t ds_container_location(const ds_container_t *c, const char *inner, const char *out[2]);

/* Puts a classifier's verdict on `outer` (the differing file's own difference, may be NULL)
 * and adds its nested differences below prefix[0..depth). */
void ds_stage_add_classified(ds_run_t *run, const char *stage, const char *const *prefix,
                             size_t depth, ds_difference_t *outer, const ds_classified_t *cls);

/* --deep-tool (stages/deep.c): copy a differing pair under OUTDIR/deep/, and run the tool on
 * every pair copied (in the report stage). */
bool ds_deep_wanted(const ds_run_t *run);
void ds_deep_extract(ds_run_t *run, const char *const *location, size_t depth, ds_source_t *a,
                     ds_source_t *b);
void ds_deep_run_all(ds_run_t *run);

/* True when the side can be read: an open file or a directory. */
bool ds_side_present(const ds_side_t *side);

/* Exit status from what the run found. */
int ds_run_exit_status(const ds_run_t *run);

#endif
