#!/usr/bin/env bash
# The reproducibility gate both CI recipes call (ci/gitlab-ci.yml, ci/github-actions.yml):
#   ci/gate.sh A B OUTDIR
# compares two builds of the same image with driftscope, leaves report.json, checklist.md and
# report.html in OUTDIR (the job keeps it as its artifact, pass or fail) and exits as driftscope
# does: 0 identical (or every difference accepted), 1 different, 2 trouble; 1 and 2 fail the job.
# Environment: DRIFTSCOPE (default: driftscope on PATH); DRIFTSCOPE_ACCEPT, a file of accepted
# differences (--accept), used when it is set.
set -uo pipefail
if (($# != 3)); then
    echo "usage: ci/gate.sh A B OUTDIR" >&2
    exit 2
fi
a=$1 b=$2 out=$3
driftscope=${DRIFTSCOPE:-driftscope}
args=(--quiet)
if [[ -n ${DRIFTSCOPE_ACCEPT:-} ]]; then
    args+=(--accept "$DRIFTSCOPE_ACCEPT")
fi
"$driftscope" "${args[@]}" "$a" "$b" -o "$out"
status=$?
case $status in
0) echo "gate: $a and $b are identical (or every difference is accepted)" ;;
1)
    echo "gate: $a and $b differ; the answer (all of it in $out/report.html):"
    sed '/^## /,$d' "$out/checklist.md" | head -n 60
    ;;
*) echo "gate: driftscope could not finish (exit $status); what it wrote is in $out" >&2 ;;
esac
exit "$status"
