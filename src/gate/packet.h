/* The telemetry gate's packet decoder: one captured frame (Ethernet with VLAN tags, Linux cooked
 * SLL and SLL2, raw IP, BSD loopback) down through IPv4 or IPv6 (extension headers, fragments) to
 * the TCP or UDP ports and payload. Knows nothing of flows, files or libpcap: bytes in, a
 * decoded view out (pointers into the caller's frame).
 * Layouts: IEEE 802.3/802.1Q; tcpdump.org LINKTYPE_LINUX_SLL / LINKTYPE_LINUX_SLL2; RFC 791,
 * RFC 8200 (sections 4.3-4.6), RFC 4302 (AH), RFC 793 / RFC 9293, RFC 768. */
#ifndef GATE_PACKET_H
#define GATE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATE_PACKET_MAX_VLAN_TAGS 4u   /* 802.1Q/802.1ad tags in one Ethernet frame */
#define GATE_PACKET_MAX_IPV6_EXT 16u   /* IPv6 extension headers before the upper layer */

/* Link types as libpcap's pcap_datalink() gives them (DLT_*; LINKTYPE_RAW arrives as DLT_RAW). */
enum {
    GATE_LINK_NULL = 0,     /* BSD loopback, host-order address family */
    GATE_LINK_ETHERNET = 1,
    GATE_LINK_RAW = 12,     /* raw IPv4 or IPv6 (DLT_RAW on Linux) */
    GATE_LINK_RAW_ALT = 14, /* DLT_RAW on OpenBSD */
    GATE_LINK_LOOP = 108,   /* OpenBSD loopback, network-order address family */
    GATE_LINK_SLL = 113,
    GATE_LINK_IPV4 = 228,
    GATE_LINK_IPV6 = 229,
    GATE_LINK_SLL2 = 276,
};

typedef struct gate_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t bytes[16];
} gate_addr_t;

typedef enum gate_packet_status {
    GATE_PACKET_OK,        /* an IP datagram decoded to its transport (or an unfragmented other protocol) */
    GATE_PACKET_FRAGMENT,  /* an IP fragment: the fragment fields hold it for reassembly */
    GATE_PACKET_NOT_IP,    /* ARP, LLDP, STP...: never leaves the link, counted only */
    GATE_PACKET_MALFORMED, /* a header does not hold together: why and at names it */
} gate_packet_status_t;

typedef struct gate_packet {
    gate_addr_t src, dst;
    uint8_t proto;        /* upper-layer protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...) */
    uint16_t sport, dport; /* TCP/UDP; 0 for other protocols */
    uint8_t tcp_flags;     /* FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10 */
    uint32_t tcp_seq;
    const uint8_t *payload; /* transport payload as captured (may be cut by the snap length) */
    size_t payload_len;
    size_t ip_len;          /* the datagram's length on the wire, from its IP header */
    /* GATE_PACKET_FRAGMENT: */
    uint32_t frag_id;
    size_t frag_offset;     /* bytes */
    bool frag_more;
    const uint8_t *frag_data;
    size_t frag_len;
    /* GATE_PACKET_MALFORMED: */
    const char *why;        /* static text */
    size_t at;              /* offset in the frame where it went wrong */
} gate_packet_t;

/* Whether libpcap's link type is one the decoder reads. */
bool gate_packet_link_supported(int link_type);
/* Decodes one frame of caplen captured bytes (wire_len on the wire). *packet is filled (its
 * pointers point into frame). Never reads past caplen. */
gate_packet_status_t gate_packet_decode(int link_type, const uint8_t *frame, size_t caplen, size_t wire_len,
                                        gate_packet_t *packet);
/* Decodes a reassembled datagram's transport: proto's header at data (len bytes) into *packet
 * (whose addresses the caller set). GATE_PACKET_OK or GATE_PACKET_MALFORMED. */
gate_packet_status_t gate_packet_decode_transport(uint8_t proto, const uint8_t *data, size_t len, bool cut,
                                                  gate_packet_t *packet);
/* Formats an address (inet_ntop's spelling) into buf (at least 46 bytes). */
void gate_addr_format(const gate_addr_t *addr, char *buf, size_t size);
/* Whether two addresses are the same. */
bool gate_addr_equal(const gate_addr_t *a, const gate_addr_t *b);

#endif
