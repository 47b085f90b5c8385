/* QUIC Initial packets as the telemetry gate reads them: the client's Initial keys derived
 * from its Destination Connection ID and the version's public salt (RFC 9001 section 5.2;
 * QUIC version 2, RFC 9369 section 3.3; drafts 29 to 32), header protection removed (RFC 9001
 * section 5.4), the payload opened with AES-128-GCM (OpenSSL libcrypto), and the CRYPTO frames
 * handed back with their offsets (RFC 9000 section 19.6). Nothing here is secret: anyone on the
 * path can do the same, which is why the SNI in a QUIC Initial is evidence. */
#ifndef GATE_QUIC_H
#define GATE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATE_QUIC_MAX_COALESCED 4u /* long-header packets read from one datagram */

typedef struct gate_quic_keys {
    bool set;
    uint32_t version;
    uint8_t key[16], iv[12], hp[16];
} gate_quic_keys_t;

/* Called for each CRYPTO frame of a decrypted client Initial. */
typedef void (*gate_quic_crypto_fn)(void *arg, uint64_t offset, const uint8_t *data, size_t len);

/* Whether the datagram starts like a QUIC long-header packet of a version read here. */
bool gate_quic_looks_initial(const uint8_t *data, size_t len);
/* Derives the client's Initial keys for version from dcid. False for an unknown version. */
bool gate_quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, gate_quic_keys_t *keys);
/* Reads the client Initial packets of one UDP payload, decrypting with *keys (derived from the
 * first packet's DCID when not yet set, and again from the packet's own DCID if those fail, as
 * after a Retry). Returns the number of Initial packets opened; *why says why a packet that
 * looked like an Initial could not be opened (static text; NULL when none). */
int gate_quic_read_datagram(const uint8_t *data, size_t len, gate_quic_keys_t *keys, gate_quic_crypto_fn fn,
                            void *arg, const char **why);

#endif
