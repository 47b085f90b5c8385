"""check_schema_extension.py CONTRACT EXTENDED: exit 0 when EXTENDED is a compatible extension
of CONTRACT: every keyword of the contract is there with the same value, except that objects
under "properties" (and "$defs") may name more properties and a "description" may be reworded.
Any report valid against EXTENDED is then valid against CONTRACT. Prints each incompatibility."""
import json
import sys

OPEN_MAPS = {"properties", "$defs", "definitions", "patternProperties"}
problems = []


def walk(contract, extended, path, open_map=False):
    if isinstance(contract, dict):
        if not isinstance(extended, dict):
            problems.append("%s: an object in the contract, %r here" % (path, type(extended).__name__))
            return
        for key, value in contract.items():
            if key not in extended:
                problems.append("%s/%s: missing" % (path, key))
            elif key == "description" and not open_map:
                continue
            else:
                walk(value, extended[key], "%s/%s" % (path, key), key in OPEN_MAPS and not open_map)
        if not open_map:
            for key in extended:
                if key not in contract and key not in ("description", "examples"):
                    problems.append("%s/%s: a keyword the contract does not have" % (path, key))
    elif contract != extended:
        problems.append("%s: %r in the contract, %r here" % (path, contract, extended))


contract = json.load(open(sys.argv[1]))
extended = json.load(open(sys.argv[2]))
walk(contract, extended, "")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
