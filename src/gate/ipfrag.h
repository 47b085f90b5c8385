/* IP fragment reassembly for the telemetry gate (RFC 791 section 3.2, RFC 8200 section 4.5),
 * bounded: at most GATE_IPFRAG_MAX_PENDING datagrams wait at once, each at most 65 535 bytes;
 * a datagram whose fragments do not all arrive within GATE_IPFRAG_MAX_AGE seconds of capture
 * time, or that is pushed out by a newer one, is dropped and counted. Overlapping fragments:
 * the later bytes win (they are only read, never forwarded). */
#ifndef GATE_IPFRAG_H
#define GATE_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define GATE_IPFRAG_MAX_PENDING 64u
#define GATE_IPFRAG_MAX_BYTES 65535u
#define GATE_IPFRAG_MAX_AGE 60.0

typedef struct gate_ipfrag gate_ipfrag_t;

/* NULL when out of memory. Free with gate_ipfrag_free (accepts NULL). */
gate_ipfrag_t *gate_ipfrag_new(void);
void gate_ipfrag_free(gate_ipfrag_t *frag);

/* Adds the fragment in *packet (status GATE_PACKET_FRAGMENT) seen at time (seconds). When it
 * completes its datagram, returns true and sets *data / *len to the reassembled upper-layer
 * bytes (borrowed until the next call). A fragment whose end passes 65 535 bytes sets *why. */
bool gate_ipfrag_add(gate_ipfrag_t *frag, const gate_packet_t *packet, double time, const uint8_t **data,
                     size_t *len, const char **why);
/* Datagrams dropped incomplete so far (timed out, pushed out, or still waiting at the end). */
uint64_t gate_ipfrag_dropped(const gate_ipfrag_t *frag);
/* Counts the datagrams still waiting as dropped (call once at the end of the capture). */
void gate_ipfrag_finish(gate_ipfrag_t *frag);

#endif
