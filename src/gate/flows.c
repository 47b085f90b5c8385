#include "flows.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "hello.h"
#include "id_slots.h"

int gate_tel_init(gate_tel_t *t, int link_type)
{
    memset(t, 0, sizeof *t);
    t->link_type = link_type;
    bool slots = gate_id_slots_init(&t->slots, 4096);
    t->names = gate_names_new();
    t->frag = gate_ipfrag_new();
    t->dns = malloc(sizeof *t->dns);
    if (!slots || t->names == NULL || t->frag == NULL || t->dns == NULL) {
        gate_tel_free(t);
        return DS_ERR_NOMEM;
    }
    return DS_OK;
}

static void stop_naming(gate_tel_t *t, gate_tel_flow_t *f)
{
    f->naming_done = true;
    if (f->stream != NULL) {
        t->buffered -= f->stream->capacity;
        gate_stream_free(f->stream);
        free(f->stream);
        f->stream = NULL;
    }
    free(f->quic);
    f->quic = NULL;
}

void gate_tel_finish(gate_tel_t *t)
{
    for (size_t i = 0; i < t->flow_count; i++)
        stop_naming(t, &t->flows[i]);
    if (t->frag != NULL)
        gate_ipfrag_finish(t->frag);
}

void gate_tel_free(gate_tel_t *t)
{
    if (t->flows != NULL)
        gate_tel_finish(t);
    free(t->flows);
    gate_id_slots_free(&t->slots);
    gate_names_free(t->names);
    gate_ipfrag_free(t->frag);
    free(t->dns);
    memset(t, 0, sizeof *t);
}

static void malformed(gate_tel_t *t, uint64_t packet, uint64_t offset, size_t at, const char *why)
{
    if (t->counts.malformed < GATE_TEL_MALFORMED_LOG)
        t->malformed[t->counts.malformed] = (gate_tel_malformed_t){packet, offset, at, why};
    t->counts.malformed++;
}

/* The flow key, the same for both directions: the lower endpoint first. */
static uint64_t flow_hash(const gate_packet_t *pk)
{
    const gate_addr_t *a = &pk->src, *b = &pk->dst;
    uint16_t ports[2] = {pk->sport, pk->dport};
    int c = memcmp(a, b, sizeof *a);
    if (c > 0 || (c == 0 && ports[0] > ports[1])) {
        a = &pk->dst, b = &pk->src;
        ports[0] = pk->dport, ports[1] = pk->sport;
    }
    uint64_t h = gate_fnv1a(GATE_FNV_START, &pk->proto, 1);
    h = gate_fnv1a(h, a, sizeof *a);
    h = gate_fnv1a(h, b, sizeof *b);
    return gate_fnv1a(h, ports, sizeof ports);
}

static uint64_t flow_id_hash(const void *ctx, uint32_t id)
{
    const gate_tel_flow_t *f = &((const gate_tel_t *)ctx)->flows[id];
    gate_packet_t pk = {.src = f->client, .dst = f->server, .sport = f->cport, .dport = f->sport, .proto = f->proto};
    return flow_hash(&pk);
}

/* Whether pk belongs to f, and in which direction. */
static bool flow_matches(const gate_tel_flow_t *f, const gate_packet_t *pk, bool *from_client)
{
    if (f->proto != pk->proto)
        return false;
    if (f->cport == pk->sport && f->sport == pk->dport && gate_addr_equal(&f->client, &pk->src) &&
        gate_addr_equal(&f->server, &pk->dst))
        return (*from_client = true);
    if (f->cport == pk->dport && f->sport == pk->sport && gate_addr_equal(&f->client, &pk->dst) &&
        gate_addr_equal(&f->server, &pk->src))
        return !(*from_client = false);
    return false;
}

/* Who started: the sender of the first packet seen, unless that packet answers (a SYN-ACK, or
 * from a well-known port to an ephemeral one when the capture began mid-flow). */
static void set_ends(gate_tel_flow_t *f, const gate_packet_t *pk)
{
    bool swap = false;
    if (pk->proto == 6 && (pk->tcp_flags & 0x12) == 0x12)
        swap = true;
    else if ((pk->proto == 6 && !(pk->tcp_flags & 0x02)) || pk->proto == 17)
        swap = pk->sport < 1024 && pk->dport >= 1024;
    f->client = swap ? pk->dst : pk->src;
    f->server = swap ? pk->src : pk->dst;
    f->cport = swap ? pk->dport : pk->sport;
    f->sport = swap ? pk->sport : pk->dport;
}

static gate_tel_flow_t *new_flow(gate_tel_t *t, const gate_packet_t *pk, size_t slot, double time, uint64_t packet)
{
    if (t->flow_count >= GATE_TEL_MAX_FLOWS)
        return NULL;
    if (t->flow_count == t->flow_capacity) {
        size_t cap = t->flow_capacity ? t->flow_capacity * 2 : 256;
        gate_tel_flow_t *g = realloc(t->flows, cap * sizeof *g);
        if (g == NULL)
            return NULL;
        t->flows = g;
        t->flow_capacity = cap;
    }
    gate_tel_flow_t *f = &t->flows[t->flow_count];
    memset(f, 0, sizeof *f);
    f->proto = pk->proto;
    set_ends(f, pk);
    f->name = GATE_NAMES_NONE;
    f->dns_chain = f->answer_chain = GATE_NAMES_NONE;
    gate_names_lookup(t->names, &f->server, &f->dns_chain, &f->dns_packet);
    f->first_time = time;
    f->first_packet = packet;
    f->naming_done = pk->proto != 6 && pk->proto != 17;
    t->slots.slots[slot] = (uint32_t)t->flow_count++;
    if (t->flow_count * 2 > t->slots.count && !gate_id_slots_grow(&t->slots, flow_id_hash, t))
        t->out_of_memory = true;
    return f;
}

static gate_tel_flow_t *find_flow(gate_tel_t *t, const gate_packet_t *pk, double time, uint64_t packet, bool *from_client)
{
    size_t mask = t->slots.count - 1, i = flow_hash(pk) & mask;
    for (; t->slots.slots[i] != GATE_ID_EMPTY; i = (i + 1) & mask)
        if (flow_matches(&t->flows[t->slots.slots[i]], pk, from_client))
            return &t->flows[t->slots.slots[i]];
    if (t->flow_count * 2 > t->slots.count)
        return NULL; /* a rehash failed: refuse rather than fill the table */
    gate_tel_flow_t *f = new_flow(t, pk, i, time, packet);
    if (f != NULL)
        flow_matches(f, pk, from_client);
    return f;
}

static bool is_dns_port(uint16_t port) { return port == 53 || port == 5353 || port == 5355; }

/* Remembers a response's addresses with their chains; names a query's flow. */
static void use_dns(gate_tel_t *t, gate_tel_flow_t *f, bool from_client, uint64_t packet)
{
    const gate_dns_message_t *m = t->dns;
    t->counts.dns_messages++;
    if (m->response) {
        for (size_t a = 0; a < m->address_count; a++) {
            uint32_t ids[GATE_DNS_MAX_CHAIN];
            size_t n = 0;
            for (size_t c = 0; c < m->addresses[a].chain_len; c++)
                if ((ids[n] = gate_names_intern(t->names, m->names[m->addresses[a].chain[c]])) != GATE_NAMES_NONE)
                    n++;
            uint32_t chain = n > 0 ? gate_names_chain_add(t->names, ids, n) : GATE_NAMES_NONE;
            gate_names_answer(t->names, &m->addresses[a].addr, chain, packet);
            if (f->answer_chain == GATE_NAMES_NONE && chain != GATE_NAMES_NONE) {
                f->answer_chain = chain; /* the lookup's own answer: its CNAMEs judge the lookup too */
                f->answer_packet = packet;
            }
        }
    } else if (from_client && m->has_question && f->name == GATE_NAMES_NONE) {
        f->name = gate_names_intern(t->names, m->names[m->question]);
        f->evidence = GATE_TEL_EV_DNS_QUERY;
        f->evidence_packet = packet;
    }
}

static void read_dns(gate_tel_t *t, gate_tel_flow_t *f, const gate_packet_t *pk, bool from_client, uint64_t packet,
                     uint64_t offset)
{
    const uint8_t *d = pk->payload;
    size_t len = pk->payload_len;
    if (pk->proto == 6) { /* one length-prefixed message per segment, the common case */
        if (len < 2 || (size_t)(d[0] << 8 | d[1]) != len - 2)
            return;
        d += 2, len -= 2;
    }
    const char *why = NULL;
    size_t at = 0;
    if (gate_dns_parse(d, len, t->dns, &why, &at))
        use_dns(t, f, from_client, packet);
    else
        malformed(t, packet, offset, (size_t)(d - pk->payload) + at, why);
}

static void set_name(gate_tel_t *t, gate_tel_flow_t *f, const char *name, gate_tel_evidence_t ev, uint64_t packet)
{
    f->name = gate_names_intern(t->names, name);
    f->evidence = (uint8_t)ev;
    f->evidence_packet = packet;
    stop_naming(t, f);
}

/* A stream for f's first client bytes, within the budget; NULL stops naming. */
static gate_stream_t *stream_of(gate_tel_t *t, gate_tel_flow_t *f)
{
    if (f->stream != NULL)
        return f->stream;
    if (t->buffered + GATE_STREAM_MAX > GATE_TEL_BUFFER_BUDGET) {
        t->counts.unread_budget++;
        stop_naming(t, f);
        return NULL;
    }
    if ((f->stream = calloc(1, sizeof *f->stream)) == NULL)
        stop_naming(t, f);
    return f->stream;
}

static bool stream_add(gate_tel_t *t, gate_tel_flow_t *f, uint64_t offset, const uint8_t *d, size_t len)
{
    gate_stream_t *s = stream_of(t, f);
    if (s == NULL)
        return false;
    size_t before = s->capacity;
    bool ok = gate_stream_add(s, offset, d, len);
    t->buffered += s->capacity - before;
    if (!ok) {
        t->out_of_memory = true;
        stop_naming(t, f);
    }
    return ok;
}

static void name_tcp(gate_tel_t *t, gate_tel_flow_t *f, const gate_packet_t *pk, uint64_t packet)
{
    if (pk->tcp_flags & 0x02) {
        f->seq_base = pk->tcp_seq + 1;
        f->seq_known = true;
    }
    if (pk->payload_len == 0)
        return;
    if (!f->seq_known) {
        f->seq_base = pk->tcp_seq;
        f->seq_known = true;
    }
    /* Data on a SYN (TCP Fast Open) is byte 0; a sequence number before the base is old data. */
    uint32_t rel = (pk->tcp_flags & 0x02) ? 0 : pk->tcp_seq - f->seq_base;
    if (rel >= 0x80000000u || !stream_add(t, f, rel, pk->payload, pk->payload_len))
        return;
    const gate_stream_t *s = f->stream;
    char name[GATE_NAME_MAX];
    gate_hello_status_t st = GATE_HELLO_MORE;
    gate_hello_kind_t kind = gate_hello_kind(s->data, s->prefix);
    gate_tel_evidence_t ev = kind == GATE_HELLO_KIND_TLS ? GATE_TEL_EV_TLS : GATE_TEL_EV_HTTP;
    if (kind == GATE_HELLO_KIND_TLS)
        st = gate_hello_tls_records(s->data, s->prefix, name);
    else if (kind == GATE_HELLO_KIND_HTTP)
        st = gate_hello_http_host(s->data, s->prefix, name);
    else if (kind == GATE_HELLO_KIND_OTHER)
        st = GATE_HELLO_NONE;
    if (st == GATE_HELLO_NAME)
        set_name(t, f, name, ev, packet);
    else if (st == GATE_HELLO_NONE || s->prefix >= GATE_STREAM_MAX || ++f->tries >= GATE_TEL_MAX_TRIES)
        stop_naming(t, f);
}

typedef struct crypto_arg {
    gate_tel_t *tel;
    gate_tel_flow_t *flow;
} crypto_arg_t;

static void on_crypto(void *arg, uint64_t offset, const uint8_t *d, size_t len)
{
    crypto_arg_t *a = arg;
    if (!a->flow->naming_done)
        stream_add(a->tel, a->flow, offset, d, len);
}

static void name_quic(gate_tel_t *t, gate_tel_flow_t *f, const gate_packet_t *pk, uint64_t packet)
{
    if (++f->tries >= GATE_TEL_MAX_TRIES || (!gate_quic_looks_initial(pk->payload, pk->payload_len) && f->tries >= 4)) {
        stop_naming(t, f); /* not QUIC, or no hello in its first Initials */
        return;
    }
    if (!gate_quic_looks_initial(pk->payload, pk->payload_len))
        return;
    if (f->quic == NULL && (f->quic = calloc(1, sizeof *f->quic)) == NULL) {
        stop_naming(t, f);
        return;
    }
    crypto_arg_t arg = {t, f};
    const char *why = NULL;
    if (gate_quic_read_datagram(pk->payload, pk->payload_len, f->quic, on_crypto, &arg, &why) <= 0 || f->naming_done)
        return;
    f->quic_version = f->quic->version;
    char name[GATE_NAME_MAX];
    gate_hello_status_t st = f->stream ? gate_hello_tls_handshake(f->stream->data, f->stream->prefix, name) : GATE_HELLO_MORE;
    if (st == GATE_HELLO_NAME)
        set_name(t, f, name, GATE_TEL_EV_QUIC, packet);
    else if (st == GATE_HELLO_NONE || (f->stream && f->stream->prefix >= GATE_STREAM_MAX))
        stop_naming(t, f);
}

/* A decoded transport packet: its flow's counts, then DNS and naming. */
static void transport(gate_tel_t *t, const gate_packet_t *pk, double time, uint64_t packet, uint64_t offset)
{
    bool from_client = true;
    gate_tel_flow_t *f = find_flow(t, pk, time, packet, &from_client);
    if (f == NULL) {
        t->counts.over_limit++;
        return;
    }
    f->packets++;
    f->bytes += pk->ip_len;
    f->last_time = time;
    bool dns = (pk->proto == 17 || pk->proto == 6) && (is_dns_port(f->sport) || is_dns_port(f->cport));
    if (dns) {
        read_dns(t, f, pk, from_client, packet, offset);
        if (!f->naming_done)
            stop_naming(t, f);
    } else if (!f->naming_done && from_client && pk->proto == 6) {
        name_tcp(t, f, pk, packet);
    } else if (!f->naming_done && from_client && pk->proto == 17 && pk->payload_len > 0) {
        name_quic(t, f, pk, packet);
    }
}

void gate_tel_frame(gate_tel_t *t, const uint8_t *frame, size_t caplen, size_t wire_len, double time,
                    uint64_t packet, uint64_t offset)
{
    gate_packet_t pk;
    t->counts.frames++;
    gate_packet_status_t st = gate_packet_decode(t->link_type, frame, caplen, wire_len, &pk);
    if (st == GATE_PACKET_NOT_IP) {
        t->counts.not_ip++;
        return;
    }
    if (st == GATE_PACKET_FRAGMENT) {
        t->counts.fragments++;
        const uint8_t *data = NULL;
        size_t len = 0;
        const char *why = NULL;
        if (!gate_ipfrag_add(t->frag, &pk, time, &data, &len, &why)) {
            if (why != NULL)
                malformed(t, packet, offset, 0, why);
            return;
        }
        t->counts.reassembled++;
        st = gate_packet_decode_transport(pk.proto, data, len, false, &pk);
        pk.ip_len = len + (pk.src.family == 4 ? 20 : 40); /* the datagram as one, its header counted once */
    }
    if (st == GATE_PACKET_MALFORMED) {
        malformed(t, packet, offset, pk.at, pk.why);
        return;
    }
    transport(t, &pk, time, packet, offset);
}
