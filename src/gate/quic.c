#include "quic.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

typedef struct quic_version {
    uint32_t version;
    uint8_t salt[20];
    const char *label_prefix; /* "quic " or "quicv2 " */
    uint8_t initial_type;     /* the long-header type bits (0x30 of byte 0) of an Initial */
} quic_version_t;

/* Salts: RFC 9001 section 5.2, RFC 9369 section 3.3.1, draft-ietf-quic-tls-29 section 5.2. */
static const quic_version_t versions[] = {
    {0x00000001, {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}, "quic ", 0x00},
    {0x6b3343cf, {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}, "quicv2 ", 0x10},
    {0xff00001d, {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}, "quic ", 0x00},
    {0xff00001e, {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}, "quic ", 0x00},
    {0xff00001f, {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}, "quic ", 0x00},
    {0xff000020, {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}, "quic ", 0x00},
};

static const quic_version_t *find_version(uint32_t v)
{
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++)
        if (versions[i].version == v)
            return &versions[i];
    return NULL;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* A variable-length integer (RFC 9000 section 16) at d[*p]; false past end. */
static bool varint(const uint8_t *d, size_t end, size_t *p, uint64_t *out)
{
    if (*p >= end)
        return false;
    size_t n = (size_t)1 << (d[*p] >> 6);
    if (*p + n > end)
        return false;
    uint64_t v = d[*p] & 0x3f;
    for (size_t i = 1; i < n; i++)
        v = v << 8 | d[*p + i];
    *p += n;
    *out = v;
    return true;
}

/* HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context, out_len <= 32. */
static bool expand_label(const uint8_t secret[32], const char *prefix, const char *label, uint8_t *out, size_t out_len)
{
    uint8_t info[2 + 1 + 64 + 1 + 1];
    char full[64];
    size_t fl = (size_t)snprintf(full, sizeof full, "tls13 %s%s", prefix ? prefix : "", label);
    if (fl >= sizeof full)
        return false;
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)fl;
    memcpy(info + n, full, fl);
    n += fl;
    info[n++] = 0;    /* empty context */
    info[n++] = 0x01; /* T(1) = HMAC(PRK, info || 0x01) */
    uint8_t t[32];
    unsigned tl = 0;
    if (HMAC(EVP_sha256(), secret, 32, info, n, t, &tl) == NULL || tl != 32)
        return false;
    memcpy(out, t, out_len);
    return true;
}

bool gate_quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, gate_quic_keys_t *k)
{
    const quic_version_t *v = find_version(version);
    if (v == NULL)
        return false;
    uint8_t initial[32], client[32];
    unsigned il = 0;
    if (HMAC(EVP_sha256(), v->salt, sizeof v->salt, dcid, dcid_len, initial, &il) == NULL || il != 32)
        return false; /* HKDF-Extract(salt, DCID) */
    if (!expand_label(initial, NULL, "client in", client, 32) || !expand_label(client, v->label_prefix, "key", k->key, 16) ||
        !expand_label(client, v->label_prefix, "iv", k->iv, 12) || !expand_label(client, v->label_prefix, "hp", k->hp, 16))
        return false;
    k->version = version;
    k->set = true;
    return true;
}

bool gate_quic_looks_initial(const uint8_t *d, size_t len)
{
    if (len < 7 || (d[0] & 0xc0) != 0xc0)
        return false;
    const quic_version_t *v = find_version(be32(d + 1));
    return v != NULL && (d[0] & 0x30) == v->initial_type;
}

static bool aes_ecb_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ol = 0;
    bool ok = c != NULL && EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(c, 0) == 1 && EVP_EncryptUpdate(c, out, &ol, in, 16) == 1 && ol == 16;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static bool aes_gcm_open(const gate_quic_keys_t *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                         const uint8_t *ct, size_t ct_len, uint8_t *out)
{
    if (ct_len < 16)
        return false;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ol = 0, fl = 0;
    size_t body = ct_len - 16;
    bool ok = c != NULL && EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
              EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
              EVP_DecryptUpdate(c, NULL, &ol, aad, (int)aad_len) == 1 &&
              EVP_DecryptUpdate(c, out, &ol, ct, (int)body) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(ct + body)) == 1 &&
              EVP_DecryptFinal_ex(c, out + ol, &fl) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

/* The frames of a decrypted Initial payload: CRYPTO handed on, the rest skipped. */
static void read_frames(const uint8_t *d, size_t len, gate_quic_crypto_fn fn, void *arg)
{
    size_t p = 0;
    while (p < len) {
        uint64_t type = 0, a = 0, b = 0, n = 0;
        if (!varint(d, len, &p, &type))
            return;
        if (type == 0x00 || type == 0x01)
            continue; /* PADDING, PING */
        if (type == 0x06) {
            if (!varint(d, len, &p, &a) || !varint(d, len, &p, &b) || b > len - p)
                return;
            fn(arg, a, d + p, (size_t)b);
            p += (size_t)b;
        } else if (type == 0x02 || type == 0x03) { /* ACK: largest, delay, count, first, ranges */
            if (!varint(d, len, &p, &a) || !varint(d, len, &p, &a) || !varint(d, len, &p, &n) || !varint(d, len, &p, &a))
                return;
            for (uint64_t i = 0; i < n * 2 + (type == 0x03 ? 3 : 0); i++)
                if (!varint(d, len, &p, &a))
                    return;
        } else {
            return; /* CONNECTION_CLOSE or a frame an Initial may not carry: nothing more to read */
        }
    }
}

/* Opens the packet at d (one long-header packet of plen bytes whose pn starts at pn_off) in a
 * scratch copy; hands its frames on. */
static bool open_packet(const uint8_t *d, size_t plen, size_t pn_off, const gate_quic_keys_t *k,
                        gate_quic_crypto_fn fn, void *arg)
{
    if (pn_off + 4 + 16 > plen)
        return false;
    uint8_t mask[16];
    if (!aes_ecb_block(k->hp, d + pn_off + 4, mask))
        return false;
    uint8_t *buf = malloc(plen * 2);
    if (buf == NULL)
        return false;
    memcpy(buf, d, plen);
    buf[0] ^= mask[0] & 0x0f;
    size_t pnl = (size_t)(buf[0] & 3) + 1;
    uint8_t nonce[12];
    memcpy(nonce, k->iv, 12);
    for (size_t i = 0; i < pnl; i++) {
        buf[pn_off + i] ^= mask[1 + i];
        nonce[12 - pnl + i] ^= buf[pn_off + i];
    }
    size_t hdr = pn_off + pnl;
    bool ok = aes_gcm_open(k, nonce, buf, hdr, buf + hdr, plen - hdr, buf + plen);
    if (ok)
        read_frames(buf + plen, plen - hdr - 16, fn, arg);
    free(buf);
    return ok;
}

int gate_quic_read_datagram(const uint8_t *d, size_t len, gate_quic_keys_t *keys, gate_quic_crypto_fn fn, void *arg,
                            const char **why)
{
    *why = NULL;
    int opened = 0;
    size_t p = 0;
    for (unsigned n = 0; n < GATE_QUIC_MAX_COALESCED && gate_quic_looks_initial(d + p, len - p); n++) {
        const uint8_t *pk = d + p;
        size_t rest = len - p, q = 5;
        uint32_t version = be32(pk + 1);
        size_t dcid_len = pk[q];
        if (dcid_len > 20 || q + 1 + dcid_len + 1 > rest)
            return (*why = "QUIC Initial header cut or connection ID over 20 bytes"), opened;
        const uint8_t *dcid = pk + q + 1;
        q += 1 + dcid_len;
        size_t scid_len = pk[q];
        q += 1 + scid_len;
        uint64_t token = 0, length = 0;
        if (scid_len > 20 || !varint(pk, rest, &q, &token) || token > rest - q)
            return (*why = "QUIC Initial token beyond the datagram"), opened;
        q += (size_t)token;
        if (!varint(pk, rest, &q, &length) || length > rest - q || length < 20)
            return (*why = "QUIC Initial length beyond the datagram"), opened;
        size_t plen = q + (size_t)length;
        gate_quic_keys_t fresh = {0};
        bool ok = false;
        if (keys->set && keys->version == version)
            ok = open_packet(pk, plen, q, keys, fn, arg);
        if (!ok && gate_quic_client_keys(version, dcid, dcid_len, &fresh) && open_packet(pk, plen, q, &fresh, fn, arg)) {
            *keys = fresh;
            ok = true;
        }
        if (!ok)
            return (*why = "QUIC Initial did not open with the client's Initial keys (a server Initial, or damaged)"), opened;
        opened++;
        p += plen;
    }
    return opened;
}
