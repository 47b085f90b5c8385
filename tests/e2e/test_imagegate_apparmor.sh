#!/usr/bin/env bash
# imagegate apparmor on an image made of Debian's packages (apparmor, apparmor-profiles,
# iputils-ping, dnsmasq-base, curl, libcurl4, libc6) and gcc-built programs: every networked
# program found (direct imports cross-checked with readelf; a program networked only through
# its DT_NEEDED library, found by /etc/ld.so.conf.d inside the image), each judged against the
# real policy (variables, alternations, complain flags, a disabled profile), exceptions, and
# malformed profiles giving exit 2 with file and line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gate_lib.sh"
img=$(gate_image plain)
nophone=$(gate_image nophone no-phone-profile)

run_gate apparmor "$OUT_ROOT/iso" "$img/image.iso"
expect_status 1 "unconfined and complain-mode programs"
validate_gate "$OUT_ROOT/iso"
o=$OUT_ROOT/iso
assert_gq "$o" "v('/usr/bin/netclient') == 'enforced' and 'usr.bin.netclient' in f('/usr/bin/netclient')" \
    "netclient (socket+connect): enforced by /usr/bin/@{NETCLIENT}"
assert_gq "$o" "'connect' in by['/usr/bin/netclient'][0]['check'] or 'socket' in by['/usr/bin/netclient'][0]['check']" \
    "netclient's evidence names the imported call"
assert_gq "$o" "v('/usr/bin/resolver') == 'complain' and 'resolver' in f('/usr/bin/resolver')" \
    "resolver (getaddrinfo): profile resolver /usr/{bin,sbin}/resolv?r flags=(complain)"
assert_gq "$o" "v('/usr/bin/usesphone') == 'enforced' and 'libphone.so.1' in by['/usr/bin/usesphone'][0]['check']" \
    "usesphone: networked through libphone.so.1 (ld.so.conf.d inside the image), enforced"
assert_gq "$o" "v('/usr/bin/usesphone2') == 'unconfined' and 'libphone2.so.1 -> connect' in by['/usr/bin/usesphone2'][0]['check']" \
    "usesphone2: its library found through DT_RUNPATH \$ORIGIN/../lib/phone2; no profile: unconfined"
check "readelf agrees usesphone2 carries RUNPATH \$ORIGIN/../lib/phone2" bash -c \
    "readelf -d '$img/tree/usr/bin/usesphone2' | grep -q 'RUNPATH.*\\\$ORIGIN/../lib/phone2'"
assert_gq "$o" "v('/usr/bin/quiet') == 'absent'" "quiet (no network call) is not a subject"
assert_gq "$o" "v('/usr/bin/curl') == 'unconfined' and 'disable' in f('/usr/bin/curl')" \
    "curl: its profile is disabled (/etc/apparmor.d/disable/usr.bin.curl): unconfined, and says why"
assert_gq "$o" "v('/usr/bin/ping') == 'complain' and 'bin.ping' in f('/usr/bin/ping')" \
    "ping: apparmor-profiles' /{usr/,}bin/{,iputils-}ping flags=(complain)"
assert_gq "$o" "v('/usr/sbin/dnsmasq') == 'complain' and 'usr.sbin.dnsmasq' in f('/usr/sbin/dnsmasq')" \
    "dnsmasq: apparmor-profiles' /usr/{bin,sbin}/dnsmasq flags=(complain,attach_disconnected)"
assert_gq "$o" "not any(s.startswith('/bin/') or s.startswith('/sbin/') for s in by)" \
    "merged /usr: each program once, at its /usr path"
# Independent reading of the direct imports: readelf on every ELF program of the tree.
cat >"$OUT_ROOT/direct.py" <<'PY'
import json, os, subprocess, sys
NET = {"socket", "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg", "recvfrom",
       "recvmsg", "getaddrinfo", "gethostbyname", "getnameinfo"}
tree, gate = sys.argv[1], json.load(open(sys.argv[2]))
subjects = {i["subject"] for i in gate["items"]}
missing, checked = [], 0
for d in ("usr/bin", "usr/sbin"):
    for name in sorted(os.listdir(os.path.join(tree, d))):
        p = os.path.join(tree, d, name)
        if os.path.islink(p) or not os.path.isfile(p) or open(p, "rb").read(4) != b"\x7fELF":
            continue
        out = subprocess.run(["readelf", "--dyn-syms", "-W", p], capture_output=True, text=True).stdout
        imports = {l.split()[7].split("@")[0] for l in out.splitlines()
                   if len(l.split()) >= 8 and l.split()[6] == "UND"}
        if imports & NET:
            checked += 1
            if "/" + d + "/" + name not in subjects:
                missing.append("/" + d + "/" + name)
print("direct importers %d, missing %s" % (checked, missing))
sys.exit(1 if missing or checked < 4 else 0)
PY
check "every program readelf shows importing a network call is a subject" "$PY" "$OUT_ROOT/direct.py" "$img/tree" "$o/gate.json"
assert_file_contains "$o.stdout" "imagegate apparmor: FAIL"
check "the text answer names every unconfined and complain-mode program" "$PY" -c "import json,sys
g=json.load(open(sys.argv[1])); t=open(sys.argv[2]).read()
bad=[i['subject'] for i in g['items'] if i['failing'] and ('%-10s %s\\n' % (i['verdict'], i['subject'])) not in t]
print(bad); sys.exit(1 if bad or sum(i['failing'] for i in g['items']) < 4 else 0)" "$o/gate.json" "$o.stdout"

# The same image as squashfs and as tree: the same verdicts.
run_gate apparmor "$OUT_ROOT/sqfs" "$img/rootfs.squashfs"
run_gate apparmor "$OUT_ROOT/tree" "$img/tree"
cat >"$OUT_ROOT/same.py" <<'PY'
import json, sys
a, b = (json.load(open(p + "/gate.json")) for p in sys.argv[1:3])
pick = lambda g: {i["subject"]: i["verdict"] for i in g["items"]}
sys.exit(0 if pick(a) == pick(b) and len(pick(a)) >= 5 else 1)
PY
check "squashfs and ISO: the same verdicts" "$PY" "$OUT_ROOT/same.py" "$o" "$OUT_ROOT/sqfs"
check "tree and ISO: the same verdicts" "$PY" "$OUT_ROOT/same.py" "$o" "$OUT_ROOT/tree"

# usesphone without a profile: unconfined, networked only through its library.
run_gate apparmor "$OUT_ROOT/nophone" "$nophone/image.iso"
expect_status 1 "usesphone unconfined"
assert_gq "$OUT_ROOT/nophone" "v('/usr/bin/usesphone') == 'unconfined' and 'libphone.so.1' in by['/usr/bin/usesphone'][0]['check'] and 'connect' in by['/usr/bin/usesphone'][0]['check']" \
    "the evidence chain: usesphone -> libphone.so.1 -> connect"

# Exceptions: every program not enforced documented -> exit 0.
"$PY" - "$o/gate.json" >"$OUT_ROOT/all.exceptions" <<'PY'
import json, sys
for i in json.load(open(sys.argv[1]))["items"]:
    if i["verdict"] != "enforced":
        print("%s -- documented by the test" % i["subject"])
PY
printf '# the release team accepts these\n/usr/bin/curl -- fetches only what the user asks for\n' >>"$OUT_ROOT/all.exceptions"
run_gate apparmor "$OUT_ROOT/doc" "$img/image.iso" --exceptions "$OUT_ROOT/all.exceptions"
expect_status 0 "every unconfined program documented"
assert_gq "$OUT_ROOT/doc" "v('/usr/bin/curl') == 'documented' and by['/usr/bin/curl'][0]['would_be'] == 'unconfined'" \
    "curl documented, and what it would have been"
printf '/usr/{bin,sbin}/{ping,dnsmasq} -- complain mode until the alpha\n' >"$OUT_ROOT/glob.exceptions"
run_gate apparmor "$OUT_ROOT/glob" "$img/image.iso" --exceptions "$OUT_ROOT/glob.exceptions"
expect_status 1 "a glob exception documents some"
assert_gq "$OUT_ROOT/glob" "v('/usr/bin/ping') == 'documented' and v('/usr/sbin/dnsmasq') == 'documented' and v('/usr/bin/curl') == 'unconfined'" \
    "an AppArmor-style glob in the exceptions file"
printf '/usr/bin/curl fetches things\n' >"$OUT_ROOT/bad.exceptions"
run_gate apparmor "$OUT_ROOT/badexc" "$img/image.iso" --exceptions "$OUT_ROOT/bad.exceptions"
expect_status 2 "a malformed exceptions file"
check "names the exceptions file and line" grep -q "bad.exceptions:1" "$OUT_ROOT/badexc.stderr"

# Two profiles whose attachments match resolver equally: the kernel applies neither.
tie=$OUT_ROOT/tietree
mkdir -p "$tie"
cp -a "$img/tree/." "$tie/"
printf 'include <tunables/global>\nprofile resolver2 /usr/{bin,sbin}/resolv?r {\n}\n' >"$tie/etc/apparmor.d/usr.bin.resolver2"
run_gate apparmor "$OUT_ROOT/tie" "$tie"
assert_gq "$OUT_ROOT/tie" "v('/usr/bin/resolver') == 'unconfined' and 'resolver2' in f('/usr/bin/resolver') and 'applies neither' in f('/usr/bin/resolver')" \
    "equally specific attachments: unconfined, both profiles named"

# Malformed policy: an unbalanced profile and a missing include, each named with file and line.
bad=$OUT_ROOT/badtree
mkdir -p "$bad"
cp -a "$img/tree/." "$bad/"
printf 'include <tunables/global>\n/usr/bin/netclient {\n  network inet,\n' >"$bad/etc/apparmor.d/usr.bin.netclient"
# A damaged program: ELF magic, then a section table pointing past the end.
{ head -c 64 "$img/tree/usr/bin/quiet"; head -c 200 /dev/zero; } >"$bad/usr/bin/broken"
chmod 755 "$bad/usr/bin/broken"
run_gate apparmor "$OUT_ROOT/badprof" "$bad"
expect_status 2 "an unterminated profile"
check "names the profile file" grep -q "/etc/apparmor.d/usr.bin.netclient" "$OUT_ROOT/badprof.stderr"
assert_gq "$OUT_ROOT/badprof" "g['verdict'] == 'TROUBLE' and any('usr.bin.netclient' in p for p in g['problems']) and v('/usr/bin/ping') == 'complain'" \
    "a partial report: the problem named, the other profiles still judged"
assert_gq "$OUT_ROOT/badprof" "any(p.startswith('/usr/bin/broken: ') and ('offset' in p or 'at byte' in p) for p in g['problems'])" \
    "the damaged program is a problem naming it and the offset"
printf 'include <abstractions/no-such-thing>\n/usr/bin/netclient {\n}\n' >"$bad/etc/apparmor.d/usr.bin.netclient"
run_gate apparmor "$OUT_ROOT/badinc" "$bad"
expect_status 2 "a missing include"
check "names the file and line 1" grep -q "usr.bin.netclient:1" "$OUT_ROOT/badinc.stderr"
validate_gate "$OUT_ROOT/badinc"
finish
