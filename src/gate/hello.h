/* Names in a flow's first client bytes: the server_name of a TLS ClientHello (RFC 8446 section
 * 4.1.2, RFC 6066 section 3), carried in TLS records over TCP or bare in QUIC CRYPTO frames
 * (RFC 9001 section 4), and the Host header of an HTTP/1.x request (RFC 9112 section 3.2).
 * Bytes in, a name out; nothing kept. */
#ifndef GATE_HELLO_H
#define GATE_HELLO_H

#include <stddef.h>
#include <stdint.h>

#define GATE_NAME_MAX 256u          /* bytes of a DNS name with its NUL */
#define GATE_HELLO_MAX_RECORDS 8u   /* TLS records a ClientHello may be split over */
#define GATE_HELLO_MAX_BYTES 32768u /* bytes of one ClientHello message read */
#define GATE_HTTP_HEAD_MAX 16384u   /* bytes of request head searched for Host */

typedef enum gate_hello_status {
    GATE_HELLO_MORE,  /* not enough bytes yet */
    GATE_HELLO_NAME,  /* name holds the server name (lower case, no trailing dot) */
    GATE_HELLO_NONE,  /* these bytes carry no name (not TLS/HTTP, or a hello without SNI) */
} gate_hello_status_t;

/* What protocol the first client bytes speak, judged from len >= 1 bytes. */
typedef enum gate_hello_kind {
    GATE_HELLO_KIND_UNKNOWN, /* too few bytes to tell */
    GATE_HELLO_KIND_TLS,
    GATE_HELLO_KIND_HTTP,
    GATE_HELLO_KIND_OTHER,
} gate_hello_kind_t;

gate_hello_kind_t gate_hello_kind(const uint8_t *data, size_t len);
/* A TLS ClientHello in records (a TCP stream's first bytes). */
gate_hello_status_t gate_hello_tls_records(const uint8_t *data, size_t len, char name[GATE_NAME_MAX]);
/* A ClientHello handshake message without records (a QUIC CRYPTO stream's first bytes). */
gate_hello_status_t gate_hello_tls_handshake(const uint8_t *data, size_t len, char name[GATE_NAME_MAX]);
/* The Host of an HTTP/1.x request head (port and brackets removed). */
gate_hello_status_t gate_hello_http_host(const uint8_t *data, size_t len, char name[GATE_NAME_MAX]);
/* Copies a name of len bytes into out lower-cased, without a trailing dot; false when it is
 * empty, too long or holds a byte no host name has. */
int gate_name_normalize(const char *in, size_t len, char out[GATE_NAME_MAX]);

#endif
