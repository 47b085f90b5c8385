/* SHA-256 of the hash pass (util/sha256.c): FIPS 180-4 / NIST example digests, every length
 * and split against OpenSSL, and two digests over one stream (update2) at equal and unequal
 * block phases. ctest runs it twice: on this CPU's path and with DS_SHA256_PORTABLE=1 (the
 * OpenSSL path), so both are checked wherever the SHA extensions exist. */
#include "test_helpers.h"

#include <openssl/evp.h>

#include "util/sha256.h"

static void hex(const unsigned char d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void reference(const unsigned char *p, size_t n, unsigned char out[32])
{
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL), 1);
    assert_int_equal(len, 32);
}

static void test_known_digests(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t repeat;
        const char *digest;
    } cases[] = {
        {"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ds_sha256_t s;
        assert_true(ds_sha256_init(&s));
        for (size_t r = 0; r < cases[k].repeat; r++)
            ds_sha256_update(&s, cases[k].text, strlen(cases[k].text));
        unsigned char d[32];
        char h[65];
        ds_sha256_final(&s, d);
        hex(d, h);
        assert_string_equal(h, cases[k].digest);
    }
}

static unsigned char *random_bytes(size_t n)
{
    unsigned char *p = malloc(n);
    assert_non_null(p);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        p[i] = (unsigned char)x;
    }
    return p;
}

/* Every length up to 300 (each padding case) in pieces of every size up to 70. */
static void test_lengths_and_splits(void **state)
{
    (void)state;
    unsigned char *p = random_bytes(300);
    for (size_t n = 0; n <= 300; n++) {
        unsigned char want[32], got[32];
        reference(p, n, want);
        for (size_t piece = 1; piece <= 70; piece += (n > 100 ? 23 : 1)) {
            ds_sha256_t s;
            assert_true(ds_sha256_init(&s));
            for (size_t at = 0; at < n; at += piece)
                ds_sha256_update(&s, p + at, n - at < piece ? n - at : piece);
            ds_sha256_final(&s, got);
            assert_memory_equal(got, want, 32);
        }
    }
    free(p);
}

/* The ISO and its payload: a is fed [0, n), b joins at `start` and leaves at `end`. */
static void two_digests(const unsigned char *p, size_t n, size_t start, size_t end, size_t piece)
{
    ds_sha256_t a, b;
    assert_true(ds_sha256_init(&a));
    assert_true(ds_sha256_init(&b));
    for (size_t at = 0; at < n;) {
        size_t stop = at + piece < n ? at + piece : n;
        if (at < start && stop > start)
            stop = start;
        else if (at < end && stop > end)
            stop = end;
        if (at >= start && at < end)
            ds_sha256_update2(&a, &b, p + at, stop - at);
        else
            ds_sha256_update(&a, p + at, stop - at);
        at = stop;
    }
    unsigned char wa[32], wb[32], ga[32], gb[32];
    reference(p, n, wa);
    reference(p + start, end - start, wb);
    ds_sha256_final(&a, ga);
    ds_sha256_final(&b, gb);
    assert_memory_equal(ga, wa, 32);
    assert_memory_equal(gb, wb, 32);
}

static void test_two_digests(void **state)
{
    (void)state;
    size_t n = 3 * 1024 * 1024 + 77;
    unsigned char *p = random_bytes(n);
    /* block phase equal (an extent at a multiple of 2048), and unequal (one after the other) */
    static const size_t starts[] = {0, 2048, 64, 1, 63, 65, 4097, 1048576};
    static const size_t pieces[] = {1048576, 65536, 1000, 64, 7};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            size_t piece = pieces[k];
            size_t len = piece < 1000 ? 20000 : n;
            size_t start = starts[i] < len ? starts[i] : 0;
            two_digests(p, len, start, len, piece);
            two_digests(p, len, start, start + (len - start) / 2 + 3, piece);
        }
    free(p);
}

static void test_unwanted_digest(void **state)
{
    (void)state;
    ds_sha256_t s;
    assert_true(ds_sha256_init(&s));
    ds_sha256_update(&s, "abc", 3);
    ds_sha256_final(&s, NULL); /* frees the OpenSSL context on that path; ASan checks */
    print_message("sha256: %s path\n", ds_sha256_accelerated() ? "SHA extensions" : "OpenSSL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_digests),
        cmocka_unit_test(test_lengths_and_splits),
        cmocka_unit_test(test_two_digests),
        cmocka_unit_test(test_unwanted_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
