#!/usr/bin/env bash
# Dates in every spelling (explain/dates.c): changed, added and removed lines of text whose only
# difference is a date, each spelling named; epoch seconds only near a reference; binary files
# whose only differing strings are dates (a PNG tEXt chunk, __DATE__ compiled into an ELF).
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"

# pair NAME A B [ENV...]: runs driftscope on two files into $OUT_ROOT/NAME.
pair() {
    out=$OUT_ROOT/$1
    if [[ $# -gt 3 ]]; then
        local a=$2 b=$3
        shift 3
        set +e
        env "$@" "$DRIFTSCOPE" "$a" "$b" -o "$out" >"$out.stdout" 2>"$out.stderr"
        status=$?
        set -e
    else
        run_ds "$2" "$3" "$out"
    fi
}
# text_case NAME LINE-A LINE-B SPELLING-DETAIL: a file whose line 2 is LINE-A or LINE-B.
text_case() {
    printf 'SilverMetal\n%s\nend\n' "$2" >"$d/$1-a.txt"
    printf 'SilverMetal\n%s\nend\n' "$3" >"$d/$1-b.txt"
    check "$1: the two files differ in line 2 only" bash -c "[[ \$(diff '$d/$1-a.txt' '$d/$1-b.txt' | grep -c '^[<>]') == 2 ]]"
    pair "$1" "$d/$1-a.txt" "$d/$1-b.txt"
    expect_status 1
    validate "$out"
    expect_roots "$out" "/$1-a.txt|content|embedded-timestamp"
    assert_q "$out" "diffs(loc=['/$1-a.txt'])[0]['detail'].endswith(\"$4\")"
}
# Each spelling as date(1) writes it, for two instants a day apart.
for spec in "iso-basic|BUILD_ID=%Y%m%dT%H%M|ISO 8601 basic" \
    "iso-extended|# built %Y-%m-%dT%H:%M:%SZ|ISO 8601 extended, UTC" \
    "iso-zone|at %Y-%m-%dT%H:%M:%S.%N%:z|ISO 8601 extended, +01:00" \
    "rfc2822|Date: %a, %d %b %Y %H:%M:%S %z|RFC 2822, +01:00" \
    "date-default|%a %b %e %H:%M:%S %Z %Y|date default, CET" \
    "asctime|made %a %b %e %H:%M:%S %Y|asctime" \
    "compact-minutes|snapshot %Y%m%d-%H:%M x|%Y%m%d-%H:%M" \
    "compact-seconds|stamp %Y%m%d%H%M%S|%Y%m%d%H%M%S" \
    "c-date|compiled %b %e %Y|C __DATE__"; do
    IFS='|' read -r name format spelling <<<"$spec"
    la=$(TZ=Europe/Paris LC_ALL=C date -d @1764244367 +"$format")
    lb=$(TZ=Europe/Paris LC_ALL=C date -d @1764330767 +"$format")
    # The detail names the line and the spelling: "line 2 changed: '...' -> '...' (spelling)".
    text_case "$name" "$la" "$lb" "($spelling)"
    assert_q "$out" "diffs(loc=['/$name-a.txt'])[0]['detail'].split('; ')[-1].startswith('line 2 changed: ')"
done

# A line added by a generator, and one removed: the date and a few fixed words.
printf 'SilverMetal\nend\n' >"$d/added-a.txt"
printf 'SilverMetal\n# built 2026-11-27T11:52:47Z\nend\n' >"$d/added-b.txt"
check "added: B has one line more" bash -c "[[ \$(diff '$d/added-a.txt' '$d/added-b.txt') == \$'1a2\n> # built 2026-11-27T11:52:47Z' ]]"
pair added "$d/added-a.txt" "$d/added-b.txt"
expect_status 1
validate "$out"
expect_roots "$out" "/added-a.txt|content|embedded-timestamp"
assert_q "$out" "diffs(loc=['/added-a.txt'])[0]['detail'].endswith(\"line 2 added: '# built 2026-11-27T11:52:47Z' (ISO 8601 extended, UTC)\")"
printf 'Generated %s\nbody\n' "$(date -u -d @1764244367 '+%Y-%m-%d %H:%M:%S')" >"$d/removed-a.txt"
printf 'body\n' >"$d/removed-b.txt"
pair removed "$d/removed-a.txt" "$d/removed-b.txt"
expect_status 1
expect_roots "$out" "/removed-a.txt|content|embedded-timestamp"
assert_q "$out" "diffs(loc=['/removed-a.txt'])[0]['detail'].endswith(\"line 1 removed: 'Generated 2025-11-27 11:52:47' (ISO 8601 extended)\")"
# An added line with more than a date (a version number) is not only a date.
printf 'SilverMetal\nversion 1.2.3 built 2026-11-27\nend\n' >"$d/version-b.txt"
pair version "$d/added-a.txt" "$d/version-b.txt"
expect_status 1
expect_roots "$out" "/added-a.txt|content|unknown"
# Under /var/log, a log file as before.
mkdir -p "$d/log-a/var/log" "$d/log-b/var/log"
printf 'start\n' >"$d/log-a/var/log/build.log"
printf 'start\nfinished Thu Nov 27 11:52:47 UTC 2025\n' >"$d/log-b/var/log/build.log"
pair log "$d/log-a" "$d/log-b"
expect_status 1
expect_roots "$out" "/var/log/build.log|content|log-file"

# Epoch seconds: a date near SOURCE_DATE_EPOCH, or near a date the files write; otherwise a number.
printf 'x\nstamp=1764244367\n' >"$d/epoch-a.txt"
printf 'x\nstamp=1764330767\n' >"$d/epoch-b.txt"
pair epoch-none "$d/epoch-a.txt" "$d/epoch-b.txt"
expect_status 1
expect_roots "$out" "/epoch-a.txt|content|unknown"
pair epoch-sde "$d/epoch-a.txt" "$d/epoch-b.txt" SOURCE_DATE_EPOCH=1764244367
expect_status 1
expect_roots "$out" "/epoch-a.txt|content|embedded-timestamp"
assert_q "$out" "diffs(loc=['/epoch-a.txt'])[0]['detail'].endswith(\"line 2 changed: '1764244367' -> '1764330767' (epoch seconds, UTC)\")"
pair epoch-far "$d/epoch-a.txt" "$d/epoch-b.txt" SOURCE_DATE_EPOCH=1000000000
expect_status 1
expect_roots "$out" "/epoch-a.txt|content|unknown"
printf 'released 2025-11-27\nstamp=1764244367\n' >"$d/epoch-ref-a.txt"
printf 'released 2025-11-27\nstamp=1764330767\n' >"$d/epoch-ref-b.txt"
pair epoch-ref "$d/epoch-ref-a.txt" "$d/epoch-ref-b.txt"
expect_status 1
expect_roots "$out" "/epoch-ref-a.txt|content|embedded-timestamp"

# A binary file no format opens (a PNG: a crafted one, no image tool of Debian's writes a
# tEXt date without ImageMagick) whose tEXt chunk holds the creation date.
png() { # png FILE DATE [PIXEL-SEED]
    "$PY" - "$1" "$2" "$3" <<'PYEOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\0" + bytes([(x * int(sys.argv[3]) + y) % 256 for x in range(16)]) for y in range(16))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0)) +
       chunk(b"tEXt", b"date:create\0" + sys.argv[2].encode()) + chunk(b"IDAT", zlib.compress(raw, 9)) +
       chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PYEOF
}
png "$d/splash-a.png" 2025-11-27T11:52:47+00:00 7
png "$d/splash-b.png" 2025-11-28T11:52:47+00:00 7
check "the PNG is a PNG" bash -c "file '$d/splash-a.png' | grep -q 'PNG image data, 16 x 16, 8-bit grayscale'"
# cmp -l: byte 10 of the date (the day), then the 4 bytes of the chunk's CRC, nothing else.
check "the PNGs differ in the date's day and the tEXt CRC only" bash -c "[[ \$(cmp -l '$d/splash-a.png' '$d/splash-b.png' | wc -l) -le 5 && \$(strings -n 8 '$d/splash-b.png' | grep -c 2025-11-28T11:52:47) == 1 ]]"
pair png "$d/splash-a.png" "$d/splash-b.png"
expect_status 1
validate "$out"
# The PNG row of CAUSES.md (signatures_caches.c's chunk walk) names it before the strings do.
expect_roots "$out" "/splash-a.png|content|png-timestamp"
assert_q "$out" "'only the tIME or date text chunks (1; 3 other chunks equal)' in diffs(loc=['/splash-a.png'])[0]['detail']"
# Other pixels too: not only a date.
png "$d/splash-c.png" 2025-11-28T11:52:47+00:00 5
check "the third PNG's image data differ" bash -c "[[ \$(cmp -l '$d/splash-b.png' '$d/splash-c.png' | wc -l) -gt 16 ]]"
pair png-pixel "$d/splash-a.png" "$d/splash-c.png"
expect_status 1
expect_roots "$out" "/splash-a.png|content|unknown"
assert_q "$out" "diffs(loc=['/splash-a.png'])[0]['detail'].endswith('but the sizes differ: other bytes differ too')"

# __DATE__ and __TIME__ compiled into an ELF's .rodata (gcc honours SOURCE_DATE_EPOCH).
printf '#include <stdio.h>\nint main(void) { puts("built " __DATE__ " " __TIME__); return 0; }\n' >"$d/hello.c"
SOURCE_DATE_EPOCH=1764244367 gcc -O1 -o "$d/hello-a" "$d/hello.c"
SOURCE_DATE_EPOCH=1764330767 gcc -O1 -o "$d/hello-b" "$d/hello.c"
check "the two ELFs' strings differ in the date only" bash -c "[[ \$(diff <(strings -n 8 '$d/hello-a') <(strings -n 8 '$d/hello-b') | grep '^[<>]' | tr '\n' '|') == '< built Nov 27 2025 11:52:47|> built Nov 28 2025 11:52:47|' ]]"
pair elf "$d/hello-a" "$d/hello-b"
expect_status 1
validate "$out"
expect_roots "$out" "/hello-a :: @elf.section..rodata|header|embedded-timestamp"
assert_q "$out" "diffs(loc=['/hello-a', '@elf.section..rodata'])[0]['detail'].endswith(\"changed: 'Nov 27 2025' -> 'Nov 28 2025' (C __DATE__)\")"

# An identical pair.
pair same "$d/added-b.txt" "$d/added-b.txt"
expect_status 0
finish
