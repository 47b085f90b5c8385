#!/usr/bin/env bash
# --diffoscope-json FILE: the comparison tree in diffoscope's JSON format, loaded and rendered by
# the real diffoscope (Debian's diffoscope-minimal): `diffoscope --load-existing-diff FILE`
# prints driftscope's root differences and causes, `--html` writes the page. Identical inputs give
# what diffoscope itself writes for them (--json --output-empty); the file is written also when
# a stage failed, beside the other reports or anywhere the user names, and a place it cannot be
# written fails the report stage.
source "$(dirname "$0")/lib.sh"
CHECK=$DS_SOURCE_DIR/tests/e2e/check_diffoscope_json.py
check "diffoscope is installed (scripts/setup-deps.sh: diffoscope-minimal)" command -v diffoscope

# load FILE NAME [ARGS...]: diffoscope --load-existing-diff FILE ARGS > $OUT_ROOT/NAME.txt;
# sets $load_status.
load() {
    local file=$1 name=$2
    shift 2
    set +e
    diffoscope --load-existing-diff "$file" "$@" >"$OUT_ROOT/$name.txt" 2>"$OUT_ROOT/$name.err"
    load_status=$?
    set -e
}
expect_load_status() {
    if [[ $load_status == "$1" ]]; then ok "diffoscope exit status $1"; else not_ok "diffoscope exit status $load_status, expected $1: $(head -c 300 "$OUT_ROOT/${2:-x}.err" 2>/dev/null)"; fi
}
tree_valid() { # FILE OUTDIR
    local out
    if out=$("$PY" "$CHECK" "$1" "$2/report.json" 2>&1); then ok "$(basename "$1"): diffoscope's format, every difference of report.json a node"
    else not_ok "$(basename "$1"): ${out:0:600}"; fi
}

base=$(sqfs base)
# A gzip header MTIME: the root difference nests below the file that holds it.
out=$OUT_ROOT/gzip
json=$OUT_ROOT/gzip-tree.json # outside OUTDIR
run_ds "$base" "$(sqfs gzip-mtime gzip-mtime)" "$out" --diffoscope-json "$json"
expect_status 1
validate "$out"
tree_valid "$json" "$out"
check "the magic is the first line's key" bash -c "sed -n 2p '$json' | grep -qx '  \"diffoscope-json-version\": 1,'"
check "no temporary file is left beside it" bash -c "[[ \$(ls -A '$OUT_ROOT' | grep -c '^\\.') == 0 ]]"
check "the gzip member nests as file -> @gzip.mtime" "$PY" -c "
import json, sys
t = json.load(open('$json'))
f = [n for n in t['details'] if n['source1'] == '/usr/share/doc/changelog.gz'][0]
m = [n for n in f['details'] if n['source1'] == '@gzip.mtime'][0]
sys.exit(not ('cause: gzip-mtime (certain)' in m['comments'] and 'root difference' in m['comments']
              and m['unified_diff'] is None and 'fix: gzip -n, or strip-nondeterminism' in m['comments']))"
load "$json" gzip-text
expect_load_status 1 gzip-text
assert_file_contains "$OUT_ROOT/gzip-text.txt" "├── /usr/share/doc/changelog.gz"
assert_file_contains "$OUT_ROOT/gzip-text.txt" "│ ├── @gzip.mtime"
assert_file_contains "$OUT_ROOT/gzip-text.txt" "│ │┄ cause: gzip-mtime (certain)"
assert_file_contains "$OUT_ROOT/gzip-text.txt" "│┄ root difference: /usr/share/doc/changelog.gz :: @gzip.mtime (header), cause gzip-mtime"
assert_file_contains "$OUT_ROOT/gzip-text.txt" "header: A 2023-11-14T22:13:20Z / B 2023-11-14T23:13:20Z"
load "$json" gzip-html --html "$OUT_ROOT/gzip.html"
expect_load_status 1 gzip-html
check "diffoscope wrote the HTML page" test -s "$OUT_ROOT/gzip.html"
assert_file_contains "$OUT_ROOT/gzip.html" "cause: gzip-mtime (certain)"
assert_file_contains "$OUT_ROOT/gzip.html" "@gzip.mtime"

# A text change: its excerpt is the node's unified_diff, rendered as diffoscope renders its own;
# "-" writes the tree to stdout and nothing else there.
out=$OUT_ROOT/text
run_ds "$base" "$(sqfs text text)" "$out" --diffoscope-json -
expect_status 1
json=$out.stdout
tree_valid "$json" "$out"
check "the text change's unified_diff is its line diff" "$PY" -c "
import json, sys
n = [n for n in json.load(open('$json'))['details'] if n['source1'] == '/etc/os-release'][0]
sys.exit(not n['unified_diff'].startswith('@@ -1,2 +1,2 @@\n') or '+PRETTY_NAME=\"SilverMetal OS 1.1\"\n' not in n['unified_diff'])"
load "$json" text-text
expect_load_status 1 text-text
assert_file_contains "$OUT_ROOT/text-text.txt" "├── /etc/os-release"
assert_file_contains "$OUT_ROOT/text-text.txt" '│ +PRETTY_NAME="SilverMetal OS 1.1"'
assert_file_contains "$OUT_ROOT/text-text.txt" "│┄ cause: unknown"
load "$json" text-html --html "$OUT_ROOT/text.html"
expect_load_status 1 text-html
# diffoscope's side-by-side table marks the changed characters.
assert_file_contains "$OUT_ROOT/text.html" "VERSION_ID=1.<del>0</del>"
assert_file_contains "$OUT_ROOT/text.html" "VERSION_ID=1.<ins>1</ins>"

# Layers: an ISO whose squashfs holds the change nests as ISO member -> squashfs member; several
# differences at one location are one child each, named by the kind.
out=$OUT_ROOT/iso
json=$out/tree.json # inside OUTDIR is fine too
run_ds "$(image base 1700000000)" "$(image rootfs-file 1700000000 rootfs-file)" "$out" --diffoscope-json "$json"
expect_status 1
validate "$out"
tree_valid "$json" "$out"
check "the squashfs member nests below the ISO member" "$PY" -c "
import json, sys
t = json.load(open('$json'))
s = [n for n in t['details'] if n['source1'] == '/live/filesystem.squashfs'][0]
f = [n for n in s['details'] if n['source1'] == '/etc/os-release'][0]
diffs = [f] + [n for n in f.get('details', []) if n['source1'] == 'content']
sys.exit(not any((n['unified_diff'] or '').startswith('@@ ') for n in diffs))"
load "$json" iso-text
expect_load_status 1 iso-text
assert_file_contains "$OUT_ROOT/iso-text.txt" "├── /live/filesystem.squashfs"
assert_file_contains "$OUT_ROOT/iso-text.txt" "│ ├── /etc/os-release"

# Hostile names (a newline, a byte that is not UTF-8) stay valid JSON that diffoscope loads.
for side in a b; do
    mkdir -p "$OUT_ROOT/names-$side/etc"
    printf 'value=%s\n' "$side" >"$OUT_ROOT/names-$side/etc/"$'two\nlines\xff.conf'
done
out=$OUT_ROOT/names
run_ds "$OUT_ROOT/names-a" "$OUT_ROOT/names-b" "$out" --diffoscope-json "$OUT_ROOT/names.json"
expect_status 1
tree_valid "$OUT_ROOT/names.json" "$out"
load "$OUT_ROOT/names.json" names-text
expect_load_status 1 names-text
# In comments a name is one printable line, as checklist.md writes it.
assert_file_contains "$OUT_ROOT/names-text.txt" '│┄ root difference: /etc/two\nlines\xff.conf (content), cause unknown'

# The deepest location driftscope keeps (16 elements: tars nested 18 deep) nests all the way.
for side in a b; do
    work=$OUT_ROOT/nest-work-$side
    mkdir -p "$work" "$OUT_ROOT/nest-$side"
    printf 'hello %s\n' "$side" >"$work/f"
    member=f
    for i in $(seq 1 18); do
        tar --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$work/l$i.tar" "$member"
        rm "$work/$member"
        member=l$i.tar
    done
    mv "$work/$member" "$OUT_ROOT/nest-$side/x.tar"
done
out=$OUT_ROOT/nest
run_ds "$OUT_ROOT/nest-a" "$OUT_ROOT/nest-b" "$out" --max-depth 30 --diffoscope-json "$OUT_ROOT/nest.json"
expect_status 1
assert_q "$out" 'max(len(d["location"]) for d in r["differences"]) == 16'
tree_valid "$OUT_ROOT/nest.json" "$out"
check "16 location nodes below the root" "$PY" -c "
import json, sys
def depth(n): return 1 + max([depth(c) for c in n.get('details', [])] or [0])
sys.exit(depth(json.load(open('$OUT_ROOT/nest.json'))) < 17)"
load "$OUT_ROOT/nest.json" nest-text
expect_load_status 1 nest-text
check "diffoscope draws the 16th level" grep -q '^│ │ │ │ │ │ │ │ │ │ │ │ │ │ │ ├── ' "$OUT_ROOT/nest-text.txt"

# Identical inputs: exit 0, and the very document diffoscope writes for them with
# --json --output-empty (the root alone); diffoscope loads both alike.
cp "$base" "$OUT_ROOT/copy.squashfs"
out=$OUT_ROOT/same
run_ds "$base" "$OUT_ROOT/copy.squashfs" "$out" --diffoscope-json "$OUT_ROOT/same.json"
expect_status 0
set +e
diffoscope --json "$OUT_ROOT/same-diffoscope.json" --output-empty "$base" "$OUT_ROOT/copy.squashfs" >/dev/null 2>&1
ds_status=$?
set -e
check "diffoscope itself finds the pair identical (exit $ds_status)" test "$ds_status" = 0
check "the same document as diffoscope's own" "$PY" -c "
import json, sys
mine, theirs = (json.load(open(p)) for p in sys.argv[1:])
sys.exit(mine != theirs or list(mine) != list(theirs))" "$OUT_ROOT/same.json" "$OUT_ROOT/same-diffoscope.json"
load "$OUT_ROOT/same.json" same-text
expect_load_status 1 same-text # diffoscope calls any loaded tree a difference, its own as well
load "$OUT_ROOT/same-diffoscope.json" same-theirs
check "diffoscope prints ours as it prints its own" cmp -s "$OUT_ROOT/same-text.txt" "$OUT_ROOT/same-theirs.txt"

# A stage failed: the tree is written all the same, the failure a comment on the root.
out=$OUT_ROOT/failed
run_ds "$base" "$OUT_ROOT/missing.squashfs" "$out" --diffoscope-json "$OUT_ROOT/failed.json"
expect_status 2
check "written when the hash stage failed" test -s "$OUT_ROOT/failed.json"
load "$OUT_ROOT/failed.json" failed-text
expect_load_status 1 failed-text
assert_file_contains "$OUT_ROOT/failed-text.txt" "│┄ hash stage failed: B ($OUT_ROOT/missing.squashfs): cannot open"

# A place it cannot be written: the report stage fails (exit 2), the other reports stand.
out=$OUT_ROOT/unwritable
run_ds "$base" "$(sqfs text text)" "$out" --diffoscope-json "$OUT_ROOT/no-such-dir/tree.json"
expect_status 2
validate "$out"
assert_q "$out" 'stage("report")["status"] == "failed" and "--diffoscope-json" in stage("report")["message"]'
assert_file_contains "$out.stderr" "no-such-dir/tree.json: cannot open its directory"
set +e
"$DRIFTSCOPE" "$base" "$base" -o "$OUT_ROOT/novalue" --diffoscope-json 2>"$OUT_ROOT/novalue.stderr"
status=$?
set -e
expect_status 2
assert_file_contains "$OUT_ROOT/novalue.stderr" "option '--diffoscope-json' needs a value"
finish
