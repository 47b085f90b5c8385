#!/usr/bin/python3
"""Writes bench/RESULTS.md from bench/run.sh's rows (results.tsv) and the reports it kept.

usage: results.py RESULTS.TSV RESULTS.MD WORK RUNS KEPT BASELINE SECTIONS DIFFOSCOPE_S DIFFOSCOPE_KIB

A row: section, name, median wall (s), largest peak RSS (KiB), exit status, runs, the input
sizes. The "## imagegate telemetry" section of an existing RESULTS.md (bench/telemetry.sh's) is
kept as it is, and says its own date.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

tsv, out, work, runs, kept, baseline, sections, dlimit, dmem = sys.argv[1:10]
rows = {}
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    if len(f) < 7:
        continue
    sizes = [int(x) for x in f[6].split()]
    rows[(f[0], f[1])] = dict(wall=float(f[2] or 0), rss=int(f[3] or 0), status=int(f[4] or 0),
                              runs=int(f[5]), sizes=sizes)


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def git(*args):
    here = os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run(["git", "-C", here] + list(args), capture_output=True, text=True)
    return r.stdout.strip()


def version(cmd):
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
    return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else "?"


def mib(kib):
    return kib / 1024


def report(section):
    path = os.path.join(work, "report-%s" % section, "report.json")
    return json.load(open(path)) if os.path.exists(path) else {}


def found(section):
    r = report(section)
    if not r:
        return []
    lines = []
    roots = [d for d in r.get("differences", []) if not d.get("secondary")]
    lines.append("driftscope found %d root difference%s: %s" % (len(roots), "" if len(roots) == 1 else "s", ", ".join(
        "`%s` (%s)" % (" :: ".join(d["location"]), d.get("cause", "?")) for d in roots[:8])
        + (", ..." if len(roots) > 8 else "")))
    for s in r.get("squashfs", []):
        lines.append("Inside `%s`: %d files compared, %d settled from their stored bytes without decompressing, "
                     "%d decompressed (%d blocks)." % (s["location"] or "(the inputs)", s["files_compared"],
                                                        s["settled_without_decompression"], s["files_decompressed"],
                                                        s["blocks_decompressed"]))
    lines.append("driftscope stages: %s." % ", ".join("%s %.2f s" % (s["name"], s["seconds"]) for s in r.get("stages", [])))
    return lines


ds_names = {"floor": "`openssl dgst -sha256 A B` (the floor)", "driftscope": "`driftscope -q A B -o OUT`",
            "baseline": "baseline driftscope: %s" % baseline, "driftscope-j1": "`driftscope --jobs 1`",
            "sqfsdiff": "`sqfsdiff --old A.squashfs --new B.squashfs`",
            "unsquashfs-lln": "`unsquashfs -lln` of both + `diff`",
            "unsquashfs-d": "`unsquashfs -d DIR` of both images",
            "diffoscope": "`diffoscope --max-container-depth 2` (limit %s s, %d GiB)" % (dlimit, int(dmem) // 1024 // 1024)}


def table(section, order):
    floor = rows.get((section, "floor"), {}).get("wall")
    lines = ["| tool | wall (s) | s per GB | peak RSS (MiB) | exit | runs | wall / floor |", "|---|---|---|---|---|---|---|"]
    for name in order:
        r = rows.get((section, name))
        if r is None:
            continue
        gb = sum(r["sizes"]) / 1e9 / 2
        label = ds_names.get(name, name)
        note = ""
        if name == "diffoscope" and r["status"] in (124, 137):
            note = " (stopped by the time limit)"
        kept_note = " (kept)" if "%s/%s" % (section, name) in kept.split() else ""
        lines.append("| %s%s | %.2f | %.2f | %.0f | %d%s | %d | %s |" % (
            label, kept_note, r["wall"], r["wall"] / gb if gb else 0, mib(r["rss"]), r["status"], note, r["runs"],
            "%.2f" % (r["wall"] / floor) if floor else ""))
    return lines


def verdict(ok):
    return "**met**" if ok else "**missed**"


def sizes_text(section, name="floor"):
    r = rows.get((section, name)) or next((v for (s, n), v in rows.items() if s == section), None)
    if r is None:
        return "?"
    return "A %s bytes, B %s bytes" % tuple("{:,}".format(x).replace(",", " ") for x in r["sizes"][:2])


doc = ["# Benchmark results", ""]
doc.append("Written by `bench/run.sh%s` on %s from commit %s. Machine: %s, %d cores, %d GiB RAM, %s; "
           "SHA-256: %s. Every image was read once before the runs, so the page cache held both inputs for every tool." % (
               " --live" if "live" in sections.split() else "", datetime.date.today().isoformat(),
               git("rev-parse", "--short", "HEAD") or "?", cpu(), os.cpu_count(),
               int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024, platform.platform(),
               "SHA extensions (sha_ni)" if "sha_ni" in open("/proc/cpuinfo").read() else "no SHA extensions"))
doc.append("")
doc.append("Paired rows (the floor, driftscope%s; in the worst case driftscope, sqfsdiff and `unsquashfs -d`) are the "
           "median wall time of %s runs taken in turn, and the largest peak RSS of them (/usr/bin/time -v); "
           "rows with 1 run were run once. Tools: %s; %s; %s." % (
               " and the baseline" if baseline else "", runs, version("openssl version"),
               version("dpkg-query -W -f='squashfs-tools ${Version}' squashfs-tools"),
               version("dpkg-query -W -f='squashfs-tools-ng ${Version}' squashfs-tools-ng")))
if kept.strip():
    doc.append("")
    doc.append("Rows kept from an earlier run on the same images (BENCH_REUSE=1), not measured again: %s." % ", ".join(kept.split()))
targets = []

if "live" in sections.split():
    doc += ["", "## The live-build pair", ""]
    doc.append("`bench/make-live.sh`: two `lb build`s (live-build %s) of one configuration, one after the other in one "
               "build directory, SOURCE_DATE_EPOCH fixed: Debian bookworm, xz squashfs, iso-hybrid with GRUB EFI and "
               "syslinux, the package list in the script. %s." % (
                   version("dpkg-query -W -f='${Version}' live-build"), sizes_text("live")))
    doc.append("")
    doc += table("live", ["floor", "driftscope", "baseline", "driftscope-j1", "sqfsdiff", "unsquashfs-lln"])
    doc.append("")
    doc += found("live")
    f, d = rows.get(("live", "floor")), rows.get(("live", "driftscope"))
    if f and d:
        targets.append("live-build pair: wall at most 1.5x the floor: %s (%.2fx); peak RSS at most 64 MiB: %s (%.1f MiB)" % (
            verdict(d["wall"] <= 1.5 * f["wall"]), d["wall"] / f["wall"], verdict(d["rss"] <= 64 * 1024), mib(d["rss"])))

main = "generated" if "generated" in sections.split() else "given"
doc += ["", "## The generated pair" if main == "generated" else "## The given pair", ""]
if main == "generated":
    doc.append("`bench/make-pair.sh`: rootfs trees of `bench/make-tree.py` (82 343 files, 3.3 GB; B differs in 5 "
               "files), xz squashfs, an ISO with the squashfs, vmlinuz and initrd.img as live-build lays them out. %s." % sizes_text(main))
else:
    doc.append(sizes_text(main) + ".")
doc.append("")
doc += table(main, ["floor", "driftscope", "baseline", "driftscope-j1", "sqfsdiff", "unsquashfs-lln", "diffoscope"])
doc.append("")
doc += found(main)
f, d = rows.get((main, "floor")), rows.get((main, "driftscope"))
if f and d and main == "generated":
    targets.append("1 GB generated pair: wall at most 1.3x the floor: %s (%.2fx)" % (verdict(d["wall"] <= 1.3 * f["wall"]), d["wall"] / f["wall"]))
    s = rows.get((main, "sqfsdiff"))
    if s:
        targets.append("(issue 3) at least 10x faster than sqfsdiff: %s (%.1fx)" % (verdict(s["wall"] >= 10 * d["wall"]), s["wall"] / d["wall"]))

if "growth" in sections.split():
    doc += ["", "## Cost growth", ""]
    doc.append("The generated pair at three sizes (trees of 200, 850 and 3300 MiB; the largest is the pair above, "
               "measured again here in its own paired runs).")
    doc.append("")
    doc.append("| pair | ISO size (MB) | floor (s) | driftscope (s) | driftscope s per GB | wall / floor | peak RSS (MiB) |")
    doc.append("|---|---|---|---|---|---|---|")
    rss = []
    for name in ("growth-100m", "growth-300m", "gen-main"):
        f, d = rows.get(("growth", "floor-" + name)), rows.get(("growth", "driftscope-" + name))
        if not f or not d:
            continue
        gb = sum(d["sizes"]) / 2 / 1e9
        rss.append(d["rss"])
        doc.append("| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f |" % (
            name, gb * 1000, f["wall"], d["wall"], d["wall"] / gb, d["wall"] / f["wall"], mib(d["rss"])))
    if rss:
        targets.append("peak RSS flat within 10%% from the 100 MB to the 1 GB pair: %s (%.1f to %.1f MiB, %+.0f%%)" % (
            verdict(max(rss) <= 1.10 * min(rss)), mib(rss[0]), mib(rss[-1]), 100 * (rss[-1] / rss[0] - 1)))

WORST_WHY = {
    "block": "the files are cut into other blocks, so their stored bytes differ while no file's content does",
    "filter": "no file's content differs; the tree's binaries are x86-like code (make-tree.py --code) and "
              "mksquashfs keeps the filter on each block where it compresses smaller, which is nearly every "
              "block of those, so their stored bytes differ while the small text files' fragments may not",
}


def stored_differ_text(section):
    """How many files' stored bytes differ, from driftscope's own report of the section."""
    sq = report(section).get("squashfs", [])
    if not sq:
        return ""
    total, settled = sq[0]["files_compared"], sq[0]["settled_without_decompression"]
    return " (here %d of %d files' stored bytes differ%s)" % (
        total - settled, total, "" if total - settled == total else ": not a case of every block differing")


for variant, what in (("block", "B packed with `-b 256K` (A: the default 128 KiB)"),
                      ("filter", "B packed with `-Xbcj x86` (A: no filter)")):
    section = "worst-" + variant
    if section not in sections.split():
        continue
    doc += ["", "## The worst case: %s" % what, ""]
    doc.append("The same tree (make-tree.py, 330 MiB, 8 343 files) on both sides: %s%s. %s." % (
        WORST_WHY[variant], stored_differ_text(section), sizes_text(section, "driftscope")))
    doc.append("")
    lines = ["| tool | wall (s) | peak RSS (MiB) | exit | runs | wall / driftscope |", "|---|---|---|---|---|---|"]
    d = rows.get((section, "driftscope"))
    for name in ("driftscope", "sqfsdiff", "unsquashfs-d"):
        r = rows.get((section, name))
        if r:
            lines.append("| %s | %.2f | %.0f | %d | %d | %.2f |" % (ds_names[name], r["wall"], mib(r["rss"]), r["status"],
                                                                r["runs"], r["wall"] / d["wall"] if d else 0))
    doc += lines
    doc.append("")
    doc += found(section)
    s, u = rows.get((section, "sqfsdiff")), rows.get((section, "unsquashfs-d"))
    if d and s and u:
        targets.append("worst case (%s): faster than sqfsdiff: %s (%.2f s against %.2f s); within 1.2x of `unsquashfs -d` "
                       "of both: %s (%.2fx)" % (variant, verdict(d["wall"] < s["wall"]), d["wall"], s["wall"],
                                                verdict(d["wall"] <= 1.2 * u["wall"]), d["wall"] / u["wall"]))

if targets:
    doc += ["", "## Targets (issue 15)", ""]
    doc += ["- " + t for t in targets]

old = open(out).read() if os.path.exists(out) else ""
keep = old.find("## imagegate telemetry")
text = "\n".join(doc) + "\n"
if keep >= 0:
    text += "\n" + old[keep:]
open(out, "w").write(text)
print(text)
