/* The telemetry gate's packet decoders and flow engine (gate/packet.c, ipfrag.c, dns.c,
 * hello.c, quic.c, stream.c, names.c, flows.c, telemetry_judge.c) over hostile bytes: the
 * input is read directly by each message decoder, then as a capture's frames (byte 0 picks
 * the link type; then frames of [2-byte length][bytes]) fed to one engine and judged against
 * the shipped rules. Nothing may read out of bounds, leak or loop. */
#include <stdlib.h>
#include <string.h>

#include "gate/dns.h"
#include "gate/flows.h"
#include "gate/gates.h"
#include "gate/hello.h"
#include "gate/quic.h"
#include "gate/telemetry_judge.h"
#include "gate/telemetry_rules.h"

static const int links[] = {GATE_LINK_ETHERNET, GATE_LINK_SLL, GATE_LINK_SLL2, GATE_LINK_RAW, GATE_LINK_IPV4,
                            GATE_LINK_IPV6, GATE_LINK_NULL, GATE_LINK_LOOP};

static void on_crypto(void *arg, uint64_t offset, const uint8_t *data, size_t len)
{
    (void)offset;
    size_t *sum = arg;
    for (size_t i = 0; i < len; i++)
        *sum += data[i]; /* every byte handed back is readable */
}

static void decoders(const uint8_t *data, size_t size)
{
    char name[GATE_NAME_MAX];
    if (gate_hello_tls_records(data, size, name) == GATE_HELLO_NAME && strlen(name) >= GATE_NAME_MAX)
        __builtin_trap();
    (void)gate_hello_tls_handshake(data, size, name);
    (void)gate_hello_http_host(data, size, name);
    static gate_dns_message_t msg;
    const char *why = NULL;
    size_t at = 0;
    if (gate_dns_parse(data, size, &msg, &why, &at))
        for (size_t i = 0; i < msg.address_count; i++)
            if (msg.addresses[i].chain_len == 0 || msg.addresses[i].chain_len > GATE_DNS_MAX_CHAIN)
                __builtin_trap();
    gate_quic_keys_t keys = {0};
    size_t sum = 0;
    (void)gate_quic_read_datagram(data, size, &keys, on_crypto, &sum, &why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decoders(data, size);
    if (size < 1)
        return 0;
    gate_tel_t tel;
    if (gate_tel_init(&tel, links[data[0] % (sizeof links / sizeof *links)]) != DS_OK)
        return 0;
    size_t p = 1;
    for (uint64_t n = 1; p + 2 <= size; n++) {
        size_t len = (size_t)data[p] << 8 | data[p + 1];
        p += 2;
        if (len > size - p)
            len = size - p;
        /* each frame in its own allocation, so a read past its end is caught */
        uint8_t *frame = malloc(len ? len : 1);
        if (frame == NULL)
            break;
        memcpy(frame, data + p, len);
        gate_tel_frame(&tel, frame, len, len + (n % 3 == 0 ? 10 : 0), 1.0 + (double)n, n, p);
        free(frame);
        p += len;
    }
    gate_tel_finish(&tel);
    gate_tel_rules_t rules = {0};
    ds_error_t err = {0};
    gate_result_t result = {.gate = "telemetry"};
    if (gate_tel_rules_parse(&rules, "shipped", (const char *)gate_telemetry_shipped_rules,
                             gate_telemetry_shipped_rules_size, &err) == DS_OK)
        gate_tel_judge(&tel, &rules, &result);
    gate_result_free(&result);
    gate_tel_rules_free(&rules);
    gate_tel_free(&tel);
    return 0;
}
