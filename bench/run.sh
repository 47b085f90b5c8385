#!/usr/bin/env bash
# Benchmark: driftscope beside the tools a user would otherwise run, on one machine, in one go.
#
#   bench/run.sh [--quick]      the generated pair (about 1 GB of xz squashfs from 3.3 GB of
#                               files; --quick: about 300 MB) and every tool beside driftscope
#   bench/run.sh --live         all of it (issue 15): the live-build pair (bench/make-live.sh:
#                               two `lb build`s of one config, built once and kept), the
#                               generated pair at about 100 MB, 300 MB and 1 GB (cost growth),
#                               and the worst case (the same tree packed with another block size,
#                               and with another xz filter)
#   bench/run.sh A.iso B.iso    a pair you have
#
# Wall time and peak RSS come from /usr/bin/time -v. The floor is `openssl dgst -sha256` of both
# inputs (hashing everything once, which the hash stage must do anyway). Paired rows (the floor
# and driftscope, and in the worst case driftscope, sqfsdiff and `unsquashfs -d` of both) are run
# BENCH_RUNS times (default 7) interleaved; a row keeps the median wall time and the largest
# peak RSS. Single rows (sqfsdiff and `unsquashfs -lln` on the main pair, diffoscope under a
# time limit and an address-space cap) run once. Writes bench/RESULTS.md.
#
# BENCH_WORK=DIR (default bench/work): where the images are built and kept.
# BENCH_BASELINE=BINARY [BENCH_BASELINE_LABEL=TEXT]: an earlier driftscope measured in the same
#   paired runs, so that a change is judged against its predecessor on the same machine.
# BENCH_REUSE=1: keep the single rows (sqfsdiff, unsquashfs -lln, diffoscope) of the previous
#   run on the same images; RESULTS.md says which rows were kept.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${BENCH_WORK:-$here/work}
quick=0 live=0
pair=()
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    --live) live=1 ;;
    --keep) ;; # accepted for older command lines: outputs are always removed, images kept
    *) pair+=("$arg") ;;
    esac
done
runs=${BENCH_RUNS:-7}
diffoscope_limit=${DIFFOSCOPE_SECONDS:-900}
diffoscope_memory_kib=${DIFFOSCOPE_MEMORY_KIB:-$((16 * 1024 * 1024))}
mkdir -p "$work"
work=$(cd "$work" && pwd)
bash "$repo/scripts/setup-deps.sh"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
command -v diffoscope >/dev/null || apt-get install -y -qq diffoscope-minimal >/dev/null
bash "$repo/scripts/build.sh"
ds=$repo/build/driftscope
baseline=${BENCH_BASELINE:-}
results=$work/results.tsv
scratch=$work/scratch
mkdir -p "$scratch"

# Rows: section, name, median wall (s), largest peak RSS (KiB), exit status, runs, inputs.
kept_rows=""
if [[ ${BENCH_REUSE:-0} == 1 && -s $results ]]; then
    awk -F'\t' '$6 == "1"' "$results" >"$results.keep"
    kept_rows=$(awk -F'\t' '{printf "%s/%s ", $1, $2}' "$results.keep")
    mv "$results.keep" "$results"
else
    : >"$results"
fi

timed() { # LOG COMMAND...: one run under /usr/bin/time -v; prints "wall rss status"
    local log=$1
    shift
    /usr/bin/time -v -o "$log" "$@" >"$log.out" 2>"$log.err"
    local status=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    echo "$wall $rss $status"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# paired SECTION INPUTS NAME=COMMAND...: every command BENCH_RUNS times, interleaved.
# Commands are strings run by bash -c; each run starts with an empty scratch directory and no
# dirty pages (sync), so that a command writing hundreds of MiB (unsquashfs -d) does not leave
# its writeback to the next run.
paired() {
    local section=$1 inputs=$2
    shift 2
    local -A walls rsses statuses
    local spec name i
    for ((i = 0; i < runs; i++)); do
        for spec in "$@"; do
            name=${spec%%=*}
            rm -rf "$scratch" && mkdir -p "$scratch" && sync
            read -r wall rss status < <(timed "$work/time-$section-$name.log" bash -c "${spec#*=}")
            walls[$name]+="$wall "
            rsses[$name]+="$rss "
            statuses[$name]=$status
        done
    done
    rm -rf "$scratch" && mkdir -p "$scratch"
    for spec in "$@"; do
        name=${spec%%=*}
        wall=$(median <<<"${walls[$name]}")
        rss=$(tr ' ' '\n' <<<"${rsses[$name]}" | grep . | sort -n | tail -n 1)
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$name" "$wall" "$rss" "${statuses[$name]}" "$runs" "$inputs" >>"$results"
        echo "bench: $section: $name: median ${wall}s of $runs (${walls[$name]}), peak RSS ${rss} KiB" >&2
    done
}

single() { # SECTION INPUTS NAME LIMIT COMMAND: one run (kept with BENCH_REUSE=1)
    local section=$1 inputs=$2 name=$3 limit=$4 command=$5
    if [[ " $kept_rows " == *" $section/$name "* ]]; then
        echo "bench: $section: $name: kept from the earlier run" >&2
        return
    fi
    rm -rf "$scratch" && mkdir -p "$scratch"
    read -r wall rss status < <(timed "$work/time-$section-$name.log" timeout "$limit" bash -c "$command")
    rm -rf "$scratch" && mkdir -p "$scratch"
    printf '%s\t%s\t%s\t%s\t%s\t1\t%s\n' "$section" "$name" "$wall" "$rss" "$status" "$inputs" >>"$results"
    echo "bench: $section: $name: ${wall}s, peak RSS ${rss} KiB, exit $status" >&2
}

sizes() { echo "$(stat -c %s "$1") $(stat -c %s "$2")"; }

squashfs_of() { # ISO OUT: live/filesystem.squashfs taken out of an ISO, for the tools needing a file
    [[ -s $2 ]] || osirrox -indev "$1" -extract /live/filesystem.squashfs "$2" >/dev/null 2>&1
}

# The main pair's section: the floor and driftscope paired (and the baseline), then the other tools.
main_pair() { # SECTION A B SQA SQB
    local section=$1 a=$2 b=$3 sqa=$4 sqb=$5 inputs
    inputs=$(sizes "$a" "$b")
    cat "$a" "$b" >/dev/null # the page cache holds both for every tool
    local specs=("floor=openssl dgst -sha256 '$a' '$b'" "driftscope=$ds -q '$a' '$b' -o '$scratch/out'")
    [[ -n $baseline ]] && specs+=("baseline=$baseline -q '$a' '$b' -o '$scratch/out'")
    paired "$section" "$inputs" "${specs[@]}"
    rm -rf "$work/report-$section" && "$ds" -q "$a" "$b" -o "$work/report-$section" >/dev/null 2>&1
    single "$section" "$inputs" driftscope-j1 3600 "$ds -q --jobs 1 '$a' '$b' -o '$scratch/out'"
    single "$section" "$inputs" sqfsdiff 3600 "sqfsdiff --old '$sqa' --new '$sqb'"
    single "$section" "$inputs" unsquashfs-lln 3600 "unsquashfs -lln '$sqa' >'$scratch/a' && unsquashfs -lln '$sqb' >'$scratch/b' && diff '$scratch/a' '$scratch/b'"
}

if ((${#pair[@]} == 2)); then
    sqa=$work/given-a.squashfs sqb=$work/given-b.squashfs
    rm -f "$sqa" "$sqb"
    squashfs_of "${pair[0]}" "$sqa"
    squashfs_of "${pair[1]}" "$sqb"
    main_pair given "${pair[0]}" "${pair[1]}" "$sqa" "$sqb"
    sections="given"
else
    size=$((quick ? 1000 : 3300))
    bash "$here/make-pair.sh" "$work/gen-main" "$size"
    g=$work/gen-main
    main_pair generated "$g/a.iso" "$g/b.iso" "$g/a.squashfs" "$g/b.squashfs"
    inputs=$(sizes "$g/a.iso" "$g/b.iso")
    single generated "$inputs" diffoscope "$diffoscope_limit" \
        "prlimit --as=$((diffoscope_memory_kib * 1024)) diffoscope --max-container-depth 2 --text '$scratch/diffoscope.txt' '$g/a.iso' '$g/b.iso'"
    sections="generated"
fi

if ((live)); then
    # The live-build pair: built once (about 20 minutes and a few hundred MB from the mirror).
    bash "$here/make-live.sh" "$work/live" || exit 2
    l=$work/live
    squashfs_of "$l/live-a.iso" "$l/live-a.squashfs"
    squashfs_of "$l/live-b.iso" "$l/live-b.squashfs"
    main_pair live "$l/live-a.iso" "$l/live-b.iso" "$l/live-a.squashfs" "$l/live-b.squashfs"
    # Cost growth: the generated pair at three sizes (the 1 GB one is the main pair's images).
    for spec in "growth-100m 200" "growth-300m 850"; do
        set -- $spec
        bash "$here/make-pair.sh" "$work/$1" "$2"
    done
    for name in growth-100m growth-300m gen-main; do
        d=$work/$name
        cat "$d/a.iso" "$d/b.iso" >/dev/null
        paired "growth" "$(sizes "$d/a.iso" "$d/b.iso")" \
            "floor-$name=openssl dgst -sha256 '$d/a.iso' '$d/b.iso'" \
            "driftscope-$name=$ds -q '$d/a.iso' '$d/b.iso' -o '$scratch/out'"
    done
    # The worst case: every stored block differs, the files do not.
    for variant in block filter; do
        d=$work/worst-$variant
        bash "$here/make-pair.sh" "$d" 330 "$variant"
        cat "$d/a.iso" "$d/b.iso" "$d/a.squashfs" "$d/b.squashfs" >/dev/null
        paired "worst-$variant" "$(sizes "$d/a.iso" "$d/b.iso")" \
            "driftscope=$ds -q '$d/a.iso' '$d/b.iso' -o '$scratch/out'" \
            "sqfsdiff=sqfsdiff --old '$d/a.squashfs' --new '$d/b.squashfs'" \
            "unsquashfs-d=unsquashfs -q -d '$scratch/a' '$d/a.squashfs' >/dev/null && unsquashfs -q -d '$scratch/b' '$d/b.squashfs' >/dev/null"
        rm -rf "$work/report-worst-$variant" && "$ds" -q "$d/a.iso" "$d/b.iso" -o "$work/report-worst-$variant" >/dev/null 2>&1
    done
    sections="$sections live growth worst-block worst-filter"
fi

/usr/bin/python3 "$here/results.py" "$results" "$here/RESULTS.md" "$work" "$runs" "$kept_rows" \
    "${BENCH_BASELINE_LABEL:-$baseline}" "$sections" "$diffoscope_limit" "$diffoscope_memory_kib"
