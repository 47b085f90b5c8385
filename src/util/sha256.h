/* SHA-256 (FIPS 180-4) for the hash pass, with one addition OpenSSL's interface lacks: one
 * stream of bytes fed into two digests at once (an ISO and the squashfs payload inside it),
 * where both consume the same 64-byte blocks, so the message schedule is computed once and the
 * rounds of both chaining states run interleaved. On x86-64 with the SHA extensions the
 * compression is ours (intrinsics); elsewhere each digest is an OpenSSL EVP context, so the
 * results are the same and only the speed differs. */
#ifndef DS_SHA256_H
#define DS_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ds_sha256 {
    uint32_t h[8];
    uint64_t bytes;          /* fed so far */
    unsigned char buf[64];   /* a partial block */
    void *evp;               /* the OpenSSL context, when not accelerated */
} ds_sha256_t;

/* True when this CPU has the SHA extensions and the interleaved compression is used. */
bool ds_sha256_accelerated(void);

/* false when no OpenSSL context could be made (out of memory); then nothing needs freeing. */
bool ds_sha256_init(ds_sha256_t *s);
void ds_sha256_update(ds_sha256_t *s, const void *data, size_t len);
/* Feeds the same bytes to a and b. Interleaved when both have fed the same number of bytes
 * modulo 64 (an ISO extent starts at a multiple of 2048); otherwise one after the other. */
void ds_sha256_update2(ds_sha256_t *a, ds_sha256_t *b, const void *data, size_t len);
/* Writes the digest and frees the state (also when out is NULL: a digest not wanted). */
void ds_sha256_final(ds_sha256_t *s, unsigned char out[32]);

#endif
