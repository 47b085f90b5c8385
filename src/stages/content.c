/* Stage 5, content: regular files present in both images of every squashfs pair, compared
 * cheapest evidence first. Equal size and equal stored (compressed) bytes settle a file without
 * decompressing anything; only the rest are decompressed, in bounded windows, by --jobs
 * threads. Each differing file gets one `content` difference and a bounded diff in
 * sqfs-diff.txt: a unified diff for text, differing ranges with hex windows for binary. When an
 * image differs but none of its files does, the stage says why (superblock, compression or
 * layout only) instead of listing noise. The pairs come from the preload's walk beside the hash
 * pass, or from this stage's own walk of both images, a chunk of CONTENT_CHUNK at a time: memory
 * never holds the image's file list. This file walks, runs the threads and reports;
 * the comparison of one pair is content_item.c's. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../explain/causes.h"
#include "run.h"
#include "../compare/metadata.h"
#include "../readers/dir.h"
#include "../readers/squashfs.h"
#include "../util/outfile.h"
#include "../util/strbuf.h"
#include "content_item.h"

#define CONTENT_BATCH 32    /* items a thread takes at a time */
#define LAYOUT_SAMPLE CONTENT_LAYOUT_SAMPLE

typedef struct work {
    ds_run_t *run;
    content_item_t *items;
    size_t count;
    atomic_size_t next;
    atomic_size_t diff_bytes;
    atomic_bool stop;
    size_t before;         /* items of earlier chunks, for progress */
    pthread_t main_thread; /* only it writes progress */
} work_t;

/* A squashfs file's content as a source, for the classifiers. */
typedef struct file_source {
    ds_squashfs_data_t *data;
    const ds_entry_t *entry;
} file_source_t;

static int file_source_read(void *opaque, uint64_t offset, void *buf, size_t len, size_t *got,
                            ds_error_t *err)
{
    file_source_t *fs = opaque;
    return ds_squashfs_data_read(fs->data, fs->entry, offset, buf, len, got, err);
}

static void classify_item(work_t *w, content_item_t *it, ds_squashfs_data_t *da, ds_squashfs_data_t *db)
{
    file_source_t fa = {da, it->a}, fb = {db, it->b};
    ds_source_t *sa = NULL, *sb = NULL;
    /* The label names the input; the file's path is in every message the classifiers write. */
    const char *label[2] = {w->run->side[0].label, w->run->side[1].label};
    it->classified = calloc(1, sizeof *it->classified);
    if (it->classified != NULL &&
        ds_source_open_callback(&sa, file_source_read, &fa, it->a->size, label[0], NULL) == DS_OK &&
        ds_source_open_callback(&sb, file_source_read, &fb, it->b->size, label[1], NULL) == DS_OK)
        ds_classify_pair(sa, sb, it->a->path, w->run->options->max_depth, it->binary ? DS_CLASSIFY_NOT_TEXT : 0,
                         &w->run->deadline, it->classified);
    ds_source_close(sa);
    ds_source_close(sb);
}

/* Copies a differing squashfs file pair out for --deep-tool, through fresh content readers. */
static void deep_extract_item(ds_run_t *run, ds_container_t *c, const content_item_t *it, const char *const *loc,
                              size_t depth)
{
    ds_squashfs_data_t *da = NULL, *db = NULL;
    ds_source_t *sa = NULL, *sb = NULL;
    file_source_t fa, fb;
    if (ds_squashfs_data_open(c->squashfs[0], &da, NULL) == DS_OK &&
        ds_squashfs_data_open(c->squashfs[1], &db, NULL) == DS_OK) {
        fa = (file_source_t){da, it->a};
        fb = (file_source_t){db, it->b};
        if (ds_source_open_callback(&sa, file_source_read, &fa, it->a->size, run->side[0].label, NULL) == DS_OK &&
            ds_source_open_callback(&sb, file_source_read, &fb, it->b->size, run->side[1].label, NULL) == DS_OK)
            ds_deep_extract(run, loc, depth, sa, sb);
    }
    ds_source_close(sa);
    ds_source_close(sb);
    ds_squashfs_data_close(da);
    ds_squashfs_data_close(db);
}

static void *worker(void *opaque)
{
    work_t *w = opaque;
    ds_squashfs_data_t *data[DS_CONTAINERS_MAX][2];
    memset(data, 0, sizeof data);
    size_t i = 0, batch_end = 0;
    for (;; i++) {
        if (atomic_load(&w->stop))
            break;
        if (i >= batch_end) {
            /* Runs of neighbours: files stored next to each other share fragment blocks, and
             * one thread's data readers keep the last block of each side decompressed. */
            i = atomic_fetch_add(&w->next, CONTENT_BATCH);
            batch_end = i + CONTENT_BATCH;
        }
        if (i >= w->count)
            break;
        content_item_t *it = &w->items[i];
        if (it->done) /* settled by the preload beside the hash pass */
            continue;
        ds_error_t err = {0};
        if (ds_deadline_passed(&w->run->deadline)) {
            atomic_store(&w->stop, true);
            break;
        }
        if (i % CONTENT_BATCH == 0 && pthread_equal(pthread_self(), w->main_thread))
            ds_progress(w->run, "content: %zu files decompressed and compared", w->before + i);
        int rc = DS_OK;
        for (int s = 0; s < 2 && rc == DS_OK; s++)
            if (data[it->container][s] == NULL)
                rc = ds_squashfs_data_open(it->c->squashfs[s], &data[it->container][s], &err);
        if (rc == DS_OK)
            rc = content_item_compare(it, it->c->squashfs, data[it->container], &w->run->deadline, &w->diff_bytes,
                                      &err);
        if (rc == DS_OK && !it->equal)
            classify_item(w, it, data[it->container][0], data[it->container][1]);
        if (rc != DS_OK)
            it->error = strdup(err.message[0] ? err.message : ds_error_name(rc));
        if (rc == DS_ERR_TIMEOUT)
            atomic_store(&w->stop, true);
        else
            it->done = true;
    }
    for (size_t c = 0; c < DS_CONTAINERS_MAX; c++)
        for (int s = 0; s < 2; s++)
            ds_squashfs_data_close(data[c][s]);
    return NULL;
}

static int order_by_a(const void *x, const void *y)
{
    const content_layout_key_t *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

/* The walk of one squashfs pair: file pairs settled by the preload are counted, the others are
 * copied into a chunk of at most CONTENT_CHUNK items, compared by the threads and reported
 * when it fills, so memory holds one chunk, not the image's file list. Every layout_stride-th
 * pair's storage positions go into a bounded sample for the layout check. */
typedef struct collect {
    ds_run_t *run;
    ds_stage_result_t *result;
    FILE *f;                      /* sqfs-diff.txt, or NULL */
    ds_container_t *c;
    size_t container;
    content_item_t *items;        /* CONTENT_CHUNK of them */
    size_t count;
    size_t compared;              /* items of earlier chunks */
    const unsigned char *settled; /* the preload's stored-bytes verdicts for c, or NULL */
    size_t settled_pairs;
    size_t pairs;                 /* file pairs met so far */
    size_t not_done;
    bool stop;                    /* out of time: the rest is only counted */
    bool failed;
    content_layout_key_t *layout;     /* LAYOUT_SAMPLE of them */
    size_t layout_count, layout_stride;
} collect_t;

static void report_items(collect_t *col);

static void free_items(content_item_t *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (items[i].classified != NULL) {
            ds_classified_free(items[i].classified);
            free(items[i].classified);
        }
        content_item_release(&items[i]);
    }
    memset(items, 0, count * sizeof *items);
}

static void compare_items(ds_run_t *run, content_item_t *items, size_t count, size_t before);

/* Compares and reports the chunk, then empties it. */
static void flush_chunk(collect_t *col)
{
    if (col->count == 0)
        return;
    compare_items(col->run, col->items, col->count, col->compared);
    report_items(col);
    col->compared += col->count;
    free_items(col->items, col->count);
    col->count = 0;
}

static void sample_layout(collect_t *col, size_t index, const ds_entry_t *a, const ds_entry_t *b)
{
    if (index % col->layout_stride == 0 && col->layout_count < LAYOUT_SAMPLE && a->extent_count > 0 &&
        b->extent_count > 0)
        col->layout[col->layout_count++] = (content_layout_key_t){a->extents[0].offset, b->extents[0].offset};
}

static int collect_visit(void *opaque, const ds_entry_t *a, const ds_entry_t *b)
{
    collect_t *col = opaque;
    if (a == NULL || b == NULL || a->type != DS_ENTRY_FILE || b->type != DS_ENTRY_FILE)
        return 0;
    size_t index = col->pairs++;
    sample_layout(col, index, a, b);
    if (col->settled != NULL && index < col->settled_pairs && (col->settled[index / 8] & (1u << (index % 8)))) {
        col->c->compared_files++;
        col->c->settled_by_stored_bytes++;
        return 0;
    }
    if (col->stop || ds_deadline_passed(&col->run->deadline)) {
        col->stop = true;
        col->not_done++;
        return 0;
    }
    content_item_t *it = &col->items[col->count];
    memset(it, 0, sizeof *it);
    it->c = col->c;
    it->container = col->container;
    if (!content_item_take(it, a, b)) {
        col->failed = true;
        return 1;
    }
    if (++col->count == CONTENT_CHUNK)
        flush_chunk(col);
    return 0;
}

/* Files whose data lie in another order: the sample sorted by where A stores them, B's
 * positions must increase too, or the layout differs. */
static bool layout_differs(collect_t *col)
{
    content_layout_key_t *keys = col->layout;
    size_t n = col->layout_count;
    qsort(keys, n, sizeof *keys, order_by_a);
    bool differs = false;
    for (size_t i = 1; i < n && !differs; i++)
        differs = keys[i].b < keys[i - 1].b;
    return differs;
}

/* True when both payloads have the same size and equal bytes after the 96-byte superblock. */
static bool payload_equal_past_super(const ds_container_t *c)
{
    if (c->length[0] != c->length[1])
        return false;
    unsigned char *wa = malloc(CONTENT_WINDOW), *wb = malloc(CONTENT_WINDOW);
    bool equal = wa != NULL && wb != NULL;
    for (uint64_t at = 96; equal && at < c->length[0]; at += CONTENT_WINDOW) {
        size_t n = c->length[0] - at < CONTENT_WINDOW ? (size_t)(c->length[0] - at) : CONTENT_WINDOW;
        equal = ds_source_read(c->slice[0], at, wa, n, "squashfs", NULL) == DS_OK &&
                ds_source_read(c->slice[1], at, wb, n, "squashfs", NULL) == DS_OK &&
                memcmp(wa, wb, n) == 0;
    }
    free(wa);
    free(wb);
    return equal;
}

/* An image that differs though none of its files does: say why, once, as its root cause. */
static void explain_container(ds_run_t *run, ds_container_t *c, collect_t *col, FILE *out)
{
    if (c->differences > 0 || c->squashfs[0] == NULL || c->squashfs[1] == NULL)
        return;
    const sqfs_super_t *sa = ds_squashfs_super(c->squashfs[0]), *sb = ds_squashfs_super(c->squashfs[1]);
    const char *loc[2];
    size_t depth = ds_container_location(c, "@squashfs.data", loc);
    if (payload_equal_past_super(c)) {
        fprintf(out, "== %s: the images differ only in the superblock (no file differs) ==\n\n",
                c->path ? c->path : "(the inputs)");
        return; /* the superblock fields are already reported, mkfs_time with its cause */
    }
    const char *cause, *kind_text, *detail_text;
    ds_kind_t kind;
    bool options = sa->compression_id != sb->compression_id || sa->block_size != sb->block_size ||
                   (sa->flags & ~SQFS_FLAG_COMPRESSOR_OPTIONS) != (sb->flags & ~SQFS_FLAG_COMPRESSOR_OPTIONS) ||
                   (sa->flags & SQFS_FLAG_COMPRESSOR_OPTIONS) != (sb->flags & SQFS_FLAG_COMPRESSOR_OPTIONS);
    if (!options && layout_differs(col)) {
        cause = ds_cause_name(DS_CAUSE_SQUASHFS_LAYOUT);
        kind = DS_KIND_ORDER;
        kind_text = "layout only";
        detail_text = "same files, metadata and contents; the file data is stored in another order "
                      "(a -sort file, -ef excludes or a different file order at build time)";
    } else {
        cause = ds_cause_name(DS_CAUSE_COMPRESSION_ONLY);
        kind = DS_KIND_CONTENT;
        kind_text = "compression only";
        detail_text = options ? "same files, metadata and contents; compressed with other "
                                "compressor settings (compressor, options, block size or flags)"
                              : "same files, metadata and contents; the compressed bytes differ "
                                "(compressor version, threads or level not recorded in the superblock)";
    }
    fprintf(out, "== %s: %s: %s ==\n\n", c->path ? c->path : "(the inputs)", kind_text, detail_text);
    ds_difference_t *d = ds_findings_add(&run->findings, "content", kind, loc, depth, NULL, NULL, detail_text);
    if (d != NULL)
        ds_difference_explain(d, cause, "likely",
                              strcmp(cause, ds_cause_name(DS_CAUSE_COMPRESSION_ONLY)) == 0
                                  ? "pin squashfs-tools and its options (-comp, -Xcompression-level, -b) in both builds"
                                  : "use the same -sort file and -ef excludes, and a stable file order",
                              false);
    /* The superblock fields that merely follow are consequences of it. */
    for (size_t i = 0; i < run->findings.count; i++) {
        ds_difference_t *f = &run->findings.items[i];
        if (strcmp(f->stage, "squashfs") == 0 && f->depth >= 1 &&
            strncmp(f->location[f->depth - 1], "@squashfs.", 10) == 0 &&
            ((c->path == NULL && f->depth == 1) || (c->path && f->depth == 2 && strcmp(f->location[0], c->path) == 0)) &&
            strcmp(f->location[f->depth - 1], "@squashfs.mkfs_time") != 0 && !f->secondary) {
            if (strcmp(f->cause, "unknown") == 0)
                ds_difference_explain(f, cause, "likely", NULL, true);
        }
    }
}

static unsigned job_count(const ds_run_t *run, size_t items)
{
    unsigned jobs = run->jobs ? run->jobs : 1;
    if (jobs > items)
        jobs = items ? (unsigned)items : 1;
    return jobs;
}


/* Inputs with no squashfs to read in place (directories, a directory against a file, plain
 * files) are compared by content_files.c. Returns true when handed over. */
static bool hand_off_without_squashfs(ds_run_t *run, ds_stage_result_t *result)
{
    if (run->side[0].is_directory || run->side[1].is_directory) {
        if (run->side[0].is_directory && run->side[1].is_directory)
            ds_content_directories(run, result);
        else if (ds_side_present(&run->side[0]) && ds_side_present(&run->side[1]))
            ds_content_mixed(run, result); /* a type difference, as diff -r reports it */
        else
            ds_stage_fail(result, DS_ERR_USAGE, "%s is missing: nothing to compare", run->side[run->side[0].is_directory ? 1 : 0].label);
        return true;
    }
    if (run->container_count == 0 && run->side[0].source != NULL && run->side[1].source != NULL &&
        strcmp(run->side[0].type, "iso9660") != 0 && strcmp(run->side[1].type, "iso9660") != 0 &&
        strcmp(run->side[0].type, "squashfs") != 0 && strcmp(run->side[1].type, "squashfs") != 0) {
        ds_content_plain_files(run, result);
        return true;
    }
    return false;
}

/* Compares every item with --jobs threads, this one among them (it alone writes progress). */
static void compare_items(ds_run_t *run, content_item_t *items, size_t count, size_t before)
{
    work_t w = {.run = run, .items = items, .count = count, .before = before};
    atomic_init(&w.next, 0);
    atomic_init(&w.diff_bytes, run->content_diff_bytes);
    atomic_init(&w.stop, false);
    w.main_thread = pthread_self();
    unsigned jobs = job_count(run, count);
    pthread_t threads[256];
    unsigned started = 0;
    for (unsigned t = 1; t < jobs; t++)
        if (pthread_create(&threads[started], NULL, worker, &w) == 0)
            started++;
    worker(&w);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    run->content_diff_bytes = atomic_load(&w.diff_bytes);
}

/* The finding's detail line: where the contents first differ, and by how much. */
static void describe_item(const content_item_t *it, char *detail, size_t size)
{
    if (it->a->size == it->b->size)
        snprintf(detail, size, "same size, %" PRIu64 " differing bytes in %zu ranges, the first at byte %" PRIu64 "%s",
                 it->differing_bytes, it->range_count, it->first_difference, it->binary ? " (binary)" : "");
    else
        snprintf(detail, size, "size %" PRIu64 " -> %" PRIu64 " bytes; the first difference is at byte %" PRIu64 "%s",
                 it->a->size, it->b->size, it->first_difference, it->binary ? " (binary)" : "");
}

/* Marks where A stores the file (first extent, fragment) for the squashfs layout map. */
static void mark_item_storage(ds_container_t *c, const content_item_t *it)
{
    if (c->mark_count < 256 && it->a->extent_count > 0) {
        c->marks[c->mark_count][0] = it->a->extents[0].offset;
        c->marks[c->mark_count][1] = it->a->extents[0].length;
        c->mark_count++;
    }
    uint64_t fragment_at, fragment_size;
    if (c->mark_count < 256 &&
        ds_squashfs_fragment_location(c->squashfs[0], it->a, &fragment_at, &fragment_size)) {
        c->marks[c->mark_count][0] = fragment_at;
        c->marks[c->mark_count][1] = fragment_size;
        c->mark_count++;
    }
}

/* The file's section of sqfs-diff.txt: heading, what the classifiers found, the diff. */
static void write_item_diff(FILE *f, const ds_container_t *c, const content_item_t *it, const char *detail)
{
    char *shown = ds_escape_line(it->a->path);
    fprintf(f, "=== %s%s%s\n%s\n", c->path ? c->path : "", c->path ? " :: " : "", shown ? shown : "?", detail);
    if (it->classified != NULL && it->classified->detail[0] != '\0')
        fprintf(f, "inside: %s%s%s\n", it->classified->detail, it->classified->cause ? " -> cause " : "",
                it->classified->cause ? it->classified->cause : "");
    if (!it->binary)
        fprintf(f, "--- a%s\n+++ b%s\n", shown ? shown : "?", shown ? shown : "?");
    fprintf(f, "%s\n", it->report ? it->report : "");
    free(shown);
}

/* One differing file: its finding (with what is inside it and an excerpt of the diff), its
 * storage marks, --deep-tool's copies, and its section of sqfs-diff.txt (f may be NULL). */
static void report_differing_item(ds_run_t *run, ds_container_t *c, const content_item_t *it, FILE *f)
{
    char va[40], vb[40], detail[300];
    snprintf(va, sizeof va, "%" PRIu64 " bytes", it->a->size);
    snprintf(vb, sizeof vb, "%" PRIu64 " bytes", it->b->size);
    describe_item(it, detail, sizeof detail);
    const char *loc[2];
    size_t depth = ds_container_location(c, it->a->path, loc);
    ds_difference_t *outer = ds_findings_add(&run->findings, "content", DS_KIND_CONTENT, loc, depth, va, vb, detail);
    if (outer != NULL)
        c->differences++;
    if (it->classified != NULL)
        ds_stage_add_classified(run, "content", loc, depth, outer, it->classified);
    if (outer != NULL && it->report != NULL) {
        size_t n = strlen(it->report);
        outer->excerpt = strndup(it->report, n > 65536 ? 65536 : n);
    }
    mark_item_storage(c, it);
    if (ds_deep_wanted(run))
        deep_extract_item(run, c, it, loc, depth);
    if (f)
        write_item_diff(f, c, it, detail);
}

/* The chunk's results: errors and unfinished items, the counters, a finding per differing
 * file (with its section of sqfs-diff.txt). */
static void report_items(collect_t *col)
{
    ds_container_t *c = col->c;
    FILE *f = col->f;
    for (size_t k = 0; k < col->count; k++) {
        content_item_t *it = &col->items[k];
        if (!it->done) {
            col->not_done++;
            col->stop = true;
            if (it->error != NULL && !strstr(it->error, "time budget"))
                ds_stage_fail(col->result, DS_ERR_FORMAT, "%s", it->error);
            continue;
        }
        if (it->error != NULL) {
            ds_stage_fail(col->result, DS_ERR_FORMAT, "%s", it->error);
            if (f)
                fprintf(f, "=== %s :: %s\nNOT COMPARED: %s\n\n", c->path ? c->path : "", it->a->path, it->error);
            continue;
        }
        c->compared_files++;
        c->settled_by_stored_bytes += it->settled;
        c->decompressed_files += it->decompressed;
        if (it->classified != NULL)
            c->layers_opened += it->classified->layers_opened;
        if (!it->equal)
            report_differing_item(col->run, c, it, f);
    }
}

/* The preload's walk beside the hash pass already found the pairs whose stored bytes differ
 * (at most a chunk of them) and the layout sample: they are taken as they are. */
static void take_pass(collect_t *col, ds_preload_t *pass)
{
    ds_container_t *c = col->c;
    c->compared_files += pass->settled_count;
    c->settled_by_stored_bytes += pass->settled_count;
    memcpy(col->layout, pass->layout, pass->layout_count * sizeof *col->layout);
    col->layout_count = pass->layout_count;
    col->pairs = pass->pass_pairs;
    for (size_t k = 0; k < pass->item_count; k++) {
        content_item_t *it = &col->items[k];
        *it = pass->items[k];
        it->a = &it->own[0];
        it->b = &it->own[1];
        it->c = c;
        it->container = col->container;
    }
    col->count = pass->item_count;
    pass->item_count = 0;
}

/* One squashfs pair walked: every file pair of both images compared chunk by chunk, then the
 * counters and, when no file differs, why the images differ at all. */
static void compare_container(collect_t *col)
{
    ds_container_t *c = col->c;
    col->pairs = col->count = col->compared = col->layout_count = 0;
    col->settled = ds_preload_settled(&col->run->preloads, c, &col->settled_pairs);
    uint64_t inodes = ds_squashfs_super(c->squashfs[0])->inode_count;
    col->layout_stride = inodes / LAYOUT_SAMPLE + 1;
    int rc = DS_OK;
    ds_preload_t *pass = ds_preload_pass(&col->run->preloads, c);
    if (pass != NULL && !pass->items_overflow) {
        take_pass(col, pass);
    } else {
        ds_squashfs_walk_t w;
        rc = ds_squashfs_walk_pair(c->squashfs, &col->run->deadline, collect_visit, col, &w);
        ds_squashfs_walk_free(&w);
    }
    if (!col->failed)
        flush_chunk(col);
    if (rc == DS_ERR_TIMEOUT)
        ds_stage_fail(col->result, DS_ERR_TIMEOUT, "%s: time budget exhausted walking the trees after %zu file pairs",
                      c->path ? c->path : "(the inputs)", col->pairs);
    if (col->failed)
        ds_stage_fail(col->result, DS_ERR_NOMEM, "out of memory listing the files to compare");
    free_items(col->items, col->count);
    col->count = 0;
    c->blocks_decompressed = ds_squashfs_decompressions(c->squashfs[0]) + ds_squashfs_decompressions(c->squashfs[1]);
    if (col->f) {
        explain_container(col->run, c, col, col->f);
        fprintf(col->f, "== %s: %" PRIu64 " files compared: %" PRIu64 " settled from their stored bytes without "
                   "decompressing, %" PRIu64 " decompressed (%" PRIu64 " blocks decompressed) ==\n\n",
                c->path ? c->path : "(the inputs)", c->compared_files, c->settled_by_stored_bytes,
                c->decompressed_files, c->blocks_decompressed);
    }
}

/* The squashfs file's own content difference in the ISO tree follows from what was found
 * inside it: a consequence, not a root. */
static void mark_squashfs_files_secondary(ds_run_t *run)
{
    for (size_t i = 0; i < run->container_count; i++) {
        const ds_container_t *c = &run->containers[i];
        if (c->path == NULL || c->squashfs[0] == NULL || c->squashfs[1] == NULL)
            continue;
        for (size_t k = 0; k < run->findings.count; k++) {
            ds_difference_t *d = &run->findings.items[k];
            if (d->depth == 1 && d->kind == DS_KIND_CONTENT && strcmp(d->location[0], c->path) == 0)
                d->secondary = true;
        }
    }
}

void ds_stage_content_run(ds_run_t *run, ds_stage_result_t *result)
{
    if (hand_off_without_squashfs(run, result))
        return;
    size_t usable = 0;
    for (size_t i = 0; i < run->container_count; i++)
        usable += run->containers[i].squashfs[0] != NULL && run->containers[i].squashfs[1] != NULL;
    if (usable == 0) {
        ds_stage_skip(result, run->container_count ? "no squashfs could be opened on both sides"
                                                      : "no squashfs image on both sides");
        return;
    }
    ds_outfile_t out;
    ds_error_t err = {0};
    bool have_out = ds_outfile_begin(&out, run->out_fd, "sqfs-diff.txt", &err) == DS_OK;
    if (!have_out)
        ds_stage_fail(result, err.code, "%s", err.message);
    else
        ds_stage_artifact(result, "sqfs-diff.txt");
    collect_t col = {.run = run, .result = result, .f = have_out ? out.stream : NULL};
    col.items = calloc(CONTENT_CHUNK, sizeof *col.items);
    col.layout = malloc(LAYOUT_SAMPLE * sizeof *col.layout);
    if (col.items == NULL || col.layout == NULL) {
        ds_stage_fail(result, DS_ERR_NOMEM, "out of memory listing the files to compare");
        usable = 0;
    }
    for (size_t i = 0; usable > 0 && i < run->container_count; i++) {
        ds_container_t *c = &run->containers[i];
        if (c->squashfs[0] == NULL || c->squashfs[1] == NULL)
            continue;
        col.c = c;
        col.container = i;
        compare_container(&col);
    }
    mark_squashfs_files_secondary(run);
    if (col.not_done > 0)
        ds_stage_fail(result, DS_ERR_TIMEOUT, "%zu files not compared: time budget exhausted", col.not_done);
    if (col.f && result->message != NULL)
        fprintf(col.f, "PARTIAL: %s\n", result->message);
    if (have_out && ds_outfile_commit(&out, &err) != DS_OK)
        ds_stage_fail(result, err.code, "%s", err.message);
    free(col.items);
    free(col.layout);
}
