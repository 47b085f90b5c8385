#!/usr/bin/env bash
# Benchmark: driftscope beside the tools a user would otherwise run, on one pair, in one go.
#
#   bench/run.sh [--quick] [--keep]        generate a live-style pair (about 1 GB of xz squashfs from 3.3 GB of files;
#                                          --quick: about 300 MB) and measure
#   bench/run.sh A.iso B.iso               measure on a pair you have
#
# Measured with /usr/bin/time -v (wall time, peak RSS): driftscope; `openssl dgst -sha256` of
# both inputs (the floor: hashing everything once, which stage 1 must do anyway); sqfsdiff on
# the squashfs pair; `unsquashfs -lln` of both plus diff; diffoscope --max-container-depth 2
# under a time limit and an address-space cap. Writes bench/RESULTS.md.
#
# BENCH_RUNS=N (default 5): the floor and driftscope are run N times, interleaved, medians kept.
# BENCH_BASELINE=BINARY [BENCH_BASELINE_LABEL=TEXT]: an earlier driftscope build measured in the
#   same runs, so that a change is judged against its predecessor on the same machine.
# BENCH_REUSE=1: keep the slow tools' rows from the previous run on the same images.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${BENCH_WORK:-$here/work}
quick=0
keep=0
pair=()
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    *) pair+=("$arg") ;;
    esac
done
diffoscope_limit=${DIFFOSCOPE_SECONDS:-900}
diffoscope_memory_kib=${DIFFOSCOPE_MEMORY_KIB:-$((16 * 1024 * 1024))}
mkdir -p "$work"
bash "$repo/scripts/setup-deps.sh"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
command -v diffoscope >/dev/null || apt-get install -y -qq diffoscope-minimal >/dev/null
bash "$repo/scripts/build.sh"
ds=$repo/build/driftscope

build_iso() { # DIR-of-rootfs OUT.iso OUT.squashfs
    local tree=$1 iso=$2 sq=$3 binary
    binary=$(mktemp -d "$work/binary.XXXXXX")
    mkdir -p "$binary/live" "$binary/.disk"
    SOURCE_DATE_EPOCH=1700000000 mksquashfs "$tree" "$sq" -noappend -comp xz -no-progress -quiet >/dev/null
    ln "$sq" "$binary/live/filesystem.squashfs" 2>/dev/null || cp "$sq" "$binary/live/filesystem.squashfs"
    head -c 8000000 /dev/zero >"$binary/live/vmlinuz"
    head -c 30000000 /dev/zero >"$binary/live/initrd.img"
    printf 'SilverMetal bench\n' >"$binary/.disk/info"
    find "$binary" -exec touch -h -d @1700000000 {} +
    SOURCE_DATE_EPOCH=1700000000 xorriso -as mkisofs -R -r -J -l -iso-level 3 -V BENCH \
        -o "$iso" "$binary" 2>/dev/null
    rm -rf "$binary"
}

if ((${#pair[@]} == 2)); then
    a=${pair[0]}
    b=${pair[1]}
    sqa="" sqb=""
    label="given pair"
else
    size=$((quick ? 450 : 3300))
    label="generated pair, rootfs ${size} MiB each, xz squashfs"
    a=$work/a.iso b=$work/b.iso sqa=$work/a.squashfs sqb=$work/b.squashfs
    if [[ ! -s $a || ! -s $b || $(cat "$work/size" 2>/dev/null) != "$size" ]]; then
        rm -rf "$work/tree-a" "$work/tree-b"
        echo "bench: generating trees (${size} MiB each)" >&2
        /usr/bin/python3 "$here/make-tree.py" "$work/tree-a" "$size" --variant A >&2
        /usr/bin/python3 "$here/make-tree.py" "$work/tree-b" "$size" --variant B >&2
        find "$work/tree-a" "$work/tree-b" -exec touch -h -d @1700000000 {} +
        echo "bench: building images" >&2
        build_iso "$work/tree-a" "$a" "$sqa"
        build_iso "$work/tree-b" "$b" "$sqb"
        echo "$size" >"$work/size"
        rm -rf "$work/tree-a" "$work/tree-b"
    fi
fi
if [[ -z ${sqa:-} ]]; then
    # Take the squashfs out of the given ISOs, for the tools that need it as a file.
    sqa=$work/given-a.squashfs sqb=$work/given-b.squashfs
    osirrox -indev "$a" -extract /live/filesystem.squashfs "$sqa" >/dev/null 2>&1
    osirrox -indev "$b" -extract /live/filesystem.squashfs "$sqb" >/dev/null 2>&1
fi

results=$work/results.tsv
# BENCH_REUSE=1: keep the rows of the slow tools (sqfsdiff, unsquashfs, diffoscope) measured on
# the same images by an earlier run, and measure the floor and driftscope again.
reused=""
if [[ ${BENCH_REUSE:-0} == 1 && -s $results ]]; then
    grep -E '^(sqfsdiff|unsquashfs-lln|diffoscope)	' "$results" >"$results.keep" || true
    reused=$(cut -f1 "$results.keep" | tr '\n' ' ')
    mv "$results.keep" "$results"
else
    : >"$results"
fi
measure() { # NAME TIMEOUT COMMAND...
    local name=$1 limit=$2
    shift 2
    if [[ " $reused " == *" $name "* ]]; then
        echo "bench: $name: kept from the earlier run on the same images" >&2
        return
    fi
    local log=$work/time-$name.log
    sync
    /usr/bin/time -v -o "$log" timeout "$limit" "$@" >"$work/out-$name.txt" 2>"$work/err-$name.txt"
    local status=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    # h:mm:ss or m:ss.xx -> seconds
    wall=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$rss" "$status" "$limit" >>"$results"
    echo "bench: $name: ${wall}s, peak RSS ${rss} KiB, exit $status" >&2
}

# Warm the page cache the same way for everyone: read both once.
cat "$a" "$b" >/dev/null
# The floor, driftscope and (BENCH_BASELINE=BINARY) an earlier driftscope are run BENCH_RUNS
# times (default 5), interleaved, so that each is measured under the same conditions; the rows
# keep the median wall time and the largest peak RSS.
runs=${BENCH_RUNS:-5}
baseline=${BENCH_BASELINE:-}
declare -A walls rsses
once() { # NAME COMMAND...: one timed run, appended to walls[NAME] and rsses[NAME]
    local name=$1
    shift
    local log=$work/time-$name.log
    /usr/bin/time -v -o "$log" "$@" >"$work/out-$name.txt" 2>"$work/err-$name.txt"
    statuses[$name]=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    walls[$name]+="$wall "
    rsses[$name]+="$rss "
}
declare -A statuses
for ((i = 0; i < runs; i++)); do
    once floor openssl dgst -sha256 "$a" "$b"
    rm -rf "$work/driftscope-out"
    once driftscope "$ds" -q "$a" "$b" -o "$work/driftscope-out"
    if [[ -n $baseline ]]; then
        rm -rf "$work/baseline-out"
        once baseline "$baseline" -q "$a" "$b" -o "$work/baseline-out"
    fi
done
for name in floor driftscope ${baseline:+baseline}; do
    wall=$(tr ' ' '\n' <<<"${walls[$name]}" | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
    rss=$(tr ' ' '\n' <<<"${rsses[$name]}" | grep . | sort -n | tail -n 1)
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$rss" "${statuses[$name]}" "$runs" >>"$results"
    echo "bench: $name: median ${wall}s of $runs (${walls[$name]}), peak RSS ${rss} KiB" >&2
done
measure driftscope-j1 3600 "$ds" -q --jobs 1 "$a" "$b" -o "$work/driftscope-out-j1"
measure sqfsdiff 3600 sqfsdiff --old "$sqa" --new "$sqb"
measure unsquashfs-lln 3600 bash -c "unsquashfs -lln '$sqa' >'$work/lln-a.txt' && unsquashfs -lln '$sqb' >'$work/lln-b.txt' && diff '$work/lln-a.txt' '$work/lln-b.txt'"
measure diffoscope "$diffoscope_limit" prlimit --as=$((diffoscope_memory_kib * 1024)) \
    diffoscope --max-container-depth 2 --text "$work/diffoscope.txt" "$a" "$b"

/usr/bin/python3 - "$results" "$here/RESULTS.md" "$label" "$a" "$b" "$diffoscope_limit" "$diffoscope_memory_kib" "$work/driftscope-out/report.json" "$reused" "$runs" "${BENCH_BASELINE_LABEL:-$baseline}" <<'PY'
import json, os, platform, subprocess, sys, datetime
results, out, label, a, b, limit, memcap, report, reused, runs, baseline = sys.argv[1:12]
rows = {}
limits = {}
for line in open(results):
    fields = line.rstrip("\n").split("\t")
    name, wall, rss, status = fields[:4]
    rows[name] = (float(wall or 0), int(rss or 0), int(status))
    if len(fields) > 4:
        limits[name] = fields[4]
def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()
mem = int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024
floor = rows["floor"][0] or 1e-9
ds = rows["driftscope"][0] or 1e-9
r = json.load(open(report)) if os.path.exists(report) else {}
roots = [d for d in r.get("differences", []) if not d.get("secondary")]
lines = []
lines.append("# Benchmark results\n")
lines.append("Written by `bench/run.sh` on %s. Machine: %s, %d cores, %d GiB RAM, %s." % (
    datetime.date.today().isoformat(), cpu(), os.cpu_count(), mem, platform.platform()))
lines.append("Pair: %s. A: %d bytes, B: %d bytes. The page cache held both images for every tool (they were read once before)." % (
    label, os.path.getsize(a), os.path.getsize(b)))
if reused.strip():
    lines.append("Rows kept from an earlier run on the same images (BENCH_REUSE=1): %s." % ", ".join(reused.split()))
lines.append("")
lines.append("The floor and driftscope%s: median wall time of %s interleaved runs, largest peak RSS; the other rows: one run." % (
    " and the baseline" if baseline else "", runs))
lines.append("")
lines.append("| tool | wall (s) | peak RSS (MiB) | exit | wall / floor | driftscope speed-up |")
lines.append("|---|---|---|---|---|---|")
names = {"floor": "openssl dgst -sha256 A B (floor)", "driftscope": "driftscope (default --jobs)",
         "baseline": "baseline driftscope: %s" % baseline,
         "driftscope-j1": "driftscope --jobs 1", "sqfsdiff": "sqfsdiff on the squashfs pair",
         "unsquashfs-lln": "unsquashfs -lln both + diff",
         "diffoscope": "diffoscope --max-container-depth 2 (limit %s s, %d GiB)" % (limits.get("diffoscope", limit), int(memcap) // 1024 // 1024)}
for key in ["floor", "driftscope", "baseline", "driftscope-j1", "sqfsdiff", "unsquashfs-lln", "diffoscope"]:
    if key not in rows:
        continue
    wall, rss, status = rows[key]
    note = ""
    if key == "diffoscope" and status in (124, 137):
        note = " (stopped by the time limit)"
    elif key == "diffoscope" and status != 0 and os.path.exists(os.path.join(os.path.dirname(results), "err-diffoscope.txt")) and \
            "MemoryError" in open(os.path.join(os.path.dirname(results), "err-diffoscope.txt"), errors="replace").read():
        note = " (MemoryError under the address-space cap)"
    lines.append("| %s | %.2f | %.0f | %d%s | %.2f | %s |" % (
        names[key], wall, rss / 1024, status, note, wall / floor,
        "" if key.startswith("driftscope") or key in ("floor", "baseline") else "%.1fx" % (wall / ds)))
lines.append("")
lines.append("Targets (issue 3, full-size pair): peak RSS at most 256 MiB: **%s** (%.0f MiB); wall time at most 2x the floor: **%s** (%.2fx); at least 10x faster than sqfsdiff: **%s** (%.1fx)." % (
    "met" if rows["driftscope"][1] <= 256 * 1024 else "missed", rows["driftscope"][1] / 1024,
    "met" if ds <= 2 * floor else "missed", ds / floor,
    "met" if rows.get("sqfsdiff", (0,))[0] >= 10 * ds else "missed", rows.get("sqfsdiff", (0,))[0] / ds))
lines.append("")
lines.append("driftscope found %d root differences: %s" % (len(roots), ", ".join("`" + " :: ".join(d["location"]) + "`" for d in roots[:12])))
for s in r.get("squashfs", []):
    lines.append("")
    lines.append("Inside `%s`: %d files compared, %d settled from their stored bytes without decompressing, %d decompressed (%d blocks)." % (
        s["location"], s["files_compared"], s["settled_without_decompression"], s["files_decompressed"], s["blocks_decompressed"]))
stages = ", ".join("%s %.2f s" % (s["name"], s["seconds"]) for s in r.get("stages", []))
lines.append("")
lines.append("driftscope stages: %s." % stages)
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
[[ $keep == 1 ]] || rm -rf "$work/driftscope-out" "$work/driftscope-out-j1" "$work"/lln-*.txt "$work/diffoscope.txt"
