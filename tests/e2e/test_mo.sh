#!/usr/bin/env bash
# GNU gettext catalogs (.mo) made by msgfmt from .po texts this test writes: two runs give the
# same bytes; then one pair per injected difference (PO-Revision-Date, Project-Id-Version, one
# translation, one message added, the byte order), each checked with msgunfmt first.
# msgfmt (0.20 and later) leaves POT-Creation-Date out of the .mo it writes, so the
# POT-Creation-Date pair is written by polib (python3-polib), which keeps the whole header, as
# older msgfmt did. Then a catalog cut short.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"
# po FILE [KEY=VALUE ...]: a German catalog; keys pot, rev, version, hello, extra (a msgid).
po() {
    local out=$1 pot="2023-11-14 10:00+0000" rev="2023-11-14 12:00+0000" version="demo 1.0" hello="Hallo, Welt" extra=""
    shift
    local kv
    for kv in "$@"; do
        case $kv in
        pot=*) pot=${kv#pot=} ;; rev=*) rev=${kv#rev=} ;; version=*) version=${kv#version=} ;;
        hello=*) hello=${kv#hello=} ;; extra=*) extra=${kv#extra=} ;;
        esac
    done
    cat >"$out" <<EOF
msgid ""
msgstr ""
"Project-Id-Version: $version\n"
"Report-Msgid-Bugs-To: \n"
"POT-Creation-Date: $pot\n"
"PO-Revision-Date: $rev\n"
"Last-Translator: A Translator <a@example.org>\n"
"Language-Team: German\n"
"Language: de\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Hello, world"
msgstr "$hello"

msgid "Goodbye"
msgstr "Auf Wiedersehen"

msgctxt "menu"
msgid "File"
msgstr "Datei"

msgid "one file"
msgid_plural "%d files"
msgstr[0] "eine Datei"
msgstr[1] "%d Dateien"
EOF
    if [[ -n $extra ]]; then printf '\nmsgid "%s"\nmsgstr "Danke"\n' "$extra" >>"$out"; fi
}
# mo NAME PO [msgfmt options]: $d/NAME/x.mo made by msgfmt.
mo() {
    mkdir -p "$d/$1"
    msgfmt "${@:3}" -o "$d/$1/x.mo" "$2"
    touch -d @1700000000 "$d/$1/x.mo" "$d/$1"
}
un() { msgunfmt "$1" 2>&1; }
# has_line MO TEXT: msgunfmt shows the header line TEXT.
has_line() { un "$1" | grep -qF "\"$2\\n\""; }
po "$d/a.po"
mo a "$d/a.po"

mo same "$d/a.po"
check "msgfmt twice: the same bytes (cmp)" cmp -s "$d/a/x.mo" "$d/same/x.mo"
out=$OUT_ROOT/identical
run_ds "$d/a" "$d/same" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["identical"] is True'

# expect_header NAME FIELD A B CAUSE: the pair a/NAME differs in the header line FIELD alone.
expect_header() {
    local name=$1 field=$2 va=$3 vb=$4 cause=$5 out=$OUT_ROOT/$1
    check "msgunfmt: $field '$va'" has_line "$d/a/x.mo" "$field: $va"
    check "msgunfmt: $field '$vb'" has_line "$d/$name/x.mo" "$field: $vb"
    check "msgunfmt: nothing else differs" \
        cmp -s <(un "$d/a/x.mo" | grep -v "^\"$field: ") <(un "$d/$name/x.mo" | grep -v "^\"$field: ")
    run_ds "$d/a" "$d/$name" "$out"
    expect_status 1
    validate "$out"
    expect_roots "$out" "/x.mo :: @mo.header.$field|header|$cause"
    assert_q "$out" '[(d["a"], d["b"]) for d in diffs(loc=["/x.mo", "@mo.header.'"$field"'"])] == [("'"$va"'", "'"$vb"'")]'
    assert_q "$out" 'diffs(loc=["/x.mo"], kind="content")[0]["secondary"] is True'
}
po "$d/rev.po" rev="2023-11-15 12:00+0000"
mo rev "$d/rev.po"
expect_header rev PO-Revision-Date "2023-11-14 12:00+0000" "2023-11-15 12:00+0000" embedded-timestamp
po "$d/version.po" version="demo 1.1"
mo version "$d/version.po"
expect_header version Project-Id-Version "demo 1.0" "demo 1.1" package-version

# POT-Creation-Date: msgfmt drops it; polib writes it.
check "msgfmt leaves POT-Creation-Date out" bash -c "! msgunfmt '$d/a/x.mo' | grep -q POT-Creation-Date"
polib_mo() {
    mkdir -p "$d/$1"
    "$PY" -c 'import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' "$2" "$d/$1/x.mo"
    touch -d @1700000000 "$d/$1/x.mo" "$d/$1"
}
po "$d/pot.po" pot="2023-11-15 10:00+0000"
polib_mo polib-a "$d/a.po"
polib_mo polib-b "$d/pot.po"
check "polib: POT-Creation-Date kept (msgunfmt)" has_line "$d/polib-a/x.mo" "POT-Creation-Date: 2023-11-14 10:00+0000"
check "polib: the other catalog's POT-Creation-Date (msgunfmt)" has_line "$d/polib-b/x.mo" "POT-Creation-Date: 2023-11-15 10:00+0000"
check "polib: nothing else differs (msgunfmt)" \
    cmp -s <(un "$d/polib-a/x.mo" | grep -v '^"POT-Creation-Date: ') <(un "$d/polib-b/x.mo" | grep -v '^"POT-Creation-Date: ')
out=$OUT_ROOT/pot
run_ds "$d/polib-a" "$d/polib-b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/x.mo :: @mo.header.POT-Creation-Date|header|embedded-timestamp"
assert_q "$out" '[(d["a"], d["b"]) for d in diffs(loc=["/x.mo", "@mo.header.POT-Creation-Date"])] == [("2023-11-14 10:00+0000", "2023-11-15 10:00+0000")]'

# One translation (the same length): reported at its msgid.
po "$d/hello.po" hello="Hallo, Erde"
mo hello "$d/hello.po"
check "msgunfmt: the translation of 'Hello, world' differs, nothing else" \
    bash -c "diff <(msgunfmt '$d/a/x.mo') <(msgunfmt '$d/hello/x.mo') | grep -c '^[<>]' | grep -qx 2 && msgunfmt '$d/hello/x.mo' | grep -qF 'msgstr \"Hallo, Erde\"'"
out=$OUT_ROOT/hello
run_ds "$d/a" "$d/hello" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/x.mo :: @mo.message.Hello, world|header|unknown"
assert_q "$out" 'diffs(loc=["/x.mo"], kind="content")[0]["secondary"] is True'

# One message added: the count differs (the offsets that follow are secondary), the new msgid
# is named (a section only B has: added); the catalog's sizes differ, so its own difference
# cannot be shown covered and stays a root.
po "$d/extra.po" extra="Thanks"
mo extra "$d/extra.po"
check "msgunfmt: one message more, 'Thanks'" \
    bash -c "diff <(msgunfmt '$d/a/x.mo') <(msgunfmt '$d/extra/x.mo') | grep -q '^> msgid \"Thanks\"'"
out=$OUT_ROOT/extra
run_ds "$d/a" "$d/extra" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/x.mo :: @mo.count|header|unknown" "/x.mo :: @mo.message.Thanks|added|unknown" "/x.mo|content|unknown"
assert_q "$out" '"a" not in diffs(loc=["/x.mo", "@mo.message.Thanks"])[0] and diffs(loc=["/x.mo", "@mo.message.Thanks"])[0]["b"] == "5 bytes"'
assert_q "$out" '[(d["a"], d["b"]) for d in diffs(loc=["/x.mo", "@mo.count"])] == [("5", "6")]'
assert_q "$out" 'len(diffs(loc=["/x.mo", "@mo.translations_offset"], secondary=True)) == 1'

# The other byte order (msgfmt --endianness=big): the same catalog for msgunfmt.
mo big "$d/a.po" --endianness=big
check "msgunfmt: the same catalog in both byte orders" cmp -s <(un "$d/a/x.mo") <(un "$d/big/x.mo")
check "the first bytes: de 12 04 95 and 95 04 12 de" \
    test "$(head -c4 "$d/a/x.mo" | od -An -tx1 | tr -d ' ') $(head -c4 "$d/big/x.mo" | od -An -tx1 | tr -d ' ')" = "de120495 950412de"
out=$OUT_ROOT/big
run_ds "$d/a" "$d/big" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/x.mo :: @mo.magic|header|unknown" "/x.mo|content|unknown"

# Cut short: the strings past byte 150 are gone.
mkdir -p "$d/cut"
head -c 150 "$d/a/x.mo" >"$d/cut/x.mo"
touch -d @1700000000 "$d/cut/x.mo" "$d/cut"
check "msgunfmt refuses the cut catalog" bash -c "! msgunfmt '$d/cut/x.mo' >/dev/null 2>&1"
out=$OUT_ROOT/cut
run_ds "$d/a" "$d/cut" "$out"
expect_status 2 # a damaged layer inside: trouble
validate "$out"
expect_roots "$out" "/x.mo|content|unknown"
assert_q "$out" 'any("mo: " in l and "run past the end of the file" in l and "/x.mo" in l for l in r["limits"])'
finish
