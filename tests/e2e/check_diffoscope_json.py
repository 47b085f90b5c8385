"""Checks a --diffoscope-json file against diffoscope's JSON format and against report.json.

usage: check_diffoscope_json.py FILE.json REPORT.json

The format (diffoscope's presenters/json.py, readers/json.py): the root's first key is
"diffoscope-json-version" with the value 1; every node has source1 and source2 (strings) and
unified_diff (a string or null), may have comments (strings) and details (nodes), and nothing
else; only the root has the magic. driftscope's own rules: every node but an identical root has
a unified_diff, comments or details; the root's sources are the inputs; and every difference of
report.json is one node, reached from the root through its location (one node per element, a
node named by the kind below it when several differences share a location), with its kind and
cause in the comments. Prints each problem; exits 1 when there is one."""
import collections
import json
import sys

MAGIC = "diffoscope-json-version"
KEYS = {"source1", "source2", "unified_diff", "comments", "details", "has_internal_linenos"}
problems = []


def check_node(node, where, is_root):
    keys = list(node.keys())
    allowed = KEYS | ({MAGIC} if is_root else set())
    for k in keys:
        if k not in allowed:
            problems.append("%s: key %r is not diffoscope's" % (where, k))
    for k in ("source1", "source2"):
        if not isinstance(node.get(k), str):
            problems.append("%s: %s is not a string" % (where, k))
    if "unified_diff" not in node or not (node["unified_diff"] is None or isinstance(node["unified_diff"], str)):
        problems.append("%s: unified_diff missing or neither string nor null" % where)
    comments = node.get("comments", [])
    if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
        problems.append("%s: comments is not a list of strings" % where)
    details = node.get("details", [])
    if not isinstance(details, list) or ("details" in node and not details):
        problems.append("%s: details is not a non-empty list" % where)
    if not is_root and not (node.get("unified_diff") or comments or details):
        problems.append("%s: a node with neither unified_diff, comments nor details" % where)
    for i, child in enumerate(details if isinstance(details, list) else []):
        check_node(child, "%s/%s" % (where, child.get("source1", i)), False)


def leaves(node, path, out):
    """Every node with comments of its own (a difference), by its path below the root."""
    if node.get("comments"):
        out.append((path, node))
    for child in node.get("details", []):
        leaves(child, path + [child["source1"]], out)


tree = json.load(open(sys.argv[1]), object_pairs_hook=collections.OrderedDict)
report = json.load(open(sys.argv[2]))
if list(tree.keys())[:1] != [MAGIC] or tree.get(MAGIC) != 1:
    problems.append("the root does not start with %s: 1" % MAGIC)
check_node(tree, "root", True)
if [tree.get("source1"), tree.get("source2")] != [report["inputs"][s]["path"] for s in ("a", "b")]:
    problems.append("root sources %r are not the inputs" % [tree.get("source1"), tree.get("source2")])
found = []
for child in tree.get("details", []):
    leaves(child, [child["source1"]], found)
wanted = collections.Counter()
for d in report["differences"]:
    wanted[(tuple(d["location"]), d["kind"], d["cause"])] += 1
got = collections.Counter()
for path, node in found:
    comments = node["comments"]
    kind = comments[0].split(":", 1)[0]
    cause = next((c[len("cause: "):].split(" (")[0] for c in comments if c.startswith("cause: ")), None)
    location = tuple(path[:-1]) if path[-1] == kind and len(path) > 1 and (
        tuple(path[:-1]), kind, cause) in wanted and (tuple(path), kind, cause) not in wanted else tuple(path)
    got[(location, kind, cause)] += 1
for key in sorted(set(wanted) | set(got)):
    if wanted[key] != got[key]:
        problems.append("difference %r: %d in report.json, %d in the tree" % (key, wanted[key], got[key]))
for p in problems[:30]:
    print(p)
sys.exit(1 if problems else 0)
