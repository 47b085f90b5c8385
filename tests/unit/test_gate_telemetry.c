/* The telemetry gate's decoders (src/gate/quic.c, hello.c, dns.c, packet.c, ipfrag.c,
 * stream.c, telemetry_rules.c), each against bytes built here field by field: QUIC Initial keys
 * against the published test vectors (RFC 9001 appendix A.1, RFC 9369 appendix A.1), the
 * rest as tables. The end-to-end test reads captures scapy wrote. */
#include "test_helpers.h"

#include "gate/dns.h"
#include "gate/hello.h"
#include "gate/ipfrag.h"
#include "gate/packet.h"
#include "gate/quic.h"
#include "gate/stream.h"
#include "gate/telemetry_rules.h"

static void hex(const char *text, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sscanf(text + 2 * i, "%2hhx", &out[i]), 1);
}

static void test_quic_keys(void **state)
{
    (void)state;
    static const struct { uint32_t version; const char *key, *iv, *hp; } cases[] = {
        {0x00000001, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
        {0x6b3343cf, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
    };
    uint8_t dcid[8];
    hex("8394c8f03e515708", dcid, 8);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gate_quic_keys_t k = {0};
        uint8_t key[16], iv[12], hp[16];
        hex(cases[i].key, key, 16);
        hex(cases[i].iv, iv, 12);
        hex(cases[i].hp, hp, 16);
        assert_true(gate_quic_client_keys(cases[i].version, dcid, 8, &k));
        assert_memory_equal(k.key, key, 16);
        assert_memory_equal(k.iv, iv, 12);
        assert_memory_equal(k.hp, hp, 16);
    }
    gate_quic_keys_t k = {0};
    assert_false(gate_quic_client_keys(0x12345678, dcid, 8, &k));
}

/* A ClientHello handshake message with the given extensions block. */
static size_t client_hello(uint8_t *out, const uint8_t *ext, size_t ext_len)
{
    size_t n = 4;
    out[n++] = 3, out[n++] = 3;
    memset(out + n, 0x11, 32), n += 32;
    out[n++] = 0;                                    /* session id */
    out[n++] = 0, out[n++] = 2, out[n++] = 0x13, out[n++] = 0x01; /* one suite */
    out[n++] = 1, out[n++] = 0;                      /* compression: null */
    out[n++] = (uint8_t)(ext_len >> 8), out[n++] = (uint8_t)ext_len;
    memcpy(out + n, ext, ext_len), n += ext_len;
    size_t body = n - 4;
    out[0] = 1, out[1] = (uint8_t)(body >> 16), out[2] = (uint8_t)(body >> 8), out[3] = (uint8_t)body;
    return n;
}

static size_t sni_ext(uint8_t *out, const char *name)
{
    size_t nl = strlen(name), n = 0;
    out[n++] = 0, out[n++] = 0; /* server_name */
    out[n++] = (uint8_t)((nl + 5) >> 8), out[n++] = (uint8_t)(nl + 5);
    out[n++] = (uint8_t)((nl + 3) >> 8), out[n++] = (uint8_t)(nl + 3);
    out[n++] = 0, out[n++] = (uint8_t)(nl >> 8), out[n++] = (uint8_t)nl;
    memcpy(out + n, name, nl);
    return n + nl;
}

static void test_tls_hello(void **state)
{
    (void)state;
    uint8_t ext[300], hs[600], rec[700];
    size_t el = 0;
    ext[el++] = 0x00, ext[el++] = 0x2b, ext[el++] = 0, ext[el++] = 3, ext[el++] = 2, ext[el++] = 3, ext[el++] = 4;
    el += sni_ext(ext + el, "Incoming.Telemetry.Mozilla.ORG.");
    size_t hl = client_hello(hs, ext, el);
    char name[GATE_NAME_MAX];
    assert_int_equal(gate_hello_tls_handshake(hs, hl, name), GATE_HELLO_NAME);
    assert_string_equal(name, "incoming.telemetry.mozilla.org");
    for (size_t cut = 0; cut < hl; cut += 7)
        assert_int_equal(gate_hello_tls_handshake(hs, cut, name), GATE_HELLO_MORE);
    /* split over two records, as a large hello is */
    size_t split = 40, n = 0;
    rec[n++] = 0x16, rec[n++] = 3, rec[n++] = 1, rec[n++] = 0, rec[n++] = (uint8_t)split;
    memcpy(rec + n, hs, split), n += split;
    rec[n++] = 0x16, rec[n++] = 3, rec[n++] = 3, rec[n++] = (uint8_t)((hl - split) >> 8), rec[n++] = (uint8_t)(hl - split);
    memcpy(rec + n, hs + split, hl - split), n += hl - split;
    assert_int_equal(gate_hello_tls_records(rec, n, name), GATE_HELLO_NAME);
    assert_string_equal(name, "incoming.telemetry.mozilla.org");
    assert_int_equal(gate_hello_tls_records(rec, n - 1, name), GATE_HELLO_MORE);
    assert_int_equal(gate_hello_kind(rec, n), GATE_HELLO_KIND_TLS);
    /* no SNI; a name with a byte no host name has */
    hl = client_hello(hs, ext, 7);
    assert_int_equal(gate_hello_tls_handshake(hs, hl, name), GATE_HELLO_NONE);
    el = sni_ext(ext, "bad\nname");
    hl = client_hello(hs, ext, el);
    assert_int_equal(gate_hello_tls_handshake(hs, hl, name), GATE_HELLO_NONE);
    /* a handshake length far past what is read */
    uint8_t huge[] = {0x16, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff};
    assert_int_equal(gate_hello_tls_records(huge, sizeof huge, name), GATE_HELLO_NONE);
}

static void test_http_host(void **state)
{
    (void)state;
    static const struct { const char *text; gate_hello_status_t st; const char *name; } cases[] = {
        {"GET /x HTTP/1.1\r\nUser-Agent: a\r\nHOST: ctldl.windowsupdate.com:8080\r\n\r\n", GATE_HELLO_NAME, "ctldl.windowsupdate.com"},
        {"POST / HTTP/1.1\nHost:\t[2001:db8::1]:80\n\n", GATE_HELLO_NAME, "2001:db8::1"},
        {"GET / HTTP/1.0\r\n\r\n", GATE_HELLO_NONE, NULL},
        {"GET / HTTP/1.1\r\nHost: exa", GATE_HELLO_MORE, NULL},
        {"GET / HTTP/1.1\r\nHost: bad name\r\n\r\n", GATE_HELLO_NONE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char name[GATE_NAME_MAX];
        const uint8_t *d = (const uint8_t *)cases[i].text;
        assert_int_equal(gate_hello_kind(d, strlen(cases[i].text)), GATE_HELLO_KIND_HTTP);
        assert_int_equal(gate_hello_http_host(d, strlen(cases[i].text), name), cases[i].st);
        if (cases[i].name)
            assert_string_equal(name, cases[i].name);
    }
    assert_int_equal(gate_hello_kind((const uint8_t *)"GE", 2), GATE_HELLO_KIND_UNKNOWN);
    assert_int_equal(gate_hello_kind((const uint8_t *)"SSH-2.0", 7), GATE_HELLO_KIND_OTHER);
}

/* a.example CNAME b.example (compressed), b.example A 192.0.2.7, plus an AAAA. */
static void test_dns_chain(void **state)
{
    (void)state;
    uint8_t m[200];
    size_t n = 0;
    const uint8_t header[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0};
    memcpy(m, header, sizeof header), n = sizeof header;
    const uint8_t q[] = {1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
    memcpy(m + n, q, sizeof q), n += sizeof q;
    const uint8_t cname[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'B', 0xc0, 14};
    memcpy(m + n, cname, sizeof cname), n += sizeof cname;
    size_t b_at = 12 + sizeof q + 12; /* the CNAME target: its record after the question */
    const uint8_t a[] = {0xc0, (uint8_t)b_at, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7};
    memcpy(m + n, a, sizeof a), n += sizeof a;
    const uint8_t aaaa[] = {0xc0, (uint8_t)b_at, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    memcpy(m + n, aaaa, sizeof aaaa), n += sizeof aaaa;
    gate_dns_message_t *msg = malloc(sizeof *msg);
    const char *why = NULL;
    size_t at = 0;
    assert_true(gate_dns_parse(m, n, msg, &why, &at));
    assert_true(msg->response);
    assert_string_equal(msg->names[msg->question], "a.example");
    assert_int_equal(msg->address_count, 2);
    assert_int_equal(msg->addresses[0].chain_len, 2);
    assert_string_equal(msg->names[msg->addresses[0].chain[0]], "a.example");
    assert_string_equal(msg->names[msg->addresses[0].chain[1]], "b.example");
    assert_int_equal(msg->addresses[1].addr.family, 6);
    /* cut inside the last record; a pointer loop */
    assert_false(gate_dns_parse(m, n - 3, msg, &why, &at));
    assert_non_null(strstr(why, "runs past"));
    uint8_t loop[] = {0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    assert_false(gate_dns_parse(loop, sizeof loop, msg, &why, &at));
    assert_non_null(strstr(why, "compression pointers"));
    free(msg);
}

static void test_packet_ipv6_ext(void **state)
{
    (void)state;
    uint8_t f[14 + 40 + 8 + 16 + 8 + 4] = {0};
    f[12] = 0x86, f[13] = 0xdd;
    uint8_t *ip = f + 14;
    ip[0] = 0x60;
    size_t plen = 8 + 16 + 8 + 4;
    ip[4] = 0, ip[5] = (uint8_t)plen, ip[6] = 0; /* hop-by-hop */
    ip[8] = 0x20, ip[9] = 0x01, ip[23] = 0x15;
    ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x48, ip[27] = 0x60, ip[39] = 0x88;
    uint8_t *e = ip + 40;
    e[0] = 60, e[1] = 0;                      /* HBH, 8 bytes, next: destination options */
    e[8] = 17, e[9] = 1;                      /* DO, 16 bytes, next: UDP */
    uint8_t *u = e + 24;
    u[0] = 0x9c, u[1] = 0x40, u[2] = 0, u[3] = 53, u[4] = 0, u[5] = 12;
    gate_packet_t pk;
    assert_int_equal(gate_packet_decode(GATE_LINK_ETHERNET, f, sizeof f, sizeof f, &pk), GATE_PACKET_OK);
    assert_int_equal(pk.proto, 17);
    assert_int_equal(pk.dport, 53);
    assert_int_equal(pk.sport, 40000);
    assert_int_equal(pk.payload_len, 4);
    char a[48];
    gate_addr_format(&pk.dst, a, sizeof a);
    assert_string_equal(a, "2001:4860::88");
    /* the destination options header claims more than there is */
    e[9] = 9;
    assert_int_equal(gate_packet_decode(GATE_LINK_ETHERNET, f, sizeof f, sizeof f, &pk), GATE_PACKET_MALFORMED);
    assert_int_equal(pk.at, 14 + 48 + 1);
    /* ARP is not IP; a short Ethernet frame is malformed */
    f[12] = 0x08, f[13] = 0x06;
    assert_int_equal(gate_packet_decode(GATE_LINK_ETHERNET, f, sizeof f, sizeof f, &pk), GATE_PACKET_NOT_IP);
    assert_int_equal(gate_packet_decode(GATE_LINK_ETHERNET, f, 9, 9, &pk), GATE_PACKET_MALFORMED);
}

static void test_ipfrag(void **state)
{
    (void)state;
    gate_ipfrag_t *fr = gate_ipfrag_new();
    uint8_t part1[16], part2[5];
    memset(part1, 'a', sizeof part1);
    memset(part2, 'b', sizeof part2);
    gate_packet_t pk = {.src = {4, {10, 0, 2, 15}}, .dst = {4, {10, 0, 2, 3}}, .proto = 17, .frag_id = 7};
    const uint8_t *data = NULL;
    size_t len = 0;
    const char *why = NULL;
    pk.frag_offset = 16, pk.frag_more = false, pk.frag_data = part2, pk.frag_len = 5; /* the last first */
    assert_false(gate_ipfrag_add(fr, &pk, 1.0, &data, &len, &why));
    pk.frag_offset = 0, pk.frag_more = true, pk.frag_data = part1, pk.frag_len = 16;
    assert_true(gate_ipfrag_add(fr, &pk, 1.5, &data, &len, &why));
    assert_int_equal(len, 21);
    assert_int_equal(data[15], 'a');
    assert_int_equal(data[16], 'b');
    /* one fragment alone times out; an end past 64 KiB is refused */
    pk.frag_id = 8;
    assert_false(gate_ipfrag_add(fr, &pk, 2.0, &data, &len, &why));
    pk.frag_id = 9;
    assert_false(gate_ipfrag_add(fr, &pk, 200.0, &data, &len, &why));
    assert_int_equal(gate_ipfrag_dropped(fr), 1);
    pk.frag_offset = 65528;
    assert_false(gate_ipfrag_add(fr, &pk, 200.0, &data, &len, &why));
    assert_non_null(why);
    gate_ipfrag_finish(fr);
    assert_int_equal(gate_ipfrag_dropped(fr), 2);
    gate_ipfrag_free(fr);
}

static void test_stream(void **state)
{
    (void)state;
    gate_stream_t s = {0};
    assert_true(gate_stream_add(&s, 5, (const uint8_t *)"world", 5));
    assert_int_equal(s.prefix, 0);
    assert_true(gate_stream_add(&s, 0, (const uint8_t *)"hello", 5));
    assert_int_equal(s.prefix, 10);
    assert_memory_equal(s.data, "helloworld", 10);
    assert_true(gate_stream_add(&s, GATE_STREAM_MAX - 2, (const uint8_t *)"abcdef", 6));
    assert_int_equal(s.capacity, GATE_STREAM_MAX);
    assert_true(gate_stream_add(&s, (uint64_t)1 << 40, (const uint8_t *)"x", 1));
    gate_stream_free(&s);
}

static void test_rules(void **state)
{
    (void)state;
    const char *text = "# c\norg Example Org\nsource docs\ndomain example.com\nrange 192.0.2.0/24\nrange 2001:db8::/32\n"
                       "org Sub\nsource other\ndomain metrics.example.com\n";
    gate_tel_rules_t r = {0};
    ds_error_t err = {0};
    assert_int_equal(gate_tel_rules_parse(&r, "t.txt", text, strlen(text), &err), DS_OK);
    assert_int_equal(r.org_count, 2);
    gate_tel_entry_t *e = gate_tel_match_name(r.listed, r.listed_count, "a.metrics.example.com");
    assert_non_null(e);
    assert_string_equal(r.orgs[e->org], "Sub");
    assert_null(gate_tel_match_name(r.listed, r.listed_count, "notexample.com"));
    gate_addr_t a = {4, {192, 0, 2, 200}};
    e = gate_tel_match_addr(r.listed, r.listed_count, &a);
    assert_non_null(e);
    assert_string_equal(e->where, "t.txt:5");
    a.bytes[2] = 3;
    assert_null(gate_tel_match_addr(r.listed, r.listed_count, &a));
    const char *allow = "update.silvermetal.example -- our update server\n203.0.113.0/24 -- SilverVPN\n";
    assert_int_equal(gate_tel_allow_parse(&r, "a.txt", allow, strlen(allow), &err), DS_OK);
    assert_int_equal(r.allowed_count, 2);
    gate_tel_rules_free(&r);
    static const struct { const char *text, *message; } bad[] = {
        {"domain x.com\n", "t.txt:1: 'domain' before any 'org' line"},
        {"org A\ndomain x.com\n", "t.txt:2: 'domain' without a 'source'"},
        {"org A\nsource s\nrange 10.0.0.0/33\n", "t.txt:3: '10.0.0.0/33' is not an address range"},
        {"org A\nsource s\nhost x\n", "t.txt:3: unknown keyword 'host'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        gate_tel_rules_t b = {0};
        ds_error_t e2 = {0};
        assert_int_not_equal(gate_tel_rules_parse(&b, "t.txt", bad[i].text, strlen(bad[i].text), &e2), DS_OK);
        assert_non_null(strstr(e2.message, bad[i].message));
        gate_tel_rules_free(&b);
    }
    gate_tel_rules_t b = {0};
    assert_int_not_equal(gate_tel_allow_parse(&b, "a.txt", "x.example\n", 10, &err), DS_OK);
    gate_tel_rules_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quic_keys), cmocka_unit_test(test_tls_hello), cmocka_unit_test(test_http_host),
        cmocka_unit_test(test_dns_chain), cmocka_unit_test(test_packet_ipv6_ext), cmocka_unit_test(test_ipfrag),
        cmocka_unit_test(test_stream), cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
