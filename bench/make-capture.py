#!/usr/bin/python3
"""Writes a large pcap for the telemetry gate's bench: FLOWS TCP flows, each begun by a DNS
lookup and answer, a handshake and a TLS ClientHello with SNI (a third of them to listed
names), then 1400-byte data segments dealt round-robin over all flows (so every flow stays open
to the end) until the file holds SIZE bytes.  Usage: make-capture.py OUT.pcap SIZE_MB [FLOWS]
Headers are written with struct (scapy would take an hour for a gigabyte); checksums are zero,
as offloading NICs leave them in real captures."""
import struct
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
flows = int(sys.argv[3]) if len(sys.argv) > 3 else 4000
limit = size_mb * 1024 * 1024
t0 = 1796119200  # 2026-12-01T10:00:00Z
CLIENT = bytes([10, 0, 2, 15])
RESOLVER = bytes([10, 0, 2, 3])
ETH = b"\x52\x54\x00\x12\x35\x02" + b"\x52\x54\x00\x12\x34\x56" + b"\x08\x00"


def ip4(src, dst, proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags, 64240, 0, 0) + payload


def qname(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns(ident, name, answer=None):
    flags = 0x8180 if answer else 0x0100
    body = struct.pack(">HHHHHH", ident, flags, 1, 1 if answer else 0, 0, 0) + qname(name) + b"\0\x01\0\x01"
    if answer:
        body += b"\xc0\x0c\0\x01\0\x01\0\0\x00\x3c\0\x04" + answer
    return body


def client_hello(name):
    n = name.encode()
    sni = struct.pack(">HHHBH", 0, len(n) + 5, len(n) + 3, 0, len(n)) + n
    ext = sni + struct.pack(">HHB", 0x2b, 3, 2) + b"\x03\x04"
    body = b"\x03\x03" + bytes(32) + b"\0" + b"\0\x02\x13\x01" + b"\x01\0" + struct.pack(">H", len(ext)) + ext
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


written = 0
tick = [0]


def record(f, frame):
    global written
    tick[0] += 1
    t = t0 + tick[0] // 1000
    f.write(struct.pack("<IIII", t, (tick[0] % 1000) * 1000, len(frame), len(frame)) + frame)
    written += 16 + len(frame)


with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    written = 24
    seqs = []
    for i in range(flows):
        name = "telemetry%d.mozilla.org" % i if i % 3 == 0 else "host%d.example.net" % i
        server = bytes([93, 184, (i >> 8) & 0xff, i & 0xff])
        sport = 20000 + i
        record(f, ETH + ip4(CLIENT, RESOLVER, 17, udp(sport, 53, dns(i & 0xffff, name))))
        record(f, ETH + ip4(RESOLVER, CLIENT, 17, udp(53, sport, dns(i & 0xffff, name, server))))
        record(f, ETH + ip4(CLIENT, server, 6, tcp(sport, 443, 1000, 0, 0x02)))
        record(f, ETH + ip4(server, CLIENT, 6, tcp(443, sport, 5000, 1001, 0x12)))
        hello = client_hello(name)
        record(f, ETH + ip4(CLIENT, server, 6, tcp(sport, 443, 1001, 5001, 0x18, hello)))
        seqs.append([server, sport, 5001])
    data = bytes(range(256)) * 6
    data = data[:1400]
    k = 0
    while written < limit:
        server, sport, seq = seqs[k % flows]
        record(f, ETH + ip4(server, CLIENT, 6, tcp(443, sport, seq, 2000, 0x10, data)))
        seqs[k % flows][2] = seq + len(data)
        k += 1
print(out, written, "bytes,", flows, "flows")
