#!/usr/bin/env bash
# imagegate telemetry on captures scapy writes (tests/fixtures/make-telemetry-captures.py: offline, to
# files only): DNS then TLS to a listed domain (the ClientHello split over two segments, and one
# delivered out of order), QUIC Initials (v1, v2, a hello over two CRYPTO frames) decrypted for
# their SNI, plain HTTP over Linux cooked capture, a CNAME chain into a listed organisation over
# raw IP, allowed endpoints by name and by range, IPv6 with extension headers and fragments,
# fragmented IPv4, a truncated capture, a pcapng with two interfaces and one with two link
# types. Each asserts the verdict per flow and the exit status; tshark is the independent
# reading of the names.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gate_lib.sh"
caps=$OUT_ROOT/captures
mkdir -p "$caps"
"$PY" "$FIXTURES/make-telemetry-captures.py" "$caps" >"$OUT_ROOT/make-captures.log"
run() { run_gate telemetry "$OUT_ROOT/$1" "$caps/$2" "${@:3}"; }
fl() { printf "by['%s'][0]" "$1"; }

# 1. DNS, then TLS to incoming.telemetry.mozilla.org (hello over two segments); www.example.org
run dns-tls dns-tls.pcap
expect_status 1 "DNS and TLS to a listed domain"
validate_gate "$OUT_ROOT/dns-tls"
o=$OUT_ROOT/dns-tls
t1='tcp 10.0.2.15:40002 -> 34.120.208.123:443'
assert_gq "$o" "v('$t1') == 'listed' and f('$t1') == 'incoming.telemetry.mozilla.org' and $(fl "$t1")['flow']['evidence_kind'] == 'tls-sni' and $(fl "$t1")['flow']['organisation'] == 'Mozilla'" \
    "the TLS flow: listed, Mozilla, named by its SNI (hello split over two segments)"
assert_gq "$o" "'DNS answer' in $(fl "$t1")['check'] and 'data/telemetry-rules.txt:' in $(fl "$t1")['reason']" \
    "its evidence names the earlier DNS answer too; the reason names the rule's line"
assert_gq "$o" "v('udp 10.0.2.15:40001 -> 10.0.2.3:53') == 'listed' and $(fl 'udp 10.0.2.15:40001 -> 10.0.2.3:53')['flow']['evidence_kind'] == 'dns-query'" \
    "the lookup itself: listed by its question"
t2='tcp 10.0.2.15:40003 -> 93.184.216.34:443'
assert_gq "$o" "v('$t2') == 'unlisted' and f('$t2') == 'www.example.org'" \
    "www.example.org (segments out of order): named, unlisted"
assert_gq "$o" "$(fl "$t1")['flow']['packets'] >= 6 and $(fl "$t1")['flow']['bytes'] > 1500 and $(fl "$t1")['flow']['time'].startswith('2026-12-01T10:00:00.')" \
    "packets, bytes and the first packet's time are counted for the flow, both directions"
names=$(tshark -o tcp.reassemble_out_of_order:TRUE -r "$caps/dns-tls.pcap" -Y 'tls.handshake.type==1' -T fields -e tls.handshake.extensions_server_name 2>/dev/null | sort | tr '\n' ' ')
assert_gq "$o" "sorted(i['found'] for i in g['items'] if i['flow']['evidence_kind'] == 'tls-sni') == sorted('$names'.split())" \
    "the SNIs are the ones tshark reads ($names)"
check "the text table has one row per flow and the verdict line" bash -c \
    "grep -q '^listed .*incoming.telemetry.mozilla.org (tls-sni)' '$o/gate.txt' && grep -q '^imagegate telemetry: FAIL' '$o/gate.txt'"

# 2. QUIC Initials: v1, v2, and a ClientHello over two CRYPTO frames in two packets
run quic quic.pcap
expect_status 1 "QUIC to Google and Apple"
validate_gate "$OUT_ROOT/quic"
o=$OUT_ROOT/quic
q1='udp 10.0.2.15:50000 -> 142.250.185.78:443'
q2='udp 10.0.2.15:50001 -> 17.253.144.10:443'
q3='udp 10.0.2.15:50002 -> 142.250.185.99:443'
assert_gq "$o" "v('$q1') == 'listed' and f('$q1') == 'www.google.com' and $(fl "$q1")['flow']['evidence_kind'] == 'quic-sni' and 'version 0x00000001' in $(fl "$q1")['check']" \
    "QUIC v1 Initial decrypted: www.google.com, Google"
assert_gq "$o" "v('$q2') == 'listed' and f('$q2') == 'gateway.icloud.com' and 'version 0x6b3343cf' in $(fl "$q2")['check'] and $(fl "$q2")['flow']['organisation'] == 'Apple'" \
    "QUIC v2 Initial decrypted: gateway.icloud.com, Apple"
assert_gq "$o" "v('$q3') == 'listed' and f('$q3') == 'update.googleapis.com'" \
    "a ClientHello over two CRYPTO frames, the later one first: update.googleapis.com"
names=$(tshark -r "$caps/quic.pcap" -T fields -e tls.handshake.extensions_server_name 2>/dev/null | grep . | sort -u | tr '\n' ' ')
assert_gq "$o" "sorted(i['found'] for i in g['items'] if i.get('found')) == sorted('$names'.split())" \
    "the QUIC SNIs are the ones tshark decrypts ($names)"

# 3. plain HTTP over Linux cooked capture (SLL)
run http http.pcap
expect_status 1 "HTTP to Windows Update"
o=$OUT_ROOT/http
h='tcp 10.0.2.15:40010 -> 13.107.4.50:80'
assert_gq "$o" "v('$h') == 'listed' and f('$h') == 'ctldl.windowsupdate.com' and $(fl "$h")['flow']['evidence_kind'] == 'http-host' and $(fl "$h")['flow']['organisation'] == 'Microsoft'" \
    "HTTP Host ctldl.windowsupdate.com: Microsoft"
assert_gq "$o" "any('LINUX_SLL' in e for e in g['examined'])" "the link type is named (Linux cooked)"

# 4. a CNAME chain into Google Analytics over raw IP; the flow's own bytes carry no name
run cname cname.pcap
expect_status 1 "a CNAME chain into a listed organisation"
validate_gate "$OUT_ROOT/cname"
o=$OUT_ROOT/cname
c='tcp 10.0.2.15:40020 -> 142.250.74.46:443'
cs=$c
assert_gq "$o" "v('$cs') == 'listed' and f('$cs') == 'metrics.silver.example' and $(fl "$cs")['flow']['evidence_kind'] == 'dns'" \
    "the flow to 142.250.74.46: named metrics.silver.example by DNS, listed through its chain"
assert_gq "$o" "'metrics.silver.example -> ssl.google-analytics.com -> www-google-analytics.l.google.com -> 142.250.74.46' in $(fl "$cs")['check']" \
    "the evidence spells the whole chain"
assert_gq "$o" "'ssl.google-analytics.com' in $(fl "$cs")['reason'] and 'analytics' in $(fl "$cs")['flow']['organisation']" \
    "decided by the most specific rule: Google Analytics"
assert_gq "$o" "v('udp 10.0.2.15:40019 -> 10.0.2.3:53') == 'listed' and 'this lookup' in $(fl 'udp 10.0.2.15:40019 -> 10.0.2.3:53')['check']" \
    "the lookup itself is listed through the CNAMEs of its own answer"

# 5. allowed endpoints: by name (update server) and by range (a VPN); exit 0
printf '# SilverMetal endpoints\nupdate.silvermetal.example -- the project update server\n203.0.113.0/24 -- SilverVPN gateways\nunused.silvermetal.example -- not in this capture\n' >"$OUT_ROOT/allow.txt"
run allowed allowed.pcap --allow "$OUT_ROOT/allow.txt"
expect_status 0 "only allowed and unlisted endpoints"
validate_gate "$OUT_ROOT/allowed"
o=$OUT_ROOT/allowed
assert_gq "$o" "[i['verdict'] for i in g['items'] if i.get('found') == 'update.silvermetal.example' and i['flow']['protocol'] == 'tcp'] == ['allowed'] and any(i.get('note') == 'the project update server' for i in g['items'])" \
    "the update server: allowed by name, with the reason"
assert_gq "$o" "v('udp 10.0.2.15:51820 -> 203.0.113.9:51820') == 'allowed' and $(fl 'udp 10.0.2.15:51820 -> 203.0.113.9:51820')['note'] == 'SilverVPN gateways'" \
    "the VPN flow: no name, allowed by its range"
assert_gq "$o" "any('unused.silvermetal.example' in e and 'matched no flow' in e for e in g['examined'])" \
    "an allowed endpoint no flow used is named"
run allowed-none allowed.pcap
expect_status 0 "the same capture without the allow list: nothing listed"
assert_gq "$OUT_ROOT/allowed-none" "all(i['verdict'] == 'unlisted' for i in g['items'])" "without --allow: unlisted"

# 6. IPv6 with Hop-by-Hop and Destination Options; IPv6 and IPv4 fragments
run ipv6 ipv6.pcap
expect_status 1 "IPv6 to Google Public DNS; fragmented lookups"
validate_gate "$OUT_ROOT/ipv6"
o=$OUT_ROOT/ipv6
assert_gq "$o" "any(i['flow']['server'] == '2001:4860:4860::8888' and i['verdict'] == 'listed' and i['flow']['organisation'] == 'Google' and i['flow']['server_port'] == 53 for i in g['items'])" \
    "UDP behind two extension headers to 2001:4860:4860::8888: ports read, listed (Google's range)"
assert_gq "$o" "any(i.get('found') == 'clients4.google.com' and i['verdict'] == 'listed' for i in g['items'])" \
    "an IPv6-fragmented DNS query put back together: clients4.google.com"
assert_gq "$o" "any(i.get('found') == 'ocsp.apple.com' and i['verdict'] == 'listed' and i['flow']['organisation'] == 'Apple' for i in g['items'])" \
    "an IPv4-fragmented DNS query put back together: ocsp.apple.com"
assert_gq "$o" "any('fragments' in e for e in g['examined']) and g['problems'] == []" "fragments counted, no trouble"

# 7. a truncated capture: trouble, exit 2, the flows before the cut still judged
run truncated truncated.pcap
expect_status 2 "a capture cut inside a packet record"
validate_gate "$OUT_ROOT/truncated"
o=$OUT_ROOT/truncated
assert_gq "$o" "g['complete'] == False and any('truncated.pcap' in p and 'after packet 4' in p and 'byte' in p for p in g['problems'])" \
    "the problem names the capture, the packet and the byte"
assert_gq "$o" "v('udp 10.0.2.15:40001 -> 10.0.2.3:53') == 'listed'" "the lookup before the cut is still judged"
check "the trouble is said on stderr" grep -q "imagegate telemetry: .*truncated.pcap" "$o.stderr"

# 8. pcapng with two interfaces (both Ethernet)
run two two-interfaces.pcapng
expect_status 1 "pcapng, two interfaces"
validate_gate "$OUT_ROOT/two"
o=$OUT_ROOT/two
assert_gq "$o" "v('$t1') == 'listed' and v('udp 192.168.1.5:123 -> 192.168.1.1:123') == 'unlisted'" \
    "flows of both interfaces judged"
assert_gq "$o" "any('pcapng' in e for e in g['examined'])" "the format is named"
check "tshark sees two interfaces in it" bash -c \
    "[[ \$(tshark -r '$caps/two-interfaces.pcapng' -T fields -e frame.interface_id 2>/dev/null | sort -u | wc -l) == 2 ]]"

# 9. pcapng with two link types: libpcap refuses; trouble naming the capture
run mixed mixed-links.pcapng
expect_status 2 "pcapng with an Ethernet and a Linux cooked interface"
assert_gq "$OUT_ROOT/mixed" "any('mixed-links.pcapng' in p and 'byte' in p for p in g['problems'])" \
    "the problem names the capture and the byte"

# 10. malformed packets: counted and skipped with their offset; the rest judged
"$PY" - "$caps/dns-tls.pcap" "$OUT_ROOT/malformed.pcap" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
# packet 3 (the SYN): IPv4 header length 3 words; packet 4: total length beyond the frame
off, n = 24, 0
while off < len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    n += 1
    if n == 3:
        data[off + 16 + 14] = 0x43
    if n == 4:
        struct.pack_into(">H", data, off + 16 + 14 + 2, 9000)
    off += 16 + incl
open(sys.argv[2], "wb").write(data)
PY
run_gate telemetry "$OUT_ROOT/malformed" "$OUT_ROOT/malformed.pcap"
expect_status 2 "two malformed packets"
o=$OUT_ROOT/malformed
assert_gq "$o" "any('packet 3 ' in p and 'header length below 5 words' in p for p in g['problems']) and any('packet 4 ' in p and 'total length beyond the frame' in p for p in g['problems'])" \
    "each malformed packet is named with its number, record offset and why"
assert_gq "$o" "v('$t1') == 'listed'" "the other packets are still read and judged"

# 11. usage: rules and allow files with errors; not a capture
printf 'org X\ndomain x.example\n' >"$OUT_ROOT/bad-rules.txt"
run badrules dns-tls.pcap --rules "$OUT_ROOT/bad-rules.txt"
expect_status 2 "a rules file with a domain before its source"
assert_gq "$OUT_ROOT/badrules" "any('bad-rules.txt:2' in p for p in g['problems'])" "the problem names file and line"
printf 'org SilverTest\nsource the test\ndomain example.org\n' >"$OUT_ROOT/more-rules.txt"
run morerules dns-tls.pcap --rules "$OUT_ROOT/more-rules.txt"
assert_gq "$OUT_ROOT/morerules" "v('$t2') == 'listed' and $(fl "$t2")['flow']['organisation'] == 'SilverTest'" \
    "a project rules file adds an organisation"
head -c 3000 /dev/urandom >"$OUT_ROOT/random.bin"
run_gate telemetry "$OUT_ROOT/random" "$OUT_ROOT/random.bin"
expect_status 2 "random bytes"
assert_gq "$OUT_ROOT/random" "any('random.bin' in p and 'byte 0' in p for p in g['problems'])" "not a capture: named, byte 0"
check "--list-rules prints the shipped table" bash -c "'$IMAGEGATE' telemetry --list-rules | grep -q '^org Mozilla'"
finish
