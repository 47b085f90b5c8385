#!/usr/bin/env python3
"""Check a kspp rules file (docs/kspp-rules.md): exit 1 naming the line of a malformed rule or duplicate ID."""
import re, sys
ID = re.compile(r'^[A-Za-z0-9_.:-]+$')
NUM = r'(?:0x[0-9A-Fa-f]+|[0-9]+)'
TERM = [re.compile(p) for p in (
    r'^kconfig CONFIG_\w+(?:=|!=)\S+$', r'^kconfig CONFIG_\w+(?:>=|<=)' + NUM + '$',
    r'^kconfig CONFIG_\w+ is (?:not set|present)$',
    r'^cmdline [\w.-]+(?:(?:=|!=)\S+)?$', r'^cmdline [\w.-]+ is not set$',
    r'^sysctl [\w.-]+(?:=|!=).+$', r'^sysctl [\w.-]+(?:>=|<=)' + NUM + '$')]
def terms_ok(text):
    return all(any(t.match(term) for t in TERM)
               for alt in text.split(' or ') for term in alt.split(' and '))
def main(path):
    seen, bad = {}, 0
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            fields = line.split(' | ')
            why = None
            if len(fields) != 5: why = 'expected 5 fields, got %d' % len(fields)
            elif not ID.match(fields[0]): why = 'bad ID'
            elif not terms_ok(fields[1]): why = 'bad CHECK'
            elif fields[2].strip() and not terms_ok(fields[2]): why = 'bad WHEN'
            elif not fields[3].strip() or not fields[4].strip(): why = 'empty SOURCE or REASON'
            elif fields[0] in seen: why = 'duplicate ID %s (first on line %d)' % (fields[0], seen[fields[0]])
            if why:
                print('%s:%d: %s' % (path, no, why)); bad += 1
            else:
                seen[fields[0]] = no
    return 1 if bad else 0
if __name__ == '__main__':
    sys.exit(main(sys.argv[1]) if len(sys.argv) == 2 else 2)
