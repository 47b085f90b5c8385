#!/usr/bin/env bash
# Install and package (issue 12): `cmake --install` of this build with DESTDIR and another
# prefix puts exactly the binary, the man page, the docs and the bash completion in place; the
# Debian package builds from a copy of the tracked tree with dpkg-buildpackage, lintian reports
# no error, its dependencies are installed here, the binary and man page installed into a
# scratch root run, and a second build at another path gives the same .deb. The package builds
# run in the plain build only: the ASan+UBSan build of the same sources adds nothing to them
# and would double their cost (about 80 s; it says so and skips).
build_dir=$(dirname "$DRIFTSCOPE")
source "$(dirname "$0")/lib.sh"

# cmake --install: DESTDIR and CMAKE_INSTALL_PREFIX (given as --prefix) both honoured.
stage=$OUT_ROOT/destdir
set +e
DESTDIR=$stage cmake --install "$build_dir" --prefix /opt/ds >"$OUT_ROOT/install.log" 2>&1
s_install=$?
set -e
check "cmake --install with DESTDIR exits 0" test $s_install = 0
expected="opt/ds/bin/driftscope
opt/ds/bin/imagegate
opt/ds/share/bash-completion/completions/driftscope
opt/ds/share/doc/driftscope/causes.md
opt/ds/share/doc/driftscope/gate-schema.json
opt/ds/share/doc/driftscope/kspp-rules.md
opt/ds/share/doc/driftscope/kspp-rules.txt
opt/ds/share/doc/driftscope/report-fields.md
opt/ds/share/doc/driftscope/report-schema.json
opt/ds/share/doc/driftscope/telemetry-rules.md
opt/ds/share/doc/driftscope/telemetry-rules.txt
opt/ds/share/man/man1/driftscope.1
opt/ds/share/man/man1/imagegate.1"
got=$(cd "$stage" 2>/dev/null && find . -type f | sed 's|^\./||' | sort)
if [[ $got == "$expected" ]]; then ok "installed files: exactly the binaries, man pages, docs, completion"; else not_ok "installed files: got [${got//$'\n'/ }]"; fi
check "every path cmake --install wrote is under DESTDIR" \
    bash -c "grep -q '^-- Installing: ' '$OUT_ROOT/install.log' && ! grep '^-- Installing: ' '$OUT_ROOT/install.log' | grep -vq '^-- Installing: $stage/opt/ds/'"
check "the installed binary runs" bash -c "'$stage/opt/ds/bin/driftscope' --version | grep -qx 'driftscope [0-9.]*'"
check "the installed causes.md is the catalogue" cmp -s "$stage/opt/ds/share/doc/driftscope/causes.md" "$DS_SOURCE_DIR/docs/causes.md"

# The bash completion: options from --help, values for --deep-tool, files for inputs.
completion=$stage/opt/ds/share/bash-completion/completions/driftscope
cat >"$OUT_ROOT/complete.sh" <<'SHEOF'
# complete.sh COMPLETION WORD...: what the completion offers for the last word, one a line
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
_driftscope
printf '%s\n' "${COMPREPLY[@]}"
SHEOF
offers() { bash "$OUT_ROOT/complete.sh" "$completion" "$DRIFTSCOPE" "$@" | sort | tr '\n' ' '; }
check "completion: --max-d offers --max-depth and --max-differences" test "$(offers --max-d)" = "--max-depth --max-differences "
all_long=$("$DRIFTSCOPE" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')
check "completion: -- offers exactly the long options of --help" test "$(offers --)" = "$all_long"
check "completion: the list is not empty" test "${#all_long}" -gt 100
check "completion: --deep-tool offers diffoscope" test "$(offers --deep-tool '')" = "diffoscope "
check "completion: --color offers its three values" test "$(offers --color '')" = "always auto never "
mkdir -p "$OUT_ROOT/files/outdir"
touch "$OUT_ROOT/files/one.iso" "$OUT_ROOT/files/other.iso"
check "completion: an input completes as a file" test "$(cd "$OUT_ROOT/files" && offers one.iso ot)" = "other.iso "
check "completion: -o completes as a directory" test "$(cd "$OUT_ROOT/files" && offers a b -o '')" = "outdir "

if grep -q '^DS_SANITIZE:BOOL=ON' "$build_dir/CMakeCache.txt"; then
    ok "skip: the Debian package is built and checked in the plain build only (this is the ASan+UBSan build)"
    finish
    exit
fi

# The package, from a copy of exactly the tracked files (a fresh clone's tree).
src=$OUT_ROOT/src/driftscope
mkdir -p "$src"
(cd "$DS_SOURCE_DIR" && git ls-files -z | xargs -0 cp --parents -t "$src")
set +e
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$OUT_ROOT/dpkg-buildpackage.log" 2>&1
s_build=$?
set -e
check "dpkg-buildpackage -us -uc -b exits 0" test $s_build = 0
[[ $s_build == 0 ]] || tail -n 40 "$OUT_ROOT/dpkg-buildpackage.log"
check "the package build ran the unit tests and only them" \
    bash -c "grep -q 'tests passed, 0 tests failed out of' '$OUT_ROOT/dpkg-buildpackage.log' && grep -q 'unit_iso_date' '$OUT_ROOT/dpkg-buildpackage.log' && ! grep -q 'e2e_' '$OUT_ROOT/dpkg-buildpackage.log'"
deb=$(find "$OUT_ROOT/src" -maxdepth 1 -name 'driftscope_*.deb' | head -n 1)
changes=$(find "$OUT_ROOT/src" -maxdepth 1 -name 'driftscope_*.changes' | head -n 1)
check "a .deb and a .changes were written" test -n "$deb" -a -n "$changes"
if [[ -z $deb || -z $changes ]]; then
    finish
    exit
fi
set +e
lintian --fail-on error --show-overrides "$changes" >"$OUT_ROOT/lintian.log" 2>&1
s_lintian=$?
set -e
# The one override (debian/driftscope.lintian-overrides) shows that lintian looked at the binary.
check "lintian examined the binary (its override is shown)" grep -q '^O: driftscope: uses-dpkg-database-directly' "$OUT_ROOT/lintian.log"
check "lintian reports no error (exit $s_lintian)" bash -c "[[ $s_lintian == 0 ]] && ! grep -q '^E:' '$OUT_ROOT/lintian.log'"
grep '^[EW]:' "$OUT_ROOT/lintian.log" || true
check "the .deb has no test or fuzz program" bash -c "! dpkg-deb -c '$deb' | grep -q 'test_\|replay_\|fuzz'"

# Depends comes from ${shlibs:Depends}: every group is satisfied by a package installed here.
depends=$(dpkg-deb -f "$deb" Depends)
check "Depends names the shared libraries (libarchive, libsquashfs, libc)" \
    bash -c "[[ '$depends' == *libarchive* && '$depends' == *libsquashfs* && '$depends' == *libc6* ]]"
satisfied() { # one "pkg (op ver) | alt" group
    local alt name op ver have
    IFS='|' read -ra alts <<<"$1"
    for alt in "${alts[@]}"; do
        read -r name op ver <<<"${alt//[()]/ }"
        have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null) || continue
        [[ $have == "install ok installed "* ]] || continue
        [[ -z $op ]] || dpkg --compare-versions "${have##* }" "$op" "$ver" || continue
        return 0
    done
    return 1
}
missing=()
IFS=',' read -ra groups <<<"$depends"
for group in "${groups[@]}"; do satisfied "$group" || missing+=("$group"); done
check "every dependency of the .deb is installed here (missing: ${missing[*]:-none})" test ${#missing[@]} = 0

# Install into a scratch root (its own dpkg database; the host's libraries serve the binary).
root=$OUT_ROOT/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status"
set +e
dpkg --root="$root" --force-depends --force-not-root --force-script-chrootless -i "$deb" >"$OUT_ROOT/dpkg-i.log" 2>&1
s_dpkg=$?
set -e
check "dpkg --root -i installs the .deb" test $s_dpkg = 0
check "the scratch root's dpkg knows the package" bash -c "dpkg --root='$root' -s driftscope | grep -q '^Status: install ok installed'"
check "the installed binary is /usr/bin/driftscope and finds its libraries" \
    bash -c "test -x '$root/usr/bin/driftscope' && ! ldd '$root/usr/bin/driftscope' | grep -q 'not found'"
check "the installed driftscope --version runs" bash -c "'$root/usr/bin/driftscope' --version | grep -qx 'driftscope 0.1.0'"
check "the installed imagegate --version runs" bash -c "'$root/usr/bin/imagegate' --version | grep -qx 'imagegate 0.1.0'"
check "imagegate's shipped rules tables and gate schema are installed" bash -c "ls '$root/usr/share/doc/driftscope/' | grep -q '^kspp-rules.txt' && ls '$root/usr/share/doc/driftscope/' | grep -q '^telemetry-rules.txt' && ls '$root/usr/share/doc/driftscope/' | grep -q '^gate-schema.json' && test -f '$root/usr/share/man/man1/imagegate.1.gz'"
check "the installed imagegate has the telemetry gate (libpcap linked through shlibs)" bash -c "'$root/usr/bin/imagegate' telemetry --list-rules | grep -q '^org Mozilla'"
check "man -l renders the installed page" bash -c "MANWIDTH=80 man -l '$root/usr/share/man/man1/driftscope.1.gz' 2>/dev/null | grep -q 'driftscope'"
check "the installed docs and completion are in place" bash -c "ls '$root/usr/share/doc/driftscope/' | grep -q '^causes.md' && test -f '$root/usr/share/bash-completion/completions/driftscope' && test -f '$root/usr/share/doc/driftscope/copyright'"
mkdir -p "$OUT_ROOT/pair/a" "$OUT_ROOT/pair/b"
echo one >"$OUT_ROOT/pair/a/f"
echo two >"$OUT_ROOT/pair/b/f"
set +e
"$root/usr/bin/driftscope" --quiet "$OUT_ROOT/pair/a" "$OUT_ROOT/pair/b" -o "$OUT_ROOT/pair/out" >/dev/null 2>&1
s_pair=$?
set -e
check "the installed binary compares a pair (exit 1)" test $s_pair = 1
validate "$OUT_ROOT/pair/out"
dpkg --root="$root" --force-not-root --force-script-chrootless -r driftscope >>"$OUT_ROOT/dpkg-i.log" 2>&1 || true
check "dpkg -r removes it again" test ! -e "$root/usr/bin/driftscope"

# The package is reproducible: a second build from another path (files copied later, so other
# mtimes) gives the same .deb, as driftscope itself says.
again=$OUT_ROOT/again/at/another/path/driftscope
mkdir -p "$again"
(cd "$DS_SOURCE_DIR" && git ls-files -z | xargs -0 cp --parents -t "$again")
set +e
(cd "$again" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$OUT_ROOT/again.log" 2>&1
s_again=$?
"$DRIFTSCOPE" --quiet "$deb" "$(dirname "$again")/$(basename "$deb")" -o "$OUT_ROOT/again-report" >/dev/null 2>&1
s_same=$?
set -e
check "a second package build at another path exits 0" test $s_again = 0
check "the two .deb files are identical (driftscope exit 0, got $s_same)" test $s_same = 0
[[ $s_same == 0 ]] || sed '/^## /,$d' "$OUT_ROOT/again-report/checklist.md" || true
finish
