#include "pair_hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/* Each side is read and hashed by its own thread into a ring of windows; this thread takes the
 * windows of both sides in order and hands each pair to the callback, then gives them back. A
 * side runs up to RING windows ahead of the other, so neither waits for the other while the
 * machine's cores are shared with other work (the squashfs preload beside the hash pass). */
#define RING 4

typedef struct slot {
    unsigned char *buf;
    size_t got;
    bool filled; /* read and hashed; the consumer has not given it back */
    bool last;   /* the side ended with this window (short read, error or deadline) */
} slot_t;

typedef struct side_job {
    ds_source_t *src;
    ds_sha256_t md;
    bool md_ok;
    slot_t slots[RING];
    bool active;
    ds_hash_tap_t *taps;
    size_t tap_count;
    int side;
    ds_error_t *error;
    uint64_t *bytes_read;
    struct shared *sh;
} side_job_t;

typedef struct shared {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    const ds_deadline_t *deadline;
    bool go;        /* every side thread started: read */
    bool stop;      /* not every side thread started: read nothing, end */
    bool timed_out;
    side_job_t jobs[2];
} shared_t;

/* Hashes the window just read into the side's digest and, for the parts inside a tap's range,
 * into the tap's too, in the same pass over the bytes (ds_sha256_update2). */
static void feed(side_job_t *job, const unsigned char *buf, size_t got, uint64_t offset)
{
    size_t at = 0;
    while (at < got) {
        uint64_t here = offset + at;
        size_t end = got;
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
            ds_sha256_update2(&job->md, inside->state, buf + at, end - at);
        else
            ds_sha256_update(&job->md, buf + at, end - at);
        /* a second tap over the same bytes (two files sharing an extent) gets them on its own */
        for (size_t i = 0; i < job->tap_count; i++) {
            ds_hash_tap_t *tap = &job->taps[i];
            if (tap != inside && tap->side == job->side && tap->state != NULL && tap->offset <= here &&
                here < tap->offset + tap->length)
                ds_sha256_update(tap->state, buf + at, end - at);
        }
        at = end;
    }
}

/* Reads and hashes window k of one side into buf; false when the side has ended. */
static bool side_read(side_job_t *job, uint64_t offset, unsigned char *buf, size_t *got)
{
    *got = 0;
    if (ds_source_read_some(job->src, offset, buf, DS_PAIR_HASH_WINDOW, got, job->error) != DS_OK) {
        *got = 0;
        return false;
    }
    *job->bytes_read += *got;
    feed(job, buf, *got, offset);
    return *got == DS_PAIR_HASH_WINDOW;
}

static void *side_thread(void *opaque)
{
    side_job_t *job = opaque;
    shared_t *sh = job->sh;
    pthread_mutex_lock(&sh->lock);
    while (!sh->go && !sh->stop)
        pthread_cond_wait(&sh->changed, &sh->lock);
    bool stopped = sh->stop;
    pthread_mutex_unlock(&sh->lock);
    if (stopped)
        return NULL;
    for (uint64_t k = 0;; k++) {
        slot_t *slot = &job->slots[k % RING];
        pthread_mutex_lock(&sh->lock);
        while (slot->filled)
            pthread_cond_wait(&sh->changed, &sh->lock);
        pthread_mutex_unlock(&sh->lock);
        bool more = false, late = ds_deadline_passed(sh->deadline);
        size_t got = 0;
        if (!late)
            more = side_read(job, k * DS_PAIR_HASH_WINDOW, slot->buf, &got);
        pthread_mutex_lock(&sh->lock);
        if (late)
            sh->timed_out = true;
        slot->got = got;
        slot->last = !more;
        slot->filled = true;
        pthread_cond_broadcast(&sh->changed);
        pthread_mutex_unlock(&sh->lock);
        if (!more)
            break;
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
        job->sh = sh;
        job->taps = taps;
        job->tap_count = tap_count;
        job->error = &result->error[i];
        job->bytes_read = &result->bytes_read[i];
        job->md_ok = ds_sha256_init(&job->md);
        ok &= job->md_ok;
        for (int k = 0; k < RING; k++)
            ok &= (job->slots[k].buf = malloc(DS_PAIR_HASH_WINDOW)) != NULL;
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

/* The consumer: window pairs in order until both sides ended. */
static void consume(shared_t *sh, ds_pair_window_fn window, void *ctx)
{
    bool ended[2] = {!sh->jobs[0].active, !sh->jobs[1].active};
    for (uint64_t k = 0; !ended[0] || !ended[1]; k++) {
        slot_t *slot[2] = {&sh->jobs[0].slots[k % RING], &sh->jobs[1].slots[k % RING]};
        pthread_mutex_lock(&sh->lock);
        while ((!ended[0] && !slot[0]->filled) || (!ended[1] && !slot[1]->filled))
            pthread_cond_wait(&sh->changed, &sh->lock);
        pthread_mutex_unlock(&sh->lock);
        static const unsigned char none[1];
        const unsigned char *b[2];
        size_t n[2];
        for (int i = 0; i < 2; i++) {
            b[i] = ended[i] ? none : slot[i]->buf;
            n[i] = ended[i] ? 0 : slot[i]->got;
        }
        if (window != NULL && (n[0] > 0 || n[1] > 0))
            window(ctx, k * DS_PAIR_HASH_WINDOW, b[0], n[0], b[1], n[1]);
        pthread_mutex_lock(&sh->lock);
        for (int i = 0; i < 2; i++)
            if (!ended[i]) {
                ended[i] = slot[i]->last;
                slot[i]->filled = false;
            }
        pthread_cond_broadcast(&sh->changed);
        pthread_mutex_unlock(&sh->lock);
    }
}

/* Without threads: both sides in turn, one window at a time. */
static void run_inline(shared_t *sh, ds_pair_window_fn window, void *ctx)
{
    bool more[2] = {sh->jobs[0].active, sh->jobs[1].active};
    for (uint64_t k = 0; more[0] || more[1]; k++) {
        if (ds_deadline_passed(sh->deadline)) {
            sh->timed_out = true;
            break;
        }
        size_t got[2] = {0, 0};
        for (int i = 0; i < 2; i++)
            if (more[i])
                more[i] = side_read(&sh->jobs[i], k * DS_PAIR_HASH_WINDOW, sh->jobs[i].slots[0].buf, &got[i]);
        if (window != NULL && (got[0] > 0 || got[1] > 0))
            window(ctx, k * DS_PAIR_HASH_WINDOW, sh->jobs[0].slots[0].buf, got[0], sh->jobs[1].slots[0].buf, got[1]);
    }
}

/* Both side threads, this one consuming; false (nothing started) when threads cannot be made. */
static bool run_threaded(shared_t *sh, ds_pair_window_fn window, void *ctx)
{
    if (pthread_mutex_init(&sh->lock, NULL) != 0)
        return false;
    if (pthread_cond_init(&sh->changed, NULL) != 0) {
        pthread_mutex_destroy(&sh->lock);
        return false;
    }
    pthread_t thread[2];
    bool started[2] = {false, false};
    for (int i = 0; i < 2; i++)
        if (sh->jobs[i].active)
            started[i] = pthread_create(&thread[i], NULL, side_thread, &sh->jobs[i]) == 0;
    bool ok = (started[0] || !sh->jobs[0].active) && (started[1] || !sh->jobs[1].active);
    pthread_mutex_lock(&sh->lock);
    sh->go = ok;
    sh->stop = !ok; /* a thread that did start reads nothing and ends */
    pthread_cond_broadcast(&sh->changed);
    pthread_mutex_unlock(&sh->lock);
    if (ok)
        consume(sh, window, ctx);
    for (int i = 0; i < 2; i++)
        if (started[i])
            pthread_join(thread[i], NULL);
    pthread_cond_destroy(&sh->changed);
    pthread_mutex_destroy(&sh->lock);
    return ok;
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
        for (int k = 0; k < RING; k++)
            free(job->slots[k].buf);
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
    sh.deadline = deadline;
    if (ok && !run_threaded(&sh, window, ctx))
        run_inline(&sh, window, ctx);
    result->timed_out = sh.timed_out;
    jobs_finish(&sh, ok, src, result);
    taps_finish(taps, tap_count, result);
}
