# Helpers for imagegate's end-to-end tests (sourced after lib.sh).
: "${IMAGEGATE:?set IMAGEGATE to the imagegate binary}"

# gate_image NAME [INJECT ...]: directory holding tree/, rootfs.squashfs and image.iso built by
# make-gate-image.sh (cached like image()).
gate_image() {
    local name=$1
    shift
    local dir=$IMAGES/gate-$name
    if [[ ! -s $dir/image.iso ]]; then
        (
            flock 9
            if [[ ! -s $dir/image.iso ]]; then
                rm -rf "$dir.tmp"
                "$FIXTURES/make-gate-image.sh" "$dir.tmp" "$@"
                rm -rf "$dir"
                mv "$dir.tmp" "$dir"
            fi
        ) 9>"$IMAGES/gate-$name.lock"
    fi
    printf '%s\n' "$dir"
}

# run_gate NAME GATE OUTDIR [ARGS...]: runs imagegate GATE -o OUTDIR ARGS; sets $status; stdout
# and stderr in OUTDIR.stdout / OUTDIR.stderr.
run_gate() {
    local gate=$1 out=$2
    shift 2
    set +e
    "$IMAGEGATE" "$gate" -o "$out" "$@" >"$out.stdout" 2>"$out.stderr"
    status=$?
    set -e
}

# gq OUTDIR EXPR: evaluates a Python expression over gate.json (g), items by subject (by[s], a
# list: one per kernel for kconfig rules), and prints it.
gq() {
    "$PY" - "$1/gate.json" "$2" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
by = {}
for it in g["items"]:
    by.setdefault(it["subject"], []).append(it)
def v(s): return by[s][0]["verdict"] if s in by else "absent"
def f(s): return by[s][0].get("found", "") if s in by else ""
print(eval(sys.argv[2]))
PY
}

# assert_gq OUTDIR EXPR [WHAT]: EXPR must be True.
assert_gq() {
    local got
    got=$(gq "$1" "$2" 2>&1) || true
    if [[ $got == True ]]; then ok "${3:-$2}"; else not_ok "${3:-$2} (got: ${got:0:400})"; fi
}

# validate_gate OUTDIR: gate.json must match docs/gate-schema.json.
validate_gate() {
    local out
    if out=$("$PY" -c 'import json,sys,jsonschema
s=json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s)
errs=list(jsonschema.Draft202012Validator(s).iter_errors(json.load(open(sys.argv[2]))))
[print("/".join(map(str,e.path)), e.message) for e in errs[:10]]; sys.exit(1 if errs else 0)' \
        "$DS_SOURCE_DIR/docs/gate-schema.json" "$1/gate.json" 2>&1); then
        ok "gate.json valid against docs/gate-schema.json"
    else
        not_ok "gate.json invalid: ${out:0:500}"
    fi
}

expect_status() { # WANT WHAT
    if [[ $status == "$1" ]]; then ok "$2: exit $1"; else not_ok "$2: exit $status, wanted $1"; fi
}
