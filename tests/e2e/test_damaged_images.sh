#!/usr/bin/env bash
# Damaged images, deterministically: truncated at several points, zeroed ranges, bit flips and
# scrambled blocks, in an ISO and in a squashfs. Every run ends with exit 1 or 2 (never a
# signal, never the test's timeout) and a valid report.json that names the input.
source "$(dirname "$0")/lib.sh"
iso=$(image base 1700000000)
sq=$(sqfs base)
damage() { # damage SRC DST KIND SEED
    "$PY" - "$@" <<'PYEOF'
import random, shutil, sys
src, dst, kind, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = bytearray(open(src, "rb").read())
r = random.Random(seed)
n = len(data)
# Half the damage lands in the first 160 KiB (headers, directories, superblock), half anywhere,
# and for squashfs images some in the metadata tables at the end.
def pos():
    return r.choice([r.randrange(0, min(n, 163840)), r.randrange(0, n), r.randrange(max(0, n - 16384), n)])
if kind == "truncate":
    data = data[: r.randrange(0, n)]
elif kind == "zero":
    for _ in range(4):
        at, length = pos(), r.randrange(1, 4096)
        data[at:at + length] = bytes(len(data[at:at + length]))
elif kind == "flip":
    for _ in range(r.randrange(1, 200)):
        at = pos(); data[at] ^= 1 << r.randrange(8)
elif kind == "scramble":
    blocks = [data[i:i + 2048] for i in range(0, n, 2048)]
    head = blocks[:80]
    r.shuffle(head)
    blocks[:80] = head
    data = bytearray(b"".join(blocks))
open(dst, "wb").write(data)
PYEOF
}
for base in "$iso" "$sq"; do
    kind_of=$(basename "$base")
    for kind in truncate zero flip scramble; do
        for seed in 1 2 3 4 5; do
            bad=$OUT_ROOT/$kind_of-$kind-$seed
            damage "$base" "$bad" "$kind" "$seed"
            out=$bad.out
            set +e
            timeout 120 "$DRIFTSCOPE" -q "$base" "$bad" -o "$out" >"$out.stdout" 2>"$out.stderr"
            status=$?
            set -e
            if cmp -s "$base" "$bad"; then
                # The damage changed nothing (zeros over zeros): identical is the right answer.
                if [[ $status == 0 ]]; then ok "$kind_of $kind $seed: unchanged, exit 0"; else not_ok "$kind_of $kind $seed: unchanged but exit $status"; fi
            elif [[ $status == 1 || $status == 2 ]]; then
                ok "$kind_of $kind $seed: exit $status"
            else
                not_ok "$kind_of $kind $seed: exit $status (a signal, a timeout or a wrong status)"
                continue
            fi
            if "$PY" "$DS_SOURCE_DIR/tests/e2e/validate_report.py" "$out/report.json" >/dev/null 2>&1 &&
                grep -q "$(basename "$bad")" "$out/report.json"; then
                ok "$kind_of $kind $seed: valid report naming the input"
            else
                not_ok "$kind_of $kind $seed: report invalid or does not name the input"
            fi
        done
    done
done
finish
