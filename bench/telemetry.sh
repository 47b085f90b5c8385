#!/usr/bin/env bash
# The telemetry gate's bench (issue 14): imagegate telemetry on a generated 1 GB capture
# (bench/make-capture.py: 4000 TCP flows with DNS and TLS, data dealt over all of them), beside
# `tshark -r CAPTURE -q -z conv,ip` (the conversation table a user would otherwise read) on the
# same file, BENCH_RUNS runs each (default 3), interleaved; medians of wall time and peak RSS
# (/usr/bin/time -v) go to bench/RESULTS.md's "imagegate telemetry" section, which is replaced.
#   BENCH_WORK=DIR (default bench/work)  BENCH_CAPTURE_MB=N (default 1024)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_WORK:-$here/work}
mb=${BENCH_CAPTURE_MB:-1024}
runs=${BENCH_RUNS:-3}
mkdir -p "$work"
build=$work/build-telemetry
if [[ ! -x $build/imagegate ]]; then
    cmake -S "$here/.." -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build "$build" --target imagegate -j2 >/dev/null
command -v tshark >/dev/null || { echo "bench: tshark is needed (apt-get install tshark)" >&2; exit 2; }
cap=$work/telemetry-${mb}m.pcap
[[ -s $cap ]] || /usr/bin/python3 "$here/make-capture.py" "$cap" "$mb" 4000 >/dev/null
cat "$cap" >/dev/null # both tools read it from the page cache
declare -A walls rsses
once() { # NAME COMMAND...
    local name=$1 log=$work/time-$1.txt
    shift
    /usr/bin/time -v -o "$log" "$@" >"$work/out-$name.txt" 2>"$work/err-$name.txt" || true
    walls[$name]+="$(awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log") "
    rsses[$name]+="$(awk -F': ' '/Maximum resident/ {print $2}' "$log") "
}
for ((i = 0; i < runs; i++)); do
    once imagegate "$build/imagegate" telemetry "$cap" -q --json "$work/telemetry-gate.json"
    once tshark tshark -r "$cap" -q -z conv,ip
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ig=$(median <<<"${walls[imagegate]}"); ts=$(median <<<"${walls[tshark]}")
igr=$(median <<<"${rsses[imagegate]}"); tsr=$(median <<<"${rsses[tshark]}")
/usr/bin/python3 - "$here/RESULTS.md" "$cap" "$ig" "$ts" "$igr" "$tsr" "$runs" "$work/telemetry-gate.json" <<'PY'
import json, os, re, subprocess, sys
results, cap, ig, ts, igr, tsr, runs, gate = sys.argv[1:]
ig, ts, igr, tsr = float(ig), float(ts), int(igr), int(tsr)
g = json.load(open(gate))
size = os.path.getsize(cap)
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
tv = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
pk = [e for e in g["examined"] if e.startswith("capture ") and "packets" in e][0]
section = f"""## imagegate telemetry (issue 14)

Measured by `bench/telemetry.sh` on {subprocess.run(['date', '-u', '+%Y-%m-%d'], capture_output=True, text=True).stdout.strip()}: {os.cpu_count()} cores ({cpu}); capture from the page cache.
The capture: `bench/make-capture.py` ({size / 2**30:.2f} GiB, {pk.split(': ', 1)[1]}; {len(g['items'])} flows, 4000 of them TCP with
a DNS lookup and a TLS ClientHello each, then 1400-byte segments dealt over all flows). Medians of {runs} interleaved runs.

| command | wall | per GB | peak RSS | ratio to tshark |
|---|---|---|---|---|
| `imagegate telemetry CAPTURE -q --json FILE` | {ig:.2f} s | {ig / (size / 1e9):.2f} s | {igr / 1024:.1f} MiB | {ig / ts:.2f}x |
| `tshark -r CAPTURE -q -z conv,ip` ({tv}) | {ts:.2f} s | {ts / (size / 1e9):.2f} s | {tsr / 1024:.1f} MiB | 1.00x |

Target (issue 14): peak RSS under 64 MiB on a 1 GB capture: **{'met' if igr < 64 * 1024 else 'missed'}** ({igr / 1024:.1f} MiB). imagegate's verdict: {g['verdict']} ({', '.join(f'{v} {k}' for k, v in g['counts'].items())}).
tshark's conversation table only counts packets per address pair; imagegate also reads DNS, SNI and
Host and judges every flow, so the ratio compares a cheaper question with ours.
"""
text = open(results).read()
text = re.sub(r"\n## imagegate telemetry \(issue 14\)\n.*?(?=\n## |\Z)", "\n", text, flags=re.S).rstrip("\n") + "\n\n" + section
open(results, "w").write(text)
print(section)
PY
