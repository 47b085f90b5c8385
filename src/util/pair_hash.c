#include "pair_hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

typedef struct side_job {
    ds_source_t *src;
    ds_sha256_t md;
    bool md_ok;
    unsigned char *buf;
    size_t got;
    bool active;
    ds_hash_tap_t *taps;
    size_t tap_count;
    int side;
    ds_error_t *error;
    uint64_t *bytes_read;
} side_job_t;

typedef struct shared {
    pthread_barrier_t start, done;
    uint64_t offset;
    bool stop;
    side_job_t jobs[2];
} shared_t;

/* Hashes the window just read into the side's digest and, for the parts inside a tap's range,
 * into the tap's too, in the same pass over the bytes (ds_sha256_update2). */
static void feed(side_job_t *job, uint64_t offset)
{
    size_t at = 0;
    while (at < job->got) {
        uint64_t here = offset + at;
        size_t end = job->got;
        ds_hash_tap_t *inside = NULL;
        for (size_t i = 0; i < job->tap_count; i++) {
            ds_hash_tap_t *tap = &job->taps[i];
            if (tap->side != job->side || tap->state == NULL)
                continue;
            uint64_t lo = tap->offset, hi = tap->offset + tap->length;
            if (lo <= here && here < hi && inside == NULL) {
                inside = tap;
                if (hi - offset < end)
                    end = (size_t)(hi - offset);
            } else if (lo > here && lo - offset < end) {
                end = (size_t)(lo - offset); /* stop where the next tap begins */
            } else if (lo <= here && here < hi && hi - offset < end) {
                end = (size_t)(hi - offset);
            }
        }
        if (inside != NULL)
            ds_sha256_update2(&job->md, inside->state, job->buf + at, end - at);
        else
            ds_sha256_update(&job->md, job->buf + at, end - at);
        /* a second tap over the same bytes (two files sharing an extent) gets them on its own */
        for (size_t i = 0; i < job->tap_count; i++) {
            ds_hash_tap_t *tap = &job->taps[i];
            if (tap != inside && tap->side == job->side && tap->state != NULL && tap->offset <= here &&
                here < tap->offset + tap->length)
                ds_sha256_update(tap->state, job->buf + at, end - at);
        }
        at = end;
    }
}

static void side_round(side_job_t *job, uint64_t offset)
{
    job->got = 0;
    if (!job->active)
        return;
    if (ds_source_read_some(job->src, offset, job->buf, DS_PAIR_HASH_WINDOW, &job->got,
                            job->error) != DS_OK) {
        job->active = false;
        job->got = 0;
        return;
    }
    *job->bytes_read += job->got;
    feed(job, offset);
    if (job->got < DS_PAIR_HASH_WINDOW)
        job->active = false;
}

static void *second_side(void *opaque)
{
    shared_t *sh = opaque;
    for (;;) {
        pthread_barrier_wait(&sh->start);
        if (sh->stop)
            break;
        side_round(&sh->jobs[1], sh->offset);
        pthread_barrier_wait(&sh->done);
    }
    return NULL;
}

/* Sets up both sides' jobs; false when a digest context or window could not be allocated. */
static bool jobs_init(shared_t *sh, ds_source_t *const src[2], ds_hash_tap_t *taps,
                      size_t tap_count, ds_pair_hash_result_t *result)
{
    bool ok = true;
    for (int i = 0; i < 2; i++) {
        side_job_t *job = &sh->jobs[i];
        job->src = src[i];
        job->side = i;
        job->taps = taps;
        job->tap_count = tap_count;
        job->error = &result->error[i];
        job->bytes_read = &result->bytes_read[i];
        job->md_ok = ds_sha256_init(&job->md);
        job->buf = malloc(DS_PAIR_HASH_WINDOW);
        ok &= job->md_ok && job->buf != NULL;
        job->active = ok && src[i] != NULL;
    }
    return ok;
}

/* A tap whose digest context cannot be made stays without state and is never done. */
static void taps_init(ds_hash_tap_t *taps, size_t tap_count)
{
    for (size_t i = 0; i < tap_count; i++) {
        taps[i].done = false;
        ds_sha256_t *md = malloc(sizeof *md);
        if (md != NULL && ds_sha256_init(md))
            taps[i].state = md;
        else
            free(md);
    }
}

/* Starts the thread reading side 1; false (nothing left to clean) when it cannot run, and
 * both sides are then read in turn on this thread. */
static bool helper_start(shared_t *sh, pthread_t *thread)
{
    if (pthread_barrier_init(&sh->start, NULL, 2) != 0)
        return false;
    if (pthread_barrier_init(&sh->done, NULL, 2) != 0) {
        pthread_barrier_destroy(&sh->start);
        return false;
    }
    if (pthread_create(thread, NULL, second_side, sh) != 0) {
        pthread_barrier_destroy(&sh->start);
        pthread_barrier_destroy(&sh->done);
        return false;
    }
    return true;
}

static void helper_stop(shared_t *sh, pthread_t thread)
{
    sh->stop = true;
    pthread_barrier_wait(&sh->start);
    pthread_join(thread, NULL);
    pthread_barrier_destroy(&sh->start);
    pthread_barrier_destroy(&sh->done);
}

/* Reads both sides window by window until both ended or the deadline passed. */
static void windows_run(shared_t *sh, bool threaded, const ds_deadline_t *deadline,
                        ds_pair_window_fn window, void *ctx, ds_pair_hash_result_t *result)
{
    uint64_t offset = 0;
    while (sh->jobs[0].active || sh->jobs[1].active) {
        if (ds_deadline_passed(deadline)) {
            result->timed_out = true;
            break;
        }
        sh->offset = offset;
        if (threaded) {
            pthread_barrier_wait(&sh->start);
            side_round(&sh->jobs[0], offset);
            pthread_barrier_wait(&sh->done);
        } else {
            side_round(&sh->jobs[0], offset);
            side_round(&sh->jobs[1], offset);
        }
        if (window != NULL)
            window(ctx, offset, sh->jobs[0].buf, sh->jobs[0].got, sh->jobs[1].buf,
                   sh->jobs[1].got);
        offset += DS_PAIR_HASH_WINDOW;
    }
}

/* A side's digest is valid when it was read to its end without error or timeout. */
static void jobs_finish(shared_t *sh, bool ok, ds_source_t *const src[2],
                        ds_pair_hash_result_t *result)
{
    for (int i = 0; i < 2; i++) {
        side_job_t *job = &sh->jobs[i];
        bool valid = ok && !result->timed_out && src[i] != NULL && result->error[i].message[0] == '\0';
        if (job->md_ok)
            ds_sha256_final(&job->md, valid ? result->digest[i] : NULL);
        result->hashed[i] = valid;
        free(job->buf);
    }
}

/* A tap's digest is valid when its side was read past the tap's range without error. */
static void taps_finish(ds_hash_tap_t *taps, size_t tap_count,
                        const ds_pair_hash_result_t *result)
{
    for (size_t i = 0; i < tap_count; i++) {
        if (taps[i].state == NULL)
            continue;
        bool valid = !result->timed_out && result->error[taps[i].side].message[0] == '\0' &&
                     result->bytes_read[taps[i].side] >= taps[i].offset + taps[i].length;
        ds_sha256_final(taps[i].state, valid ? taps[i].digest : NULL);
        taps[i].done = valid;
        free(taps[i].state);
        taps[i].state = NULL;
    }
}

void ds_pair_hash(ds_source_t *const src[2], const ds_deadline_t *deadline, ds_hash_tap_t *taps,
                  size_t tap_count, ds_pair_window_fn window, void *ctx,
                  ds_pair_hash_result_t *result)
{
    memset(result, 0, sizeof *result);
    shared_t sh;
    memset(&sh, 0, sizeof sh);
    bool ok = jobs_init(&sh, src, taps, tap_count, result);
    taps_init(taps, tap_count);
    pthread_t thread;
    bool threaded = ok && helper_start(&sh, &thread);
    if (ok)
        windows_run(&sh, threaded, deadline, window, ctx, result);
    if (threaded)
        helper_stop(&sh, thread);
    jobs_finish(&sh, ok, src, result);
    taps_finish(taps, tap_count, result);
}
