/* The first bytes of one direction of a flow (a TCP stream or a QUIC CRYPTO stream), put back
 * in order from segments that may arrive out of order, repeat or overlap. Bounded: only bytes
 * [0, GATE_STREAM_MAX) are kept; the buffer grows as they arrive. The naming code reads the
 * contiguous prefix and frees the stream as soon as it has what it needs. */
#ifndef GATE_STREAM_H
#define GATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATE_STREAM_MAX 32768u /* bytes: a ClientHello with post-quantum key shares fits */

typedef struct gate_stream {
    uint8_t *data;
    uint8_t *have; /* one bit per byte */
    size_t capacity;
    size_t prefix; /* bytes [0, prefix) all present */
} gate_stream_t;

/* Adds len bytes at offset (bytes past GATE_STREAM_MAX are dropped). False when out of memory. */
bool gate_stream_add(gate_stream_t *stream, uint64_t offset, const uint8_t *data, size_t len);
/* Frees the buffers; the stream is empty again. */
void gate_stream_free(gate_stream_t *stream);

#endif
