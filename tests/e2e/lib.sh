# Helpers for the end-to-end tests: build real image pairs (cached per build directory), run
# driftscope, read report.json, assert. Every test sources this file and ends with `finish`.
set -euo pipefail
: "${DRIFTSCOPE:?set DRIFTSCOPE to the driftscope binary}"
: "${DS_TEST_WORK:=${TMPDIR:-/tmp}/driftscope-e2e}"
: "${DS_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FIXTURES=$DS_SOURCE_DIR/tests/fixtures
# Images are cached per version of the fixture scripts: a changed script builds anew.
IMAGES=$DS_TEST_WORK/images-$(cat "$FIXTURES"/*.sh | sha256sum | cut -c1-12)
mkdir -p "$IMAGES"
export DS_FIXTURE_CACHE=$IMAGES
# Debian's interpreter: python3-jsonschema is installed for it, not for other pythons on PATH.
PY=/usr/bin/python3
test_name=$(basename "$0" .sh)
OUT_ROOT=$DS_TEST_WORK/$test_name
rm -rf "$OUT_ROOT"
mkdir -p "$OUT_ROOT"
# DS_VALGRIND=1 (scripts/valgrind.sh): every run of driftscope goes through memcheck, and any
# error it reports makes that run exit 99.
if [[ ${DS_VALGRIND:-0} == 1 ]]; then
    real=$DRIFTSCOPE
    DRIFTSCOPE=$OUT_ROOT/driftscope-under-valgrind
    printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes "%s" "$@"\n' "$real" >"$DRIFTSCOPE"
    chmod +x "$DRIFTSCOPE"
fi
checks_passed=0
checks_failed=0

# image NAME SDE [INJECT ...]: path of a live ISO built with that SOURCE_DATE_EPOCH and
# injections, built once and reused by every test of this build directory.
image() {
    local name=$1 sde=$2
    shift 2
    local path=$IMAGES/$name.iso
    if [[ ! -s $path ]]; then
        # A lock keeps parallel tests (ctest -j) from building the same image twice.
        (
            flock 9
            [[ -s $path ]] || SOURCE_DATE_EPOCH=$sde "$FIXTURES/make-live-iso.sh" "$path.tmp" "$@"
            [[ -s $path ]] || mv "$path.tmp" "$path"
        ) 9>"$path.lock"
    fi
    printf '%s\n' "$path"
}

# run_ds A B OUTDIR [OPTIONS...]: runs driftscope; sets $status, keeps stdout/stderr in OUTDIR.*
run_ds() {
    local a=$1 b=$2 out=$3
    shift 3
    set +e
    "$DRIFTSCOPE" "$@" "$a" "$b" -o "$out" >"$out.stdout" 2>"$out.stderr"
    status=$?
    set -e
}

ok() {
    checks_passed=$((checks_passed + 1))
    printf 'ok: %s\n' "$1"
}

not_ok() {
    checks_failed=$((checks_failed + 1))
    printf 'FAILED: %s\n' "$1"
}

check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

expect_status() {
    if [[ $status == "$1" ]]; then ok "exit status $1"; else not_ok "exit status $status, expected $1"; fi
}

# jq-like query of report.json with Python: q OUTDIR 'expression over r'
q() {
    "$PY" - "$1/report.json" "$2" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
def diffs(**kw):
    out = []
    for d in r["differences"]:
        if all((d.get(k) == v) if k != "loc" else (d["location"] == v) for k, v in kw.items()):
            out.append(d)
    return out
def stage(name):
    return next(s for s in r["stages"] if s["name"] == name)
v = eval(sys.argv[2])
print(v if not isinstance(v, (dict, list)) else json.dumps(v))
PYEOF
}

# assert_q OUTDIR EXPRESSION: the Python expression over report.json must be true.
assert_q() {
    local got
    got=$(q "$1" "$2" 2>&1) || true
    if [[ $got == True ]]; then ok "$2"; else not_ok "$2 (got: ${got:0:300})"; fi
}

validate() { # the report must match ../shared/report-schema.json
    local out
    if out=$("$PY" "$DS_SOURCE_DIR/tests/e2e/validate_report.py" "$1/report.json" 2>&1); then
        ok "report.json valid against the schema"
    else
        not_ok "report.json invalid: ${out:0:500}"
    fi
}

assert_file_contains() { # FILE TEXT
    if grep -qF -- "$2" "$1"; then ok "$(basename "$1") contains '$2'"; else not_ok "$(basename "$1") lacks '$2'"; fi
}

finish() {
    printf '%s: %d passed, %d failed\n' "$test_name" "$checks_passed" "$checks_failed"
    [[ $checks_failed == 0 && $checks_passed -gt 0 ]]
}

# sqfs NAME [INJECT ...]: path of a squashfs built by make-squashfs.sh (cached like image).
sqfs() {
    local name=$1
    shift
    local path=$IMAGES/$name.squashfs
    if [[ ! -s $path ]]; then
        (
            flock 9
            [[ -s $path ]] || SOURCE_DATE_EPOCH=1700000000 "$FIXTURES/make-squashfs.sh" "$path.tmp" "$@"
            [[ -s $path ]] || mv "$path.tmp" "$path"
        ) 9>"$path.lock"
    fi
    printf '%s\n' "$path"
}

# roots OUTDIR: the root (non-secondary) differences, one "location|kind|cause" per line.
roots() {
    "$PY" - "$1/report.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
for d in r["differences"]:
    if not d.get("secondary"):
        print("%s|%s|%s" % (" :: ".join(d["location"]), d["kind"], d["cause"]))
PYEOF
}

# expect_roots OUTDIR LINE...: exactly these root differences, in any order.
expect_roots() {
    local out=$1
    shift
    local got want
    got=$(roots "$out" | sort)
    want=$(printf '%s\n' "$@" | sort)
    if [[ $got == "$want" ]]; then ok "root differences: $*"; else not_ok "root differences: got [${got//$'\n'/; }], want [${want//$'\n'/; }]"; fi
}
