/* SHA-256 with two digests over one stream; see sha256.h. The compression follows FIPS 180-4
 * section 6.2 with Intel's SHA extensions (sha256rnds2 does two rounds on the state held as
 * ABEF/CDGH, sha256msg1/msg2 extend the message schedule four words at a time); the round
 * constants are FIPS 180-4 section 4.2.2's. */
#include "sha256.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define DS_SHA_X86 1
#endif

static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#ifdef DS_SHA_X86
static const uint32_t round_k[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* h[0..7] = A..H to the instructions' layout: s0 = (A,B,E,F), s1 = (C,D,G,H), high lane first. */
SHA_TARGET static void state_load(const uint32_t h[8], __m128i *s0, __m128i *s1)
{
    __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
    __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);
    *s0 = _mm_alignr_epi8(dcba, efgh, 8);
    *s1 = _mm_blend_epi16(efgh, dcba, 0xF0);
}

SHA_TARGET static void state_store(uint32_t h[8], __m128i s0, __m128i s1)
{
    __m128i t = _mm_shuffle_epi32(s0, 0x1B);
    __m128i u = _mm_shuffle_epi32(s1, 0xB1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, u, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(u, t, 8));
}

/* blocks 64-byte blocks into ha and, when hb is not NULL, the same blocks into hb. */
SHA_TARGET static void compress_x86(uint32_t *ha, uint32_t *hb, const unsigned char *p, size_t blocks)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i a0, a1, b0, b1;
    state_load(ha, &a0, &a1);
    b0 = a0, b1 = a1;
    if (hb != NULL)
        state_load(hb, &b0, &b1);
    for (; blocks > 0; blocks--, p += 64) {
        __m128i w[16];
        const __m128i sa0 = a0, sa1 = a1, sb0 = b0, sb1 = b1;
        for (int g = 0; g < 4; g++)
            w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), swap);
        for (int g = 0; g < 16; g++) {
            if (g >= 4)
                w[g] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(w[g - 4], w[g - 3]), _mm_alignr_epi8(w[g - 1], w[g - 2], 4)),
                    w[g - 1]);
            __m128i wk = _mm_add_epi32(w[g], _mm_load_si128((const __m128i *)&round_k[4 * g]));
            __m128i high = _mm_shuffle_epi32(wk, 0x0E);
            a1 = _mm_sha256rnds2_epu32(a1, a0, wk);
            if (hb != NULL)
                b1 = _mm_sha256rnds2_epu32(b1, b0, wk);
            a0 = _mm_sha256rnds2_epu32(a0, a1, high);
            if (hb != NULL)
                b0 = _mm_sha256rnds2_epu32(b0, b1, high);
        }
        a0 = _mm_add_epi32(a0, sa0), a1 = _mm_add_epi32(a1, sa1);
        b0 = _mm_add_epi32(b0, sb0), b1 = _mm_add_epi32(b1, sb1);
    }
    state_store(ha, a0, a1);
    if (hb != NULL)
        state_store(hb, b0, b1);
}

static int detect(void)
{
    if (getenv("DS_SHA256_PORTABLE") != NULL) /* the tests run the OpenSSL path too */
        return 0;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << 29)) ? 1 : 0; /* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29] */
}
#endif

bool ds_sha256_accelerated(void)
{
#ifdef DS_SHA_X86
    static int known = -1;
    if (known < 0)
        known = detect();
    return known == 1;
#else
    return false;
#endif
}

bool ds_sha256_init(ds_sha256_t *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->h, initial, sizeof s->h);
    if (ds_sha256_accelerated())
        return true;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return false;
    }
    s->evp = md;
    return true;
}

#ifdef DS_SHA_X86
/* Fills a's partial block from data; returns how many bytes it took. */
static size_t fill_partial(ds_sha256_t *s, const unsigned char *data, size_t len)
{
    size_t have = (size_t)(s->bytes % 64);
    if (have == 0)
        return 0;
    size_t take = 64 - have < len ? 64 - have : len;
    memcpy(s->buf + have, data, take);
    s->bytes += take;
    if (s->bytes % 64 == 0)
        compress_x86(s->h, NULL, s->buf, 1);
    return take;
}

/* Both states at a block boundary: whole blocks, then the tail into both buffers. */
static void aligned_update(ds_sha256_t *a, ds_sha256_t *b, const unsigned char *p, size_t len)
{
    size_t blocks = len / 64;
    if (blocks > 0)
        compress_x86(a->h, b != NULL ? b->h : NULL, p, blocks);
    size_t tail = len % 64;
    memcpy(a->buf, p + 64 * blocks, tail);
    a->bytes += len;
    if (b != NULL) {
        memcpy(b->buf, p + 64 * blocks, tail);
        b->bytes += len;
    }
}
#endif

void ds_sha256_update(ds_sha256_t *s, const void *data, size_t len)
{
    if (s->evp != NULL) {
        EVP_DigestUpdate(s->evp, data, len);
        return;
    }
#ifdef DS_SHA_X86
    const unsigned char *p = data;
    size_t took = fill_partial(s, p, len);
    if (s->bytes % 64 == 0)
        aligned_update(s, NULL, p + took, len - took);
#else
    (void)data, (void)len;
#endif
}

void ds_sha256_update2(ds_sha256_t *a, ds_sha256_t *b, const void *data, size_t len)
{
#ifdef DS_SHA_X86
    if (a->evp == NULL && b->evp == NULL && a->bytes % 64 == b->bytes % 64) {
        const unsigned char *p = data;
        size_t took = fill_partial(a, p, len);
        fill_partial(b, p, len);
        if (a->bytes % 64 == 0)
            aligned_update(a, b, p + took, len - took);
        return;
    }
#endif
    ds_sha256_update(a, data, len);
    ds_sha256_update(b, data, len);
}

void ds_sha256_final(ds_sha256_t *s, unsigned char out[32])
{
    if (s->evp != NULL) {
        unsigned char digest[32];
        unsigned int n = 0;
        EVP_DigestFinal_ex(s->evp, digest, &n);
        EVP_MD_CTX_free(s->evp);
        s->evp = NULL;
        if (out != NULL)
            memcpy(out, digest, 32);
        return;
    }
    if (out == NULL)
        return;
#ifdef DS_SHA_X86
    /* Padding (FIPS 180-4 5.1.1): 0x80, zeros, the length in bits, big-endian. */
    uint64_t bits = s->bytes * 8;
    unsigned char pad[72] = {0x80};
    size_t have = (size_t)(s->bytes % 64);
    size_t padlen = have < 56 ? 56 - have : 120 - have;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    ds_sha256_update(s, pad, padlen + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
#endif
}
