/* The telemetry gate's engine: captured frames in, flows out. Each frame is decoded
 * (packet.h), IP fragments put back together (ipfrag.h), and counted into its flow (both
 * directions of one 5-tuple); while a flow is unnamed its first client bytes are read for a
 * name (TLS SNI, QUIC Initial SNI, HTTP Host, the DNS question) and DNS answers are remembered
 * for the flows that start after them (names.h). Knows nothing of libpcap or of the rules: the
 * caller feeds frames and judges the flows at the end.
 * Bounded: GATE_TEL_MAX_FLOWS flows; first client bytes only while unnamed, at most
 * GATE_STREAM_MAX per flow and GATE_TEL_BUFFER_BUDGET in all. */
#ifndef GATE_FLOWS_H
#define GATE_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "id_slots.h"
#include "ipfrag.h"
#include "names.h"
#include "packet.h"
#include "quic.h"
#include "stream.h"

#define GATE_TEL_MAX_FLOWS 65536u
#define GATE_TEL_BUFFER_BUDGET (16u << 20)  /* bytes of first client bytes held at once */
#define GATE_TEL_MAX_TRIES 16u              /* client packets read for a name before giving up */
#define GATE_TEL_MALFORMED_LOG 20u          /* malformed packets described one by one */

typedef enum gate_tel_evidence {
    GATE_TEL_EV_NONE,
    GATE_TEL_EV_DNS_QUERY, /* the flow is a DNS query: its question names it */
    GATE_TEL_EV_HTTP,      /* HTTP Host */
    GATE_TEL_EV_QUIC,      /* QUIC Initial SNI */
    GATE_TEL_EV_TLS,       /* TLS ClientHello SNI */
} gate_tel_evidence_t;

typedef struct gate_tel_flow {
    gate_addr_t client, server; /* the client sent the first packet (a SYN-ACK's receiver) */
    uint16_t cport, sport;
    uint8_t proto;
    uint8_t evidence;           /* gate_tel_evidence_t of name */
    bool naming_done;
    bool seq_known;
    uint8_t tries;
    uint32_t seq_base;          /* the client's first data byte */
    uint32_t name;              /* from the flow's own bytes; GATE_NAMES_NONE */
    uint32_t dns_chain;         /* DNS's chain for the server, answered before the flow began */
    uint32_t answer_chain;      /* a DNS flow: the chain its own first answer gave (CNAMEs too) */
    uint64_t dns_packet, answer_packet, evidence_packet, first_packet;
    uint32_t quic_version;
    double first_time, last_time;
    uint64_t packets, bytes;
    gate_stream_t *stream;      /* while naming */
    gate_quic_keys_t *quic;     /* while naming a QUIC flow */
} gate_tel_flow_t;

typedef struct gate_tel_malformed {
    uint64_t packet, file_offset;
    size_t at;
    const char *why;
} gate_tel_malformed_t;

typedef struct gate_tel_counts {
    uint64_t frames, not_ip, malformed, fragments, reassembled, dns_messages, over_limit, unread_budget;
} gate_tel_counts_t;

typedef struct gate_tel {
    int link_type;
    gate_tel_flow_t *flows;     /* in order of their first packet */
    size_t flow_count, flow_capacity;
    gate_id_slots_t slots;      /* flow key -> index into flows */
    gate_names_t *names;
    gate_ipfrag_t *frag;
    gate_dns_message_t *dns;    /* scratch */
    size_t buffered;
    gate_tel_counts_t counts;
    gate_tel_malformed_t malformed[GATE_TEL_MALFORMED_LOG];
    bool out_of_memory;
} gate_tel_t;

/* Starts an engine for frames of link_type; DS_OK or DS_ERR_NOMEM. Free with gate_tel_free. */
int gate_tel_init(gate_tel_t *tel, int link_type);
/* One frame: caplen bytes captured of wire_len, at time (Unix seconds), packet number packet
 * (from 1), starting at file_offset in the capture (for messages; 0 when unknown). */
void gate_tel_frame(gate_tel_t *tel, const uint8_t *frame, size_t caplen, size_t wire_len, double time,
                    uint64_t packet, uint64_t file_offset);
/* Ends the capture: frees what naming still holds, counts unfinished fragments. */
void gate_tel_finish(gate_tel_t *tel);
void gate_tel_free(gate_tel_t *tel);

#endif
