/* A DNS message as the telemetry gate reads it (RFC 1035 section 4; AAAA RFC 3596): the first
 * question and the A, AAAA and CNAME answers, with every address's chain of names from the
 * question through the CNAMEs to the address's owner. Compression pointers are followed with
 * a step limit. Bytes in, a decoded message out (its own copies of the names). */
#ifndef GATE_DNS_H
#define GATE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hello.h"
#include "packet.h"

#define GATE_DNS_MAX_RECORDS 64u   /* answer records read from one message */
#define GATE_DNS_MAX_NAMES 48u     /* distinct names kept from one message */
#define GATE_DNS_MAX_CHAIN 8u      /* names in one chain (question, CNAMEs, owner) */
#define GATE_DNS_MAX_POINTERS 32u  /* compression pointers followed in one name */

typedef struct gate_dns_address {
    gate_addr_t addr;
    uint8_t chain[GATE_DNS_MAX_CHAIN]; /* indexes into names: question first, owner last */
    uint8_t chain_len;
} gate_dns_address_t;

typedef struct gate_dns_message {
    bool response;
    unsigned rcode;
    bool has_question;
    unsigned qtype;
    uint8_t question;                  /* index into names */
    char names[GATE_DNS_MAX_NAMES][GATE_NAME_MAX];
    size_t name_count;
    uint8_t cname_from[GATE_DNS_MAX_RECORDS], cname_to[GATE_DNS_MAX_RECORDS];
    size_t cname_count;
    gate_dns_address_t addresses[GATE_DNS_MAX_RECORDS];
    size_t address_count;
} gate_dns_message_t;

/* Parses len bytes into *message (about 13 KiB: keep one and reuse it). False when the message
 * does not hold together; *why (static text) and *at (offset) say where. Answers past the
 * limits are left out. */
bool gate_dns_parse(const uint8_t *data, size_t len, gate_dns_message_t *message, const char **why, size_t *at);

#endif
