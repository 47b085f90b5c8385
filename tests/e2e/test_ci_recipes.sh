#!/usr/bin/env bash
# The CI recipes (issue 12): ci/gitlab-ci.yml and ci/github-actions.yml run the gate's steps
# (build twice, ci/gate.sh A B OUTDIR, keep OUTDIR as the artifact). This test reads the steps
# out of both recipes and runs exactly them, in order, as each CI would, with a stand-in for the
# project's ./build-image.sh that leaves a fixture ISO in its directory: two different ISOs
# fail the job (exit 1) with the reports present; one ISO built twice passes (exit 0).
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image disk-info-bytes 1700000000 iso-file-bytes)
# The install step of each recipe (apt-get install ./driftscope_*.deb) is stood in for by
# driftscope on PATH; test_deb_package.sh checks the package it installs.
mkdir -p "$OUT_ROOT/bin"
ln -sf "$DRIFTSCOPE" "$OUT_ROOT/bin/driftscope"

# steps RECIPE DIR: writes DIR/env (the recipe's variables) and DIR/step-N.sh, one per step the
# CI runs after installing driftscope; prints what it checked of the recipe's shape.
steps() {
    "$PY" - "$1" "$2" <<'PYEOF'
import os, shlex, sys, yaml
recipe, out = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(recipe))
if "jobs" in doc:  # GitHub Actions: each `run` is one step, run with bash -eo pipefail
    job = doc["jobs"]["reproducibility"]
    env = job.get("env", {})
    install = [s for s in job["steps"] if s.get("name") == "Install driftscope"]
    assert len(install) == 1 and "./driftscope_*.deb" in install[0]["run"], "no install step"
    steps = [s["run"] for s in job["steps"] if "run" in s and s not in install]
    upload = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload and upload[0].get("if") == "always()" and upload[0]["with"]["path"] == "drift/", "artifact"
else:  # GitLab CI: the script lines run in one shell, the job stops at the first failing one
    job = doc["reproducibility"]
    env = job.get("variables", {})
    assert any("./driftscope_*.deb" in line for line in job["before_script"]), "no install step"
    steps = ["\n".join(job["script"])]
    assert job["artifacts"]["when"] == "always" and "drift/" in job["artifacts"]["paths"], "artifact"
with open(os.path.join(out, "env"), "w") as f:
    for k, v in env.items():
        f.write("export %s=%s\n" % (k, shlex.quote(str(v))))
for i, s in enumerate(steps):
    with open(os.path.join(out, "step-%d.sh" % i), "w") as f:
        f.write(s + "\n")
print("%d steps" % len(steps))
PYEOF
}

# run_recipe RECIPE NAME IMAGE1 IMAGE2: runs the recipe's steps in a fresh checkout-like
# directory (ci/gate.sh copied from this tree); sets $status and $job (that directory).
run_recipe() {
    local recipe=$1 name=$2
    job=$OUT_ROOT/$name
    mkdir -p "$job/ci" "$job/.steps"
    cp "$DS_SOURCE_DIR/ci/gate.sh" "$job/ci/gate.sh"
    printf '%s\n' "$3" "$4" >"$job/.images"
    cat >"$job/build-image.sh" <<'SHEOF'
#!/bin/sh
# stand-in for the project's build: the next fixture ISO of .images, as $1/$IMAGE_NAME
set -e
n=$(($(cat .built 2>/dev/null || echo 0) + 1))
echo "$n" >.built
mkdir -p "$1"
cp "$(sed -n "${n}p" .images)" "$1/$IMAGE_NAME"
SHEOF
    chmod +x "$job/build-image.sh"
    if ! steps "$DS_SOURCE_DIR/ci/$recipe" "$job/.steps" >"$job.shape" 2>&1; then
        not_ok "$recipe: its steps could not be read: $(tail -n 1 "$job.shape")"
        status=99
        return
    fi
    set +e
    (
        cd "$job" || exit 98
        source .steps/env
        export PATH=$OUT_ROOT/bin:$PATH
        for step in .steps/step-*.sh; do
            bash -eo pipefail "$step" || exit
        done
    ) >"$job.log" 2>&1
    status=$?
    set -e
}

for recipe in gitlab-ci.yml github-actions.yml; do
    name=${recipe%.yml}
    run_recipe "$recipe" "$name-different" "$a" "$b"
    check "$recipe: two different builds fail the job (exit 1, got $status)" test "$status" = 1
    check "$recipe: the job log gives the verdict" grep -q 'Verdict: DIFFERENT' "$job.log"
    for f in report.json checklist.md report.html; do
        check "$recipe: the artifact drift/$f is present" test -s "$job/drift/$f"
    done
    validate "$job/drift"
    assert_q "$job/drift" '["/.disk/info"] in [d["location"] for d in r["differences"]]'
    check "$recipe: the gate ran on the two builds" bash -c "cmp -s '$job/build1/live-image-amd64.hybrid.iso' '$a' && cmp -s '$job/build2/live-image-amd64.hybrid.iso' '$b'"

    run_recipe "$recipe" "$name-same" "$a" "$a"
    check "$recipe: one image built twice passes the job (exit 0, got $status)" test "$status" = 0
    check "$recipe: the artifact is present when the job passes too" test -s "$job/drift/report.json"
    assert_q "$job/drift" 'r["identical"] is True'
done

# Trouble fails the job too (exit 2), and the accept list is passed through.
set +e
(cd "$OUT_ROOT" && PATH=$OUT_ROOT/bin:$PATH bash "$DS_SOURCE_DIR/ci/gate.sh" "$OUT_ROOT/no-such.iso" "$a" "$OUT_ROOT/trouble") >"$OUT_ROOT/trouble.log" 2>&1
status=$?
set -e
check "gate: an input missing is trouble (exit 2, got $status)" test "$status" = 2
check "gate: trouble is said" grep -q 'could not finish' "$OUT_ROOT/trouble.log"
printf '/.disk/info -- the test accepts this one difference\n' >"$OUT_ROOT/accepted.txt"
set +e
(cd "$OUT_ROOT" && PATH=$OUT_ROOT/bin:$PATH DRIFTSCOPE_ACCEPT=$OUT_ROOT/accepted.txt bash "$DS_SOURCE_DIR/ci/gate.sh" "$a" "$b" "$OUT_ROOT/accepted") >"$OUT_ROOT/accepted.log" 2>&1
status=$?
set -e
check "gate: DRIFTSCOPE_ACCEPT passes the accept list (exit 0 with /.disk/info accepted, got $status)" test "$status" = 0
set +e
bash "$DS_SOURCE_DIR/ci/gate.sh" "$a" "$b" >/dev/null 2>"$OUT_ROOT/usage.log"
status=$?
set -e
check "gate: two arguments are a usage error (exit 2, got $status)" test "$status" = 2
check "gate: the usage is said" grep -q '^usage: ci/gate.sh A B OUTDIR' "$OUT_ROOT/usage.log"
finish
