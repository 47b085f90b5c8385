#!/usr/bin/env bash
# RPM packages built with rpmbuild from a spec this test writes (noarch, files copied from a
# directory, the build host and time pinned, mtimes clamped to SOURCE_DATE_EPOCH): two builds
# are byte-identical; then one pair per injected difference (BUILDTIME, BUILDHOST, a file's
# bytes in the payload, a file's mtime, the same with a zstd payload), each checked with rpm
# -qp --qf and rpm2cpio | cpio first; then a package cut short.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"
builds=0
# tree NAME: a copy of the package's files at $d/tree-NAME (every time before any
# SOURCE_DATE_EPOCH, so that none is clamped).
tree() {
    local root=$d/tree-$1
    mkdir -p "$root/usr/share/demo"
    printf 'hello\n' >"$root/usr/share/demo/a.txt"
    printf 'world\n' >"$root/usr/share/demo/b.txt"
    find "$root" -exec touch -h -d @1690000000 {} +
    printf '%s\n' "$root"
}
# mkrpm OUT ROOT SDE HOST [PAYLOAD]: demo-1.0-1.noarch.rpm from the files under ROOT, as OUT.
mkrpm() {
    local out=$1 root=$2 sde=$3 host=$4 payload=${5:-w9.gzdio}
    builds=$((builds + 1))
    local top=$d/top$builds
    mkdir -p "$top" "$(dirname "$out")"
    cat >"$top/demo.spec" <<EOF
Name: demo
Version: 1.0
Release: 1
Summary: driftscope test package
License: MIT
BuildArch: noarch
%define _buildhost $host
%define use_source_date_epoch_as_buildtime 1
%define clamp_mtime_to_source_date_epoch 1
%global _binary_payload $payload
%description
A package built twice.
%install
mkdir -p %{buildroot}
cp -a $root/. %{buildroot}/
%files
/usr/share/demo
EOF
    SOURCE_DATE_EPOCH=$sde rpmbuild -bb --quiet --define "_topdir $top" --define "_tmppath $top/tmp" \
        "$top/demo.spec" >"$top/log" 2>&1 || { cat "$top/log"; return 1; }
    cp "$top/RPMS/noarch/demo-1.0-1.noarch.rpm" "$out"
    touch -d @1700000000 "$out" "$(dirname "$out")"
}
qf() { rpm -qp --qf "$2" "$1" 2>/dev/null; }
# payload RPM DIR: the payload's members extracted (times kept) into DIR.
payload() { mkdir -p "$2" && rpm2cpio "$1" | (cd "$2" && cpio -idm --quiet); }
base=$(tree base)
mkrpm "$d/a/demo.rpm" "$base" 1700000000 builder.example

# The same spec, files and time twice: the same bytes, and nothing to report.
mkrpm "$d/same/demo.rpm" "$base" 1700000000 builder.example
check "two builds are byte-identical (cmp)" cmp -s "$d/a/demo.rpm" "$d/same/demo.rpm"
out=$OUT_ROOT/identical
run_ds "$d/a" "$d/same" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["identical"] is True and r["differences"] == []'

# BUILDTIME: another SOURCE_DATE_EPOCH (every file is older than both, so none is clamped).
mkrpm "$d/buildtime/demo.rpm" "$base" 1700000100 builder.example
check "rpm -qp: BUILDTIME 1700000000 and 1700000100" \
    test "$(qf "$d/a/demo.rpm" '%{BUILDTIME}') $(qf "$d/buildtime/demo.rpm" '%{BUILDTIME}')" = "1700000000 1700000100"
check "rpm -qp: the same BUILDHOST" test "$(qf "$d/buildtime/demo.rpm" '%{BUILDHOST}')" = builder.example
check "rpm2cpio | cpio -tv: the same payload listing" \
    cmp -s <(rpm2cpio "$d/a/demo.rpm" | cpio -tv --quiet) <(rpm2cpio "$d/buildtime/demo.rpm" | cpio -tv --quiet)
out=$OUT_ROOT/buildtime
run_ds "$d/a" "$d/buildtime" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/demo.rpm :: @rpm.tag.BUILDTIME|header|embedded-timestamp"
assert_q "$out" '[(d["a"], d["b"]) for d in diffs(loc=["/demo.rpm", "@rpm.tag.BUILDTIME"])] == [("1700000000", "1700000100")]'
# The header digests follow from it: reported, secondary; the rpm's own difference too.
assert_q "$out" 'all(d["secondary"] for d in diffs(loc=["/demo.rpm", "@rpm.sig.SHA256HEADER"]) + diffs(loc=["/demo.rpm", "@rpm.sig.SIGMD5"])) and len(diffs(loc=["/demo.rpm", "@rpm.sig.SHA256HEADER"])) == 1'
sha_b=$(qf "$d/buildtime/demo.rpm" '%{SHA256HEADER}')
assert_q "$out" 'diffs(loc=["/demo.rpm", "@rpm.sig.SHA256HEADER"])[0]["b"] == "'"$sha_b"'"'
assert_q "$out" 'diffs(loc=["/demo.rpm"], kind="content")[0]["secondary"] is True'
assert_q "$out" 'not any(e.startswith("/") for d in r["differences"] for e in d["location"][1:])'

# BUILDHOST: another %_buildhost.
mkrpm "$d/buildhost/demo.rpm" "$base" 1700000000 other.example
check "rpm -qp: BUILDHOST builder.example and other.example" \
    test "$(qf "$d/a/demo.rpm" '%{BUILDHOST}') $(qf "$d/buildhost/demo.rpm" '%{BUILDHOST}')" = "builder.example other.example"
check "rpm -qp: the same BUILDTIME" test "$(qf "$d/buildhost/demo.rpm" '%{BUILDTIME}')" = 1700000000
out=$OUT_ROOT/buildhost
run_ds "$d/a" "$d/buildhost" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/demo.rpm :: @rpm.tag.BUILDHOST|header|unknown"
assert_q "$out" '[(d["kind"], d["a"], d["b"]) for d in diffs(loc=["/demo.rpm", "@rpm.tag.BUILDHOST"])] == [("header", "builder.example", "other.example")]'
assert_q "$out" 'len(diffs(loc=["/demo.rpm", "@rpm.sig.SHA1HEADER"], secondary=True)) == 1'

# One file's bytes (same size, same time) inside the payload.
content=$(tree content)
printf 'w0rld\n' >"$content/usr/share/demo/b.txt"
touch -d @1690000000 "$content/usr/share/demo/b.txt"
mkrpm "$d/content/demo.rpm" "$content" 1700000000 builder.example
payload "$d/a/demo.rpm" "$d/x-a"
payload "$d/content/demo.rpm" "$d/x-content"
check "the payloads' b.txt differ" bash -c "! cmp -s '$d/x-a/usr/share/demo/b.txt' '$d/x-content/usr/share/demo/b.txt'"
check "the payloads' a.txt are equal" cmp -s "$d/x-a/usr/share/demo/a.txt" "$d/x-content/usr/share/demo/a.txt"
check "rpm2cpio | cpio -tv: the same listing (sizes, times)" \
    cmp -s <(rpm2cpio "$d/a/demo.rpm" | cpio -tv --quiet) <(rpm2cpio "$d/content/demo.rpm" | cpio -tv --quiet)
out=$OUT_ROOT/content
run_ds "$d/a" "$d/content" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/demo.rpm :: /usr/share/demo/b.txt|content|unknown"
for tag in tag.FILEDIGESTS tag.PAYLOADDIGEST sig.SHA256HEADER; do
    assert_q "$out" 'len(diffs(loc=["/demo.rpm", "@rpm.'$tag'"], secondary=True)) == 1'
done
assert_q "$out" 'not diffs(loc=["/demo.rpm", "@rpm.tag.BUILDTIME"]) and not diffs(loc=["/demo.rpm", "/usr/share/demo/a.txt"])'

# One file's mtime (the same bytes).
mtime=$(tree mtime)
touch -d @1690003600 "$mtime/usr/share/demo/a.txt"
mkrpm "$d/mtime/demo.rpm" "$mtime" 1700000000 builder.example
payload "$d/mtime/demo.rpm" "$d/x-mtime"
check "the payloads' a.txt: mtimes 1690000000 and 1690003600" \
    test "$(stat -c %Y "$d/x-a/usr/share/demo/a.txt") $(stat -c %Y "$d/x-mtime/usr/share/demo/a.txt")" = "1690000000 1690003600"
check "the payloads' a.txt: the same bytes" cmp -s "$d/x-a/usr/share/demo/a.txt" "$d/x-mtime/usr/share/demo/a.txt"
check "rpm -qp: FILEMTIMES differ" \
    bash -c "! cmp -s <(rpm -qp --qf '[%{FILEMTIMES}\n]' '$d/a/demo.rpm') <(rpm -qp --qf '[%{FILEMTIMES}\n]' '$d/mtime/demo.rpm')"
out=$OUT_ROOT/mtime
run_ds "$d/a" "$d/mtime" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/demo.rpm :: /usr/share/demo/a.txt|mtime|mtime"
assert_q "$out" 'len(diffs(loc=["/demo.rpm", "@rpm.tag.FILEMTIMES"], secondary=True)) == 1'
assert_q "$out" 'not any(d["kind"] == "content" for d in diffs(loc=["/demo.rpm", "/usr/share/demo/a.txt"]))'

# A zstd payload: one file's bytes again, read through libarchive's zstd filter.
mkrpm "$d/zstd-a/demo.rpm" "$base" 1700000000 builder.example w19.zstdio
mkrpm "$d/zstd-b/demo.rpm" "$content" 1700000000 builder.example w19.zstdio
check "rpm -qp: PAYLOADCOMPRESSOR zstd" test "$(qf "$d/zstd-a/demo.rpm" '%{PAYLOADCOMPRESSOR}')" = zstd
out=$OUT_ROOT/zstd
run_ds "$d/zstd-a" "$d/zstd-b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/demo.rpm :: /usr/share/demo/b.txt|content|unknown"

# Cut short: the payload's last 20 bytes (the gzip trailer), then inside the signature header.
mkdir -p "$d/cut" "$d/cut-header"
head -c -20 "$d/a/demo.rpm" >"$d/cut/demo.rpm"
head -c 200 "$d/a/demo.rpm" >"$d/cut-header/demo.rpm"
touch -d @1700000000 "$d/cut/demo.rpm" "$d/cut" "$d/cut-header/demo.rpm" "$d/cut-header"
check "rpm2cpio | cpio -t fails on the cut payload" bash -c "! (rpm2cpio '$d/cut/demo.rpm' | cpio -t --quiet) >/dev/null 2>&1"
out=$OUT_ROOT/cut
run_ds "$d/a" "$d/cut" "$out"
expect_status 2 # a damaged layer inside: trouble, as with cmp
validate "$out"
expect_roots "$out" "/demo.rpm|content|unknown"
assert_q "$out" 'any("rpm payload at byte" in l and "truncated" in l for l in r["limits"])'
check "no crash, no sanitizer report" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$out.stderr'"
out=$OUT_ROOT/cut-header
run_ds "$d/a" "$d/cut-header" "$out"
expect_status 2
validate "$out"
expect_roots "$out" "/demo.rpm|content|unknown"
assert_q "$out" 'any("rpm signature header at byte 96" in l and "truncated" in l for l in r["limits"])'
finish
