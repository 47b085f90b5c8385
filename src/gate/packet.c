#include "packet.h"

#include <arpa/inet.h>
#include <string.h>

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static gate_packet_status_t malformed(gate_packet_t *pk, const char *why, size_t at)
{
    pk->why = why;
    pk->at = at;
    return GATE_PACKET_MALFORMED;
}

bool gate_packet_link_supported(int link_type)
{
    switch (link_type) {
    case GATE_LINK_NULL: case GATE_LINK_ETHERNET: case GATE_LINK_RAW: case GATE_LINK_RAW_ALT:
    case GATE_LINK_LOOP: case GATE_LINK_SLL: case GATE_LINK_IPV4: case GATE_LINK_IPV6: case GATE_LINK_SLL2:
        return true;
    default:
        return false;
    }
}

gate_packet_status_t gate_packet_decode_transport(uint8_t proto, const uint8_t *d, size_t len, bool cut,
                                                  gate_packet_t *pk)
{
    pk->proto = proto;
    pk->payload = NULL;
    pk->payload_len = 0;
    if (proto == 6) {
        if (len < 20)
            return malformed(pk, cut ? "TCP header cut by the snap length" : "TCP header shorter than 20 bytes", len);
        size_t hl = (size_t)(d[12] >> 4) * 4;
        if (hl < 20)
            return malformed(pk, "TCP data offset below 5 words", 12);
        if (hl > len)
            return malformed(pk, cut ? "TCP options cut by the snap length" : "TCP data offset beyond the segment", 12);
        pk->sport = be16(d);
        pk->dport = be16(d + 2);
        pk->tcp_seq = be32(d + 4);
        pk->tcp_flags = d[13];
        pk->payload = d + hl;
        pk->payload_len = len - hl;
    } else if (proto == 17 || proto == 136) { /* UDP, UDP-Lite: the same ports */
        if (len < 8)
            return malformed(pk, cut ? "UDP header cut by the snap length" : "UDP header shorter than 8 bytes", len);
        size_t ul = be16(d + 4);
        if (proto == 17 && ul != 0 && ul < 8)
            return malformed(pk, "UDP length below 8", 4);
        pk->sport = be16(d);
        pk->dport = be16(d + 2);
        pk->payload = d + 8;
        pk->payload_len = len - 8;
        if (proto == 17 && ul >= 8 && ul - 8 < pk->payload_len)
            pk->payload_len = ul - 8; /* trailing bytes (Ethernet padding) are not the datagram's */
        else if (proto == 17 && ul > len && !cut)
            return malformed(pk, "UDP length beyond the datagram", 4);
    } else {
        pk->payload = d;
        pk->payload_len = len;
    }
    return GATE_PACKET_OK;
}

static gate_packet_status_t decode_ipv4(const uint8_t *d, size_t len, size_t base, bool cut, gate_packet_t *pk)
{
    if (len < 20)
        return malformed(pk, cut ? "IPv4 header cut by the snap length" : "IPv4 header shorter than 20 bytes", base + len);
    size_t ihl = (size_t)(d[0] & 0x0f) * 4;
    size_t total = be16(d + 2);
    if (ihl < 20)
        return malformed(pk, "IPv4 header length below 5 words", base);
    if (total < ihl)
        return malformed(pk, "IPv4 total length below its header length", base + 2);
    if (ihl > len)
        return malformed(pk, cut ? "IPv4 options cut by the snap length" : "IPv4 header beyond the frame", base);
    if (total > len && !cut)
        return malformed(pk, "IPv4 total length beyond the frame", base + 2);
    size_t avail = total < len ? total : len;
    pk->src.family = pk->dst.family = 4;
    memcpy(pk->src.bytes, d + 12, 4);
    memcpy(pk->dst.bytes, d + 16, 4);
    pk->ip_len = total;
    uint16_t frag = be16(d + 6);
    pk->proto = d[9];
    if ((frag & 0x2000) || (frag & 0x1fff)) {
        pk->frag_id = be16(d + 4);
        pk->frag_offset = (size_t)(frag & 0x1fff) * 8;
        pk->frag_more = (frag & 0x2000) != 0;
        pk->frag_data = d + ihl;
        pk->frag_len = avail - ihl;
        if (total > len)
            return malformed(pk, "IPv4 fragment cut by the snap length", base + len);
        return GATE_PACKET_FRAGMENT;
    }
    gate_packet_status_t st = gate_packet_decode_transport(d[9], d + ihl, avail - ihl, total > len, pk);
    if (st == GATE_PACKET_MALFORMED)
        pk->at += base + ihl;
    return st;
}

/* Walks the extension headers (RFC 8200 4.1 order is not enforced, only their framing). */
static gate_packet_status_t decode_ipv6(const uint8_t *d, size_t len, size_t base, bool cut, gate_packet_t *pk)
{
    if (len < 40)
        return malformed(pk, cut ? "IPv6 header cut by the snap length" : "IPv6 header shorter than 40 bytes", base + len);
    size_t plen = be16(d + 4);
    if (plen == 0)
        return malformed(pk, "IPv6 payload length 0 (jumbogram) not read", base + 4);
    if (40 + plen > len && !cut)
        return malformed(pk, "IPv6 payload length beyond the frame", base + 4);
    size_t end = 40 + plen < len ? 40 + plen : len;
    pk->src.family = pk->dst.family = 6;
    memcpy(pk->src.bytes, d + 8, 16);
    memcpy(pk->dst.bytes, d + 24, 16);
    pk->ip_len = 40 + plen;
    uint8_t next = d[6];
    size_t off = 40;
    for (unsigned n = 0;; n++) {
        if (next != 0 && next != 43 && next != 44 && next != 51 && next != 60 && next != 135)
            break;
        if (n >= GATE_PACKET_MAX_IPV6_EXT)
            return malformed(pk, "more than 16 IPv6 extension headers", base + off);
        if (off + 8 > end)
            return malformed(pk, cut ? "IPv6 extension header cut by the snap length" : "IPv6 extension header beyond the payload", base + off);
        if (next == 44) { /* Fragment: fixed 8 bytes */
            uint16_t fo = be16(d + off + 2);
            pk->proto = d[off];
            pk->frag_id = be32(d + off + 4);
            pk->frag_offset = (size_t)(fo >> 3) * 8;
            pk->frag_more = (fo & 1) != 0;
            if (pk->frag_offset == 0 && !pk->frag_more) { /* an atomic fragment: just a header */
                next = d[off];
                off += 8;
                continue;
            }
            pk->frag_data = d + off + 8;
            pk->frag_len = end - off - 8;
            if (40 + plen > len)
                return malformed(pk, "IPv6 fragment cut by the snap length", base + len);
            return GATE_PACKET_FRAGMENT;
        }
        size_t hl = next == 51 ? ((size_t)d[off + 1] + 2) * 4 : ((size_t)d[off + 1] + 1) * 8;
        if (off + hl > end)
            return malformed(pk, "IPv6 extension header length beyond the payload", base + off + 1);
        next = d[off];
        off += hl;
    }
    gate_packet_status_t st = gate_packet_decode_transport(next, d + off, end - off, 40 + plen > len, pk);
    if (st == GATE_PACKET_MALFORMED)
        pk->at += base + off;
    return st;
}

static gate_packet_status_t decode_ip(const uint8_t *d, size_t len, size_t base, bool cut, gate_packet_t *pk)
{
    if (len < 1)
        return malformed(pk, "no IP header", base);
    if (d[0] >> 4 == 4)
        return decode_ipv4(d, len, base, cut, pk);
    if (d[0] >> 4 == 6)
        return decode_ipv6(d, len, base, cut, pk);
    return malformed(pk, "IP version neither 4 nor 6", base);
}

/* An EtherType (or SLL protocol) to the IP decoder, or NOT_IP. */
static gate_packet_status_t by_ethertype(uint16_t type, const uint8_t *f, size_t caplen, size_t off, bool cut,
                                         gate_packet_t *pk)
{
    if (type == 0x0800 || type == 0x86dd)
        return decode_ip(f + off, caplen - off, off, cut, pk);
    return GATE_PACKET_NOT_IP;
}

static gate_packet_status_t decode_ethernet(const uint8_t *f, size_t caplen, bool cut, gate_packet_t *pk)
{
    if (caplen < 14)
        return malformed(pk, cut ? "Ethernet header cut by the snap length" : "frame shorter than an Ethernet header", caplen);
    size_t off = 12;
    uint16_t type = be16(f + off);
    for (unsigned tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; tags++) {
        if (tags >= GATE_PACKET_MAX_VLAN_TAGS)
            return malformed(pk, "more than 4 VLAN tags", off);
        off += 4;
        if (off + 2 > caplen)
            return malformed(pk, "VLAN tag beyond the frame", off);
        type = be16(f + off);
    }
    return by_ethertype(type, f, caplen, off + 2, cut, pk);
}

gate_packet_status_t gate_packet_decode(int link, const uint8_t *f, size_t caplen, size_t wire_len, gate_packet_t *pk)
{
    memset(pk, 0, sizeof *pk);
    bool cut = caplen < wire_len;
    switch (link) {
    case GATE_LINK_ETHERNET:
        return decode_ethernet(f, caplen, cut, pk);
    case GATE_LINK_SLL:
        if (caplen < 16)
            return malformed(pk, "frame shorter than a Linux cooked (SLL) header", caplen);
        return by_ethertype(be16(f + 14), f, caplen, 16, cut, pk);
    case GATE_LINK_SLL2:
        if (caplen < 20)
            return malformed(pk, "frame shorter than a Linux cooked (SLL2) header", caplen);
        return by_ethertype(be16(f), f, caplen, 20, cut, pk);
    case GATE_LINK_RAW: case GATE_LINK_RAW_ALT:
        return decode_ip(f, caplen, 0, cut, pk);
    case GATE_LINK_IPV4:
        return caplen >= 1 && f[0] >> 4 == 4 ? decode_ip(f, caplen, 0, cut, pk) : malformed(pk, "not an IPv4 header", 0);
    case GATE_LINK_IPV6:
        return caplen >= 1 && f[0] >> 4 == 6 ? decode_ip(f, caplen, 0, cut, pk) : malformed(pk, "not an IPv6 header", 0);
    case GATE_LINK_NULL: case GATE_LINK_LOOP: {
        if (caplen < 4)
            return malformed(pk, "frame shorter than a loopback header", caplen);
        uint32_t fam = link == GATE_LINK_LOOP ? be32(f) : (uint32_t)(f[0] | f[1] << 8 | f[2] << 16 | (uint32_t)f[3] << 24);
        if (fam > 0xffff) /* written on a host of the other byte order */
            fam = (fam >> 24) | ((fam >> 8) & 0xff00);
        if (fam == 2 || fam == 24 || fam == 28 || fam == 30 || fam == 10)
            return decode_ip(f + 4, caplen - 4, 4, cut, pk);
        return GATE_PACKET_NOT_IP;
    }
    default:
        return malformed(pk, "link type not read", 0);
    }
}

void gate_addr_format(const gate_addr_t *a, char *buf, size_t size)
{
    if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->bytes, buf, (socklen_t)size) == NULL && size > 0)
        buf[0] = '\0';
}

bool gate_addr_equal(const gate_addr_t *a, const gate_addr_t *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == 6 ? 16 : 4) == 0;
}
