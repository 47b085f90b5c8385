#!/usr/bin/python3
"""Writes a live-style root file system tree of about SIZE_MB megabytes for the benchmark:
tens of thousands of files in /usr, /etc, /var, /lib like a Debian rootfs (small text files,
shared libraries and binaries of pseudo-random bytes, a few large files), deterministic for a
given seed. With --variant B, a handful of files differ (text edited, bytes flipped at equal
size, a file grown), as a real rebuild drifts.

With --code, the binaries are x86-like code instead (see code()): xz's BCJ x86 filter then
compresses nearly every block of them smaller, so `mksquashfs -Xbcj x86` changes their stored
bytes (the worst case of another filter).

usage: make-tree.py DIR SIZE_MB [--variant A|B] [--code]
"""
import os
import random
import struct
import sys

WORDS = ("the package configuration file system service kernel module library user group "
         "network device boot live image build debian silvermetal hardened default value "
         "option enable disable path version release update security policy").split()


def text(rng, size):
    out = []
    n = 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out)[:size].encode()


# A slip kept for comparability with every measurement so far: Random(99) is seeded anew for
# each word, so the 256 words are one and the same, and binary() below is 30 % noise and 70 %
# one repeated 16-byte word (about 3:1 with xz). code() uses a real vocabulary.
VOCABULARY = [random.Random(99).randbytes(16) for _ in range(256)]
_words = random.Random(99)
CODE_WORDS = [_words.randbytes(16) for _ in range(256)]
CODE_TARGETS = [random.Random(7 + k).randrange(0, 1 << 22) for k in range(64)]


def code(rng, size):
    # 16-byte words of a 256-word vocabulary, every second one a near call (E8 rel32) to one of
    # 64 functions: the relative offsets all differ, the absolute targets (what BCJ turns them
    # into) repeat.
    out = bytearray()
    for k, i in enumerate(rng.randbytes(size // 16 + 1)):
        if k & 1:
            out += b"\xe8" + struct.pack("<i", CODE_TARGETS[i & 63] - (len(out) + 5)) + CODE_WORDS[i][:11]
        else:
            out += CODE_WORDS[i]
    return bytes(out[:size])


def binary(rng, size):
    # 30 % pseudo-random bytes, 70 % drawn from VOCABULARY (see above).
    noise = (size * 3 // 10) & ~15
    words = (size - noise + 15) // 16
    body = b"".join(VOCABULARY[i] for i in rng.randbytes(words))
    return (rng.randbytes(noise) + body)[:size]


def main():
    root, size_mb = sys.argv[1], int(sys.argv[2])
    variant = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--variant" else "A"
    as_code = "--code" in sys.argv[3:]
    rng = random.Random(1)
    budget = size_mb * 1024 * 1024
    written = 0
    files = []
    dirs = ["usr/bin", "usr/sbin", "usr/lib/x86_64-linux-gnu", "usr/share/doc", "usr/share/locale",
            "usr/share/man/man1", "etc", "etc/default", "var/lib/dpkg/info", "lib/modules/6.1.0/kernel",
            "usr/lib/python3/dist-packages", "usr/share/icons/hicolor"]
    index = 0
    while written < budget:
        d = dirs[index % len(dirs)]
        sub = "%s/pkg%03d" % (d, (index // len(dirs)) % 400)
        kind = rng.random()
        if kind < 0.85:
            size, data_kind = rng.randint(200, 8000), "text"
        elif kind < 0.995:
            size, data_kind = rng.randint(20000, 200000), "binary"
        else:
            size, data_kind = rng.randint(1_000_000, 8_000_000), "binary"
        path = os.path.join(root, sub, "file%06d%s" % (index, ".txt" if data_kind == "text" else ".so"))
        files.append((path, size, data_kind, index))
        written += size
        index += 1
    # A handful of files drift, spread over the image (early, middle, late).
    changed = {7, len(files) // 5, len(files) // 2, len(files) * 4 // 5 + 1, len(files) - 3}
    for path, size, data_kind, i in files:
        frng = random.Random(i)
        data = text(frng, size) if data_kind == "text" else (code if as_code else binary)(frng, size)
        if variant == "B" and i in changed:
            if data_kind == "text":
                data = data.replace(b"the", b"THE", 1) + b"rebuilt on another day\n"
            else:
                pos = len(data) // 3
                data = data[:pos] + bytes(b ^ 0xFF for b in data[pos:pos + 8]) + data[pos + 8:]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    print("%d files, %d MiB" % (len(files), written >> 20))


main()
