#!/usr/bin/env bash
# docs/causes.md lists every row of ../shared/CAUSES.md table 1 with the cause driftscope reports
# it with, its rule, its test and its notes tag: every row is there, every cause named is in the
# catalogue, every test named exists and asserts that cause, every notes tag is a real issue type.
source "$(dirname "$0")/lib.sh"
"$DRIFTSCOPE" --list-causes >"$OUT_ROOT/causes"
shared=$DS_SOURCE_DIR/../shared
check "every row of the inventory is consistent" "$PY" - "$OUT_ROOT/causes" "$DS_SOURCE_DIR/tests/e2e" "$shared" <<'PYEOF'
import os, re, sys
listing, tests, shared = sys.argv[1:4]
text = open(listing).read()
catalogue, rows = {}, []
part = 0
for line in text.splitlines():
    if line.startswith("| cause |"):
        part = 1
        continue
    if line.startswith("| table |"):
        part = 2
        continue
    if not line.startswith("| ") or line.startswith("|---"):
        continue
    cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    if part == 1:
        catalogue[cells[0]] = cells
    elif part == 2:
        rows.append(cells)
bad = []
for section, row, cause, rule, test, tag in rows:
    if "not checked yet" in rule or not rule:
        bad.append(f"{section} {row}: no rule and no reason")
    if cause == "(not checked)":
        if not rule or test:
            bad.append(f"{section} {row}: a row not checked needs the reason and no test")
        continue
    if cause not in catalogue:
        bad.append(f"{section} {row}: cause {cause} is not in the catalogue")
    if not test:
        bad.append(f"{section} {row}: cause {cause} but no test asserts it")
    else:
        path = os.path.join(tests, test)
        if not os.path.isfile(path):
            bad.append(f"{section} {row}: test {test} does not exist")
        elif cause not in open(path).read():
            bad.append(f"{section} {row}: test {test} does not assert {cause}")
    if tag != catalogue.get(cause, [""] * 5)[4]:
        bad.append(f"{section} {row}: notes tag {tag} is not the catalogue's")
yml = os.path.join(shared, "data/reproducible-notes-issues.yml")
if os.path.isfile(yml):
    issues = set(re.findall(r"^([a-z0-9_]+):", open(yml).read(), re.M))
    for cause, cells in catalogue.items():
        if cells[4] and cells[4] not in issues:
            bad.append(f"cause {cause}: notes tag {cells[4]} is not an issue type of the notes")
md = os.path.join(shared, "CAUSES.md")
if os.path.isfile(md):
    want, section = [], None
    for line in open(md):
        m = re.match(r"^### (1[a-g])", line)
        if m:
            section = m.group(1)
        elif line.startswith("## 2."):
            break
        elif section and line.startswith("| ") and not line.startswith("| cause"):
            want.append((section, line.split("|")[1].strip()))
    have = {(r[0], r[1]) for r in rows}
    for w in want:
        if w not in have:
            bad.append(f"CAUSES.md row {w[0]} '{w[1]}' is not in the inventory")
    if len(want) < 70:
        bad.append(f"only {len(want)} rows read from CAUSES.md")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF
finish
